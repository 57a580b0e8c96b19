"""The organiser's workspace: `/series/new` (create a series) and `/series/{id}` (the week at a glance).

Both pages are public HTML; the token (admin, or the series' moderator token for the week)
arrives in the URL fragment and travels in a header. The week's data comes from
`GET /api/series/{id}/overview`: every session as the moderator sees it, in start order.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from moderator.core import agenda as rules
from moderator.core.errors import N_, Refused
from moderator.core.view import view
from moderator.i18n.countries import observer_codes, state_name, un_member_codes
from moderator.i18n.translation import translate
from moderator.runtime.clock import now_ms
from moderator.sheets import columns
from moderator.sheets.files import MAX_BYTES
from moderator.web import screens, urls
from moderator.web.auth import principal, unauthorised
from moderator.web.services import services


def _patterns(series_id: str | None) -> dict[str, Any]:
    """The paths the page's script calls, filled for this series; `%(name)s` where the script fills."""
    ids = {"series_id": series_id} if series_id else {}
    out: dict[str, Any] = {
        "create": urls.SERIES_API,
        "sheet_upload": urls.SHEET_UPLOAD,
        "template": urls.SHEET_TEMPLATE,
        "example": urls.SHEET_EXAMPLE,
        "workspace": urls.WORKSPACE.replace("{series_id}", "%(series_id)s"),
        "video": urls.SPEAKER_VIDEO.replace("{speaker_id}", "%(speaker_id)s"),
        "screens": {
            name: urls.screen_route(name).replace("{session_id}", "%(session_id)s") for name in urls.SCREENS
        },
    }
    if series_id:
        out.update(
            overview=urls.path(urls.SERIES_OVERVIEW, **ids),
            series=f"{urls.SERIES_API}/{series_id}",
            xlsx=urls.path(urls.SERIES_XLSX, **ids),
            sheet=urls.path(urls.SERIES_SHEET, **ids),
            cards=urls.cards(series_id),
        )
    return out


_START = N_("Start date and time")


def field_labels(lang: str) -> dict[str, str]:
    """The agenda's fields by the names their spreadsheet columns have, for the preview of a change."""
    labels = {c.field: translate(lang, c.header) for c in columns.SERIES_ROWS + columns.MISSION_COLUMNS}
    for column in columns.SPEAKER_COLUMNS:
        labels[{"speaker_key": "key", "key": "session_key"}.get(column.field, column.field)] = translate(
            lang, column.header
        )
    labels["start"] = translate(lang, _START)
    return labels


def _config(request: Request, lang: str, series_id: str | None) -> dict[str, Any]:
    codes = sorted(un_member_codes() + observer_codes(), key=lambda c: screens.sort_key(state_name(c, lang)))
    return {
        "series_id": series_id,
        "lang": lang,
        "urls": _patterns(series_id),
        "countries": {code: state_name(code, lang) for code in codes},
        "formats": list(rules.FORMATS),
        "kinds": list(rules.KINDS),
        "languages": list(rules.LANGUAGES),
        "default_timezone": rules.DEFAULT_TIMEZONE,
        "max_sheet_bytes": MAX_BYTES,
        "field_labels": field_labels(lang),
    }


async def new_series(request: Request) -> Response:
    """Create a series: a short form, or a spreadsheet with its preview (admin token)."""
    lang, remember = screens.locale(request)
    return screens.render(
        request, "workspace_new.html", lang, remember, framed=False, config=_config(request, lang, None)
    )


async def workspace(request: Request) -> Response:
    page = await screens.series_page(request)
    if isinstance(page, Response):
        return page
    lang, remember, series = page
    series_id = series.id
    config = _config(request, lang, series_id)
    config["timezone"] = series.timezone
    return screens.render(
        request,
        "workspace.html",
        lang,
        remember,
        framed=False,
        config=config,
        series_title=series.title,
        venue=series.venue,
    )


async def overview(request: Request) -> Response:
    """GET /api/series/{id}/overview: the series and every session as its moderator sees it now."""
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    series_id = request.path_params["series_id"]
    if who.role != "admin" and not (who.role == "moderator" and who.series_id == series_id):
        raise Refused("forbidden", N_("Only the admin or this series' moderator may open its workspace."))
    app = services(request)
    await app.engine.refresh()
    found = await app.store.series(series_id)
    if not found:
        raise Refused("not_found", N_("This series does not exist. Check the link."))
    series = found[0]
    now = now_ms()
    sessions = []
    for state in screens.series_states(app.engine, series_id):
        session = view(state, "moderator", now)
        session["seq"] = state.seq
        session["minutes"] = state.setup.minutes
        session["sur_statement_seconds"] = state.setup.sur_statement_seconds
        sessions.append(session)
    delegations = await app.store.delegations(series_id)
    body = {
        "series": {
            "id": series.id,
            "title": series.title,
            "format": series.format,
            "venue": series.venue,
            "timezone": series.timezone,
        },
        "sessions": sessions,
        "delegations": len(delegations),
        "role": who.role,
        "server_time": now,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route(urls.WORKSPACE_NEW, new_series, methods=["GET"]),
        Route(urls.WORKSPACE, workspace, methods=["GET"]),
        Route(urls.SERIES_OVERVIEW, overview, methods=["GET"]),
    ]
