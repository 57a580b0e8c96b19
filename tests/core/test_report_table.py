"""report_table: the report's rows for people, read back with Python's csv module."""

import csv
import io
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from moderator.core.attendance import PresenceSpan
from moderator.core.report import report
from moderator.core.report_table import BOM, SERIES_COLUMNS, SESSION_COLUMNS, rows, safe, table, to_csv
from tests.support.core import Run, mission, session

ZURICH = ZoneInfo("Europe/Zurich")


def held() -> Run:
    run = Run(session(3), now=1_693_296_000_000)  # 2023-08-29T10:00:00+02:00
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.adjust", delta_ms=-30_000)
    run.do("timer.start")
    run.tick(286_400).do("speaker.finish")
    run.do("queue.request", mission("FR"), topic="Prisons", addressed_to="s1")
    run.do("session.qa")
    run.do("queue.call", entry_id="q1")
    run.tick(95_000).do("session.close")
    return run


def read(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM) :])))


def test_times_in_the_series_zone_durations_in_seconds_and_names_not_ids():
    run = held()
    spans = [PresenceSpan("S1", "FR", run.first.setup.start_ms, None)]
    text = to_csv(table(rows([report(run.first, run.log, run.now, spans)], ZURICH), SERIES_COLUMNS))
    got = read(text)
    assert list(got[0])[:2] == ["session", "kind"]
    assert [r["kind"] for r in got] == ["speaker", "speaker", "speaker", "question", "attendance"]
    s1, q1, fr = got[0], got[3], got[4]
    assert (s1["session"], s1["name"], s1["state_under_review"]) == ("DE", "Speaker 1", "Germany")
    assert s1["called_at"] == "2023-08-29T10:00:00+02:00" and s1["ended_at"] == "2023-08-29T10:04:46+02:00"
    assert (s1["allotted_s"], s1["allotted_seen_s"], s1["spoken_s"], s1["over_s"]) == (
        "300",
        "270",
        "286",
        "16",
    )
    assert (q1["state"], q1["addressed_to"], q1["floor_s"], q1["status"]) == (
        "France",
        "Speaker 1",
        "95",
        "answered",
    )
    assert "s1" not in q1.values() and "FR" not in q1.values()
    assert (fr["state"], fr["first_seen"], fr["connected_minutes"], fr["asked"]) == (
        "France",
        "2023-08-29T10:00:00+02:00",
        "6",
        "yes",
    )


def test_one_sessions_csv_has_kind_first():
    run = held()
    got = read(to_csv(table(rows([report(run.first, run.log, run.now)], ZURICH), SESSION_COLUMNS)))
    assert list(got[0])[:2] == ["kind", "session"]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("-", "'-"),
        ("-42", "-42"),  # a number stays a number
        ('Prisons, "quoted"', 'Prisons, "quoted"'),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_left_as_text(cell, shown):
    run = Run(session(3))
    speakers = tuple(replace(s, name=cell) if s.id == "s1" else s for s in run.state.speakers)
    run.first = run.state = replace(run.state, speakers=speakers)
    run.do("session.open")
    run.do("queue.request", mission("FR"), topic=cell)
    got = read(to_csv(table(rows([report(run.first, run.log, run.now)], ZURICH), SERIES_COLUMNS)))
    assert got[0]["name"] == shown
    assert got[3]["topic"] == shown
    assert safe(42) == 42
