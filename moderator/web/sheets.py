"""Spreadsheets over HTTP: the blank template, the example week, a series' week as XLSX, and uploads.

    GET  /api/series/template.xlsx?lang=fr      the blank template (public)
    GET  /api/series/example.xlsx               the example week (public)
    POST /api/series/sheet[?dry_run=true]       a new series from a spreadsheet (admin)
    GET  /api/series/{id}/agenda.xlsx           the week as it is now (admin or its moderator)
    PUT  /api/series/{id}/sheet[?dry_run=true]  the series brought to a spreadsheet (admin or its moderator)

An upload is the raw file as the body (XLSX or CSV; `?filename=` helps name a CSV). A bad file
or cell answers 422 `invalid` with `problems`, each a sentence at its row and column; nothing
is created or changed. Every rule is the agenda's (`core/agenda.py`), read by `moderator.sheets`.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderator.core.agenda import AgendaSeries
from moderator.core.errors import N_, Refused
from moderator.core.snapshot import document
from moderator.i18n.translation import negotiate
from moderator.runtime import series as amending
from moderator.sheets import ReadSheet, SheetError, read_sheet
from moderator.sheets.example import EXAMPLE
from moderator.sheets.files import MAX_BYTES
from moderator.sheets.writing import workbook
from moderator.web import api, series, urls
from moderator.web.api import dry_run
from moderator.web.auth import principal, unauthorised
from moderator.web.errors import Problem
from moderator.web.reports import attachment
from moderator.web.services import services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SERIES_FIELDS = ("title", "format", "venue", "timezone")


def _lang(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"), request.query_params.get("lang"))


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


async def template(request: Request) -> Response:
    """The blank template, its headers in the asked language."""
    doc = {"title": None, "format": "in_person", "venue": None, "timezone": "Europe/Zurich"}
    return _xlsx(workbook(doc, _lang(request), blank=True), "week-template.xlsx")


async def example(request: Request) -> Response:
    return _xlsx(EXAMPLE.read_bytes(), EXAMPLE.name)


async def read_upload(
    request: Request, given: dict[str, Any], missions: list[dict[str, Any]] | None = None
) -> ReadSheet:
    """The uploaded file read into a validated agenda; Problem `too_large`, or SheetError."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise Problem(
                "too_large", N_("The file is larger than %(mb)s MB."), mb=MAX_BYTES // (1024 * 1024)
            )
    name = request.query_params.get("filename", "")
    # A thousand rows take a few hundred ms to read: off the event loop, so live sessions keep time.
    return await anyio.to_thread.run_sync(read_sheet, bytes(body), name, given, missions)


def sheet_refused(request: Request, error: SheetError) -> JSONResponse:
    """422 with every problem in the reader's language; `message` is the first."""
    lang = _lang(request)
    problems = [p.wire(lang) for p in error.problems]
    body = {"code": "invalid", "message": problems[0]["message"], "problems": problems}
    return JSONResponse({"error": body}, status_code=422)


def outline(agenda: AgendaSeries) -> dict[str, Any]:
    """What a new series would hold, for the preview before it is created."""
    return {
        "title": agenda.title,
        "format": agenda.format,
        "timezone": agenda.timezone,
        "sessions": [
            {
                "key": s.key,
                "state_under_review": s.state_under_review,
                "start": s.start_ms,
                "minutes": s.minutes,
                "format": s.format or agenda.format,
                "speakers": [sp.name for sp in s.speakers],
            }
            for s in agenda.sessions
        ],
        "delegations": len(agenda.delegations),
    }


async def create_from_sheet(request: Request) -> Response:
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    if who.role != "admin":
        raise Refused("forbidden", N_("Only the admin token may create a series."))
    given = {k: request.query_params.get(k) or None for k in _SERIES_FIELDS}
    try:
        read = await read_upload(request, given)
    except SheetError as e:
        return sheet_refused(request, e)
    if dry_run(request):
        body = {
            "document": read.document,
            "series": outline(read.agenda),
            "warnings": list(read.agenda.warnings),
        }
        return JSONResponse(body)
    return JSONResponse(await api.create(request, read.agenda), status_code=201)


async def _current_document(request: Request, series_id: str) -> dict[str, Any]:
    app = services(request)
    now = await amending.current(app.engine, app.store, series_id)
    if now is None:
        raise Refused("not_found", N_("There is no such series."))
    return document(now.series, now.sessions, now.delegations)


async def series_xlsx(request: Request) -> Response:
    """The week as it stands, as the workbook a person edits and uploads again."""
    series_id = request.path_params["series_id"]
    who = await series.caller(request, series_id)
    if isinstance(who, Response):
        return who
    doc = await _current_document(request, series_id)
    data = await anyio.to_thread.run_sync(workbook, doc, _lang(request))
    return _xlsx(data, f"{doc['title']}.xlsx")


async def change_from_sheet(request: Request) -> Response:
    """The series brought to an uploaded spreadsheet, as PUT /api/series/{id} brings it to a document;
    the preview (`?dry_run=true`) also gives the document read from the file."""
    series_id = request.path_params["series_id"]
    who = await series.caller(request, series_id)
    if isinstance(who, Response):
        return who
    current = await _current_document(request, series_id)
    given = {k: current.get(k) for k in _SERIES_FIELDS}
    missions = [{k: v for k, v in d.items() if k in ("state", "label")} for d in current["delegations"]]
    try:
        read = await read_upload(request, given, missions)
    except SheetError as e:
        return sheet_refused(request, e)
    body = await series.amend(request, series_id, who, read.agenda)
    if dry_run(request):
        body["document"] = read.document
    return JSONResponse(body)


def routes() -> list[Route]:
    """Before api.routes(): `/api/series/template.xlsx` must not be read as a series id."""
    return [
        Route(urls.SHEET_TEMPLATE, template, methods=["GET"]),
        Route(urls.SHEET_EXAMPLE, example, methods=["GET"]),
        Route(urls.SHEET_UPLOAD, create_from_sheet, methods=["POST"]),
        Route(urls.SERIES_XLSX, series_xlsx, methods=["GET"]),
        Route(urls.SERIES_SHEET, change_from_sheet, methods=["PUT"]),
    ]
