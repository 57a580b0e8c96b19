"""Idle and stalled connections (moderator/web/guard.py) on a real `moderator serve` with few descriptors.

The server process gets a limit of 256 open files (RLIMIT_NOFILE, set on the running process
as tests/test_faults.py does for RLIMIT_FSIZE); one address then opens more idle connections
than that. The cap per address and the header deadline must keep /healthz and the moderator's
socket working, and every idle connection must be closed by the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time

import psutil
import pytest
import websockets

from benchmarks.live import open_many
from benchmarks.server import HOST
from benchmarks.session import bench
from tests.support.agenda import agenda
from tests.support.live import Live as Screen
from tests.support.server import in_process

CAP = 40
HEADER_SECONDS = 3.0
FILES = 256


async def _idle(port: int, greeting: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(HOST, port)
    if greeting:
        writer.write(greeting)
        await writer.drain()
    return reader, writer


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> float:
    """Seconds until the server ends this connection (EOF or reset); fails if it does not within `within`."""
    t0 = time.monotonic()
    with contextlib.suppress(ConnectionError):
        async with asyncio.timeout(within):
            while await reader.read(4096):
                pass
    return time.monotonic() - t0


@pytest.mark.slow
async def test_a_flood_of_idle_connections_from_one_address_leaves_the_server_usable() -> None:
    """300 header-less connections from 127.0.0.1 with 256 descriptors: /healthz and the console work."""
    env = {
        "MODERATOR_MAX_CONNECTIONS_PER_ADDRESS": str(CAP),
        "MODERATOR_HEADER_TIMEOUT_SECONDS": str(HEADER_SECONDS),
    }
    async with bench(env=env) as b:
        server = psutil.Process(b.server.pid)
        server.rlimit(psutil.RLIMIT_NOFILE, (FILES, FILES))
        before = await b.moderator()  # a console already connected
        await before.must("session.open")
        idle = []
        for i in range(300):
            greeting = b"" if i % 10 == 0 else b"GET /healthz HTTP/1.1\r\n"  # nothing, or a request line only
            idle.append(await _idle(b.server.port, greeting))
        assert await asyncio.to_thread(b.server.healthy, 5), "/healthz failed during the flood"
        after = await b.moderator()  # a console connecting during the flood
        ack = await after.must("message.show", {"text": "Still here", "to": "room"})
        await before.wait_seq(ack.seq)
        assert before.state["message"]["text"] == "Still here"
        open_now = [c for c in server.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED]
        assert len(open_now) <= CAP + 5, f"{len(open_now)} connections held open, cap {CAP}"
        # Every idle connection is closed by the server: the evicted ones already, the rest at the deadline.
        waits = await asyncio.gather(*(_closed_by_server(r, HEADER_SECONDS + 10) for r, _ in idle))
        assert max(waits) <= HEADER_SECONDS + 2
        assert await asyncio.to_thread(b.server.healthy, 5)
        assert (await after.ping()).msg["type"] == "pong" and (await before.ping()).msg["type"] == "pong"
        for _, writer in idle:
            writer.close()
        await after.close()
        await before.close()


async def test_an_idle_connection_is_closed_at_the_header_deadline_and_not_before(tmp_path) -> None:
    """A request line alone: the server closes the connection header_seconds after it opened."""
    async with in_process(tmp_path / "m.sqlite3", header_timeout_seconds=1.0) as running:
        port = int(running.base.rsplit(":", 1)[1])
        reader, writer = await _idle(port, b"GET /healthz HTTP/1.1\r\n")
        waited = await _closed_by_server(reader, 10)
        assert 0.9 <= waited <= 5, waited
        writer.close()
        # A complete request on a new connection is answered as usual.
        assert (await running.http.get("/healthz")).status_code == 200


async def test_anonymous_viewers_are_capped_per_address_and_screens_with_tokens_are_not(tmp_path) -> None:
    """Past the cap a viewer is closed 4429; missions and the console from the same address get in."""
    async with in_process(tmp_path / "m.sqlite3", max_connections_per_address=5) as running:
        series = await running.create_series(agenda())
        sid = running.session_id()
        viewers = [await Screen.open(running.ws, sid, None) for _ in range(5)]
        with pytest.raises(Exception) as refused:
            await Screen.open(running.ws, sid, None)
        assert "4429" in str(refused.value), refused.value
        console = await Screen.open(running.ws, sid, series["moderator_token"])
        phones = [await Screen.open(running.ws, sid, running.token(c)) for c in ("FR", "KE", "JP")]
        assert (await console.answer({"type": "ping", "t0": 1}))["type"] == "pong"
        await viewers.pop().ws.close()  # a freed place can be taken again
        viewers.append(await Screen.open(running.ws, sid, None))
        for live in [*viewers, console, *phones]:
            await live.ws.close()


def _holds(server: psutil.Process, client_port: int) -> bool:
    """Whether the server process still has a descriptor for its side of this client's connection."""
    return any(c.raddr and c.raddr.port == client_port for c in server.net_connections("tcp"))


