"""Scale on PostgreSQL: viewers spread over 1, 2 and 4 `moderator serve` processes on one database.

    python -m benchmarks.scale                       # SQLite 3,000; 1 x 3,000, 2 x 2,500, 4 x 2,500 viewers
    python -m benchmarks.scale --layouts 1:300,4:1000 --rounds 6     # 0:N is one process on SQLite

For each layout (processes : viewers in all) the viewers (picows, one viewer process per server
process, benchmarks/viewers.py) connect at once, spread evenly: that is the join storm (each
viewer's time to its first `state`). Then the moderator, a `websockets` client on the first
process, sends `rounds` timer changes `gap` seconds apart (timer.start / timer.pause, each after
the previous ack); the other processes learn of each commit through PostgreSQL's NOTIFY. A
viewer's latency is from the moderator's send to its first state at the ack's seq or later
(the same clock, time.time_ns, in every process). Memory per connection: the servers' RSS with
the viewers minus without, over the viewers. The load average is taken before and after each
layout (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.typing import Origin

from . import agenda
from .cluster import database
from .live import Live
from .server import Server
from .stats import fanout_summary, pct
from .viewers import ViewerPool

# (processes, viewers); 0 processes: one process on a SQLite file, the default, for comparison.
LAYOUTS = ((0, 3000), (1, 3000), (2, 5000), (4, 10000))


def _log(msg: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


async def _steady_rss(servers: list[Server], samples: int = 5, every: float = 0.2) -> int:
    values = []
    for _ in range(samples):
        values.append(sum(s.rss() for s in servers))
        await asyncio.sleep(every)
    return int(statistics.median(values))


@contextmanager
def _where(processes: int) -> Iterator[str | None]:
    if processes == 0:
        yield None  # Server() makes a SQLite file of its own
    else:
        with database() as url:
            yield url


async def layout(processes: int, viewers: int, rounds: int, gap: float) -> dict[str, Any]:
    """One layout on a new database; its figures."""
    load_before = os.getloadavg()
    sqlite = processes == 0
    processes = max(1, processes)
    with _where(0 if sqlite else processes) as url:
        servers = [Server(db=url) for _ in range(processes)]
        pools: list[ViewerPool] = []
        try:
            await asyncio.to_thread(servers[0].start)
            await asyncio.gather(*(asyncio.to_thread(s.start) for s in servers[1:]))
            series = await asyncio.to_thread(servers[0].create_series, agenda.one_session())
            session = series["sessions"][0]
            sid = session["id"]
            urls = [s.session_url(sid) for s in servers]
            origins = [Origin(s.base) for s in servers]
            mod = await Live.open(urls[0], origins[0], series["moderator_token"], track=False)
            await mod.must("session.open")
            await mod.must("speaker.call", {"speaker_id": session["speakers"][0]["id"]})
            pools = [ViewerPool() for _ in servers]
            # Warm-up: each process's first connections import and allocate what later ones reuse.
            for pool, u, o in zip(pools, urls, origins, strict=True):
                await pool.acall("connect", url=u, origin=o, n=5, concurrency=5)
                await pool.acall("disconnect")
            empty = await _steady_rss(servers)
            shares = [viewers // processes + (1 if i < viewers % processes else 0) for i in range(processes)]
            _log(f"{processes} processes: {viewers} viewers join at once ({shares})")
            t0 = time.perf_counter()
            joined = await asyncio.gather(
                *(
                    pool.acall("connect", url=u, origin=o, n=n, concurrency=None, within=120)
                    for pool, u, o, n in zip(pools, urls, origins, shares, strict=True)
                )
            )
            storm_s = time.perf_counter() - t0
            firsts = sorted(t for j in joined for t in j["first_state_ms"] if t is not None)
            with_state = sum(j["with_state"] for j in joined)
            failures: dict[str, int] = {}
            for j in joined:
                for k, v in j["failures"].items():
                    failures[k] = failures.get(k, 0) + v
            await asyncio.sleep(1)
            loaded = await _steady_rss(servers)
            await asyncio.gather(*(pool.acall("reset") for pool in pools))
            _log(
                f"{processes} processes: {with_state} with a state in {storm_s:.1f} s; {rounds} timer changes"
            )
            marks: list[tuple[int, int]] = []
            acks: list[float] = []
            for r in range(rounds):
                answer = await mod.must("timer.start" if r % 2 == 0 else "timer.pause")
                marks.append((answer.seq, answer.sent_ns))
                acks.append(answer.ms)
                await asyncio.sleep(gap)
            lats = await asyncio.gather(*(pool.acall("latencies", marks=marks) for pool in pools))
            merged: list[list[float]] = [[] for _ in marks]
            here: list[list[float]] = [[] for _ in marks]  # the moderator's own process
            others: list[list[float]] = [[] for _ in marks]  # through NOTIFY
            for i, lat in enumerate(lats):
                for r, values in enumerate(lat["rounds"]):
                    merged[r] += values
                    (here if i == 0 else others)[r] += values
            await mod.close()
        finally:
            await asyncio.gather(*(asyncio.to_thread(p.close) for p in pools))
            await asyncio.gather(*(asyncio.to_thread(s.close) for s in servers))
    acks.sort()
    result: dict[str, Any] = {
        "database": "sqlite" if sqlite else "postgresql",
        "processes": processes,
        "viewers": viewers,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "storm_with_state": with_state,
        "storm_failures": failures,
        "storm_within_2s": sum(1 for t in firsts if t <= 2000),
        "storm_first_state_p50_ms": round(pct(firsts, 50), 1),
        "storm_first_state_p99_ms": round(pct(firsts, 99), 1),
        "storm_first_state_max_ms": round(firsts[-1], 1) if firsts else None,
        "rss_per_connection_kib": round((loaded - empty) / max(1, with_state) / 1024, 2),
        "rss_total_mib": round(loaded / 2**20, 1),
        "ack_p50_ms": round(pct(acks, 50), 2),
        "missing": sum(lat["missing"] for lat in lats),
        **fanout_summary(merged),
    }
    if processes > 1:
        result["same_process_p50_ms"] = fanout_summary(here)["p50_ms"]
        result["other_processes_p50_ms"] = fanout_summary(others)["p50_ms"]
        result["other_processes_p99_ms"] = fanout_summary(others)["p99_ms"]
    _log(json.dumps(result))
    return result


async def scale(layouts: list[tuple[int, int]], rounds: int, gap: float) -> dict[str, Any]:
    return {
        "machine": {"cores": os.cpu_count(), "memory_gib": _memory_gib()},
        "rounds": rounds,
        "gap_s": gap,
        "layouts": [await layout(p, n, rounds, gap) for p, n in layouts],
    }


def _memory_gib() -> float:
    import psutil

    return round(psutil.virtual_memory().total / 2**30, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--layouts", default=",".join(f"{p}:{n}" for p, n in LAYOUTS))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5)
    args = parser.parse_args(argv)
    layouts = [(int(p), int(n)) for p, n in (item.split(":") for item in args.layouts.split(","))]
    result = asyncio.run(scale(layouts, args.rounds, args.gap))
    print(json.dumps(result, indent=2))
    complete = all(r["storm_with_state"] == r["viewers"] and r["missing"] == 0 for r in result["layouts"])
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
