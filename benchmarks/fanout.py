"""Fan-out latency (with and without slow consumers) and the reference baseline it is compared with.

One run: N picows viewers in their own process watch one session; the moderator (a
`websockets` client in this process) sends `rounds` commands, `gap` seconds apart,
alternating `timer.start` and `timer.pause`, each after the previous one's ack. A
viewer's latency for a command is the time from the moderator's send to the viewer's
receipt of the first `state` whose seq is at least the ack's seq.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .server import ROOT, free_port
from .session import bench
from .stats import fanout_summary, pct
from .viewers import ViewerPool

REFERENCE = Path(os.environ.get("MODERATOR_REFERENCE", ROOT.parent / "shared" / "bench" / "raw_fanout.py"))


def reference(n: int, rounds: int, gap: float) -> dict[str, Any]:
    """Run ../shared/bench/raw_fanout.py as its README says, as its own process, on a free port."""
    env = dict(os.environ, GAP=str(gap), PORT=str(free_port()))
    timeout = 240 + rounds * (gap + 1)
    proc = subprocess.run(
        [sys.executable, REFERENCE.name, str(n), str(rounds)],
        cwd=REFERENCE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"reference failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dict(json.loads(lines[-1]))


async def fanout(n: int, rounds: int, gap: float, slow: int = 0) -> dict[str, Any]:
    """One run against the server: figures in the reference's shape plus correctness and cost."""
    async with bench() as b:
        pool = ViewerPool()
        try:
            mod = await b.moderator(track=False)
            await b.floor_to_first_speaker(mod)
            joined = await pool.acall("connect", url=b.url, origin=b.origin, n=n, slow=slow, concurrency=100)
            if joined["with_state"] != n:
                raise RuntimeError(
                    f"only {joined['with_state']} of {n} viewers got a state: {joined['failures']}"
                )
            await asyncio.sleep(0.5)  # as the reference's viewers do before the first trigger
            await pool.acall("reset")
            server_cpu0, viewer_cpu0, wall0 = b.server.cpu_seconds(), pool.cpu_seconds(), time.perf_counter()
            marks: list[tuple[int, int]] = []
            acks: list[float] = []
            rss: list[int] = [b.server.rss()]
            for r in range(rounds):
                answer = await mod.must("timer.start" if r % 2 == 0 else "timer.pause")
                marks.append((answer.seq, answer.sent_ns))
                acks.append(answer.ms)
                rss.append(b.server.rss())
                await asyncio.sleep(gap)
            wall = time.perf_counter() - wall0
            server_cpu, viewer_cpu = b.server.cpu_seconds() - server_cpu0, pool.cpu_seconds() - viewer_cpu0
            lat = await pool.acall("latencies", marks=marks)
            result: dict[str, Any] = {"n": n, "slow": slow, "gap_s": gap, **fanout_summary(lat["rounds"])}
            acks.sort()
            half = len(rss) // 2
            result.update(
                missing=lat["missing"],
                parse_mismatches=lat["parse_mismatches"],
                ack_p50_ms=round(pct(acks, 50), 2),
                ack_p99_ms=round(pct(acks, 99), 2),
                server_cpu_pct=round(100 * server_cpu / wall, 1),
                viewer_cpu_pct=round(100 * viewer_cpu / wall, 1),
                rss_start_mib=round(rss[0] / 2**20, 1),
                rss_max_mib=round(max(rss) / 2**20, 1),
                rss_growth_second_half_mib=round((rss[-1] - rss[half]) / 2**20, 2),
            )
            if slow:
                result["slow_outcome"] = await pool.acall("settle_slow", seq=marks[-1][0], within=10)
            await mod.close()
            return result
        finally:
            await asyncio.to_thread(pool.close)
