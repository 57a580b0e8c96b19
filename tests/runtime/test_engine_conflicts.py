"""Two writers on one session: the engine reads what the other committed and decides again.

Two real SQLite connections on one file stand for two server processes. The "other" writer
commits between the engine's decision and its append: the engine's append then finds the seq
taken (SequenceConflict), reads the tail, folds it and decides its batch again. The engine also
folds its own commits without waiting for the subscription, and folds another writer's commits
when a subscription delivers them (as PostgreSQL's LISTEN will), reading any it missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.errors import Refused
from moderator.core.state import SessionState
from moderator.runtime import engine as engine_module
from moderator.runtime.engine import Engine
from moderator.store.protocol import Event, Store, Subscriber
from moderator.store.sqlite import SQLiteStore
from tests.support.agenda import agenda

MOD = Actor("moderator")
T = 1_900_000_000_000
TIMEOUT = 10  # seconds; only a guard against a hang


async def within(awaitable: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(awaitable, TIMEOUT)


@dataclass
class Writer:
    """One process's view of the session: its own connection and engine."""

    store: SQLiteStore
    engine: Engine
    published: list[SessionState]

    async def do(self, sid: str, name: str, **args: Any) -> int:
        result: int = await within(self.engine.execute(sid, Command(name, args), MOD))
        return result

    def state(self, sid: str) -> SessionState:
        state = self.engine.state(sid)
        assert state is not None
        return state


async def writer(db: Path, store: Store | None = None) -> Writer:
    own = await SQLiteStore.open(db)
    engine = Engine(store or own, clock=lambda: T)
    await engine.load()
    published: list[SessionState] = []
    engine.listen(lambda state, now: published.append(state))
    return Writer(own, engine, published)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Writer, Writer, str]]:
    """The engine under test (`ours`) and another process's (`theirs`), on one file."""
    db = tmp_path / "m.sqlite3"
    setup = await SQLiteStore.open(db)
    created = await setup.create_series(parse_agenda(agenda()))
    await setup.close()
    ours, theirs = await writer(db), await writer(db)
    try:
        yield ours, theirs, created.sessions[0]["id"]
    finally:
        for w in (ours, theirs):
            w.engine.close()
            await w.store.close()


async def test_a_command_decided_on_a_stale_state_is_decided_again_after_reading_the_tail(
    two: tuple[Writer, Writer, str],
) -> None:
    ours, theirs, sid = two
    assert await theirs.do(sid, "message.show", text="From the other process", to="room") == 1
    assert ours.state(sid).seq == 0, "SQLite tells no other connection: ours has not seen it"

    seq = await ours.do(sid, "session.open")

    assert seq == 2, "taken after the other's event, not refused"
    state = ours.state(sid)
    assert state.seq == 2 and state.phase == "opening"
    assert state.message is not None and state.message.text == "From the other process"
    assert [e["type"] for e in await ours.store.events(sid)] == ["message.shown", "session.opened"]
    assert [s.seq for s in ours.published] == [1, 2], "the screens saw the other's change, then ours"


async def test_a_command_the_fresh_state_refuses_is_refused_as_decide_says(
    two: tuple[Writer, Writer, str],
) -> None:
    """The other process opened the session first: ours is refused with decide's own sentence
    for the state as it is now, not with "someone else changed the session"."""
    ours, theirs, sid = two
    await theirs.do(sid, "session.open")
    with pytest.raises(Refused) as refused:
        await ours.do(sid, "session.open")
    expected: Refused | None = None
    try:
        decide(ours.state(sid), Command("session.open", {}), MOD, T)
    except Refused as e:
        expected = e
    assert expected is not None
    assert (refused.value.code, refused.value.message) == (expected.code, expected.message)
    assert "Someone else changed" not in refused.value.english()
    assert [e["type"] for e in await ours.store.events(sid)] == ["session.opened"]


async def test_a_whole_batch_is_decided_again_and_acked_in_order_after_the_others_events(
    two: tuple[Writer, Writer, str],
) -> None:
    ours, theirs, sid = two
    await theirs.do(sid, "session.open")
    await theirs.do(sid, "message.show", text="Theirs", to="room")
    seqs = await within(
        asyncio.gather(
            *(ours.do(sid, "message.show", text=f"Ours {i}", to="room") for i in range(5)),
        )
    )
    assert seqs == [3, 4, 5, 6, 7]
    texts = [e.get("text") for e in await theirs.store.events(sid)]
    assert texts == [None, "Theirs", "Ours 0", "Ours 1", "Ours 2", "Ours 3", "Ours 4"]
    state = ours.state(sid)
    assert state.seq == 7 and state.message is not None and state.message.text == "Ours 4"


