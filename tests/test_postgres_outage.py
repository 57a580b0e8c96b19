"""PostgreSQL goes away under a running server and comes back: the server survives it.

Server A reaches PostgreSQL through a TCP proxy the test cuts (benchmarks/proxy.py): for A it is
an outage, every connection reset and new ones refused, while PostgreSQL itself, server B (on the
same database, directly) and other tests go on. During the outage A's commands are answered
`unavailable` with a sentence, nothing changes, its sockets stay open; B goes on committing. When
the proxy is back, A's listener connection is opened again, B's commits of the outage reach A's
screens (the poll), and A takes commands again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks.proxy import TcpProxy
from moderator.store.postgres import CHANNEL, PROBE_TIMEOUT_S
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.postgres import admin, fresh_database
from tests.support.server import in_process

pytestmark = pytest.mark.slow  # an outage lasts a few seconds (the pool's wait for a connection)


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()


async def test_commands_are_unavailable_during_an_outage_and_everything_resumes_after(
    database: str, tmp_path: Path
) -> None:
    parts = urlsplit(database)
    async with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:
        media = {"media_dir": tmp_path / "media"}
        async with (
            in_process(tmp_path / "unused", db_url=through(proxy, database), **media) as a,
            in_process(tmp_path / "unused", db_url=database, **media) as b,
        ):
            created = await a.create_series(agenda())
            sid, token = created["sessions"][0]["id"], created["moderator_token"]
            on_a, on_b = await Live.open(a.ws, sid, token), await Live.open(b.ws, sid, token)
            viewer_a = await Live.open(a.ws, sid, None)
            try:
                opened = await on_a.ok("session.open")
                await on_b.until(opened)

                await proxy.cut()
                refused = await on_a.refused("unavailable", "message.show", text="during", to="room")
                assert refused["message"].endswith(".") and len(refused["message"].split()) > 5, refused
                assert on_a.seq == opened and on_a.state["message"] is None, "nothing changed"
                during = await on_b.ok("message.show", text="from B during the outage", to="room")

                await proxy.restore()
                await viewer_a.until(during)  # B's commit reaches A's screens once A's listener is back
                assert viewer_a.state["message"]["text"] == "from B during the outage"
                for attempt in range(20):  # the pool finds its connections dead and opens new ones
                    answer = await on_a.cmd("message.show", text="after", to="room")
                    if answer["type"] == "ack":
                        break
                    assert answer["code"] == "unavailable" and attempt < 19, answer
                await on_b.until(answer["seq"])
                assert on_b.state["message"]["text"] == "after"
                await viewer_a.until(answer["seq"])
            finally:
                await asyncio.gather(on_a.close(), on_b.close(), viewer_a.close())


async def _listener_through(proxy: TcpProxy, database: str) -> int:
    """The port PostgreSQL sees the listener connection of the server behind `proxy` come from."""
    conn = await admin()
    async with conn:
        rows = await (
            await conn.execute(
                "SELECT client_port FROM pg_stat_activity WHERE datname = %s AND query IN (%s, %s)",
                (database.rpartition("/")[2], "SELECT session_id, seq FROM heads", f'LISTEN "{CHANNEL}"'),
            )
        ).fetchall()
    ports = [r[0] for r in rows if r[0] in proxy.upstream_ports]
    assert len(ports) == 1, (rows, proxy.upstream_ports)
    return int(ports[0])


async def test_a_listener_connection_that_stops_answering_is_opened_again(
    database: str, tmp_path: Path
) -> None:
    """The listener's connection becomes a black hole (no RST, no FIN: a network cut): its poll
    gets no answer within PROBE_TIMEOUT_S, it is dropped and opened again, and a commit of
    another process made meanwhile reaches this server's screens."""
    parts = urlsplit(database)
    async with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:
        media = {"media_dir": tmp_path / "media"}
        async with (
            in_process(tmp_path / "unused", db_url=through(proxy, database), **media) as a,
            in_process(tmp_path / "unused", db_url=database, **media) as b,
        ):
            created = await a.create_series(agenda())
            sid, token = created["sessions"][0]["id"], created["moderator_token"]
            viewer_a, on_b = await Live.open(a.ws, sid, None), await Live.open(b.ws, sid, token)
            try:
                proxy.hold(await _listener_through(proxy, database))
                seq = await on_b.ok("message.show", text="while A's listener hears nothing", to="room")
                loop = asyncio.get_running_loop()
                held_at = loop.time()
                await viewer_a.until(seq)
                assert viewer_a.state["message"]["text"] == "while A's listener hears nothing"
                assert loop.time() - held_at < PROBE_TIMEOUT_S + 5, "found dead by the probe, not by TCP"
                assert proxy.connections >= 3, "a new listener connection was opened"
            finally:
                await asyncio.gather(viewer_a.close(), on_b.close())
