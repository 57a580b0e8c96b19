"""The reference baseline: fan-out latency of the bare `websockets` library on this machine.

The floor for our stack, measured by the same method as the shared kit's `raw_fanout.py`
(its README: "Reference fan-out baseline"), kept here so the benchmarks need nothing outside
this repository. Server: `websockets.asyncio.server`, `websockets.broadcast()` of one ~1 KB
JSON frame (the size of a session state) to every connected viewer on each trigger; no
Starlette, no uvicorn, no state, no database. Viewers: N `picows` connections in a second
process, so the generator costs little. Latency = a viewer's receive time - the time the
controller sent the trigger (`time.time_ns()`, the same wall clock in every process), the span
our server is measured over (the moderator's command to a viewer's frame).

    GAP=0.5 python benchmarks/reference.py N [rounds]    # GAP: seconds between triggers; PORT

It prints one JSON line: per-viewer p50/p99, the median over rounds of each round's p99, and
the p50/p99 of the time until the last viewer has the frame, and how long the rounds took
(`rounds_s`: a round is the gap plus the wait for "sent", longer than the gap at large N).
It is a standalone script (no import from this package), started as its own process; the
server is its first child process, the viewers its second. `main(server)` runs the same
viewers, controller and statistics around another server: `floor.py` imports this file and
passes its own.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event
from typing import Any

PORT = int(os.environ.get("PORT", "8765"))
PAYLOAD: dict[str, Any] = {
    "type": "state",
    "seq": 0,
    "session": {
        "speakers": [{"id": i, "name": "x" * 40, "organisation": "y" * 40} for i in range(6)],
        "queue": [{"id": i, "state": {"code": "FR", "name": "France"}} for i in range(8)],
    },
}


def raise_open_files() -> int:
    """Raise this process's soft limit of open files to its hard limit (10,000 viewers are 10,000
    sockets on each side); returns the soft limit it now has. The harness (server.py, viewers.py)
    uses it too: our server inherits the harness's limit, where a usual default soft limit is 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    infinity = resource.RLIM_INFINITY
    want = hard if hard != infinity else 1 << 20
    if soft == infinity or soft >= want:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        return soft
    return want


def server_main(ready: Event) -> None:
    """The bare server: a viewer says "viewer" and waits; the controller sends "seq sent_ns"."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    raise_open_files()
    viewers: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if await ws.recv() == "viewer":
            viewers.add(ws)
            try:
                await ws.wait_closed()
            finally:
                viewers.discard(ws)
            return
        async for msg in ws:  # the controller: "seq sent_ns"
            seq, sent = map(int, str(msg).split())
            frame = dict(PAYLOAD, seq=seq, t=sent)
            broadcast(viewers, json.dumps(frame))
            await ws.send("sent")

    async def run() -> None:
        async with serve(handler, "127.0.0.1", PORT, compression=None):
            ready.set()
            await asyncio.Future()

    asyncio.run(run())


def viewers_main(n: int, rounds: int, q: mp.Queue[Any]) -> None:
    """N picows viewers; each frame's latency is recorded per round, then sent back whole."""
    import picows

    raise_open_files()
    lat: dict[int, list[float]] = {}
    done: list[int] = []
    all_done = asyncio.Event()  # every viewer has had the last round

    class Viewer(picows.WSListener):
        def on_ws_connected(self, transport: picows.WSTransport) -> None:
            transport.send(picows.WSMsgType.TEXT, b"viewer")

        def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
            now = time.time_ns()
            if frame.msg_type != picows.WSMsgType.TEXT:
                return
            d = json.loads(frame.get_payload_as_bytes())
            lat.setdefault(d["seq"], []).append((now - d["t"]) / 1e6)
            if d["seq"] == rounds - 1:
                done.append(1)
                transport.disconnect()
                if len(done) == n:
                    all_done.set()

    async def run() -> None:
        for _ in range(n):
            await picows.ws_connect(Viewer, f"ws://127.0.0.1:{PORT}", websocket_handshake_timeout=60)
        await asyncio.sleep(0.5)
        q.put("ready")
        await all_done.wait()
        q.put(lat)

    asyncio.run(run())


def pct(a: list[float], p: float) -> float:
    """The p-th percentile of sorted `a`: index int(p/100 * n)."""
    return a[min(len(a) - 1, int(p / 100 * len(a)))]


def main(server: Callable[[Event], None] = server_main, **extra: Any) -> None:
    """Start `server` (it sets `ready` once it listens on PORT), then the viewers, then trigger
    the rounds; print the figures as one JSON line, with `extra` (say, which event loop) at the end."""
    n = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    gap = float(os.environ.get("GAP", "0.5"))
    ready = mp.Event()
    server_proc = mp.Process(target=server, args=(ready,), daemon=True)
    server_proc.start()
    ready.wait()
    q: mp.Queue[Any] = mp.Queue()
    viewers = mp.Process(target=viewers_main, args=(n, rounds, q))
    viewers.start()
    assert q.get(timeout=180) == "ready"

    async def control() -> float:
        from websockets.asyncio.client import connect

        async with connect(f"ws://127.0.0.1:{PORT}") as ws:
            await ws.send("controller")
            t0 = time.perf_counter()
            for r in range(rounds):
                await ws.send(f"{r} {time.time_ns()}")
                await ws.recv()
                await asyncio.sleep(gap)
            return time.perf_counter() - t0

    rounds_s = asyncio.run(control())
    lat: dict[int, list[float]] = q.get(timeout=180)
    viewers.join()
    server_proc.kill()
    per = sorted(x for v in lat.values() for x in v)
    last = sorted(max(v) for v in lat.values())
    round_p99 = sorted(pct(sorted(v), 99) for v in lat.values())
    print(
        json.dumps(
            {
                "n": n,
                "rounds": rounds,
                "gap_s": gap,
                "frames": len(per),
                "p50_ms": round(pct(per, 50), 2),
                "p99_ms": round(pct(per, 99), 2),
                "median_round_p99_ms": round(pct(round_p99, 50), 2),
                "last_viewer_p50_ms": round(pct(last, 50), 2),
                "last_viewer_p99_ms": round(pct(last, 99), 2),
                "rounds_s": round(rounds_s, 3),
                **extra,
            }
        )
    )


if __name__ == "__main__":
    main()
