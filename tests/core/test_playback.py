"""Where a video is at any server time."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderator.core.playback import Playback


def test_a_playing_video_advances_with_the_clock_and_stops_at_its_end():
    """position = position_ms + (T - anchor), capped at the duration."""
    p = Playback("playing", "s1", 10_000, 1_000, 60_000)
    assert p.position(6_000) == 15_000
    assert p.position(1_000_000) == 60_000
    assert p.ends_at() == 51_000


def test_pause_seek_resume():
    """Pausing freezes the position; seeking moves it; resuming goes on from there."""
    p = Playback("playing", "s1", 0, 0, 60_000).pause(5_000)
    assert p.status == "paused" and p.position(99_000) == 5_000 and p.ends_at() is None
    p = p.seek(30_000, 7_000).resume(9_000)
    assert p.position(10_000) == 31_000 and p.ends_at() == 39_000


def test_unknown_length_never_ends():
    """Without a duration there is no end to wait for."""
    assert Playback("playing", "s1", 0, 0, None).ends_at() is None


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_pause_does_not_move_the_video(start, play_for, later):
    """Pausing at T keeps the position it had at T."""
    p = Playback("playing", "s1", 0, start, None)
    t = start + play_for
    assert p.pause(t).position(t + later) == p.position(t) == play_for


@given(
    st.integers(0, 10**6),
    st.integers(0, 600_000),
    st.integers(1, 600_000),
    st.integers(0, 10**6),
)
def test_a_playing_video_ends_when_its_position_reaches_the_duration(anchor, position, duration, later):
    """ends_at is exactly when position(T) reaches the duration, and position never passes it."""
    p = Playback("playing", "s1", min(position, duration), anchor, duration)
    end = p.ends_at()
    assert end is not None and p.position(end) == duration
    assert p.position(end + later) == duration
    if end > anchor:
        assert p.position(end - 1) == duration - 1


@given(st.lists(st.tuples(st.sampled_from(["pause", "resume", "seek"]), st.integers(0, 50_000)), max_size=12))
def test_position_is_the_time_played_since_the_last_seek(steps):
    """Any run of pause/resume/seek: position = the last seek target + the time played since."""
    now = 1_000
    p = Playback("playing", "s1", 0, now, None)
    expected_base = 0
    playing_since: int | None = now
    for action, value in steps:
        now += 1 + value % 7_000
        if action == "pause" and p.status == "playing":
            p = p.pause(now)
            expected_base += now - playing_since
            playing_since = None
        elif action == "resume" and p.status == "paused":
            p = p.resume(now)
            playing_since = now
        elif action == "seek":
            p = p.seek(value, now)
            expected_base = value
            playing_since = now if p.status == "playing" else None
        later = now + value % 3_000
        running = later - playing_since if playing_since is not None else 0
        assert p.position(later) == expected_base + running


def _fixture_cases(name: str) -> list[dict[str, Any]]:
    path = Path(__file__).resolve().parents[1] / "fixtures" / name
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return cases


@pytest.mark.parametrize("case", _fixture_cases("playback.json"), ids=lambda c: c["name"])
def test_the_position_agrees_with_the_shared_fixture(case: dict[str, Any]) -> None:
    """The cases tests/js/arithmetic.test.mjs runs on the browser's arithmetic, here on the server's."""
    wire = case["playback"]
    playback = Playback(
        wire["status"], wire["speaker_id"], wire["position_ms"], wire["anchor"], wire["duration_ms"]
    )
    assert playback.wire() == wire
    assert playback.position(case["now"]) == case["position_ms"]
