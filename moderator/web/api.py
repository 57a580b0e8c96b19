"""The HTTP admin API (PROTOCOL §2): series creation (the reports are web/reports.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderator.core.agenda import AgendaError, AgendaSeries, parse_agenda
from moderator.core.errors import N_, Refused
from moderator.core.snapshot import normalised
from moderator.core.strict_json import NotFinite, loads
from moderator.core.view import view
from moderator.runtime.clock import now_ms
from moderator.store.protocol import CreatedSeries, StoreUnavailable
from moderator.web import urls
from moderator.web.auth import principal, unauthorised
from moderator.web.errors import Problem
from moderator.web.services import services


async def read_json(request: Request) -> Any:
    """The request's JSON body; Problem `too_large` over the limit, `invalid` if it is not JSON."""
    limit = services(request).settings.max_body_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(
                "too_large", N_("The document is larger than %(mb)s MB."), mb=limit // (1024 * 1024)
            )
    try:
        return loads(body)
    except NotFinite as e:
        message = N_("Numbers must be finite: NaN, Infinity and 1e400 are refused.")
        raise Problem("invalid", message, where="") from e
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise Problem("invalid", N_("The body is not valid JSON."), where="") from e


async def create_series(request: Request) -> Response:
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    if who.role != "admin":
        raise Refused("forbidden", N_("Only the admin token may create a series."))
    agenda = parse_document(await read_json(request))
    if dry_run(request):  # the validated preview of the creation; nothing is created
        return JSONResponse({**normalised(agenda), "warnings": list(agenda.warnings)})
    return JSONResponse(await create(request, agenda), status_code=201)


async def create(request: Request, agenda: AgendaSeries) -> dict[str, Any]:
    """Create the series of a validated agenda (a document or a spreadsheet): the 201 body."""
    try:
        created = await services(request).store.create_series(agenda)
    except StoreUnavailable as e:
        message = N_("The server could not save this change, so nothing changed. Try again in a moment.")
        raise Problem("unavailable", message) from e
    await services(request).engine.add_sessions([s["id"] for s in created.sessions])
    return series_response(created, agenda)


def parse_document(doc: object) -> AgendaSeries:
    """An agenda document validated for POST and PUT: 422 `invalid` with `where`."""
    try:
        agenda = parse_agenda(doc)
    except AgendaError as e:
        raise Problem("invalid", e.message, where=e.where, **e.params) from e
    for i, s in enumerate(agenda.sessions):
        for j, sp in enumerate(s.speakers):
            if sp.video is not None:
                message = N_(
                    "Video files are read by 'moderator import' only; "
                    "upload a video with PUT /api/speakers/{id}/video."
                )
                raise Problem("invalid", message, where=f"sessions[{i}].speakers[{j}].video")
    return agenda


def dry_run(request: Request) -> bool:
    """`?dry_run=true`: answer what would be done, do nothing."""
    return request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")


def links(session_id: str) -> dict[str, str]:
    return urls.screens(session_id)


def series_response(created: CreatedSeries, agenda: AgendaSeries) -> dict[str, Any]:
    return {
        "series_id": created.series_id,
        "moderator_token": created.moderator_token,
        "links": urls.series_links(created.series_id),
        "sessions": [{**s, "links": links(s["id"])} for s in created.sessions],
        "delegations": [{**d, "join_url": urls.join(d["token"])} for d in created.delegations],
        "warnings": list(agenda.warnings),
        "workspace": urls.workspace(created.series_id),
    }


async def session_state(request: Request) -> Response:
    """The public projection of one session, for scripts and for screens before their socket opens."""
    state = await services(request).engine.lookup(request.path_params["session_id"])
    if state is None:
        raise Refused("not_found", N_("There is no such session."))
    now = now_ms()
    return JSONResponse({"seq": state.seq, "server_time": now, "session": view(state, "viewer", now)})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz),
        Route(urls.SERIES_API, create_series, methods=["POST"]),
        Route(urls.SESSION_API, session_state),
    ]
