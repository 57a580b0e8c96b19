"""The demo week: a valid agenda of the 14 States of Pre-sessions 44, Monday to Friday."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from moderator.agenda import AgendaSeries, parse_agenda
from moderator.countries import observer_codes, un_member_codes
from moderator.demo import DEMO_STATES, DEMO_TITLE, demo_agenda

WEDNESDAY = date(2023, 8, 30)
ZURICH = ZoneInfo("Europe/Zurich")


def demo(today: date = WEDNESDAY) -> AgendaSeries:
    """The demo agenda for `today`, parsed."""
    return parse_agenda(demo_agenda(today))


def local(ms: int) -> datetime:
    """Epoch milliseconds as Geneva local time."""
    return datetime.fromtimestamp(ms / 1000, ZURICH)


def test_demo_document_parses_without_warnings() -> None:
    """The demo document is a valid agenda with no warnings."""
    series = demo()
    assert series.warnings == ()
    assert (series.title, series.format) == (DEMO_TITLE, "in_person")
    assert (series.venue, series.timezone) == ("Palais des Nations, Geneva", "Europe/Zurich")


def test_fourteen_sessions_keyed_by_state_in_order() -> None:
    """There are 14 sessions, keyed by the alpha-2 code of their State under Review, in the week's order."""
    sessions = demo().sessions
    assert [s.key for s in sessions] == list(DEMO_STATES)
    assert [s.state_under_review for s in sessions] == list(DEMO_STATES)
    assert DEMO_STATES[:3] == ("TM", "BF", "CV") and DEMO_STATES[-3:] == ("AZ", "CM", "CU")
    assert len(set(DEMO_STATES)) == 14


def test_every_un_member_and_observer_is_a_delegation() -> None:
    """The delegations are the 193 Members and the 2 observers."""
    states = [d.state for d in demo().delegations]
    assert len(states) == 195
    assert set(states) == set(un_member_codes()) | set(observer_codes())


def test_three_to_six_speakers_each() -> None:
    """Each session has 3 to 6 speakers, and both ends of that range occur."""
    counts = [len(s.speakers) for s in demo().sessions]
    assert all(3 <= c <= 6 for c in counts)
    assert {3, 6} <= set(counts)


def test_speakers_are_varied_and_within_time() -> None:
    """Kinds and languages are mixed, times are 300..420 s, and someone speaks under a public name."""
    speakers = [sp for s in demo().sessions for sp in s.speakers]
    assert set(Counter(sp.kind for sp in speakers)) == {"cso", "nhri", "coalition"}
    assert set(Counter(sp.language for sp in speakers)) == {"en", "fr", "es"}
    assert all(300 <= sp.seconds <= 420 for sp in speakers)
    assert any(sp.public_name for sp in speakers)
    assert all(sp.organisation and sp.theme for sp in speakers)
    assert len({sp.theme for sp in speakers}) >= 10


def test_no_two_speakers_of_a_session_share_a_name_or_organisation() -> None:
    """Within a session, names and organisations differ (the NHRI appears at most once)."""
    for session in demo().sessions:
        names = [sp.name for sp in session.speakers]
        organisations = [sp.organisation for sp in session.speakers]
        assert len(set(names)) == len(names), session.key
        assert len(set(organisations)) == len(organisations), session.key


def test_week_runs_monday_to_friday_three_a_day() -> None:
    """Sessions run from the Monday of today's week at 10:00, 11:30 and 14:30 Geneva time."""
    starts = [local(s.start_ms) for s in demo().sessions]
    assert starts[0] == datetime(2023, 8, 28, 10, 0, tzinfo=ZURICH)
    assert [t.strftime("%H:%M") for t in starts[:3]] == ["10:00", "11:30", "14:30"]
    days = Counter(t.date() for t in starts)
    assert sorted(days.values()) == [2, 3, 3, 3, 3]
    assert {d.weekday() for d in days} == {0, 1, 2, 3, 4}
    assert starts == sorted(starts)


def test_same_day_same_document() -> None:
    """The document depends on the date only: two calls give equal documents."""
    assert demo_agenda(WEDNESDAY) == demo_agenda(WEDNESDAY)
    assert demo_agenda(date(2023, 8, 28)) == demo_agenda(date(2023, 9, 1))


def test_on_a_weekend_the_demo_is_the_coming_week() -> None:
    """Saturday or Sunday: the demo week starts the next Monday, so it is not already over."""
    assert demo_agenda(date(2023, 9, 2)) == demo_agenda(date(2023, 9, 4)) == demo_agenda(date(2023, 9, 3))


@given(st.dates(min_value=date(2000, 1, 3), max_value=date(2100, 12, 26)))
def test_any_week_parses(today: date) -> None:
    """The demo parses for any date; it starts on that week's Monday (the next one at a weekend)."""
    first = local(demo(today).sessions[0].start_ms).date()
    monday = today - timedelta(days=today.weekday())
    assert first == (monday + timedelta(days=7) if today.weekday() >= 5 else monday)
