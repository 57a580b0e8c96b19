"""The moderator's console at a laptop's 1366x768, as the moderator uses it: the spoken time, the
keyboard, which buttons can act, the queue's layout in every language, and times of other days."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import Screens

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def mmss(ms: int) -> str:
    s = ms // 1000
    return f"{s // 60:02d}:{s % 60:02d}"


async def open_console(screens: Screens, lang: str = "en", index: int = 0) -> Page:
    token = screens.server.series["moderator_token"]
    page = await screens.open(f"/s/{screens.session(index)}/console?lang={lang}#token={token}", size=LAPTOP)
    await expect(page.locator("#speakers tr").first).to_be_visible()
    return page


async def test_the_spoken_column_counts_the_runs_before_a_pause(screens: Screens) -> None:
    """Start, pause, resume: the Spoken column shows every run of the turn, and with the countdown
    it always adds up to the allotted time."""
    console = await open_console(screens)
    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    spoken = console.locator("#speakers tr").first.locator(".spoken")
    await expect(spoken).to_have_text("00:00")

    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer")).to_have_text("Pause")
    await expect(spoken).to_have_text("00:02")
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer")).to_have_text("Resume")
    elapsed = await console.evaluate("window.uprLive.state.timer.elapsed_ms")
    assert elapsed >= 2000
    await expect(spoken).to_have_text(mmss(elapsed))
    await expect(console.locator("#countdown")).to_have_text(mmss(420_000 - elapsed + 999))

    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer")).to_have_text("Pause")
    await expect(spoken).to_have_text(mmss(elapsed + 1000))
    # Spoken (rounded down) and left (rounded up) read in one frame add up to the 7 allotted minutes.
    shown = await console.evaluate(
        "[document.querySelector('#speakers tr .spoken').textContent,"
        " document.querySelector('#countdown').textContent]"
    )
    seconds = [int(m) * 60 + int(s) for m, s in (re.fullmatch(r"(\d+):(\d+)", t).groups() for t in shown)]  # type: ignore[union-attr]
    assert sum(seconds) == 420, shown
    assert screens.errors == []


async def test_the_keyboard_comes_back_to_the_shortcuts_after_a_message_or_escape(screens: Screens) -> None:
    """M, a message and Enter: the message is shown and the field lets go, so Space starts the timer.
    Escape leaves any field (text, select) without typing into it, and the shortcuts work again."""
    console = await open_console(screens)
    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")

    field = console.locator("#message-text")
    await console.keyboard.press("m")
    await expect(field).to_be_focused()
    await console.keyboard.type("Please conclude")
    await console.keyboard.press("Enter")
    await expect(console.locator("#message-current")).to_have_text("Shown to the speaker: “Please conclude”")
    await expect(field).not_to_be_focused()
    await expect(field).to_have_value("")
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer")).to_have_text("Pause")
    await expect(field).to_have_value("")

    # Escape leaves the field, keeping what was typed; the next Space pauses the timer.
    await console.keyboard.press("M")
    await expect(field).to_be_focused()
    await console.keyboard.type("Two")
    await console.keyboard.press("Escape")
    await expect(field).not_to_be_focused()
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer")).to_have_text("Resume")
    await expect(field).to_have_value("Two")

    # The same from the session picker (a select) and from a radio button of the form.
    for target in ("#session-picker", "#message-form input[value=room]"):
        await console.locator(target).focus()
        await console.keyboard.press("Escape")
        await expect(console.locator(target)).not_to_be_focused()
        before = await console.locator("#toggle-timer").text_content()
        await console.keyboard.press("Space")
        await expect(console.locator("#toggle-timer")).not_to_have_text(before or "")
    assert screens.errors == []
