"""A video whose length the server could not read: the moderator's console reports it, no viewer does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from moderator.web import media
from tests.browser.pages import Screens
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video

pytestmark = pytest.mark.browser


@pytest.fixture
async def meeting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    """A virtual session whose first speaker has an 8 s WebM the server could not read the length of."""
    clip = make_video(tmp_path, "webm", 8)
    monkeypatch.setattr(media, "read_duration", lambda path: None)  # as for a file FFmpeg cannot tell
    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(agenda(format="virtual"))
        speaker = server.series["sessions"][0]["speakers"][0]["id"]
        r = await server.http.put(
            f"/api/speakers/{speaker}/video",
            content=clip.read_bytes(),
            headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "video/webm"},
        )
        assert r.status_code == 201 and r.json()["duration_ms"] is None, r.text
        yield server


async def video_loaded(page: Page) -> None:
    await page.wait_for_function(
        "() => { const v = document.getElementById('video');"
        " return v && v.readyState >= 1 && v.duration > 0; }"
    )


async def test_only_the_moderators_console_reports_an_unknown_length(screens: Screens) -> None:
    server = screens.server
    sid = screens.session()
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("playback.play", speaker_id=mod.state["speakers"][0]["id"])
    watch = await screens.open(f"/s/{sid}/watch")
    await video_loaded(watch)  # the viewer's page knows the length: it must not send it
    seq = await mod.ok("message.show", text="Checking", to="room")
    assert mod.seq == seq and mod.state["speakers"][0]["video"]["duration_ms"] is None

    console = await screens.open(screens.console_path())
    while mod.state["speakers"][0]["video"]["duration_ms"] is None:
        await mod.next()
    assert 7_900 <= mod.state["speakers"][0]["video"]["duration_ms"] <= 8_100
    assert mod.state["playback"]["duration_ms"] == mod.state["speakers"][0]["video"]["duration_ms"]
    await expect(console.locator("#playlist tr").first.locator(".length")).to_have_text("00:08")
    assert screens.errors == []
