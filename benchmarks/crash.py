"""Crash safety: a command stream while the server is SIGKILLed at random moments, then restarted.

The session has a speaker on the floor and a running timer. In each round the moderator
pipelines `timer.adjust` (+1 ms each, up to `window` in flight) and a few missions send
`queue.request`; at a random moment the whole server process group gets SIGKILL. After
the restart (same database file) the state must hold every acknowledged command: the
timer's duration grew by at least the acked adjustments (and at most the sent ones), every
acked mission is in the queue once, the seq is not behind the last ack, and the timer is
still running from the same `running_since` with the same `elapsed_ms`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException

from .live import Answer, Live, Refused
from .session import Bench, bench


def _collect(done: set[asyncio.Future[Answer]], acked: list[Answer]) -> bool:
    """Keep the acks among finished commands; True when one of them was rate limited."""
    limited = False
    for fut in done:
        if fut.exception() is None:
            answer = fut.result()
            if answer.ok:
                acked.append(answer)
            limited = limited or answer.code == "rate_limited"
    return limited


async def _stream(mod: Live, window: int, sent: list[int], acked: list[Answer], stop: asyncio.Event) -> None:
    """Pipelined `timer.adjust` +1 ms, `window` in flight, until `stop` or the socket dies."""
    inflight: set[asyncio.Future[Answer]] = set()
    with contextlib.suppress(ConnectionClosed, ConnectionError, OSError):
        while not stop.is_set():
            while len(inflight) < window and not stop.is_set():
                inflight.add(await mod.send_command("timer.adjust", {"delta_ms": 1}))
                sent[0] += 1
            done, _ = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
            inflight -= done
            if _collect(done, acked):  # the limit is per connection, a few commands per second
                await asyncio.sleep(0.1)
    if inflight:  # the reader fails these when the socket dies: observe every one
        done, _ = await asyncio.wait(inflight, timeout=10)
        _collect(done, acked)


async def _ask(b: Bench, code: str) -> Answer | None:
    """One mission's request; None when the server died before it answered."""
    live = None
    try:
        live = await Live.open(b.url, b.origin, b.tokens[code], track=False, within=5)
        return await live.command("queue.request", {"topic": "crash drill"}, within=5)
    except (WebSocketException, Refused, OSError, TimeoutError):
        return None
    finally:
        if live is not None:
            await live.close()


async def crash(kills: int, window: int = 4, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    async with bench() as b:
        sur = b.sur
        askers = [c for c in sorted(b.tokens) if c != sur]
        rng.shuffle(askers)
        mod = await b.moderator()
        await b.floor_to_first_speaker(mod)
        started = await mod.must("timer.start")
        await mod.wait_seq(started.seq)
        timer0 = dict(mod.state["timer"])
        stored_adjust = 0  # +1 ms adjustments known to be stored (acked, or seen after a restart)
        in_queue: set[str] = set()
        lost_adjust = lost_missions = timer_wrong = seq_behind = duplicates = 0
        restarts: list[float] = []
        acks_total = 0
        for k in range(kills):
            sent: list[int] = [0]
            acked: list[Answer] = []
            stop = asyncio.Event()
            stream = asyncio.create_task(_stream(mod, window, sent, acked, stop))
            batch = askers[3 * k : 3 * k + 3]
            asks = [asyncio.create_task(_ask(b, c)) for c in batch]
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            await asyncio.to_thread(b.server.kill)
            stop.set()
            answers = await asyncio.gather(*asks)
            await asyncio.gather(stream, return_exceptions=True)
            await mod.close()
            acked_asks = {c for c, a in zip(batch, answers, strict=True) if a is not None and a.ok}
            last_seq = max([a.seq for a in acked] + [a.seq for a in answers if a is not None and a.ok] + [0])
            acks_total += len(acked) + len(acked_asks)

            restarts.append(await asyncio.to_thread(b.server.start))
            mod = await b.moderator()
            state, seq = mod.state, mod.seq
            timer = state["timer"]
            grown = timer["duration_ms"] - timer0["duration_ms"]
            low, high = stored_adjust + len(acked), stored_adjust + sent[0]
            lost_adjust += max(0, low - grown)
            queue = [e["state"]["code"] for e in state["queue"]]
            duplicates += len(queue) - len(set(queue))
            lost_missions += len((in_queue | acked_asks) - set(queue))
            seq_behind += int(seq < last_seq)
            same_run = all(timer[key] == timer0[key] for key in ("status", "running_since", "elapsed_ms"))
            timer_wrong += int(not same_run or grown > high)
            stored_adjust = grown
            in_queue = set(queue)
        await mod.close()
    restarts.sort()
    return {
        "kills": kills,
        "acked_commands": acks_total,
        "lost_acked": lost_adjust + lost_missions,
        "seq_behind": seq_behind,
        "duplicates": duplicates,
        "timer_wrong": timer_wrong,
        "correct": lost_adjust + lost_missions + seq_behind + duplicates + timer_wrong == 0,
        "restart_median_s": round(restarts[len(restarts) // 2], 3),
        "restart_max_s": round(restarts[-1], 3),
    }
