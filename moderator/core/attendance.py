"""Who was in the room: the missions' presence during a session, from their phones' connections.

A presence span is one socket of a mission's phone to a session, from its opening to its closing
(`ended_at` None: never closed, a crash; it counts as ended when the session ended). The figures
clip each span to the session's actual start and end, and merge the overlapping spans of one
mission (two phones, a reconnection), so a mission is counted once however many phones it had.
Pure: the spans come from the store, the end of a session still open is `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from moderator.i18n.countries import state_ref

MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class PresenceSpan:
    """One phone's connection of a mission (`state`) to a session."""

    session_id: str
    state: str
    connected_at: int
    disconnected_at: int | None = None


def merged(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of [start, end) intervals, as disjoint intervals in order (empty ones dropped)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def clipped(spans: Iterable[PresenceSpan], start: int, end: int) -> dict[str, list[tuple[int, int]]]:
    """Each mission's presence within [start, end), merged; missions never present there are absent."""
    by_state: dict[str, list[tuple[int, int]]] = {}
    for s in spans:
        until = end if s.disconnected_at is None else min(s.disconnected_at, end)
        since = max(s.connected_at, start)
        if until > since:
            by_state.setdefault(s.state, []).append((since, until))
    return {code: merged(parts) for code, parts in by_state.items()}


def attendance(
    spans: Sequence[PresenceSpan],
    started_at: int | None,
    ended_at: int | None,
    asked: Iterable[str],
    now: int,
    locale: str = "en",
) -> dict[str, Any]:
    """The session's attendance: each mission present (first seen, time connected), in the order
    they came; how many States were present and how many asked for the floor (`asked`: the
    States of the session's requests). A session not opened has nobody present."""
    asking = sorted(set(asked))
    missions: list[dict[str, Any]] = []
    if started_at is not None:
        end = ended_at if ended_at is not None else max(now, started_at)
        for code, parts in clipped(spans, started_at, end).items():
            connected = sum(b - a for a, b in parts)
            missions.append(
                {
                    "state": state_ref(code, locale),
                    "first_seen": parts[0][0],
                    "last_seen": parts[-1][1],
                    "connected_ms": connected,
                    "minutes": connected // MINUTE_MS,
                    "asked": code in asking,
                }
            )
    missions.sort(key=lambda m: (m["first_seen"], m["state"]["code"]))
    return {
        "missions": missions,
        "states_present": len(missions),
        "states_asked": len(asking),
    }
