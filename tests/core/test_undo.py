"""Undo of Finish, Done, Remove and Skip (core/decide `undo`, evolve `undone`): what was put back
is exactly what was there, for UNDO_MS and until the floor changes; otherwise a sentence."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.errors import Refused
from moderator.core.evolve import fold
from moderator.core.rules import UNDO_MS
from moderator.core.view import view
from tests.support.core import MOD, Run, mission, session


def refusal(run: Run) -> Refused:
    before = run.state
    with pytest.raises(Refused) as e:
        run.do("undo")
    assert run.state is before
    return e.value


def speaking(run_ms: int, pauses: int = 0) -> Run:
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    for _ in range(pauses):
        run.tick(run_ms // (pauses + 1)).do("timer.pause")
        run.tick(5_000).do("timer.start")
    run.tick(run_ms)
    return run


@settings(max_examples=150, deadline=None)
@given(
    run_ms=st.integers(0, 900_000),
    pauses=st.integers(0, 3),
    wait=st.integers(0, UNDO_MS),
    running=st.booleans(),
)
def test_finish_then_undo_gives_back_the_floor_the_timer_and_the_spoken_time(run_ms, pauses, wait, running):
    """Undo of Finish: the same speaker on the floor, the timer paused where it stood, the same
    spoken time (not a fresh allotment), and the speaker's status back to speaking."""
    run = speaking(run_ms, pauses)
    if not running:
        run.do("timer.pause")
    at_finish = run.now
    ran = run.state.timer.ran(at_finish)
    spoken_before = view(run.state, "moderator", at_finish)["speakers"][0]["spoken_ms"]
    if running:
        spoken_before += at_finish - (run.state.timer.running_since or at_finish)
    run.do("speaker.finish")
    assert run.state.floor is None and run.state.speakers[0].status == "done"
    run.tick(wait).do("undo")
    s = run.state
    assert s.floor is not None and (s.floor.kind, s.floor.id) == ("speaker", "s1")
    assert s.speakers[0].status == "speaking"
    assert s.timer.running_since is None and s.timer.ran(run.now) == ran
    assert s.timer.duration_ms == s.speakers[0].allotted_ms
    assert view(s, "moderator", run.now)["speakers"][0]["spoken_ms"] == spoken_before
    assert s.undoable is None
    # Finishing again banks the same time: nothing counted twice.
    run.tick(1_000).do("speaker.finish")
    assert run.state.speakers[0].spoken_ms == spoken_before


def test_the_log_with_the_undo_replays_to_the_same_state():
    """The undo is an event of its own: the log folds to the same state, and the report stays true."""
    run = speaking(90_000)
    start = session(3)
    run.do("speaker.finish")
    run.tick(2_000).do("undo")
    assert [e["type"] for e in run.log][-2:] == ["speaker.finished", "undone"]
    assert fold(start, run.log) == replace(run.state, seq=len(run.log))


def test_skip_and_remove_and_done_can_be_undone():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.skip", speaker_id="s2")
    run.tick(1_000).do("undo")
    assert run.state.speaker("s2").status == "waiting"
    for code in ("FR", "BR", "KE"):
        run.do("queue.request", mission(code))
    run.do("session.qa")
    order = [e.id for e in run.state.queue]
    run.do("queue.remove", entry_id=order[1])
    assert [e.id for e in run.state.queue] == [order[0], order[2]]
    run.tick(1_000).do("undo")
    assert [e.id for e in run.state.queue] == order, "back in its place"
    run.do("queue.call", entry_id=order[0])
    run.do("timer.start")
    run.tick(40_000).do("queue.done", entry_id=order[0])
    run.tick(3_000).do("undo")
    assert run.state.floor is not None and run.state.floor.id == order[0]
    assert run.state.entry(order[0]).status == "on_floor"
    assert run.state.timer.ran(run.now) == 40_000 and not run.state.timer.running
    # Removing the State on the floor, then undoing, gives it the floor back as well.
    run.do("queue.remove", entry_id=order[0])
    assert run.state.floor is None
    run.do("undo")
    assert run.state.floor is not None and run.state.floor.id == order[0]


