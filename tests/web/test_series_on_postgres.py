"""A live series amendment (PUT /api/series/{id}), the missions' presence and a written statement
on PostgreSQL, with two real server processes' worth of uvicorn on one database (A and B):

- the PUT on A reaches the screens on A and, through LISTEN, a phone on B, on the same sockets;
- B takes up the session the PUT created and drops the one it removed (the setups counter moved);
- each phone's socket writes its presence span, whichever process it is on; when A stops it ends
  only its own phones' spans (B still serves its phone), B's end when B stops;
- a statement attached on A is read from B.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.live import Refused
from moderator.core.attendance import PresenceSpan
from moderator.store import open_store
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.pdf import make_pdf
from tests.support.postgres import fresh_database
from tests.support.server import ADMIN, Running, in_process

TIMEOUT = 10


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def spans_when(
    database: str, session_ids: list[str], done: Callable[[list[PresenceSpan]], bool]
) -> list[PresenceSpan]:
    """The sessions' spans as stored, once `done` holds (a socket's end is written after it closed)."""
    store = await open_store(database)
    try:
        async with asyncio.timeout(TIMEOUT):
            while True:
                spans = await store.presence(session_ids)
                if done(spans):
                    return spans
                await asyncio.sleep(0.02)  # polls the database: the server says nothing when it has written
    finally:
        await store.close()


async def until(live: Live, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    while not check(live.state):
        await live.next()
    return live.state


async def test_a_put_presence_and_a_statement_across_two_servers_on_one_database(
    database: str, tmp_path: Path
) -> None:
    media = {"media_dir": tmp_path / "media"}
    async with contextlib.AsyncExitStack() as b_stack:
        b: Running = await b_stack.enter_async_context(
            in_process(tmp_path / "unused", db_url=database, **media)
        )
        async with in_process(tmp_path / "unused", db_url=database, **media) as a:
            created = await a.create_series(agenda())
            b.series = created
            series_id, am, se = created["series_id"], a.session_id(0), a.session_id(1)
            console = await Live.open(a.ws, am, created["moderator_token"])
            fr = await Live.open(a.ws, am, a.token("FR"))
            br = await Live.open(b.ws, am, b.token("BR"))
            spans = await spans_when(database, [am], lambda s: len(s) == 2)
            assert sorted((s.state, s.disconnected_at) for s in spans) == [("BR", None), ("FR", None)]

            doc = (await a.http.get(f"/api/series/{series_id}", headers=auth(ADMIN))).json()
            doc["title"] = "Renamed series"
            kept = doc["sessions"][0]
            kept["speakers"][1] = {"key": "b2", "name": "Bruno Costa", "kind": "cso", "language": "es"}
            doc["sessions"] = [
                kept,
                {
                    "key": "NZ",
                    "state_under_review": "NZ",
                    "start": "2030-12-12T10:00:00+01:00",
                    "format": "virtual",
                    "sur_statement_seconds": 300,
                    "speakers": [{"key": "n1", "name": "Aroha", "kind": "nhri", "language": "en"}],
                },
            ]  # SE removed
            doc["delegations"].append({"state": "DE"})
            r = await a.http.put(
                f"/api/series/{series_id}", json=doc, headers=auth(created["moderator_token"])
            )
            assert r.status_code == 200, r.text
            answer = r.json()
            assert [s["key"] for s in answer["sessions"]] == ["AM", "NZ"]
            nz = answer["sessions"][1]
            de = next(d["token"] for d in answer["delegations"] if d["state"] == "DE")
            b2 = next(sp["id"] for sp in answer["sessions"][0]["speakers"] if sp["key"] == "b2")

            for live in (console, fr, br):  # on A, and on B through LISTEN: the same sockets
                async with asyncio.timeout(TIMEOUT):
                    await until(live, lambda s: "Bruno Costa" in [sp["name"] for sp in s["speakers"]])
            assert console.state["title"] == fr.state["title"] == "Renamed series"

            # B takes up the new session (the setups counter moved), and with it the new title
            on_nz = await Live.open(b.ws, nz["id"], de)
            assert on_nz.welcome["state_code"] == "DE" and on_nz.state["format"] == "virtual"
            assert on_nz.state["sur_statement"]["allotted_ms"] == 300_000
            async with asyncio.timeout(TIMEOUT):
                await until(br, lambda s: s["title"] == "Renamed series")
            with pytest.raises(Refused) as refused:
                await Live.open(b.ws, se, None)
            assert refused.value.code == 4404, "B dropped the session the PUT removed"

            # a statement attached on A, read by a mission's phone page on B
            pdf = make_pdf()
            put = await a.http.put(
                f"/api/speakers/{b2}/statement",
                content=pdf,
                headers={**auth(created["moderator_token"]), "Content-Type": "application/pdf"},
            )
            assert put.status_code == 201, put.text
            listed = (await b.http.get(f"/join/{b.token('FR')}/statements")).json()
            (url,) = [s["url"] for s in listed["statements"]]
            got = await b.http.get(url)
            assert got.status_code == 200 and got.content == pdf

            await fr.close()
            spans = await spans_when(database, [am], lambda s: any(x.disconnected_at for x in s))
            assert [s.state for s in spans if s.disconnected_at is not None] == ["FR"]
            await console.close()
        # A stopped: B's phones are still there, their spans still open (B stops with them open)
        spans = await spans_when(database, [am, nz["id"]], lambda s: len(s) == 3)
        assert sorted((s.session_id, s.state, s.disconnected_at is None) for s in spans) == sorted(
            [(am, "FR", False), (am, "BR", True), (nz["id"], "DE", True)]
        )
    spans = await spans_when(database, [am, nz["id"]], lambda s: all(x.disconnected_at for x in s))
    assert all((s.disconnected_at or 0) >= s.connected_at for s in spans), "ended when B stopped"
