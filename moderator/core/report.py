"""What happened in a session, for the organisers (PROTOCOL §2 report), computed from its event log.

The log is replayed through `evolve` (the one way a state is made), and every turn of a speaker
is read from the timer the room saw as it ended: the time it ran (`Timer.ran`) and the time past
its end (`Timer.overtime`, adjustments included, as in "+00:16 Time is up"). A speaker's spoken
time is the sum of their turns (the state's `spoken_ms`), their over time the sum of each turn's.
The CSV and XLSX for people are in `core/report_table.py`; the series' report in `core/record.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moderator.core.attendance import PresenceSpan, attendance
from moderator.core.evolve import evolve
from moderator.core.rules import spoken_ms, statement_spoken_ms
from moderator.core.state import Entry, Floor, SessionState, Speaker
from moderator.i18n.countries import state_ref

Event = Mapping[str, Any]

OUTCOME = {
    "waiting": "waiting",
    "on_floor": "waiting",
    "answered": "answered",
    "withdrawn": "withdrawn",
    "removed": "removed",
}

# Events after which whoever holds the floor starts a new turn with a new timer, even the same speaker.
_NEW_TIMER = frozenset({"speaker.called", "playback.started"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One time a speaker held the floor: the timer the room saw, read at the end of the turn."""

    speaker_id: str
    called_at: int
    ended_at: int | None  # None: still on the floor
    allotted_ms: int  # the timer's duration at the end: the agenda's time plus adjustments
    spoken_ms: int  # what the timer ran (Timer.ran)
    over_ms: int  # what the room saw past the time (Timer.overtime)

    def wire(self) -> dict[str, Any]:
        return {
            "called_at": self.called_at,
            "ended_at": self.ended_at,
            "allotted_ms": self.allotted_ms,
            "spoken_ms": self.spoken_ms,
            "over_ms": self.over_ms,
        }


@dataclass(frozen=True, slots=True)
class Replay:
    """A session's log replayed: the state it leads to and every speaker's turns, in order."""

    state: SessionState
    turns: tuple[Turn, ...]


def replay(initial: SessionState, events: Sequence[Event], now: int) -> Replay:
    """Fold `events` into `initial`, noting each speaker's turn as it ends; a turn still on at the
    end is read at `now`."""
    state = initial
    turns: list[Turn] = []
    since: int | None = None
    for e in events:
        after = evolve(state, e)
        at = e.get("at") if isinstance(e, Mapping) else None
        if isinstance(at, int) and not isinstance(at, bool):
            kind = e.get("type")
            new_timer = (
                isinstance(kind, str)
                and kind in _NEW_TIMER
                and after.floor is not None
                and after.floor.kind == "speaker"
            )
            changed = after.floor != state.floor or new_timer
            holder = state.floor
            if changed and holder is not None and holder.kind == "speaker" and since is not None:
                turns.append(_turn(state, holder, since, at, ended=True))
            if changed and kind == "undone" and _resumed(turns, after.floor):
                since = turns.pop().called_at  # a Finish undone: the same turn goes on, its timer with it
            elif changed:
                since = at if after.floor is not None and after.floor.kind == "speaker" else None
        state = after
    if state.floor is not None and state.floor.kind == "speaker" and since is not None:
        turns.append(_turn(state, state.floor, since, now, ended=False))
    return Replay(state, tuple(turns))


def _resumed(turns: list[Turn], floor: Floor | None) -> bool:
    """Whether `floor` gives back the speaker of the last turn (an undone Finish)."""
    return bool(turns) and floor is not None and floor.kind == "speaker" and turns[-1].speaker_id == floor.id


def _turn(state: SessionState, floor: Floor, since: int, at: int, ended: bool) -> Turn:
    timer = state.timer
    return Turn(floor.id, since, at if ended else None, timer.duration_ms, timer.ran(at), timer.overtime(at))


