"""The wire frames of the live channel (PROTOCOL §3), parsed and built: pure functions, no I/O.

A client frame is read in two steps, so the per-socket rate is checked between them as before:
`read(text)` gives the JSON object or a `Bad` answer, then `classify(frame)` a `Ping`, a
`CommandFrame` or a `Bad`. The builders return encoded text. The state frame is built by
`runtime/hub.state_frame` (the hub encodes it once per role; runtime may not import web), and is
re-exported here as `state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moderator.core.decide import known
from moderator.core.errors import N_
from moderator.core.screens import SCREEN_COMMANDS, screen_hello
from moderator.core.strict_json import NotFinite, loads
from moderator.i18n.translation import DEFAULT_LOCALE, SUPPORTED_LOCALES, translate
from moderator.runtime.hub import encode
from moderator.runtime.hub import state_frame as state

__all__ = [
    "FRAME_LIMIT",
    "Bad",
    "Hello",
    "CommandFrame",
    "Ping",
    "ack",
    "classify",
    "error",
    "frame_id",
    "greeting",
    "hello",
    "pong",
    "read",
    "state",
    "welcome",
]

FRAME_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class Bad:
    """A frame answered with an error: its code, English sentence (a msgid) and the frame's id."""

    code: str
    message: str
    id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ping:
    t0: int | float


@dataclass(frozen=True, slots=True)
class CommandFrame:
    """A command frame whose id and name are valid; `args` is None when it is not a JSON object
    (the role is checked before that is refused as `invalid`)."""

    id: str
    name: str
    args: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Hello:
    """A valid hello: the token, the language, whether the screen follows its series (PROTOCOL §5),
    and the screen's own client id and kind, if it gave them (docs/protocol.md, connected screens)."""

    token: str | None
    lang: str
    follow: bool = False
    screen: tuple[str, str] | None = None


def hello(text: Any) -> tuple[str | None, str] | None:
    """(token, language) from the text of a valid hello frame, else None."""
    found = greeting(text)
    return None if found is None else (found.token, found.lang)


def greeting(text: Any) -> Hello | None:
    """The hello of the text of a valid hello frame, else None."""
    if not isinstance(text, str) or len(text) > FRAME_LIMIT:
        return None
    try:
        frame = loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None
    if not isinstance(frame, dict) or frame.get("type") != "hello":
        return None
    token = frame.get("token")
    if token is not None and (not isinstance(token, str) or not 0 < len(token) <= 256):
        return None
    lang = frame.get("lang")
    follow = frame.get("follow", False)
    if not isinstance(follow, bool):
        return None
    screen = None
    if frame.get("screen") is not None:
        screen = screen_hello(frame["screen"])
        if screen is None:
            return None
    return Hello(token, lang if lang in SUPPORTED_LOCALES else DEFAULT_LOCALE, follow, screen)


def read(text: Any) -> dict[str, Any] | Bad:
    """The JSON object of a frame's text (None for a binary frame), or why it is not one."""
    if not isinstance(text, str):
        return Bad("bad_message", N_("Frames must be JSON text, not binary."))
    if len(text) > FRAME_LIMIT:
        return Bad("bad_message", N_("That frame is too large: at most 64 KiB."))
    try:
        frame = loads(text)
    except NotFinite:
        return Bad("bad_message", N_("Numbers must be finite: NaN, Infinity and 1e400 are refused."))
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return Bad("bad_message", N_("That frame is not valid JSON."))
    if not isinstance(frame, dict):
        return Bad("bad_message", N_("A frame must be a JSON object with a 'type'."))
    return frame


def frame_id(frame: dict[str, Any]) -> str | None:
    """The frame's id to echo in an answer: a text of at most 64 characters, else None."""
    cid = frame.get("id")
    return cid if isinstance(cid, str) and len(cid) <= 64 else None


def classify(frame: dict[str, Any]) -> Ping | CommandFrame | Bad:
    """What a client frame after the hello asks for."""
    kind = frame.get("type")
    if kind == "ping":
        t0 = frame.get("t0")
        if isinstance(t0, bool) or not isinstance(t0, int | float):
            return Bad("bad_message", N_("A ping needs a number 't0'."))
        return Ping(t0)
    if kind == "command":
        return _command(frame)
    if kind == "hello":
        return Bad("bad_message", N_("This connection has already said hello."))
    return Bad("bad_message", N_("Unknown frame type: use 'command' or 'ping'."))


def _command(frame: dict[str, Any]) -> CommandFrame | Bad:
    cid = frame.get("id")
    if not isinstance(cid, str) or not 0 < len(cid) <= 64:
        return Bad("bad_message", N_("A command needs an 'id': a text of 1 to 64 characters."))
    name = frame.get("name")
    if not isinstance(name, str) or not (known(name) or name in SCREEN_COMMANDS):
        return Bad("bad_message", N_("Unknown command: see the list in docs/protocol.md."), cid)
    args = frame.get("args", {})
    if args is None:
        args = {}
    return CommandFrame(cid, name, args if isinstance(args, dict) else None)


def welcome(role: str, state_code: str | None, server_time: int, session_id: str, lang: str) -> str:
    return encode(
        {
            "type": "welcome",
            "role": role,
            "state_code": state_code,
            "server_time": server_time,
            "session_id": session_id,
            "lang": lang,
        }
    )


def ack(cid: str, seq: int, **extra: Any) -> str:
    """An ack; `extra`: what the command's answer adds (`speaker_id` for speaker.add)."""
    return encode({"type": "ack", "id": cid, "seq": seq, **extra})


def error(lang: str, code: str, message: str, cid: str | None = None, /, **params: Any) -> str:
    """An error frame, its sentence translated; positional-only, so a sentence may have its own %(code)s."""
    return encode({"type": "error", "id": cid, "code": code, "message": translate(lang, message, params)})


def bad(lang: str, problem: Bad) -> str:
    return error(lang, problem.code, problem.message, problem.id, **problem.params)


def pong(t0: int | float, t1: int, t2: int) -> str:
    return encode({"type": "pong", "t0": t0, "t1": t1, "t2": t2})
