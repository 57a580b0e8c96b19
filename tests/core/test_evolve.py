"""Invariants of decide+evolve over arbitrary command streams (Hypothesis)."""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.errors import Refused
from moderator.core.evolve import evolve, fold
from moderator.core.state import initial
from tests.support.core import MOD, SYSTEM, session

SUR = "DE"
STATES = ["DE", "FR", "BR", "KE"]
IDS = ["s1", "s2", "s3", "q1", "q2", "q3", "nope"]

actors = st.one_of(
    st.just(MOD),
    st.just(SYSTEM),
    st.builds(lambda c: Actor("delegation", c), st.sampled_from(STATES)),
    st.just(Actor("viewer")),
)
args = st.fixed_dictionaries(
    {},
    optional={
        "speaker_id": st.sampled_from(IDS),
        "entry_id": st.sampled_from(IDS),
        "delta_ms": st.integers(-400_000, 400_000),
        "position": st.integers(0, 4),
        "position_ms": st.integers(0, 300_000),
        "topic": st.text(max_size=5),
        "text": st.sampled_from(["Please conclude", "One minute"]),
        "to": st.sampled_from(["speaker", "room"]),
    },
)
names = st.sampled_from(
    [
        "session.open",
        "session.statements",
        "session.qa",
        "session.close",
        "speaker.call",
        "speaker.finish",
        "speaker.skip",
        "timer.start",
        "timer.pause",
        "timer.adjust",
        "timer.reset",
        "queue.request",
        "queue.withdraw",
        "queue.call",
        "queue.done",
        "queue.remove",
        "queue.move",
        "message.show",
        "message.clear",
        "playback.play",
        "playback.pause",
        "playback.seek",
        "playback.skip",
        "playback.stop",
        "playback.advance",
    ]
)
steps = st.lists(st.tuples(names, args, actors, st.integers(0, 400_000)), max_size=60)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(steps, st.sampled_from(["in_person", "virtual"]))
def test_invariants_hold_over_any_command_stream(stream, fmt):
    """seq grows with every accepted command; the SuR is never queued; one active entry per State;
    a refused command changes nothing; replaying the log gives the same state."""
    state = session(3, fmt=fmt, sur=SUR, video=fmt == "virtual")
    start = state
    log, now = [], 10_000_000
    for name, a, actor, gap in stream:
        now += gap
        try:
            events = decide(state, Command(name, a), actor, now)
        except Refused as e:
            assert e.code in {
                "forbidden",
                "invalid",
                "not_found",
                "conflict",
                "sur_cannot_ask",
                "already_queued",
            }
            continue
        assert events, name
        new = fold(state, events)
        assert new.seq == state.seq + len(events) > state.seq
        state = new
        log += events
        active = [e.state for e in state.queue]
        assert SUR not in active
        assert max(Counter(active).values(), default=0) <= 1
        assert sum(1 for s in state.speakers if s.status == "speaking") <= 1
        assert all(s.spoken_ms >= 0 for s in state.speakers)
        assert state.timer.duration_ms >= 0
    assert fold(initial(start.setup), log) == state


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["timer.start", "timer.pause", "timer.adjust", "speaker.finish", "speaker.call"]),
            st.integers(0, 200_000),
        ),
        max_size=40,
    )
)
def test_spoken_time_is_the_time_the_timer_ran(stream):
    """spoken_ms of each speaker equals the sum of the intervals its timer actually ran."""
    state = session(2)
    state = fold(state, decide(state, Command("session.open"), MOD, 0))
    ran: Counter[str] = Counter()
    now = 0
    running_since = None
    for i, (name, gap) in enumerate(stream):
        now += gap
        a = (
            {"speaker_id": f"s{i % 2 + 1}"}
            if name == "speaker.call"
            else ({"delta_ms": 1000} if name == "timer.adjust" else {})
        )
        try:
            events = decide(state, Command(name, a), MOD, now)
        except Refused:
            continue
        for e in events:
            if (
                state.floor is not None
                and running_since is not None
                and e["type"] in ("timer.paused", "speaker.finished")
            ):
                ran[state.floor.id] += e["at"] - running_since
                running_since = None
            state = evolve(state, e)
            if e["type"] == "timer.started":
                running_since = e["at"]
    for s in state.speakers:
        live = state.timer.ran(now) if state.floor is not None and state.floor.id == s.id else 0
        expected = ran[s.id] + (now - running_since if running_since is not None and live else 0)
        assert s.spoken_ms + live == expected
