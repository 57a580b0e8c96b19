"""The `websockets` clients of the live channel (PROTOCOL §3), for the benchmarks and the tests.

Both say the hello the same way (`hello`) and keep the latest `state`:

- `Live` (benchmarks, fault drills) reads in a task of its own, matches every `ack` or
  `error` to its command by id (pipelining allowed), and timestamps sends and answers with
  `time.time_ns()` (the same clock the viewer process reads, so spans across processes are
  comparable);
- `Stepwise` (tests, as `tests.support.live.Live`) reads frame by frame in the caller's own
  coroutine, so a test can check each frame in the order it came, or use the socket itself.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

_TYPE = re.compile(rb'"type"\s*:\s*"([a-z_]+)"')


def frame_type(raw: bytes) -> str | None:
    """The `type` of a frame read from its first bytes, without decoding the whole frame."""
    m = _TYPE.search(raw, 0, 64)
    return m.group(1).decode() if m else None


class Refused(Exception):
    """The server closed the socket instead of welcoming the client."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"closed with {code} {reason!r}")
        self.code = code


async def hello(
    ws: ClientConnection, token: str | None, *, lang: str | None = None, within: float = 30
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Say hello (§3.1); return the `welcome` and the first `state`. Raises `Refused` if the server
    closes the socket instead; a socket that got anything else is closed and an AssertionError raised."""
    first: dict[str, Any] = {"type": "hello", "token": token}
    if lang:
        first["lang"] = lang
    try:
        await ws.send(json.dumps(first))
        async with asyncio.timeout(within):
            welcome = json.loads(await ws.recv())
            state = json.loads(await ws.recv())
    except ConnectionClosed as e:
        code = e.rcvd.code if e.rcvd else None
        raise Refused(code, e.rcvd.reason if e.rcvd else "") from None
    if welcome.get("type") != "welcome" or state.get("type") != "state":
        await ws.close()
        raise AssertionError(f"expected welcome then state, got {welcome!r} then {state.get('type')!r}")
    return welcome, state


@dataclass
class Answer:
    """The one answer to one command frame."""

    msg: dict[str, Any]
    sent_ns: int
    answered_ns: int

    @property
    def ok(self) -> bool:
        return self.msg.get("type") == "ack"

    @property
    def code(self) -> str | None:
        return self.msg.get("code")

    @property
    def seq(self) -> int:
        return int(self.msg["seq"])

    @property
    def ms(self) -> float:
        return (self.answered_ns - self.sent_ns) / 1e6


class Live:
    """One client of one session's live channel."""

    _ids = itertools.count(1)

    def __init__(
        self, ws: ClientConnection, welcome: dict[str, Any], state: dict[str, Any], track: bool
    ) -> None:
        self.ws = ws
        self.welcome = welcome
        self.role = welcome.get("role")
        self.track = track
        self.seq = int(state["seq"])
        self.state: dict[str, Any] = state["session"]
        self.states = 0  # state frames received after the first
        self.history = [self.seq]  # the seq of every state received (tracked clients only)
        self.others: list[dict[str, Any]] = []  # frames that answer nothing we sent
        self.close_code: int | None = None
        self._pending: dict[str, tuple[asyncio.Future[Answer], int]] = {}
        self._pongs: deque[tuple[asyncio.Future[Answer], int]] = deque()
        self._seq_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(
        cls, url: str, origin: str, token: str | None, *, track: bool = True, within: float = 30, **kw: Any
    ) -> Live:
        """Connect, say hello and wait for `welcome` then `state`; raises `Refused` on a close."""
        kw.setdefault("compression", None)
        kw.setdefault("max_size", 4 * 2**20)
        kw.setdefault("open_timeout", within)
        ws = await connect(url, origin=origin, **kw)  # type: ignore[arg-type]
        welcome, state = await hello(ws, token, within=within)
        return cls(ws, welcome, state, track)

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.ws.recv(decode=False)
                now = time.time_ns()
                assert isinstance(raw, bytes)
                kind = frame_type(raw)
                if kind == "state" and not self.track:
                    self.states += 1
                    continue
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "state":
                    self.states += 1
                    self._on_state(msg)
                elif kind in ("ack", "error") and str(msg.get("id")) in self._pending:
                    fut, sent = self._pending.pop(str(msg["id"]))
                    if not fut.done():
                        fut.set_result(Answer(msg, sent, now))
                elif kind == "pong" and self._pongs:
                    fut, sent = self._pongs.popleft()
                    if not fut.done():
                        fut.set_result(Answer(msg, sent, now))
                else:
                    self.others.append(msg)
        except ConnectionClosed as e:
            self.close_code = e.rcvd.code if e.rcvd else None
            self._fail(e)
        except Exception as e:  # a harness bug: make every waiter see it
            self._fail(e)
            raise

    def _fail(self, exc: BaseException) -> None:
        for fut, _ in self._pending.values():
            if not fut.done():
                fut.set_exception(exc)
        self._pending.clear()
        for fut, _ in self._pongs:
            if not fut.done():
                fut.set_exception(exc)
        self._pongs.clear()
        for _, waiter in self._seq_waiters:
            if not waiter.done():
                waiter.set_exception(exc)
        self._seq_waiters.clear()

    def _on_state(self, msg: dict[str, Any]) -> None:
        seq = int(msg["seq"])
        if seq < self.seq:
            raise AssertionError(f"seq went backwards: {seq} after {self.seq}")
        self.seq, self.state = seq, msg["session"]
        self.history.append(seq)
        keep = []
        for want, fut in self._seq_waiters:
            if want <= seq:
                if not fut.done():
                    fut.set_result(None)
            else:
                keep.append((want, fut))
        self._seq_waiters = keep

    @property
    def closed(self) -> bool:
        return self._reader.done()

    async def wait_closed(self) -> None:
        """Until the socket is closed (by either side, or lost)."""
        await asyncio.gather(self._reader, return_exceptions=True)

    async def send_command(self, name: str, args: dict[str, Any] | None = None) -> asyncio.Future[Answer]:
        """Send one command; the future resolves with its answer (pipelining allowed)."""
        cid = f"b{next(self._ids)}"
        fut: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        frame = json.dumps({"type": "command", "id": cid, "name": name, "args": args or {}})
        if self._reader.done():
            fut.set_exception(ConnectionError("socket closed"))
            return fut
        self._pending[cid] = (fut, time.time_ns())
        try:
            await self.ws.send(frame)
        except BaseException:
            self._pending.pop(cid, None)  # never sent: nobody will await it
            fut.cancel()
            raise
        return fut

    async def command(self, name: str, args: dict[str, Any] | None = None, within: float = 10) -> Answer:
        """Send one command and wait for its `ack` or `error`."""
        fut = await self.send_command(name, args)
        try:
            async with asyncio.timeout(within):
                return await fut
        finally:
            fut.cancel()  # no-op once answered; else nobody is left to see its outcome

    async def must(self, name: str, args: dict[str, Any] | None = None, within: float = 10) -> Answer:
        """A command that has to be acknowledged; raises with the server's answer if not.

        A `rate_limited` answer is waited out (the limit is per connection, a few per second)."""
        for _ in range(100):
            answer = await self.command(name, args, within)
            if answer.code != "rate_limited":
                break
            await asyncio.sleep(0.11)
        if not answer.ok:
            raise AssertionError(f"{name} {args or {}} refused: {answer.msg}")
        return answer

    async def ping(self, within: float = 10) -> Answer:
        """A clock ping (§3.4); answered by `pong`."""
        fut: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        now = time.time_ns()
        self._pongs.append((fut, now))
        await self.ws.send(json.dumps({"type": "ping", "t0": now // 1_000_000}))
        async with asyncio.timeout(within):
            return await fut

    async def wait_seq(self, seq: int, within: float = 10) -> None:
        """Until a state with at least this seq has arrived (needs `track`)."""
        assert self.track, "this client does not track state"
        if self.seq >= seq:
            return
        if self._reader.done():
            raise ConnectionError(f"socket closed before seq {seq}")
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq_waiters.append((seq, fut))
        try:
            async with asyncio.timeout(within):
                await fut
        finally:
            fut.cancel()

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


async def open_many(
    url: str, origin: str, tokens: list[str | None], *, track: bool = False, concurrency: int = 64
) -> list[Live]:
    """Open one client per token, `concurrency` handshakes at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(token: str | None) -> Live:
        async with gate:
            return await Live.open(url, origin, token, track=track)

    return list(await asyncio.gather(*(one(t) for t in tokens)))


class Stepwise:
    """One client read frame by frame by the caller: remembers the last state and seq it read.

    Every client opened is kept in `opened` until `close_all()` (the tests' fixtures call it)."""

    TIMEOUT: ClassVar[float] = 10
    opened: ClassVar[list[Stepwise]] = []

    def __init__(self, ws: ClientConnection, welcome: dict[str, Any], state: dict[str, Any]) -> None:
        self.ws = ws
        self.welcome = welcome
        self.seq = int(state["seq"])
        self.state: dict[str, Any] = state["session"]
        self.n = 0

    @classmethod
    async def open(
        cls, ws_base: str, session_id: str, token: str | None, lang: str | None = None
    ) -> Stepwise:
        """Connect to `ws_base`/ws/sessions/`session_id`, say hello, read `welcome` and `state`."""
        # Unbounded buffer: a test client that reads nothing for a while must still close promptly.
        ws = await connect(f"{ws_base}/ws/sessions/{session_id}", open_timeout=cls.TIMEOUT, max_queue=None)
        try:
            welcome, state = await hello(ws, token, lang=lang, within=cls.TIMEOUT)
        except BaseException:
            await ws.close()
            raise
        live = cls(ws, welcome, state)
        cls.opened.append(live)
        return live

    async def next(self) -> dict[str, Any]:
        """The next frame; a `state` frame becomes the client's state."""
        msg: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), self.TIMEOUT))
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
        """Read frames until the state of at least `seq`."""
        while self.seq < seq:
            await self.next()
        return self.state

    async def close(self) -> None:
        await self.ws.close()

    @classmethod
    async def close_all(cls) -> None:
        while cls.opened:
            await cls.opened.pop().close()
