"""Invariants of the report's figures over any sequence of a moderator's commands (Hypothesis)."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core.errors import Refused
from moderator.core.record import SeriesRef, record
from moderator.core.report import report
from moderator.core.rules import spoken_ms
from tests.support.core import Run, mission, session

SPEAKERS = ("s1", "s2", "s3")

step = st.one_of(
    st.tuples(st.just("speaker.call"), st.sampled_from(SPEAKERS)),
    st.tuples(st.just("speaker.skip"), st.sampled_from(SPEAKERS)),
    st.tuples(st.sampled_from(["timer.start", "timer.pause", "timer.reset", "speaker.finish"]), st.none()),
    st.tuples(st.just("timer.adjust"), st.integers(-120, 120).map(lambda s: s * 1000)),
    st.tuples(st.just("tick"), st.integers(0, 400_000)),
    st.tuples(st.just("ask"), st.sampled_from(["FR", "BR", "KE"])),
    st.tuples(st.sampled_from(["session.qa", "queue.call", "queue.done", "session.close"]), st.none()),
)


def play(steps: list[tuple[str, Any]]) -> Run:
    run = Run(session(3))
    run.do("session.open")
    for name, arg in steps:
        try:
            if name == "tick":
                run.tick(arg)
            elif name in ("speaker.call", "speaker.skip"):
                run.do(name, speaker_id=arg)
            elif name == "timer.adjust":
                run.do(name, delta_ms=arg)
            elif name == "ask":
                run.do("queue.request", mission(arg), topic="t")
            elif name in ("queue.call", "queue.done"):
                queue = run.state.queue
                if queue:
                    run.do(name, entry_id=queue[0].id)
            else:
                run.do(name)
        except Refused:
            pass
    return run


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40), st.integers(0, 500_000))
def test_spoken_and_over_times_follow_the_timer_and_the_totals_are_the_sums(steps, later):
    run = play(steps)
    now = run.now + later
    data = report(run.first, run.log, now)
    for s in data["speakers"]:
        turns = s["turns"]
        assert s["spoken_ms"] >= 0 and s["over_ms"] >= 0
        assert s["spoken_ms"] == sum(t["spoken_ms"] for t in turns), "a speaker's time is their turns'"
        known = run.state.speaker(s["id"])
        assert known is not None
        assert s["spoken_ms"] == spoken_ms(run.state, known, now), "the state's rule"
        assert s["over_ms"] == sum(t["over_ms"] for t in turns)
        for t in turns:
            assert t["over_ms"] == max(0, t["spoken_ms"] - t["allotted_ms"]), "over the time the room saw"
        if len(turns) == 1:
            assert s["over_ms"] == max(0, s["spoken_ms"] - s["allotted_seen_ms"])
        assert s["over_ms"] <= s["spoken_ms"]
    totals = data["totals"]
    assert totals["statements_ms"] == sum(s["spoken_ms"] for s in data["speakers"])
    assert totals["over_ms"] == sum(s["over_ms"] for s in data["speakers"])
    assert totals["questions_ms"] == sum(q["floor_ms"] for q in data["questions"])
    answered = [q for q in data["questions"] if q["outcome"] == "answered"]
    assert totals["questions"] == len(answered) and all(q["called_at"] is not None for q in answered)
    assert totals["requests"] == len(data["questions"]) == len(run.state.entries)
    week = record(SeriesRef("R1", "T", "UTC"), [data, data])["totals"]
    assert (
        week["statements_ms"] == 2 * totals["statements_ms"] and week["questions"] == 2 * totals["questions"]
    )
