"""decide(state, command, actor, now) -> events, or Refused: every rule of the meeting lives here.

Each command is declared once, on its handler (`@COMMANDS.command`): its name, who may send it,
its args and the event types it emits. Checked in the contract's order: the name, the role, the
shape of the args, then (a closed session first) the rules of the meeting and the ids. Events
are plain JSON-ready dicts recording facts with their times; evolve.py folds them into the state.
"""

from __future__ import annotations

from typing import Any

from moderator.core.commands import (
    HOUR_MS,
    MESSAGE_MAX,
    MISSION,
    MOD,
    SYSTEM,
    TOPIC_MAX,
    Actor,
    Command,
    Event,
    Registry,
    boolean,
    ident,
    int_between,
    message_target,
    ms_in_hour,
    optional_ident,
    position_ms,
    text,
)
from moderator.core.errors import N_, Refused
from moderator.core.evolve import fold
from moderator.core.presets import PRESETS, is_preset
from moderator.core.rules import (
    OPEN_PHASES,
    SUR_MAY_REQUEST,
    SUR_STATEMENT_PHASES,
    UNDO_MS,
    is_state_under_review,
    next_video,
)
from moderator.core.state import Phase, SessionState, Speaker

# Every command, declared once on its handler below: roles, args, emitted event types, handler.
COMMANDS = Registry()


def known(name: str) -> bool:
    """Whether a command of this name exists."""
    return name in COMMANDS


def authorise(command: Command, actor: Actor) -> None:
    """Refuse with `bad_message` for an unknown name, `forbidden` when the role may not send it."""
    COMMANDS.authorise(command, actor)


def answer(command: Command, events: list[Event]) -> dict[str, Any]:
    """What the ack of `command` carries besides its seq: the id the core gave a new speaker."""
    if command.name == "speaker.add":
        return {"speaker_id": next(e["speaker_id"] for e in events if e["type"] == "speaker.added")}
    return {}


def decide(state: SessionState, command: Command, actor: Actor, now: int) -> list[Event]:
    """The events that `command` from `actor` at server time `now` causes, or raises Refused."""
    spec = COMMANDS.authorise(command, actor)
    args = COMMANDS.parse_args(command)
    if state.phase == "closed":
        raise Refused("conflict", N_("This session is closed; its report stays available."))
    events = spec.handler(state, args, actor, now)
    return [*events, *_message_after(state, events)]


# What decide may add after any command's own events (see _message_after).
FOLLOW_UPS = frozenset({"message.cleared"})


# The events that may give the floor to someone else or free it.
_FLOOR_EVENTS = frozenset(
    {
        "speaker.called",
        "speaker.finished",
        "sur.called",
        "sur.finished",
        "queue.called",
        "queue.answered",
        "queue.removed",
        "queue.withdrawn",
        "playback.started",
        "session.closed",
    }
)


def _message_after(state: SessionState, events: list[Event]) -> list[Event]:
    """A message to the speaker goes when the floor changes, unless the moderator pinned it."""
    message = state.message
    if message is None or message.to != "speaker" or message.pinned:
        return []
    if not any(e["type"] in _FLOOR_EVENTS for e in events):
        return []
    after = fold(state, events)
    if after.floor == state.floor or after.message != message:
        return []
    return [_ev("message.cleared", events[-1]["at"])]


def _ev(kind: str, at: int, **fields: Any) -> Event:
    return {"type": kind, "at": at, **fields}


# Why a command is refused in a phase, in words (never the phase's code): one sentence a phase.
_NOT_IN_PHASE: dict[Phase, str] = {
    "scheduled": N_("The session has not been opened yet."),
    "opening": N_("Not possible during the opening of the session."),
    "statements": N_("Not possible during the statements."),
    "qa": N_("Not possible during the questions."),
    "closed": N_("The session is closed."),
}


def _phase(state: SessionState, allowed: tuple[Phase, ...]) -> None:
    if state.phase not in allowed:
        raise Refused("conflict", _NOT_IN_PHASE[state.phase])


