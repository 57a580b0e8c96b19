"""The report as rows for people (PROTOCOL §6): the CSV's and the spreadsheet's one table.

Times are ISO 8601 in the series' timezone with their offset, durations whole seconds (rounded
down, as the countdown shows them), speakers and States named, not given by id. Rows: each
session's speakers, then its questions, then its attendance (the `attendance` columns come after
the others). No cell may start a formula: a text that a spreadsheet would run gets a leading `'`.
The zone is passed in (a `tzinfo`): this module reads no clock and no file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

# The series' CSV: `session` and `kind` first (§6); one session's CSV: `kind` first (§2).
COLUMNS = [
    "session",
    "kind",
    "state_under_review",
    "position",
    "name",
    "public_name",
    "organisation",
    "speaker_kind",
    "theme",
    "language",
    "state",
    "addressed_to",
    "topic",
    "requested_at",
    "called_at",
    "ended_at",
    "allotted_s",
    "allotted_seen_s",
    "spoken_s",
    "over_s",
    "floor_s",
    "turns",
    "status",
]
ATTENDANCE_COLUMNS = ["first_seen", "last_seen", "connected_s", "connected_minutes", "asked"]
SERIES_COLUMNS = [*COLUMNS, *ATTENDANCE_COLUMNS]
SESSION_COLUMNS = ["kind", "session", *COLUMNS[2:], *ATTENDANCE_COLUMNS]

BOM = "\ufeff"
_FORMULA = ("=", "+", "@", "\t", "\r")


def when(ms: int | None, zone: tzinfo) -> str:
    """An epoch time in ms as ISO 8601 in `zone`, with its offset; '' for none."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="seconds")


def seconds(ms: int | None) -> int | str:
    """Whole seconds, rounded down; '' for none."""
    return "" if ms is None else ms // 1000


def safe(cell: Any) -> Any:
    """A text a spreadsheet would run as a formula (= + @ -, tab, CR first) kept as text; numbers stay."""
    if not isinstance(cell, str) or not cell:
        return cell
    if cell[0] in _FORMULA or (cell[0] == "-" and not cell[1:].isdigit()):
        return "'" + cell
    return cell


def rows(session_reports: Iterable[dict[str, Any]], zone: tzinfo) -> list[dict[str, Any]]:
    """Every session's rows, in the order given: speakers, questions, attendance."""
    out: list[dict[str, Any]] = []
    for r in session_reports:
        out += session_rows(r, zone)
    return out


def session_rows(r: dict[str, Any], zone: tzinfo) -> list[dict[str, Any]]:
    s = r["session"]
    base = {"session": s["key"], "state_under_review": s["state_under_review"]["name"]}
    names = {sp["id"]: sp["name"] for sp in r["speakers"]}
    out: list[dict[str, Any]] = []
    for i, sp in enumerate(r["speakers"], start=1):
        out.append(
            {
                **base,
                "kind": "speaker",
                "position": i,
                "name": sp["name"],
                "public_name": sp["public_name"] or "",
                "organisation": sp["organisation"],
                "speaker_kind": sp["kind"],
                "theme": sp["theme"],
                "language": sp["language"],
                "called_at": when(sp["called_at"], zone),
                "ended_at": when(sp["ended_at"], zone),
                "allotted_s": seconds(sp["allotted_ms"]),
                "allotted_seen_s": seconds(sp["allotted_seen_ms"]),
                "spoken_s": seconds(sp["spoken_ms"]),
                "over_s": seconds(sp["over_ms"]),
                "turns": len(sp["turns"]),
                "status": sp["status"],
            }
        )
    for i, q in enumerate(r["questions"], start=1):
        out.append(
            {
                **base,
                "kind": "question",
                "position": i,
                "state": q["state"]["name"],
                "addressed_to": names.get(q["addressed_to"], "") if q["addressed_to"] else "",
                "topic": q["topic"],
                "requested_at": when(q["requested_at"], zone),
                "called_at": when(q["called_at"], zone),
                "ended_at": when(q["ended_at"], zone),
                "floor_s": seconds(q["floor_ms"]),
                "status": q["outcome"],
            }
        )
    for i, m in enumerate(r["attendance"]["missions"], start=1):
        out.append(
            {
                **base,
                "kind": "attendance",
                "position": i,
                "state": m["state"]["name"],
                "first_seen": when(m["first_seen"], zone),
                "last_seen": when(m["last_seen"], zone),
                "connected_s": seconds(m["connected_ms"]),
                "connected_minutes": m["minutes"],
                "asked": "yes" if m["asked"] else "no",
            }
        )
    return out


def table(row_dicts: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[list[Any]]:
    """The header and the rows as lists of cells, in `columns` order, every cell made safe."""
    return [list(columns), *([safe(row.get(c, "")) for c in columns] for row in row_dicts)]


def to_csv(cells: Sequence[Sequence[Any]]) -> str:
    """CSV text (CRLF, as RFC 4180) starting with a byte order mark, so a spreadsheet reads UTF-8."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(cells)
    return BOM + out.getvalue()
