"""Failover: three `moderator serve` processes on PostgreSQL behind a real HAProxy; the process
holding the moderator's socket is SIGKILLed in the middle of a stream of commands (three rounds
here; `python -m benchmarks.failover --rounds 20` is the drill, reported in benchmarks/README.md).

Every client (a moderator, 50 viewers, 10 missions) is back through HAProxy on another process
within 5 s, every acked command is in the log, every screen shows the same seq and timer, and the
running timer never jumped (benchmarks/failover.py checks each)."""

from __future__ import annotations

import shutil

import pytest

from benchmarks.cluster import HAPROXY
from benchmarks.failover import BACK_WITHIN_S, failover
from tests.support.postgres import admin

pytestmark = pytest.mark.slow  # three server processes, HAProxy, 61 clients, three kills


async def test_the_moderators_process_killed_three_times_loses_nothing_and_everyone_is_back() -> None:
    conn = await admin()  # skips (or fails under CI) without PostgreSQL
    await conn.close()
    assert shutil.which(HAPROXY), "haproxy is not installed (.ci/run installs it)"
    result = await failover(rounds=3, seed=7)
    rounds = result["per_round"]
    assert len(rounds) == 3 and result["clients"] == 61
    for r in rounds:
        assert r["clients_on_it"] >= 1 and r["moved"] == r["clients_on_it"], r
        assert r["back_max_s"] is not None and r["back_max_s"] <= BACK_WITHIN_S, r
        assert r["acked"] > 0 and r["missing_acked"] == 0, r
        assert len(r["seqs"]) == 1 and r["timers_distinct"] == 1 and r["timer_jumps"] == 0, r
    assert result["correct"], result
