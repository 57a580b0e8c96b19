"""The engine's wake-ups at a video's end and its writer's resilience, on a controllable clock.

A real Store (SQLite file) under a real Engine; the engine's clock and its timers are the test's,
so an early wake-up or a fault happens exactly when the test says, with no real waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.core.errors import Refused
from moderator.core.state import SessionState
from moderator.runtime import engine as engine_module
from moderator.runtime.engine import Engine
from moderator.store.protocol import StoreUnavailable
from moderator.store.sqlite import SQLiteStore
from tests.support.agenda import agenda

MOD = Actor("moderator")
SYSTEM = Actor("system")
T = 1_900_000_000_000
LENGTH = 5_000
TIMEOUT = 5


class Clock:
    """The server's wall clock, moved by the test."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@dataclass
class Timer:
    delay_s: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class Timers:
    """Timers the engine arms; the test fires them."""

    armed: list[Timer] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(delay_s, callback)
        self.armed.append(timer)
        self.changed.set()
        return timer

    async def until_armed(self) -> Timer:
        """The next wake-up the engine arms."""
        while not self.live():
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), TIMEOUT)
        (timer,) = self.live()
        return timer

    def live(self) -> list[Timer]:
        return [t for t in self.armed if not t.cancelled]

    def fire(self) -> Timer:
        """Fire the one wake-up armed now (as the event loop would)."""
        (timer,) = self.live()
        timer.cancelled = True  # a handle runs once
        timer.callback()
        return timer


@dataclass
class Room:
    store: SQLiteStore
    engine: Engine
    clock: Clock
    timers: Timers
    sid: str
    speakers: list[str]
    states: asyncio.Queue[SessionState]

    async def do(self, name: str, actor: Actor = MOD, **args: Any) -> int:
        return await self.engine.execute(self.sid, Command(name, args), actor)

    def state(self) -> SessionState:
        state = self.engine.state(self.sid)
        assert state is not None
        return state

    async def until(self, check: Callable[[SessionState], bool]) -> SessionState:
        """The first state the engine publishes for which `check` holds."""
        while True:
            state = await asyncio.wait_for(self.states.get(), TIMEOUT)
            if check(state):
                return state


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    store = await SQLiteStore.open(tmp_path / "m.sqlite3")
    created = await store.create_series(parse_agenda(agenda(format="virtual")))
    clock, timers = Clock(T), Timers()
    engine = Engine(store, clock, timers.call_later)
    await engine.load()
    states: asyncio.Queue[SessionState] = asyncio.Queue()
    engine.listen(lambda state, now: states.put_nowait(state))
    session = created.sessions[0]
    room = Room(store, engine, clock, timers, session["id"], [s["id"] for s in session["speakers"]], states)
    try:
        yield room
    finally:
        engine.close()
        await store.close()


async def playing(room: Room, videos: int = 2) -> int:
    """Two speakers with a 5 s video, the first one playing since T; return when it ends."""
    for speaker in room.speakers[:videos]:
        await room.do(
            "video.attach", SYSTEM, speaker_id=speaker, url=f"/media/{speaker}.mp4", duration_ms=LENGTH
        )
    await room.do("session.open")
    await room.do("session.statements")
    await room.do("playback.play", speaker_id=room.speakers[0])
    (wake,) = room.timers.live()
    assert wake.delay_s == LENGTH / 1000
    while not room.states.empty():  # from here on, `until` sees only what comes next
        room.states.get_nowait()
    return T + LENGTH


async def test_a_wake_up_that_comes_early_waits_for_the_rest_and_advances_at_the_exact_end(room: Room):
    end = await playing(room)
    room.clock.now = end - 3  # the timer ran on another clock: 3 ms early by the server's
    room.timers.fire()
    (again,) = room.timers.live()
    assert again.delay_s == pytest.approx(0.003), "an early wake-up must wait for the rest"
    assert room.state().playback is not None and room.state().playback.speaker_id == room.speakers[0]

    room.clock.now = end + 40  # and this one comes late under load
    room.timers.fire()
    state = await room.until(lambda s: s.playback is not None and s.playback.speaker_id == room.speakers[1])
    first = state.speakers[0]
    assert first.status == "done" and first.spoken_ms == LENGTH
    assert state.playback is not None and state.playback.anchor == end, "recorded at the exact end"
    events = await room.store.events(room.sid)
    assert [(e["type"], e["at"]) for e in events[-2:]] == [
        ("speaker.finished", end),
        ("playback.started", end),
    ]
    (following,) = room.timers.live()
    assert following.delay_s == pytest.approx((LENGTH - 40) / 1000)


async def test_an_advance_refused_because_the_clock_went_back_is_armed_again(room: Room):
    end = await playing(room, videos=1)
    room.clock.now = end
    room.timers.fire()  # on time: the advance goes to the writer ...
    room.clock.now = end - 10  # ... and before it runs, the wall clock steps back 10 ms
    again = await room.timers.until_armed()  # the writer refused it; the engine armed it again
    assert again.delay_s == pytest.approx(0.010)
    room.clock.now = end
    room.timers.fire()
    state = await room.until(lambda s: s.playback is None)
    assert state.speakers[0].status == "done" and state.speakers[0].spoken_ms == LENGTH
    assert (await room.store.events(room.sid))[-1] == {
        "type": "speaker.finished",
        "at": end,
        "speaker_id": room.speakers[0],
    }


