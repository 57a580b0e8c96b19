"""Viewers: many `picows` WebSocket clients in their own process, so the generator stays cheap.

The parent drives the pool through a pipe (`ViewerPool`); the pool connects N anonymous
viewers to one session (hello with a null token), and each viewer records, for every
`state` frame, its seq and the `time.time_ns()` of its arrival. The seq is read from the
frame's first bytes (a regular expression) and checked against a full JSON decode on the
first frame of every viewer and on every 64th frame after that, so a server that writes
its frames differently shows up as `parse_mismatches`, never as a wrong latency.

Slow viewers (`slow=k`) connect with a 4 KiB receive buffer and stop reading after their
first state: the server's writes to them back up, as they would to a phone that froze.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import re
import socket
import time
from array import array
from collections import Counter
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import psutil

from .reference import raise_open_files

_SEQ = re.compile(rb'"seq"\s*:\s*(\d+)')
_CHECK_EVERY = 64
SLOW_RCVBUF = 4096


# --------------------------------------------------------------------------- child process


class _Pool:
    def __init__(self) -> None:
        self.viewers: list[Any] = []
        self.first_states = 0
        self.want_first = 0
        self.first_event = asyncio.Event()
        self.parse_mismatches = 0


def _make_viewer_class() -> type:
    import picows

    text, close, ping = picows.WSMsgType.TEXT, picows.WSMsgType.CLOSE, picows.WSMsgType.PING

    class Viewer(picows.WSListener):
        def __init__(self, pool: _Pool, hello: bytes, slow: bool) -> None:
            super().__init__()
            self.pool, self.hello, self.slow = pool, hello, slow
            self.transport: Any = None
            self.seqs = array("q")
            self.times = array("q")
            self.connect_ns = time.time_ns()
            self.welcome_ns = 0
            self.first_state_ns = 0
            self.texts = self.control = self.nbytes = 0
            self.other: Counter[str] = Counter()
            self.close_code: int | None = None
            self.closing = False
            self.disconnected_ns = 0

        def on_ws_connected(self, transport: Any) -> None:
            self.transport = transport
            transport.send(text, self.hello)

        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            now = time.time_ns()
            kind = frame.msg_type
            if kind == text:
                payload = frame.get_payload_as_bytes()
                self.texts += 1
                self.nbytes += len(payload)
                m = _SEQ.search(payload, 0, 256)
                if m is None:
                    msg = json.loads(payload)
                    if msg.get("type") == "welcome":
                        self.welcome_ns = now
                    else:
                        self.other[str(msg.get("type"))] += 1
                    return
                seq = int(m.group(1))
                self.seqs.append(seq)
                self.times.append(now)
                if self.first_state_ns == 0 or len(self.seqs) % _CHECK_EVERY == 0:
                    msg = json.loads(payload)
                    if msg.get("type") != "state" or msg.get("seq") != seq:
                        self.pool.parse_mismatches += 1
                if self.first_state_ns == 0:
                    self.first_state_ns = now
                    if self.slow:
                        transport.underlying_transport.pause_reading()
                    self.pool.first_states += 1
                    if self.pool.first_states >= self.pool.want_first:
                        self.pool.first_event.set()
            elif kind == close:
                self.close_code = int(frame.get_close_code())
                if not self.closing:  # the server closed first: answer, as the protocol asks
                    transport.send_close(frame.get_close_code())
                transport.disconnect()
            else:  # keepalive: answered here rather than by picows, so that it is counted
                self.control += 1
                if kind == ping:
                    transport.send_pong(frame.get_payload_as_bytes())

        def on_ws_disconnected(self, transport: Any) -> None:
            self.disconnected_ns = time.time_ns()

        def reset(self) -> None:
            self.seqs = array("q")
            self.times = array("q")
            self.texts = self.control = self.nbytes = 0
            self.other.clear()

    return Viewer


def _slow_socket(_url: Any) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RCVBUF)
    sock.setblocking(False)
    return sock


async def _connect(pool: _Pool, viewer_cls: type, kw: dict[str, Any]) -> dict[str, Any]:
    import picows

    n, slow = int(kw["n"]), int(kw.get("slow", 0))
    url, origin = kw["url"], kw["origin"]
    concurrency = kw.get("concurrency")
    hello = json.dumps({"type": "hello", "token": None}).encode()
    start = len(pool.viewers)
    pool.want_first = pool.first_states + n
    pool.first_event = asyncio.Event()
    gate = asyncio.Semaphore(concurrency) if concurrency else None
    failures: Counter[str] = Counter()

    async def one(i: int) -> None:
        is_slow = i < slow
        factory: Callable[[], Any] = lambda: viewer_cls(pool, hello, is_slow)  # noqa: E731
        extra: dict[str, Any] = {"socket_factory": _slow_socket} if is_slow else {}
        connect = picows.ws_connect(
            factory,
            url,
            extra_headers={"Origin": origin},
            websocket_handshake_timeout=60,
            enable_auto_pong=False,
            **extra,
        )
        try:
            if gate:
                async with gate:
                    _, viewer = await connect
            else:
                _, viewer = await connect
            pool.viewers.append(viewer)
        except Exception as e:  # counted and reported: a refused or failed connection is a result
            failures[type(e).__name__ + ": " + str(e)[:80]] += 1
            pool.want_first -= 1
            if pool.first_states >= pool.want_first:
                pool.first_event.set()

    t0 = time.time_ns()
    await asyncio.gather(*(one(i) for i in range(n)))
    connected_ns = time.time_ns()
    try:
        async with asyncio.timeout(float(kw.get("within", 120))):
            await pool.first_event.wait()
    except TimeoutError:
        pass
    mine = pool.viewers[start:]
    return {
        "requested": n,
        "connected": len(mine),
        "failures": dict(failures),
        "with_state": sum(1 for v in mine if v.first_state_ns),
        "start_ns": t0,
        "all_connected_ms": (connected_ns - t0) / 1e6,
        "first_state_ms": [(v.first_state_ns - t0) / 1e6 if v.first_state_ns else None for v in mine],
        "parse_mismatches": pool.parse_mismatches,
    }


def _latencies(pool: _Pool, kw: dict[str, Any]) -> dict[str, Any]:
    """Per command: for each fast viewer, ms from the send to the first state with seq >= the ack's."""
    from bisect import bisect_left

    marks: list[tuple[int, int]] = kw["marks"]  # (ack seq, send time ns)
    rounds: list[list[float]] = [[] for _ in marks]
    missing = 0
    for v in pool.viewers:
        if v.slow:
            continue
        seqs, times = list(v.seqs), v.times
        for r, (seq, sent) in enumerate(marks):
            i = bisect_left(seqs, seq)
            if i == len(seqs):
                missing += 1
            else:
                rounds[r].append((times[i] - sent) / 1e6)
    return {"rounds": rounds, "missing": missing, "parse_mismatches": pool.parse_mismatches}


