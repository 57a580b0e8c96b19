"""Failover drill: three processes on PostgreSQL behind HAProxy; the one holding the moderator's
socket is SIGKILLed in the middle of a stream of commands, round after round.

    python -m benchmarks.failover --rounds 20

Set-up: a speaker on the floor and a running timer; a moderator, 50 viewers and 10 missions
connected through HAProxy (every client reconnects through it when its socket drops, with the
screens' backoff: the first attempt 0.5 to 1 s after the loss). Each round the moderator
pipelines `message.show` (4 in flight); at a random moment the process holding its socket
(HAProxy names it in a response header) gets SIGKILL. Then:

- every client whose socket was on that process is back, through HAProxy on another process,
  within `BACK_WITHIN_S` (from the kill to its new `state`);
- every acknowledged command is in the log at its seq (read from PostgreSQL);
- after one more command, every screen shows that seq and the same timer (so the same countdown);
- the timer is the one started before the drill (same `running_since`, `elapsed_ms`, length):
  it never jumped, on any screen, after any reconnect.

The killed process is started again before the next round, so three are always running.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.typing import Origin

from moderator.store import open_store

from . import agenda
from .cluster import SERVED_BY, Cluster, cluster
from .live import Answer, Live, Refused

BACK_WITHIN_S = 5.0
VIEWERS, MISSIONS = 50, 10
TIMER_KEYS = ("status", "running_since", "elapsed_ms", "duration_ms")


def _log(msg: str) -> None:
    print(f"[failover {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Client:
    """One screen: a live socket through HAProxy, opened again whenever it drops."""

    def __init__(self, url: str, origin: Origin, token: str | None) -> None:
        self.url, self.origin, self.token = url, origin, token
        self.live: Live | None = None
        self.server = ""  # the process holding the socket (HAProxy's header)
        self.lost_at: float | None = None
        self.back_at: list[float] = []  # when each new state came after a loss (time.monotonic)
        self.timers: list[dict[str, Any]] = []  # the timer of each first state after a (re)connect
        self.connected = asyncio.Event()
        self._reconnected = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _open(self, again: bool) -> Live:
        """A new socket; after a loss, with the screens' backoff (static/js/lib/backoff.js: a
        random wait in the upper half of a ceiling doubling from 1 s) before each attempt."""
        attempt = 0
        while True:
            if again:
                ceiling = min(30.0, 2.0**attempt)
                await asyncio.sleep(ceiling / 2 + random.random() * ceiling / 2)
            try:
                return await Live.open(self.url, self.origin, self.token, within=3)
            except (WebSocketException, Refused, OSError, TimeoutError):
                attempt += 1
                again = True

    async def _run(self) -> None:
        while True:
            live = await self._open(again=self.lost_at is not None)
            headers = live.ws.response.headers if live.ws.response is not None else {}
            self.server = str(headers.get(SERVED_BY, ""))
            self.timers.append(dict(live.state["timer"]))
            self.live = live
            if self.lost_at is not None:
                self.back_at.append(time.monotonic())
                self.lost_at = None
                async with self._reconnected:
                    self._reconnected.notify_all()
            self.connected.set()
            await live.wait_closed()
            self.connected.clear()
            self.lost_at = time.monotonic()

    async def back_after(self, t: float, within: float = 30) -> float:
        """Until this client has a new socket opened after time `t`; when it came."""
        async with asyncio.timeout(within), self._reconnected:
            await self._reconnected.wait_for(lambda: bool(self.back_at) and self.back_at[-1] > t)
        return self.back_at[-1]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.live is not None:
            await self.live.close()


async def _stream(mod: Live, acked: list[Answer], sent: list[int], tag: str) -> None:
    """Pipelined `message.show`, 4 in flight, until the socket dies."""
    inflight: set[asyncio.Future[Answer]] = set()
    with contextlib.suppress(ConnectionClosed, ConnectionError, OSError):
        while not mod.closed:
            while len(inflight) < 4 and not mod.closed:
                inflight.add(
                    await mod.send_command("message.show", {"text": f"{tag}-{sent[0]}", "to": "room"})
                )
                sent[0] += 1
            done, _ = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
            inflight -= done
            limited = False
            for fut in done:
                if fut.exception() is None:
                    answer = fut.result()
                    if answer.ok:
                        acked.append(answer)
                    limited = limited or answer.code == "rate_limited"
            if limited:
                await asyncio.sleep(0.1)
    done, _ = await asyncio.wait(inflight, timeout=10) if inflight else (set(), set())
    for fut in done:
        if fut.exception() is None and fut.result().ok:
            acked.append(fut.result())


async def _all_connected(clients: list[Client], within: float = 30) -> None:
    async with asyncio.timeout(within):
        await asyncio.gather(*(c.connected.wait() for c in clients))


async def _command(mod: Client, name: str, args: dict[str, Any]) -> Answer:
    """A command that must be acked, through whichever process holds the moderator now."""
    for _ in range(50):
        await _all_connected([mod])
        assert mod.live is not None
        try:
            answer = await mod.live.command(name, args, within=5)
        except (ConnectionClosed, ConnectionError, OSError, TimeoutError):
            continue
        if answer.ok:
            return answer
        if answer.code not in ("rate_limited", "unavailable", "conflict"):
            raise AssertionError(f"{name} refused: {answer.msg}")
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} never acked")


async def _round(
    c: Cluster,
    sid: str,
    mod: Client,
    clients: list[Client],
    timer0: dict[str, Any],
    k: int,
    rng: random.Random,
) -> dict[str, Any]:
    await _all_connected(clients)
    victim_name = mod.server
    victim = c.by_name(victim_name)
    on_victim = [cl for cl in clients if cl.server == victim_name]
    acked: list[Answer] = []
    sent = [0]
    assert mod.live is not None
    stream = asyncio.create_task(_stream(mod.live, acked, sent, f"r{k}"))
    await asyncio.sleep(rng.uniform(0.2, 0.8))  # the moment of the kill, at random in the stream
    killed_at = time.monotonic()
    await asyncio.to_thread(victim.kill)
    _log(f"round {k}: killed {victim_name} ({len(on_victim)} clients on it)")
    await stream
    _log(f"round {k}: stream ended, {len(acked)} acked of {sent[0]}")
    try:
        back = [t - killed_at for t in await asyncio.gather(*(cl.back_after(killed_at) for cl in on_victim))]
    except TimeoutError:
        back = [cl.back_at[-1] - killed_at for cl in on_victim if cl.back_at and cl.back_at[-1] > killed_at]
    await _all_connected(clients, within=30)
    moved = sum(1 for cl in on_victim if cl.server != victim_name)
    last = await _command(mod, "message.show", {"text": f"r{k}-end", "to": "room"})
    for cl in clients:
        assert cl.live is not None
        await cl.live.wait_seq(last.seq, within=10)
    seqs = {cl.live.seq for cl in clients if cl.live is not None}
    timers = {
        json.dumps({key: cl.live.state["timer"].get(key) for key in TIMER_KEYS}) for cl in clients if cl.live
    }
    # The log holds every acked command at its seq.
    store = await open_store(c.url)
    try:
        log = await store.events(sid)
    finally:
        await store.close()
    missing = [
        a.seq
        for a in acked
        if not (
            len(log) >= a.seq
            and log[a.seq - 1]["type"] == "message.shown"
            and log[a.seq - 1]["text"].startswith(f"r{k}-")
        )
    ]
    jumped = sum(
        1 for cl in clients for t in cl.timers if any(t.get(key) != timer0.get(key) for key in TIMER_KEYS)
    )
    await asyncio.to_thread(victim.start)  # three processes again for the next round
    return {
        "round": k,
        "killed": victim_name,
        "clients_on_it": len(on_victim),
        "moved": moved,
        "back_max_s": round(max(back), 3) if back else None,
        "back_all": len(back) == len(on_victim) and moved == len(on_victim),
        "sent": sent[0],
        "acked": len(acked),
        "missing_acked": len(missing),
        "seqs": sorted(seqs),
        "timers_distinct": len(timers),
        "timer_jumps": jumped,
        "kill_to_end_s": round(time.monotonic() - killed_at, 3),
    }


async def failover(rounds: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    async with cluster(3) as c:
        series = await asyncio.to_thread(c.create_series, agenda.one_session())
        session = series["sessions"][0]
        sid = session["id"]
        url, origin = c.session_url(sid), Origin(c.proxy.base)
        tokens = {d["state"]: d["token"] for d in series["delegations"]}
        missions = sorted(code for code in tokens if code != session["key"])[:MISSIONS]
        _log(f"cluster up on {c.proxy.base}; session {sid}")
        mod = Client(url, origin, series["moderator_token"])
        mod.start()
        await _all_connected([mod])
        await _command(mod, "session.open", {})
        await _command(mod, "speaker.call", {"speaker_id": session["speakers"][0]["id"]})
        started = await _command(mod, "timer.start", {})
        assert mod.live is not None
        await mod.live.wait_seq(started.seq)
        timer0 = dict(mod.live.state["timer"])
        mod.timers.clear()
        clients = (
            [mod]
            + [Client(url, origin, None) for _ in range(VIEWERS)]
            + [Client(url, origin, tokens[m]) for m in missions]
        )
        for cl in clients[1:]:
            cl.start()
        await _all_connected(clients)
        spread = sorted({cl.server for cl in clients})
        _log(f"{len(clients)} clients connected on {spread}")
        results = []
        try:
            for k in range(rounds):
                results.append(await _round(c, sid, mod, clients, timer0, k, rng))
                _log(json.dumps(results[-1]))
        finally:
            await asyncio.gather(*(cl.stop() for cl in clients))
    backs = [r["back_max_s"] for r in results if r["back_max_s"] is not None]
    ok = all(
        r["back_all"]
        and r["back_max_s"] is not None
        and r["back_max_s"] <= BACK_WITHIN_S
        and r["missing_acked"] == 0
        and len(r["seqs"]) == 1
        and r["timers_distinct"] == 1
        and r["timer_jumps"] == 0
        for r in results
    )
    return {
        "rounds": rounds,
        "processes": 3,
        "clients": len(clients),
        "first_spread": spread,
        "acked_total": sum(r["acked"] for r in results),
        "missing_acked_total": sum(r["missing_acked"] for r in results),
        "back_max_s": max(backs) if backs else None,
        "back_median_s": sorted(backs)[len(backs) // 2] if backs else None,
        "timer_jumps": sum(r["timer_jumps"] for r in results),
        "correct": ok,
        "per_round": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = asyncio.run(failover(args.rounds, args.seed))
    print(json.dumps(result, indent=2))
    return 0 if result["correct"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
