"""The speaker screen at laptop and projector sizes: everything fits, and overtime stays readable."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Page, expect

from tests.browser.contrast import painted_ratio, ratios_through_animation
from tests.browser.pages import Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}

# The longest message the console allows (200 characters), in ordinary words.
LONG = (
    "Please conclude your statement now: the next speaker is waiting and the session is running "
    "late. The interpreters need a short pause after this statement. Thank you very much for your "
    "patience. Hurry!"
)
assert len(LONG) == 200


async def _inside(page: Page, ids: list[str]) -> None:
    """Every element `ids` names is painted whole inside the viewport."""
    width, height = await page.evaluate("[window.innerWidth, window.innerHeight]")
    for name in ids:
        box = await page.locator(f"#{name}").bounding_box()
        assert box is not None, f"#{name} is not shown"
        assert box["height"] > 0, f"#{name} is empty"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, box, width)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (name, box, height)


async def _left(moderator: Live) -> float:
    timer = moderator.state["timer"]
    return float(timer["duration_ms"] - timer["elapsed_ms"] - (time.time() * 1000 - timer["running_since"]))


@pytest.mark.parametrize("size", [LAPTOP, PROJECTOR], ids=["1366x768", "1920x1080"])
async def test_a_200_character_message_leaves_the_countdown_and_the_cue_on_screen(
    screens: Screens, size: dict[str, int]
) -> None:
    sid = screens.session()
    page = await screens.open(f"/s/{sid}/speaker", size=size)
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    first = moderator.state["speakers"][0]  # has organisation, theme and language: the longest floor
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=first["id"])
    await moderator.ok("timer.start")
    await moderator.ok("timer.adjust", delta_ms=-int(await _left(moderator) - 50_000))
    await moderator.ok("message.show", text=LONG, to="speaker")
    await expect(page.locator("#cue")).to_have_text("1 minute left")
    await expect(page.locator("#banner")).to_have_text(LONG)
    await screenshot(page, f"speaker-long-message-{size['width']}")
    await _inside(page, ["sur", "banner", "holder", "holder-details", "countdown", "cue"])
    # Still large: the digits are at least a quarter of the screen's height.
    box = await page.locator("#countdown").bounding_box()
    assert box is not None and box["height"] >= 0.25 * size["height"]

    # Overtime, with the message still up: same.
    await moderator.ok("timer.adjust", delta_ms=-int(await _left(moderator) - 1500))
    await expect(page.locator("#cue")).to_have_text("Time is up", timeout=10_000)
    await _inside(page, ["sur", "banner", "holder", "holder-details", "countdown", "cue"])
    await moderator.close()
    assert screens.errors == []


@pytest.mark.parametrize("path", ["speaker", "room"])
async def test_overtime_digits_blink_without_losing_contrast(screens: Screens, path: str) -> None:
    """At every moment of the blink the digits keep at least 7:1 against what is behind them."""
    sid = screens.session()
    page = await screens.open(f"/s/{sid}/{path}", size=LAPTOP)
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][2]["id"])
    await moderator.ok("timer.start")
    before, colours = await painted_ratio(page.locator("#countdown"))
    assert before >= 7, colours  # running, before any warning
    await moderator.ok("timer.adjust", delta_ms=-int(await _left(moderator) - 1500))
    countdown = page.locator("#countdown")
    await expect(countdown).to_have_attribute("data-level", "over", timeout=10_000)
    await expect(countdown).to_have_css("animation-name", "blink")  # it still blinks
    seen = await ratios_through_animation(countdown)
    weakest = min(seen, key=lambda s: s[1])
    assert weakest[1] >= 7, f"{weakest[1]:.2f}:1 at {weakest[0]} ms of the blink: {weakest[2]}"
    # And it does change: two looks, not one.
    assert len({str(s[2]) for s in seen}) >= 2, seen
    cue, colours = await painted_ratio(page.locator("#cue"))
    assert cue >= 7, colours
    await moderator.close()
    assert screens.errors == []
