"""The screens' HTTP side: pages in the asked language, no secret in them, join links and join cards."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from moderator.web.paths import displays_dir, static_dir
from tests.support.live import Live
from tests.support.server import ADMIN, Running

SCREENS = ("console", "speaker", "room", "watch")


def page_config(body: str) -> dict[str, Any]:
    """The JSON blob a template hands to its script."""
    found = re.search(r'<script type="application/json" id="page-config">(.*?)</script>', body, re.S)
    assert found, "no page-config blob"
    config: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return config


def test_templates_and_static_files_are_found() -> None:
    """displays/ and static/ are found from the package (installed or from a checkout)."""
    assert (displays_dir() / "base.html").is_file()
    assert (static_dir() / "js" / "lib" / "socket.js").is_file()


async def test_every_screen_is_served_in_the_asked_language(server: Running) -> None:
    """?lang= wins and is remembered in a cookie, else Accept-Language decides; the SuR's name follows."""
    sid = server.session_id()
    for screen in SCREENS:
        r = await server.http.get(f"/s/{sid}/{screen}", params={"lang": "fr"})
        assert r.status_code == 200, (screen, r.text)
        assert r.headers["content-type"].startswith("text/html")
        assert '<html lang="fr" dir="ltr">' in r.text
        assert "Arménie" in r.text
        assert r.cookies.get("lang") == "fr"
        config = page_config(r.text)
        assert config["session_id"] == sid and config["lang"] == "fr"
    r = await server.http.get(f"/s/{sid}/room")
    assert '<html lang="fr"' in r.text  # the cookie remembers the choice
    server.http.cookies.clear()
    r = await server.http.get(f"/s/{sid}/room", headers={"Accept-Language": "es-419,es;q=0.9,en;q=0.5"})
    assert '<html lang="es"' in r.text
    r = await server.http.get(f"/s/{sid}/room", headers={"Accept-Language": "de-CH, *;q=0.1"})
    assert '<html lang="en"' in r.text


async def test_pages_hold_no_token_and_send_protective_headers(server: Running) -> None:
    """The console's page is public and token-free; every page forbids inline scripts and caching."""
    r = await server.http.get(f"/s/{server.session_id()}/console")
    assert r.status_code == 200
    assert server.series["moderator_token"] not in r.text
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self' covers scripts
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text  # only external modules and JSON blobs
    presets = page_config(r.text)["presets"]
    assert set(presets) == {"en", "fr", "es"}
    assert presets["en"]["conclude"] == "Please conclude your statement."


async def test_unknown_sessions_join_links_and_series_get_a_404_page(server: Running) -> None:
    """A wrong link gets a readable page in the reader's language, not a traceback."""
    for path in ("/s/nope/console", "/s/nope/room", "/join/not-a-real-token", "/series/nope/cards"):
        r = await server.http.get(path, params={"lang": "es"})
        assert r.status_code == 404, path
        assert '<html lang="es"' in r.text
    r = await server.http.get("/join/not-a-real-token/session")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await server.http.get(f"/join/{server.series['moderator_token']}")
    assert r.status_code == 404  # a moderator token is not a join link


async def test_a_join_link_follows_its_series_from_session_to_session(server: Running) -> None:
    """The phone page shows the session under way, else the next one; it knows its State and token."""
    token = server.token("FR")
    r = await server.http.get(f"/join/{token}", params={"lang": "en"})
    assert r.status_code == 200
    config = page_config(r.text)
    assert config["session_id"] == server.session_id(0)
    assert config["state_code"] == "FR" and config["token"] == token
    assert config["countries"]["AM"] == "Armenia" and config["countries"]["SE"] == "Sweden"
    assert "Mission of France" in r.text
    assert r.headers["x-frame-options"] == "DENY"

    moderator = await Live.open(server.ws, server.session_id(0), server.series["moderator_token"])
    await moderator.ok("session.open")
    r = await server.http.get(config["current_url"])
    assert r.json() == {"session_id": server.session_id(0)}
    await moderator.ok("session.close")
    r = await server.http.get(config["current_url"])
    assert r.json() == {"session_id": server.session_id(1)}
    await moderator.close()


async def test_join_cards_need_the_series_moderator_token(server: Running) -> None:
    """No token: 401; the admin's or a mission's token: 403; the moderator's: one card per mission."""
    sid = server.series["series_id"]
    page = await server.http.get(f"/series/{sid}/cards", params={"lang": "fr"})
    assert page.status_code == 200
    sheet_url = page_config(page.text)["sheet_url"]
    assert server.series["moderator_token"] not in page.text

    assert (await server.http.get(sheet_url)).status_code == 401
    assert (await server.http.get(sheet_url, headers=bearer("wrong"))).status_code == 401
    assert (await server.http.get(sheet_url, headers=bearer(ADMIN))).status_code == 403
    assert (await server.http.get(sheet_url, headers=bearer(server.token("FR")))).status_code == 403

    r = await server.http.get(sheet_url, headers=bearer(server.series["moderator_token"]))
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    cards = re.findall(r'<article class="card".*?</article>', r.text, re.S)
    assert len(cards) == len(server.series["delegations"])
    france = next(c for c in cards if ">France<" in c)
    link = f"{server.base}/join/{server.token('FR')}"
    assert f'<a href="{link}">{link}</a>' in france
    assert "<svg" in france and "<script" not in r.text
    assert "Mission permanente" in r.text  # the chosen language
    assert ">Arménie<" in r.text
    # The link on the card opens that mission's phone page.
    assert (await server.http.get(link.removeprefix(server.base))).status_code == 200


async def test_static_files_are_served(server: Running) -> None:
    """The screens' modules and styles come from this server (no CDN)."""
    for path, kind in (("/static/js/lib/socket.js", "javascript"), ("/static/css/base.css", "text/css")):
        r = await server.http.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path
    assert (await server.http.get("/static/js/nope.js")).status_code == 404


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_index_lists_each_sessions_public_screens_and_no_token(server: Running) -> None:
    """`/` lists every session with its State (in the page's language) and its public screens only."""
    r = await server.http.get("/", params={"lang": "fr"})
    assert r.status_code == 200
    body = r.text
    assert "Arménie" in body and "Suède" in body
    sid = server.session_id()
    for screen in ("room", "speaker", "watch"):
        assert f"/s/{sid}/{screen}" in body
    assert "/console" not in body and server.series["moderator_token"] not in body
