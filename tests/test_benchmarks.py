"""The benchmark harness in quick mode: it runs end to end on a real server and yields sane, correct figures.

Timing targets are not asserted here (small N on a busy CI machine says nothing about
them); what is asserted is that every figure was measured, is finite and plausible, and
that every correctness check the harness makes came out right.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # runs the whole quick benchmark in a subprocess

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The results of one `python -m benchmarks.run --quick`, run from a copy of benchmarks/ in a
    folder with nothing beside it (no ../shared): the harness needs nothing outside the project."""
    lonely = tmp_path_factory.mktemp("lonely")
    project = lonely / "project"
    shutil.copytree(
        ROOT / "benchmarks", project / "benchmarks", ignore=shutil.ignore_patterns("results", "__pycache__")
    )
    assert sorted(p.name for p in lonely.iterdir()) == ["project"]
    out = lonely / "quick.json"
    env = {k: v for k, v in os.environ.items() if k != "MODERATOR_REFERENCE"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert "fan-out p99" in proc.stdout and "question burst" in proc.stdout, proc.stdout
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _ms(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and 0 < value < 60_000


def test_fanout_figures_exist_for_each_n_and_no_frame_is_missing(quick: dict[str, Any]) -> None:
    """Every viewer got a state for every command; percentiles are ordered; both yardsticks ran too."""
    rounds = quick["profile"]["rounds"]
    assert [int(n) for n in quick["results"]["fanout"]] == quick["profile"]["fanout_ns"]
    for n, row in quick["results"]["fanout"].items():
        ours, ref, floor = row["server"][0], row["reference"][0], row["floor"][0]
        assert ours["missing"] == 0 and ours["parse_mismatches"] == 0
        assert ours["frames"] == int(n) * rounds
        assert _ms(ours["p50_ms"]) and ours["p50_ms"] <= ours["p99_ms"] <= ours["last_viewer_p99_ms"]
        assert _ms(ours["ack_p50_ms"]) and ours["ack_p50_ms"] <= ours["ack_p99_ms"]
        for yardstick in (ref, floor):
            assert yardstick["n"] == int(n) and yardstick["frames"] == int(n) * rounds
            assert _ms(yardstick["p50_ms"]) and yardstick["p50_ms"] <= yardstick["p99_ms"]
            assert yardstick["p99_ms"] <= yardstick["last_viewer_p99_ms"] and yardstick["rounds_s"] > 0
        assert floor["loop"] in ("uvloop", "asyncio") and row["median"]["floor_loop"] == floor["loop"]
        assert row["median"]["ratio_p99"] > 0 and row["median"]["ratio_round_p99"] > 0
        assert row["median"]["floor_ratio_p99"] > 0 and row["median"]["floor_ratio_round_p99"] > 0


def test_memory_per_connection_is_measured_at_each_n(quick: dict[str, Any]) -> None:
    """At each N all viewers were connected and the per-connection figure is a plausible size."""
    memory = quick["results"]["memory"]
    assert [int(n) for n in memory] == quick["profile"]["memory_ns"]
    for n, fig in memory.items():
        m = fig["median"]
        assert m["with_state"] == int(n)
        assert 0 < m["per_connection_kib"] < 10_000
        assert m["churn_connections"] == 5 * int(n)
        assert math.isfinite(m["churn_growth_kib_per_connection"])


def test_question_burst_is_answered_correctly(quick: dict[str, Any]) -> None:
    """193 missions: the SuR refused, the rest acked once each, queue in arrival order, none lost."""
    m = quick["results"]["burst"]["runs"][0]
    assert m["missions"] == 193
    assert (m["acked"], m["refused_sur"], m["lost"], m["duplicates"]) == (192, 1, 0, 0)
    assert m["queue_length"] == 192 and m["queue_is_arrival_order"] and m["correct"]
    assert _ms(m["ack_p99_ms"]) and m["send_span_ms"] <= 1100


def test_slow_consumers_do_not_lose_frames_for_the_others(quick: dict[str, Any]) -> None:
    """With a stalled viewer the others still get every state; the stalled one catches up or is dropped."""
    run = quick["results"]["slow"]["runs"][0]
    assert run["without"]["missing"] == 0 and run["with"]["missing"] == 0
    outcome = run["with"]["slow_outcome"]
    assert outcome["slow"] >= 1 and outcome["caught_up"] + outcome["disconnected"] >= outcome["slow"]
    assert run["p99_ratio"] > 0


def test_crash_drill_loses_no_acknowledged_command(quick: dict[str, Any]) -> None:
    """Every SIGKILL round restarted; nothing acked was lost; the running timer survived."""
    m = quick["results"]["crash"]["runs"][0]
    assert m["kills"] == quick["profile"]["crash_kills"]
    assert m["acked_commands"] > 0
    assert (m["lost_acked"], m["seq_behind"], m["duplicates"], m["timer_wrong"]) == (0, 0, 0, 0)
    assert m["correct"] and 0 < m["restart_median_s"] < 60


def test_join_storm_sends_each_joiner_one_state_and_nothing_to_the_others(quick: dict[str, Any]) -> None:
    """Each joiner gets welcome and state only; joins and leaves broadcast nothing."""
    for n, fig in quick["results"]["storm"].items():
        m = fig["runs"][0]
        assert m["with_state"] == int(n) and m["failures"] == {}
        assert m["frames_per_viewer_max"] == 2
        assert m["frames_to_stayers_on_leave"] == 0 and m["frames_to_moderator"] == 0
        assert m["bytes_per_viewer"] > 0 and _ms(m["first_state_max_ms"])
        assert 0 <= m["within_500ms"] <= m["within_2s"] <= int(n)


def test_idle_room_sends_no_frames(quick: dict[str, Any]) -> None:
    """A running timer and no commands: no frames at all but keepalive."""
    m = quick["results"]["idle"]["runs"][0]
    assert m["text_frames"] == 0 and m["disconnected"] == 0


def test_startup_replays_the_played_week(quick: dict[str, Any]) -> None:
    """The played sessions replay to the same closed state; start-up time is measured."""
    m = quick["results"]["startup"]["runs"][0]
    assert m["correct"] and m["events"] > 50
    assert 0 < m["startup_median_s"] < 60 and 0 < m["startup_empty_db_s"] < 60


def test_table_lists_every_figure(quick: dict[str, Any]) -> None:
    """The printed table has a row for each figure the issue asks for."""
    figures = {row["figure"] for row in quick["table"]}
    assert figures >= {
        "fan-out p99",
        "fan-out vs floor",
        "fan-out CPU/frame",
        "last viewer",
        "moderator ack",
        "memory/conn",
        "memory churn",
        "question burst",
        "slow consumers",
        "crash safety",
        "join storm",
        "idle traffic",
        "start-up",
    }
