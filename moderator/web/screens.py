"""HTML routes of the five screens and of the printable join cards (Jinja2 templates in displays/).

The pages are plain HTML; everything live comes over the WebSocket. No page ever
needs a secret in its URL: the moderator token travels in the fragment (which
browsers never send) and then in a header; a mission's join link is its own key
by design of the contract (`/join/<token>`).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cache, wraps
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
import segno
from babel.dates import format_datetime
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from moderator import __version__
from moderator.address import server_base
from moderator.core import follow, rules
from moderator.core.errors import fill
from moderator.core.presets import PRESETS
from moderator.core.screens import NAME_MAX as SCREEN_NAME_MAX
from moderator.core.state import SessionState
from moderator.i18n import locales
from moderator.i18n import translation as i18n
from moderator.i18n.countries import state_name
from moderator.runtime.engine import Engine
from moderator.store.protocol import SeriesInfo, Store
from moderator.store.tokens import delegation_token
from moderator.web import keys, urls
from moderator.web.auth import bearer
from moderator.web.paths import displays_dir, static_dir
from moderator.web.services import services

# Sent with every page: scripts and styles from this server only, nothing inline runs.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
NOT_FRAMED = {"X-Frame-Options": "DENY"}
_FRAMED_HERE = {"X-Frame-Options": "SAMEORIGIN"}  # security.py adds the matching frame-ancestors
_LANG_COOKIE = "lang"
_LANG_COOKIE_SECONDS = 365 * 24 * 3600


def routes() -> list[BaseRoute]:
    """The screens, the join cards and /static, for create_app to mount."""
    return [
        Route(urls.INDEX, index, methods=["GET"]),
        Route(urls.screen_route("console"), console, methods=["GET"]),
        Route(urls.screen_route("speaker"), speaker, methods=["GET"]),
        Route(urls.screen_route("room"), room, methods=["GET"]),
        Route(urls.screen_route("watch"), watch, methods=["GET"]),
        *(
            Route(urls.series_screen_route(name), series_screen, methods=["GET"])
            for name in urls.SERIES_SCREENS
        ),
        Route(urls.JOIN, join, methods=["GET"]),
        Route(urls.JOIN_SESSION, join_session, methods=["GET"]),
        Route(urls.CARDS, cards, methods=["GET"]),
        Route(urls.CARDS_SHEET, cards_sheet, methods=["GET"]),
        Mount(urls.STATIC, app=StaticFiles(directory=static_dir()), name="static"),
    ]


# ---------------------------------------------------------------------------------------------------
# rendering


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(displays_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def locale(request: Request) -> tuple[str, str | None]:
    """The page's language, and the choice to remember in a cookie when `?lang=` was given."""
    asked = request.query_params.get("lang")
    requested = asked or request.cookies.get(_LANG_COOKIE)
    lang = i18n.negotiate(request.headers.get("accept-language"), requested)
    return lang, (lang if asked and asked == lang else None)


def gettext(lang: str) -> Callable[..., str]:
    translations = i18n.translations(lang)

    def text(msgid: str, **params: Any) -> str:
        return fill(translations.gettext(msgid), params)

    return text


def _ngettext(lang: str) -> Callable[..., Any]:
    """`ngettext(singular, plural, n, **params)` for the templates: the form `n` takes, filled.

    Without `n` it gives both forms, `{"one": …, "other": …}`, for a page's script to choose
    from by the count it shows (static/js/lib/i18n.js `translator`)."""
    translations = i18n.translations(lang)

    def ngettext(singular: str, plural: str, n: int | None = None, **params: Any) -> Any:
        if n is None:
            forms = translations.ngettext
            return {"one": forms(singular, plural, 1), "other": forms(singular, plural, 2)}
        return fill(translations.ngettext(singular, plural, n), {"n": n, **params})

    return ngettext


def _static_url(request: Request) -> Callable[[str], str]:
    root = request.scope.get("root_path", "")

    def static_url(path: str) -> str:
        return f"{root}/static/{path}?v={__version__}"

    return static_url


def render(
    request: Request,
    template: str,
    lang: str,
    remember: str | None,
    *,
    status: int = 200,
    framed: bool = True,
    **context: Any,
) -> HTMLResponse:
    page = (
        environment()
        .get_template(template)
        .render(
            _=gettext(lang),
            ngettext=_ngettext(lang),
            lang=lang,
            direction=locales.direction(lang),
            languages=locales.picker(),
            static_url=_static_url(request),
            screen_url=urls.screen,
            cards_url=urls.cards,
            **context,
        )
    )
    headers = dict(SECURITY_HEADERS)
    headers.update(_FRAMED_HERE if framed else NOT_FRAMED)
    response = HTMLResponse(page, status_code=status, headers=headers)
    if remember:
        response.set_cookie(
            _LANG_COOKIE, remember, max_age=_LANG_COOKIE_SECONDS, samesite="lax", httponly=True
        )
    return response


