"""view(state, role, now) -> the wire `session` object one role may see (PROTOCOL §3.2)."""

from __future__ import annotations

from typing import Any

from moderator.core.rules import UNDO_MS, next_question, next_speaker, video_public
from moderator.core.state import Entry, Message, SessionState, Speaker
from moderator.i18n.countries import state_ref

PUBLIC_ROLES = frozenset({"viewer", "delegation"})


def view(state: SessionState, role: str, now: int) -> dict[str, Any]:
    """The session as `role` sees it at server time `now` (only `projected_end` depends on `now`)."""
    moderator = role == "moderator"
    setup = state.setup
    return {
        "id": setup.session_id,
        "key": setup.key,
        "series_id": setup.series_id,
        "state_under_review": state_ref(setup.state_under_review),
        "title": setup.series_title,
        "venue": setup.venue,
        "format": setup.format,
        "phase": state.phase,
        "start": setup.start_ms,
        "started_at": state.started_at,
        "closed_at": state.closed_at,
        "planned_end": setup.planned_end,
        "projected_end": projected_end(state, now),
        "question_seconds": setup.question_seconds,
        "answer_seconds": setup.answer_seconds,
        "warning_seconds": setup.warning_seconds,
        "states_asked": len({e.state for e in state.entries}),
        "speakers": [
            _speaker(s, moderator, _spoken(state, s), moderator or video_public(state, s))
            for s in state.speakers
        ],
        "floor": None if state.floor is None else {"kind": state.floor.kind, "id": state.floor.id},
        "timer": state.timer.wire(setup.warning_seconds * 1000),
        "queue": [_entry(e, moderator) for e in state.queue],
        "message": None if state.message is None else _message(state.message),
        "playback": None if state.playback is None else state.playback.wire(),
        "sur_statement": sur_statement(state),
        "next": _next(state),
        "undo": _undo(state) if moderator else None,
    }


def sur_statement(state: SessionState) -> dict[str, Any] | None:
    """The State under Review's opening statement: its time, status and spoken time (as a speaker's,
    the running part left to the screens), or None when the session has no such slot."""
    seconds = state.setup.sur_statement_seconds
    if seconds is None and state.statement.status == "waiting":
        return None
    spoken = state.statement.spoken_ms
    if state.floor is not None and state.floor.kind == "sur":
        spoken += state.timer.elapsed_ms
    return {"allotted_ms": (seconds or 0) * 1000, "status": state.statement.status, "spoken_ms": spoken}


def _next(state: SessionState) -> dict[str, str | None]:
    """Who is next (core/rules): the first waiting speaker's id and the first waiting request's."""
    speaker, question = next_speaker(state), next_question(state)
    return {
        "speaker": None if speaker is None else speaker.id,
        "question": None if question is None else question.id,
    }


def _undo(state: SessionState) -> dict[str, Any] | None:
    """What the console may undo now (moderator only): the action, whose, and until when."""
    u = state.undoable
    if u is None:
        return None
    out: dict[str, Any] = {"what": u.what, "id": u.id, "until": u.at + UNDO_MS}
    entry = state.entry(u.id) if u.what in ("done", "remove") else None
    if entry is not None:
        out["state"] = state_ref(entry.state)  # the entry has left the queue: the console names it
    return out


def _message(m: Message) -> dict[str, Any]:
    return {"text": m.text, "to": m.to, "pinned": m.pinned, "preset": m.preset}


def public_name(speaker: Speaker) -> str:
    """What every screen but the moderator's shows for this speaker."""
    if speaker.public_name:
        return speaker.public_name
    return speaker.name if speaker.publish else ""


def _spoken(state: SessionState, s: Speaker) -> int:
    """`spoken_ms` on the wire: every run already ended, those of the current turn included
    (PROTOCOL §3.2); screens add the running part from `timer`."""
    if state.floor is not None and state.floor.kind == "speaker" and state.floor.id == s.id:
        return s.spoken_ms + state.timer.elapsed_ms
    return s.spoken_ms


def _speaker(s: Speaker, moderator: bool, spoken_ms: int, video: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.id,
        "name": s.name if moderator else public_name(s),
        "organisation": s.organisation if (moderator or s.publish) else "",
        "kind": s.kind,
        "theme": s.theme,
        "language": s.language,
        "allotted_ms": s.allotted_ms,
        "status": s.status,
        "spoken_ms": spoken_ms,
        "video": None
        if s.video_url is None or not video
        else {"url": s.video_url, "duration_ms": s.video_duration_ms},
    }
    if moderator:
        out["public_name"] = s.public_name
        out["publish"] = s.publish
    return out


def _entry(e: Entry, moderator: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "state": state_ref(e.state),
        "status": e.status,
        "addressed_to": e.addressed_to,
        "requested_at": e.requested_at,
        "called_at": e.called_at,
    }
    if moderator:
        out["topic"] = e.topic
    return out


def projected_end(state: SessionState, now: int) -> int | None:
    """When the session ends if the floor holder uses the rest of their time, every waiting speaker
    their allotted time (or their video's length) and every waiting request `question_seconds`."""
    if state.phase == "scheduled":
        return None
    if state.phase == "closed":
        return state.closed_at
    rest = max(0, state.timer.remaining(now)) if state.floor is not None else 0
    for s in state.speakers:
        if s.status == "waiting":
            rest += s.video_duration_ms if (s.video_url and s.video_duration_ms) else s.allotted_ms
    if state.setup.sur_statement_seconds is not None and state.statement.status == "waiting":
        rest += state.setup.sur_statement_seconds * 1000
    rest += sum(state.setup.question_seconds * 1000 for e in state.queue if e.status == "waiting")
    return now + rest
