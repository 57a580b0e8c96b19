"""The vocabulary of commands: who sends them, the checks of their args, and the registry type.

Each command is declared once, on its handler in decide.py (`@COMMANDS.command(...)`): its name,
the roles that may send it, its args and the event types it emits. The registry checks, in the
contract's order, the name, the role, then the shape of the args.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from moderator.core.agenda import AgendaError, Field
from moderator.core.errors import N_, Phrase, Refused
from moderator.core.state import SessionState
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


def ident(name: str, value: object) -> object:
    if not isinstance(value, str) or not value or len(value) > ID_MAX:
        raise Refused("invalid", N_("'%(arg)s' must be an id (a text of 1 to 64 characters)."), arg=name)
    return value


def optional_ident(name: str, value: object) -> object:
    return None if value is None else ident(name, value)


def int_between(low: int, high: int) -> Check:
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


def text(max_len: int, *, allow_empty: bool) -> Check:
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


def agenda_field(rule: Field) -> Check:
    """The check of a command arg that is an agenda field: the agenda's own rule (core/agenda.py),
    so a document and a live command accept exactly the same values. Null: the field's default
    where the field may be emptied (`public_name`), else `invalid`."""

    def check(name: str, value: object) -> object:
        if value is None:
            if rule.nullable:
                return rule.default
            raise Refused("invalid", N_("'%(arg)s' may not be null."), arg=name)
        try:
            return rule.read(value, name, None)
        except AgendaError as e:
            raise Refused(
                "invalid", N_("'%(arg)s': %(why)s"), arg=name, why=Phrase(e.message, **e.params)
            ) from e

    return check


def boolean(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise Refused("invalid", N_("'%(arg)s' must be true or false."), arg=name)
    return value


def message_target(name: str, value: object) -> object:
    if value not in ("speaker", "room"):
        raise Refused("invalid", N_('\'%(arg)s\' must be "speaker" or "room".'), arg=name)
    return value


MOD: frozenset[Role] = frozenset({"moderator"})
MISSION: frozenset[Role] = frozenset({"delegation"})
SYSTEM: frozenset[Role] = frozenset({"system"})


ms_in_hour = int_between(-HOUR_MS, HOUR_MS)
position_ms = int_between(0, 24 * HOUR_MS)

Event = dict[str, Any]
Handler = Callable[[SessionState, dict[str, Any], Actor, int], list[Event]]


@dataclass(frozen=True, slots=True)
class Spec:
    """One command: who may send it, its args (required, optional), its handler, what it emits."""

    name: str
    roles: frozenset[Role]
    handler: Handler
    required: Mapping[str, Check] = field(default_factory=dict)
    optional: Mapping[str, Check] = field(default_factory=dict)
    emits: frozenset[str] = frozenset()
    partial: bool = False  # optional args left out are absent from the parsed args (not None)


class Registry:
    """The commands by name; filled by the `command` decorator, each name once."""

    def __init__(self) -> None:
        self._specs: dict[str, Spec] = {}

    def command(
        self,
        name: str,
        roles: frozenset[Role],
        required: Mapping[str, Check] | None = None,
        optional: Mapping[str, Check] | None = None,
        *,
        emits: tuple[str, ...],
        partial: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function as the handler of command `name`."""

        def register(handler: Handler) -> Handler:
            if name in self._specs:
                raise ValueError(f"command {name!r} is declared twice")
            if not roles:
                raise ValueError(f"command {name!r} has no role that may send it")
            self._specs[name] = Spec(
                name, roles, handler, dict(required or {}), dict(optional or {}), frozenset(emits), partial
            )
            return handler

        return register

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[Spec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def spec(self, name: str) -> Spec:
        """The command's declaration, or `bad_message` for a name no command has."""
        spec = self._specs.get(name)
        if spec is None:
            raise Refused("bad_message", N_("Unknown command: see the list in docs/protocol.md."))
        return spec

    def authorise(self, command: Command, actor: Actor) -> Spec:
        """Refuse with `forbidden` when the actor's role may not send this command."""
        spec = self.spec(command.name)
        if actor.role not in spec.roles:
            raise Refused("forbidden", N_("Your role may not use '%(name)s'."), name=command.name)
        return spec

    def parse_args(self, command: Command) -> dict[str, Any]:
        """The args checked and cleaned, or `invalid` naming the first bad one."""
        spec = self.spec(command.name)
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
            if key in command.args:
                out[key] = check(key, command.args[key])
            elif not spec.partial:
                out[key] = None
        return out
