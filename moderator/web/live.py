"""The WebSocket endpoint (PROTOCOL §3): a thin adapter from frames to the engine and back.

Order of refusals at the opening: Origin (at the handshake), then the hello is read; a first
frame that is not a hello closes 4400, an unknown session 4404, a token from an address with too
many failed sign-ins 4429, an unknown token 4401, too many sockets on one token (or viewers from
one address) 4429. After the hello every frame gets exactly one answer.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from moderator.core.commands import Actor, Command
from moderator.core.decide import authorise, known
from moderator.core.errors import N_, Refused
from moderator.core.strict_json import NotFinite, loads
from moderator.i18n.translation import DEFAULT_LOCALE, SUPPORTED_LOCALES, translate
from moderator.runtime.clock import now_ms
from moderator.runtime.hub import Client, encode, state_frame
from moderator.runtime.limits import TokenBucket
from moderator.store.tokens import token_hash
from moderator.web.auth import Closed, hello_actor
from moderator.web.guard import EXTENSION, Connection
from moderator.web.services import Services, services

HELLO_SECONDS = 10.0
FRAME_LIMIT = 64 * 1024


def origin_allowed(ws: WebSocket, allowed: frozenset[str]) -> bool:
    """Browsers always send Origin: it must be this server's own, or one the operator allowed."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: nothing to forge
    host = ws.headers.get("host", "")
    return origin in allowed or origin in (f"http://{host}", f"https://{host}")


async def live_endpoint(ws: WebSocket) -> None:
    app = services(ws)
    if not origin_allowed(ws, app.settings.allowed_origins):
        await ws.close(code=1008)
        return
    await ws.accept()
    try:
        raw = await asyncio.wait_for(ws.receive(), HELLO_SECONDS)
    except TimeoutError:
        await ws.close(code=4400, reason="No hello")
        return
    hello = _hello(raw)
    if hello is None:
        await ws.close(code=4400, reason="The first frame must be a hello")
        return
    connection: Connection | None = (ws.scope.get("extensions") or {}).get(EXTENSION)
    if connection is None:  # not served by cli.uvicorn_config: there is no wire for the hub
        await ws.close(code=1011, reason="Serve with 'moderator serve' (cli.uvicorn_config)")
        return
    connection.settled()  # no longer a waiting connection of its address (guard.py)
    session_id = ws.path_params["session_id"]
    state = await app.engine.lookup(session_id)
    if state is None:
        await ws.close(code=4404, reason="No such session")
        return
    token, lang = hello
    actor = await hello_actor(ws, token, state.setup.series_id)
    if isinstance(actor, Closed):
        await ws.close(code=actor.code, reason=actor.reason)
        return
    key = token_hash(token) if token is not None else None
    if key is not None and not app.connections.acquire(key):
        await ws.close(code=4429, reason="Too many connections with this token")
        return
    address = ws.client.host if key is None and ws.client is not None else None
    if address is not None and not app.viewers.acquire(address):
        await ws.close(code=4429, reason="Too many viewers from this address")
        return
    try:
        await _serve(ws, app, session_id, actor, lang, connection)
    finally:
        if key is not None:
            app.connections.release(key)
        if address is not None:
            app.viewers.release(address)


def _hello(raw: Any) -> tuple[str | None, str] | None:
    """(token, language) from a valid hello frame, else None."""
    text = raw.get("text")
    if raw.get("type") != "websocket.receive" or not isinstance(text, str) or len(text) > FRAME_LIMIT:
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
    return token, lang if lang in SUPPORTED_LOCALES else DEFAULT_LOCALE


