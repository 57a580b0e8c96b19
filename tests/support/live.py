"""A real `websockets` client of the live channel, for tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

TIMEOUT = 10


class Live:
    """One client: remembers the last state and seq it saw."""

    opened: list[Live] = []  # closed after each test by the autouse fixture in conftest.py

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.state: dict[str, Any] = {}
        self.seq = -1
        self.n = 0
        self.welcome: dict[str, Any] = {}

    @classmethod
    async def open(cls, ws_base: str, session_id: str, token: str | None, lang: str | None = None) -> Live:
        # Unbounded buffer: a test client that reads nothing for a while must still close promptly.
        ws = await websockets.connect(
            f"{ws_base}/ws/sessions/{session_id}", open_timeout=TIMEOUT, max_queue=None
        )
        live = cls(ws)
        cls.opened.append(live)
        hello: dict[str, Any] = {"type": "hello", "token": token}
        if lang:
            hello["lang"] = lang
        await ws.send(json.dumps(hello))
        live.welcome = await live.next()
        assert live.welcome["type"] == "welcome", live.welcome
        first = await live.next()
        assert first["type"] == "state", first
        return live

    async def next(self) -> dict[str, Any]:
        msg: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
        if msg["type"] == "state":
            assert msg["seq"] >= self.seq, "seq went backwards"
            self.state, self.seq = msg["session"], msg["seq"]
        return msg

    async def answer(self, frame: dict[str, Any] | str) -> dict[str, Any]:
        """Send one frame; return its answer (ack, error or pong), state frames passing by."""
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))
        while True:
            msg = await self.next()
            if msg["type"] in ("ack", "error", "pong"):
                return msg

    async def cmd(self, name: str, **args: Any) -> dict[str, Any]:
        self.n += 1
        return await self.answer({"type": "command", "id": f"c{self.n}", "name": name, "args": args})

    async def ok(self, name: str, **args: Any) -> int:
        """Run a command that must succeed; wait for the state of its seq; return the seq."""
        msg = await self.cmd(name, **args)
        assert msg["type"] == "ack", (name, args, msg)
        await self.until(msg["seq"])
        return int(msg["seq"])

    async def refused(self, code: str, name: str, **args: Any) -> dict[str, Any]:
        msg = await self.cmd(name, **args)
        assert msg["type"] == "error" and msg["code"] == code, (name, args, msg)
        return msg

    async def until(self, seq: int) -> dict[str, Any]:
        while self.seq < seq:
            await self.next()
        return self.state

    async def close(self) -> None:
        await self.ws.close()

    @classmethod
    async def close_all(cls) -> None:
        while cls.opened:
            await cls.opened.pop().close()
