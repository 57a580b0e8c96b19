"""The commands that change a session's agenda while it lives (PROTOCOL §4): speaker.add, .update,
.move, .remove, session.update, and the server's own agenda.update (a PUT of the series).

Each is declared once here, on the registry of decide.py (which imports this module), and emits
events evolve.py folds into the current facts of the session (`state.setup`, `state.speakers`).
Every field is checked by the agenda's own rule (core/agenda.py, through `agenda_field`), so a
document and a live command accept the same values. A new speaker's id is decided here, from the
session's id and the seq its event will have: deterministic, and never reused in that session.
"""

from __future__ import annotations

from typing import Any

from moderator.core.agenda import MAX_SPEAKERS, SESSION_RULES, SPEAKER_FIELDS, SPEAKER_RULES, Field
from moderator.core.commands import MOD, SYSTEM, Actor, Check, agenda_field, ident, int_between
from moderator.core.decide import COMMANDS, _speaker
from moderator.core.errors import N_, Refused
from moderator.core.rules import removable
from moderator.core.state import SessionState, Speaker
from moderator.i18n.countries import is_state

Event = dict[str, Any]

# The speaker's fields the live commands take; `seconds` becomes the event's `allotted_ms`.
SPEAKER_ARGS = SPEAKER_FIELDS
# A speaker added live needs only a name; these stand for the rest until someone fills them in.
ADD_DEFAULTS = {"kind": "cso", "language": "en"}
SESSION_ARGS = tuple(SESSION_RULES)  # start, minutes, question_seconds, format, sur_statement_seconds, …
_position = int_between(0, 10_000)


def _ev(event_type: str, at: int, **fields: Any) -> Event:
    return {"type": event_type, "at": at, **fields}


def _checks(rules: dict[str, Field], names: tuple[str, ...]) -> dict[str, Check]:
    return {name: agenda_field(rules[name]) for name in names}


def _speaker_fields(args: dict[str, Any]) -> dict[str, Any]:
    """The event's fields for the speaker args given (`seconds` as `allotted_ms`)."""
    out = {k: v for k, v in args.items() if k in SPEAKER_ARGS and k != "seconds"}
    if "seconds" in args:
        out["allotted_ms"] = args["seconds"] * 1000
    return out


def _free_key(state: SessionState) -> str:
    taken = {s.key for s in state.speakers}
    n = len(state.speakers) + 1
    while f"s{n}" in taken:
        n += 1
    return f"s{n}"


def _key_free(state: SessionState, key: str, speaker_id: str | None = None) -> None:
    if any(s.key == key and s.id != speaker_id for s in state.speakers):
        raise Refused("conflict", N_("The speaker key %(key)s is already used in this session."), key=key)


def new_speaker_id(state: SessionState) -> str:
    """The id of a speaker added by the next event of `state`'s log."""
    return f"{state.setup.session_id}-{state.seq + 1}"


def _nothing_to_change(name: str) -> Refused:
    return Refused("invalid", N_("'%(name)s' needs at least one field to change."), name=name)


