"""The commands about connected screens (not about a session): declared once here, in their own registry.

They change nothing in a session's log. The core checks who may send them and their args, and
says what to do (`decide_screen` gives the effect as a list of plain dicts); the web adapter
(web/live.py) applies it to the runtime's list of screens (runtime/screens.py). Also here: what
a screen may say about itself in its hello (`"screen": {"id", "kind"}`).
"""

from __future__ import annotations

import re
from typing import Any

from moderator.core.commands import MOD, Actor, Command, Registry, Role, ident, int_between, text

SCREEN_COMMANDS = Registry()

KINDS = ("console", "speaker", "room", "watch", "phone", "other")
NAME_MAX = 40
IDENTIFY_SECONDS = 5
OFFSET_MAX_MS = 10 * 366 * 24 * 3_600_000  # a device whose clock is years off still reports
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
ANYONE: frozenset[Role] = frozenset({"moderator", "delegation", "viewer"})

Effect = dict[str, Any]


def screen_hello(value: object) -> tuple[str, str] | None:
    """(client id, kind) of a hello's `screen` object, or None if it is not a valid one."""
    if not isinstance(value, dict) or set(value) - {"id", "kind"}:
        return None
    client_id, kind = value.get("id"), value.get("kind", "other")
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id) or kind not in KINDS:
        return None
    return client_id, str(kind)


@SCREEN_COMMANDS.command(
    "screen.report",
    ANYONE,
    {"offset_ms": int_between(-OFFSET_MAX_MS, OFFSET_MAX_MS), "rtt_ms": int_between(0, 60_000)},
    emits=("screen.reported",),
)
def _report(state: Any, args: dict[str, Any], actor: Actor, now: int) -> list[Effect]:
    return [{"type": "screen.reported", "offset_ms": args["offset_ms"], "rtt_ms": args["rtt_ms"]}]


@SCREEN_COMMANDS.command("screens.list", MOD, emits=("screens.listed",))
def _list(state: Any, args: dict[str, Any], actor: Actor, now: int) -> list[Effect]:
    return [{"type": "screens.listed"}]


@SCREEN_COMMANDS.command(
    "screens.identify",
    MOD,
    {"screen_id": ident},
    {"seconds": int_between(1, 30)},
    emits=("screen.identify",),
)
def _identify(state: Any, args: dict[str, Any], actor: Actor, now: int) -> list[Effect]:
    seconds = args["seconds"] if args["seconds"] is not None else IDENTIFY_SECONDS
    return [{"type": "screen.identify", "screen_id": args["screen_id"], "seconds": seconds}]


@SCREEN_COMMANDS.command(
    "screens.name",
    MOD,
    {"screen_id": ident, "name": text(NAME_MAX, allow_empty=True)},
    emits=("screen.named",),
)
def _name(state: Any, args: dict[str, Any], actor: Actor, now: int) -> list[Effect]:
    return [{"type": "screen.named", "screen_id": args["screen_id"], "name": args["name"]}]


def decide_screen(command: Command, actor: Actor, now: int) -> list[Effect]:
    """The effect of a screen command, or `Refused` (`bad_message`, `forbidden`, `invalid`)."""
    spec = SCREEN_COMMANDS.authorise(command, actor)
    args = SCREEN_COMMANDS.parse_args(command)
    return spec.handler(None, args, actor, now)  # type: ignore[arg-type]
