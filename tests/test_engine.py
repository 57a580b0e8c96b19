"""The engine's own clock: videos move on at their end, also across a SIGKILL and a restart."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Process
from tests.support.video import make_video

AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    return [make_video(folder, "mp4", 6, "six.mp4"), make_video(folder, "mp4", 3, "three.mp4")]


async def until(live: Live, check: Any) -> dict[str, Any]:
    """Read state frames until `check(session)` holds."""
    while not check(live.state):
        await live.next()
    return live.state


async def test_a_video_resumes_at_its_position_and_still_advances_after_sigkill(
    tmp_path: Path, clips: list[Path]
):
    """Kill mid-video: after restart the playback is where it was (same anchor), and the sequence
    moves on at the exact end; a video that ended while the server was down is closed at its end."""
    proc = Process(tmp_path / "m.sqlite3")
    await proc.start()
    try:
        async with httpx.AsyncClient(base_url=proc.base, timeout=30) as http:
            r = await http.post("/api/series", json=agenda(format="virtual"), headers=AUTH)
            assert r.status_code == 201, r.text
            series = r.json()
            sid = series["sessions"][0]["id"]
            speakers = [s["id"] for s in series["sessions"][0]["speakers"]]
            lengths = []
            for speaker, clip in zip(speakers, clips, strict=False):
                r = await http.put(
                    f"/api/speakers/{speaker}/video",
                    content=clip.read_bytes(),
                    headers={**AUTH, "Content-Type": "video/mp4"},
                )
                assert r.status_code == 201, r.text
                lengths.append(r.json()["duration_ms"])
        ws = proc.base.replace("http", "ws")
        token = series["moderator_token"]
        mod = await Live.open(ws, sid, token)
        await mod.ok("session.open")
        await mod.ok("session.statements")
        await mod.ok("playback.play", speaker_id=speakers[0])
        before = mod.state["playback"]
        assert before["status"] == "playing" and before["duration_ms"] == lengths[0]

        await proc.kill()
        await proc.start()
        again = await Live.open(ws, sid, token)
        assert again.state["playback"] == before, "the video goes on from where the room is, not from 0"
        position = again.welcome["server_time"] - before["anchor"]
        assert 0 < position < lengths[0]
        assert again.state["timer"]["running_since"] == before["anchor"]

        # At the end of the first video, the server itself starts the second.
        state = await until(again, lambda s: s["playback"] and s["playback"]["speaker_id"] == speakers[1])
        first = state["speakers"][0]
        assert first["status"] == "done" and first["spoken_ms"] == lengths[0]
        assert state["playback"]["anchor"] == before["anchor"] + lengths[0]
        assert state["floor"] == {"kind": "speaker", "id": speakers[1]}

        # Near the second one's end, kill again: it ends while the server is down.
        await again.ok("playback.seek", position_ms=lengths[1] - 100)
        sought = again.state["playback"]
        await proc.kill()
        await proc.start()
        last = await Live.open(ws, sid, token)
        state = await until(last, lambda s: s["playback"] is None)
        second = state["speakers"][1]
        assert second["status"] == "done" and second["spoken_ms"] == lengths[1]
        assert state["floor"] is None and state["phase"] == "statements"
        assert [s["status"] for s in state["speakers"][2:]] == ["waiting"] * 4
        events = stored_events(proc.db, sid)
        assert events[-1]["type"] == "speaker.finished" and events[-1]["at"] == sought["anchor"] + 100
        await last.close()
    finally:
        await proc.stop()


def stored_events(db_path: Path, sid: str) -> list[dict[str, Any]]:
    """The stored log, read straight from the database file."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        rows = db.execute("SELECT body FROM events WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
    return [json.loads(r[0]) for r in rows]
