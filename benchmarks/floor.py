"""The floor of this machine: one pre-built WebSocket frame written to N sockets, no framework.

A second yardstick next to reference.py (the bare `websockets` library). The server here is
an `asyncio.Protocol` and nothing else: it does the HTTP/1.1 upgrade by hand (RFC 6455 §4:
Sec-WebSocket-Accept = base64(sha1(key + GUID))), reads the few small masked frames a client
sends (a viewer's "viewer", the controller's "seq sent_ns", a ping now and then, a close),
and on each trigger builds one frame, the same ~1 KB JSON as the reference's with the seq and
the send time, then does `for t in viewers: t.write(frame)` and answers "sent". No per-viewer
encoding, no task, no queue: what is left is the event loop and the kernel, the least any
Python server on this machine can spend on a broadcast.

Everything else is reference.py's, imported rather than copied: the same `picows` viewers in a
second process, the same controller, the same statistics and the same JSON line, plus `"loop"`.

    GAP=0.5 PORT=8765 python benchmarks/floor.py N [rounds]

The event loop is uvloop when it can be imported (what uvicorn's `loop="auto"` picks for our
server), else asyncio's own; `FLOOR_LOOP=asyncio` forces asyncio's, `FLOOR_LOOP=uvloop`
insists on uvloop. A standalone script like reference.py (run from its folder, which puts
reference.py on sys.path); nothing from this package.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # mypy sees this folder as the `benchmarks` package
    from benchmarks import reference
else:  # run as a script: reference.py sits beside it, on sys.path
    import reference

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEAD = 16 * 1024  # an upgrade request larger than this is refused
MAX_FRAME = 64 * 1024  # clients here send a few bytes; anything larger is refused

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def loop_name() -> str:
    """ "uvloop" or "asyncio": FLOOR_LOOP if set, else uvloop when importable."""
    want = os.environ.get("FLOOR_LOOP", "auto").strip().lower() or "auto"
    if want not in ("auto", "uvloop", "asyncio"):
        raise SystemExit(f"FLOOR_LOOP must be auto, uvloop or asyncio, not {want!r}")
    if want == "asyncio":
        return "asyncio"
    try:
        import uvloop  # noqa: F401
    except ImportError:
        if want == "uvloop":
            raise
        return "asyncio"
    return "uvloop"


def frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, unfragmented server frame (RFC 6455 §5.2)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, n))
    elif n < 1 << 16:
        head = bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big")
    return head + payload


def accept_key(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def unmask(mask: bytes, data: bytes) -> bytes:
    n = len(data)
    if not n:
        return data
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


SENT = frame(TEXT, b"sent")
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Floor:
    """The server's state: the viewers' transports."""

    def __init__(self) -> None:
        self.viewers: set[asyncio.Transport] = set()

    def broadcast(self, seq: int, sent_ns: int) -> None:
        data = frame(TEXT, json.dumps(dict(reference.PAYLOAD, seq=seq, t=sent_ns)).encode())
        for t in self.viewers:
            t.write(data)


class Conn(asyncio.Protocol):
    """One client: the upgrade, then frames; its first text says whether it is a viewer."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.role: str | None = None  # "viewer" or "controller", from the first text frame

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.floor.viewers.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.upgraded and not self._upgrade():
            return
        self._frames()

    def _upgrade(self) -> bool:
        assert self.transport is not None
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > MAX_HEAD:
                self._refuse()
            return False
        head = bytes(self.buf[:end]).split(b"\r\n")
        del self.buf[: end + 4]
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get(b"sec-websocket-key")
        upgrade = headers.get(b"upgrade", b"").lower()
        if not head[0].startswith(b"GET ") or not key or b"websocket" not in upgrade:
            self._refuse()
            return False
        self.transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept_key(key) + b"\r\n\r\n"
        )
        self.upgraded = True
        return True

    def _refuse(self) -> None:
        assert self.transport is not None
        self.transport.write(BAD_REQUEST)
        self.transport.close()
        self.buf.clear()

    def _frames(self) -> None:
        """Every complete frame in the buffer (client frames are masked, small and unfragmented)."""
        assert self.transport is not None
        buf = self.buf
        while len(buf) >= 2:
            opcode, masked, n = buf[0] & 0x0F, buf[1] & 0x80, buf[1] & 0x7F
            pos = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, pos = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, pos = int.from_bytes(buf[2:10], "big"), 10
            if n > MAX_FRAME or not masked:  # RFC 6455 §5.1: a client's frames are masked
                self.transport.write(frame(CLOSE, (1002 if not masked else 1009).to_bytes(2, "big")))
                self.transport.close()
                buf.clear()
                return
            if len(buf) < pos + 4 + n:
                return
            mask = bytes(buf[pos : pos + 4])
            payload = unmask(mask, bytes(buf[pos + 4 : pos + 4 + n]))
            del buf[: pos + 4 + n]
            if opcode == TEXT:
                self._text(payload)
            elif opcode == PING:
                self.transport.write(frame(PONG, payload))
            elif opcode == CLOSE:  # answer with the same code and close the TCP connection
                self.floor.viewers.discard(self.transport)
                self.transport.write(frame(CLOSE, payload[:2]))
                self.transport.close()
                buf.clear()
                return
            # pongs, binary frames and continuations: nothing here needs them

    def _text(self, payload: bytes) -> None:
        assert self.transport is not None
        if self.role is None:
            self.role = "viewer" if payload == b"viewer" else "controller"
            if self.role == "viewer":
                self.floor.viewers.add(self.transport)
            return
        if self.role == "controller":  # "seq sent_ns"
            seq, sent = map(int, payload.split())
            self.floor.broadcast(seq, sent)
            self.transport.write(SENT)


def server_main(ready: Event) -> None:
    """The floor server on 127.0.0.1:PORT, on the loop `loop_name()` picks."""
    reference.raise_open_files()
    floor = Floor()

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Conn(floor), "127.0.0.1", reference.PORT)
        async with server:
            ready.set()
            await asyncio.Future()

    if loop_name() == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(run())
    else:
        asyncio.run(run())


if __name__ == "__main__":
    reference.main(server_main, loop=loop_name())