async def test_a_paused_video_is_not_advanced_by_a_stale_wake_up(room: Room):
    end = await playing(room)
    (stale,) = room.timers.live()
    room.clock.now = end - 1000
    await room.do("playback.pause")
    assert not room.timers.live(), "a paused video needs no wake-up"
    stale.callback()  # a wake-up already on its way when the pause committed
    room.clock.now = end + 10_000
    assert await room.do("message.show", text="Still paused", to="room") > 0
    state = room.state()
    assert state.playback is not None and state.playback.status == "paused"
    assert state.playback.speaker_id == room.speakers[0]


# ---- an unexpected exception inside a batch --------------------------------------------------------


async def within(awaitable: Any) -> Any:
    return await asyncio.wait_for(awaitable, TIMEOUT)


async def test_decide_raising_fails_that_command_with_internal_and_the_session_goes_on(
    room: Room, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    real = engine_module.decide  # type: ignore[attr-defined]  # the name the engine calls

    def faulty(state: SessionState, command: Command, actor: Actor, now: int) -> list[dict[str, Any]]:
        if command.args.get("text") == "boom":
            raise ZeroDivisionError("a bug in decide")
        return real(state, command, actor, now)

    monkeypatch.setattr(engine_module, "decide", faulty)
    await room.do("session.open")
    with pytest.raises(Refused) as refused:
        await within(room.do("message.show", text="boom", to="room"))
    assert refused.value.code == "internal" and "nothing changed" in refused.value.english()
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records), "traceback logged"
    # In one batch: the faulty command fails, the others are taken.
    results = await within(
        asyncio.gather(
            room.do("message.show", text="boom", to="room"),
            room.do("message.show", text="Fine", to="room"),
            return_exceptions=True,
        )
    )
    assert isinstance(results[0], Refused) and results[0].code == "internal"
    assert results[1] == room.state().seq
    assert await within(room.do("message.show", text="Later", to="speaker")) == room.state().seq
    assert room.state().message is not None and room.state().message.text == "Later"


async def test_the_store_raising_an_unexpected_error_fails_the_batch_and_the_next_one_is_stored(
    room: Room, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    await room.do("session.open")
    before = room.state().seq
    real = room.store.append
    calls = 0

    async def faulty(session_id: str, after_seq: int, events: list[dict[str, Any]]) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("an error the store does not know")
        return await real(session_id, after_seq, events)

    monkeypatch.setattr(room.store, "append", faulty)
    with pytest.raises(Refused) as refused:
        await within(room.do("message.show", text="Lost", to="room"))
    assert refused.value.code == "internal"
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)
    assert room.state().seq == before and room.state().message is None
    seq = await within(room.do("message.show", text="Kept", to="room"))
    assert seq == before + 1, "the failed batch used up no seq"
    events = await room.store.events(room.sid)
    assert len(events) == seq and events[-1]["text"] == "Kept"


async def test_a_listener_raising_does_not_undo_the_commit_nor_stop_the_session(
    room: Room, caplog: pytest.LogCaptureFixture
):
    def broken(state: SessionState, now: int) -> None:
        raise KeyError("a screen's bug")

    room.engine.listen(broken)
    seq = await within(room.do("session.open"))
    assert room.state().phase == "opening" and seq == room.state().seq
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    assert await within(room.do("session.statements")) == seq + 1
    assert len(await room.store.events(room.sid)) == seq + 1
    # The wake-ups are still armed after a listener failed.
    assert await within(
        room.do("video.attach", SYSTEM, speaker_id=room.speakers[0], url="/media/x.mp4", duration_ms=LENGTH)
    )
    await within(room.do("playback.play", speaker_id=room.speakers[0]))
    assert [t.delay_s for t in room.timers.live()] == [LENGTH / 1000]


async def test_an_advance_the_store_failed_is_tried_again_and_recorded_at_the_end(
    room: Room, monkeypatch: pytest.MonkeyPatch
):
    end = await playing(room)
    real = room.store.append
    failures = iter([RuntimeError("a fault of the store's own"), StoreUnavailable("disk full")])

    async def faulty(session_id: str, after_seq: int, events: list[dict[str, Any]]) -> int:
        fault = next(failures, None)
        if fault is not None:
            raise fault
        return await real(session_id, after_seq, events)

    monkeypatch.setattr(room.store, "append", faulty)
    room.clock.now = end
    for _ in range(2):  # internal, then unavailable: each time a retry is armed
        room.timers.fire()
        retry = await room.timers.until_armed()
        assert retry.delay_s == engine_module.RETRY_S
        room.clock.now += 1_000
    room.timers.fire()
    state = await room.until(lambda s: s.playback is not None and s.playback.speaker_id == room.speakers[1])
    assert state.playback is not None and state.playback.anchor == end, (
        "recorded at the end, not at the retry"
    )


async def test_an_unexpected_error_inside_the_transaction_rolls_it_back_and_the_next_command_is_stored(
    room: Room, monkeypatch: pytest.MonkeyPatch
):
    """Not an sqlite3 error: the transaction must still be rolled back, or every later BEGIN fails."""
    await room.do("session.open")
    db = room.store._db
    real = db.execute
    failed = False

    def faulty(sql: str, *args: Any) -> Any:
        nonlocal failed
        if sql.startswith("INSERT INTO events") and not failed:
            failed = True
            raise RuntimeError("a fault halfway through the transaction")
        return real(sql, *args)

    monkeypatch.setattr(db, "execute", faulty)
    with pytest.raises(Refused) as refused:
        await within(room.do("message.show", text="Lost", to="room"))
    assert refused.value.code == "internal"
    seq = await within(room.do("message.show", text="Kept", to="room"))
    assert [e.get("text") for e in (await room.store.events(room.sid))[-1:]] == ["Kept"] and seq == 2
