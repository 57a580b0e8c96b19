"""The record's pages: the organisers' report (`/series/{id}/report`, printable on A4) and the
public statements page (`/series/{id}/statements`).

The report page is public HTML without figures; its sheet (`/series/{id}/report/sheet`) needs the
admin or the series' moderator token in a header (the page takes it from the URL fragment, as
the console does), since it shows real names. The statements page shows, for every closed
session, only the speakers who consented (`publish: true`), under their public name: a speaker
who did not consent is in nothing it sends, not its HTML, not a link, not a file name.
Every figure comes from the core (`core/report.py`, `core/record.py`); this module formats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from moderator.core.rules import video_public
from moderator.core.state import SessionState
from moderator.i18n.countries import state_name
from moderator.runtime.clock import now_ms
from moderator.web import urls
from moderator.web.auth import bearer
from moderator.web.reports import may_read, series_record, zone
from moderator.web.screens import (
    NOT_FRAMED,
    SECURITY_HEADERS,
    environment,
    gettext,
    locale,
    render,
    series_info,
    series_page,
    series_states,
    up_to_date,
)
from moderator.web.services import services


def clock(ms: int | None, tz: ZoneInfo, lang: str) -> str:
    """A time of day in the series' zone, as the page's language writes it; '–' for none."""
    if ms is None:
        return "–"
    return format_datetime(datetime.fromtimestamp(ms / 1000, tz), "HH:mm", locale=lang)


def day(ms: int, tz: ZoneInfo, lang: str) -> str:
    return format_datetime(datetime.fromtimestamp(ms / 1000, tz), "EEEE d MMMM y", locale=lang)


def duration(ms: int | None) -> str:
    """mm:ss (h:mm:ss from an hour), rounded down as the countdown shows time."""
    if ms is None:
        return "–"
    total = max(0, ms) // 1000
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def hours(ms: int) -> str:
    """h:mm:ss, always with the hours: the week's totals."""
    total = max(0, ms) // 1000
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


def language_name(code: str, lang: str) -> str:
    name = Locale.parse(code).get_display_name(lang) or code
    return name[:1].upper() + name[1:]


# ---- the organisers' report ---------------------------------------------------------------------


@up_to_date
async def report_page(request: Request) -> Response:
    """The report page; its figures come from the sheet, fetched with the token in a header."""
    page = await series_page(request)
    if isinstance(page, Response):
        return page
    lang, remember, series = page
    series_id = series.id
    root = request.scope.get("root_path", "")
    config = {
        "series_id": series_id,
        "lang": lang,
        "sheet_url": f"{root}{urls.path(urls.REPORT_SHEET, series_id=series_id)}?lang={lang}",
        "csv_url": f"{root}{urls.series_report(series_id)}?format=csv",
        "xlsx_url": f"{root}{urls.series_report(series_id)}?format=xlsx",
    }
    return render(
        request, "report.html", lang, remember, framed=False, config=config, series_title=series.title
    )


@up_to_date
async def report_sheet(request: Request) -> Response:
    """The report's content as HTML (admin or the series' moderator, `Authorization: Bearer`)."""
    lang = locale(request)[0]
    _ = gettext(lang)
    plain = {"Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8"}
    series_id = request.path_params["series_id"]
    token = bearer(request)
    if token is None:
        return Response(
            _("The report needs the admin or the moderator token."), status_code=401, headers=plain
        )
    app = services(request)
    who = await app.store.principal(token)
    if who is None:
        return Response(_("This token is not valid."), status_code=401, headers=plain)
    if not may_read(who, series_id):
        return Response(
            _("The report needs the admin or the moderator token of this series."),
            status_code=403,
            headers=plain,
        )
    series = await series_info(request, series_id)
    if series is None:
        return Response(_("This series does not exist. Check the link."), status_code=404, headers=plain)
    data = await series_record(app, series, now_ms(), lang)
    tz = zone(series)
    page = (
        environment()
        .get_template("_report_sheet.html")
        .render(
            _=_,
            lang=lang,
            data=data,
            venue=series.venue,
            clock=lambda ms: clock(ms, tz, lang),
            day=lambda ms: day(ms, tz, lang),
            duration=duration,
            hours=hours,
            language_name=lambda code: language_name(code, lang),
        )
    )
    return HTMLResponse(page, headers={**SECURITY_HEADERS, **NOT_FRAMED})


# ---- the public statements page -----------------------------------------------------------------


async def _published(request: Request, states: list[SessionState], lang: str) -> list[dict[str, Any]]:
    """Closed sessions with their consenting speakers only: what the public page may show."""
    store = services(request).store
    out = []
    for state in states:
        if state.phase != "closed":
            continue
        speakers = []
        for s in state.speakers:
            if not s.publish:
                continue  # not consenting: nothing of theirs goes further than this line
            statement = await store.statement(s.id)
            speakers.append(
                {
                    "name": s.public_name or s.name,
                    "organisation": s.organisation,
                    "theme": s.theme,
                    "language": language_name(s.language, lang),
                    "video_url": s.video_url if video_public(state, s) else None,
                    "statement_url": urls.statement_file(statement.path) if statement is not None else None,
                }
            )
        out.append(
            {
                "state": state_name(state.setup.state_under_review, lang),
                "start": state.setup.start_ms,
                "speakers": speakers,
            }
        )
    return out


@up_to_date
async def statements_page(request: Request) -> Response:
    """GET /series/{id}/statements: the consenting speakers' statements of every closed session."""
    page = await series_page(request)
    if isinstance(page, Response):
        return page
    lang, remember, series = page
    series_id = series.id
    tz = zone(series)
    sessions = await _published(request, series_states(services(request).engine, series_id), lang)
    return render(
        request,
        "statements.html",
        lang,
        remember,
        config={},
        series_title=series.title,
        venue=series.venue,
        sessions=sessions,
        day=lambda ms: day(ms, tz, lang),
    )


def routes() -> list[Route]:
    return [
        Route(urls.REPORT_PAGE, report_page, methods=["GET"]),
        Route(urls.REPORT_SHEET, report_sheet, methods=["GET"]),
        Route(urls.STATEMENTS, statements_page, methods=["GET"]),
    ]
