"""The diff of a PUT (core/changes.py): what changes, where, which moves, and what may not change;
the events it decides bring each session exactly to the document."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.agenda import parse_agenda
from moderator.core.changes import Current, diff
from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.evolve import fold
from moderator.core.snapshot import SeriesFacts, document
from moderator.core.state import SessionState, Setup, Speaker, initial

NOW = 2_000_000_000_000
FACTS = SeriesFacts("R1", "Week", "in_person", "Geneva", "Europe/Zurich")


def speaker(key: str, i: int) -> Speaker:
    return Speaker(f"P{key}", key, f"Name {key}", "Org", "cso", "", "en", 360_000)


def state(key: str, keys: list[str], start: int = 1_900_000_000_000) -> SessionState:
    speakers = tuple(speaker(k, i) for i, k in enumerate(keys))
    return initial(Setup(f"S{key}", "R1", key, "Week", "in_person", "Geneva", key, start, 60, 120, speakers))


def current(
    *sessions: SessionState, delegations: tuple[tuple[str, str | None], ...] = (("FR", None),)
) -> Current:
    return Current(FACTS, sessions, delegations)


def doc_of(now: Current) -> dict[str, Any]:
    """What GET would answer, as a document to edit."""
    return copy.deepcopy(document(now.series, now.sessions, now.delegations))


def test_the_agenda_as_it_stands_changes_nothing():
    now = current(state("DE", ["a", "b"]), state("FR", []))
    found = diff(now, parse_agenda(doc_of(now)), NOW)
    assert found.empty and found.conflicts == [] and found.appends == {}


def test_a_move_is_reported_once_and_the_events_give_the_documents_order():
    now = current(state("DE", ["a", "b", "c", "d"]))
    doc = doc_of(now)
    speakers = doc["sessions"][0]["speakers"]
    speakers.insert(0, speakers.pop(3))  # d to the front: only d moved
    found = diff(now, parse_agenda(doc), NOW)
    assert [(c["change"], c["key"], c["position"]) for c in found.changes] == [
        ("moved", "d", {"old": 3, "new": 0})
    ]
    after_seq, events = found.appends["SDE"]
    assert after_seq == 0 and [e["type"] for e in events] == ["speaker.moved"]
    assert [s.key for s in fold(now.sessions[0], events).speakers] == ["d", "a", "b", "c"]


def test_removed_items_are_pointed_at_in_the_current_agenda_the_others_in_the_new_document():
    now = current(state("DE", ["a", "b"]), state("FR", ["x"]), delegations=(("BR", None), ("FR", None)))
    doc = doc_of(now)
    doc["sessions"] = [doc["sessions"][1]]  # DE removed
    doc["sessions"][0]["speakers"] = [{"key": "y", "name": "New", "kind": "nhri", "language": "es"}]
    doc["delegations"] = [{"state": "FR", "label": "France"}, {"state": "DE"}]
    found = diff(now, parse_agenda(doc), NOW)
    seen = {(c["change"], c["what"], c["where"]) for c in found.changes}
    assert seen == {
        ("removed", "session", "sessions[0]"),
        ("removed", "speaker", "sessions[1].speakers[0]"),
        ("added", "speaker", "sessions[0].speakers[0]"),
        ("removed", "delegation", "delegations[0]"),
        ("added", "delegation", "delegations[1]"),
        ("changed", "delegation", "delegations[0]"),
    }
    assert found.removed == ["SDE"] and found.delegations_removed == ["BR"]
    assert [d.state for d in found.delegations_added] == ["DE"]
    events = found.appends["SFR"][1]
    assert [e["type"] for e in events] == ["speaker.removed", "speaker.added"]
    assert [s.key for s in fold(now.sessions[1], events).speakers] == ["y"]


def test_what_would_rewrite_history_is_a_conflict_where_it_is():
    de = state("DE", ["a", "b"])
    for name, args in (("session.open", {}), ("speaker.call", {"speaker_id": "Pa"})):
        de = fold(de, decide(de, Command(name, args), Actor("moderator"), NOW))
    now = current(de, state("FR", []))
    doc = doc_of(now)
    doc["sessions"][0]["speakers"] = doc["sessions"][0]["speakers"][1:]
    doc["sessions"][0]["state_under_review"] = "BR"
    doc["sessions"][0]["format"] = "virtual"
    doc["sessions"][0]["minutes"] = 75
    found = diff(now, parse_agenda(doc), NOW)
    assert [c.where for c in found.conflicts] == [
        "sessions[0].state_under_review",
        "sessions[0].format",
        "sessions[0].speakers[0]",
    ]
    assert all(c.refused.code == "conflict" for c in found.conflicts)
    doc = doc_of(now)
    doc["sessions"] = doc["sessions"][1:]
    found = diff(now, parse_agenda(doc), NOW)
    assert [(c.where, c.refused.params) for c in found.conflicts] == [("sessions[0]", {"key": "DE"})]


def test_series_fields_new_sessions_and_starts_are_listed():
    now = current(state("DE", ["a"]))
    doc = doc_of(now)
    doc["title"] = "Week 2"
    doc["timezone"] = "America/New_York"  # same instants, other zone: no start change
    doc["sessions"].insert(0, {"key": "KE", "state_under_review": "KE", "start": "2030-01-01T09:00:00+01:00"})
    found = diff(now, parse_agenda(doc), NOW)
    series = next(c for c in found.changes if c["what"] == "series")
    assert series["fields"] == {
        "title": {"old": "Week", "new": "Week 2"},
        "timezone": {"old": "Europe/Zurich", "new": "America/New_York"},
    }
    assert [(p, s.key) for p, s in found.created] == [(0, "KE")] and found.positions == {"SDE": 1}
    assert ("moved", "session") not in {(c["change"], c["what"]) for c in found.changes}
    assert "SDE" not in found.appends


keys = st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8)


@settings(max_examples=200)
@given(keys, keys)
def test_the_events_bring_any_speaker_list_to_any_other(old, new):
    """Whatever the two lists, the decided events give exactly the new order; the moves reported
    are those outside the longest run of kept speakers in order."""
    now = current(state("DE", old))
    doc = doc_of(now)
    doc["sessions"][0]["speakers"] = [
        {"key": k, "name": f"Name {k}", "organisation": "Org", "kind": "cso", "language": "en"} for k in new
    ]
    found = diff(now, parse_agenda(doc), NOW)
    assert found.conflicts == []
    events = found.appends.get("SDE", (0, []))[1]
    after = fold(now.sessions[0], events)
    assert [s.key for s in after.speakers] == new
    kept = [s.id for s in after.speakers if s.key in old]
    assert kept == [f"P{k}" for k in new if k in old], "kept speakers keep their ids"
    moved = {c["key"] for c in found.changes if c["change"] == "moved"}
    common = [k for k in old if k in new]
    assert len(moved) <= len(common)
