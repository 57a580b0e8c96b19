"""The console driven by its keys alone, as a moderator with one hand on the keyboard: a whole
session from the opening to the close; Finish undone gives back the speaker's spoken time and
timer; in a virtual session N plays the next speaker's video and Space pauses and resumes it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import Screens, screenshot
from tests.support.live import Live
from tests.support.server import ADMIN, in_process
from tests.support.video import make_video, need_ffmpeg

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


async def open_console(screens: Screens, lang: str = "en") -> Page:
    token = screens.server.series["moderator_token"]
    page = await screens.open(f"/s/{screens.session()}/console?lang={lang}#token={token}", size=LAPTOP)
    await expect(page.locator("#holder")).not_to_be_empty()
    return page


async def state(page: Page, path: str) -> object:
    return await page.evaluate(f"import('/static/js/lib/socket.js').then((m) => m.pageLive().state?.{path})")


async def until(page: Page, path: str, value: object) -> None:
    """Await the page's own state (the one it draws) reaching `value` at `path`."""
    await page.wait_for_function(
        "async () => (await import('/static/js/lib/socket.js')).pageLive().state?."
        + path
        + " === "
        + json.dumps(value)
    )


def mmss(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def seconds(text: str | None) -> int:
    m = re.fullmatch(r"(\d+):(\d+)", text or "")
    assert m, text
    return int(m[1]) * 60 + int(m[2])


async def test_undo_of_finish_gives_back_the_spoken_time_and_the_timer(screens: Screens) -> None:
    console = await open_console(screens)
    await console.keyboard.press("o")
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    spoken = console.locator("#speakers tr").first.locator(".spoken")
    await console.keyboard.press("Space")
    await expect(spoken).to_have_text("00:03")
    await console.keyboard.press("f")
    await expect(console.locator("#holder")).to_have_text("Nobody has the floor")
    undo = console.locator("#undo")
    await expect(undo).to_be_enabled()
    await expect(undo.locator(".label")).to_have_text("Undo Finish: Anna Petrosyan")
    await expect(spoken).to_have_text(re.compile(r"^\d\d:\d\d$"))
    banked = seconds(await spoken.text_content())
    assert banked >= 3
    await console.keyboard.press("u")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Resume")
    await expect(undo).to_be_disabled()
    # Not a fresh 07:00: the countdown goes on from where the turn was, and spoken time is the same.
    await expect(spoken).to_have_text(mmss(banked))
    await expect(console.locator("#countdown")).to_have_text(mmss(420 - banked))
    assert await state(console, "speakers[0].status") == "speaking"
    await screenshot(console, "console-undo-finish-1366x768")
    assert screens.errors == []


async def test_keys_drive_a_whole_session(screens: Screens) -> None:
    console = await open_console(screens, "fr")
    keyboard = console.keyboard
    await keyboard.press("o")
    await expect(console.locator("#phase")).to_have_text("Ouverture")
    await keyboard.press("s")
    await expect(console.locator("#phase")).to_have_text("Déclarations")
    await keyboard.press("k")  # skip Anna, the next waiting
    await expect(console.locator("#speakers tr").first).to_have_attribute("data-status", "skipped")
    await keyboard.press("u")  # and put her back
    await expect(console.locator("#speakers tr").first).to_have_attribute("data-status", "waiting")
    await keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    await keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    await keyboard.press("+")
    await until(console, "timer.duration_ms", 480_000)
    await keyboard.press("-")
    await until(console, "timer.duration_ms", 420_000)
    await keyboard.press("1")
    await expect(console.locator("#message-current")).to_contain_text(
        "Please conclude your statement."
    )  # Anna: English
    await keyboard.press("c")
    await expect(console.locator("#message-current")).to_have_text("Aucun message n'est affiché.")
    await keyboard.press("r")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Démarrer")

    for code in ("FR", "BR"):
        mission = await Live.open(screens.server.ws, screens.session(), screens.server.token(code))
        await mission.ok("queue.request", addressed_to=None, topic="")
        await mission.close()
    await expect(console.locator("#queue tr")).to_have_count(2)
    await keyboard.press("a")
    await expect(console.locator("#phase")).to_have_text("Questions et réponses")
    await keyboard.press("q")
    await expect(console.locator("#holder")).to_have_text("Question : France")
    await keyboard.press("Delete")  # the first waiting State: Brazil
    await expect(console.locator("#queue tr")).to_have_count(1)
    await keyboard.press("u")
    await expect(console.locator("#queue tr")).to_have_count(2)
    await keyboard.press("f")
    await expect(console.locator("#queue tr")).to_have_count(1)
    await keyboard.press("x")
    await expect(console.locator("#close-dialog")).to_be_visible()
    await console.locator("#close-dialog").get_by_role("button", name="Clore la séance", exact=True).click()
    await expect(console.locator("#phase")).to_have_text("Close")
    assert screens.errors == []


@pytest.fixture
async def virtual(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    need_ffmpeg()
    clip = make_video(tmp_path, "mp4", 60).read_bytes()
    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(meeting_agenda() | {"format": "virtual"})
        for speaker in server.series["sessions"][0]["speakers"][:2]:
            r = await server.http.put(
                f"/api/speakers/{speaker['id']}/video",
                content=clip,
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "video/mp4"},
            )
            assert r.status_code == 201, r.text
        async with Screens(browser, server) as opened:
            yield opened


async def test_in_a_virtual_session_n_plays_the_next_video_and_space_pauses_it(virtual: Screens) -> None:
    console = await open_console(virtual)
    await console.keyboard.press("o")
    await expect(console.locator("#phase")).to_have_text("Opening")
    await console.keyboard.press("n")
    first = await state(console, "speakers[0].id")
    await until(console, "playback?.speaker_id", first)
    await until(console, "playback?.status", "playing")
    await console.keyboard.press("Space")
    await until(console, "playback?.status", "paused")
    await console.keyboard.press("Space")
    await until(console, "playback?.status", "playing")
    await console.keyboard.press("n")  # the next speaker's video
    second = await state(console, "speakers[1].id")
    await until(console, "playback?.speaker_id", second)
    # The floor's Space button is the video's pause, and the only one.
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause video")
    await expect(console.locator("#toggle-timer kbd")).to_have_text("Space")
    assert await console.locator("button:visible:has-text('Pause video')").count() == 1
    await screenshot(console, "console-virtual-1366x768")
    assert virtual.errors == []
