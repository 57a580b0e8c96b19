"""Invariants of decide+evolve over arbitrary command streams (Hypothesis)."""

from collections import Counter
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator.core.commands import Actor, Command, Spec
from moderator.core.decide import COMMANDS, FOLLOW_UPS, decide
from moderator.core.errors import Refused
from moderator.core.evolve import APPLY, Event, evolve, fold
from moderator.core.report import report, report_csv
from moderator.core.state import SessionState, initial
from moderator.core.view import view
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
# A strategy for every argument name a command takes (test_every_argument_has_a_strategy).
ARG_VALUES = {
    "speaker_id": st.sampled_from(IDS),
    "entry_id": st.sampled_from(IDS),
    "addressed_to": st.sampled_from([None, *IDS]),
    "delta_ms": st.integers(-400_000, 400_000),
    "position": st.integers(0, 4),
    "position_ms": st.integers(0, 300_000),
    "duration_ms": st.integers(0, 400_000),
    "topic": st.text(max_size=5),
    "text": st.sampled_from(["Please conclude", "One minute"]),
    "to": st.sampled_from(["speaker", "room"]),
    "pinned": st.booleans(),
    "url": st.sampled_from(["/media/new.mp4", ""]),
    # the agenda's fields (speaker.add, .update, session.update, agenda.update)
    "key": st.sampled_from(["k1", "k2", "new", ""]),
    "name": st.sampled_from(["Ana", "", None]),
    "organisation": st.sampled_from(["Org", None]),
    "kind": st.sampled_from(["cso", "nhri", "ngo"]),
    "theme": st.sampled_from(["Water", ""]),
    "language": st.sampled_from(["en", "fr", "de"]),
    "seconds": st.integers(30, 2000),
    "public_name": st.sampled_from(["A defender", None]),
    "publish": st.sampled_from([True, False, "yes"]),
    "start": st.sampled_from(["2023-08-29T10:00:00+02:00", "2023-08-29T10:00:00", "soon"]),
    "minutes": st.integers(10, 250),
    "question_seconds": st.integers(10, 1000),
    "format": st.sampled_from(["in_person", "virtual", "hybrid", "online"]),
    "sur_statement_seconds": st.sampled_from([None, 30, 300]),
    "state_under_review": st.sampled_from(["DE", "FR", "XX"]),
}
# Any args at all, for any command: most are refused as invalid.
any_args = st.fixed_dictionaries({}, optional=ARG_VALUES)


def args_of(spec: Spec) -> st.SearchStrategy[dict[str, Any]]:
    """Args of the right names for `spec`, mostly, and sometimes any args."""
    right = st.fixed_dictionaries(
        {k: ARG_VALUES.get(k, st.nothing()) for k in spec.required},
        optional={k: ARG_VALUES.get(k, st.nothing()) for k in spec.optional},
    )
    return st.one_of(right, right, any_args)


# Every registered command (a new one is covered automatically), and now and then an unknown one.
commands = st.one_of(
    *(st.tuples(st.just(spec.name), args_of(spec)) for spec in COMMANDS),
    st.tuples(st.just("timer.explode"), any_args),
)
steps = st.lists(st.tuples(commands, actors, st.integers(0, 400_000)), max_size=60)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(steps, st.sampled_from(["in_person", "virtual"]), st.sampled_from([None, 300]))
def test_invariants_hold_over_any_command_stream(stream, fmt, statement):
    """Every event is one its command declares; seq grows with every accepted command; the SuR
    is never queued; one active entry per State; speaker ids and keys stay unique; a removed
    speaker never had spoken time; replaying the log gives the same state."""
    state = session(3, fmt=fmt, sur=SUR, video=fmt == "virtual")
    state = replace(state, setup=replace(state.setup, sur_statement_seconds=statement))
    start = state
    log: list[Event] = []
    now = 10_000_000
    for (name, a), actor, gap in stream:
        now += gap
        try:
            events = decide(state, Command(name, a), actor, now)
        except Refused as e:
            assert e.code in {
                "bad_message",
                "forbidden",
                "invalid",
                "not_found",
                "conflict",
                "sur_cannot_ask",
                "already_queued",
            }
            continue
        assert events, name
        assert {e["type"] for e in events} <= COMMANDS.spec(name).emits | FOLLOW_UPS, name
        new = fold(state, events)
        assert new.seq == state.seq + len(events) > state.seq
        for event in events:
            if event["type"] == "speaker.removed":  # a removed speaker never had the floor or spoken time
                gone = state.speaker(event["speaker_id"])
                assert gone is not None and gone.spoken_ms == 0 and gone.status in ("waiting", "skipped")
        state = new
        log += events
        active = [e.state for e in state.queue]
        assert SUR not in active
        assert max(Counter(active).values(), default=0) <= 1
        assert sum(1 for s in state.speakers if s.status == "speaking") <= 1
        assert all(s.spoken_ms >= 0 for s in state.speakers)
        ids = [s.id for s in state.speakers]
        assert len(set(ids)) == len(ids) and len({s.key for s in state.speakers}) == len(ids)

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


