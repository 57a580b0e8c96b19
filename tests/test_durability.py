"""SIGKILL at any moment loses no acknowledged command, in order (a running countdown surviving a kill
is in test_faults.py)."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.server import ADMIN_TOKEN, Server
from tests.support.agenda import agenda
from tests.support.live import Live

pytestmark = pytest.mark.slow  # server processes killed with SIGKILL


async def create(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        r = await http.post("/api/series", json=agenda(), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 201
        return r.json()


async def test_kills_during_a_burst_of_commands_lose_no_ack(tmp_path: Path):
    """Commands stream in while the server is SIGKILLed 5 times, each time with a command in flight:
    every acknowledged command is in the log after restart, in order."""
    proc = Server(tmp_path / "m.sqlite3")
    await asyncio.to_thread(proc.start)
    series = await create(proc.base)
    sid = series["sessions"][0]["id"]
    ws = proc.base.replace("http", "ws")
    rng = random.Random(7)
    acked: list[str] = []
    sent: list[str] = []
    try:
        for round_ in range(5):
            mod = await Live.open(ws, sid, series["moderator_token"])
            kill_after = rng.randint(3, 40)
            for i in range(kill_after + 1):
                text = f"r{round_}-{i}"
                sent.append(text)
                frame = {
                    "type": "command",
                    "id": text,
                    "name": "message.show",
                    "args": {"text": text, "to": "room"},
                }
                if i == kill_after:  # the last one is in flight when the server dies
                    await mod.ws.send(json.dumps(frame))
                    await asyncio.to_thread(proc.kill)
                    break
                msg = await mod.answer(frame)
                assert msg["type"] == "ack", msg
                acked.append(text)
            await asyncio.to_thread(proc.start)
        check = await Live.open(ws, sid, series["moderator_token"])
        assert check.state["message"]["text"] in sent[-2:]
    finally:
        await asyncio.to_thread(proc.stop)
    db = sqlite3.connect(tmp_path / "m.sqlite3")
    logged = [
        json.loads(b)["text"]
        for (b,) in db.execute(
            "SELECT body FROM events WHERE session_id = ? AND type = 'message.shown' ORDER BY seq", (sid,)
        )
    ]
    db.close()
    assert [t for t in logged if t in set(acked)] == acked
    assert set(logged) <= set(sent)
    assert check.seq == len(logged)
