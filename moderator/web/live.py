"""The WebSocket endpoint (PROTOCOL §3): a thin adapter from frames to the engine and back.

Order of refusals at the opening: Origin (at the handshake), then the hello is read; a first
frame that is not a hello closes 4400, an unknown session 4404, a token from an address with too
many failed sign-ins 4429, an unknown token 4401, too many sockets on one token (or viewers from
one address) 4429. After the hello every frame gets exactly one answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from moderator.core.commands import Actor, Command
from moderator.core.decide import authorise
from moderator.core.errors import N_, Refused
from moderator.runtime.clock import now_ms
from moderator.runtime.hub import Client
from moderator.runtime.limits import TokenBucket
from moderator.store.protocol import StoreError
from moderator.store.tokens import token_hash
from moderator.web import frames
from moderator.web.auth import Closed, hello_actor
from moderator.web.guard import EXTENSION, Connection
from moderator.web.services import Services, services

HELLO_SECONDS = 10.0

log = logging.getLogger("moderator.web.live")


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
    """(token, language) from a valid hello message, else None."""
    return frames.hello(raw.get("text")) if raw.get("type") == "websocket.receive" else None


async def _serve(
    ws: WebSocket, app: Services, session_id: str, actor: Actor, lang: str, connection: Connection
) -> None:
    # Frames go straight to the connection's socket, never through ws.send (hub.py, guard.py);
    # a dropped client is aborted, not closed: its descriptor is freed at once.
    client = Client(connection, actor.role, actor.state_code)
    now = now_ms()
    client.push(frames.welcome(actor.role, actor.state_code, now, session_id, lang))
    state = app.engine.state(session_id)
    assert state is not None  # looked up before the hello was answered; sessions are never dropped
    client.push_state(frames.state(state, client.view_role, now))
    app.hub.join(session_id, client)
    span = await _present(app, session_id, actor, now) if actor.role == "delegation" else None
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
            client.push(answer)
            receiving = asyncio.ensure_future(ws.receive())
    except WebSocketDisconnect:
        return
    finally:
        receiving.cancel()
        dropped.cancel()
        app.hub.leave(session_id, client)
        client.close()
        if span is not None:
            await _absent(app, span)


async def _present(app: Services, session_id: str, actor: Actor, now: int) -> int | None:
    """Note that this mission's phone is connected (attendance; never an event: no screen is told)."""
    try:
        return await app.store.presence_began(session_id, actor.state_code or "", now)
    except StoreError as e:  # the meeting goes on without it; the attendance misses this span
        log.warning("could not record the presence of %s in %s: %s", actor.state_code, session_id, e)
        return None


async def _absent(app: Services, span: int) -> None:
    try:
        await app.store.presence_ended(span, now_ms())
    except (StoreError, ValueError) as e:  # left open: it counts as ended when the session ended
        # (ValueError: the store was already closed, the server stopping; end_presence ended it)
        log.warning("could not record the end of presence span %s: %s", span, e)


async def _answer(
    message: Any, t1: int, app: Services, session_id: str, actor: Actor, lang: str, bucket: TokenBucket
) -> str:
    frame = frames.read(message.get("text"))
    if isinstance(frame, frames.Bad):
        return frames.bad(lang, frame)
    if not bucket.allow(time.monotonic()):
        words = N_("Too many frames: wait a second and try again.")
        return frames.error(lang, "rate_limited", words, frames.frame_id(frame))
    asked = frames.classify(frame)
    if isinstance(asked, frames.Bad):
        return frames.bad(lang, asked)
    if isinstance(asked, frames.Ping):
        return frames.pong(asked.t0, t1, now_ms())
    return await _command(asked, app, session_id, actor, lang)


async def _command(
    frame: frames.CommandFrame, app: Services, session_id: str, actor: Actor, lang: str
) -> str:
    cid = frame.id
    if frame.args is None:
        try:
            authorise(Command(frame.name), actor)  # the role is checked before the shape of the args
        except Refused as e:
            return frames.error(lang, e.code, e.message, cid, **e.params)
        return frames.error(lang, "invalid", N_("'args' must be a JSON object."), cid)
    try:
        seq = await app.engine.execute(session_id, Command(frame.name, frame.args), actor)
    except Refused as e:
        return frames.error(lang, e.code, e.message, cid, **e.params)
    return frames.ack(cid, seq)