async def _serve(
    ws: WebSocket, app: Services, session_id: str, actor: Actor, lang: str, connection: Connection
) -> None:
    # Frames go straight to the connection's socket, never through ws.send (hub.py, guard.py);
    # a dropped client is aborted, not closed: its descriptor is freed at once.
    client = Client(connection, actor.role, actor.state_code)
    now = now_ms()
    client.push(
        encode(
            {
                "type": "welcome",
                "role": actor.role,
                "state_code": actor.state_code,
                "server_time": now,
                "session_id": session_id,
                "lang": lang,
            }
        )
    )
    state = app.engine.state(session_id)
    assert state is not None  # looked up before the hello was answered; sessions are never dropped
    client.push_state(state_frame(state, client.view_role, now))
    app.hub.join(session_id, client)
    settings = app.settings
    if actor.role == "moderator":
        bucket = TokenBucket(settings.moderator_commands_per_second, settings.moderator_command_burst)
    else:
        bucket = TokenBucket(settings.commands_per_second, settings.command_burst)
    receiving = asyncio.ensure_future(ws.receive())
    dropped = asyncio.ensure_future(client.dropped.wait())
    try:
        while True:
            done, _ = await asyncio.wait({receiving, dropped}, return_when=asyncio.FIRST_COMPLETED)
            if dropped in done:
                return
            message = receiving.result()
            if message["type"] == "websocket.disconnect":
                return
            t1 = now_ms()
            answer = await _answer(message, t1, app, session_id, actor, lang, bucket)
            if answer is not None:
                client.push(encode(answer))
            receiving = asyncio.ensure_future(ws.receive())
    except WebSocketDisconnect:
        return
    finally:
        receiving.cancel()
        dropped.cancel()
        app.hub.leave(session_id, client)
        client.close()


def _error(lang: str, code: str, message: str, cid: Any = None, /, **params: Any) -> dict[str, Any]:
    return {"type": "error", "id": cid, "code": code, "message": translate(lang, message, params)}


async def _answer(
    message: Any, t1: int, app: Services, session_id: str, actor: Actor, lang: str, bucket: TokenBucket
) -> dict[str, Any] | None:
    text = message.get("text")
    if not isinstance(text, str):
        return _error(lang, "bad_message", N_("Frames must be JSON text, not binary."))
    if len(text) > FRAME_LIMIT:
        return _error(lang, "bad_message", N_("That frame is too large: at most 64 KiB."))
    try:
        frame = loads(text)
    except NotFinite:
        return _error(lang, "bad_message", N_("Numbers must be finite: NaN, Infinity and 1e400 are refused."))
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return _error(lang, "bad_message", N_("That frame is not valid JSON."))
    if not isinstance(frame, dict):
        return _error(lang, "bad_message", N_("A frame must be a JSON object with a 'type'."))
    cid = frame.get("id") if isinstance(frame.get("id"), str) and len(frame["id"]) <= 64 else None
    if not bucket.allow(time.monotonic()):
        return _error(lang, "rate_limited", N_("Too many frames: wait a second and try again."), cid)
    kind = frame.get("type")
    if kind == "ping":
        t0 = frame.get("t0")
        if isinstance(t0, bool) or not isinstance(t0, int | float):
            return _error(lang, "bad_message", N_("A ping needs a number 't0'."))
        return {"type": "pong", "t0": t0, "t1": t1, "t2": now_ms()}
    if kind == "command":
        return await _command(frame, app, session_id, actor, lang)
    if kind == "hello":
        return _error(lang, "bad_message", N_("This connection has already said hello."))
    return _error(lang, "bad_message", N_("Unknown frame type: use 'command' or 'ping'."))


async def _command(
    frame: dict[str, Any], app: Services, session_id: str, actor: Actor, lang: str
) -> dict[str, Any]:
    cid = frame.get("id")
    if not isinstance(cid, str) or not 0 < len(cid) <= 64:
        return _error(lang, "bad_message", N_("A command needs an 'id': a text of 1 to 64 characters."))
    name = frame.get("name")
    if not isinstance(name, str) or not known(name):
        return _error(lang, "bad_message", N_("Unknown command: see the list in docs/protocol.md."), cid)
    args = frame.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        try:
            authorise(Command(name), actor)  # the role is checked before the shape of the args
        except Refused as e:
            return _error(lang, e.code, e.message, cid, **e.params)
        return _error(lang, "invalid", N_("'args' must be a JSON object."), cid)
    try:
        seq = await app.engine.execute(session_id, Command(name, args), actor)
    except Refused as e:
        return _error(lang, e.code, e.message, cid, **e.params)
    return {"type": "ack", "id": cid, "seq": seq}
