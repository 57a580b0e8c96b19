"""The console for one hand at a laptop's 1366x768: with six speakers and eight States queued, the
floor, the countdown, the clock of the hour and the first queue entries are on the screen without
scrolling, in English, French and Spanish; every button shows its key, and the list of keys opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, FloatRect, Page, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import Screens, screenshot, serving
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
QUEUED = ["FR", "BR", "KE", "JP", "GY", "KI", "SE", "DE"]  # eight States, none the State under Review


@pytest.fixture
async def busy(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    """The first session with its six speakers, eight States queued with topics."""
    doc = meeting_agenda()
    doc["delegations"] = [{"state": c} for c in ["AM", *QUEUED]]
    try:
        async with serving(browser, tmp_path / "m.sqlite3", doc) as opened:
            yield opened
    finally:
        await Live.close_all()


async def queue_up(screens: Screens, phase: str) -> None:
    server = screens.server
    sid = server.session_id()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    speakers = moderator.state["speakers"]
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=speakers[0]["id"])
    for i, state in enumerate(QUEUED):
        mission = await Live.open(server.ws, sid, server.token(state))
        topic = "Follow-up on the recommendations on freedom of expression and the media law" if i % 2 else ""
        await mission.ok("queue.request", addressed_to=speakers[i % 6]["id"] if i % 3 else None, topic=topic)
        await mission.close()
    if phase == "qa":
        await moderator.ok("session.qa")
        await moderator.ok("queue.call", entry_id=moderator.state["queue"][0]["id"])
    await moderator.ok("timer.start")
    await moderator.close()


def inside(box: FloatRect | None, what: str) -> None:
    assert box is not None, f"{what} is not drawn"
    assert box["x"] >= 0 and box["y"] >= 0, (what, box)
    assert box["x"] + box["width"] <= LAPTOP["width"] + 0.5, (what, box)
    assert box["y"] + box["height"] <= LAPTOP["height"] + 0.5, (what, box)


@pytest.mark.parametrize("phase", ["statements", "qa"])
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_floor_the_clock_and_the_queue_are_above_the_fold(
    busy: Screens, lang: str, phase: str
) -> None:
    await queue_up(busy, phase)
    token = busy.server.series["moderator_token"]
    page = await busy.open(f"/s/{busy.session()}/console?lang={lang}#token={token}", size=LAPTOP)
    await expect(page.locator("#queue tr")).to_have_count(len(QUEUED))
    await expect(page.locator("#countdown")).not_to_be_empty()
    await expect(page.locator("#clock-projected")).not_to_have_text("—")
    await screenshot(page, f"console-fit-{phase}-{lang}-1366x768")
    assert await page.evaluate("window.scrollY") == 0
    for selector, what in [
        ("#holder", "who has the floor"),
        ("#countdown", "the countdown"),
        ("#toggle-timer", "the start/pause button"),
        ("#finish", "Finish"),
        ("#clock-now", "the time now"),
        ("#clock-planned", "the planned end"),
        ("#clock-projected", "the projected end"),
        ("#clock-balance", "over or under"),
        ("#queue tr:nth-child(1) .state", "the first State in the queue"),
        ("#queue tr:nth-child(2) .state", "the second State in the queue"),
        ("#queue tr:nth-child(3) .state", "the third State in the queue"),
        ("#queue tr:nth-child(1) .actions", "the first entry's buttons"),
    ]:
        inside(await page.locator(selector).bounding_box(), what)
    # no button of the panel or the queue leaves its cell, nor its label the button ("Donner la parole")
    spilled = await page.evaluate(
        """() => Array.from(document.querySelectorAll('#speakers .actions button, #queue .actions button'))
          .filter((b) => b.getClientRects().length)
          .filter((b) => {
            const cell = b.closest('td').getBoundingClientRect(), box = b.getBoundingClientRect();
            return box.right > cell.right + 0.5 || b.scrollWidth > b.clientWidth + 1;
          })
          .map((b) => b.textContent.trim())"""
    )
    assert spilled == [], spilled
    assert busy.errors == []


async def every_button_shows_its_key(page: Page) -> list[str]:
    """The visible buttons of the floor, the session and the message that show no key."""
    return await page.evaluate(
        """() => Array.from(document.querySelectorAll('.floor button, .phases button, .message button'))
          .filter((b) => b.getClientRects().length && b.type !== 'submit')
          .filter((b) => {
            const k = b.querySelector('kbd');
            return !k || k.hidden || k.dataset.off || !k.textContent.trim();
          })
          .map((b) => b.textContent.trim())"""
    )


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_every_button_shows_its_key_and_question_mark_lists_them(busy: Screens, lang: str) -> None:
    await queue_up(busy, "qa")
    token = busy.server.series["moderator_token"]
    page = await busy.open(f"/s/{busy.session()}/console?lang={lang}#token={token}", size=LAPTOP)
    await expect(page.locator("#queue tr")).to_have_count(len(QUEUED))
    assert await every_button_shows_its_key(page) == []
    # The keys of the next speaker's and the first State's buttons are on those rows only.
    assert await page.locator("#speakers kbd:not([data-off])").count() == 2
    assert await page.locator("#queue kbd:not([data-off])").count() == 2
    await page.keyboard.press("?")
    help = page.locator("#keys-help")
    await expect(help).to_be_visible()
    keys = await help.locator("kbd").all_text_contents()
    shown = await page.evaluate("Array.from(document.querySelectorAll('main kbd')).map((k) => k.textContent)")
    assert {k for k in shown if k} <= set(keys)
    await screenshot(page, f"console-keys-{lang}-1366x768")
    await page.keyboard.press("Escape")
    await expect(help).to_be_hidden()
    assert busy.errors == []
