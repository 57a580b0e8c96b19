"""The workspace's pages and its overview endpoint on a real server: who may read it, what it holds."""

from __future__ import annotations

import json
import re

from tests.support.live import Live
from tests.support.server import ADMIN, Running


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_overview_needs_the_admin_or_that_series_moderator(server: Running):
    path = f"/api/series/{server.series['series_id']}/overview"
    assert (await server.http.get(path)).status_code == 401
    r = await server.http.get(path, headers=auth(server.token("FR")))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    other = (
        await server.http.post("/api/series", json={**_small(), "title": "Other"}, headers=auth(ADMIN))
    ).json()
    assert (await server.http.get(path, headers=auth(other["moderator_token"]))).status_code == 403
    r = await server.http.get("/api/series/nope/overview", headers=auth(ADMIN))
    assert r.status_code == 404


def _small() -> dict[str, object]:
    return {
        "title": "Small",
        "format": "virtual",
        "sessions": [{"key": "CH", "state_under_review": "CH", "start": "2031-01-01T10:00:00+01:00"}],
    }


async def test_the_overview_is_every_session_as_its_moderator_sees_it(server: Running):
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    r = await server.http.get(
        f"/api/series/{server.series['series_id']}/overview", headers=auth(server.series["moderator_token"])
    )
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["series"]["title"] == "Test series" and body["series"]["timezone"] == "Europe/Zurich"
    assert body["role"] == "moderator" and body["delegations"] == 8
    first, second = body["sessions"]
    assert first["phase"] == "opening" and first["seq"] == mod.seq and first["minutes"] == 60
    assert (
        first["speakers"][0]["name"] == "Anna Petrosyan"
        and first["speakers"][0]["public_name"] == "A journalist"
    )
    assert second["state_under_review"]["code"] == "SE" and second["speakers"] == []
    text = json.dumps(body)
    assert server.series["moderator_token"] not in text and server.token("FR") not in text


async def test_the_pages_carry_no_token_and_give_their_script_what_it_needs(server: Running):
    series_id = server.series["series_id"]
    r = await server.http.get(f"/series/{series_id}?lang=fr")
    assert r.status_code == 200 and "Espace de travail de la série" in r.text
    assert server.series["moderator_token"] not in r.text
    config = json.loads(
        re.search(r'<script type="application/json" id="page-config">(.*?)</script>', r.text).group(1)
    )
    assert config["urls"]["overview"] == f"/api/series/{series_id}/overview"
    assert config["urls"]["video"] == "/api/speakers/%(speaker_id)s/video"
    assert len(config["countries"]) == 195 and config["countries"]["DE"] == "Allemagne"
    assert config["field_labels"]["language"] == "Langue"
    assert (await server.http.get("/series/nope")).status_code == 404
    r = await server.http.get("/series/new?lang=es")
    assert r.status_code == 200 and "Nueva serie" in r.text
    index = (await server.http.get("/")).text
    assert f'href="/series/{series_id}"' in index and 'href="/series/new"' in index
