"""The rule of the screens that follow a series (core/follow.py): which session is current."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from moderator.core.follow import Slot, current, programme, series_body, slot
from moderator.core.rules import OPEN_PHASES
from moderator.core.state import PHASES
from tests.support.core import Run, session

HOUR = 3_600_000
NOW = 1_000 * HOUR


@st.composite
def slots(draw: st.DrawFn) -> list[Slot]:
    n = draw(st.integers(0, 6))
    out = []
    for i in range(n):
        phase = draw(st.sampled_from(PHASES))
        start = NOW + draw(st.integers(-6, 6)) * HOUR // 2
        minutes = draw(st.sampled_from([30, 60, 90]))
        started = None if phase == "scheduled" else start + draw(st.integers(-HOUR, HOUR))
        closed = started + draw(st.integers(0, 2 * HOUR)) if phase == "closed" and started else None
        out.append(Slot(f"s{i}", f"K{i}", "DE", phase, start, start + minutes * 60_000, started, closed))
    return out


@given(slots(), st.randoms())
def test_the_order_of_the_sessions_does_not_matter(every: list[Slot], rnd: Random) -> None:
    shuffled = list(every)
    rnd.shuffle(shuffled)
    assert current(shuffled, NOW) == current(every, NOW)


@given(slots())
def test_an_open_session_wins_and_the_most_recently_opened_first(every: list[Slot]) -> None:
    choice = current(every, NOW)
    opened = [s for s in every if s.phase in OPEN_PHASES]
    if not every:
        assert choice.current is None
        return
    assert choice.current is not None
    if opened:
        latest = max(s.started_at or 0 for s in opened)
        chosen = next(s for s in every if s.session_id == choice.current)
        assert chosen.phase in OPEN_PHASES and chosen.started_at == latest
        assert set(choice.open) == {s.session_id for s in opened}
        assert choice.open[0] == choice.current
        assert choice.changes_at is None
    else:
        assert choice.open == ()


@given(slots())
def test_without_an_open_session_the_next_scheduled_by_start(every: list[Slot]) -> None:
    if any(s.phase in OPEN_PHASES for s in every):
        return
    choice = current(every, NOW)
    upcoming = [s for s in every if s.phase == "scheduled" and s.planned_end > NOW]
    if upcoming:
        chosen = next(s for s in every if s.session_id == choice.current)
        assert chosen in upcoming
        assert all(chosen.start_ms <= s.start_ms for s in upcoming)
        assert choice.changes_at == chosen.planned_end
    elif any(s.phase == "closed" for s in every):
        chosen = next(s for s in every if s.session_id == choice.current)
        assert chosen.phase == "closed"
        assert all((chosen.closed_at or 0) >= (s.closed_at or 0) for s in every if s.phase == "closed")
        assert choice.changes_at is None


@given(slots(), st.integers(0, 4 * HOUR))
def test_the_answer_holds_until_it_says_it_may_change(every: list[Slot], later: int) -> None:
    choice = current(every, NOW)
    if choice.changes_at is None:
        assert current(every, NOW + later).current == choice.current
        return
    assert choice.changes_at > NOW
    t = min(NOW + later, choice.changes_at - 1)
    assert current(every, t).current == choice.current


def test_a_closed_session_gives_way_to_the_next_and_the_last_closed_stays_at_the_end() -> None:
    a = Slot("a", "A", "DE", "closed", NOW - HOUR, NOW, NOW - HOUR, NOW - 10)
    b = Slot("b", "B", "FR", "scheduled", NOW + HOUR, NOW + 2 * HOUR)
    assert current([a, b], NOW).current == "b"
    assert current([a, b], NOW + 3 * HOUR).current == "a"  # b never opened and its time is past
    assert current([], NOW).current is None


def test_the_slot_and_the_frame_read_the_session_state() -> None:
    r = Run(session())
    r.do("session.open")
    state = r.state
    s = slot(state)
    assert s.phase == "opening" and s.started_at is not None and s.start_ms == state.setup.start_ms
    body, changes_at = series_body("series-1", [state], NOW)
    assert body["current_session_id"] == state.setup.session_id
    assert body["open_session_ids"] == [state.setup.session_id]
    assert changes_at is None
    assert programme([s])[0]["state_under_review"]["code"] == "DE"