def report(
    initial: SessionState,
    events: Sequence[Event],
    now: int,
    presence: Sequence[PresenceSpan] = (),
    locale: str = "en",
) -> dict[str, Any]:
    """The session's report at server time `now` (a turn still on counts up to `now`): `initial`
    is the session's state before any event, `events` its log, `presence` its missions' spans."""
    run = replay(initial, events, now)
    state = run.state
    speakers = [
        _speaker(state, s, [t for t in run.turns if t.speaker_id == s.id], now) for s in state.speakers
    ]
    entries = sorted(state.entries, key=lambda e: e.requested_at)
    questions = [_question(e, state, now, locale) for e in entries]
    end = state.closed_at if state.closed_at is not None else now
    statement = _statement(state, now)
    return {
        "session": {
            "id": state.setup.session_id,
            "key": state.setup.key,
            "state_under_review": state_ref(state.setup.state_under_review, locale),
            "phase": state.phase,
            "start": state.setup.start_ms,
            "planned_end": state.setup.planned_end,
            "planned_ms": state.setup.planned_end - state.setup.start_ms,
            "started_at": state.started_at,
            "closed_at": state.closed_at,
            "held_ms": 0 if state.started_at is None else max(0, end - state.started_at),
        },
        "sur_statement": statement,
        "speakers": speakers,
        "questions": questions,
        "totals": {
            "statements_ms": sum(s["spoken_ms"] for s in speakers),
            "over_ms": sum(s["over_ms"] for s in speakers),
            "questions_ms": sum(q["floor_ms"] for q in questions),
            "questions": sum(1 for q in questions if q["outcome"] == "answered"),
            "requests": len(questions),
        },
        "attendance": attendance(
            presence, state.started_at, state.closed_at, (e.state for e in state.entries), now, locale
        ),
    }


def _statement(state: SessionState, now: int) -> dict[str, Any] | None:
    """The State under Review's opening statement, if the session had a slot for it or it was made."""
    seconds = state.setup.sur_statement_seconds
    if seconds is None and state.statement.status == "waiting":
        return None
    spoken = statement_spoken_ms(state, now)
    allotted = (seconds or 0) * 1000
    return {
        "state": state_ref(state.setup.state_under_review),
        "allotted_ms": allotted,
        "spoken_ms": spoken,
        "over_ms": max(0, spoken - allotted),
        "status": state.statement.status,
    }


def _speaker(state: SessionState, s: Speaker, turns: list[Turn], now: int) -> dict[str, Any]:
    spoken = spoken_ms(state, s, now)
    return {
        "id": s.id,
        "key": s.key,
        "name": s.name,
        "public_name": s.public_name,
        "organisation": s.organisation,
        "kind": s.kind,
        "theme": s.theme,
        "language": s.language,
        "publish": s.publish,
        "allotted_ms": s.allotted_ms,
        # The time the room saw at the end of the last turn: the agenda's, with the adjustments.
        "allotted_seen_ms": turns[-1].allotted_ms if turns else s.allotted_ms,
        "spoken_ms": spoken,
        "over_ms": sum(t.over_ms for t in turns),
        "status": s.status,
        "called_at": turns[0].called_at if turns else None,
        "ended_at": turns[-1].ended_at if turns else None,
        "turns": [t.wire() for t in turns],
    }


def _question(e: Entry, state: SessionState, now: int, locale: str) -> dict[str, Any]:
    speaker = state.speaker(e.addressed_to) if e.addressed_to else None
    floor_ms = e.floor_ms if e.status != "on_floor" or e.called_at is None else max(0, now - e.called_at)
    outcome = OUTCOME[e.status]
    if outcome == "answered" and e.called_at is None:
        outcome = "removed"  # closed by the moderator without ever having the floor: no question asked
    return {
        "id": e.id,
        "state": state_ref(e.state, locale),
        "addressed_to": e.addressed_to,
        "addressed_to_name": speaker.name if speaker else None,
        "topic": e.topic,
        "requested_at": e.requested_at,
        "called_at": e.called_at,
        "ended_at": e.ended_at,
        "floor_ms": floor_ms,
        "outcome": outcome,
    }
