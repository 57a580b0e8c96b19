"""Every screen's URL, built in one place: the routes, the pages, the API's links and the CLI's summary.

Each path is a pattern with `{name}` parts (as Starlette routes take them); `path()` fills it.
The browser gets the patterns it needs in the page config (`config.urls`, with `%(name)s`
parts for the translator's `fill`), so no script re-types a path.
"""

from __future__ import annotations

SCREENS = ("console", "speaker", "room", "watch")

INDEX = "/"
SESSION = "/s/{session_id}"
JOIN = "/join/{token}"
JOIN_SESSION = "/join/{token}/session"
CARDS = "/series/{series_id}/cards"
CARDS_SHEET = "/series/{series_id}/cards/sheet"
MEDIA = "/media/{name}"
STATIC = "/static"
SERIES_API = "/api/series"
SERIES_ITEM_API = "/api/series/{series_id}"  # GET and PUT (PROTOCOL §4)
SESSION_API = "/api/sessions/{session_id}"
REPORT = "/api/sessions/{session_id}/report"
WORKSPACE = "/series/{series_id}"
WORKSPACE_NEW = "/series/new"
SHEET_TEMPLATE = "/api/series/template.xlsx"
SHEET_EXAMPLE = "/api/series/example.xlsx"
SHEET_UPLOAD = "/api/series/sheet"
SERIES_XLSX = "/api/series/{series_id}/agenda.xlsx"
SERIES_SHEET = "/api/series/{series_id}/sheet"
SERIES_OVERVIEW = "/api/series/{series_id}/overview"
SPEAKER_VIDEO = "/api/speakers/{speaker_id}/video"


def screen_route(screen: str) -> str:
    """The route pattern of a session screen (one of SCREENS)."""
    if screen not in SCREENS:
        raise ValueError(f"unknown screen: {screen!r}")
    return f"{SESSION}/{screen}"


def path(pattern: str, **parts: str) -> str:
    """`pattern` with its `{name}` parts filled."""
    return pattern.format(**parts)


def session_base(session_id: str) -> str:
    return path(SESSION, session_id=session_id)


def screen(session_id: str, name: str) -> str:
    """The path of one screen of a session: `/s/<id>/console`, …"""
    return path(screen_route(name), session_id=session_id)


def screens(session_id: str) -> dict[str, str]:
    """Every screen of a session, by name."""
    return {name: screen(session_id, name) for name in SCREENS}


def join(token: str) -> str:
    return path(JOIN, token=token)


def join_session(token: str) -> str:
    return path(JOIN_SESSION, token=token)


def cards(series_id: str) -> str:
    return path(CARDS, series_id=series_id)


def cards_sheet(series_id: str) -> str:
    return path(CARDS_SHEET, series_id=series_id)


def workspace(series_id: str) -> str:
    """The organiser's workspace of a series (admin or its moderator token, in the fragment)."""
    return path(WORKSPACE, series_id=series_id)


def media(name: str) -> str:
    return path(MEDIA, name=name)


def report(session_id: str) -> str:
    return path(REPORT, session_id=session_id)


def browser_patterns() -> dict[str, str]:
    """The paths a script builds itself, as `%(name)s` patterns for `fill` (static/js/lib/i18n.js)."""
    return {
        "console": screen_route("console").replace("{session_id}", "%(session_id)s"),
        "report": REPORT.replace("{session_id}", "%(session_id)s"),
    }


SERIES_SCREEN = "/series/{series_id}/{screen}"
SERIES_SCREENS = ("room", "speaker", "watch")


def series_links(series_id: str) -> dict[str, str]:
    return {name: path(SERIES_SCREEN, series_id=series_id, screen=name) for name in SERIES_SCREENS}
