"""Warning and overtime are not told by colour alone on any screen with a countdown (console,
speaker, room, phone): each level has its words, a shape before them (▲, ■) and a frame of its
own pattern (dashed, double), and the warning comes at the session's own `warning_seconds`."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import PHONE, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SHAPE = {"warning": ("▲", "dashed"), "over": ("■", "double")}


def left_ms(moderator: Live) -> float:
    t = moderator.state["timer"]
    return float(t["duration_ms"] - t["elapsed_ms"] - (time.time() * 1000 - t["running_since"]))


async def cue_of(page: Page, countdown: str, cue: str, framed: str) -> tuple[str, str, str, str]:
    """The cue's words, the shape before them, and the pattern of the frame around the level."""
    return await page.evaluate(
        """([countdown, cue, framed]) => {
          const c = document.querySelector(cue);
          return [c.textContent.trim(), getComputedStyle(c, '::before').content,
                  getComputedStyle(document.querySelector(framed)).outlineStyle,
                  document.querySelector(countdown).dataset.level];
        }""",
        [countdown, cue, framed],
    )


async def test_every_countdown_has_words_a_shape_and_a_pattern(screens: Screens) -> None:
    sid = screens.session()
    token = screens.server.series["moderator_token"]
    pages = {
        "console": (
            await screens.open(f"/s/{sid}/console#token={token}", size=LAPTOP),
            "#countdown",
            "#cue",
            "#countdown",
        ),
        "speaker": (await screens.open(f"/s/{sid}/speaker", size=LAPTOP), "#countdown", "#cue", ".stage"),
        "room": (await screens.open(f"/s/{sid}/room"), "#countdown", "#cue", "#countdown"),
        "phone": (
            await screens.open(screens.join_path("FR"), size=PHONE),
            "#countdown",
            "#cue",
            "#countdown",
        ),
    }
    moderator = await Live.open(screens.server.ws, sid, token)
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][0]["id"])
    await moderator.ok("timer.start")
    await moderator.ok("timer.adjust", delta_ms=-int(left_ms(moderator) - 40_000))
    for level, words in (("warning", "1 minute left"), ("over", "Time is up")):
        if level == "over":  # a second and a half left: the screens run over by themselves
            await moderator.ok("timer.adjust", delta_ms=-int(left_ms(moderator) - 1_500))
        for name, (page, countdown, cue, framed) in pages.items():
            await expect(page.locator(cue)).to_have_text(words, timeout=10_000)
            text, before, outline, shown = await cue_of(page, countdown, cue, framed)
            shape, pattern = SHAPE[level]
            assert (text, shown, outline) == (words, level, pattern), name
            assert shape in before, (name, before)
            await screenshot(page, f"cue-{level}-{name}")
    await moderator.close()
    assert screens.errors == []
