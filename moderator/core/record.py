"""The record of a series (PROTOCOL §6): every session's report in start order and the week's totals.

The totals are sums of the sessions' own figures (never counted again another way), and the
week's attendance: the States present at least once, in how many sessions each, for how long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from moderator.i18n.countries import state_ref

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class SeriesRef:
    id: str
    title: str
    timezone: str


def record(series: SeriesRef, sessions: Sequence[dict[str, Any]], locale: str = "en") -> dict[str, Any]:
    """The series' report from its sessions' reports (core/report.py `report`), put in start order."""
    ordered = sorted(sessions, key=lambda r: (r["session"]["start"], r["session"]["key"]))
    return {
        "series": {"id": series.id, "title": series.title, "timezone": series.timezone},
        "sessions": ordered,
        "totals": totals(ordered, locale),
    }


def totals(sessions: Sequence[dict[str, Any]], locale: str = "en") -> dict[str, Any]:
    """The week's totals: the sums of the sessions' totals, and the week's attendance."""

    def total(key: str) -> int:
        return sum(int(r["totals"][key]) for r in sessions)

    held = [r for r in sessions if r["session"]["started_at"] is not None]
    held_ms = sum(int(r["session"]["held_ms"]) for r in sessions)
    per_state: dict[str, dict[str, int]] = {}
    asked: set[str] = set()
    for r in sessions:
        for m in r["attendance"]["missions"]:
            seen = per_state.setdefault(m["state"]["code"], {"sessions": 0, "connected_ms": 0})
            seen["sessions"] += 1
            seen["connected_ms"] += m["connected_ms"]
        asked.update(q["state"]["code"] for q in r["questions"])
    missions = [
        {"state": state_ref(code, locale), **figures, "minutes": figures["connected_ms"] // 60_000}
        for code, figures in sorted(per_state.items())
    ]
    return {
        "sessions": len(sessions),
        "sessions_held": len(held),
        "sessions_closed": sum(1 for r in sessions if r["session"]["phase"] == "closed"),
        "speakers": sum(len(r["speakers"]) for r in sessions),
        "statements_ms": total("statements_ms"),
        "over_ms": total("over_ms"),
        "questions_ms": total("questions_ms"),
        "questions": total("questions"),
        "requests": total("requests"),
        "attendance": {
            "states_present": len(missions),
            "states_asked": len(asked),
            "sessions": len(held),
            "held_ms": held_ms,
            "hours": round(held_ms / HOUR_MS, 2),
            "missions": missions,
        },
    }
