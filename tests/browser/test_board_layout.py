"""The room display fits one 1920x1080 projector screen, video or not; the remote viewer fits a phone's width.

Real uvicorn, real SQLite, Debian's Chromium; the videos are made by ffmpeg during the run and uploaded
through the API. A virtual session with six speakers: the first one's video plays, five wait, six States
have asked for the floor and a message is shown to the room (the tallest the board gets). Every wait
awaits a condition in the page, never a fixed time. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, FloatRect, Page, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.browser.test_looks import a_meeting_under_way
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video, need_ffmpeg

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT_MS = 30_000
QUESTIONS = ("FR", "BR", "KE", "JP", "GY", "KI")

# The parts of the board, each of which must be wholly on the screen.
PARTS = {
    "State under Review": "#sur",
    "floor": ".floor",
    "holder": "#holder",
    "countdown": "#countdown",
    "next speakers": ".next",
    "queue": ".queue",
}

PLAYING = """() => { const v = document.getElementById('video');
  return !v.hidden && !v.paused && v.currentTime > 0.5 && v.videoWidth > 0; }"""

# What a page shows of a list: the items drawn on the screen, and the "+N more" line's N (0 without it).
LIST_SHOWN = """([list, more]) => {
  const items = [...document.querySelectorAll(list + ' > li')];
  const drawn = items.filter((li) => li.getClientRects().length && li.getBoundingClientRect().height > 1
                                    && getComputedStyle(li).position !== 'absolute');
  const line = document.querySelector(more);
  const shown = line && !line.hidden && line.getBoundingClientRect().height > 0;
  return {total: items.length, drawn: drawn.length,
          more: shown ? Number(line.dataset.count) : 0, moreText: shown ? line.textContent : ''};
}"""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A two-minute MP4 (the countdown follows it: not yet in its last minute during the test)."""
    need_ffmpeg()
    return make_video(tmp_path_factory.mktemp("clips"), "mp4", 120).read_bytes()


@pytest.fixture
async def virtual(browser: Browser, tmp_path: Path, clip: bytes) -> AsyncIterator[Screens]:
    """A virtual session starting this hour whose six speakers each have a video."""
    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(meeting_agenda() | {"format": "virtual"})
        for speaker in server.series["sessions"][0]["speakers"]:
            r = await server.http.put(
                f"/api/speakers/{speaker['id']}/video",
                content=clip,
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "video/mp4"},
            )
            assert r.status_code == 201, r.text
        try:
            async with Screens(browser, server) as opened:
                yield opened
        finally:
            await Live.close_all()


async def a_video_under_way(server: Running) -> None:
    """The first speaker's video plays; six States ask for the floor; a message to the room."""
    sid = server.session_id()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    speakers = moderator.state["speakers"]
    await moderator.ok("session.open")
    await moderator.ok("session.statements")
    await moderator.ok("playback.play", speaker_id=speakers[0]["id"])
    await moderator.ok("message.show", text="Questions will follow the statements.", to="room")
    for state in QUESTIONS:
        mission = await Live.open(server.ws, sid, server.token(state))
        await mission.ok("queue.request", addressed_to=speakers[0]["id"], topic="")
        await mission.close()
    await moderator.close()


async def drawn(page: Page) -> None:
    """Await the board drawing the state: the holder named, the countdown running, the queue listed."""
    await expect(page.locator("#holder")).not_to_be_empty()
    await expect(page.locator("#countdown")).not_to_be_empty()
    await expect(page.locator("#queue > li")).to_have_count(len(QUESTIONS))


async def box(page: Page, selector: str) -> FloatRect:
    found = await page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not drawn"
    return found


async def outside(page: Page, parts: dict[str, str]) -> list[str]:
    """The parts not wholly inside the viewport (or not drawn at all)."""
    size = page.viewport_size
    assert size is not None
    problems = []
    for name, selector in parts.items():
        b = await box(page, selector)
        if b["width"] < 1 or b["height"] < 1:
            problems.append(f"{name} has no size: {b}")
        elif (
            b["x"] < 0
            or b["y"] < 0
            or b["x"] + b["width"] > size["width"] + 0.5
            or b["y"] + b["height"] > size["height"] + 0.5
        ):
            problems.append(f"{name} is off the {size['width']}x{size['height']} screen: {b}")
    return problems


async def scrolls(page: Page) -> dict[str, Any]:
    return await page.evaluate(
        """() => ({height: document.documentElement.scrollHeight, inner: window.innerHeight,
                   width: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"""
    )


async def one_screen(page: Page, parts: dict[str, str]) -> None:
    """Every part wholly on the screen, and nothing to scroll to either way."""
    assert await outside(page, parts) == []
    s = await scrolls(page)
    assert s["height"] <= s["inner"], s
    assert s["width"] <= s["innerWidth"], s


async def lists_add_up(page: Page, waiting: int, queued: int) -> None:
    """Each list shows whole items only, inside its part of the screen, and its "+N more" accounts for
    those it leaves out (which stay in the page for screen readers)."""
    for list_, more, area, count in (
        ("#next", "#next-more", ".next", waiting),
        ("#queue", "#queue-more", ".queue", queued),
    ):
        shown = await page.evaluate(LIST_SHOWN, [list_, more])
        assert shown["total"] == count, (list_, shown)
        assert shown["drawn"] + shown["more"] == count, (list_, shown)
        if shown["more"]:
            assert f"+{shown['more']}" in shown["moreText"], (list_, shown)
        part = await box(page, area)
        bottom = part["y"] + part["height"]
        items = page.locator(f"{list_} > li:not(.overflowed)")
        for i in range(await items.count()):
            b = await items.nth(i).bounding_box()
            assert b is not None and b["y"] + b["height"] <= bottom + 0.5, (list_, i, b, bottom)
        side = await box(page, "#side")
        assert bottom <= side["y"] + side["height"] + 0.5, (list_, bottom, side)


