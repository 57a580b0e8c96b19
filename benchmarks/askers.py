"""Missions for the question burst: `picows` clients in the driver's process, cheap per frame.

In the burst, every state the server fans out reaches all 193 missions: some 37,000 frames in a
second. Read by `websockets` clients (benchmarks/live.py `Live`) in the driver's one process,
those frames took about 0.9 s of the driver's CPU in that second, so an ack waited in the
driver's own loop before it was timestamped, and the figure measured the driver. These clients
parse frames in picows' C code and look at a frame's first bytes for its type: a state is
counted and dropped, an ack or error is decoded and matched to its command by id, timestamped
with `time.time_ns()` on arrival (as `Live` does).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from .live import Answer, frame_type


def _asker_class() -> type:
    import picows

    text = picows.WSMsgType.TEXT

    class Asker(picows.WSListener):
        TEXT = text

        def __init__(self, hello: bytes) -> None:
            super().__init__()
            self.hello = hello
            self.transport: Any = None
            self.greeted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.pending: dict[str, tuple[asyncio.Future[Answer], int]] = {}
            self.states = 0

        def on_ws_connected(self, transport: Any) -> None:
            self.transport = transport
            transport.send(text, self.hello)

        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            now = time.time_ns()
            if frame.msg_type != text:
                return
            payload = frame.get_payload_as_bytes()
            kind = frame_type(payload)
            if kind == "state":
                self.states += 1
                if not self.greeted.done():
                    self.greeted.set_result(None)
                return
            if kind in ("ack", "error"):
                msg = json.loads(payload)
                waiting = self.pending.pop(str(msg.get("id")), None)
                if waiting is not None and not waiting[0].done():
                    waiting[0].set_result(Answer(msg, waiting[1], now))

        def on_ws_disconnected(self, transport: Any) -> None:
            for future, _ in self.pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("the server closed the connection"))
            if not self.greeted.done():
                self.greeted.set_exception(ConnectionError("closed before the first state"))

    return Asker


class Askers:
    """One picows connection per token, each said hello and had its first state."""

    _ids = itertools.count(1)

    def __init__(self, clients: list[Any]) -> None:
        self.clients = clients

    @classmethod
    async def open(cls, url: str, origin: str, tokens: list[str], concurrency: int = 64) -> Askers:
        import picows

        asker = _asker_class()
        gate = asyncio.Semaphore(concurrency)

        async def one(token: str) -> Any:
            hello = json.dumps({"type": "hello", "token": token}).encode()
            async with gate:
                headers = {"Origin": origin}
                connected = picows.ws_connect(
                    lambda: asker(hello), url, extra_headers=headers, websocket_handshake_timeout=30
                )
                client: Any = (await connected)[1]
                await asyncio.wait_for(client.greeted, 30)
            return client

        return cls(list(await asyncio.gather(*(one(t) for t in tokens))))

    async def command(self, i: int, name: str, args: dict[str, Any], within: float) -> Answer:
        """Send command `name` from client `i`; its ack or error, timestamped on arrival."""
        client = self.clients[i]
        cid = f"b{next(self._ids)}"
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        frame = json.dumps({"type": "command", "id": cid, "name": name, "args": args}).encode()
        client.pending[cid] = (future, time.time_ns())
        client.transport.send(client.TEXT, frame)
        return await asyncio.wait_for(future, within)

    def close(self) -> None:
        for client in self.clients:
            if client.transport is not None:
                client.transport.send_close()
                client.transport.disconnect()
