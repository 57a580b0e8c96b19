"""A series brought to a new agenda (PUT /api/series/{id}, `moderator import --series`): all or nothing.

The diff (core/changes.py) is decided on the engine's current states of the series' sessions;
everything it changes (the series' facts, events in several sessions' logs, sessions created and
removed, delegations and their tokens) is stored in one transaction (`Store.amend_series`), which
checks each log still ends at the seq the decision saw. If one moved on meanwhile (a live
command, another process), the engine reads the tail and the diff is decided again, as the
engine's writer does for a command (`SequenceConflict`), up to MAX_ATTEMPTS times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from moderator.core.agenda import AgendaSeries
from moderator.core.changes import Conflict, Current, Diff, diff
from moderator.core.errors import N_, Refused
from moderator.core.snapshot import SeriesFacts
from moderator.core.state import SessionState
from moderator.runtime.engine import MAX_ATTEMPTS, Engine
from moderator.store.protocol import SequenceConflict, SeriesAmendment, SeriesInfo, Store
from moderator.store.tokens import delegation_token

log = logging.getLogger("moderator.runtime.series")


@dataclass(slots=True)
class Outcome:
    """What a PUT did (or, dry run or refused, would do): the diff, the sessions it created, and
    the tokens of the delegations (all of them when the moderator token was given, else the added)."""

    diff: Diff
    stored: bool = False
    created: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)


async def current(engine: Engine, store: Store, series_id: str) -> Current | None:
    """The series as it stands now (its sessions' folded states in agenda order), or None."""
    found = await store.series(series_id)
    if not found:
        return None
    info = found[0]
    states: list[SessionState] = []
    for session_id in await store.series_sessions(series_id):
        state = await engine.lookup(session_id)
        if state is not None:
            states.append(state)
    facts = SeriesFacts(info.id, info.title, info.format, info.venue, info.timezone)
    return Current(facts, tuple(states), tuple(await store.delegations(series_id)))


def _tokens(diff: Diff, agenda: AgendaSeries, series_id: str, moderator_token: str | None) -> dict[str, str]:
    """Missions' tokens are derived from the moderator token (store/tokens.py): without it none
    can be issued, so adding a mission then is refused with a reason."""
    if moderator_token is None:
        for d in diff.delegations_added:
            index = next(i for i, x in enumerate(agenda.delegations) if x.state == d.state)
            message = N_(
                "Adding a mission needs this series' moderator token: its join card is made from it. "
                "Send the change with the moderator token."
            )
            diff.conflicts.append(Conflict(f"delegations[{index}]", Refused("forbidden", message)))
        return {}
    return {d.state: delegation_token(moderator_token, series_id, d.state) for d in agenda.delegations}


async def amend(
    engine: Engine,
    store: Store,
    series_id: str,
    agenda: AgendaSeries,
    moderator_token: str | None,
    *,
    dry_run: bool = False,
) -> Outcome:
    """Bring the series to `agenda`; Refused `not_found` for an unknown series. Nothing is stored
    when the diff has conflicts, is empty, or `dry_run` is set (see `Outcome.stored`)."""
    for _attempt in range(MAX_ATTEMPTS):
        now_series = await current(engine, store, series_id)
        if now_series is None:
            raise Refused("not_found", N_("There is no such series."))
        found = diff(now_series, agenda, engine.clock())
        tokens = _tokens(found, agenda, series_id, moderator_token)
        if dry_run or found.conflicts or found.empty:
            return Outcome(found, tokens=tokens)
        amendment = SeriesAmendment(
            series=SeriesInfo(series_id, agenda.title, agenda.format, agenda.venue, agenda.timezone),
            appends=found.appends,
            created=found.created,
            positions=found.positions,
            removed=found.removed,
            delegations_added=[(d.state, d.label, tokens[d.state]) for d in found.delegations_added],
            delegations_relabelled=[(d.state, d.label) for d in found.delegations_relabelled],
            delegations_removed=found.delegations_removed,
        )
        try:
            created = await store.amend_series(series_id, amendment)
        except SequenceConflict as e:
            log.info("series %s moved on while it was being changed (%s): deciding again", series_id, e)
            for session_id in found.appends:
                await engine.catch_up(session_id)
            continue
        await engine.absorb(
            series_id, agenda.title, agenda.venue, found.appends, [c["id"] for c in created], found.removed
        )
        return Outcome(found, stored=True, created=created, tokens=tokens)
    raise Refused("conflict", N_("Someone else changed the session at the same moment. Try again."))
