"""The State under Review's opening statement in Chromium: the console gives it the floor with one
button, and the console, the room display and the speaker timer show "Opening statement: <State>"
in the page's language; a speaker added by a PUT shows on the open room display without a reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot, serving
from tests.support.server import ADMIN, Running

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
WORDS = {
    "en": ("Opening statement: Armenia", "Give the floor to Armenia for its opening statement"),
    "fr": ("Déclaration liminaire : Arménie", "Donner la parole à Arménie pour sa déclaration liminaire"),
    "es": ("Declaración inicial: Armenia", "Dar la palabra a Armenia para su declaración inicial"),
}


@pytest.fixture
async def statement_screens(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    doc = meeting_agenda()
    doc["sessions"][0]["sur_statement_seconds"] = 300
    async with serving(browser, tmp_path / "m.sqlite3", doc) as opened:
        yield opened


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_console_gives_the_floor_and_every_screen_says_so(
    statement_screens: Screens, lang: str
) -> None:
    screens = statement_screens
    title, label = WORDS[lang]
    token = screens.server.series["moderator_token"]
    sid = screens.session()
    console = await screens.open(f"/s/{sid}/console?lang={lang}#token={token}", size=LAPTOP)
    room = await screens.open(f"/s/{sid}/room?lang={lang}", size=PROJECTOR)
    timer = await screens.open(f"/s/{sid}/speaker?lang={lang}", size=PROJECTOR)
    phone = await screens.open(f"/join/{screens.server.token('FR')}?lang={lang}", size=PHONE)
    button = console.get_by_role("button", name=label)
    await expect(button).to_be_visible()
    await expect(button).to_be_disabled()  # not before the session is opened
    await console.locator('button[data-action="session.open"]').click()
    await expect(button).to_be_enabled()
    await button.click()
    for page in (console, room, timer):
        await expect(page.locator("#holder")).to_have_text(title)
    await expect(console.locator("#countdown")).to_have_text("05:00")
    await expect(timer.locator("#countdown")).to_have_text("05:00")
    await expect(button).to_be_disabled()
    await expect(console.locator("#sur-statement")).to_have_attribute("aria-current", "true")
    await expect(phone.locator("#holder")).to_have_text(title)
    for page, name, size in (
        (console, "console", "1366"),
        (room, "room", "1920"),
        (timer, "speaker", "1920"),
    ):
        await screenshot(page, f"sur-statement-{name}-{size}-{lang}")
    await screenshot(phone, f"sur-statement-phone-360-{lang}")
    small = await screens.open(f"/s/{sid}/console?lang={lang}#token={token}", size=PHONE)
    await expect(small.locator("#holder")).to_have_text(title)
    await screenshot(small, f"sur-statement-console-360-{lang}")
    await console.keyboard.press("f")  # "finish" ends the statement too
    await expect(console.locator("#sur-statement")).not_to_have_attribute("aria-current", "true")
    assert screens.errors == []


async def test_a_speaker_added_by_a_put_shows_on_the_open_room_display(
    screens: Screens, meeting: Running
) -> None:
    """The room display opened before the PUT lists the new speaker next, without a reload."""
    sid = screens.session()
    room = await screens.open(f"/s/{sid}/room", size=PROJECTOR)
    await expect(room.locator("#holder")).not_to_be_empty()
    path = f"/api/series/{meeting.series['series_id']}"
    doc = (await meeting.http.get(path, headers={"Authorization": f"Bearer {ADMIN}"})).json()
    doc["sessions"][0]["speakers"].insert(
        0, {"key": "new", "name": "Rosa Quispe", "kind": "cso", "language": "es", "public_name": "Rosa Q."}
    )
    r = await meeting.http.put(
        path, json=doc, headers={"Authorization": f"Bearer {meeting.series['moderator_token']}"}
    )
    assert r.status_code == 200, r.text
    await expect(room.get_by_text("Rosa Q.", exact=True)).to_be_visible()
    assert await room.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert screens.errors == []