def _speaker(state: SessionState, speaker_id: str) -> Speaker:
    speaker = state.speaker(speaker_id)
    if speaker is None:
        raise Refused("not_found", N_("There is no speaker '%(id)s' in this session."), id=speaker_id)
    return speaker


# The events that may end a floor holder's turn (end_turn), for the commands' `emits`.
END_TURN = ("speaker.finished", "sur.finished", "queue.answered")


def end_turn(state: SessionState, at: int) -> list[Event]:
    """The events that end the current floor holder's turn (none if the floor is free)."""
    if state.floor is None:
        return []
    if state.floor.kind == "speaker":
        return [_ev("speaker.finished", at, speaker_id=state.floor.id)]
    if state.floor.kind == "sur":
        return [_ev("sur.finished", at)]
    return [_ev("queue.answered", at, entry_id=state.floor.id)]


# ---- phases -------------------------------------------------------------------------------------


@COMMANDS.command("session.open", MOD, emits=("session.opened",))
def _open(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _phase(state, ("scheduled",))
    return [_ev("session.opened", now)]


@COMMANDS.command("session.statements", MOD, emits=("session.statements_began",))
def _statements(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _phase(state, ("opening",))
    return [_ev("session.statements_began", now)]


@COMMANDS.command("session.qa", MOD, emits=("speaker.finished", "sur.finished", "session.qa_began"))
def _qa(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _phase(state, ("opening", "statements"))
    holder = end_turn(state, now) if state.floor is not None and state.floor.kind != "question" else []
    return [*holder, _ev("session.qa_began", now)]


@COMMANDS.command("session.close", MOD, emits=(*END_TURN, "session.closed"))
def _close(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    return [*end_turn(state, now), _ev("session.closed", now)]


# ---- speakers -----------------------------------------------------------------------------------


def _statements_begin(state: SessionState, at: int) -> list[Event]:
    """Giving a speaker the floor in the opening starts the statements (no need to press Statements)."""
    return [_ev("session.statements_began", at)] if state.phase == "opening" else []


@COMMANDS.command(
    "speaker.call",
    MOD,
    {"speaker_id": ident},
    emits=(*END_TURN, "session.statements_began", "speaker.called"),
)
def _call_speaker(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _phase(state, OPEN_PHASES)
    speaker = _speaker(state, args["speaker_id"])
    if state.floor is not None and state.floor.kind == "speaker" and state.floor.id == speaker.id:
        raise Refused("conflict", N_("%(name)s already has the floor."), name=speaker.name)
    return [
        *end_turn(state, now),
        *_statements_begin(state, now),
        _ev("speaker.called", now, speaker_id=speaker.id),
    ]


# Also ends the State under Review's opening statement: one "finish" for whoever speaks.
@COMMANDS.command("speaker.finish", MOD, emits=("speaker.finished", "sur.finished"))
def _finish(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    if state.floor is None or state.floor.kind == "question":
        raise Refused("conflict", N_("No speaker has the floor."))
    return end_turn(state, now)


@COMMANDS.command("sur.call", MOD, emits=(*END_TURN, "sur.called"))
def _call_sur(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    """The floor to the State under Review for its opening statement, with its own time."""
    if state.setup.sur_statement_seconds is None:
        raise Refused("conflict", N_("This session has no opening statement by the State under Review."))
    _phase(state, SUR_STATEMENT_PHASES)
    if state.floor is not None and state.floor.kind == "sur":
        raise Refused("conflict", N_("The State under Review already has the floor."))
    return [*end_turn(state, now), _ev("sur.called", now)]


@COMMANDS.command("speaker.skip", MOD, {"speaker_id": ident}, emits=("speaker.skipped",))
def _skip(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    if speaker.status == "speaking":
        raise Refused("conflict", N_("%(name)s has the floor: finish their turn instead."), name=speaker.name)
    if speaker.status != "waiting":
        raise Refused("conflict", N_("%(name)s is no longer waiting to speak."), name=speaker.name)
    return [_ev("speaker.skipped", now, speaker_id=speaker.id)]


# ---- timer --------------------------------------------------------------------------------------


def _floor_timer(state: SessionState) -> None:
    if state.floor is None:
        raise Refused("conflict", N_("Nobody has the floor: call a speaker or a question first."))
    if state.playback is not None:
        raise Refused("conflict", N_("A video is on: its time follows the video. Use the playback controls."))


@COMMANDS.command("timer.start", MOD, emits=("timer.started",))
def _timer_start(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _floor_timer(state)
    if state.timer.running:
        raise Refused("conflict", N_("The timer is already running."))
    return [_ev("timer.started", now)]


@COMMANDS.command("timer.pause", MOD, emits=("timer.paused",))
def _timer_pause(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _floor_timer(state)
    if not state.timer.running:
        raise Refused("conflict", N_("The timer is not running."))
    return [_ev("timer.paused", now)]


@COMMANDS.command("timer.adjust", MOD, {"delta_ms": ms_in_hour}, emits=("timer.adjusted",))
def _timer_adjust(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _floor_timer(state)
    delta: int = args["delta_ms"]
    if state.timer.duration_ms + delta < 0:
        raise Refused(
            "invalid",
            N_("That would make the time negative: at most %(seconds)s seconds can be taken off."),
            seconds=state.timer.duration_ms // 1000,
        )
    return [_ev("timer.adjusted", now, delta_ms=delta)]


@COMMANDS.command("timer.reset", MOD, emits=("timer.reset",))
def _timer_reset(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _floor_timer(state)
    return [_ev("timer.reset", now)]


# ---- the queue of States ------------------------------------------------------------------------


@COMMANDS.command(
    "queue.request",
    MISSION,
    optional={"addressed_to": optional_ident, "topic": text(TOPIC_MAX, allow_empty=True)},
    emits=("queue.requested",),
)
def _request(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    code = actor.state_code or ""
    if not SUR_MAY_REQUEST and is_state_under_review(state, code):
        raise Refused(
            "sur_cannot_ask",
            N_("The State under Review takes part in its own Pre-session but may not ask questions."),
        )
    _phase(state, OPEN_PHASES)
    if state.entry_of(code) is not None:
        raise Refused("already_queued", N_("Your State is already in the queue."))
    addressed_to = args["addressed_to"]
    if addressed_to is not None:
        _speaker(state, addressed_to)
    entry_id = f"q{len(state.entries) + 1}"
    return [
        _ev(
            "queue.requested",
            now,
            entry_id=entry_id,
            state=code,
            addressed_to=addressed_to,
            topic=args["topic"],
        )
    ]


def _active_entry(state: SessionState, entry_id: str) -> None:
    entry = state.entry(entry_id)
    if entry is None or not entry.active:
        raise Refused("not_found", N_("There is no request '%(id)s' in the queue."), id=entry_id)


@COMMANDS.command("queue.withdraw", MISSION, {"entry_id": ident}, emits=("queue.withdrawn",))
def _withdraw(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    entry_id = args["entry_id"]
    _active_entry(state, entry_id)
    entry = state.entry(entry_id)
    assert entry is not None
    if entry.state != actor.state_code:
        raise Refused("forbidden", N_("A mission can withdraw only its own request."))
    if entry.status == "on_floor":
        raise Refused("conflict", N_("You have the floor: the moderator will close your turn."))
    return [_ev("queue.withdrawn", now, entry_id=entry_id)]


@COMMANDS.command("queue.call", MOD, {"entry_id": ident}, emits=(*END_TURN, "queue.called"))
def _queue_call(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    entry_id = args["entry_id"]
    _active_entry(state, entry_id)
    _phase(state, ("qa",))
    entry = state.entry(entry_id)
    assert entry is not None
    if entry.status == "on_floor":
        raise Refused("conflict", N_("That State already has the floor."))
    return [*end_turn(state, now), _ev("queue.called", now, entry_id=entry_id)]


@COMMANDS.command("queue.done", MOD, {"entry_id": ident}, emits=("queue.answered",))
def _queue_done(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _active_entry(state, args["entry_id"])
    return [_ev("queue.answered", now, entry_id=args["entry_id"])]


@COMMANDS.command("queue.remove", MOD, {"entry_id": ident}, emits=("queue.removed",))
def _queue_remove(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _active_entry(state, args["entry_id"])
    return [_ev("queue.removed", now, entry_id=args["entry_id"])]


@COMMANDS.command(
    "queue.move", MOD, {"entry_id": ident, "position": int_between(0, 10_000)}, emits=("queue.moved",)
)
def _queue_move(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _active_entry(state, args["entry_id"])
    last = len(state.queue) - 1
    if args["position"] > last:
        raise Refused("invalid", N_("'position' must be from 0 to %(last)s."), last=last)
    return [_ev("queue.moved", now, entry_id=args["entry_id"], position=args["position"])]


# ---- messages -----------------------------------------------------------------------------------


def preset_id(name: str, value: object) -> object:
    if value is None:
        return None
    if not is_preset(value):
        raise Refused(
            "invalid",
            N_("'%(arg)s' must be one of the preset messages: %(ids)s."),
            arg=name,
            ids=", ".join(PRESETS),
        )
    return value


# `pinned`: the message stays when the floor changes (else a message to the speaker goes then).
# `preset`: one of core/presets.PRESETS; `text` is then that preset in the console's words, and
# each screen shows the preset in its own language.
@COMMANDS.command(
    "message.show",
    MOD,
    {"text": text(MESSAGE_MAX, allow_empty=False), "to": message_target},
    {"pinned": boolean, "preset": preset_id},
    emits=("message.shown",),
)
def _message_show(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    extra = {} if args["preset"] is None else {"preset": args["preset"]}
    return [_ev("message.shown", now, text=args["text"], to=args["to"], pinned=bool(args["pinned"]), **extra)]


@COMMANDS.command("message.clear", MOD, emits=("message.cleared",))
def _message_clear(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    if state.message is None:
        raise Refused("conflict", N_("There is no message to clear."))
    return [_ev("message.cleared", now)]


# ---- undo ---------------------------------------------------------------------------------------


@COMMANDS.command("undo", MOD, emits=("undone",))
def _undo(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    """Put back the last Finish, Done, Remove or Skip: for UNDO_MS, and until the floor changes."""
    u = state.undoable
    if u is None:
        raise Refused("conflict", N_("There is nothing to undo."))
    if now - u.at > UNDO_MS:
        raise Refused(
            "conflict",
            N_("It is too late to undo that: an action can be undone for %(seconds)s seconds."),
            seconds=UNDO_MS // 1000,
        )
    if u.floor and state.floor is not None:
        raise Refused("conflict", N_("Someone else has the floor now: that can no longer be undone."))
    entry = state.entry(u.id) if u.what in ("done", "remove") else None
    if entry is not None and state.entry_of(entry.state) is not None:
        raise Refused(
            "conflict", N_("That State has asked for the floor again since: that can no longer be undone.")
        )
    if u.what in ("finish", "skip") and state.speaker(u.id) is None:
        raise Refused("conflict", N_("There is nothing to undo."))
    return [_ev("undone", now, what=u.what, id=u.id)]


# ---- pre-recorded statements --------------------------------------------------------------------


def _virtual(state: SessionState) -> None:
    if state.setup.format == "in_person":
        raise Refused("conflict", N_("This session is in person: it has no videos to play."))


@COMMANDS.command(
    "playback.play",
    MOD,
    optional={"speaker_id": optional_ident},
    emits=("playback.resumed", *END_TURN, "session.statements_began", "playback.started"),
)
def _play(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _virtual(state)
    _phase(state, OPEN_PHASES)
    if args["speaker_id"] is None:
        if state.playback is None or state.playback.status != "paused":
            raise Refused("conflict", N_("No video is paused: choose a speaker's video to play."))
        return [_ev("playback.resumed", now)]
    speaker = _speaker(state, args["speaker_id"])
    if speaker.video_url is None:
        raise Refused("conflict", N_("%(name)s has no video yet."), name=speaker.name)
    holder = [] if state.floor is not None and state.floor.id == speaker.id else end_turn(state, now)
    return [*holder, *_statements_begin(state, now), _ev("playback.started", now, speaker_id=speaker.id)]


def _playing(state: SessionState) -> None:
    _virtual(state)
    if state.playback is None:
        raise Refused("conflict", N_("No video is on."))


@COMMANDS.command("playback.pause", MOD, emits=("playback.paused",))
def _pause_video(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _playing(state)
    assert state.playback is not None
    if state.playback.status != "playing":
        raise Refused("conflict", N_("The video is already paused."))
    return [_ev("playback.paused", now)]


@COMMANDS.command("playback.seek", MOD, {"position_ms": position_ms}, emits=("playback.sought",))
def _seek(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _playing(state)
    assert state.playback is not None
    duration = state.playback.duration_ms
    if duration is not None and args["position_ms"] > duration:
        raise Refused("invalid", N_("The video is only %(seconds)s seconds long."), seconds=duration // 1000)
    return [_ev("playback.sought", now, position_ms=args["position_ms"])]


@COMMANDS.command("playback.skip", MOD, emits=(*END_TURN, "playback.started"))
def _skip_video(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _playing(state)
    return [*end_turn(state, now), *_start_next(state, now)]


@COMMANDS.command("playback.stop", MOD, emits=END_TURN)
def _stop_video(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    _playing(state)
    return end_turn(state, now)


def _start_next(state: SessionState, at: int) -> list[Event]:
    current = state.playback.speaker_id if state.playback is not None else None
    nxt = next_video(state, after=current)
    return [] if nxt is None else [_ev("playback.started", at, speaker_id=nxt.id)]


def advance_due(state: SessionState) -> int | None:
    """When the server must wake to move past the video now playing (None: nothing to do)."""
    if state.phase == "closed" or state.playback is None:
        return None
    return state.playback.ends_at()


# Sent by the server itself when a video reaches its end.
@COMMANDS.command("playback.advance", SYSTEM, emits=(*END_TURN, "playback.started"))
def _advance(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    due = advance_due(state)
    if due is None or due > now:
        raise Refused("conflict", N_("No video has reached its end."))
    # Recorded at the moment the video ended, not when the server noticed: no drift, even after a restart.
    return [*end_turn(state, due), *_start_next(state, due)]


# The moderator's console reports the length of a video the server could not read from its
# file (only then: a length read from the file is final). No other role may: a viewer's
# report of 1 ms would end a statement at once.
@COMMANDS.command(
    "video.duration",
    MOD,
    {"speaker_id": ident, "duration_ms": int_between(1000, 4 * HOUR_MS)},
    emits=("video.duration_reported",),
)
def _video_duration(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    if speaker.video_url is None:
        raise Refused("conflict", N_("%(name)s has no video yet."), name=speaker.name)
    if speaker.video_duration_ms is not None:
        raise Refused("conflict", N_("The length of that video is already known."))
    return [_ev("video.duration_reported", now, speaker_id=speaker.id, duration_ms=args["duration_ms"])]


# Sent by the server itself when a video is uploaded.
@COMMANDS.command(
    "video.attach",
    SYSTEM,
    {"speaker_id": ident, "url": text(500, allow_empty=False)},
    {"duration_ms": int_between(1, 4 * HOUR_MS)},
    emits=("video.attached",),
)
def _video_attach(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    return [
        _ev("video.attached", now, speaker_id=speaker.id, url=args["url"], duration_ms=args["duration_ms"])
    ]


# The commands that change a session's agenda live (speaker.add, …, session.update): core/amend.py,
# registered on COMMANDS when it is imported, which is here, so `decide` always knows them.
from moderator.core import amend as _amend  # noqa: E402

assert _amend.__name__  # imported for its registrations
