"""Connections at rest: memory per idle viewer, a join storm, and the traffic of an idle room."""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

from .session import Bench, bench
from .stats import pct
from .viewers import ViewerPool


async def _steady_rss(b: Bench, samples: int = 5, every: float = 0.2) -> int:
    """Median of a few RSS samples, so one allocation spike does not count."""
    values = []
    for _ in range(samples):
        values.append(b.server.rss())
        await asyncio.sleep(every)
    return int(statistics.median(values))


async def memory(n: int, crowds: int = 5) -> dict[str, Any]:
    """Server RSS with N idle viewers minus RSS with none, divided by N; then a churn check.

    RSS after everyone left stays near its peak (the allocator keeps freed arenas), so the
    churn check brings `crowds` more crowds of N, one after the other: memory freed by the
    first is reused by the next, and what still grows is held after the viewers left (a
    leak, or garbage the collector is not running often enough to free).
    """
    async with bench() as b:
        pool = ViewerPool()
        try:
            mod = await b.moderator(track=False)
            await b.floor_to_first_speaker(mod)
            # Warm-up: the first connections import and allocate what every later one reuses.
            await pool.acall("connect", url=b.url, origin=b.origin, n=10, concurrency=10)
            await pool.acall("disconnect")
            empty = await _steady_rss(b)
            joined = await pool.acall("connect", url=b.url, origin=b.origin, n=n, concurrency=100)
            await asyncio.sleep(1)
            loaded = await _steady_rss(b)
            await pool.acall("disconnect")
            await asyncio.sleep(1)
            after = await _steady_rss(b)
            for _ in range(crowds):
                await pool.acall("connect", url=b.url, origin=b.origin, n=n, concurrency=100)
                await pool.acall("disconnect")
            await asyncio.sleep(1)
            churned = await _steady_rss(b)
            await mod.close()
        finally:
            await asyncio.to_thread(pool.close)
    return {
        "n": n,
        "with_state": joined["with_state"],
        "rss_empty_mib": round(empty / 2**20, 1),
        "rss_loaded_mib": round(loaded / 2**20, 1),
        "per_connection_kib": round((loaded - empty) / n / 1024, 2),
        "retained_after_leave_mib": round((after - empty) / 2**20, 2),
        "churn_connections": crowds * n,
        "churn_growth_mib": round((churned - after) / 2**20, 2),
        "churn_growth_kib_per_connection": round((churned - after) / (crowds * n) / 1024, 3),
    }


async def storm(n: int) -> dict[str, Any]:
    """N viewers connect at once; each must have its first state soon (0.5 s at N = 1,000); bytes per
    viewer is flat."""
    async with bench() as b:
        pool = ViewerPool()
        try:
            mod = await b.moderator()
            await mod.wait_seq(await b.floor_to_first_speaker(mod))  # its last state is in: count from here
            states_before = mod.states
            wrote0 = b.server.io_written()
            server_cpu0, viewer_cpu0 = b.server.cpu_seconds(), pool.cpu_seconds()
            joined = await pool.acall("connect", url=b.url, origin=b.origin, n=n, concurrency=None, within=30)
            server_cpu, viewer_cpu = b.server.cpu_seconds() - server_cpu0, pool.cpu_seconds() - viewer_cpu0
            await asyncio.sleep(1)  # anything broadcast because of the joins arrives now
            counts = await pool.acall("counts")
            wrote = b.server.io_written() - wrote0
            await pool.acall("reset")
            await pool.acall("disconnect", count=n // 2)
            await asyncio.sleep(1)
            after_leave = await pool.acall("counts")
            moderator_frames = mod.states - states_before
            await mod.close()
        finally:
            await asyncio.to_thread(pool.close)
    times = sorted(t for t in joined["first_state_ms"] if t is not None)
    return {
        "n": n,
        "connected": joined["connected"],
        "with_state": joined["with_state"],
        "within_500ms": sum(1 for t in times if t <= 500),
        "within_2s": sum(1 for t in times if t <= 2000),
        "first_state_p50_ms": round(pct(times, 50), 1),
        "first_state_p99_ms": round(pct(times, 99), 1),
        "first_state_max_ms": round(times[-1], 1) if times else None,
        "server_cpu_ms_per_join": round(1000 * server_cpu / n, 2),
        "viewer_cpu_ms_per_join": round(1000 * viewer_cpu / n, 2),
        "frames_per_viewer_max": counts["max_texts"],
        "bytes_per_viewer": round(counts["bytes"] / max(1, counts["viewers"]), 1),
        "server_wchar_per_viewer": round(wrote / n, 1),
        "frames_to_stayers_on_leave": after_leave["texts"],
        "frames_to_moderator": moderator_frames,
        "failures": joined["failures"],
    }


async def idle(n: int, seconds: float) -> dict[str, Any]:
    """N viewers, a running timer, nothing else for `seconds`: only keepalive may flow."""
    async with bench() as b:
        pool = ViewerPool()
        try:
            mod = await b.moderator(track=False)
            await b.floor_to_first_speaker(mod)
            await pool.acall("connect", url=b.url, origin=b.origin, n=n, concurrency=100)
            await mod.must("timer.start")
            await asyncio.sleep(1)  # the timer.start state reaches everyone
            await pool.acall("reset")
            states0, cpu0 = mod.states, b.server.cpu_seconds()
            await asyncio.sleep(seconds)
            counts = await pool.acall("counts")
            cpu = b.server.cpu_seconds() - cpu0
            moderator_frames = mod.states - states0
            await mod.close()
        finally:
            await asyncio.to_thread(pool.close)
    return {
        "n": n,
        "seconds": seconds,
        "text_frames": counts["texts"] + moderator_frames,
        "control_frames": counts["control"],
        "bytes": counts["bytes"],
        "server_cpu_pct": round(100 * cpu / seconds, 2),
        "disconnected": counts["disconnected"],
    }
