"""Fan-out latency (with and without slow consumers) and the two yardsticks it is compared with.

One run: N picows viewers in their own process watch one session; the moderator (a
`websockets` client in this process) sends `rounds` commands, `gap` seconds apart,
alternating `timer.start` and `timer.pause`, each after the previous one's ack. A
viewer's latency for a command is the time from the moderator's send to the viewer's
receipt of the first `state` whose seq is at least the ack's seq.

The yardsticks are standalone scripts in this folder, run the same way: `reference.py` (the
bare `websockets` library's broadcast) and `floor.py` (one pre-built frame written to every
socket by a bare asyncio protocol: the floor of this machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from .server import free_port
from .session import bench
from .stats import fanout_summary, pct
from .viewers import ViewerPool

# The bare `websockets` broadcast (reference.py, a standalone script in this folder).
REFERENCE = Path(os.environ.get("MODERATOR_REFERENCE", Path(__file__).with_name("reference.py")))
# The floor: one pre-built frame written to each socket (floor.py, beside reference.py, which it imports).
FLOOR = Path(__file__).with_name("floor.py")
# A yardstick's processes sampled from outside: (monotonic time, server CPU s, viewers' CPU s or None).
Sample = tuple[float, float, float | None]


def reference(n: int, rounds: int, gap: float) -> dict[str, Any]:
    """The library reference (reference.py, or $MODERATOR_REFERENCE) at N viewers."""
    return yardstick(REFERENCE, n, rounds, gap)


def floor(n: int, rounds: int, gap: float) -> dict[str, Any]:
    """The floor of this machine (floor.py) at N viewers; its JSON says which event loop it ran on."""
    return yardstick(FLOOR, n, rounds, gap)


def yardstick(script: Path, n: int, rounds: int, gap: float) -> dict[str, Any]:
    """Run a yardstick script (`script N rounds`, GAP and PORT in the environment) as its own
    process, from its own folder, on a free port; return its JSON line.

    Its server's CPU time over the rounds is sampled from outside (the script forks the server
    first, then the viewers), so the CPU cost per delivered frame can be compared as well:
    unlike latency, it does not move when other work shares the machine.
    """
    env = dict(os.environ, GAP=str(gap), PORT=str(free_port()))
    timeout = 240 + rounds * (gap + 1)
    proc = subprocess.Popen(
        [sys.executable, script.name, str(n), str(rounds)],
        cwd=script.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[Sample] = []
    watcher = threading.Thread(target=_watch_children, args=(proc, samples), daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    watcher.join(5)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{script.name} failed ({proc.returncode}): {err[-2000:]}")
    result = dict(json.loads(lines[-1]))
    # The rounds fill the last `rounds_s` seconds before the script exits (a round is the gap
    # plus the wait for "sent"; rounds x gap if the script does not say), followed by the
    # viewers' disconnects: take the middle of that span, 60 % of the rounds, none of the rest.
    span = float(result.get("rounds_s") or rounds * gap)
    period = span / rounds
    # The viewers' CPU per frame over the same window says which side of the pipe is slower: when
    # it is above the server's, a round's last frames wait for the viewers' process, not the server.
    if samples and span >= 2:
        end = samples[-1][0]
        window = [x for x in samples if end - 0.9 * span <= x[0] <= end - 0.3 * span]
        if len(window) >= 2:
            (t0, c0, _), (t1, c1, _) = window[0], window[-1]
            result["server_cpu_us_per_frame"] = round(1e6 * (c1 - c0) / (n * (t1 - t0) / period), 1)
        viewers = [(t, v) for t, _, v in window if v is not None]
        if len(viewers) >= 2 and viewers[-1][0] > viewers[0][0]:
            (t0, v0), (t1, v1) = viewers[0], viewers[-1]
            result["viewer_cpu_us_per_frame"] = round(1e6 * (v1 - v0) / (n * (t1 - t0) / period), 1)
    return result


def _cpu_seconds(p: psutil.Process) -> float | None:
    try:
        t = p.cpu_times()
    except psutil.Error:
        return None
    return float(t.user + t.system)


def _watch_children(proc: subprocess.Popen[str], samples: list[Sample]) -> None:
    """Every 0.1 s until the script ends, the CPU time of its first child (the server) and of its
    second (the viewers, None before they start and after they end)."""
    try:
        parent = psutil.Process(proc.pid)
    except psutil.Error:
        return
    kids: list[psutil.Process] = []
    while proc.poll() is None:
        if len(kids) < 2:
            with contextlib.suppress(psutil.Error):
                kids = sorted(parent.children(), key=lambda c: c.create_time())[:2]
        cpu = [_cpu_seconds(k) for k in kids]
        if cpu and cpu[0] is not None:
            samples.append((time.monotonic(), cpu[0], cpu[1] if len(cpu) > 1 else None))
        time.sleep(0.1)


async def fanout(n: int, rounds: int, gap: float, slow: int = 0) -> dict[str, Any]:
    """One run against the server: figures in the yardsticks' shape plus correctness and cost."""
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
                server_cpu_us_per_frame=round(1e6 * server_cpu / (n * rounds), 1),
                viewer_cpu_pct=round(100 * viewer_cpu / wall, 1),
                viewer_cpu_us_per_frame=round(1e6 * viewer_cpu / (n * rounds), 1),
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
