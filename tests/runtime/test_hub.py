"""Fan-out: a client that never reads never delays the others, and costs bounded memory."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct

import pytest

from moderator.runtime.hub import Client
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import Running, in_process


def masked_text(payload: bytes) -> bytes:
    """One client-to-server text frame (clients must mask)."""
    mask = os.urandom(4)
    head = bytes([0x81])
    n = len(payload)
    head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def never_reading_client(server: Running, session_id: str) -> socket.socket:
    """A raw socket with a tiny receive buffer: it says hello, then never reads again."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    host, port = server.base.removeprefix("http://").split(":")
    await loop.sock_connect(sock, (host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/sessions/{session_id} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += await loop.sock_recv(sock, 1)
    assert b" 101 " in response
    await loop.sock_sendall(sock, masked_text(json.dumps({"type": "hello", "token": None}).encode()))
    return sock


@pytest.fixture
async def server(tmp_path):
    """A server whose moderator may send as fast as the test can."""
    async with in_process(
        tmp_path / "m.sqlite3", moderator_commands_per_second=1e6, moderator_command_burst=1e6
    ) as running:
        await running.create_series(agenda())
        yield running
        await Live.close_all()


@pytest.mark.slow
async def test_a_client_that_never_reads_does_not_delay_the_others(server: Running):
    """3000 state changes: the readers get every ack and a state of each seq in order; the stalled
    client's outbox holds at most one state frame (latest wins)."""
    sid = server.session_id()
    sock = await never_reading_client(server, sid)
    try:
        mod = await Live.open(server.ws, sid, server.series["moderator_token"])
        viewer = await Live.open(server.ws, sid, None)
        hub = server.app.state.hub
        assert hub.count(sid) == 3
        for i in range(3000):  # about 7 MB of frames: more than the kernel buffers of one socket hold
            seq = await mod.ok("message.show", text=f"Message number {i} " + "x" * 150, to="room")
        await viewer.until(seq)
        assert viewer.state["message"]["text"].startswith("Message number 2999")
        slow = [c for c in hub._clients[sid] if c.role == "viewer" and c is not None]
        outboxes = sorted(len(c._outbox) for c in slow)
        assert outboxes[-1] <= 2, outboxes  # the never-reading one holds the newest state, not 500
        assert any(c.sending_since is not None for c in slow), "the slow client's socket never filled up"
    finally:
        sock.close()  # else the server, waiting for it to close, never stops


async def test_an_idle_client_gets_its_state_at_once_and_a_blocked_one_from_its_sender_once():
    """push_state writes straight away when the socket takes it; when the send would wait it is
    abandoned before writing and the sender task delivers the frame exactly once."""
    sent: list[str] = []
    writable = asyncio.Event()
    writable.set()
    delivered = asyncio.Event()

    async def send(text: str) -> None:
        await writable.wait()  # like uvicorn's sans-I/O send: wait for writability, then write
        sent.append(text)
        delivered.set()

    client = Client(send, "viewer", None)
    client.push_state("s1")
    assert sent == ["s1"]  # no await happened: written synchronously
    writable.clear()
    delivered.clear()
    client.push_state("s2")
    client.push_state("s3")  # replaces s2, not yet sent
    assert sent == ["s1"]
    writable.set()
    await asyncio.wait_for(delivered.wait(), 5)
    assert sent == ["s1", "s3"]
    await client.close()