@COMMANDS.command(
    "speaker.add",
    MOD,
    {"name": agenda_field(SPEAKER_RULES["name"])},
    {**_checks(SPEAKER_RULES, tuple(a for a in SPEAKER_ARGS if a != "name")), "position": _position},
    emits=("speaker.added",),
    partial=True,
)
def _add(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    if len(state.speakers) >= MAX_SPEAKERS:
        raise Refused("conflict", N_("A session has at most %(max)s speakers."), max=MAX_SPEAKERS)
    position = args.get("position")
    if position is not None and position > len(state.speakers):
        raise Refused("invalid", N_("'position' must be from 0 to %(last)s."), last=len(state.speakers))
    key = args.get("key") or _free_key(state)
    _key_free(state, key)
    fields = {
        **{name: SPEAKER_RULES[name].default for name in SPEAKER_ARGS if not SPEAKER_RULES[name].required},
        **ADD_DEFAULTS,
        **args,
        "key": key,
    }
    event = _speaker_fields(fields)
    event = {**event, "speaker_id": new_speaker_id(state), "position": position}
    return [{"type": "speaker.added", "at": now, **event}]


@COMMANDS.command(
    "speaker.update",
    MOD,
    {"speaker_id": ident},
    _checks(SPEAKER_RULES, SPEAKER_ARGS),
    emits=("speaker.updated",),
    partial=True,
)
def _update(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    fields = _speaker_fields(args)
    if not fields:
        raise _nothing_to_change("speaker.update")
    if "key" in fields:
        _key_free(state, fields["key"], speaker.id)
    return [{"type": "speaker.updated", "at": now, "speaker_id": speaker.id, **fields}]


@COMMANDS.command("speaker.move", MOD, {"speaker_id": ident, "position": _position}, emits=("speaker.moved",))
def _move(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    last = len(state.speakers) - 1
    if args["position"] > last:
        raise Refused("invalid", N_("'position' must be from 0 to %(last)s."), last=last)
    return [_ev("speaker.moved", now, speaker_id=speaker.id, position=args["position"])]


def removal_refused(speaker: Speaker) -> Refused | None:
    """Why this speaker may not leave the agenda (they are part of what happened), or None."""
    if removable(speaker):
        return None
    if speaker.status == "speaking":
        return Refused(
            "conflict", N_("%(name)s has the floor: they cannot be removed now."), name=speaker.name
        )
    return Refused(
        "conflict",
        N_("%(name)s has already had the floor: they stay in the record of this session."),
        name=speaker.name,
    )


@COMMANDS.command("speaker.remove", MOD, {"speaker_id": ident}, emits=("speaker.removed",))
def _remove(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    speaker = _speaker(state, args["speaker_id"])
    refused = removal_refused(speaker)
    if refused is not None:
        raise refused
    return [_ev("speaker.removed", now, speaker_id=speaker.id)]


def _session_fields(state: SessionState, args: dict[str, Any]) -> dict[str, Any]:
    """The event's fields of session.update's args, refused where they would rewrite what happened."""
    fields = {("start_ms" if k == "start" else k): v for k, v in args.items() if k in SESSION_ARGS}
    if "format" in fields and fields["format"] != state.setup.format and state.phase != "scheduled":
        raise Refused("conflict", N_("The format can change only before the session is opened."))
    if "sur_statement_seconds" in fields and fields["sur_statement_seconds"] is None:
        if state.floor is not None and state.floor.kind == "sur":
            raise Refused("conflict", N_("The State under Review has the floor: finish its statement first."))
        if state.statement.status != "waiting":
            message = N_("The State under Review has made its opening statement: it stays in the record.")
            raise Refused("conflict", message)
    return fields


@COMMANDS.command(
    "session.update",
    MOD,
    optional=_checks(SESSION_RULES, SESSION_ARGS),
    emits=("session.updated",),
    partial=True,
)
def _session_update(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    fields = _session_fields(state, args)
    if not fields:
        raise _nothing_to_change("session.update")
    return [_ev("session.updated", now, **fields)]


def _sur(name: str, value: object) -> object:
    if not isinstance(value, str) or not is_state(value):
        raise Refused("invalid", N_("'%(arg)s' must be the code of a UN Member or observer State."), arg=name)
    return value


# Sent by the server itself for a PUT of the series (runtime/series.py): what no live command
# changes, a scheduled session's State under Review (the series' title and venue are facts of the
# series, not of a session's log: the engine gives them to its sessions, Engine.absorb).
@COMMANDS.command(
    "agenda.update",
    SYSTEM,
    optional={**_checks(SESSION_RULES, SESSION_ARGS), "state_under_review": _sur},
    emits=("session.updated",),
    partial=True,
)
def _agenda_update(state: SessionState, args: dict[str, Any], actor: Actor, now: int) -> list[Event]:
    fields = _session_fields(state, args)
    code = args.get("state_under_review")
    if code is not None and code != state.setup.state_under_review:
        if state.phase != "scheduled":
            message = N_("This session has been opened: its State under Review cannot change.")
            raise Refused("conflict", message)
        fields["state_under_review"] = code
    if not fields:
        raise _nothing_to_change("agenda.update")
    return [_ev("session.updated", now, **fields)]
