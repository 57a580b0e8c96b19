"""`moderator import` and `serve` on PostgreSQL, as processes: the agenda's video goes to the
--media folder, and two servers on the same database both serve the series and its video."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml

from benchmarks.server import Server
from tests.support.agenda import agenda
from tests.support.postgres import fresh_database
from tests.support.video import make_video

pytestmark = pytest.mark.slow  # `moderator` as processes


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


async def test_an_import_on_postgresql_is_served_by_every_process(database: str, tmp_path: Path) -> None:
    doc = agenda(format="virtual", title="Imported on PostgreSQL")
    make_video(tmp_path, "mp4", 2, "statement.mp4")
    doc["sessions"][0]["speakers"][0]["video"] = "statement.mp4"
    path = tmp_path / "agenda.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    media = tmp_path / "shared-media"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "moderator.cli",
        "import",
        str(path),
        "--db",
        database,
        "--media",
        str(media),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, (out.decode(), err.decode())
    session_id = re.findall(r"/s/([\w-]+)/console#token=", out.decode())[0]
    assert [p.suffix for p in media.iterdir()] == [".mp4"], "the video is in the --media folder"

    servers = [Server(db=database, env={"MODERATOR_MEDIA_DIR": str(media)}) for _ in range(2)]
    try:
        for server in servers:
            await asyncio.to_thread(server.start)
        async with httpx.AsyncClient(timeout=10) as client:
            for server in servers:
                state = (await client.get(f"{server.base}/api/sessions/{session_id}")).json()
                speaker = state["session"]["speakers"][0]
                assert speaker["video"], speaker
                video = await client.get(server.base + speaker["video"]["url"])
                assert video.status_code == 200 and len(video.content) > 1000
    finally:
        for server in servers:
            await asyncio.to_thread(server.close)
