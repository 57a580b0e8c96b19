"""Security and bad input at the edges: headers, hostile values, throttles, refused start-ups."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import agenda as bench_agenda
from benchmarks.server import ADMIN_TOKEN, http
from moderator.runtime.limits import FailureThrottle
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running, free_port
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
        assert r.text.startswith("\ufeffkind,")


async def test_a_delegation_listed_twice_is_refused_with_where(server: Running):
    """DE twice, or de and ' DE ': 422 invalid pointing at the second one (it was a 500)."""
    for second in ("DE", " DE ", "de"):
        doc = agenda(delegations=[{"state": "de"}, {"state": "FR"}, {"state": second}])
        r = await server.http.post("/api/series", json=doc, headers={**auth(ADMIN), "Accept-Language": "fr"})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "invalid" and error["where"] == "delegations[2].state"
        assert "DE" in error["message"]


@pytest.mark.slow
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


# --------------------------------------------------------------------------- start-up refusals


def _moderator(*args: str, cwd: Path, token: str = ADMIN) -> subprocess.CompletedProcess[str]:
    """`moderator ARGS` as a real process; a server that does not exit fails the test by its timeout."""
    env = {**os.environ, "MODERATOR_ADMIN_TOKEN": token, "LANG": "C.UTF-8"}
    env.pop("LC_ALL", None)
    return subprocess.run(
        [sys.executable, "-m", "moderator.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def _one_sentence(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode not in (0, None), done
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.mark.slow
def test_a_read_only_database_stops_the_start_with_one_sentence(tmp_path: Path):
    """serve on an immutable database file: exits non-zero at once, naming the file and the problem."""
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    db = tmp_path / "week.sqlite3"
    done = _moderator("import", str(_agenda_file(tmp_path)), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("read_only needs chattr +i (CAP_LINUX_IMMUTABLE), not available here")
    try:
        done = _moderator("serve", "--port", str(free_port()), "--db", str(db), cwd=tmp_path)
        _one_sentence(done, str(db), "read-only")
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


@pytest.mark.slow
def test_a_file_that_is_not_a_database_stops_the_start_with_one_sentence(tmp_path: Path):
    """serve and demo on a text file, or under a file instead of a folder: one sentence, no traceback."""
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    for command in ("serve", "demo"):
        done = _moderator(command, "--port", str(free_port()), "--db", str(text), cwd=tmp_path)
        _one_sentence(done, str(text), "not a SQLite database")
    done = _moderator("serve", "--port", str(free_port()), "--db", str(text / "m.sqlite3"), cwd=tmp_path)
    _one_sentence(done, str(text / "m.sqlite3"))


@pytest.mark.slow
def test_a_db_url_the_server_cannot_use_is_refused_at_start(tmp_path: Path):
    """A postgresql:// server nothing answers at, mysql://: refused with a sentence (the password
    never shown), no folder created; sqlite:PATH is a path."""
    url = f"postgresql://mod:secret-password@127.0.0.1:{free_port()}/upr"  # nothing listens there
    for command in ("serve", "demo"):
        done = _moderator(command, "--port", str(free_port()), "--db", url, cwd=tmp_path)
        _one_sentence(done, "PostgreSQL cannot be reached")
        assert "secret-password" not in done.stderr
    done = _moderator("import", str(_agenda_file(tmp_path)), "--db", url, cwd=tmp_path)
    _one_sentence(done, "PostgreSQL")
    assert "secret-password" not in done.stderr
    done = _moderator("serve", "--db", "mysql://db.example/upr", cwd=tmp_path)
    _one_sentence(done, "'mysql:'")
    done = _moderator("serve", "--db", str(tmp_path), cwd=tmp_path)
    _one_sentence(done, "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agenda.json"]
    done = _moderator("import", "agenda.json", "--db", "sqlite:week.sqlite3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _moderator("import", "agenda.json", "--db", "sqlite:///other.sqlite3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agenda.json", "other.sqlite3", "week.sqlite3"]


@pytest.mark.slow
def test_a_short_admin_token_is_refused_at_start(tmp_path: Path):
    """MODERATOR_ADMIN_TOKEN=427: serve and demo exit non-zero with a sentence; nothing is created."""
    for command in ("serve", "demo"):
        done = _moderator(command, "--port", str(free_port()), "--db", "m.sqlite3", cwd=tmp_path, token="427")
        _one_sentence(done, "MODERATOR_ADMIN_TOKEN", "16")
    assert list(tmp_path.iterdir()) == []


def _agenda_file(folder: Path) -> Path:
    path = folder / "agenda.json"
    path.write_text(json.dumps(agenda()), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- failed sign-ins


def test_failed_sign_ins_are_counted_per_address_in_a_sliding_minute():
    """20 failures in a minute: the 21st try waits until the oldest is a minute old; others unaffected."""
    throttle = FailureThrottle(20, 60.0, max_addresses=3)
    for i in range(20):
        assert throttle.retry_after("10.0.0.1", i) == 0
        throttle.failed("10.0.0.1", i)
    assert throttle.retry_after("10.0.0.1", 30) == 30
    assert throttle.retry_after("10.0.0.2", 30) == 0
    assert throttle.retry_after("10.0.0.1", 60) == 0  # the first failure aged out
    for host in ("a", "b", "c"):
        throttle.failed(host, 61)
    assert throttle.retry_after("10.0.0.1", 61) == 0  # forgotten first: memory stays bounded


async def test_repeated_bad_tokens_from_one_address_are_slowed_down(server: Running):
    """20 unknown tokens (HTTP or hello): then 429 rate_limited with Retry-After, and hello closes 4429."""
    sid = server.session_id()
    path = f"/api/sessions/{sid}/report"
    for i in range(10):
        r = await server.http.get(path, headers=auth(f"guess-{i}"))
        assert r.status_code == 401, (i, r.text)
    for i in range(10):
        with pytest.raises(Exception) as closed:
            await Live.open(server.ws, sid, f"guess-ws-{i}")
        assert "4401" in str(closed.value), closed.value
    r = await server.http.get(path, headers={**auth(ADMIN), "Accept-Language": "fr"})
    assert r.status_code == 429, r.text  # even the right token: the address waits
    error = r.json()["error"]
    assert error["code"] == "rate_limited" and "secondes" in error["message"]
    assert 0 < int(r.headers["Retry-After"]) <= 60
    r = await server.http.put("/api/speakers/x/video", content=b"", headers=auth("guess"))
    assert r.status_code == 429
    with pytest.raises(Exception) as closed:
        await Live.open(server.ws, sid, server.series["moderator_token"])
    assert "4429" in str(closed.value), closed.value
    viewer = await Live.open(server.ws, sid, None)  # no token, nothing guessed: still served
    assert viewer.welcome["role"] == "viewer"
    r = await server.http.get(path)  # no token at all: a plain 401
    assert r.status_code == 401
    assert (await server.http.get("/healthz")).status_code == 200
