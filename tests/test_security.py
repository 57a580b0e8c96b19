"""Security and bad input at the edges: headers, hostile values, throttles, refused start-ups."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmarks import agenda as bench_agenda
from benchmarks.server import ADMIN_TOKEN, http
from moderator.store import SequenceConflict, Store
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running
from tests.test_faults import _faulty


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _not_framed_by_others(headers: object, own_pages: bool = False) -> None:
    h = dict(headers)  # type: ignore[call-overload]
    assert h.get("x-content-type-options") == "nosniff"
    if own_pages:
        assert h.get("x-frame-options") == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in h.get("content-security-policy", "")
    else:
        assert h.get("x-frame-options") == "DENY"
        assert "frame-ancestors 'none'" in h.get("content-security-policy", "")


async def test_every_kind_of_response_carries_the_security_headers(server: Running, tmp_path: Path):
    """HTML, JSON, static, media, 401/404/405 errors: nosniff, and no framing by another site."""
    sid = server.session_id()
    (tmp_path / "m-media").mkdir(exist_ok=True)
    (tmp_path / "m-media" / "clip.mp4").write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 64)
    denied = [
        ("GET", f"/s/{sid}/console"),  # HTML, never framed
        ("GET", "/healthz"),  # JSON
        ("GET", f"/api/sessions/{sid}"),  # JSON
        ("GET", "/static/css/base.css"),  # static
        ("GET", "/media/clip.mp4"),  # media
        ("GET", "/media/none.mp4"),  # JSON error 404
        ("GET", f"/api/sessions/{sid}/report"),  # 401
        ("GET", "/no/such/page"),  # Starlette's own 404
        ("DELETE", "/healthz"),  # Starlette's own 405
        ("GET", "/static/none.css"),  # static 404
    ]
    for method, path in denied:
        r = await server.http.request(method, path)
        assert r.status_code < 500, (path, r.status_code)
        _not_framed_by_others(r.headers)
    for path in ("/", *(f"/s/{sid}/{screen}" for screen in ("speaker", "room", "watch"))):
        r = await server.http.get(path)  # the public pages may be framed by this server only
        assert r.status_code == 200
        _not_framed_by_others(r.headers, own_pages=True)
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
    r = await server.http.post("/api/series", content=b"{", headers=auth(ADMIN))
    assert r.status_code == 422
    _not_framed_by_others(r.headers)


async def test_non_finite_numbers_are_refused_in_frames_and_bodies(server: Running):
    """NaN, Infinity, 1e400 in a ping, a hello or a command: bad_message; in an agenda body: 422."""
    viewer = await Live.open(server.ws, server.session_id(), None)
    for t0 in ("1e400", "NaN", "-Infinity", "Infinity", "-1e999"):
        raw = await viewer_answer_raw(viewer, '{"type": "ping", "t0": ' + t0 + "}")
        msg = json.loads(raw, parse_constant=_not_json)  # the answer itself is valid JSON
        assert msg["type"] == "error" and msg["code"] == "bad_message", (t0, msg)
        assert "finite" in msg["message"]
    raw = await viewer_answer_raw(
        viewer, '{"type": "command", "id": "n", "name": "timer.adjust", "args": {"delta_ms": NaN}}'
    )
    assert json.loads(raw)["code"] == "bad_message"
    assert (await viewer.answer('{"type": "ping", "t0": 1.5e3}'))["t0"] == 1500.0
    doc = json.dumps(agenda()).replace('"minutes": 60', '"minutes": NaN')
    assert "NaN" in doc
    r = await server.http.post("/api/series", content=doc, headers=auth(ADMIN))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", r.text
    assert "finite" in r.json()["error"]["message"]


async def viewer_answer_raw(live: Live, frame: str) -> str:
    """Send a frame and return the raw text of its answer (state frames passing by are skipped)."""
    await live.ws.send(frame)
    while True:
        raw = await asyncio.wait_for(live.ws.recv(), 10)
        assert isinstance(raw, str)
        if '"type":"state"' not in raw:
            return raw


def _not_json(name: str) -> None:
    raise AssertionError(f"the server sent {name}, which is not JSON")


async def test_a_csv_report_of_any_session_key_gets_a_safe_file_name(server: Running):
    """A non-Latin-1 key (DE–2) and a key with quotes: 200, ASCII fallback, the exact name in filename*."""
    doc = agenda()
    doc["sessions"][0]["key"] = "DE–2"
    doc["sessions"][1]["key"] = 'SE"; filename=evil.exe; x="'
    series = (await server.http.post("/api/series", json=doc, headers=auth(ADMIN))).json()
    for session, expected in zip(
        series["sessions"],
        ("report-DE%E2%80%932.csv", "report-SE%22%3B%20filename%3Devil.exe%3B%20x%3D%22.csv"),
        strict=True,
    ):
        r = await server.http.get(
            f"/api/sessions/{session['id']}/report?format=csv", headers=auth(series["moderator_token"])
        )
        assert r.status_code == 200, r.text
        disposition = r.headers["content-disposition"]
        fallback = disposition.split('filename="')[1].split('"')[0]
        assert fallback.isascii() and all(c.isalnum() or c in "._-" for c in fallback), disposition
        assert disposition == f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{expected}"
        assert r.text.startswith("kind,")


async def test_a_delegation_listed_twice_is_refused_with_where(server: Running):
    """DE twice, or de and ' DE ': 422 invalid pointing at the second one (it was a 500)."""
    for second in ("DE", " DE ", "de"):
        doc = agenda(delegations=[{"state": "de"}, {"state": "FR"}, {"state": second}])
        r = await server.http.post("/api/series", json=doc, headers={**auth(ADMIN), "Accept-Language": "fr"})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "invalid" and error["where"] == "delegations[2].state"
        assert "DE" in error["message"]


@pytest.mark.parametrize("kind", ["write_error", "read_only", "disk_full"])
async def test_creating_a_series_on_unwritable_storage_is_503_unavailable(kind: str) -> None:
    """Full disk, read-only file, write error: 503 unavailable with a sentence; then it works again."""
    async with _faulty(kind) as (b, fault):
        doc = bench_agenda.series(["FR", "KE"], title="During the fault")
        fault.apply(b.server.pid)
        statuses = []
        for _ in range(10):  # WAL slack may take a few
            status, body = await asyncio.to_thread(
                http, "POST", b.server.base + "/api/series", doc, ADMIN_TOKEN
            )
            statuses.append(status)
            if status == 503:
                assert body["error"]["code"] == "unavailable" and body["error"]["message"], body
                break
        assert statuses[-1] == 503 and set(statuses) <= {201, 503}, statuses
        fault.lift(b.server.pid)
        status, body = await asyncio.to_thread(http, "POST", b.server.base + "/api/series", doc, ADMIN_TOKEN)
        assert status == 201, body
        assert b.server.healthy()


async def test_store_errors_are_classified_by_their_kind(tmp_path: Path):
    """A taken seq (another process appended first) is a SequenceConflict; nothing else is."""
    first, second = await Store.open(tmp_path / "s.sqlite3"), await Store.open(tmp_path / "s.sqlite3")
    try:
        event = {"type": "session.opened", "at": 1}
        assert await first.append("S1", 0, [event]) == 1
        with pytest.raises(SequenceConflict):
            await second.append("S1", 0, [event])
        assert await second.events("S1") == [event]
    finally:
        await first.close()
        await second.close()
