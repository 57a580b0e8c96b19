"""Which session of a series its screens show (PROTOCOL §5): the one rule, pure (`now` is passed in).

The current session is the one most recently opened and not yet closed; if none is, the next
scheduled one by `start` (one whose planned end has not passed yet); if none is left, the last one
closed. A series whose sessions were all planned in the past and never opened shows the latest
of them. The server applies this rule (runtime/follow.py) and tells the screens its answer in the
`series` frame; no script re-types it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from moderator.core.rules import OPEN_PHASES
from moderator.core.state import Phase, SessionState
from moderator.i18n.countries import state_ref


@dataclass(frozen=True, slots=True)
class Slot:
    """One session as the rule sees it: its phase and its times."""

    session_id: str
    key: str
    state_under_review: str
    phase: Phase
    start_ms: int
    planned_end: int
    started_at: int | None = None
    closed_at: int | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """The rule's answer: the current session, the sessions open now (most recently opened first),
    and the time from which the answer may change by the clock alone (None: only by an event)."""

    current: str | None
    open: tuple[str, ...]
    changes_at: int | None


def slot(state: SessionState) -> Slot:
    """A session's slot, read from its state (the one place that reads a session's current start)."""
    setup = state.setup
    return Slot(
        session_id=setup.session_id,
        key=setup.key,
        state_under_review=setup.state_under_review,
        phase=state.phase,
        start_ms=setup.start_ms,
        planned_end=setup.planned_end,
        started_at=state.started_at,
        closed_at=state.closed_at,
    )


def _by_start(s: Slot) -> tuple[int, str]:
    return s.start_ms, s.session_id


def current(slots: Iterable[Slot], now: int) -> Choice:
    """The current session of a series whose sessions are `slots` (in any order), at server time `now`."""
    every = sorted(slots, key=_by_start)
    opened = sorted(
        (s for s in every if s.phase in OPEN_PHASES),
        key=lambda s: (s.started_at if s.started_at is not None else s.start_ms, s.start_ms, s.session_id),
        reverse=True,
    )
    open_ids = tuple(s.session_id for s in opened)
    if opened:
        return Choice(opened[0].session_id, open_ids, None)
    upcoming = [s for s in every if s.phase == "scheduled" and s.planned_end > now]
    if upcoming:
        chosen = upcoming[0]
        return Choice(chosen.session_id, (), chosen.planned_end)
    closed = [s for s in every if s.phase == "closed"]
    if closed:
        last = max(closed, key=lambda s: (s.closed_at or 0, s.start_ms, s.session_id))
        return Choice(last.session_id, (), None)
    return Choice(every[-1].session_id if every else None, (), None)


def programme(slots: Iterable[Slot]) -> list[dict[str, Any]]:
    """The series' sessions in start order, as the `series` frame carries them."""
    return [
        {
            "id": s.session_id,
            "key": s.key,
            "state_under_review": state_ref(s.state_under_review),
            "phase": s.phase,
            "start": s.start_ms,
            "planned_end": s.planned_end,
            "started_at": s.started_at,
            "closed_at": s.closed_at,
        }
        for s in sorted(slots, key=_by_start)
    ]


def series_body(
    series_id: str, states: Iterable[SessionState], now: int
) -> tuple[dict[str, Any], int | None]:
    """The `series` frame of a series (without `server_time`), and when it may change by the clock alone."""
    slots = [slot(s) for s in states]
    choice = current(slots, now)
    body = {
        "type": "series",
        "series_id": series_id,
        "current_session_id": choice.current,
        "open_session_ids": list(choice.open),
        "sessions": programme(slots),
    }
    return body, choice.changes_at
