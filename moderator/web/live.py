"""The WebSocket endpoint (PROTOCOL §3): a thin adapter from frames to the engine and back.

Order of refusals at the opening: Origin (at the handshake), then the hello is read; a first
frame that is not a hello closes 4400, an unknown session 4404, a token from an address with too
many failed sign-ins 4429, an unknown token 4401, too many sockets on one token (or viewers from
one address) 4429. After the hello every frame gets exactly one answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import Match, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from moderator.core.commands import Actor, Command
from moderator.core.decide import answer, authorise
from moderator.core.errors import N_, Refused
from moderator.core.screens import SCREEN_COMMANDS, decide_screen
from moderator.i18n.countries import state_ref
from moderator.runtime.clock import now_ms
from moderator.runtime.hub import Client, encode, framed_state
from moderator.runtime.limits import TokenBucket
from moderator.runtime.screens import Screen
from moderator.store.protocol import StoreError, StoreUnavailable
from moderator.store.tokens import token_hash
from moderator.web import frames
from moderator.web.auth import Closed, hello_actor
from moderator.web.guard import EXTENSION, Connection
from moderator.web.services import Services, services

HELLO_SECONDS = 10.0

log = logging.getLogger("moderator.web.live")


class LiveChannel:
    """The live channel's route, served ahead of the HTTP middleware stack (an ASGI app that wraps it).

    A screen's WebSocket stays open for hours, and every layer it passes through keeps a frame
    alive for as long: Starlette's error and exception middlewares, the router, the route and
    their wrappers cost about 4 KiB per connection, for nothing a WebSocket uses (its handshake
    carries no page headers; live_endpoint answers every refusal itself). So a WebSocket whose
    path is the live route's goes straight to `live_endpoint`; everything else, other WebSockets
    included, to `app`. The route stays in the router as well, for its name.
    """

    def __init__(self, app: ASGIApp, route: WebSocketRoute) -> None:
        self.app = app
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            match, child = self.route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                await live_endpoint(WebSocket(scope, receive=receive, send=send))
                return
        await self.app(scope, receive, send)


def origin_allowed(ws: WebSocket, allowed: frozenset[str], public_url: str | None = None) -> bool:
    """Browsers always send Origin: it must be this server's own (its public URL's too), or one the
    operator allowed."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: nothing to forge
    host = ws.headers.get("host", "")
    if public_url:
        parts = urlsplit(public_url)
        if origin == f"{parts.scheme}://{parts.netloc}":
            return True
    return origin in allowed or origin in (f"http://{host}", f"https://{host}")


async def live_endpoint(ws: WebSocket) -> None:
    app = services(ws)
    if not origin_allowed(ws, app.settings.allowed_origins, app.settings.public_url):
        await ws.close(code=1008)
        return
    await ws.accept()
    try:
        async with asyncio.timeout(HELLO_SECONDS):  # no task of its own, as wait_for would make
            raw = await ws.receive()
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
    token = hello.token
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
    released = False

    def release() -> None:
        """Free this socket's place under its token's (or address's) cap; once, however it ends."""
        nonlocal released
        if not released:
            released = True
            if key is not None:
                app.connections.release(key)
            if address is not None:
                app.viewers.release(address)

    try:
        await _serve(ws, app, session_id, actor, hello, connection, release)
    finally:
        release()


def _hello(raw: Any) -> frames.Hello | None:
    """The hello of a valid hello message, else None."""
    return frames.greeting(raw.get("text")) if raw.get("type") == "websocket.receive" else None


