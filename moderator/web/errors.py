"""One exception handler for domain errors: a `Refused` (or a store error) raised by an HTTP endpoint
becomes the protocol's error body `{"error": {"code", "message", "where"?}}` in the request's language."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from moderator.core.errors import N_, Refused
from moderator.i18n.translation import negotiate, translate
from moderator.store.protocol import StoreUnavailable

log = logging.getLogger("moderator.web")

# The HTTP status of each error code (docs/protocol.md, A. HTTP); a code not listed is 422.
STATUS: dict[str, int] = {
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "invalid": 422,
    "rate_limited": 429,
    "unavailable": 503,
    "internal": 503,
}


class Problem(Refused):
    """A refusal of an HTTP request that also says where: `where`, a place in the document."""

    def __init__(self, code: str, message: str, /, where: str | None = None, **params: Any) -> None:
        super().__init__(code, message)
        self.params = params  # set here: a sentence may have a %(code)s or %(message)s of its own
        self.where = where


def error(
    request: HTTPConnection, status: int, code: str, message: str, /, where: str | None = None, **params: Any
) -> JSONResponse:
    """An error body; positional-only, so a sentence may have a %(code)s or %(message)s of its own."""
    lang = negotiate(request.headers.get("accept-language"), request.query_params.get("lang"))
    body: dict[str, Any] = {"code": code, "message": translate(lang, message, params)}
    if where is not None:
        body["where"] = where
    return JSONResponse({"error": body}, status_code=status)


async def refused(request: Request, exc: Exception) -> Response:
    """A Refused raised by an HTTP endpoint: its code's status, its sentence translated."""
    if request.scope["type"] != "http":
        raise exc  # the live channel answers its own refusals (web/live.py)
    assert isinstance(exc, Refused)
    where = exc.where if isinstance(exc, Problem) else None
    return error(request, STATUS.get(exc.code, 422), exc.code, exc.message, where=where, **exc.params)


async def unavailable(request: Request, exc: Exception) -> Response:
    """The database failed under a request (read or write): 503 `unavailable`, never a 500."""
    if request.scope["type"] != "http":
        raise exc
    log.warning("the store is unavailable for %s %s: %s", request.method, request.url.path, exc)
    message = N_("The server could not reach its database just now: nothing changed. Try again in a moment.")
    return error(request, 503, "unavailable", message)


HANDLERS: dict[Any, Any] = {Refused: refused, StoreUnavailable: unavailable}
