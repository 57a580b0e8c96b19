"""attendance(): which missions were connected during a session, from their phones' spans."""

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.attendance import PresenceSpan, attendance, merged
from moderator.core.record import SeriesRef, record
from moderator.core.report import report
from tests.support.core import Run, mission, session


def span(state: str, a: int, b: int | None) -> PresenceSpan:
    return PresenceSpan("S1", state, a, b)


def test_spans_are_clipped_to_the_session_and_two_phones_of_a_mission_count_once():
    spans = [
        span("FR", 0, 150_000),  # connected before the start: counted from the start (100 s)
        span("FR", 120_000, 400_000),  # a second phone, overlapping the first
        span("BR", 300_000, None),  # never closed (a crash): counted to the session's end
        span("KE", 10_000, 50_000),  # left before the start: not present
        span("CU", 900_000, 990_000),  # came after the end: not present
    ]
    data = attendance(spans, 100_000, 700_000, ["BR", "JP"], now=10**9)
    assert [
        (m["state"]["code"], m["first_seen"], m["connected_ms"], m["minutes"], m["asked"])
        for m in data["missions"]
    ] == [
        ("FR", 100_000, 300_000, 5, False),
        ("BR", 300_000, 400_000, 6, True),
    ]
    assert data["missions"][0]["state"]["name"] == "France"
    assert (data["states_present"], data["states_asked"]) == (2, 2)


def test_a_session_still_open_counts_to_now_and_one_not_opened_has_nobody():
    spans = [span("FR", 0, None)]
    assert attendance(spans, 1_000, None, [], now=61_000)["missions"][0]["connected_ms"] == 60_000
    assert attendance(spans, None, None, [], now=61_000)["missions"] == []


def test_the_report_carries_attendance_and_the_week_totals_sum_it():
    run = Run(session(3))
    run.do("session.open")
    run.do("queue.request", mission("FR"))
    run.tick(3_600_000).do("session.close")
    spans = [PresenceSpan("S1", "FR", 1_000_000, None), PresenceSpan("S1", "BR", 2_000_000, 2_600_000)]
    one = report(run.first, run.log, run.now, spans)
    assert one["attendance"]["states_present"] == 2 and one["attendance"]["states_asked"] == 1
    week = record(SeriesRef("R1", "T", "Europe/Zurich"), [one, one])["totals"]["attendance"]
    assert (week["states_present"], week["states_asked"], week["sessions"], week["hours"]) == (2, 1, 2, 2.0)
    assert [(m["state"]["code"], m["sessions"], m["connected_ms"]) for m in week["missions"]] == [
        ("BR", 2, 1_200_000),
        ("FR", 2, 7_200_000),
    ]


intervals = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(intervals)
def test_merged_intervals_cover_exactly_the_union(parts):
    out = merged(parts)
    covered = {t for a, b in parts for t in range(a, b)}
    assert {t for a, b in out for t in range(a, b)} == covered
    assert all(a < b for a, b in out) and all(out[i][1] < out[i + 1][0] for i in range(len(out) - 1))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["FR", "BR"]), st.integers(0, 300), st.one_of(st.none(), st.integers(0, 300))
        ),
        max_size=10,
    ),
    st.integers(0, 150),
    st.integers(0, 150),
)
def test_nobody_is_connected_longer_than_the_session_lasted(raw, start, length):
    spans = [span(code, a, b) for code, a, b in raw]
    data = attendance(spans, start, start + length, [], now=10**6)
    for m in data["missions"]:
        assert 0 < m["connected_ms"] <= length and start <= m["first_seen"] < start + length