# ---- totality: evolve folds any log -------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=4,
)
# Ids the session has and ids it has not; the event types evolve knows and some it does not.
any_id = st.sampled_from(IDS + ["", "q99"]) | json_values
FIELDS = ["speaker_id", "entry_id", "state", "addressed_to", "topic", "delta_ms", "position",
          "position_ms", "text", "to", "pinned", "url", "duration_ms"]  # fmt: skip
# Values of the right type mostly (so that events get past the first field), of any type sometimes.
plausible = st.one_of(
    st.sampled_from(IDS + ["", "q99", "speaker", "room", "DE", "FR", "ZZ", "/media/x.mp4"]),
    st.integers(-400_000, 400_000),
    st.booleans(),
)
field_values = plausible | plausible | json_values
known_types = st.sampled_from(sorted(APPLY))
event_types = (
    known_types | known_types | known_types | st.sampled_from(["speaker.sang", "", "timer"]) | json_values
)
times = st.integers(0, 20_000_000)
events = st.one_of(
    # every field present: only their values can be wrong
    st.fixed_dictionaries({"type": event_types, "at": times, **{f: field_values for f in FIELDS}}),
    # any fields missing
    st.fixed_dictionaries(
        {"type": event_types}, optional={"at": times | json_values, **{f: field_values for f in FIELDS}}
    ),
    json_values,  # not even an object
)
# The well-formed events of a session, to mix in: they give the floor, queue, play videos...
session_log = st.lists(st.tuples(commands, actors, st.integers(0, 400_000)), max_size=25)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(events, max_size=25), session_log, st.randoms(use_true_random=False), st.booleans())
def test_evolve_folds_any_event_sequence(junk, stream, random, virtual):
    """Unknown ids and types, missing fields, wrong types, amid a real session's events: evolve
    never raises, seq counts every event, and the state it folds to can be shown to every role
    and reported."""
    state = session(3, fmt="virtual" if virtual else "in_person", sur=SUR, video=virtual)
    log = [*junk, *real_events(state, stream)]
    random.shuffle(log)
    after = fold(state, log)
    assert after.seq == state.seq + len(log)
    for role in ("moderator", "delegation", "viewer"):
        view(after, role, 30_000_000)
    report_csv(report(after, 30_000_000))


def test_an_event_evolve_cannot_read_changes_nothing_but_seq():
    """A known type with a field of the wrong type is skipped whole, like an unknown id."""
    state = fold(session(3), [{"type": "session.opened", "at": 5}])
    event: Any
    for event in (
        {"type": "speaker.called", "at": 6, "speaker_id": ["s1"]},
        {"type": "speaker.called", "at": "soon", "speaker_id": "s1"},
        {"type": "timer.adjusted", "at": 6, "delta_ms": "10"},
        {"type": "queue.requested", "at": 6, "entry_id": "q1"},
        {"type": "queue.requested", "at": 6, "entry_id": "q1", "state": "s1"},
        {"type": "message.shown", "at": 6, "text": "hi", "to": "everyone"},
        {"type": "video.attached", "at": 6, "speaker_id": "s1", "url": 7},
        ["speaker.called"],
    ):
        after = evolve(state, event)
        assert replace(after, seq=state.seq) == state, event
        assert after.seq == state.seq + 1


def test_every_argument_has_a_strategy():
    """The command stream above draws every registered command: each of their args needs values."""
    missing = {
        (spec.name, arg)
        for spec in COMMANDS
        for arg in (*spec.required, *spec.optional)
        if arg not in ARG_VALUES
    }
    assert missing == set()


def real_events(state: SessionState, stream: list[Any]) -> list[Event]:
    """The events a stream of commands gives (refused ones dropped)."""
    log: list[Event] = []
    now = 10_000_000
    for (name, a), actor, gap in stream:
        now += gap
        try:
            events = decide(state, Command(name, a), actor, now)
        except Refused:
            continue
        state = fold(state, events)
        log += events
    return log
