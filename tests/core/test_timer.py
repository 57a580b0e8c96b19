"""The countdown arithmetic: remaining time is derived from (duration, elapsed, running_since)."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderator.core.timer import Timer


def test_a_running_timer_counts_down_from_its_start():
    """Remaining time falls 1:1 with the server clock while running."""
    t = Timer(300_000).start(1_000)
    assert t.status == "running"
    assert t.remaining(61_000) == 240_000
    assert t.remaining(401_000) == -100_000  # overtime is negative


def test_pause_keeps_the_remaining_time():
    """A paused timer shows the same time forever."""
    t = Timer(300_000).start(0).pause(10_000)
    assert t.status == "paused" and t.elapsed_ms == 10_000
    assert t.remaining(10_000) == t.remaining(99_999_999) == 290_000


def test_reset_and_adjust():
    """Reset goes back to idle at full time; adjust moves only the duration."""
    t = Timer(300_000).start(0).pause(5_000)
    assert t.reset().status == "idle" and t.reset().remaining(0) == 300_000
    assert t.adjust(60_000).remaining(5_000) == 355_000


@given(st.lists(st.integers(min_value=0, max_value=600_000), min_size=1, max_size=20))
def test_remaining_is_continuous_across_pause_and_resume(gaps):
    """Pausing or resuming at T never changes what the countdown shows at T."""
    t, now = Timer(420_000), 0
    for gap in gaps:
        now += gap
        before = t.remaining(now)
        t = t.pause(now) if t.running else t.start(now)
        assert t.remaining(now) == before


@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=100_000)), max_size=30))
def test_ran_equals_the_sum_of_running_intervals(steps):
    """`ran` is exactly the time spent running."""
    t, now, expected = Timer(60_000), 0, 0
    for run, length in steps:
        if run:
            t = t.start(now) if not t.running else t
            now += length
            expected += length
            t = t.pause(now)
        else:
            now += length
    assert t.ran(now) == expected


def _fixture_cases(name: str) -> list[dict[str, Any]]:
    path = Path(__file__).resolve().parents[1] / "fixtures" / name
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return cases


@pytest.mark.parametrize("case", _fixture_cases("timer.json"), ids=lambda c: c["name"])
def test_time_left_and_time_run_agree_with_the_shared_fixture(case: dict[str, Any]) -> None:
    """The cases tests/js/arithmetic.test.mjs runs on the browser's arithmetic, here on the server's."""
    wire = case["timer"]
    timer = Timer(wire["duration_ms"], wire["elapsed_ms"], wire["running_since"])
    assert timer.wire() == wire
    assert timer.remaining(case["now"]) == case["remaining_ms"]
    assert timer.ran(case["now"]) == case["ran_ms"]
    # What the room saw past the time ("+00:16"): the report's over time, the same arithmetic.
    assert timer.overtime(case["now"]) == max(0, -case["remaining_ms"])


def test_overtime_counts_the_adjustments():
    t = Timer(300_000).adjust(-30_000).start(0)
    assert (t.overtime(269_000), t.overtime(286_000)) == (0, 16_000)
    assert t.adjust(60_000).overtime(286_000) == 0
