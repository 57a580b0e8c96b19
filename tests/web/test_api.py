"""The HTTP admin API (PROTOCOL §2): tokens, all-or-nothing agendas, reports."""

from __future__ import annotations

from tests.support.agenda import agenda
from tests.support.server import ADMIN, Running


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_creating_a_series_needs_the_admin_token(server: Running):
    """No token: 401; the moderator's token: 403; both with an error code and a sentence."""
    r = await server.http.post("/api/series", json=agenda())
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = await server.http.post("/api/series", json=agenda(), headers=auth(server.series["moderator_token"]))
    assert r.status_code == 403 and r.json()["error"]["message"]


async def test_bad_documents_are_refused_whole_with_a_pointer(server: Running):
    """422 invalid with `where`; nothing is created; the sentence follows Accept-Language."""
    before = (await server.http.get("/")).text
    doc = agenda(title="Another series")
    doc["delegations"].append({"state": "XX"})
    r = await server.http.post("/api/series", json=doc, headers={**auth(ADMIN), "Accept-Language": "fr"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid" and error["where"] == "delegations[8].state"
    assert "Another series" not in (await server.http.get("/")).text
    assert (await server.http.get("/")).text == before


async def test_junk_bodies_get_clear_errors(server: Running):
    """Not JSON, absurdly nested JSON, a video path, an oversized body: each a clear error."""
    for body in (b"{", b"[" * 100_000, "\ud800".encode("utf-8", "surrogatepass")):
        r = await server.http.post("/api/series", content=body, headers=auth(ADMIN))
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", body[:10]
    doc = agenda()
    doc["sessions"][0]["speakers"][0]["video"] = "/etc/passwd"
    r = await server.http.post("/api/series", json=doc, headers=auth(ADMIN))
    assert r.status_code == 422 and r.json()["error"]["where"] == "sessions[0].speakers[0].video"
    r = await server.http.post("/api/series", content=b" " * (3 * 1024 * 1024), headers=auth(ADMIN))
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


async def test_more_than_six_speakers_is_accepted_with_a_warning(server: Running):
    """A seventh speaker is flagged under `warnings`, not refused."""
    doc = agenda()
    doc["sessions"][0]["speakers"].append(dict(doc["sessions"][0]["speakers"][0], key="a7"))
    r = await server.http.post("/api/series", json=doc, headers=auth(ADMIN))
    assert r.status_code == 201 and len(r.json()["warnings"]) == 1


async def test_the_report_is_for_the_admin_and_its_own_moderator_only(server: Running):
    """None: 401; a mission or another series' moderator: 403; unknown session: 404."""
    path = f"/api/sessions/{server.session_id()}/report"
    assert (await server.http.get(path)).status_code == 401
    assert (await server.http.get(path, headers=auth(server.token("FR")))).status_code == 403
    other = await server.http.post("/api/series", json=agenda(), headers=auth(ADMIN))
    assert (await server.http.get(path, headers=auth(other.json()["moderator_token"]))).status_code == 403
    assert (await server.http.get("/api/sessions/nope/report", headers=auth(ADMIN))).status_code == 404
    r = await server.http.get(path, headers=auth(ADMIN))
    assert r.status_code == 200 and r.json()["session"]["phase"] == "scheduled"
    assert len(r.json()["speakers"]) == 6 and r.json()["questions"] == []


async def test_the_public_state_and_health(server: Running):
    """/healthz is ok; /api/sessions/{id} gives the viewer's projection (public names only)."""
    assert (await server.http.get("/healthz")).json() == {"status": "ok"}
    r = await server.http.get(f"/api/sessions/{server.session_id()}")
    body = r.json()
    assert body["seq"] == 0 and body["session"]["speakers"][0]["name"] == "A journalist"
    assert (await server.http.get("/api/sessions/nope")).status_code == 404