def _counts(pool: _Pool, kw: dict[str, Any]) -> dict[str, Any]:
    subset = kw.get("which", "all")
    vs = [v for v in pool.viewers if subset == "all" or (subset == "slow") == v.slow]
    other: Counter[str] = Counter()
    for v in vs:
        other.update(v.other)
    return {
        "viewers": len(vs),
        "texts": sum(v.texts for v in vs),
        "max_texts": max((v.texts for v in vs), default=0),
        "states": sum(len(v.seqs) for v in vs),
        "control": sum(v.control for v in vs),
        "bytes": sum(v.nbytes for v in vs),
        "other": dict(other),
        "disconnected": sum(1 for v in vs if v.disconnected_ns),
        "close_codes": dict(Counter(str(v.close_code) for v in vs if v.close_code is not None)),
        "last_seq": [v.seqs[-1] if v.seqs else None for v in vs],
    }


async def _settle_slow(pool: _Pool, kw: dict[str, Any]) -> dict[str, Any]:
    """Let the slow viewers read again; each must reach `seq` or be disconnected within `within` s."""
    seq, within = int(kw["seq"]), float(kw.get("within", 10))
    slow = [v for v in pool.viewers if v.slow]
    for v in slow:
        if not v.disconnected_ns:
            v.transport.underlying_transport.resume_reading()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(v.disconnected_ns or (v.seqs and v.seqs[-1] >= seq) for v in slow):
            break
        await asyncio.sleep(0.05)
    return {
        "slow": len(slow),
        "caught_up": sum(1 for v in slow if v.seqs and v.seqs[-1] >= seq),
        "disconnected": sum(1 for v in slow if v.disconnected_ns),
        "close_codes": dict(Counter(str(v.close_code) for v in slow if v.close_code is not None)),
    }