async def countdown_px(page: Page) -> float:
    return float(
        await page.evaluate("parseFloat(getComputedStyle(document.getElementById('countdown')).fontSize)")
    )


async def test_the_room_display_of_a_virtual_session_fits_the_projector(virtual: Screens) -> None:
    """Video playing, five speakers waiting, six States queued, a message: all on one 1920x1080 screen."""
    await a_video_under_way(virtual.server)
    page = await virtual.open(f"/s/{virtual.session()}/room", size=PROJECTOR)
    await drawn(page)
    await page.wait_for_function(PLAYING, timeout=WAIT_MS)
    await expect(page.locator("#banner")).to_be_visible()
    await screenshot(page, "layout-room-virtual-projector")
    await one_screen(page, {**PARTS, "video": "#video", "banner": "#banner"})
    await lists_add_up(page, waiting=5, queued=len(QUESTIONS))
    # Large enough to be read from the back of the room (5 m): at least 12 % of the screen's height.
    assert await countdown_px(page) >= 0.12 * PROJECTOR["height"]
    # The picture keeps most of the left column: half the screen's width, a third of its height.
    video = await box(page, "#video")
    assert video["width"] >= PROJECTOR["width"] / 2 and video["height"] >= PROJECTOR["height"] / 3, video
    assert virtual.errors == []


async def test_the_remote_viewer_of_a_virtual_session_on_a_screen_and_a_phone(virtual: Screens) -> None:
    """At 1920x1080 the viewer fits one screen like the room. On a phone it scrolls, nothing is cut off
    sideways, and (without a message to the room) the video, the floor and its countdown make the
    first screen."""
    await a_video_under_way(virtual.server)
    page = await virtual.open(f"/s/{virtual.session()}/watch", size=PROJECTOR)
    await drawn(page)
    await page.wait_for_function(PLAYING, timeout=WAIT_MS)
    await screenshot(page, "layout-watch-virtual-projector")
    await one_screen(page, {**PARTS, "video": "#video"})
    await lists_add_up(page, waiting=5, queued=len(QUESTIONS))

    # A phone scrolls down to the lists, shown in full; nothing may stick out sideways.
    phone = await virtual.open(f"/s/{virtual.session()}/watch", size=PHONE)
    await drawn(phone)
    await phone.wait_for_function(PLAYING, timeout=WAIT_MS)
    await screenshot(phone, "layout-watch-virtual-phone")
    s = await scrolls(phone)
    assert s["width"] <= s["innerWidth"], s
    shown = await phone.evaluate(LIST_SHOWN, ["#next", "#next-more"])
    assert (shown["drawn"], shown["more"]) == (5, 0), shown
    for selector in ("#video", ".floor", "#banner", "#countdown", "#next > li", "#queue > li"):
        items = phone.locator(selector)
        for i in range(await items.count()):
            b = await items.nth(i).bounding_box()
            assert b is not None and b["width"] > 0 and b["height"] > 0, (selector, b)
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] + 0.5, (selector, b)
    # Without a message, the video, who has the floor and the countdown make the first screen.
    moderator = await Live.open(
        virtual.server.ws, virtual.session(), virtual.server.series["moderator_token"]
    )
    await moderator.ok("message.clear")
    await expect(phone.locator("#banner")).to_be_hidden()
    await screenshot(phone, "layout-watch-virtual-phone-no-message")
    assert await outside(phone, {"video": "#video", "holder": "#holder", "countdown": "#countdown"}) == []
    assert virtual.errors == []


async def test_the_room_display_of_an_in_person_session_still_fits(screens: Screens) -> None:
    """No video slot: the floor takes the left half with its large countdown, as before; six speakers
    waiting before the start no longer push the queue off the screen."""
    page = await screens.open(f"/s/{screens.session()}/room", size=PROJECTOR)
    await expect(page.locator("#next > li")).to_have_count(6)
    await expect(page.locator("#queue-empty")).to_be_visible()
    await screenshot(page, "layout-room-in-person-not-started")
    await one_screen(page, {k: v for k, v in PARTS.items() if k != "countdown"})
    await lists_add_up(page, waiting=6, queued=0)
    await expect(page.locator("#queue-empty")).to_be_in_viewport(ratio=1)

    await a_meeting_under_way(screens.server)
    await expect(page.locator("#queue > li")).to_have_count(2)
    await expect(page.locator("#countdown")).not_to_be_empty()
    await expect(page.locator("#video-slot")).to_be_hidden()
    await screenshot(page, "layout-room-in-person-projector")
    await one_screen(page, {**PARTS, "banner": "#banner"})
    await lists_add_up(page, waiting=4, queued=2)
    shown = await page.evaluate(LIST_SHOWN, ["#next", "#next-more"])
    assert shown["more"] == 0, shown
    assert await countdown_px(page) >= 0.2 * PROJECTOR["height"]
    assert screens.errors == []
