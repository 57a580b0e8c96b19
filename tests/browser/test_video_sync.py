"""Remote viewers and the room display play the current video in step with the server's target.

Real uvicorn, real SQLite, headless Debian Chromium driven by Playwright, videos made by ffmpeg
during the run. The target of a viewer is `position_ms + (now - anchor)` on the server's clock;
the page's own `Date.now()` is that clock here (same machine), so drift is measured independently
of the page's clock estimate. Every wait awaits a condition in the page, never a fixed time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
LIMIT_MS = 250
SAMPLES = 6
WAIT_MS = 30_000

VIDEO_STATE = """() => {
  const v = document.getElementById('video');
  return {t: v.currentTime * 1000, now: Date.now(), paused: v.paused, muted: v.muted, rate: v.playbackRate,
          src: v.currentSrc, sync: document.getElementById('video-slot').dataset.sync};
}"""


def need_chromium() -> None:
    if not os.path.exists(CHROMIUM) or shutil.which("ffmpeg") is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium and ffmpeg must be installed on CI (.ci/run)")
        pytest.skip("needs /usr/bin/chromium and ffmpeg")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need_chromium()
    folder = tmp_path_factory.mktemp("clips")
    return {"webm": make_video(folder, "webm", 30), "mp4": make_video(folder, "mp4", 20)}


@dataclass
class Drift:
    """The largest |video position - server target| seen per scenario and viewer."""

    worst: dict[str, float] = field(default_factory=dict)

    def add(self, scenario: str, value: float) -> None:
        self.worst[scenario] = max(self.worst.get(scenario, 0.0), abs(value))


def target(pb: dict[str, Any], now: float) -> float:
    pos = pb["position_ms"] + (max(0.0, now - pb["anchor"]) if pb["status"] == "playing" else 0.0)
    return pos if pb["duration_ms"] is None else min(pos, pb["duration_ms"])


async def in_sync(page: Any, least_ms: float) -> None:
    """Await the page playing in step (its own judgement) past `least_ms`."""
    await page.wait_for_function(
        """least => { const v = document.getElementById('video');
             return !v.paused && v.currentTime * 1000 >= least
                    && document.getElementById('video-slot').dataset.sync === 'in-sync'; }""",
        arg=least_ms,
        timeout=WAIT_MS,
    )


async def sample(pages: dict[str, Any], pb: dict[str, Any], scenario: str, drift: Drift) -> None:
    """SAMPLES readings per page, each once the video has moved on by 150 ms (or at once if paused)."""
    for name, page in pages.items():
        for _ in range(SAMPLES):
            s = await page.evaluate(VIDEO_STATE)
            d = s["t"] - target(pb, s["now"])
            drift.add(scenario, d)
            assert abs(d) < LIMIT_MS, (scenario, name, d, s)
            if pb["status"] == "playing":
                await page.wait_for_function(
                    "t => document.getElementById('video').currentTime * 1000 >= t",
                    arg=s["t"] + 150,
                    timeout=WAIT_MS,
                )


async def viewer(browser: Any, server: Running, screen: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    await page.goto(f"{server.base}/s/{server.session_id()}/{screen}")
    # The page's connection (its screen module wired the video right after opening it) is live.
    await page.wait_for_function(
        "import('/static/js/lib/socket.js').then((m) => m.pageLive() && m.pageLive().status === 'live')"
    )
    return page


@pytest.fixture
async def virtual(tmp_path: Path, clips: dict[str, Path]) -> AsyncIterator[tuple[Running, list[str]]]:
    """A virtual session: speaker 1 has a 30 s WebM, speaker 2 a 20 s MP4 (lengths read at upload)."""
    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(agenda(format="virtual"))
        speakers = [s["id"] for s in server.series["sessions"][0]["speakers"]]
        for speaker, (kind, clip) in zip(speakers, clips.items(), strict=False):
            r = await server.http.put(
                f"/api/speakers/{speaker}/video",
                content=clip.read_bytes(),
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": f"video/{kind}"},
            )
            assert r.status_code == 201, r.text
        yield server, speakers


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*ARGS, AUTOPLAY])
        yield b
        await b.close()


async def until(live: Live, check: Any) -> dict[str, Any]:
    while not check(live.state):
        await live.next()
    return live.state


async def test_two_viewers_and_a_late_joiner_stay_within_250_ms(
    virtual: tuple[Running, list[str]], browser: Any, capsys: pytest.CaptureFixture[str]
):
    """Play, seek, pause, resume, a late joiner, and the server's own move to the next video."""
    server, speakers = virtual
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("session.statements")
    pages = {"watch": await viewer(browser, server, "watch"), "room": await viewer(browser, server, "room")}
    drift = Drift()

    await mod.ok("playback.play", speaker_id=speakers[0])
    pb = mod.state["playback"]
    for page in pages.values():
        await in_sync(page, 2_000)
    await sample(pages, pb, "play", drift)
    # The server read the WebM's length from the file at upload.
    state = mod.state
    assert 29_900 <= state["speakers"][0]["video"]["duration_ms"] <= 30_100
    assert state["playback"]["duration_ms"] == state["speakers"][0]["video"]["duration_ms"]

    await mod.ok("playback.seek", position_ms=12_000)
    pb = mod.state["playback"]
    for page in pages.values():
        await in_sync(page, 12_500)
    await sample(pages, pb, "seek", drift)

    await mod.ok("playback.pause")
    pb = mod.state["playback"]
    for page in pages.values():
        await page.wait_for_function(
            "() => document.getElementById('video').paused && "
            "document.getElementById('video-slot').dataset.sync === 'paused'",
            timeout=WAIT_MS,
        )
    await sample(pages, pb, "pause", drift)

    await mod.ok("playback.play")
    pb = mod.state["playback"]
    for page in pages.values():
        await in_sync(page, pb["position_ms"] + 1_000)
    await sample(pages, pb, "resume", drift)

    late = await viewer(browser, server, "watch")
    await in_sync(late, 0)
    await sample({"late": late}, pb, "late joiner", drift)

    # Near the end of the WebM: the server moves on to the MP4 by itself, the screens follow.
    duration = mod.state["playback"]["duration_ms"]
    await mod.ok("playback.seek", position_ms=duration - 1_500)
    state = await until(mod, lambda s: s["playback"] and s["playback"]["speaker_id"] == speakers[1])
    pb = state["playback"]
    assert state["speakers"][0]["status"] == "done"
    pages["late"] = late
    for page in pages.values():
        await page.wait_for_function(
            "() => document.getElementById('video').currentSrc.endsWith('.mp4')", timeout=WAIT_MS
        )
        await in_sync(page, 1_500)
    await sample(pages, pb, "next video", drift)

    await mod.ok("playback.stop")
    for page in pages.values():
        await page.wait_for_function(
            "() => document.getElementById('video-slot').dataset.sync === 'idle' && "
            "document.getElementById('video').paused && !document.getElementById('video-idle').hidden",
            timeout=WAIT_MS,
        )
        assert page.errors == []
    with capsys.disabled():
        print("\nmax |drift| ms per scenario:", {k: round(v, 1) for k, v in drift.worst.items()})
    await mod.close()


