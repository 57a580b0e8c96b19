"""The live commands that change a session's agenda (core/amend.py) and the SuR's opening statement:
every field checked by the agenda's rule, history never rewritten, the current values read everywhere."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.commands import Actor, Command
from moderator.core.decide import answer, decide
from moderator.core.errors import Refused
from moderator.core.evolve import fold
from moderator.core.report import report
from moderator.core.state import SessionState, initial
from moderator.core.view import view
from tests.support.core import MOD, Run, mission, session


def refused(state: SessionState, command: str, actor: Actor = MOD, /, **args: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        decide(state, Command(command, args), actor, 5_000_000)
    return caught.value


def test_speaker_add_gives_a_deterministic_id_in_the_ack_and_a_waiting_speaker():
    run = Run(session(3))
    events = run.do("speaker.add", name="Nadia Ali", language="fr", position=1)
    assert answer(Command("speaker.add", {"name": "Nadia Ali"}), events) == {"speaker_id": "S1-1"}
    added = run.state.speakers[1]
    assert (added.id, added.key, added.name, added.language, added.kind) == (
        "S1-1",
        "s4",
        "Nadia Ali",
        "fr",
        "cso",
    )
    assert (added.status, added.spoken_ms, added.allotted_ms) == ("waiting", 0, 360_000)
    again = decide(session(3), Command("speaker.add", {"name": "Nadia Ali"}), MOD, 9)
    assert again[0]["speaker_id"] == "S1-1", "the same state gives the same id"
    run.do("speaker.add", name="Other", key="own")
    assert run.state.speakers[-1].id == "S1-2" and run.state.speakers[-1].key == "own"


@pytest.mark.parametrize(
    ("args", "code", "sentence"),
    [
        ({}, "invalid", "'speaker.add' needs the argument 'name'."),
        ({"name": ""}, "invalid", "'name': This text must not be empty."),
        ({"name": "A", "language": "de"}, "invalid", "'language': This must be one of: en, fr, es."),
        ({"name": "A", "seconds": 30}, "invalid", "'seconds': This must be a whole number from 60 to 1800."),
        ({"name": "A", "kind": None}, "invalid", "'kind' may not be null."),
        ({"name": "A", "position": 9}, "invalid", "'position' must be from 0 to 3."),
        ({"name": "A", "key": "k1"}, "conflict", "The speaker key k1 is already used in this session."),
    ],
)
def test_speaker_add_checks_each_field_by_the_agendas_rule(args, code, sentence):
    error = refused(session(3), "speaker.add", **args)
    assert (error.code, error.english()) == (code, sentence)


def test_speaker_update_and_move_change_only_what_they_say():
    run = Run(session(3))
    run.do("speaker.update", speaker_id="s2", name="Renamed", seconds=420, public_name=None)
    s2 = run.state.speaker("s2")
    assert s2 is not None and (s2.name, s2.allotted_ms, s2.public_name, s2.theme) == (
        "Renamed",
        420_000,
        None,
        "Theme",
    )
    run.do("speaker.move", speaker_id="s3", position=0)
    assert [s.id for s in run.state.speakers] == ["s3", "s1", "s2"]
    assert refused(run.state, "speaker.update", speaker_id="s2").code == "invalid"
    assert (
        refused(run.state, "speaker.move", speaker_id="s2", position=3).english()
        == "'position' must be from 0 to 2."
    )
    assert refused(run.state, "speaker.update", speaker_id="nope", name="X").code == "not_found"
    assert refused(run.state, "speaker.update", speaker_id="s2", key="k1").code == "conflict"


def test_only_a_speaker_who_has_not_spoken_may_be_removed():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    assert "has the floor" in refused(run.state, "speaker.remove", speaker_id="s1").english()
    run.do("timer.start")
    run.tick(5000).do("speaker.finish")
    error = refused(run.state, "speaker.remove", speaker_id="s1")
    assert error.code == "conflict" and "stay in the record" in error.english()
    run.do("speaker.skip", speaker_id="s2")
    run.do("speaker.remove", speaker_id="s2")
    run.do("speaker.remove", speaker_id="s3")
    assert [s.id for s in run.state.speakers] == ["s1"]
    assert [s["id"] for s in report(run.state, run.now)["speakers"]] == ["s1"]


def test_session_update_changes_what_every_reader_sees():
    run = Run(session(3))
    run.do(
        "session.update", start="2030-01-01T10:00:00+01:00", minutes=90, question_seconds=60, format="hybrid"
    )
    start = 1_893_488_400_000
    assert (run.state.setup.start_ms, run.state.setup.minutes, run.state.setup.format) == (
        start,
        90,
        "hybrid",
    )
    seen = view(run.state, "viewer", run.now)
    assert (seen["start"], seen["planned_end"], seen["format"]) == (start, start + 90 * 60_000, "hybrid")
    assert report(run.state, run.now)["session"]["planned_end"] == start + 90 * 60_000
    run.do("session.open")
    run.do("queue.request", mission("FR"))
    run.do("session.qa")
    run.do("queue.call", entry_id="q1")
    assert run.state.timer.duration_ms == 60_000, "a question gets the current question time"
    error = refused(run.state, "session.update", format="virtual")
    assert (error.code, error.english()) == (
        "conflict",
        "The format can change only before the session is opened.",
    )
    assert refused(run.state, "session.update", start="2030-01-01T10:00:00").english() == (
        "'start': This date and time needs its offset from UTC, such as +02:00."
    )
    assert refused(run.state, "session.update").code == "invalid"
    run.do("session.update", minutes=45)
    run.do("session.close")
    assert refused(run.state, "session.update", minutes=60).english() == (
        "This session is closed; its report stays available."
    )
    assert refused(run.state, "speaker.add", name="Late").code == "conflict"


def test_the_state_under_review_is_changed_only_by_the_server_and_only_before_the_opening():
    state = session(3)
    assert refused(state, "agenda.update", state_under_review="FR").code == "forbidden"
    run = Run(state)
    run.do("agenda.update", Actor("system"), state_under_review="FR")
    assert run.state.setup.state_under_review == "FR"
    assert refused(run.state, "queue.request", mission("FR")).code in ("sur_cannot_ask", "conflict")
    run.do("session.open")
    assert refused(run.state, "queue.request", mission("FR")).code == "sur_cannot_ask"
    error = refused(run.state, "agenda.update", Actor("system"), state_under_review="DE")
    assert error.code == "conflict" and "cannot change" in error.english()


def test_the_opening_statement_has_its_own_time_and_is_recorded():
    state = session(3)
    assert refused(state, "sur.call").code == "conflict"
    run = Run(state)
    run.do("session.update", sur_statement_seconds=300)
    assert view(run.state, "viewer", run.now)["sur_statement"] == {
        "allotted_ms": 300_000,
        "status": "waiting",
        "spoken_ms": 0,
    }
    assert refused(run.state, "sur.call").english() == "The session has not been opened yet."
    run.do("session.open")
    assert view(run.state, "viewer", run.now)["projected_end"] == run.now + 3 * 300_000 + 300_000
    run.do("sur.call")
    assert run.state.floor is not None and (run.state.floor.kind, run.state.floor.id) == ("sur", "DE")
    assert run.state.timer.duration_ms == 300_000 and run.state.phase == "opening"
    assert refused(run.state, "sur.call").code == "conflict"
    assert refused(run.state, "session.update", sur_statement_seconds=None).code == "conflict"
    run.do("timer.start")
    run.tick(250_000)
    assert view(run.state, "moderator", run.now)["sur_statement"]["status"] == "speaking"
    run.do("speaker.call", speaker_id="s1")  # the first speaker ends the statement
    after: SessionState = run.state  # mypy narrowed run.state.phase above
    assert after.phase == "statements" and after.statement.status == "done"
    made = report(run.state, run.now)["sur_statement"]
    assert made == {
        "state": {"code": "DE", "name": "Germany"},
        "allotted_ms": 300_000,
        "spoken_ms": 250_000,
        "over_ms": 0,
        "status": "done",
    }
    error = refused(run.state, "session.update", sur_statement_seconds=None)
    assert "stays in the record" in error.english()
    assert refused(run.state, "queue.request", mission("DE")).code == "sur_cannot_ask", "still may not ask"
    run.do("session.qa")
    assert refused(run.state, "sur.call").english() == "Not possible during the questions."


def test_speaker_finish_and_session_qa_end_the_opening_statement():
    run = Run(session(2))
    run.do("session.update", sur_statement_seconds=120)
    run.do("session.open")
    run.do("sur.call")
    run.do("timer.start")
    run.tick(10_000).do("speaker.finish")
    assert run.state.floor is None and run.state.statement.spoken_ms == 10_000
    run.do("sur.call")
    run.do("timer.start")
    run.tick(5_000).do("session.qa")
    assert run.state.floor is None and run.state.statement.spoken_ms == 15_000


# ---- invariants over any sequence of agenda changes (Hypothesis) --------------------------------

changes = st.lists(
    st.one_of(
        st.tuples(
            st.just("speaker.add"),
            st.fixed_dictionaries({"name": st.just("N")}, optional={"position": st.integers(0, 8)}),
        ),
        st.tuples(
            st.just("speaker.move"),
            st.fixed_dictionaries({"speaker_id": st.integers(0, 8), "position": st.integers(0, 8)}),
        ),
        st.tuples(st.just("speaker.remove"), st.fixed_dictionaries({"speaker_id": st.integers(0, 8)})),
        st.tuples(st.just("speaker.call"), st.fixed_dictionaries({"speaker_id": st.integers(0, 8)})),
        st.tuples(st.just("timer.start"), st.just({})),
        st.tuples(st.just("speaker.finish"), st.just({})),
        st.tuples(st.just("speaker.skip"), st.fixed_dictionaries({"speaker_id": st.integers(0, 8)})),
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(changes)
def test_adds_moves_and_removes_keep_ids_unique_and_the_order_a_permutation(stream):
    """Ids and keys stay unique; a move or any other command keeps the same set of speakers (a
    permutation), an add adds one, a remove takes one that never spoke; replay gives the same."""
    start = fold(session(3), [{"type": "session.opened", "at": 1}])
    state, now = start, 10_000
    log: list[dict[str, Any]] = []
    for name, args in stream:
        now += 1000
        if "speaker_id" in args:  # an index into the current list (or past it: not_found)
            i = args["speaker_id"]
            args = {**args, "speaker_id": state.speakers[i].id if i < len(state.speakers) else "nope"}
        try:
            events = decide(state, Command(name, args), MOD, now)
        except Refused:
            continue
        new = fold(state, events)
        before, after = [s.id for s in state.speakers], [s.id for s in new.speakers]
        assert len(set(after)) == len(after) and len({s.key for s in new.speakers}) == len(after)
        if name == "speaker.add":
            assert set(after) - set(before) == {answer(Command(name, args), events)["speaker_id"]}
            assert set(before) < set(after)
        elif name == "speaker.remove":
            gone = state.speaker(args["speaker_id"])
            assert gone is not None and gone.spoken_ms == 0 and gone.status in ("waiting", "skipped")
            assert set(before) - set(after) == {gone.id}
        else:
            assert sorted(after) == sorted(before), "the same speakers, in some order"
        state, log = new, log + events
    assert fold(start, log) == state
    assert fold(initial(start.setup), [{"type": "session.opened", "at": 1}, *log]) == state


def test_an_agenda_event_with_a_bad_field_changes_nothing_but_seq():
    state = session(2)
    for event in (
        {
            "type": "speaker.added",
            "at": 1,
            "speaker_id": "x",
            "key": "x",
            "name": "X",
            "kind": "cso",
            "language": "en",
        },
        {
            "type": "speaker.added",
            "at": 1,
            "speaker_id": "x",
            "key": "x",
            "name": 7,
            "kind": "cso",
            "language": "en",
            "allotted_ms": 1,
        },
        {"type": "speaker.updated", "at": 1, "speaker_id": "s1", "publish": "yes"},
        {"type": "speaker.moved", "at": 1, "speaker_id": "s1", "position": "0"},
        {"type": "session.updated", "at": 1, "format": "online"},
        {"type": "session.updated", "at": 1, "minutes": True},
        {"type": "session.updated", "at": 1, "state_under_review": "XX"},
    ):
        after = fold(state, [event])
        assert replace(after, seq=state.seq) == state, event