async def test_losing_the_race_every_time_ends_in_conflict_after_bounded_attempts(
    two: tuple[Writer, Writer, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other process always slips an event in first: `conflict` after MAX_ATTEMPTS decisions,
    with all the other's events folded; then, the race over, the next command is taken."""
    ours, theirs, sid = two
    real = ours.store.append
    attempts = 0

    async def always_beaten(session_id: str, after_seq: int, events: list[Event]) -> int:
        nonlocal attempts
        attempts += 1
        last = len(await theirs.store.events(session_id))
        await theirs.store.append(session_id, last, [{"type": "message.cleared", "at": T}])
        return await real(session_id, after_seq, events)

    monkeypatch.setattr(ours.store, "append", always_beaten)
    with pytest.raises(Refused) as refused:
        await ours.do(sid, "message.show", text="Never", to="room")
    assert refused.value.code == "conflict" and attempts == engine_module.MAX_ATTEMPTS
    stored = await ours.store.events(sid)
    assert [e["type"] for e in stored] == ["message.cleared"] * engine_module.MAX_ATTEMPTS
    assert ours.state(sid).seq == engine_module.MAX_ATTEMPTS, "it folded all it read"

    monkeypatch.setattr(ours.store, "append", real)
    assert await ours.do(sid, "message.show", text="Now", to="room") == engine_module.MAX_ATTEMPTS + 1


# ---- the subscription: async, and not what the engine's own commits wait for ------------------------


class Relay:
    """A Store that tells its subscribers of the commits of a second connection too, a while
    after they happen (as PostgreSQL's LISTEN does for other processes), or drops them."""

    def __init__(self, own: SQLiteStore, others: SQLiteStore) -> None:
        self._own, self._others = own, others
        self.subscribers: list[Subscriber] = []
        self.drop: Callable[[int], bool] = lambda after_seq: False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._own, name)

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.append(subscriber)  # never the own store's: it tells nothing of its own

        async def relayed(session_id: str, after_seq: int, events: list[Event]) -> None:
            if not self.drop(after_seq):
                await subscriber(session_id, after_seq, events)

        self._others.subscribe(relayed)


async def test_the_engine_folds_its_own_commit_without_the_subscription(tmp_path: Path) -> None:
    """A store whose subscription never delivers: the command is acked with the state folded."""
    db = tmp_path / "m.sqlite3"
    setup = await SQLiteStore.open(db)
    created = await setup.create_series(parse_agenda(agenda()))
    sid = created.sessions[0]["id"]
    other = await SQLiteStore.open(db)
    ours = await writer(db, Relay(setup, other))
    try:
        assert await ours.do(sid, "session.open") == 1
        assert ours.state(sid).seq == 1 and ours.state(sid).phase == "opening"
        assert await ours.do(sid, "message.show", text="Second", to="room") == 2
        assert [s.seq for s in ours.published] == [1, 2]
    finally:
        ours.engine.close()
        for store in (ours.store, setup, other):
            await store.close()


async def test_commits_of_another_process_reach_the_engine_through_the_subscription(tmp_path: Path) -> None:
    """Delivered: folded, and the screens told, with no command to this engine. One missed
    (dropped): the next delivery shows a gap, and the engine reads the tail it missed."""
    db = tmp_path / "m.sqlite3"
    setup = await SQLiteStore.open(db)
    created = await setup.create_series(parse_agenda(agenda()))
    sid = created.sessions[0]["id"]
    theirs = await SQLiteStore.open(db)
    relay = Relay(setup, theirs)
    ours = await writer(db, relay)
    folded = asyncio.Event()
    ours.engine.listen(lambda state, now: folded.set())
    try:
        await theirs.append(sid, 0, [{"type": "session.opened", "at": T}])
        await within(folded.wait())
        assert ours.state(sid).seq == 1 and ours.state(sid).phase == "opening"

        relay.drop = lambda after_seq: after_seq == 1
        await theirs.append(sid, 1, [{"type": "message.shown", "at": T, "text": "Missed", "to": "room"}])
        await theirs.append(sid, 2, [{"type": "message.cleared", "at": T}])
        folded.clear()
        await within(folded.wait())
        assert ours.state(sid).seq == 3 and ours.state(sid).message is None
        assert [s.seq for s in ours.published] == [1, 3], "the gap read in one go"
        assert await ours.do(sid, "message.show", text="Ours", to="room") == 4, "no conflict: it is current"
    finally:
        ours.engine.close()
        for store in (ours.store, setup, theirs):
            await store.close()
