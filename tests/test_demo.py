"""The demo week: a valid agenda of the 14 States of Pre-sessions 44, the first about to start."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from moderator.core.agenda import AgendaSeries, parse_agenda
from moderator.demo import DEMO_STATES, DEMO_TITLE, demo_agenda
from moderator.i18n.countries import observer_codes, un_member_codes
from moderator.i18n.translation import format_start
from moderator.importer import prepare_demo
from moderator.settings import Settings
from moderator.store.sqlite import SQLiteStore

# A Wednesday, 10:03:20 in Geneva.
WEDNESDAY = datetime(2023, 8, 30, 8, 3, 20, tzinfo=UTC)
ZURICH = ZoneInfo("Europe/Zurich")


def demo(now: datetime = WEDNESDAY) -> AgendaSeries:
    """The demo agenda for a demo made at `now`, parsed."""
    return parse_agenda(demo_agenda(now))


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


def test_every_state_under_review_has_an_opening_statement() -> None:
    """The demo shows the SuR's opening statement: each session allots it time, within the rules."""
    sessions = demo().sessions
    assert all(s.sur_statement_seconds == 300 for s in sessions)


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


def test_the_first_session_is_about_to_start_and_the_week_follows() -> None:
    """Made at 10:03:20 on a Wednesday: the first session at 10:10, the others at the usual slots
    from that afternoon on, three a weekday (none at the weekend), in order."""
    starts = [local(s.start_ms) for s in demo().sessions]
    assert starts[0] == datetime(2023, 8, 30, 10, 10, tzinfo=ZURICH)
    assert starts[1:4] == [
        datetime(2023, 8, 30, 14, 30, tzinfo=ZURICH),
        datetime(2023, 8, 31, 10, 0, tzinfo=ZURICH),
        datetime(2023, 8, 31, 11, 30, tzinfo=ZURICH),
    ]
    assert {t.strftime("%H:%M") for t in starts[1:]} == {"10:00", "11:30", "14:30"}
    assert {t.weekday() for t in starts[1:]} <= {0, 1, 2, 3, 4}
    assert starts[-1].date() == datetime(2023, 9, 5).date()  # Tuesday of the next week
    assert starts == sorted(starts)


def test_same_moment_same_document() -> None:
    """The document depends on the moment only: two calls give equal documents."""
    assert demo_agenda(WEDNESDAY) == demo_agenda(WEDNESDAY)
    assert demo_agenda(WEDNESDAY) == demo_agenda(WEDNESDAY.astimezone(ZURICH))


def test_late_on_a_friday_the_week_goes_on_on_monday() -> None:
    """Friday 23:58: the first session starts just after midnight, the next on Monday at 10:00."""
    starts = [local(s.start_ms) for s in demo(datetime(2023, 9, 1, 23, 58, tzinfo=ZURICH)).sessions]
    assert starts[0] == datetime(2023, 9, 2, 0, 5, tzinfo=ZURICH)
    assert starts[1] == datetime(2023, 9, 4, 10, 0, tzinfo=ZURICH)


@given(st.datetimes(min_value=datetime(2000, 1, 3), max_value=datetime(2100, 12, 20), timezones=st.just(UTC)))
def test_at_any_moment_the_first_session_starts_in_a_few_minutes(now: datetime) -> None:
    """Whenever the demo is made, it parses; its first session starts 5 to 10 minutes later, on a
    5-minute mark, and no session starts before the one before it has ended."""
    sessions = demo(now).sessions
    now_ms = now.timestamp() * 1000
    assert 5 * 60_000 < sessions[0].start_ms - now_ms <= 10 * 60_000
    assert local(sessions[0].start_ms).minute % 5 == 0
    for before, after in zip(sessions, sessions[1:], strict=False):
        assert after.start_ms >= before.start_ms + before.minutes * 60_000


async def test_the_first_link_the_demo_prints_is_the_session_about_to_start(tmp_path: Path) -> None:
    """`moderator demo` at 10:03 prints first the console of the session starting at 10:10, with
    its date and time, and that session is the next one to start."""
    settings = Settings(db_path=tmp_path / "demo.sqlite3")
    text = await prepare_demo(settings, "http://127.0.0.1:8000", WEDNESDAY)
    first_id = re.search(r"/s/([^/]+)/console#token=", text)
    assert first_id is not None
    store = await SQLiteStore.open(settings.db_path)
    try:
        setups = await store.setups()
    finally:
        await store.close()
    first = next(s for s in setups if s.session_id == first_id.group(1))
    upcoming = min((s for s in setups if s.start_ms > WEDNESDAY.timestamp() * 1000), key=lambda s: s.start_ms)
    assert first == upcoming
    assert local(first.start_ms) == datetime(2023, 8, 30, 10, 10, tzinfo=ZURICH)
    listed = text[: text.index("/console#token=")]
    assert listed.splitlines()[-2].startswith(format_start(first.start_ms, ZURICH, "en") + "  ")
    assert "Wed 30 Aug 10:10" in listed
