"""The engine tells its listeners (the fan-out) of a commit after the commands' acks are on their way,
and once per loop turn: an ack waits for its commit, never for the fan-out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.core.state import SessionState
from moderator.runtime.engine import Engine
from moderator.store.sqlite import SQLiteStore
from tests.support.agenda import agenda

MOD = Actor("moderator")
T = 1_900_000_000_000


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[tuple[Engine, str]]:
    store = await SQLiteStore.open(tmp_path / "m.sqlite3")
    created = await store.create_series(parse_agenda(agenda()))
    engine = Engine(store, clock=lambda: T)
    await engine.load()
    try:
        yield engine, created.sessions[0]["id"]
    finally:
        engine.close()
        await store.close()


async def test_the_sender_resumes_with_its_ack_before_the_listeners_hear_of_the_change(
    engine: tuple[Engine, str],
) -> None:
    eng, sid = engine
    order: list[str] = []
    heard = asyncio.Event()

    def listener(state: SessionState, now: int) -> None:
        order.append(f"listener saw seq {state.seq}")
        heard.set()

    eng.listen(listener)
    seq = await eng.execute(sid, Command("session.open"), MOD)
    order.append(f"ack of seq {seq}")
    await asyncio.wait_for(heard.wait(), 10)
    assert order == ["ack of seq 1", "listener saw seq 1"]


async def test_commands_taken_in_one_batch_are_announced_once_with_the_newest_state(
    engine: tuple[Engine, str],
) -> None:
    """Three commands waiting together are one batch (group commit): three acks, one announcement."""
    eng, sid = engine
    seen: list[int] = []
    heard = asyncio.Event()

    def listener(state: SessionState, now: int) -> None:
        seen.append(state.seq)
        heard.set()

    eng.listen(listener)
    commands = [
        Command("session.open"),
        Command("message.show", {"text": "Please take your seats", "to": "room"}),
        Command("message.clear"),
    ]
    seqs = await asyncio.gather(*(eng.execute(sid, c, MOD) for c in commands))
    assert seqs == [1, 2, 3]
    await asyncio.wait_for(heard.wait(), 10)
    assert seen == [3]
    state = eng.state(sid)
    assert state is not None and state.seq == 3 and state.message is None


async def test_a_listener_that_raises_is_logged_and_the_others_still_hear(
    engine: tuple[Engine, str], caplog: pytest.LogCaptureFixture
) -> None:
    eng, sid = engine
    heard = asyncio.Event()

    def broken(state: SessionState, now: int) -> None:
        raise RuntimeError("a screen's trouble")

    eng.listen(broken)
    eng.listen(lambda state, now: heard.set())
    assert await eng.execute(sid, Command("session.open"), MOD) == 1
    await asyncio.wait_for(heard.wait(), 10)
    assert "a listener failed on session" in caplog.text
