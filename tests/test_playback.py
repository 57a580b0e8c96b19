"""Where a video is at any server time."""

from hypothesis import given
from hypothesis import strategies as st

from moderator.playback import Playback


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
