"""Start-up time with a database holding a played week (fourteen sessions, every event).

The week is played through the contract, as a moderator and missions would: each
session is opened, every speaker called, timed, warned and finished, missions queue
(some withdraw, one is moved, one removed), every question is called, timed and done,
and the session is closed. Then the server is stopped and started again `runs` times;
the figure is the time from spawning the process to the first `/healthz` ok. A start on
an empty database is measured too, for scale, and the replayed state is checked.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

from . import agenda
from .live import Answer, Live, open_many
from .server import Server
from .session import Bench, bench


class Console:
    """The moderator of one session; a new connection every 25 commands keeps under the per-connection
    rate limit without waiting (how fast the week is filled in is not what is measured)."""

    def __init__(self, b: Bench) -> None:
        self.b, self.sent = b, 0
        self.live: Live | None = None

    async def must(self, name: str, args: dict[str, Any] | None = None) -> Answer:
        if self.live is None or self.sent == 25:
            if self.live is not None:
                await self.live.close()
            self.live, self.sent = await self.b.moderator(), 0
        self.sent += 1
        return await self.live.must(name, args)

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()


async def play(b: Bench, askers: int) -> int:
    """Play session `b.index` from scheduled to closed; returns its final seq."""
    mod = Console(b)
    await mod.must("session.open")
    await mod.must("session.statements")
    for sid in b.speaker_ids:
        await mod.must("speaker.call", {"speaker_id": sid})
        await mod.must("timer.start")
        await mod.must("timer.adjust", {"delta_ms": 30_000})
        await mod.must("message.show", {"text": "Please conclude", "to": "speaker"})
        await mod.must("message.clear")
        await mod.must("timer.pause")
        await mod.must("timer.start")
        await mod.must("speaker.finish")
    await mod.must("session.qa")
    others = [c for c in sorted(b.tokens) if c != b.sur]
    codes = [others[(7 * b.index + i) % len(others)] for i in range(askers)]
    missions = await open_many(b.url, b.origin, [b.tokens[c] for c in codes])
    entries = []
    for i, m in enumerate(missions):
        args: dict[str, Any] = {"topic": f"Question {i} on the report"}
        if i % 2:
            args["addressed_to"] = b.speaker_ids[i % len(b.speaker_ids)]
        await m.must("queue.request", args)
    watcher = await b.moderator()
    entries = [e["id"] for e in watcher.state["queue"]]
    await watcher.close()
    for m, entry in zip(missions[:2], entries[:2], strict=True):
        await m.must("queue.withdraw", {"entry_id": entry})
    await mod.must("queue.move", {"entry_id": entries[-1], "position": 0})
    await mod.must("queue.remove", {"entry_id": entries[2]})
    for entry in [entries[-1], *entries[3:-1]]:
        await mod.must("queue.call", {"entry_id": entry})
        await mod.must("timer.start")
        await mod.must("queue.done", {"entry_id": entry})
    closed = await mod.must("session.close")
    for m in missions:
        await m.close()
    await mod.close()
    return closed.seq


async def startup(runs: int, sessions: int = 14, askers: int = 15) -> dict[str, Any]:
    doc = agenda.series(agenda.WEEK[:sessions], title="Benchmark week")
    async with bench(doc) as b:
        seqs = [await play(b.at(i), askers) for i in range(sessions)]
        await asyncio.to_thread(b.server.stop)
        times = []
        for _ in range(runs):
            times.append(await asyncio.to_thread(b.server.start))
            last = b.at(sessions - 1)
            mod = await Live.open(last.url, last.origin, last.moderator_token)
            replayed = (mod.state["phase"], mod.seq)
            await mod.close()
            await asyncio.to_thread(b.server.stop)
        await asyncio.to_thread(b.server.start)  # leave it running for bench() to close
    empty = Server()
    try:
        empty_times = [await asyncio.to_thread(empty.start)]
    finally:
        await asyncio.to_thread(empty.close)
    return {
        "sessions": sessions,
        "events": sum(seqs),
        "startup_median_s": round(statistics.median(times), 3),
        "startup_max_s": round(max(times), 3),
        "startup_empty_db_s": round(empty_times[0], 3),
        "correct": replayed == ("closed", seqs[-1]),
    }