# Headless Chromium never enforces the autoplay policy (every flag value plays with sound), and
# Playwright's evaluations count as user activation, so the page gets Chrome's rule itself:
# play() with sound before the person has clicked or pressed a key rejects with NotAllowedError,
# exactly as a desktop browser answers a fresh visitor.
AUTOPLAY_POLICY = """
let activated = false;
for (const type of ["pointerdown", "keydown"]) {
  window.addEventListener(type, (ev) => { if (ev.isTrusted) activated = true; }, true);
}
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!this.muted && !activated) {
    return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
  }
  return play.call(this);
};
"""


async def test_a_browser_that_refuses_sound_plays_muted_with_an_unmute_button(
    virtual: tuple[Running, list[str]], browser: Any
):
    """Where sound needs a click: the video starts muted, in step, under a large Unmute button that works."""
    server, speakers = virtual
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("playback.play", speaker_id=speakers[1])
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    await context.add_init_script(AUTOPLAY_POLICY)
    page = await context.new_page()
    await page.goto(f"{server.base}/s/{server.session_id()}/watch")
    await in_sync(page, 1_000)
    s = await page.evaluate(VIDEO_STATE)
    assert s["muted"] and not s["paused"]
    assert abs(s["t"] - target(mod.state["playback"], s["now"])) < LIMIT_MS
    button = page.get_by_role("button", name="Unmute")
    await button.wait_for(state="visible")
    box = await button.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 150
    await button.click()
    await button.wait_for(state="hidden")
    s = await page.evaluate(VIDEO_STATE)
    assert not s["muted"] and not s["paused"]
    await context.close()
    await mod.close()


