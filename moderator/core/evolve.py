"""evolve(state, event) -> state: pure and total. Every stored event replays; checks live in decide.py.

Each event type is declared once, with its apply function (`@applies("timer.started")`). An
event evolve cannot use (an unknown type, an id that is not there, a field missing or of the
wrong type: none of which decide produces) leaves the state as it was, so any log folds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import reduce
from typing import Any

from moderator.core.playback import Playback
from moderator.core.rules import spoken_ms, statement_spoken_ms
from moderator.core.state import Entry, Floor, Message, SessionState, Speaker, Statement
from moderator.core.timer import IDLE, Timer
from moderator.i18n.countries import is_state

Event = Mapping[str, Any]
Apply = Callable[[SessionState, Event, int], SessionState]

# Every event type with its apply function, filled by `applies` below.
APPLY: dict[str, Apply] = {}


def applies(event_type: str) -> Callable[[Apply], Apply]:
    """Declare the decorated function as what an event of `event_type` does to the state."""

    def register(apply: Apply) -> Apply:
        if event_type in APPLY:
            raise ValueError(f"event type {event_type!r} is declared twice")
        APPLY[event_type] = apply
        return apply

    return register


def evolve(state: SessionState, event: Event) -> SessionState:
    """The state after `event`; `seq` grows by one whatever the event."""
    new = state
    if isinstance(event, Mapping):
        kind = event.get("type")
        apply = APPLY.get(kind) if isinstance(kind, str) else None
        at = event.get("at", 0)
        if apply is not None and _is_int(at):
            try:
                new = apply(state, event, at)
            except _Unreadable:
                new = state
    return replace(new, seq=state.seq + 1)


def fold(state: SessionState, events: Iterable[Event]) -> SessionState:
    return reduce(evolve, events, state)


class _Unreadable(Exception):
    """An event field is missing or of the wrong type: the event is skipped whole."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(e: Event, key: str) -> int:
    value = e.get(key)
    if not _is_int(value):
        raise _Unreadable(key)
    assert isinstance(value, int)
    return value


def _str(e: Event, key: str) -> str:
    value = e.get(key)
    if not isinstance(value, str):
        raise _Unreadable(key)
    return value


def _optional_int(e: Event, key: str) -> int | None:
    return None if e.get(key) is None else _int(e, key)


def _optional_str(e: Event, key: str) -> str | None:
    return None if e.get(key) is None else _str(e, key)


def _with_speaker(state: SessionState, speaker_id: str, **changes: Any) -> SessionState:
    speakers = tuple(replace(s, **changes) if s.id == speaker_id else s for s in state.speakers)
    return replace(state, speakers=speakers)


def _with_entry(state: SessionState, entry_id: str, **changes: Any) -> SessionState:
    entries = tuple(replace(e, **changes) if e.id == entry_id else e for e in state.entries)
    return replace(state, entries=entries)


def _banked(state: SessionState, speaker: Speaker, at: int) -> int:
    """The speaker's spoken time including the timer's run, if they hold the floor."""
    return spoken_ms(state, speaker, at)


@applies("session.opened")
def _opened(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="opening", started_at=at)


@applies("session.statements_began")
def _statements(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="statements")


@applies("session.qa_began")
def _qa(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="qa")


@applies("session.closed")
def _closed(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="closed", closed_at=at, floor=None, timer=IDLE, playback=None)


