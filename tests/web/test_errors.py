"""One exception handler: a Refused or a store error raised by an HTTP endpoint becomes the error body."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from moderator.core.errors import Refused
from moderator.store.protocol import StoreUnavailable
from moderator.web.errors import HANDLERS, STATUS, Problem
from tests.support.server import Running


async def _refuses(request: Request) -> Response:
    code = request.path_params["code"]
    if code == "where":
        raise Problem("invalid", "Bad %(code)s.", where="sessions[0]", code="thing")
    raise Refused(code, "There is no such session.")


def _app() -> Starlette:
    return Starlette(routes=[Route("/refuse/{code}", _refuses)], exception_handlers=HANDLERS)


@pytest.mark.parametrize("code", sorted(STATUS))
async def test_a_refusal_gets_its_status_and_a_translated_sentence(code: str):
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        r = await http.get(f"/refuse/{code}", headers={"Accept-Language": "fr"})
    assert r.status_code == STATUS[code]
    assert r.json() == {"error": {"code": code, "message": "Cette séance n'existe pas."}}


async def test_a_problem_carries_where_and_its_filled_sentence():
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        r = await http.get("/refuse/where")
    assert r.status_code == 422
    assert r.json() == {"error": {"code": "invalid", "message": "Bad thing.", "where": "sessions[0]"}}


async def test_a_read_while_the_store_is_unavailable_answers_503_with_a_sentence(
    server: Running, monkeypatch: pytest.MonkeyPatch
):
    """The database fails under a read (the token's lookup): 503 `unavailable`, not a 500."""

    async def failing(token: str) -> None:
        raise StoreUnavailable("disk I/O error", "io")

    monkeypatch.setattr(server.app.state.services.store, "principal", failing)
    r = await server.http.get(
        f"/api/sessions/{server.session_id()}/report", headers={"Authorization": "Bearer " + "x" * 20}
    )
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["code"] == "unavailable" and "Try again" in error["message"]
