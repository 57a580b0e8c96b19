"""create_app(settings): the Starlette application, with a lifespan that opens and closes the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp

from moderator.runtime.engine import Engine
from moderator.runtime.hub import Hub
from moderator.runtime.limits import ConnectionCounter, FailureThrottle
from moderator.settings import Settings
from moderator.store import open_store
from moderator.web import api, errors, media, screens, series, sheets, workspace
from moderator.web.live import live_endpoint
from moderator.web.security import SecurityHeaders
from moderator.web.services import Services

log = logging.getLogger("moderator")


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
        hub.start()
        following = asyncio.get_running_loop().create_task(engine.follow())  # other processes' changes
        app.state.services = Services(
            settings=settings,
            store=store,
            engine=engine,
            hub=hub,
            connections=ConnectionCounter(settings.connections_per_token),
            viewers=ConnectionCounter(settings.max_connections_per_address),
            auth_failures=FailureThrottle(settings.auth_failures_per_minute, 60.0),
        )
        try:
            yield
        finally:
            following.cancel()
            engine.close()
            await hub.stop()
            await store.close()

    routes: list[BaseRoute] = [
        *sheets.routes(),
        *workspace.routes(),
        *api.routes(),
        *series.routes(),
        *media.routes(),
        WebSocketRoute("/ws/sessions/{session_id}", live_endpoint),
        *screens.routes(),
    ]
    return _Hardened(routes=routes, lifespan=lifespan, exception_handlers=errors.HANDLERS)


class _Hardened(Starlette):
    """Starlette with SecurityHeaders outside its error handler, so even a 500 carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())