async def _serve(
    ws: WebSocket,
    app: Services,
    session_id: str,
    actor: Actor,
    hello: frames.Hello,
    connection: Connection,
    release: Callable[[], None],
) -> None:
    lang = hello.lang
    # Frames go straight to the connection's socket, never through ws.send (hub.py, guard.py);
    # a dropped client is aborted, not closed: its descriptor is freed at once, and the reader
    # below gets the disconnect.
    client = Client(connection, actor.role, actor.state_code)
    now = now_ms()
    client.push(frames.welcome(actor.role, actor.state_code, now, session_id, lang))
    state = app.engine.state(session_id)
    assert state is not None  # looked up before the hello was answered; sessions are never dropped
    client.push_state(framed_state(state, client.view_role, now), state)
    app.hub.join(session_id, client)
    series_id = state.setup.series_id
    if hello.screen is not None:
        client_id, kind = hello.screen
        screen = Screen(client_id, kind, lang, actor.role, series_id, session_id, now, hello.follow)
        app.screens.add(client, screen)
        with contextlib.suppress(StoreUnavailable):  # a name that cannot be read now comes later
            await app.screens.load(series_id)
        name = app.screens.name_of(series_id, client_id)
        if name:
            client.push(encode({"type": "screen", "screen_id": client_id, "name": name}))
    if hello.follow:
        app.followers.join(series_id, client)
    span = await _present(app, session_id, actor, now) if actor.role == "delegation" else None
    settings = app.settings
    if actor.role == "moderator":
        bucket = TokenBucket(settings.moderator_commands_per_second, settings.moderator_command_burst)
    else:
        bucket = TokenBucket(settings.commands_per_second, settings.command_burst)
    try:
        while True:
            message = await ws.receive()  # one task per connection, waiting here between frames
            if message["type"] == "websocket.disconnect" or client.gone:
                return
            t1 = now_ms()
            answer = await _answer(message, t1, app, session_id, actor, lang, bucket, client)
            client.push(answer)
    except WebSocketDisconnect:
        return
    finally:
        app.hub.leave(session_id, client)
        app.followers.leave(series_id, client)
        app.screens.remove(client)
        client.close()
        release()  # before the absence is written: a phone reconnecting at once finds its place free
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
    message: Any,
    t1: int,
    app: Services,
    session_id: str,
    actor: Actor,
    lang: str,
    bucket: TokenBucket,
    client: Client,
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
    if asked.name in SCREEN_COMMANDS:
        return await _screen_command(asked, app, session_id, actor, lang, client)
    return await _command(asked, app, session_id, actor, lang)


def _sur(app: Services, session_id: str) -> dict[str, str] | None:
    state = app.engine.state(session_id)
    return None if state is None else state_ref(state.setup.state_under_review)


async def _screen_command(
    frame: frames.CommandFrame, app: Services, session_id: str, actor: Actor, lang: str, client: Client
) -> str:
    """A command about connected screens (core/screens.py): checked by the core, applied here."""
    state = app.engine.state(session_id)
    assert state is not None
    series_id = state.setup.series_id
    try:
        if frame.args is None:
            SCREEN_COMMANDS.authorise(Command(frame.name), actor)
            raise Refused("invalid", N_("'args' must be a JSON object."))
        effects = decide_screen(Command(frame.name, frame.args), actor, now_ms())
        if actor.role == "moderator":
            await app.screens.load(series_id)
        extra: dict[str, Any] = {}
        for effect in effects:
            kind = effect["type"]
            if kind == "screen.reported":
                if not app.screens.report(client, effect["offset_ms"], effect["rtt_ms"]):
                    raise Refused(
                        "conflict",
                        N_("This connection named no screen in its hello: there is nothing to report."),
                    )
            elif kind == "screens.listed":
                extra["screens"] = [
                    {**row, "state_under_review": _sur(app, row["session_id"])}
                    for row in app.screens.listing(series_id)
                ]
                extra["server_time"] = now_ms()
            elif not app.screens.known(series_id, effect["screen_id"]):
                raise Refused("not_found", N_("No screen with that id is connected to this series."))
            elif kind == "screen.identify":
                extra["reached"] = app.screens.identify(series_id, effect["screen_id"], effect["seconds"])
            elif kind == "screen.named":
                await app.screens.rename(series_id, effect["screen_id"], effect["name"])
    except StoreUnavailable:
        message = N_("The server could not save this change, so nothing changed. Try again in a moment.")
        return frames.error(lang, "unavailable", message, frame.id)
    except Refused as e:
        return frames.error(lang, e.code, e.message, frame.id, **e.params)
    return frames.ack(frame.id, state.seq, **extra)


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
    command = Command(frame.name, frame.args)
    try:
        seq, events = await app.engine.run(session_id, command, actor)
    except Refused as e:
        return frames.error(lang, e.code, e.message, cid, **e.params)
    return frames.ack(cid, seq, **answer(command, events))
