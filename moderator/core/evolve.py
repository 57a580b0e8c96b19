"""evolve(state, event) -> state: pure and total. Every stored event replays; checks live in decide.py.

An event that refers to something that is not there (which decide never produces) leaves the
state as it was, so a log always folds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import reduce
from typing import Any

from moderator.core.playback import Playback
from moderator.core.rules import spoken_ms
from moderator.core.state import Entry, Floor, Message, SessionState, Speaker
from moderator.core.timer import IDLE, Timer

Event = Mapping[str, Any]


def evolve(state: SessionState, event: Event) -> SessionState:
    """The state after `event`; `seq` grows by one whatever the event."""
    apply = _APPLY.get(str(event.get("type")))
    at = int(event.get("at", 0))
    new = apply(state, event, at) if apply is not None else state
    return replace(new, seq=state.seq + 1)


def fold(state: SessionState, events: Iterable[Event]) -> SessionState:
    return reduce(evolve, events, state)


def _with_speaker(state: SessionState, speaker_id: str, **changes: Any) -> SessionState:
    speakers = tuple(replace(s, **changes) if s.id == speaker_id else s for s in state.speakers)
    return replace(state, speakers=speakers)


def _with_entry(state: SessionState, entry_id: str, **changes: Any) -> SessionState:
    entries = tuple(replace(e, **changes) if e.id == entry_id else e for e in state.entries)
    return replace(state, entries=entries)


def _banked(state: SessionState, speaker: Speaker, at: int) -> int:
    """The speaker's spoken time including the timer's run, if they hold the floor."""
    return spoken_ms(state, speaker, at)


def _opened(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="opening", started_at=at)


def _statements(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="statements")


def _qa(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="qa")


def _closed(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, phase="closed", closed_at=at, floor=None, timer=IDLE, playback=None)


def _speaker_called(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(e["speaker_id"])
    if speaker is None:
        return state
    state = _with_speaker(state, speaker.id, status="speaking")
    return replace(state, floor=Floor("speaker", speaker.id), timer=Timer(speaker.allotted_ms), playback=None)


def _speaker_finished(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(e["speaker_id"])
    if speaker is None:
        return state
    spoken = _banked(state, speaker, at)
    state = _with_speaker(state, speaker.id, status="done", spoken_ms=spoken)
    if state.floor == Floor("speaker", speaker.id):
        state = replace(state, floor=None, timer=IDLE, playback=None)
    return state


def _speaker_skipped(state: SessionState, e: Event, at: int) -> SessionState:
    return _with_speaker(state, e["speaker_id"], status="skipped")


def _timer_started(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.start(at))


def _timer_paused(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.pause(at))


def _timer_adjusted(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.adjust(int(e["delta_ms"])))


def _timer_reset(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, timer=state.timer.reset())


def _requested(state: SessionState, e: Event, at: int) -> SessionState:
    entry = Entry(e["entry_id"], e["state"], e.get("addressed_to"), e.get("topic") or "", at)
    return replace(state, entries=(*state.entries, entry))


def _left_queue(status: str) -> Callable[[SessionState, Event, int], SessionState]:
    def apply(state: SessionState, e: Event, at: int) -> SessionState:
        entry = state.entry(e["entry_id"])
        if entry is None:
            return state
        state = _with_entry(
            state, entry.id, status=status, ended_at=at if entry.called_at is not None else None
        )
        if state.floor == Floor("question", entry.id):
            state = replace(state, floor=None, timer=IDLE)
        return state

    return apply


def _called(state: SessionState, e: Event, at: int) -> SessionState:
    if state.entry(e["entry_id"]) is None:
        return state
    state = _with_entry(state, e["entry_id"], status="on_floor", called_at=at)
    timer = Timer(state.setup.question_seconds * 1000)
    return replace(state, floor=Floor("question", e["entry_id"]), timer=timer, playback=None)


def _moved(state: SessionState, e: Event, at: int) -> SessionState:
    queue = list(state.queue)
    entry = next((x for x in queue if x.id == e["entry_id"]), None)
    if entry is None:
        return state
    queue.remove(entry)
    queue.insert(min(int(e["position"]), len(queue)), entry)
    past = tuple(x for x in state.entries if not x.active)
    return replace(state, entries=(*past, *queue))


def _message_shown(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, message=Message(e["text"], e["to"], bool(e.get("pinned", False))))


def _message_cleared(state: SessionState, e: Event, at: int) -> SessionState:
    return replace(state, message=None)


def _playback_started(state: SessionState, e: Event, at: int) -> SessionState:
    speaker = state.speaker(e["speaker_id"])
    if speaker is None:
        return state
    spoken = _banked(state, speaker, at)
    state = _with_speaker(state, speaker.id, status="speaking", spoken_ms=spoken)
    duration = speaker.video_duration_ms
    timer = Timer(duration if duration is not None else speaker.allotted_ms, 0, at)
    playback = Playback("playing", speaker.id, 0, at, duration)
    return replace(state, floor=Floor("speaker", speaker.id), timer=timer, playback=playback)


def _playback_paused(state: SessionState, e: Event, at: int) -> SessionState:
    if state.playback is None:
        return state
    return replace(state, playback=state.playback.pause(at), timer=state.timer.pause(at))


def _playback_resumed(state: SessionState, e: Event, at: int) -> SessionState:
    if state.playback is None:
        return state
    return replace(state, playback=state.playback.resume(at), timer=state.timer.start(at))


def _playback_sought(state: SessionState, e: Event, at: int) -> SessionState:
    pb = state.playback
    if pb is None:
        return state
    position = int(e["position_ms"])
    # The countdown follows the video: it has run exactly as far as the video has played.
    timer = Timer(state.timer.duration_ms, position, at if pb.status == "playing" else None)
    return replace(state, playback=pb.seek(position, at), timer=timer)


def _video_attached(state: SessionState, e: Event, at: int) -> SessionState:
    return _with_speaker(state, e["speaker_id"], video_url=e["url"], video_duration_ms=e.get("duration_ms"))


def _duration_reported(state: SessionState, e: Event, at: int) -> SessionState:
    duration = int(e["duration_ms"])
    state = _with_speaker(state, e["speaker_id"], video_duration_ms=duration)
    pb = state.playback
    if pb is not None and pb.speaker_id == e["speaker_id"] and pb.duration_ms is None:
        pb = Playback(pb.status, pb.speaker_id, pb.position_ms, pb.anchor, duration)
        state = replace(state, playback=pb, timer=replace(state.timer, duration_ms=duration))
    return state


_APPLY: dict[str, Callable[[SessionState, Event, int], SessionState]] = {
    "session.opened": _opened,
    "session.statements_began": _statements,
    "session.qa_began": _qa,
    "session.closed": _closed,
    "speaker.called": _speaker_called,
    "speaker.finished": _speaker_finished,
    "speaker.skipped": _speaker_skipped,
    "timer.started": _timer_started,
    "timer.paused": _timer_paused,
    "timer.adjusted": _timer_adjusted,
    "timer.reset": _timer_reset,
    "queue.requested": _requested,
    "queue.withdrawn": _left_queue("withdrawn"),
    "queue.answered": _left_queue("answered"),
    "queue.removed": _left_queue("removed"),
    "queue.called": _called,
    "queue.moved": _moved,
    "message.shown": _message_shown,
    "message.cleared": _message_cleared,
    "playback.started": _playback_started,
    "playback.paused": _playback_paused,
    "playback.resumed": _playback_resumed,
    "playback.sought": _playback_sought,
    "video.attached": _video_attached,
    "video.duration_reported": _duration_reported,
}