async def test_the_console_runs_the_sequence_and_then_offers_the_questions(
    virtual: tuple[Running, list[str]], browser: Any
):
    """Playlist rows, play, pause, resume, seek with the slider, skip, and the offer after the last video."""
    server, speakers = virtual
    watcher = await Live.open(server.ws, server.session_id(), None)
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("session.statements")
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    token = server.series["moderator_token"]
    await page.goto(f"{server.base}/s/{server.session_id()}/console#token={token}")
    rows = page.locator("#playlist tr")
    await rows.nth(5).wait_for()
    assert await rows.count() == 6
    assert await page.locator("#playlist tr[data-video='yes']").count() == 2
    assert await rows.nth(2).locator(".length").inner_text() == "No video"
    assert await rows.nth(0).locator(".length").inner_text() == "00:30"
    assert await rows.nth(1).locator(".length").inner_text() == "00:20"

    start = page.locator("#playlist-start")
    await start.wait_for(state="visible")
    await start.click()
    state = await until(watcher, lambda s: s["playback"] is not None)
    assert state["playback"]["speaker_id"] == speakers[0] and state["playback"]["status"] == "playing"

    await page.locator("#toggle-timer").click()  # the one pause/resume button
    await until(watcher, lambda s: s["playback"]["status"] == "paused")
    await page.locator("#toggle-timer").click()  # the one pause/resume button
    await until(watcher, lambda s: s["playback"]["status"] == "playing")

    # The length is known: the slider seeks.
    slider = page.locator("#playlist-position")
    await page.wait_for_function("() => !document.getElementById('playlist-position').disabled")
    await slider.fill("15000")
    state = await until(watcher, lambda s: s["playback"]["position_ms"] == 15_000)
    assert state["playback"]["speaker_id"] == speakers[0]

    await page.locator("#playlist-skip").click()
    state = await until(watcher, lambda s: s["playback"]["speaker_id"] == speakers[1])
    await page.locator("#playlist-stop").click()
    await until(watcher, lambda s: s["playback"] is None)

    over = page.locator("#playlist-over")
    await over.wait_for(state="visible")
    await page.get_by_role("button", name="Open the questions").click()
    state = await until(watcher, lambda s: s["phase"] == "qa")
    await watcher.close()
    await mod.close()
    await context.close()


async def test_the_correction_rule(virtual: tuple[Running, list[str]], browser: Any):
    """Inside 0.3 s nothing; to 3 s a 5 % rate until within 15 ms; beyond, a jump; targets stop at the end."""
    server, _ = virtual
    page = await viewer(browser, server, "watch")
    got = await page.evaluate(
        """async () => {
          const m = await import("/static/js/lib/video.js");  // the page's own instance
          const pb = {status: 'playing', position_ms: 1000, anchor: 5000, duration_ms: 9000};
          return {
            still: m.correction(-290, false), settle: m.correction(-20, true),
            settled: m.correction(10, true), behind: m.correction(-400, false),
            ahead: m.correction(2900, false), far: m.correction(-3100, true),
            at: m.targetMs(pb, 7000), capped: m.targetMs(pb, 99000), before: m.targetMs(pb, 4000),
            paused: m.targetMs({...pb, status: 'paused'}, 99000),
          };
        }"""
    )
    assert got["still"]["action"] == "none" and got["settled"]["action"] == "none"
    assert got["settle"] == {"action": "rate", "rate": 1.05}
    assert got["behind"] == {"action": "rate", "rate": 1.05} and got["ahead"] == {
        "action": "rate",
        "rate": 0.95,
    }
    assert got["far"]["action"] == "seek"
    assert (got["at"], got["capped"], got["before"], got["paused"]) == (3000, 9000, 1000, 1000)
    assert page.errors == []
