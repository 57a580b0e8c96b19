"""`moderator import` while the server runs: the running server takes the new series up, no restart."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import in_process
from tests.support.video import make_video

pytestmark = pytest.mark.slow  # runs `moderator import` as a process

TITLE = "Imported while the server runs"


async def moderator_import(path: Path, db: Path) -> str:
    """The real command, in its own process, writing to the running server's database file."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moderator.cli",
        "import",
        str(path),
        "--db",
        str(db),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, (out.decode(), err.decode())
    return out.decode()


async def test_a_series_imported_while_the_server_runs_is_served_at_once(tmp_path: Path):
    db = tmp_path / "m.sqlite3"
    doc = agenda(format="virtual", title=TITLE)
    make_video(tmp_path, "mp4", 3, "statement.mp4")
    doc["sessions"][0]["speakers"][0]["video"] = "statement.mp4"
    path = tmp_path / "agenda.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    async with in_process(db) as server:
        await server.create_series(agenda())  # a series the server already runs
        before = await server.http.get("/")
        assert before.status_code == 200 and TITLE not in before.text

        printed = await moderator_import(path, db)

        session_ids = re.findall(r"/s/([\w-]+)/console#token=", printed)
        token = re.search(r"/console#token=([\w-]+)", printed)
        joins = re.findall(r"/join/([\w-]+)", printed)
        assert len(session_ids) == 2 and token and joins, printed
        index = await server.http.get("/")
        assert TITLE in index.text
        for sid in session_ids:
            assert f"/s/{sid}/room" in index.text, "the series is listed with its sessions"
        room = await server.http.get(f"/s/{session_ids[1]}/room")
        assert room.status_code == 200 and session_ids[1] in room.text  # not 404 "does not exist"
        phone = await server.http.get(f"/join/{joins[0]}")
        assert phone.status_code == 200 and session_ids[0] in phone.text

        mod = await Live.open(server.ws, session_ids[0], token.group(1))
        assert mod.welcome["role"] == "moderator"
        first = mod.state["speakers"][0]
        assert mod.state["title"] == TITLE and first["video"]["duration_ms"] >= 2_900, (
            "import's events folded"
        )
        await mod.ok("session.open")
        await mod.ok("playback.play", speaker_id=first["id"])
        assert mod.state["phase"] == "statements"
        await mod.close()

        # The series the server had before is untouched, and a later import is taken up too.
        again = await moderator_import(path, db)
        later = re.findall(r"/s/([\w-]+)/console#token=", again)
        r = await server.http.get(f"/api/sessions/{later[0]}")
        assert r.status_code == 200 and r.json()["session"]["title"] == TITLE