def missing(request: Request, lang: str, remember: str | None, message: str) -> HTMLResponse:
    return render(request, "missing.html", lang, remember, status=404, config={}, message=message)


def up_to_date(page: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A page that first takes up the series another process imported meanwhile (one cheap query)."""

    @wraps(page)
    async def endpoint(request: Request) -> Response:
        await _engine(request).refresh()
        return await page(request)

    return endpoint


# ---------------------------------------------------------------------------------------------------
# lookups on the app's engine and store


def _engine(request: Request) -> Engine:
    return services(request).engine


def _store(request: Request) -> Store:
    return services(request).store


async def series_info(request: Request, series_id: str) -> SeriesInfo | None:
    found = await _store(request).series(series_id)
    return found[0] if found else None


async def series_page(request: Request) -> tuple[str, str | None, SeriesInfo] | HTMLResponse:
    """For a page under /series/{series_id}: its language, the language to remember and the series;
    or the 404 page, in that language, when there is no such series."""
    lang, remember = locale(request)
    series = await series_info(request, request.path_params["series_id"])
    if series is None:
        return missing(request, lang, remember, gettext(lang)("This series does not exist. Check the link."))
    return lang, remember, series


def series_states(engine: Engine, series_id: str) -> list[SessionState]:
    """The sessions of a series in the order of the agenda's times."""
    return sorted(
        (s for s in engine.states() if s.setup.series_id == series_id), key=lambda s: s.setup.start_ms
    )


def current_session(engine: Engine, series_id: str, now_ms: int) -> SessionState | None:
    """The series' current session by the one rule (core/follow.py), or None for a series without one."""
    states = series_states(engine, series_id)
    chosen = follow.current([follow.slot(s) for s in states], now_ms).current
    return next((s for s in states if s.setup.session_id == chosen), None)


async def _countries(request: Request, series_id: str, extra: list[str], lang: str) -> dict[str, str]:
    """Names, in the page's language, of every State the page may show: the series' missions and its SuRs."""
    codes = {code for code, _label in await _store(request).delegations(series_id)}
    codes.update(extra)
    return {code: state_name(code, lang) for code in sorted(codes)}


async def _labels(request: Request, series_id: str, leave_out: str | None = None) -> dict[str, str]:
    """The agenda's `delegations[].label` of the series' missions that have one: the name screens show
    for that mission (in the queue, on its phone and card) instead of the UN name. `leave_out`: the
    session's State under Review, which is never in its queue and keeps its UN name in the title."""
    return {
        code: label
        for code, label in await _store(request).delegations(series_id)
        if label and code != leave_out
    }


def _zone(series: SeriesInfo | None) -> ZoneInfo | None:
    if series is None:
        return None
    try:
        return ZoneInfo(series.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _presets() -> dict[str, dict[str, str]]:
    """Every preset message in every language (`config.presets[lang][id]`): a screen shows a preset
    in its own language, the speaker screen in the language of the speaker on the floor."""
    return {
        code: {pid: i18n.translate(code, msgid) for pid, msgid in PRESETS.items()}
        for code in i18n.SUPPORTED_LOCALES
    }


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# ---------------------------------------------------------------------------------------------------
# the session screens


async def _session_page(
    request: Request, template: str, *, framed: bool = True, session_id: str | None = None, **extra: Any
) -> Response:
    lang, remember = locale(request)
    _ = gettext(lang)
    state = _engine(request).state(session_id or request.path_params["session_id"])
    if state is None:
        return missing(request, lang, remember, _("This session does not exist. Check the link."))
    setup = state.setup
    series = await series_info(request, setup.series_id)
    sur_codes = [s.setup.state_under_review for s in series_states(_engine(request), setup.series_id)]
    config: dict[str, Any] = {
        "session_id": setup.session_id,
        "session_key": setup.key,
        "series_id": setup.series_id,
        "lang": lang,
        "timezone": series.timezone if series else None,
        "countries": await _countries(request, setup.series_id, sur_codes, lang),
        "labels": await _labels(request, setup.series_id, setup.state_under_review),
        "rules": rules.page_rules(),
        "urls": urls.browser_patterns(),
        "screen_kind": template.removesuffix(".html"),
        "follow": False,
        "presets": _presets(),
    }
    config.update(extra.pop("config", {}))
    return render(
        request,
        template,
        lang,
        remember,
        framed=framed,
        config=config,
        session_id=setup.session_id,
        series_id=setup.series_id,
        series_title=setup.series_title,
        sur_name=state_name(setup.state_under_review, lang),
        **extra,
    )


@up_to_date
async def console(request: Request) -> Response:
    """The moderator's console. The page is public; its token arrives in the URL fragment."""
    lang = locale(request)[0]
    engine = _engine(request)
    state = engine.state(request.path_params["session_id"])
    sessions: list[dict[str, str]] = []
    if state is not None:
        zone = _zone(await series_info(request, state.setup.series_id))
        for s in series_states(engine, state.setup.series_id):
            when = datetime.fromtimestamp(s.setup.start_ms / 1000, zone or ZoneInfo("UTC"))
            label = format_datetime(when, "EEE d MMM, HH:mm", locale=lang)
            sessions.append(
                {
                    "id": s.setup.session_id,
                    "label": f"{label} · {state_name(s.setup.state_under_review, lang)}",
                }
            )
    _ = gettext(lang)
    return await _session_page(
        request,
        "console.html",
        framed=False,
        sessions=sessions,
        config={"keys": keys.page_keys(_), "screen_name_max": SCREEN_NAME_MAX},
        keys={k["action"]: k for k in keys.page_keys(_)},
        key_groups=keys.help_groups(_),
        presets=[{"id": pid, "label": _(msgid)} for pid, msgid in PRESETS.items()],
    )


@up_to_date
async def speaker(request: Request) -> Response:
    """The countdown facing the speaker."""
    return await _session_page(request, "speaker.html")


@up_to_date
async def index(request: Request) -> Response:
    """Every series with its sessions and their public screens (no token is shown or needed)."""
    lang, remember = locale(request)
    _ = gettext(lang)
    phases = {
        "scheduled": _("Not started"),
        "opening": _("Opening"),
        "statements": _("Statements"),
        "qa": _("Questions and answers"),
        "closed": _("Closed"),
    }
    all_series = []
    for series in await _store(request).series():
        try:
            tz = ZoneInfo(series.timezone)
        except ZoneInfoNotFoundError:
            tz = ZoneInfo("UTC")
        sessions = [
            {
                "when": i18n.format_start(s.setup.start_ms, tz, lang),
                "state": state_name(s.setup.state_under_review, lang),
                "phase": phases[s.phase],
                "screens": urls.screens(s.setup.session_id),
            }
            for s in series_states(_engine(request), series.id)
        ]
        all_series.append(
            {
                "title": series.title,
                "sessions": sessions,
                "links": urls.series_links(series.id),
                "workspace": urls.workspace(series.id),
            }
        )
    return render(
        request, "index.html", lang, remember, config={}, all_series=all_series, new_series=urls.WORKSPACE_NEW
    )


@up_to_date
async def room(request: Request) -> Response:
    """The projector in the room."""
    return await _session_page(request, "room.html")


@up_to_date
async def watch(request: Request) -> Response:
    """The remote viewer, for people following online."""
    return await _session_page(request, "watch.html")


@up_to_date
async def series_screen(request: Request) -> Response:
    """A screen of the whole series (PROTOCOL §5): it opens on the current session and follows the series."""
    screen = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    state = current_session(_engine(request), request.path_params["series_id"], _now_ms())
    if state is None:
        lang, remember = locale(request)
        return missing(request, lang, remember, gettext(lang)("This series does not exist. Check the link."))
    return await _session_page(
        request, f"{screen}.html", session_id=state.setup.session_id, config={"follow": True}
    )


# ---------------------------------------------------------------------------------------------------
# a mission's phone


async def _delegation(request: Request) -> tuple[str, str] | None:
    """(series id, State code) of the join link's token, or None."""
    token = request.path_params["token"]
    if not isinstance(token, str) or not 8 <= len(token) <= 128:
        return None
    principal = await _store(request).principal(token)
    if principal is None or principal.role != "delegation" or not principal.series_id or not principal.state:
        return None
    return principal.series_id, principal.state


@up_to_date
async def join(request: Request) -> Response:
    """A mission's phone: `/join/<token>` follows the current session of the mission's series."""
    lang, remember = locale(request)
    _ = gettext(lang)
    found = await _delegation(request)
    if found is None:
        return missing(
            request,
            lang,
            remember,
            _("This join link is not valid. Ask the secretariat for your mission's card."),
        )
    series_id, code = found
    engine = _engine(request)
    state = current_session(engine, series_id, _now_ms())
    if state is None:
        return missing(request, lang, remember, _("This series has no session yet."))
    setup = state.setup
    series = await series_info(request, series_id)
    token = request.path_params["token"]
    sur_codes = [s.setup.state_under_review for s in series_states(engine, series_id)]
    labels = await _labels(request, series_id)
    config = {
        "session_id": setup.session_id,
        "series_id": series_id,
        "lang": lang,
        "timezone": series.timezone if series else None,
        "token": token,
        "state_code": code,
        "current_url": f"{request.scope.get('root_path', '')}{urls.join_session(token)}",
        "screen_kind": "phone",
        "follow": True,
        "statements_url": f"{request.scope.get('root_path', '')}{urls.join_statements(token)}",
        "countries": await _countries(request, series_id, [code, *sur_codes], lang),
        "labels": labels,
        "rules": rules.page_rules(),
    }
    return render(
        request,
        "phone.html",
        lang,
        remember,
        framed=False,
        config=config,
        mission_name=labels.get(code) or state_name(code, lang),
        series_title=setup.series_title,
        sur_name=state_name(setup.state_under_review, lang),
    )


@up_to_date
async def join_session(request: Request) -> Response:
    """Which session a mission's phone should follow now: `{"session_id": …}`."""
    found = await _delegation(request)
    if found is None:
        return JSONResponse(
            {"error": {"code": "not_found", "message": "Unknown join link."}}, status_code=404
        )
    state = current_session(_engine(request), found[0], _now_ms())
    body = {"session_id": None if state is None else state.setup.session_id}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------------------------------------------
# the printable join cards


@up_to_date
async def cards(request: Request) -> Response:
    """The page of join cards; its content comes from /cards/sheet with the moderator token in a header."""
    page = await series_page(request)
    if isinstance(page, Response):
        return page
    lang, remember, series = page
    series_id = series.id
    config = {
        "series_id": series_id,
        "lang": lang,
        "sheet_url": f"{request.scope.get('root_path', '')}{urls.cards_sheet(series_id)}?lang={lang}",
    }
    return render(
        request, "cards.html", lang, remember, framed=False, config=config, series_title=series.title
    )


def public_base(request: Request) -> str:
    """The base of absolute links (join cards, QR codes): the public URL, else the address this server
    is bound to as the connection found it (never the request's Host header, which a client chooses)."""
    configured = services(request).settings.public_url
    if configured:
        return configured
    server = request.scope.get("server") or ("127.0.0.1", 80)
    scheme = str(request.scope.get("scheme", "http"))
    return server_base(str(server[0]), int(server[1]), scheme) + str(request.scope.get("root_path", ""))


def _qr_svg(url: str) -> str:
    """The join link as a QR code, inline SVG that scales with its box."""
    qr = segno.make(url, error="m")
    svg: str = qr.svg_inline(scale=4, border=2, dark="#000000", light="#ffffff", omitsize=True)
    return svg


def sort_key(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))


@up_to_date
async def cards_sheet(request: Request) -> Response:
    """One card per mission (State name, QR code of its absolute join link, the link in words).

    Needs the series' moderator token (`Authorization: Bearer …`): missions' tokens are
    derived from it, and are stored nowhere in clear. None: 401; another token: 403.
    """
    lang = locale(request)[0]
    _ = gettext(lang)
    series_id = request.path_params["series_id"]
    token = bearer(request)
    plain = {"Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8"}
    if token is None:
        return Response(_("The join cards need the moderator token."), status_code=401, headers=plain)
    principal = await _store(request).principal(token)
    if principal is None:
        return Response(_("This token is not valid."), status_code=401, headers=plain)
    if principal.role != "moderator" or principal.series_id != series_id:
        return Response(
            _("The join cards need the moderator token of this series."), status_code=403, headers=plain
        )
    series = await series_info(request, series_id)
    if series is None:
        return Response(_("This series does not exist. Check the link."), status_code=404, headers=plain)
    base = public_base(request)
    entries: list[dict[str, str | None]] = []
    for code, label in await _store(request).delegations(series_id):
        url = f"{base}{urls.join(delegation_token(token, series_id, code))}"
        name = state_name(code, lang)
        entries.append(
            {
                "state_name": label or name,
                "un_name": name if label and label != name else None,
                "code": code,
                "url": url,
                "qr_svg": _qr_svg(url),
            }
        )
    entries.sort(key=lambda c: sort_key(c["state_name"] or ""))
    page = (
        environment()
        .get_template("_card_sheet.html")
        .render(_=_, lang=lang, cards=entries, series_title=series.title, venue=series.venue)
    )
    return HTMLResponse(page, headers={**SECURITY_HEADERS, **NOT_FRAMED})
