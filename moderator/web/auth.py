"""Who is asking: the bearer token, its principal (behind the failed sign-in throttle), the 401/429
answer, and the role of a live connection's hello."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse

from moderator.core.commands import Actor
from moderator.core.errors import N_
from moderator.store.protocol import Principal
from moderator.web.errors import error
from moderator.web.services import services


def bearer(request: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else ""


async def principal(request: Request) -> Principal | None:
    """Whose bearer token this is; None for none, an unknown one, or an address that failed too often."""
    token = bearer(request)
    if token is None:
        return None
    app = services(request)
    peer = address(request)
    now = time.monotonic()
    if app.auth_failures.retry_after(peer, now) > 0:
        return None  # not even looked up: unauthorised() answers 429
    who = await app.store.principal(token)
    if who is None:
        app.auth_failures.failed(peer, now)
        request.state.failed_token = True
    return who


def unauthorised(request: Request) -> JSONResponse:
    """401; 429 for a token from an address past its failed sign-ins (limits.FailureThrottle)."""
    wait = services(request).auth_failures.retry_after(address(request), time.monotonic())
    if wait > 0 and bearer(request) is not None and not getattr(request.state, "failed_token", False):
        seconds = math.ceil(wait)
        response = error(
            request,
            429,
            "rate_limited",
            N_("Too many failed sign-ins from this address: try again in %(seconds)s seconds."),
            seconds=seconds,
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    return error(request, 401, "unauthorized", N_("Send 'Authorization: Bearer <token>' with a valid token."))


@dataclass(frozen=True, slots=True)
class Closed:
    """A hello refused: the socket is closed with this code and reason."""

    code: int
    reason: str


async def hello_actor(conn: HTTPConnection, token: str | None, series_id: str) -> Actor | Closed:
    """The actor of a live hello in a session of `series_id`: a viewer without a token, else the
    token's role; Closed 4429 for an address past its failed sign-ins, 4401 for an unknown token or
    one of another series."""
    if token is None:
        return Actor("viewer")
    app = services(conn)
    peer = address(conn)
    if app.auth_failures.retry_after(peer, time.monotonic()) > 0:
        return Closed(4429, "Too many failed sign-ins from this address: wait a minute")
    who = await app.store.principal(token)
    if who is None:
        app.auth_failures.failed(peer, time.monotonic())
    if who is None or (who.role != "admin" and who.series_id != series_id):
        return Closed(4401, "Unknown token")
    return Actor("delegation" if who.role == "delegation" else "moderator", who.state)
