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

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderator.core.agenda import AgendaSeries
from moderator.core.errors import N_, Refused
from moderator.i18n.translation import negotiate
from moderator.sheets import ReadSheet, SheetError, read_sheet
from moderator.sheets.example import EXAMPLE
from moderator.sheets.files import MAX_BYTES
from moderator.sheets.writing import workbook
from moderator.store.protocol import StoreUnavailable
from moderator.web import api, urls
from moderator.web.api import attachment
from moderator.web.auth import principal, unauthorised
from moderator.web.errors import Problem
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


async def read_upload(request: Request, series: dict[str, Any]) -> ReadSheet:
    """The uploaded file read into a validated agenda; Problem `too_large`, or SheetError."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BYTES:
            raise Problem(
                "too_large", N_("The file is larger than %(mb)s MB."), mb=MAX_BYTES // (1024 * 1024)
            )
    return read_sheet(body, request.query_params.get("filename", ""), series)


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
    if request.query_params.get("dry_run") == "true":
        body = {
            "document": read.document,
            "series": outline(read.agenda),
            "warnings": list(read.agenda.warnings),
        }
        return JSONResponse(body)
    try:
        created = await services(request).store.create_series(read.agenda)
    except StoreUnavailable as e:
        message = N_("The server could not save this change, so nothing changed. Try again in a moment.")
        raise Problem("unavailable", message) from e
    await services(request).engine.add_sessions([s["id"] for s in created.sessions])
    body = {**api.series_response(created, read.agenda), "workspace": urls.workspace(created.series_id)}
    return JSONResponse(body, status_code=201)


def routes() -> list[Route]:
    """Before api.routes(): `/api/series/template.xlsx` must not be read as a series id."""
    return [
        Route(urls.SHEET_TEMPLATE, template, methods=["GET"]),
        Route(urls.SHEET_EXAMPLE, example, methods=["GET"]),
        Route(urls.SHEET_UPLOAD, create_from_sheet, methods=["POST"]),
    ]
