"""The engine's own clock: videos move on at their end, also across a restart.

The engine runs on a fake clock the test moves by hand: `FakeClock` is both the engine's wall
clock (`Engine(store, clock=...)`) and the event loop's `time()`, so a wake-up the engine
schedules with `loop.call_later` for the end of a video fires exactly when the test has moved
the clock to that end, and never depends on how long anything really takes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.core.state import SessionState
from moderator.runtime.engine import Engine
from moderator.store.sqlite import SQLiteStore
from tests.support.agenda import agenda

MOD = Actor("moderator")
SYSTEM = Actor("system")
LENGTHS = (6_000, 3_000)  # the two videos, in ms
# Only a guard against a hang: the test never waits on real time when the engine works.
GIVE_UP_REAL_SECONDS = 30


class FakeClock:
    """Epoch milliseconds that move only when `advance` is called, and the event loop's clock tied
    to them: the loop's `time()` moves by the same amount at the same moment."""

    def __init__(self, loop: asyncio.AbstractEventLoop, start_ms: int) -> None:
        self.ms = start_ms
        self._start_ms = start_ms
        self._start_loop = loop.time()

    def __call__(self) -> int:
        return self.ms

    def loop_time(self) -> float:
        return self._start_loop + (self.ms - self._start_ms) / 1000

    def advance(self, ms: int) -> None:
        assert ms >= 0
        self.ms += ms


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    """A fake clock that drives the test's event loop's timers too, for the test's duration."""
    loop = asyncio.get_running_loop()
    assert type(loop).__module__.startswith("asyncio"), "the loop's time() must be replaceable"
    fake = FakeClock(loop, start_ms=1_900_000_000_000)
    loop.time = fake.loop_time  # type: ignore[method-assign]
    try:
        yield fake
    finally:
        del loop.time


class Running:
    """An engine on a real SQLite file, and a way to await a condition on one session's state."""

    def __init__(self, engine: Engine, session_id: str) -> None:
        self.engine = engine
        self.session_id = session_id
        self._changed = asyncio.Event()
        engine.listen(self._on_change)

    def _on_change(self, state: SessionState, now: int) -> None:
        if state.setup.session_id == self.session_id:
            self._changed.set()

    @property
    def state(self) -> SessionState:
        state = self.engine.state(self.session_id)
        assert state is not None
        return state

    async def do(self, name: str, **args: Any) -> None:
        await self.engine.execute(self.session_id, Command(name, args), MOD)

    async def until(self, check: Callable[[SessionState], bool]) -> SessionState:
        """Let the engine work until `check(state)` holds. Nothing here reads a clock; the guard
        (a thread) only turns a hang into a failure."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        guard = threading.Timer(GIVE_UP_REAL_SECONDS, loop.call_soon_threadsafe, (task.cancel,))
        guard.start()
        try:
            while not check(self.state):
                self._changed.clear()
                await self._changed.wait()
        except asyncio.CancelledError:
            state = self.state
            raise AssertionError(f"never reached: phase {state.phase}, playback {state.playback}") from None
        finally:
            guard.cancel()
        return self.state


@contextlib.asynccontextmanager
async def running(db: Path, clock: FakeClock, session_id: str) -> AsyncIterator[Running]:
    """The server's engine on `db`: loaded from the file, as at every start, and stopped after."""
    store = await SQLiteStore.open(db)
    engine = Engine(store, clock=clock)
    try:
        await engine.load()
        yield Running(engine, session_id)
    finally:
        engine.close()
        await store.close()


async def test_a_video_resumes_at_its_position_and_still_advances_after_a_restart(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Restart mid-video: the playback is where it was (same anchor), and the sequence moves on at
    the exact end; a video that ended while the server was down is closed at its end."""
    assert asyncio.get_running_loop().time() == clock.loop_time()
    db = tmp_path / "m.sqlite3"
    store = await SQLiteStore.open(db)
    try:
        created = await store.create_series(parse_agenda(agenda(format="virtual")))
    finally:
        await store.close()
    sid = created.sessions[0]["id"]
    speakers = [s["id"] for s in created.sessions[0]["speakers"]]

    async with running(db, clock, sid) as server:
        for speaker, length in zip(speakers, LENGTHS, strict=False):
            await server.engine.execute(
                sid,
                Command(
                    "video.attach",
                    {"speaker_id": speaker, "url": f"/media/{speaker}.webm", "duration_ms": length},
                ),
                SYSTEM,
            )
        await server.do("session.open")
        await server.do("session.statements")
        await server.do("playback.play", speaker_id=speakers[0])
        before = server.state.playback
        assert before is not None and before.status == "playing" and before.duration_ms == LENGTHS[0]
        assert before.anchor == clock()
        clock.advance(2_500)

    # The server is down for 1.5 s, then starts again on the same file.
    clock.advance(1_500)
    async with running(db, clock, sid) as server:
        assert server.state.playback == before, "the video goes on from where the room is, not from 0"
        assert server.state.timer.running_since == before.anchor
        assert before.position(clock()) == 4_000

        # At the end of the first video, and not a millisecond later, the second one starts.
        clock.advance(before.anchor + LENGTHS[0] - clock())
        state = await server.until(lambda s: s.playback is not None and s.playback.speaker_id == speakers[1])
        first = state.speakers[0]
        assert first.status == "done" and first.spoken_ms == LENGTHS[0]
        assert state.playback is not None and state.playback.anchor == before.anchor + LENGTHS[0] == clock()
        assert state.floor is not None and (state.floor.kind, state.floor.id) == ("speaker", speakers[1])

        # Near the second one's end, the server stops; the video ends while it is down.
        clock.advance(1_000)
        await server.do("playback.seek", position_ms=LENGTHS[1] - 100)
        sought = server.state.playback
        assert sought is not None and sought.anchor == clock()

    clock.advance(60_000)
    async with running(db, clock, sid) as server:
        state = await server.until(lambda s: s.playback is None)
        second = state.speakers[1]
        assert second.status == "done" and second.spoken_ms == LENGTHS[1]
        assert state.floor is None and state.phase == "statements"
        assert [s.status for s in state.speakers[2:]] == ["waiting"] * 4
    events = stored_events(db, sid)
    assert events[-1]["type"] == "speaker.finished" and events[-1]["at"] == sought.anchor + 100


def stored_events(db_path: Path, sid: str) -> list[dict[str, Any]]:
    """The stored log, read straight from the database file."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        rows = db.execute("SELECT body FROM events WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
    return [json.loads(r[0]) for r in rows]
