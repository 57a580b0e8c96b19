"""The speaker's countdown: amber at the warning, red and counting up in overtime, cues in words and aloud."""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

AMBER = "rgb(255, 176, 0)"
RED = "rgb(176, 0, 32)"


async def test_warning_and_overtime_are_shown_in_colour_and_words_and_announced(screens: Screens) -> None:
    """Warning: amber, "1 minute left", announced. Zero: red, "Time is up", announced, +mm:ss blinking."""
    sid = screens.session()
    server = screens.server
    page = await screens.open(f"/s/{sid}/speaker")
    small = await screens.open(f"/s/{sid}/speaker", size=PHONE)
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    third = moderator.state["speakers"][2]  # 300 s, public name is the name itself
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=third["id"])
    await expect(page.locator("#cue")).to_have_text("Ready to start")
    await expect(page.locator("body")).to_have_attribute("data-level", "normal")
    await moderator.ok("timer.start")
    await expect(page.locator("#countdown")).to_have_text(re.compile(r"^04:5\d$"))
    await screenshot(page, "speaker-running-projector")

    await moderator.ok("timer.adjust", delta_ms=-250_000)  # about 50 s left
    await expect(page.locator("body")).to_have_attribute("data-level", "warning")
    await expect(page.locator("#cue")).to_have_text("1 minute left")
    await expect(page.locator("#announcer")).to_have_text("1 minute left")
    await expect(page.locator("#countdown")).to_have_text(re.compile(r"^00:[45]\d$"))
    await expect(page.locator("body")).to_have_css("background-color", AMBER)
    await moderator.ok("message.show", text="Please conclude your statement.", to="speaker")
    await expect(page.locator("#banner")).to_have_text("Please conclude your statement.")
    await screenshot(page, "speaker-warning-projector")
    await screenshot(small, "speaker-warning-phone")

    # Leave two seconds (the server never lets an adjustment jump past zero), then let them run out.
    timer = moderator.state["timer"]
    left = timer["duration_ms"] - timer["elapsed_ms"] - (time.time() * 1000 - timer["running_since"])
    await moderator.ok("timer.adjust", delta_ms=-int(left - 2000))
    await expect(page.locator("body")).to_have_attribute("data-level", "over", timeout=10_000)
    await expect(page.locator("#cue")).to_have_text("Time is up")
    await expect(page.locator("#announcer")).to_have_text("Time is up")
    await expect(page.locator("#countdown")).to_have_text(re.compile(r"^\+00:\d\d$"))
    await expect(page.locator("body")).to_have_css("background-color", RED)
    await expect(page.locator("#countdown")).to_have_css("animation-name", "blink")
    first = await page.locator("#countdown").text_content()
    await expect(page.locator("#countdown")).not_to_have_text(first or "")  # overtime counts up
    await moderator.ok("message.clear")
    await expect(page.locator("#banner")).to_be_hidden()
    await screenshot(page, "speaker-overtime-projector")
    await screenshot(small, "speaker-overtime-phone")

    # The countdown fits the screen, phone or projector.
    for p in (page, small):
        box = await p.locator("#countdown").bounding_box()
        width = await p.evaluate("window.innerWidth")
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    height = await page.evaluate("window.innerHeight")
    box = await page.locator("#countdown").bounding_box()
    assert box is not None and box["height"] >= 0.35 * height  # readable at 5 m

    await expect(page.get_by_role("button", name="Full screen")).to_be_visible()
    await moderator.close()
    assert screens.errors == []