@pytest.mark.slow
async def test_a_stalled_client_the_hub_drops_is_aborted_and_its_descriptor_freed_at_once() -> None:
    """A console that stops reading and overflows its outbox is dropped; its socket is gone at once."""
    async with bench() as b:
        server = psutil.Process(b.server.pid)
        mod = await b.moderator()
        await mod.must("session.open")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (HOST, b.server.port))
        port = sock.getsockname()[1]
        stalled = await websockets.connect(b.url, origin=b.origin, sock=sock, max_queue=1, compression=None)
        await stalled.send(json.dumps({"type": "hello", "token": b.moderator_token}))
        codes = [c for c in sorted(b.tokens) if c != b.sur]  # every UN Member but the SuR
        missions = await open_many(b.url, b.origin, [b.tokens[c] for c in codes])
        for i, mission in enumerate(missions):  # each state frame to a console carries every topic
            await mission.must("queue.request", {"topic": f"{i} " + "A long question on detention. " * 9})
        for i in range(100):  # ~60 KB a frame: far more than the kernel buffers (up to 4 MB) for it
            await mod.must("message.show", {"text": f"Message {i}", "to": "room"})
        assert _holds(server, port)
        for i in range(100):  # pings it never reads the answers to: its outbox overflows
            await stalled.send(json.dumps({"type": "ping", "t0": i}))
        assert (await mod.ping()).msg["type"] == "pong"  # the pings have been read by now
        async with asyncio.timeout(5):
            # The process's descriptors: no event tells when one closes, so look again shortly.
            while _holds(server, port):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert b.server.healthy()
        for live in [*missions, mod]:
            await live.close()
        stalled.transport.abort()


async def test_a_connection_whose_peer_closed_does_not_stop_the_server_shutting_down(tmp_path) -> None:
    """The peer's close frame came and was answered, the connection is not lost yet, and the server
    stops: its shutdown of that connection only closes it (a second close frame would be refused
    by the sans-I/O protocol, and the exception stopped uvicorn's shutdown of every other one)."""
    from websockets.frames import Close, Frame, Opcode

    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(agenda())
        sid = server.series["sessions"][0]["id"]
        screen = await Screen.open(server.ws, sid, None)
        (conn,) = [c for c in server.server.server_state.connections if hasattr(c, "conn")]
        close = Frame(Opcode.CLOSE, Close(1000, "").serialize()).serialize(mask=True)
        conn.data_received(close)  # in the same loop turn as the shutdown: nothing was lost yet
        assert conn.transport.is_closing() and not conn.close_sent
        conn.shutdown()  # before: websockets.exceptions.InvalidState: connection is closing
        await screen.ws.wait_closed()


async def test_a_websocket_opening_writes_no_line_to_uvicorns_log_below_debug(tmp_path) -> None:
    """uvicorn's accept line and websockets' "connection open" (its protocol logs to the logger
    uvicorn gives it) go to guard.SOCKETS_LOG, shown only at debug: a join storm is no log storm."""
    import logging

    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    uvicorn_log = logging.getLogger("uvicorn.error")
    lines = Lines()
    async with in_process(tmp_path / "m.sqlite3") as server:
        await server.create_series(agenda())
        level = uvicorn_log.level
        uvicorn_log.setLevel(logging.INFO)  # as `moderator serve` runs by default
        uvicorn_log.addHandler(lines)
        try:
            screen = await Screen.open(server.ws, server.session_id(), None)
            await screen.close()
        finally:
            uvicorn_log.removeHandler(lines)
            uvicorn_log.setLevel(level)
    assert not [line for line in lines.lines if "connection open" in line or "accepted" in line], lines.lines
