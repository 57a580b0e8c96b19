"""GET and PUT /api/series/{id} (PROTOCOL §4): the agenda as it stands, and bringing it to a new one.

Admin or that series' moderator token; none: 401, another: 403. PUT (and its preview,
`?dry_run=true`) validates the document as POST does (422), decides the diff (core/changes.py)
and stores it all or nothing (runtime/series.py); a change that would rewrite what has happened
is 409 `conflict` with its `where`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderator.core.agenda import AgendaSeries
from moderator.core.changes import Conflict
from moderator.core.errors import N_, Refused
from moderator.core.snapshot import document
from moderator.i18n.translation import negotiate, translate
from moderator.runtime import series as amending
from moderator.store.protocol import Principal, StoreUnavailable
from moderator.web import urls
from moderator.web.api import dry_run, parse_document, read_json
from moderator.web.auth import bearer, principal, unauthorised
from moderator.web.errors import Problem
from moderator.web.services import services


async def caller(request: Request, series_id: str) -> Principal | Response:
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    if who.role != "admin" and not (who.role == "moderator" and who.series_id == series_id):
        raise Refused("forbidden", N_("Only the admin or this series' moderator may read or change it."))
    return who


def _lang(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"), request.query_params.get("lang"))


async def get_series(request: Request) -> Response:
    series_id = request.path_params["series_id"]
    who = await caller(request, series_id)
    if isinstance(who, Response):
        return who
    app = services(request)
    now = await amending.current(app.engine, app.store, series_id)
    if now is None:
        raise Refused("not_found", N_("There is no such series."))
    body = document(now.series, now.sessions, now.delegations)
    for session in body["sessions"]:
        session["links"] = urls.screens(session["id"])
    return JSONResponse({**body, "links": urls.series_links(series_id)})


def _conflict(conflict: Conflict) -> Problem:
    refused = conflict.refused
    return Problem(refused.code, refused.message, where=conflict.where, **refused.params)


async def put_series(request: Request) -> Response:
    series_id = request.path_params["series_id"]
    who = await caller(request, series_id)
    if isinstance(who, Response):
        return who
    agenda = parse_document(await read_json(request))
    return JSONResponse(await amend(request, series_id, who, agenda))


async def amend(request: Request, series_id: str, who: Principal, agenda: AgendaSeries) -> dict[str, Any]:
    """Bring the series to a validated agenda (a document or a spreadsheet), or with `?dry_run=true`
    say what that would change: the body of the 200; Problem 409 for a conflict."""
    app = services(request)
    moderator_token = bearer(request) if who.role == "moderator" else None
    preview = dry_run(request)
    try:
        outcome = await amending.amend(
            app.engine, app.store, series_id, agenda, moderator_token, dry_run=preview
        )
    except StoreUnavailable as e:
        message = N_("The server could not save this change, so nothing changed. Try again in a moment.")
        raise Problem("unavailable", message) from e
    found = outcome.diff
    if preview:
        lang = _lang(request)
        return {
            "changes": found.changes,
            "conflicts": [
                c.wire(translate(lang, c.refused.message, c.refused.params)) for c in found.conflicts
            ],
            "warnings": found.warnings,
        }
    if found.conflicts:
        raise _conflict(found.conflicts[0])
    for session_id in found.removed:
        app.hub.close_session(session_id)
    now = await amending.current(app.engine, app.store, series_id)
    assert now is not None
    added = {d.state for d in found.delegations_added}
    return {
        "series_id": series_id,
        "moderator_token": moderator_token,
        "sessions": [
            {
                "key": state.setup.key,
                "id": state.setup.session_id,
                "links": urls.screens(state.setup.session_id),
                "speakers": [{"key": s.key, "id": s.id} for s in state.speakers],
            }
            for state in now.sessions
        ],
        "delegations": [
            _delegation(code, outcome.tokens.get(code), code in added) for code, _ in now.delegations
        ],
        "warnings": found.warnings,
        "changes": found.changes,
        "links": urls.series_links(series_id),
    }


def _delegation(code: str, token: str | None, added: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"state": code, "added": added}
    if token is not None:
        out["token"] = token
        out["join_url"] = urls.join(token)
    return out


def routes() -> list[Route]:
    return [
        Route(urls.SERIES_ITEM_API, get_series, methods=["GET"]),
        Route(urls.SERIES_ITEM_API, put_series, methods=["PUT"]),
    ]
