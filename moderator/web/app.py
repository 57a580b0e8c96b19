"""create_app(settings): the Starlette application, with a lifespan that opens and closes the store."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp

from moderator.runtime.clock import now_ms
from moderator.runtime.engine import Engine
from moderator.runtime.follow import Followers
from moderator.runtime.hub import Hub
from moderator.runtime.limits import ConnectionCounter, FailureThrottle
from moderator.runtime.screens import Screens
from moderator.settings import Settings
from moderator.store import open_store
from moderator.store.protocol import Store, StoreError
from moderator.web import (
    api,
    errors,
    media,
    record_pages,
    reports,
    screens,
    series,
    sheets,
    statements,
    workspace,
)
from moderator.web.live import LiveChannel, live_endpoint
from moderator.web.security import SecurityHeaders
from moderator.web.services import Services

log = logging.getLogger("moderator")

LIVE_ROUTE = WebSocketRoute("/ws/sessions/{session_id}", live_endpoint)


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = await open_store(settings)
        try:
            generated = await store.ensure_admin_token(settings.admin_token)
            if generated is not None:
                # Printed once, on the console of whoever started the server; only its hash is kept.
                print(f"Admin token (shown once, keep it safe): {generated}", flush=True)
            engine = Engine(store)
            await engine.load()
        except BaseException:
            await store.close()  # its thread would keep the process alive after uvicorn gives up
            raise
        hub = Hub()
        engine.listen(hub.publish)
        followers = Followers(engine.states, engine.clock)
        engine.listen(followers.changed)
        hub.start()
        # What start-up made (modules, the app, the sessions' states) lives as long as the process:
        # the collector need not walk it again at every full collection, which with thousands of
        # screens joining at once came back every few hundred joins. Collected first, so no garbage
        # is frozen; given back at the end (a process running several apps, as the tests do).
        gc.collect()
        gc.freeze()
        following = asyncio.get_running_loop().create_task(engine.follow())  # other processes' changes
        app.state.services = Services(
            settings=settings,
            store=store,
            engine=engine,
            hub=hub,
            connections=ConnectionCounter(settings.connections_per_token),
            viewers=ConnectionCounter(settings.max_connections_per_address),
            auth_failures=FailureThrottle(settings.auth_failures_per_minute, 60.0),
            followers=followers,
            screens=Screens(store),
        )
        try:
            yield
        finally:
            gc.unfreeze()
            following.cancel()
            engine.close()
            followers.stop()
            await hub.stop()
            await _end_presence(store)
            await store.close()

    routes: list[BaseRoute] = [
        *sheets.routes(),
        *workspace.routes(),
        *api.routes(),
        *series.routes(),
        *reports.routes(),
        *statements.routes(),
        *record_pages.routes(),
        *media.routes(),
        LIVE_ROUTE,
        *screens.routes(),
    ]
    return _Hardened(routes=routes, lifespan=lifespan, exception_handlers=errors.HANDLERS)


async def _end_presence(store: Store) -> None:
    """The phones still connected when the server stops: their presence ends now."""
    try:
        await store.end_presence(now_ms())
    except StoreError as e:  # left open: each counts as ended when its session ended
        log.warning("could not end the open presence spans: %s", e)


class _Hardened(Starlette):
    """Starlette with SecurityHeaders outside its error handler, so even a 500 carries them, and the
    live channel's WebSockets taken before either (live.LiveChannel)."""

    def build_middleware_stack(self) -> ASGIApp:
        return LiveChannel(SecurityHeaders(super().build_middleware_stack()), LIVE_ROUTE)
