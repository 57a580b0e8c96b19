"""Services: what the lifespan builds (store, engine, hub, limits), typed; `services(conn)` reaches it."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from moderator.runtime.engine import Engine
from moderator.runtime.follow import Followers
from moderator.runtime.hub import Hub
from moderator.runtime.limits import ConnectionCounter, FailureThrottle
from moderator.runtime.screens import Screens
from moderator.settings import Settings
from moderator.store.protocol import Store


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    store: Store
    engine: Engine
    hub: Hub
    connections: ConnectionCounter  # sockets per token
    viewers: ConnectionCounter  # viewer sockets per address
    auth_failures: FailureThrottle  # failed sign-ins per address
    followers: Followers  # screens that follow their series (PROTOCOL §5)
    screens: Screens  # connected screens, as the console lists them


def services(conn: HTTPConnection) -> Services:
    """The app's Services, for a Request or a WebSocket (the lifespan keeps them in app.state)."""
    found: Services = conn.app.state.services
    return found
