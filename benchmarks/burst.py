"""Question burst: every UN Member's mission sends `queue.request` within one second.

Each mission has its own delegation token and its own connection (a picows client in the
driver's process, benchmarks/askers.py: cheap per frame, so the driver's own loop does not
delay the answers it times), opened before the burst. Send moments are spread uniformly over
one second (seeded). Checked:
the State under Review gets `sur_cannot_ask`, every other mission an ack; no request
is lost (every one answered) or duplicated (one queue entry per acked State, distinct
seqs); the moderator's final queue lists the States in the order of their acks' seqs,
which is the order the server took them in.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from .askers import Askers
from .live import Answer
from .session import bench
from .stats import pct


async def burst(window_s: float = 1.0, seed: int = 0) -> dict[str, Any]:
    async with bench() as b:
        mod = await b.moderator()
        await mod.must("session.open")
        sur = b.sur
        codes = sorted(b.tokens)
        missions = await Askers.open(b.url, b.origin, [b.tokens[c] for c in codes])
        rng = random.Random(seed)
        offsets = [rng.uniform(0, window_s) for _ in codes]
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        cpu0 = time.process_time()

        async def ask(i: int) -> Answer:
            await asyncio.sleep(max(0.0, start + offsets[i] - loop.time()))
            return await missions.command(i, "queue.request", {"topic": f"A question from {codes[i]}"}, 15)

        answers = await asyncio.gather(*(ask(i) for i in range(len(codes))), return_exceptions=True)
        driver_cpu = time.process_time() - cpu0
        lost = [codes[i] for i, a in enumerate(answers) if not isinstance(a, Answer)]
        got = {codes[i]: a for i, a in enumerate(answers) if isinstance(a, Answer)}
        acked = {c: a for c, a in got.items() if a.ok}
        wrong = [
            (c, a.msg.get("code", "ack"))
            for c, a in got.items()
            if (c == sur and a.code != "sur_cannot_ask") or (c != sur and not a.ok)
        ]
        seqs = [a.seq for a in acked.values()]
        if seqs:
            await mod.wait_seq(max(seqs), within=15)
        queue = [e["state"]["code"] for e in mod.state["queue"]]
        by_seq = [c for c, _ in sorted(acked.items(), key=lambda kv: kv[1].seq)]
        sends = sorted(a.sent_ns for a in got.values())
        ack_ms = sorted(a.ms for a in got.values())
        missions.close()
        await mod.close()
        return {
            "missions": len(codes),
            "acked": len(acked),
            "refused_sur": sum(1 for a in got.values() if a.code == "sur_cannot_ask"),
            "lost": len(lost),
            "wrong_answers": wrong[:10],
            "duplicates": len(queue) - len(set(queue)) + len(seqs) - len(set(seqs)),
            "queue_length": len(queue),
            "queue_is_arrival_order": queue == by_seq,
            "correct": not lost and not wrong and queue == by_seq and len(set(seqs)) == len(seqs),
            "send_span_ms": round((sends[-1] - sends[0]) / 1e6, 1) if sends else None,
            "ack_p50_ms": round(pct(ack_ms, 50), 2),
            "ack_p99_ms": round(pct(ack_ms, 99), 2),
            "ack_max_ms": round(ack_ms[-1], 2) if ack_ms else None,
            "driver_cpu_s": round(driver_cpu, 2),
        }
