"""The command table: who may send each command, and the shape of its args (checked in that order)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from moderator.core.errors import N_, Phrase, Refused
from moderator.core.text import TextError, clean_text

Role = Literal["moderator", "delegation", "viewer", "system"]

ID_MAX = 64
TOPIC_MAX = 280
MESSAGE_MAX = 200
HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Actor:
    """Who sends a command: their role, and for a mission its State."""

    role: Role
    state_code: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[str, object], object]


def _ident(name: str, value: object) -> object:
    if not isinstance(value, str) or not value or len(value) > ID_MAX:
        raise Refused("invalid", N_("'%(arg)s' must be an id (a text of 1 to 64 characters)."), arg=name)
    return value


def _optional_ident(name: str, value: object) -> object:
    return None if value is None else _ident(name, value)


def _int_between(low: int, high: int) -> Check:
    def check(name: str, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Refused(
                "invalid",
                N_("'%(arg)s' must be a whole number from %(low)s to %(high)s."),
                arg=name,
                low=low,
                high=high,
            )
        return value

    return check


def _text(max_len: int, *, allow_empty: bool) -> Check:
    def check(name: str, value: object) -> object:
        if value is None and allow_empty:
            return ""
        try:
            return clean_text(value, max_len, allow_empty=allow_empty)
        except TextError as e:
            raise Refused(
                "invalid", N_("'%(arg)s' %(why)s."), arg=name, why=Phrase(e.message, **e.params)
            ) from e

    return check


def _boolean(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise Refused("invalid", N_("'%(arg)s' must be true or false."), arg=name)
    return value


def _message_target(name: str, value: object) -> object:
    if value not in ("speaker", "room"):
        raise Refused("invalid", N_('\'%(arg)s\' must be "speaker" or "room".'), arg=name)
    return value


MOD: frozenset[Role] = frozenset({"moderator"})
MISSION: frozenset[Role] = frozenset({"delegation"})
SYSTEM: frozenset[Role] = frozenset({"system"})


@dataclass(frozen=True, slots=True)
class Spec:
    roles: frozenset[Role]
    required: Mapping[str, Check] = field(default_factory=dict)
    optional: Mapping[str, Check] = field(default_factory=dict)


_ms_in_hour = _int_between(-HOUR_MS, HOUR_MS)
_position_ms = _int_between(0, 24 * HOUR_MS)

SPECS: dict[str, Spec] = {
    "session.open": Spec(MOD),
    "session.statements": Spec(MOD),
    "session.qa": Spec(MOD),
    "session.close": Spec(MOD),
    "speaker.call": Spec(MOD, {"speaker_id": _ident}),
    "speaker.finish": Spec(MOD),
    "speaker.skip": Spec(MOD, {"speaker_id": _ident}),
    "timer.start": Spec(MOD),
    "timer.pause": Spec(MOD),
    "timer.adjust": Spec(MOD, {"delta_ms": _ms_in_hour}),
    "timer.reset": Spec(MOD),
    "queue.request": Spec(
        MISSION, optional={"addressed_to": _optional_ident, "topic": _text(TOPIC_MAX, allow_empty=True)}
    ),
    "queue.withdraw": Spec(MISSION, {"entry_id": _ident}),
    "queue.call": Spec(MOD, {"entry_id": _ident}),
    "queue.done": Spec(MOD, {"entry_id": _ident}),
    "queue.remove": Spec(MOD, {"entry_id": _ident}),
    "queue.move": Spec(MOD, {"entry_id": _ident, "position": _int_between(0, 10_000)}),
    # `pinned`: the message stays when the floor changes (else a message to the speaker goes then).
    "message.show": Spec(
        MOD,
        {"text": _text(MESSAGE_MAX, allow_empty=False), "to": _message_target},
        {"pinned": _boolean},
    ),
    "message.clear": Spec(MOD),
    "playback.play": Spec(MOD, optional={"speaker_id": _optional_ident}),
    "playback.pause": Spec(MOD),
    "playback.seek": Spec(MOD, {"position_ms": _position_ms}),
    "playback.skip": Spec(MOD),
    "playback.stop": Spec(MOD),
    # The moderator's console reports the length of a video the server could not read from its
    # file (only then: a length read from the file is final). No other role may: a viewer's
    # report of 1 ms would end a statement at once.
    "video.duration": Spec(MOD, {"speaker_id": _ident, "duration_ms": _int_between(1000, 4 * HOUR_MS)}),
    # Sent by the server itself: when a video reaches its end, and when one is uploaded.
    "playback.advance": Spec(SYSTEM),
    "video.attach": Spec(
        SYSTEM,
        {"speaker_id": _ident, "url": _text(500, allow_empty=False)},
        {"duration_ms": _int_between(1, 4 * HOUR_MS)},
    ),
}


def known(name: str) -> bool:
    return name in SPECS


def authorise(command: Command, actor: Actor) -> None:
    """Refuse with `forbidden` when the actor's role may not send this command."""
    if actor.role not in SPECS[command.name].roles:
        raise Refused("forbidden", N_("Your role may not use '%(name)s'."), name=command.name)


def parse_args(command: Command) -> dict[str, Any]:
    """The args checked and cleaned, or `invalid` naming the first bad one."""
    spec = SPECS[command.name]
    for key in command.args:
        if key not in spec.required and key not in spec.optional:
            raise Refused(
                "invalid", N_("'%(name)s' takes no argument '%(arg)s'."), name=command.name, arg=key
            )
    out: dict[str, Any] = {}
    for key, check in spec.required.items():
        if key not in command.args:
            raise Refused(
                "invalid", N_("'%(name)s' needs the argument '%(arg)s'."), name=command.name, arg=key
            )
        out[key] = check(key, command.args[key])
    for key, check in spec.optional.items():
        out[key] = check(key, command.args[key]) if key in command.args else None
    return out