def test_undo_is_refused_with_a_sentence_when_there_is_nothing_or_it_is_too_late():
    run = Run(session(3))
    run.do("session.open")
    e = refusal(run)
    assert (e.code, e.english()) == ("conflict", "There is nothing to undo.")
    run.do("speaker.call", speaker_id="s1")
    run.do("speaker.finish")
    run.tick(UNDO_MS + 1)
    e = refusal(run)
    assert e.code == "conflict" and "too late" in e.english() and "30 seconds" in e.english()
    run.do("speaker.call", speaker_id="s2")
    e = refusal(run)  # the floor changed: the finish of s1 is gone
    assert e.english() == "There is nothing to undo."


def test_undo_goes_with_the_next_floor_change_or_phase_and_is_done_once():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("speaker.call", speaker_id="s2")  # finishes s1 by giving the floor away: not undoable
    assert refusal(run).english() == "There is nothing to undo."
    run.do("speaker.finish")
    run.do("undo")
    assert refusal(run).english() == "There is nothing to undo."
    run.do("speaker.skip", speaker_id="s3")
    run.do("session.qa")
    assert refusal(run).english() == "There is nothing to undo."


def test_a_removed_state_that_asked_again_cannot_be_put_back_twice():
    run = Run(session(3))
    run.do("session.open")
    run.do("queue.request", mission("FR"))
    first = run.state.queue[0].id
    run.do("queue.remove", entry_id=first)
    run.do("queue.request", mission("FR"))
    e = refusal(run)
    assert e.code == "conflict" and "asked for the floor again" in e.english()


def test_only_the_moderator_may_undo_and_sees_what_can_be():
    run = Run(session(3))
    run.do("session.open")
    with pytest.raises(Refused) as e:
        run.do("undo", mission("FR"))
    assert e.value.code == "forbidden"
    run.do("speaker.skip", speaker_id="s1")
    assert view(run.state, "moderator", run.now)["undo"] == {
        "what": "skip",
        "id": "s1",
        "until": run.now + UNDO_MS,
    }
    assert view(run.state, "viewer", run.now)["undo"] is None
    with pytest.raises(Refused) as e:
        run.do("undo", MOD, what="skip")
    assert e.value.code == "invalid"


def test_the_console_is_told_which_state_a_removal_would_bring_back():
    run = Run(session(3))
    run.do("session.open")
    run.do("queue.request", mission("FR"))
    run.do("queue.remove", entry_id=run.state.queue[0].id)
    undo = view(run.state, "moderator", run.now)["undo"]
    assert (undo["what"], undo["state"]["code"]) == ("remove", "FR")


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 6),
    pick=st.integers(0, 5),
    called=st.booleans(),
    ran=st.integers(0, 200_000),
    kind=st.sampled_from(["queue.remove", "queue.done"]),
)
def test_remove_or_done_then_undo_gives_back_the_same_queue_and_floor(n, pick, called, ran, kind):
    """Whichever entry leaves (waiting or on the floor), undo puts the queue back in its order,
    with the floor and the paused timer of an entry that had them."""
    run = Run(session(3))
    run.do("session.open")
    for code in ["FR", "BR", "KE", "JP", "GY", "KI"][:n]:
        run.do("queue.request", mission(code))
    run.do("session.qa")
    target = run.state.queue[pick % n].id
    if called:
        run.do("queue.call", entry_id=target)
        run.do("timer.start")
        run.tick(ran)
    before = run.state
    run.do(kind, entry_id=target)
    run.tick(1_000).do("undo")
    after = run.state
    assert [(e.id, e.status) for e in after.queue] == [(e.id, e.status) for e in before.queue]
    assert after.floor == before.floor
    if called:
        assert after.timer.ran(run.now) == before.timer.ran(run.now - 1_000) and not after.timer.running


def test_the_report_after_an_undone_finish_counts_the_time_once():
    """Finish, undo, go on, finish: the report's spoken time is every second the timer ran."""
    from moderator.core.report import report

    run = speaking(60_000)
    run.do("speaker.finish")
    run.tick(5_000).do("undo")
    run.do("timer.start")
    run.tick(30_000).do("speaker.finish")
    row = report(run.first, run.log, run.now)["speakers"][0]
    assert (row["spoken_ms"], row["status"], len(row["turns"])) == (90_000, "done", 1)
