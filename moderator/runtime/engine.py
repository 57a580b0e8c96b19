"""Runs the sessions: one writer per session, decide -> append (commit) -> fold, in arrival order.

The writer folds its own batch once `append` has committed it, and acks the commands at once:
the listeners (the fan-out to every screen) are told of the new state after the acks of that loop
turn are on their way, so an ack waits for its commit, never for the fan-out. A listener gets the
newest state of a session: states folded within one loop turn are announced once.
Commits made by others (another process on the same database) reach the engine through the
store's subscription, which is async and may come later; both paths fold by seq, so a commit
is folded once whichever comes first, and a gap is filled by reading the tail from the store.
If another writer appended first (`SequenceConflict`), the writer reads the events after its
seq, folds them and decides the batch again, up to MAX_ATTEMPTS times, then answers `conflict`.
It also wakes up when a video reaches its end, to move to the next one (`playback.advance`).
A wake-up that comes early by the server's clock (timers run on the monotonic clock, the
server's time is the wall clock) waits again for the rest; one refused is armed again.

An unexpected exception inside a batch (a bug in decide, an unknown store error) fails that
batch's commands with `internal` and is logged with its traceback; the writer goes on, so the
session keeps taking commands. A listener that raises is logged and does not undo the commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

from moderator.core.commands import Actor, Command
from moderator.core.decide import advance_due, decide
from moderator.core.errors import N_, Refused
from moderator.core.evolve import fold
from moderator.core.state import SessionState, Setup, initial
from moderator.runtime.clock import now_ms
from moderator.store.protocol import Event, SequenceConflict, Store, StoreUnavailable

log = logging.getLogger("moderator.runtime.engine")

Listener = Callable[[SessionState, int], None]
# What a command taken gives: the seq after it and the events it caused (for the ack's extras).
Receipt = tuple[int, list[Event]]
Pending = tuple[Command, Actor, "asyncio.Future[Receipt]"]
SYSTEM = Actor("system")
MAX_BATCH = 256
MAX_ATTEMPTS = 5  # decisions of one batch against a log other writers keep moving
RETRY_S = 1.0  # after the disk refused an advance


class Handle(Protocol):
    def cancel(self) -> None: ...


# call_later(delay_s, callback) -> a handle that cancels it; asyncio's loop by default.
CallLater = Callable[[float, Callable[[], None]], Handle]


def _settle(
    outcomes: list[tuple[asyncio.Future[Receipt], Receipt | Refused]], instead: Refused | None = None
) -> None:
    """Ack each command with its seq, or refuse it; `instead`: refuse the accepted ones with it
    (nothing was stored). Futures given up by their client are skipped."""
    for future, outcome in outcomes:
        if future.done():
            continue
        if isinstance(outcome, Refused):
            future.set_exception(outcome)
        elif instead is not None:
            future.set_exception(instead)
        else:
            future.set_result(outcome)


def _unavailable() -> Refused:
    return Refused(
        "unavailable", N_("The server could not save this change, so nothing changed. Try again in a moment.")
    )


def _internal() -> Refused:
    return Refused(
        "internal",
        N_(
            "The server hit an error of its own and did not take this command: nothing changed. "
            "Try again; if it happens again, tell the technical team."
        ),
    )


class Engine:
    def __init__(
        self, store: Store, clock: Callable[[], int] = now_ms, call_later: CallLater | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self._call_later = call_later
        self._states: dict[str, SessionState] = {}
        self._inboxes: dict[str, asyncio.Queue[Pending]] = {}
        self._writers: dict[str, asyncio.Task[None]] = {}
        self._wakeups: dict[str, Handle] = {}
        self._listeners: list[Listener] = []
        self._due: dict[str, SessionState] = {}  # changed states not announced yet (_notify)
        self._announcing: asyncio.Handle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._data_version: int | None = None
        self._refreshing = asyncio.Lock()
        store.subscribe(self._committed)

    async def load(self) -> None:
        """Rebuild every session's state by folding its log."""
        self._data_version, setups = await self.store.setups_if_changed(None)
        logs = await self.store.all_events()
        for setup in setups or ():
            self._states[setup.session_id] = fold(initial(setup), logs.get(setup.session_id, ()))
        for session_id in self._states:
            self._schedule(session_id)

    async def add_sessions(self, session_ids: list[str]) -> None:
        """Start running sessions just created."""
        for setup in await self.store.setups():
            if setup.session_id in session_ids:
                self.add(setup)

    def add(self, setup: Setup) -> None:
        self._states.setdefault(setup.session_id, initial(setup))

    async def refresh(self) -> list[str]:
        """Take up what another process changed meanwhile (`moderator import`, with or without
        `--series`, while the server runs): the sessions it created (their ids are returned), the
        events it appended, the series' new title and venue, the sessions it removed. Cheap when
        nothing changed: SQLite's data_version moves only when another connection commits, so
        then nothing else is read."""
        async with self._refreshing:
            self._data_version, setups = await self.store.setups_if_changed(self._data_version)
            if setups is None:
                return []
            stored = {setup.session_id: setup for setup in setups}
            for session_id in [i for i in self._states if i not in stored]:
                self._forget(session_id)
            added = []
            for setup in setups:
                if setup.session_id in self._states:
                    renamed = self._retitle(setup.session_id, setup.series_title, setup.venue, notify=False)
                    seq = self._states[setup.session_id].seq
                    await self._catch_up(setup.session_id)
                    if renamed and self._states[setup.session_id].seq == seq:
                        self._notify(self._states[setup.session_id])
                    continue
                # Its log may already hold events: the importer attached the agenda's videos.
                events = await self.store.events(setup.session_id)
                self._states[setup.session_id] = fold(initial(setup), events)
                self._schedule(setup.session_id)
                added.append(setup.session_id)
            if added:
                log.info("took up %d sessions created by another process", len(added))
            return added

    async def lookup(self, session_id: str) -> SessionState | None:
        """The session's state; one not known yet is looked for in the store first (see refresh)."""
        state = self._states.get(session_id)
        if state is None:
            await self.refresh()
            state = self._states.get(session_id)
        return state

    def state(self, session_id: str) -> SessionState | None:
        return self._states.get(session_id)

    async def session_of_speaker(self, speaker_id: str) -> str | None:
        """The session whose current speakers include this one (added live ones too), or None;
        sessions another process created are looked for too (see refresh)."""
        for attempt in range(2):
            for session_id, state in self._states.items():
                if state.speaker(speaker_id) is not None:
                    return session_id
            if attempt == 0 and not await self.refresh():
                return None
        return None

    async def catch_up(self, session_id: str) -> None:
        """Fold what other writers committed to this session after this engine's seq."""
        await self._catch_up(session_id)

    async def absorb(
        self,
        series_id: str,
        title: str,
        venue: str,
        appends: dict[str, tuple[int, list[Event]]],
        created: list[str],
        removed: list[str],
    ) -> None:
        """Take up a series' new agenda, just committed (runtime/series.py): its title and venue in
        every session, each session's appended events (its screens get the new state), the
        sessions created; the removed ones stop."""
        for session_id in removed:
            self._forget(session_id)
        for session_id, state in list(self._states.items()):
            if state.setup.series_id == series_id:
                self._retitle(session_id, title, venue, notify=session_id not in appends)
        for session_id, (after_seq, events) in appends.items():
            if not self._take(session_id, after_seq, events):
                await self._catch_up(session_id)
        await self.add_sessions(created)

    def _forget(self, session_id: str) -> None:
        """Stop running a session removed from its series' agenda."""
        self._states.pop(session_id, None)
        self._due.pop(session_id, None)
        self._inboxes.pop(session_id, None)
        writer = self._writers.pop(session_id, None)
        if writer is not None:
            writer.cancel()
        handle = self._wakeups.pop(session_id, None)
        if handle is not None:
            handle.cancel()

    def _retitle(self, session_id: str, title: str, venue: str, *, notify: bool) -> bool:
        """The series' title and venue, facts of the series (not of a session's log), in a session;
        whether they changed."""
        state = self._states[session_id]
        if (state.setup.series_title, state.setup.venue) == (title, venue):
            return False
        self._states[session_id] = replace(state, setup=replace(state.setup, series_title=title, venue=venue))
        if notify:
            self._notify(self._states[session_id])
        return True

    async def follow(self, every_s: float = 2.0) -> None:
        """Take up other processes' changes every `every_s` seconds (see refresh), so screens show
        a `moderator import --series` made while the server runs without anyone asking."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.refresh()
            except StoreUnavailable as e:
                log.warning("could not look for other processes' changes: %s", e)

    def _notify(self, state: SessionState) -> None:
        """Announce `state` to the listeners once this loop turn's acks are out (see _announce)."""
        self._due[state.setup.session_id] = state
        if self._announcing is None:
            self._announcing = asyncio.get_running_loop().call_soon(self._announce)

    def _announce(self) -> None:
        """Call every listener with the newest state of each session changed since the last call.
        It runs as a callback scheduled after the writer resolved its commands' futures, so their
        acks (written by each connection's task when it wakes, which asyncio runs first: callbacks
        run in the order scheduled) leave before the fan-out."""
        self._announcing = None
        due, self._due = self._due, {}
        now = self.clock()
        for state in due.values():
            for listener in self._listeners:
                try:
                    listener(state, now)
                except Exception:  # the change is stored: a screen's trouble must not undo it
                    sid = state.setup.session_id
                    log.exception("a listener failed on session %s at seq %d", sid, state.seq)

    def states(self) -> list[SessionState]:
        return list(self._states.values())

    def listen(self, listener: Listener) -> None:
        """Call `listener(state, now)` whenever a session's state changes."""
        self._listeners.append(listener)

    async def execute(self, session_id: str, command: Command, actor: Actor) -> int:
        """Decide, commit, fold; return the new seq. Raises Refused; nothing changes then.

        Commands of one session are taken in arrival order by that session's writer, which
        commits every command waiting at that moment in one transaction (group commit): one
        disk flush for a burst of requests instead of one each. An ack still follows the commit.
        """
        seq, _ = await self.run(session_id, command, actor)
        return seq

    async def run(self, session_id: str, command: Command, actor: Actor) -> Receipt:
        """As `execute`, and also the events the command caused (core/decide.answer reads them)."""
        if session_id not in self._states:
            raise Refused("not_found", N_("There is no such session."))
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._writer(session_id).put_nowait((command, actor, future))
        return await future

    def _writer(self, session_id: str) -> asyncio.Queue[Pending]:
        inbox = self._inboxes.get(session_id)
        if inbox is None:
            inbox = self._inboxes[session_id] = asyncio.Queue()
            task = asyncio.get_running_loop().create_task(self._write_loop(session_id, inbox))
            self._writers[session_id] = task
        return inbox

    async def _write_loop(self, session_id: str, inbox: asyncio.Queue[Pending]) -> None:
        while True:
            batch = [await inbox.get()]
            while not inbox.empty() and len(batch) < MAX_BATCH:
                batch.append(inbox.get_nowait())
            try:
                await self._commit_batch(session_id, batch)
            except Exception:
                log.exception("batch of %d commands failed in session %s", len(batch), session_id)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(_internal())

    async def _commit_batch(self, session_id: str, batch: list[Pending]) -> None:
        outcomes: list[tuple[asyncio.Future[Receipt], Receipt | Refused]] = []
        for _attempt in range(MAX_ATTEMPTS):
            state = self._states[session_id]
            tentative, events, outcomes = state, [], []
            now = self.clock()
            for command, actor, future in batch:
                if future.done():  # the client went away meanwhile
                    continue
                try:
                    decided = decide(tentative, command, actor, now)
                    folded = fold(tentative, decided)
                except Refused as e:
                    outcomes.append((future, e))
                    continue
                except Exception:
                    log.exception("%s failed in session %s", command.name, session_id)
                    outcomes.append((future, _internal()))
                    continue
                tentative = folded
                events += decided
                outcomes.append((future, (tentative.seq, decided)))
            if not events:
                _settle(outcomes)
                return
            try:
                await self.store.append(session_id, state.seq, events)
            except SequenceConflict as e:
                log.info("session %s moved on past seq %d (%s): deciding again", session_id, state.seq, e)
                try:
                    await self._catch_up(session_id)
                except StoreUnavailable as e:
                    log.error("could not read session %s after seq %d: %s", session_id, state.seq, e)
                    _settle(outcomes, instead=_unavailable())
                    return
                continue
            except StoreUnavailable as e:
                log.error("could not store %d events of session %s: %s", len(events), session_id, e)
                _settle(outcomes, instead=_unavailable())
                return
            _settle(outcomes)  # first: the acks are scheduled before the fan-out _take announces
            self._take(session_id, state.seq, events)
            return
        log.error(
            "session %s: %d decisions in a row lost the race to other writers", session_id, MAX_ATTEMPTS
        )
        _settle(
            outcomes,
            instead=Refused(
                "conflict", N_("Someone else changed the session at the same moment. Try again.")
            ),
        )

    async def _catch_up(self, session_id: str) -> None:
        """Read and fold the events other writers committed after this engine's seq."""
        state = self._states.get(session_id)
        if state is None:
            return
        tail = await self.store.events(session_id, state.seq)
        self._take(session_id, state.seq, tail)

    def _take(self, session_id: str, after_seq: int, events: list[Event]) -> bool:
        """Fold `events` (seq after_seq+1, ...) past the state's seq; False if there is a gap
        before them (the state is behind after_seq), also when nothing was new."""
        state = self._states.get(session_id)
        if state is None or state.seq < after_seq:
            return False
        new = events[state.seq - after_seq :]
        if not new:
            return True
        state = fold(state, new)
        self._states[session_id] = state
        self._notify(state)
        self._schedule(session_id)
        return True

    async def _committed(self, session_id: str, after_seq: int, events: list[Event]) -> None:
        """The store's subscription: a commit, this engine's own (folded already) or another's."""
        if not self._take(session_id, after_seq, events) and session_id in self._states:
            await self._catch_up(session_id)  # a commit before this one has not reached us yet

    # ---- videos that reach their end ------------------------------------------------------------

    def _arm(self, session_id: str, delay_s: float, callback: Callable[[], None]) -> None:
        handle = self._wakeups.pop(session_id, None)
        if handle is not None:
            handle.cancel()
        if self._call_later is not None:
            self._wakeups[session_id] = self._call_later(delay_s, callback)
        else:
            self._wakeups[session_id] = asyncio.get_running_loop().call_later(delay_s, callback)

    def _schedule(self, session_id: str) -> None:
        """Arm the wake-up for the end of the video now playing (or disarm it: nothing plays)."""
        due = advance_due(self._states[session_id])
        if due is None:
            handle = self._wakeups.pop(session_id, None)
            if handle is not None:
                handle.cancel()
            return
        delay = max(0.0, (due - self.clock()) / 1000)
        self._arm(session_id, delay, partial(self._wake, session_id, due))

    def _wake(self, session_id: str, due: int) -> None:
        self._wakeups.pop(session_id, None)
        state = self._states.get(session_id)
        if state is None or advance_due(state) != due:
            return  # the video was paused, sought or replaced meanwhile: its commit re-armed the wake-up
        early = due - self.clock()
        if early > 0:  # woken before the end by the server's clock: wait for the rest
            self._arm(session_id, early / 1000, partial(self._wake, session_id, due))
            return
        task = asyncio.get_running_loop().create_task(self._advance(session_id, due))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _advance(self, session_id: str, due: int) -> None:
        try:
            await self.execute(session_id, Command("playback.advance"), SYSTEM)
        except Refused as e:
            if session_id in self._wakeups:
                return  # a commit meanwhile (a seek, a new video) armed the wake-up it needs
            if e.code in ("unavailable", "internal"):  # the disk or a fault refused: try again shortly
                log.warning("no advance for %s yet: %s; trying again", session_id, e.english())
                self._arm(session_id, RETRY_S, partial(self._wake, session_id, due))
            else:
                log.info("no advance for %s: %s", session_id, e.english())
                self._schedule(session_id)  # still playing (the clock went back?): wait for its end

    def close(self) -> None:
        if self._announcing is not None:
            self._announcing.cancel()
            self._announcing = None
        for handle in self._wakeups.values():
            handle.cancel()
        self._wakeups.clear()
        for task in self._writers.values():
            task.cancel()