async def _disconnect(pool: _Pool, kw: dict[str, Any]) -> dict[str, Any]:
    import picows

    count = int(kw.get("count", len(pool.viewers)))
    leaving, pool.viewers = pool.viewers[:count], pool.viewers[count:]
    for v in leaving:
        if v.transport is not None and not v.disconnected_ns:
            v.closing = True
            v.transport.send_close(picows.WSCloseCode.OK)
    for v in leaving:  # the server answers the close and ends the connection; else we end it
        if v.transport is not None:
            try:
                async with asyncio.timeout(5):
                    await v.transport.wait_disconnected()
            except TimeoutError:
                v.transport.disconnect()
    return {"left": len(leaving), "remaining": len(pool.viewers)}


async def _serve(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    viewer_cls = _make_viewer_class()
    pool = _Pool()
    while True:
        op, kw = await loop.run_in_executor(None, conn.recv)
        try:
            if op == "stop":
                await _disconnect(pool, {})
                conn.send({"ok": True})
                return
            if op == "connect":
                result = await _connect(pool, viewer_cls, kw)
            elif op == "reset":
                for v in pool.viewers:
                    v.reset()
                result = {"viewers": len(pool.viewers)}
            elif op == "latencies":
                result = _latencies(pool, kw)
            elif op == "counts":
                result = _counts(pool, kw)
            elif op == "settle_slow":
                result = await _settle_slow(pool, kw)
            elif op == "disconnect":
                result = await _disconnect(pool, kw)
            else:
                raise ValueError(f"unknown op {op!r}")
            conn.send(result)
        except Exception as e:
            conn.send({"error": f"{type(e).__name__}: {e}"})


def _main(conn: Connection) -> None:
    raise_open_files()  # one socket per viewer: 10,000 of them at the largest N
    asyncio.run(_serve(conn))


# --------------------------------------------------------------------------- parent side


class ViewerPool:
    """The parent's handle on the viewer process."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_main, args=(child,), daemon=True, name="bench-viewers")
        self.proc.start()
        self._ps = psutil.Process(self.proc.pid)

    def call(self, op: str, wait_s: float = 300, **kw: Any) -> dict[str, Any]:
        self._conn.send((op, kw))
        if not self._conn.poll(wait_s):
            raise TimeoutError(f"viewer process did not answer {op} within {wait_s} s")
        result: dict[str, Any] = self._conn.recv()
        if "error" in result:
            raise RuntimeError(f"viewer process failed in {op}: {result['error']}")
        return result

    async def acall(self, op: str, wait_s: float = 300, **kw: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.call, op, wait_s, **kw)

    def cpu_seconds(self) -> float:
        t = self._ps.cpu_times()
        return float(t.user + t.system)

    def close(self) -> None:
        if self.proc.is_alive():
            with contextlib.suppress(TimeoutError, OSError, EOFError):
                self.call("stop", wait_s=30)
            self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(10)

    def __enter__(self) -> ViewerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