@applies("speaker.called")
def _speaker_called(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(_str(e, "speaker_id"))
    if speaker is None:
        return state
    state = _with_speaker(state, speaker.id, status="speaking")
    return replace(state, floor=Floor("speaker", speaker.id), timer=Timer(speaker.allotted_ms), playback=None)


@applies("speaker.finished")
def _speaker_finished(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(_str(e, "speaker_id"))
    if speaker is None:
        return state
    spoken = _banked(state, speaker, at)
    state = _with_speaker(state, speaker.id, status="done", spoken_ms=spoken)
    if state.floor == Floor("speaker", speaker.id):
        state = replace(state, floor=None, timer=IDLE, playback=None)
    return state


@applies("speaker.skipped")
def _speaker_skipped(state: SessionState, e: Event, at: int) -> SessionState:
    return _with_speaker(state, _str(e, "speaker_id"), status="skipped")


@applies("timer.started")
def _timer_started(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.start(at))


@applies("timer.paused")
def _timer_paused(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.pause(at))


@applies("timer.adjusted")
def _timer_adjusted(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.adjust(_int(e, "delta_ms")))


@applies("timer.reset")
def _timer_reset(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.reset())


@applies("queue.requested")
def _requested(state: SessionState, e: Event, at: int) -> SessionState:
    code = _str(e, "state")
    if not is_state(code):  # every screen names the State: a code that is none cannot be shown
        raise _Unreadable("state")
    entry = Entry(
        _str(e, "entry_id"),
        code,
        _optional_str(e, "addressed_to"),
        _optional_str(e, "topic") or "",
        at,
    )
    return replace(state, entries=(*state.entries, entry))


def _left_queue(status: str) -> Callable[[SessionState, Event, int], SessionState]:
    def apply(state: SessionState, e: Event, at: int) -> SessionState:
        entry = state.entry(_str(e, "entry_id"))
        if entry is None:
            return state
        state = _with_entry(
            state, entry.id, status=status, ended_at=at if entry.called_at is not None else None
        )
        if state.floor == Floor("question", entry.id):
            state = replace(state, floor=None, timer=IDLE)
        return state

    return apply


@applies("queue.called")
def _called(state: SessionState, e: Event, at: int) -> SessionState:
    entry_id = _str(e, "entry_id")
    if state.entry(entry_id) is None:
        return state
    state = _with_entry(state, entry_id, status="on_floor", called_at=at)
    timer = Timer(state.setup.question_seconds * 1000)
    return replace(state, floor=Floor("question", entry_id), timer=timer, playback=None)


@applies("queue.moved")
def _moved(state: SessionState, e: Event, at: int) -> SessionState:
    queue = list(state.queue)
    entry_id, position = _str(e, "entry_id"), _int(e, "position")
    entry = next((x for x in queue if x.id == entry_id), None)
    if entry is None:
        return state
    queue.remove(entry)
    queue.insert(min(position, len(queue)), entry)
    past = tuple(x for x in state.entries if not x.active)
    return replace(state, entries=(*past, *queue))


@applies("message.shown")
def _message_shown(state: SessionState, e: Event, at: int) -> SessionState:
    to = e.get("to")
    if to != "speaker" and to != "room":
        raise _Unreadable("to")
    return replace(state, message=Message(_str(e, "text"), to, bool(e.get("pinned", False))))


@applies("message.cleared")
def _message_cleared(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, message=None)


@applies("playback.started")
def _playback_started(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(_str(e, "speaker_id"))
    if speaker is None:
        return state
    spoken = _banked(state, speaker, at)
    state = _with_speaker(state, speaker.id, status="speaking", spoken_ms=spoken)
    duration = speaker.video_duration_ms
    timer = Timer(duration if duration is not None else speaker.allotted_ms, 0, at)
    playback = Playback("playing", speaker.id, 0, at, duration)
    return replace(state, floor=Floor("speaker", speaker.id), timer=timer, playback=playback)


@applies("playback.paused")
def _playback_paused(state: SessionState, e: Event, at: int) -> SessionState:
    if state.playback is None:
        return state
    return replace(state, playback=state.playback.pause(at), timer=state.timer.pause(at))


@applies("playback.resumed")
def _playback_resumed(state: SessionState, e: Event, at: int) -> SessionState:
    if state.playback is None:
        return state
    return replace(state, playback=state.playback.resume(at), timer=state.timer.start(at))


@applies("playback.sought")
def _playback_sought(state: SessionState, e: Event, at: int) -> SessionState:
    pb = state.playback
    if pb is None:
        return state
    position = _int(e, "position_ms")
    # The countdown follows the video: it has run exactly as far as the video has played.
    timer = Timer(state.timer.duration_ms, position, at if pb.status == "playing" else None)
    return replace(state, playback=pb.seek(position, at), timer=timer)


@applies("video.attached")
def _video_attached(state: SessionState, e: Event, at: int) -> SessionState:
    return _with_speaker(
        state,
        _str(e, "speaker_id"),
        video_url=_str(e, "url"),
        video_duration_ms=_optional_int(e, "duration_ms"),
    )


@applies("video.duration_reported")
def _duration_reported(state: SessionState, e: Event, at: int) -> SessionState:
    speaker_id, duration = _str(e, "speaker_id"), _int(e, "duration_ms")
    state = _with_speaker(state, speaker_id, video_duration_ms=duration)
    pb = state.playback
    if pb is not None and pb.speaker_id == speaker_id and pb.duration_ms is None:
        pb = Playback(pb.status, pb.speaker_id, pb.position_ms, pb.anchor, duration)
        state = replace(state, playback=pb, timer=replace(state.timer, duration_ms=duration))
    return state


# ---- the State under Review's opening statement -------------------------------------------------


@applies("sur.called")
def _sur_called(state: SessionState, e: Event, at: int) -> SessionState:
    seconds = state.setup.sur_statement_seconds
    if seconds is None:
        return state
    statement = replace(state.statement, status="speaking")
    floor = Floor("sur", state.setup.state_under_review)
    return replace(state, statement=statement, floor=floor, timer=Timer(seconds * 1000), playback=None)


@applies("sur.finished")
def _sur_finished(state: SessionState, e: Event, at: int) -> SessionState:
    if state.floor is None or state.floor.kind != "sur":
        return state
    statement = Statement("done", statement_spoken_ms(state, at))
    return replace(state, statement=statement, floor=None, timer=IDLE, playback=None)


# ---- changes to the agenda (core/amend.py decides them) -----------------------------------------

# The speaker's fields an event may set, with the type each must have (else the event is skipped).
_SPEAKER_FIELDS: dict[str, tuple[type, ...]] = {
    "key": (str,),
    "name": (str,),
    "organisation": (str,),
    "kind": (str,),
    "theme": (str,),
    "language": (str,),
    "allotted_ms": (int,),
    "public_name": (str, type(None)),
    "publish": (bool,),
}

# The session's facts `session.updated` may set (Setup's fields), with their types.
_SESSION_FIELDS: dict[str, tuple[type, ...]] = {
    "start_ms": (int,),
    "minutes": (int,),
    "question_seconds": (int,),
    "format": (str,),
    "sur_statement_seconds": (int, type(None)),
    "state_under_review": (str,),
}


def _fields(e: Event, types: dict[str, tuple[type, ...]]) -> dict[str, Any]:
    """The event's fields that `types` names, each checked (a bool is no int here)."""
    out = {}
    for name, allowed in types.items():
        if name in e:
            value = e[name]
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise _Unreadable(name)
            out[name] = value
    return out


def _placed(speakers: list[Speaker], speaker: Speaker, position: int | None) -> tuple[Speaker, ...]:
    at = len(speakers) if position is None else max(0, min(position, len(speakers)))
    return (*speakers[:at], speaker, *speakers[at:])


@applies("speaker.added")
def _speaker_added(state: SessionState, e: Event, at: int) -> SessionState:
    speaker_id = _str(e, "speaker_id")
    if state.speaker(speaker_id) is not None:
        return state
    fields = _fields(e, _SPEAKER_FIELDS)
    for name in ("key", "name", "kind", "language", "allotted_ms"):
        if name not in fields:
            raise _Unreadable(name)
    speaker = Speaker(
        speaker_id,
        fields.pop("key"),
        fields.pop("name"),
        fields.pop("organisation", ""),
        fields.pop("kind"),
        fields.pop("theme", ""),
        fields.pop("language"),
        fields.pop("allotted_ms"),
        **fields,
    )
    return replace(state, speakers=_placed(list(state.speakers), speaker, _optional_int(e, "position")))


@applies("speaker.updated")
def _speaker_updated(state: SessionState, e: Event, at: int) -> SessionState:
    return _with_speaker(state, _str(e, "speaker_id"), **_fields(e, _SPEAKER_FIELDS))


@applies("speaker.moved")
def _speaker_moved(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(_str(e, "speaker_id"))
    if speaker is None:
        return state
    others = [s for s in state.speakers if s.id != speaker.id]
    return replace(state, speakers=_placed(others, speaker, _int(e, "position")))


@applies("speaker.removed")
def _speaker_removed(state: SessionState, e: Event, at: int) -> SessionState:
    speaker_id = _str(e, "speaker_id")
    return replace(state, speakers=tuple(s for s in state.speakers if s.id != speaker_id))


@applies("session.updated")
def _session_updated(state: SessionState, e: Event, at: int) -> SessionState:
    fields = _fields(e, _SESSION_FIELDS)
    if fields.get("format", "in_person") not in ("in_person", "virtual", "hybrid"):
        raise _Unreadable("format")
    if not is_state(fields.get("state_under_review", "DE")):
        raise _Unreadable("state_under_review")
    return replace(state, setup=replace(state.setup, **fields))


for _status in ("withdrawn", "answered", "removed"):
    applies(f"queue.{_status}")(_left_queue(_status))
