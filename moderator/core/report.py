"""What happened in a session, for the organisers: JSON and CSV (PROTOCOL §2, report)."""

from __future__ import annotations

import csv
import io
from typing import Any

from moderator.core.rules import spoken_ms, statement_spoken_ms
from moderator.core.state import Entry, SessionState
from moderator.i18n.countries import state_ref

OUTCOME = {
    "waiting": "waiting",
    "on_floor": "waiting",
    "answered": "answered",
    "withdrawn": "withdrawn",
    "removed": "removed",
}


def report(state: SessionState, now: int) -> dict[str, Any]:
    """The session's report at server time `now` (a speaker still speaking counts up to `now`)."""
    speakers = []
    for s in state.speakers:
        spoken = spoken_ms(state, s, now)
        speakers.append(
            {
                "id": s.id,
                "key": s.key,
                "name": s.name,
                "public_name": s.public_name,
                "organisation": s.organisation,
                "kind": s.kind,
                "language": s.language,
                "allotted_ms": s.allotted_ms,
                "spoken_ms": spoken,
                "over_ms": max(0, spoken - s.allotted_ms),
                "status": s.status,
            }
        )
    questions = [_question(e, state, now) for e in sorted(state.entries, key=lambda e: e.requested_at)]
    statement = _statement(state, now)
    return {
        "session": {
            "id": state.setup.session_id,
            "key": state.setup.key,
            "state_under_review": state_ref(state.setup.state_under_review),
            "phase": state.phase,
            "start": state.setup.start_ms,
            "planned_end": state.setup.planned_end,
            "started_at": state.started_at,
            "closed_at": state.closed_at,
        },
        "sur_statement": statement,
        "speakers": speakers,
        "questions": questions,
        "totals": {
            "statements_ms": sum(s["spoken_ms"] for s in speakers),
            "questions_ms": sum(q["floor_ms"] for q in questions),
            "questions": sum(1 for q in questions if q["outcome"] == "answered"),
            "requests": len(questions),
        },
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


def _question(e: Entry, state: SessionState, now: int) -> dict[str, Any]:
    speaker = state.speaker(e.addressed_to) if e.addressed_to else None
    floor_ms = e.floor_ms if e.status != "on_floor" or e.called_at is None else max(0, now - e.called_at)
    return {
        "id": e.id,
        "state": state_ref(e.state),
        "addressed_to": e.addressed_to,
        "addressed_to_name": speaker.name if speaker else None,
        "topic": e.topic,
        "requested_at": e.requested_at,
        "called_at": e.called_at,
        "floor_ms": floor_ms,
        "outcome": OUTCOME[e.status],
    }


CSV_COLUMNS = [
    "kind",
    "id",
    "name",
    "organisation",
    "speaker_kind",
    "state_code",
    "state_name",
    "addressed_to",
    "topic",
    "allotted_ms",
    "spoken_ms",
    "over_ms",
    "requested_at",
    "called_at",
    "floor_ms",
    "status",
]


def report_csv(data: dict[str, Any]) -> str:
    """The same report as CSV: one row per speaker, then one per question; first column `kind`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for s in data["speakers"]:
        writer.writerow({**s, "kind": "speaker", "speaker_kind": s["kind"]})
    for q in data["questions"]:
        writer.writerow(
            {
                "kind": "question",
                "id": q["id"],
                "state_code": q["state"]["code"],
                "state_name": q["state"]["name"],
                "addressed_to": q["addressed_to"] or "",
                "topic": q["topic"],
                "requested_at": q["requested_at"],
                "called_at": q["called_at"] or "",
                "floor_ms": q["floor_ms"],
                "status": q["outcome"],
            }
        )
    return _defuse(out.getvalue())


def _defuse(text: str) -> str:
    """Leave CSV cells starting with = + - @ as text when opened in a spreadsheet (formula injection)."""
    rows = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(
            [
                "'" + c if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:].isdigit()) else c
                for c in row
            ]
        )
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
