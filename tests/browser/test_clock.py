"""Countdowns follow the server's clock, not the browser's."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser

SKEW = timedelta(minutes=7, seconds=13)


async def drawn_remaining(page: Page) -> tuple[int, float]:
    """The remaining time the page draws now (ms), and when it was read (this machine's clock, ms)."""
    before = time.time() * 1000
    drawn = int(await page.locator("#countdown").get_attribute("data-remaining-ms") or "0")
    after = time.time() * 1000
    return drawn, (before + after) / 2


async def test_a_skewed_browser_clock_shows_the_same_remaining_time(screens: Screens) -> None:
    """A speaker screen whose clock is minutes off agrees with a right one, and the server, within 250 ms."""
    sid = screens.session()
    server = screens.server
    right = await screens.open(f"/s/{sid}/speaker")
    skewed = await screens.open(f"/s/{sid}/speaker", clock_at=datetime.now() + SKEW)
    off_by = await skewed.evaluate("Date.now()") - time.time() * 1000
    assert off_by > SKEW.total_seconds() * 1000 - 5000, "the fake clock is not in place"

    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][0]["id"])
    await moderator.ok("timer.start")
    timer = moderator.state["timer"]
    for page in (right, skewed):
        await expect(page.locator("#countdown")).to_have_attribute("data-running", "true")
        await expect(page.locator("#countdown")).to_have_text(re.compile(r"^0(6:5\d|7:00)$"))

    for _ in range(5):
        a, at_a = await drawn_remaining(right)
        b, at_b = await drawn_remaining(skewed)
        # The server and this test share the machine's wall clock: that is the truth.
        for drawn, at in ((a, at_a), (b, at_b)):
            truth = timer["duration_ms"] - timer["elapsed_ms"] - (at - timer["running_since"])
            assert abs(drawn - truth) < 250, (drawn, truth)
        assert abs((a - b) - (at_b - at_a)) < 250, (a, b)
    await moderator.close()
    assert screens.errors == []
