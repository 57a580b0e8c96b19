"""The record over HTTP (PROTOCOL §2 report, §6): one session's report and the series', as JSON,
CSV (for people: times in the series' zone, seconds, names, a byte order mark) and XLSX.

Every figure comes from the core (`core/report.py`, `core/record.py`, `core/report_table.py`),
made from the event log and the missions' presence spans; this module reads them and presents.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from moderator.core.errors import N_, Refused
from moderator.core.record import SeriesRef, record
from moderator.core.report import report
from moderator.core.report_table import SERIES_COLUMNS, SESSION_COLUMNS, rows, table, to_csv
from moderator.core.state import SessionState, initial
from moderator.i18n.locales import CODES
from moderator.runtime.clock import now_ms
from moderator.store.protocol import Principal, SeriesInfo
from moderator.web import urls
from moderator.web.auth import principal, unauthorised
from moderator.web.services import Services, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("json", "csv", "xlsx")


def attachment(name: str) -> str:
    """Content-Disposition for `name` (RFC 6266): an ASCII fallback, and the exact name encoded (RFC 5987)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def may_read(who: Principal, series_id: str) -> bool:
    return who.role == "admin" or (who.role == "moderator" and who.series_id == series_id)


def _format(request: Request) -> str:
    kind = request.query_params.get("format", "json")
    if kind not in FORMATS:
        raise Refused("invalid", N_("'format' must be json, csv or xlsx."))
    return kind


def _locale(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in CODES else "en"


def zone(series: SeriesInfo | None) -> ZoneInfo:
    try:
        return ZoneInfo(series.timezone) if series is not None else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def session_reports(
    app: Services, states: Sequence[SessionState], now: int, locale: str
) -> list[dict[str, Any]]:
    """Each session's report, replayed from its stored log, with its missions' presence."""
    spans = await app.store.presence([s.setup.session_id for s in states])
    out = []
    for state in states:
        sid = state.setup.session_id
        events = await app.store.events(sid)
        mine = [p for p in spans if p.session_id == sid]
        out.append(report(initial(state.setup), events, now, mine, locale))
    return out


async def series_record(app: Services, series: SeriesInfo, now: int, locale: str = "en") -> dict[str, Any]:
    """The §6 report of a series (sessions another process imported meanwhile included)."""
    await app.engine.refresh()
    states = [s for s in app.engine.states() if s.setup.series_id == series.id]
    reports = await session_reports(app, states, now, locale)
    return record(SeriesRef(series.id, series.title, series.timezone), reports, locale)


def xlsx(cells: Sequence[Sequence[Any]], title: str) -> bytes:
    """The rows as a spreadsheet; every cell is a value (text or number), never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "report"
    for row in cells:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a string, even one that looks like a formula
    for i, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 500)), start=1):
        widest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(i)].width = min(40, max(8, widest + 2))
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _download(kind: str, cells: list[list[Any]], name: str, title: str) -> Response:
    if kind == "csv":
        return Response(
            to_csv(cells),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(f"{name}.csv")},
        )
    return Response(
        xlsx(cells, title), media_type=XLSX, headers={"Content-Disposition": attachment(f"{name}.xlsx")}
    )


async def session_report(request: Request) -> Response:
    """GET /api/sessions/{id}/report (§2): JSON, or `?format=csv` / `xlsx`."""
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    app = services(request)
    state = await app.engine.lookup(request.path_params["session_id"])
    if state is None:
        raise Refused("not_found", N_("There is no such session."))
    if not may_read(who, state.setup.series_id):
        raise Refused("forbidden", N_("Only the admin or this series' moderator may read its report."))
    kind, locale = _format(request), _locale(request)
    data = (await session_reports(app, [state], now_ms(), locale))[0]
    if kind == "json":
        return JSONResponse(data)
    found = await app.store.series(state.setup.series_id)
    cells = table(rows([data], zone(found[0] if found else None)), SESSION_COLUMNS)
    return _download(kind, cells, f"report-{state.setup.key}", state.setup.key)


async def series_report(request: Request) -> Response:
    """GET /api/series/{id}/report (§6): JSON, or `?format=csv` / `xlsx`."""
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    app = services(request)
    found = await app.store.series(request.path_params["series_id"])
    if not found:
        raise Refused("not_found", N_("There is no such series."))
    series = found[0]
    if not may_read(who, series.id):
        raise Refused("forbidden", N_("Only the admin or this series' moderator may read its report."))
    kind, locale = _format(request), _locale(request)
    data = await series_record(app, series, now_ms(), locale)
    if kind == "json":
        return JSONResponse(data)
    cells = table(rows(data["sessions"], zone(series)), SERIES_COLUMNS)
    return _download(kind, cells, f"report-{series.title}", "report")


def routes() -> list[Route]:
    return [
        Route(urls.REPORT, session_report),
        Route(urls.SERIES_REPORT, series_report),
    ]
