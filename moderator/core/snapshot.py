"""The agenda of a series as it stands now, in the shape of the document that created it (PROTOCOL §4).

`GET /api/series/{id}` answers `document(...)`: the series, its sessions from their folded states
(so live changes show), speakers in their current order, delegations by code, each with its id;
never a token. `normalised(agenda)` gives a parsed document in the same form, so the diff of a
`PUT` (core/changes.py) compares like with like, field by field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from moderator.core.agenda import SPEAKER_FIELDS, AgendaSeries, AgendaSession, AgendaSpeaker
from moderator.core.state import SessionState, Speaker

SERIES_FIELDS = ("title", "format", "venue", "timezone")


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    """The series' own fields (the store keeps them; the core sees them through this)."""

    id: str
    title: str
    format: str
    venue: str
    timezone: str


def iso(start_ms: int, timezone: str) -> str:
    """A start as the document writes it: ISO 8601 in the series' time zone, with its offset."""
    moment = datetime.fromtimestamp(start_ms / 1000, UTC).astimezone(ZoneInfo(timezone))
    return moment.isoformat(timespec="seconds")


def speaker_doc(s: Speaker) -> dict[str, Any]:
    return {
        "id": s.id,
        "key": s.key,
        "name": s.name,
        "organisation": s.organisation,
        "kind": s.kind,
        "theme": s.theme,
        "language": s.language,
        "seconds": s.allotted_ms // 1000,
        "public_name": s.public_name,
        "publish": s.publish,
        # read-only (agenda.READ_ONLY): what has happened, and the video
        "status": s.status,
        "spoken_ms": s.spoken_ms,
        "video_url": s.video_url,
        "video_duration_ms": s.video_duration_ms,
    }


def session_doc(state: SessionState, timezone: str) -> dict[str, Any]:
    setup = state.setup
    return {
        "id": setup.session_id,
        "key": setup.key,
        "state_under_review": setup.state_under_review,
        "start": iso(setup.start_ms, timezone),
        "minutes": setup.minutes,
        "question_seconds": setup.question_seconds,
        "format": setup.format,
        "sur_statement_seconds": setup.sur_statement_seconds,
        "warning_seconds": setup.warning_seconds,
        "answer_seconds": setup.answer_seconds,
        "phase": state.phase,  # read-only
        "speakers": [speaker_doc(s) for s in state.speakers],
    }


def document(
    series: SeriesFacts, states: Iterable[SessionState], delegations: Iterable[tuple[str, str | None]]
) -> dict[str, Any]:
    """The agenda as it stands now (sessions in agenda order), with ids, without tokens."""
    return {
        "id": series.id,
        "title": series.title,
        "format": series.format,
        "venue": series.venue,
        "timezone": series.timezone,
        "sessions": [session_doc(state, series.timezone) for state in states],
        "delegations": [{"state": code, "label": label} for code, label in delegations],
    }


def _new_speaker(s: AgendaSpeaker) -> dict[str, Any]:
    return {name: getattr(s, name) for name in SPEAKER_FIELDS}


def _new_session(s: AgendaSession, agenda: AgendaSeries) -> dict[str, Any]:
    return {
        "key": s.key,
        "state_under_review": s.state_under_review,
        "start": iso(s.start_ms, agenda.timezone),
        "minutes": s.minutes,
        "question_seconds": s.question_seconds,
        "format": s.format or agenda.format,
        "sur_statement_seconds": s.sur_statement_seconds,
        "warning_seconds": s.warning_seconds,
        "answer_seconds": s.answer_seconds,
        "speakers": [_new_speaker(sp) for sp in s.speakers],
    }


def normalised(agenda: AgendaSeries) -> dict[str, Any]:
    """A parsed document in the form of `document` (defaults filled, starts in the series' zone), no ids."""
    return {
        "title": agenda.title,
        "format": agenda.format,
        "venue": agenda.venue,
        "timezone": agenda.timezone,
        "sessions": [_new_session(s, agenda) for s in agenda.sessions],
        "delegations": [{"state": d.state, "label": d.label} for d in agenda.delegations],
    }
