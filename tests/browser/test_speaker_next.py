"""The speaker screen says who speaks next and the time of day (the series' zone), large enough
for 5 m; a preset message from the console's key reaches it in the language of the speaker on the
floor, whatever the language of either page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from moderator.core.presets import PRESETS
from moderator.i18n.translation import translate
from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def clock_now(zone: str) -> set[str]:
    now = datetime.now(ZoneInfo(zone))
    return {(now + timedelta(seconds=d)).strftime("%H:%M") for d in (-60, 0, 60)}


async def test_a_preset_from_the_console_reaches_the_speaker_in_their_language(screens: Screens) -> None:
    sid = screens.session()
    token = screens.server.series["moderator_token"]
    speaker = await screens.open(f"/s/{sid}/speaker?lang=en", size=LAPTOP)
    console = await screens.open(f"/s/{sid}/console?lang=es#token={token}", size=LAPTOP)
    await expect(console.locator("#holder")).not_to_be_empty()
    moderator = await Live.open(screens.server.ws, sid, token)
    people = moderator.state["speakers"]
    assert (people[1]["language"], people[2]["language"]) == ("fr", "es")
    await console.keyboard.press("o")  # open the session
    await expect(console.locator("#phase")).to_have_text("Apertura")
    await moderator.ok("speaker.call", speaker_id=people[1]["id"])
    await expect(console.locator("#holder")).to_have_text(people[1]["name"])

    await console.keyboard.press("1")
    banner = speaker.locator("#banner")
    await expect(banner).to_have_text(translate("fr", PRESETS["conclude"]))
    await expect(banner).to_have_attribute("lang", "fr")
    # The Spanish console shows what it sent in the speaker's words too.
    await expect(console.locator("#message-current")).to_contain_text(translate("fr", PRESETS["conclude"]))
    await expect(speaker.locator("#next-up")).to_have_text("Next: A journalist")  # the public name
    assert await speaker.locator("#time-of-day").text_content() in clock_now("Europe/Zurich")
    await screenshot(speaker, "speaker-preset-fr-1366x768")

    # The floor changes: the message goes; the Spanish speaker gets the third preset in Spanish,
    # on AZERTY the key without Shift types "\"" but is the same key (Digit3).
    await moderator.ok("speaker.call", speaker_id=people[2]["id"])
    await expect(banner).to_be_hidden()
    await console.dispatch_event("body", "keydown", {"key": '"', "code": "Digit3", "bubbles": True})
    await expect(banner).to_have_text(translate("es", PRESETS["slower"]))
    await expect(banner).to_have_attribute("lang", "es")
    events = [
        e["preset"]
        for e in await screens.server.app.state.services.store.events(sid)
        if e["type"] == "message.shown"
    ]
    assert events == ["conclude", "slower"]
    await moderator.close()
    assert screens.errors == []


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
@pytest.mark.parametrize("size", [LAPTOP, PROJECTOR, PHONE], ids=["1366x768", "1920x1080", "360x640"])
async def test_who_is_next_and_the_time_are_large_and_on_screen(
    screens: Screens, lang: str, size: dict[str, int]
) -> None:
    sid = screens.session()
    page = await screens.open(f"/s/{sid}/speaker?lang={lang}", size=size)
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    people = moderator.state["speakers"]
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=people[0]["id"])
    await moderator.ok("timer.start")
    await moderator.ok("message.show", text="x", to="speaker", preset="one_minute")
    await expect(page.locator("#banner")).to_have_text(
        translate("en", PRESETS["one_minute"])
    )  # Anna speaks English
    await expect(page.locator("#next-up")).to_contain_text(people[1]["name"])
    width, height = await page.evaluate("[window.innerWidth, window.innerHeight]")
    for name in ("next-up", "time-of-day", "countdown", "cue", "banner", "holder"):
        box = await page.locator(f"#{name}").bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, box)
    # Readable at 5 m: at least 4% of the screen's height on a laptop or a projector.
    px = float(
        await page.locator("#time-of-day").evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
    )
    if size is not PHONE:
        assert px >= 0.04 * height, px
    await screenshot(page, f"speaker-next-{lang}-{size['width']}x{size['height']}")
    await moderator.close()
    assert screens.errors == []
