"""Two engines on one PostgreSQL database, as two server processes would run them.

- a command taken by one is folded by the other (through the store's LISTEN), and either may take
  the next command: the second decides against the first's seq;
- the end of a video is advanced once: both engines wake at its end, one commits the advance,
  the other's attempt loses on the seq (SequenceConflict), reads the tail and finds nothing due.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.core.state import SessionState
from moderator.runtime.engine import Engine
from moderator.store.postgres import PostgresStore
from tests.support.agenda import agenda
from tests.support.postgres import fresh_database

MOD = Actor("moderator")
SYSTEM = Actor("system")
LENGTHS = (400, 300)  # two short videos, in ms: the engines wake at their ends on the real clock


class Watched:
    """An engine and a way to await a condition on one session's state (no sleeps)."""

    def __init__(self, engine: Engine, session_id: str) -> None:
        self.engine = engine
        self.session_id = session_id
        self._changed = asyncio.Event()
        engine.listen(lambda state, now: self._changed.set())

    @property
    def state(self) -> SessionState:
        state = self.engine.state(self.session_id)
        assert state is not None
        return state

    async def do(self, name: str, actor: Actor = MOD, **args: Any) -> int:
        return await self.engine.execute(self.session_id, Command(name, args), actor)

    async def until(self, check: Callable[[SessionState], bool]) -> SessionState:
        async with asyncio.timeout(15):
            while not check(self.state):
                self._changed.clear()
                await self._changed.wait()
        return self.state


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


async def engine_on(url: str) -> tuple[PostgresStore, Engine]:
    store = await PostgresStore.open(url)
    await store.listening()
    engine = Engine(store)
    await engine.load()
    return store, engine


async def test_two_engines_take_turns_and_a_video_end_is_advanced_once(database: str) -> None:
    setup = await PostgresStore.open(database)
    try:
        created = await setup.create_series(parse_agenda(agenda(format="virtual")))
    finally:
        await setup.close()
    sid = created.sessions[0]["id"]
    speakers = [s["id"] for s in created.sessions[0]["speakers"]]
    (store_a, engine_a), (store_b, engine_b) = await engine_on(database), await engine_on(database)
    a, b = Watched(engine_a, sid), Watched(engine_b, sid)
    try:
        for speaker, length in zip(speakers, LENGTHS, strict=False):
            await a.do(
                "video.attach", SYSTEM, speaker_id=speaker, url=f"/media/{speaker}.webm", duration_ms=length
            )
        seq = await b.do("session.open")  # b decides against a's commits, which it has folded or reads
        assert seq == 3
        await a.until(lambda s: s.seq == 3)
        await a.do("session.statements")
        await b.until(lambda s: s.seq == 4)
        await b.do("playback.play", speaker_id=speakers[0])
        ended = await a.until(lambda s: s.speakers[1].status == "done" and s.playback is None)
        await b.until(lambda s: s.seq == ended.seq)
        assert a.state == b.state, "both processes hold the same state"
    finally:
        engine_a.close()
        engine_b.close()
        await store_a.close()
        await store_b.close()
    check = await PostgresStore.open(database)
    try:
        events = await check.events(sid)
    finally:
        await check.close()
    kinds = [e["type"] for e in events]
    finished = [e.get("speaker_id") for e in events if e["type"] == "speaker.finished"]
    started = [e.get("speaker_id") for e in events if e["type"] == "playback.started"]
    assert finished == speakers[:2], f"each video's end advanced once: {kinds}"
    assert started == speakers[:2], f"each video started once: {kinds}"
    first_end = next(e for e in events if e["type"] == "speaker.finished")
    play = next(e for e in events if e["type"] == "playback.started")
    assert first_end["at"] == play["at"] + LENGTHS[0], "recorded at the video's end, not when noticed"
