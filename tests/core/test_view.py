"""view(): what each role sees of a session (PROTOCOL §3.2)."""

from dataclasses import replace

import pytest

from moderator.core.state import SessionState
from moderator.core.view import projected_end, public_name, view
from tests.support.core import Run, mission, session

ROLES = ("moderator", "delegation", "viewer")


def named_session() -> SessionState:
    """s1 has a public name, s2 is not to be published, s3 is published under its own name."""
    state = session(3, fmt="virtual", video=True)
    s1, s2, s3 = state.speakers
    speakers = (s1, replace(s2, publish=False), s3)
    return replace(state, speakers=speakers, setup=replace(state.setup, speakers=speakers))


def test_the_moderator_sees_real_names_and_others_the_public_ones():
    state = named_session()
    mod = {s["id"]: s for s in view(state, "moderator", 0)["speakers"]}
    assert [mod[i]["name"] for i in ("s1", "s2", "s3")] == ["Speaker 1", "Speaker 2", "Speaker 3"]
    assert mod["s1"]["public_name"] == "A defender" and mod["s2"]["publish"] is False
    assert mod["s2"]["organisation"] == "Org 2"
    for role in ("delegation", "viewer"):
        seen = {s["id"]: s for s in view(state, role, 0)["speakers"]}
        assert [seen[i]["name"] for i in ("s1", "s2", "s3")] == ["A defender", "", "Speaker 3"]
        assert seen["s2"]["organisation"] == "" and seen["s3"]["organisation"] == "Org 3"
        assert all("public_name" not in s and "publish" not in s for s in seen.values())
    assert [public_name(s) for s in state.speakers] == ["A defender", "", "Speaker 3"]


def queued() -> Run:
    run = Run(session(3))
    run.do("session.open")
    run.do("queue.request", mission("FR"), topic="Prisons", addressed_to="s2")
    run.do("queue.request", mission("BR"), topic="Water")
    return run


def test_topics_go_to_the_moderator_only():
    run = queued()
    assert [e["topic"] for e in view(run.state, "moderator", run.now)["queue"]] == ["Prisons", "Water"]
    for role in ("delegation", "viewer"):
        queue = view(run.state, role, run.now)["queue"]
        assert [e["state"] for e in queue] == [
            {"code": "FR", "name": "France"},
            {"code": "BR", "name": "Brazil"},
        ]
        assert all("topic" not in e for e in queue)
        assert queue[0]["addressed_to"] == "s2" and queue[0]["status"] == "waiting"


def test_states_asked_counts_every_state_that_asked_even_after_it_left_the_queue():
    run = queued()
    assert view(run.state, "viewer", run.now)["states_asked"] == 2
    run.do("queue.withdraw", mission("FR"), entry_id="q1")
    run.do("queue.request", mission("FR"))  # asks again: still one State
    run.do("session.qa")
    run.do("queue.call", entry_id="q2")
    run.do("queue.done", entry_id="q2")
    v = view(run.state, "viewer", run.now)
    assert v["states_asked"] == 2
    assert [e["id"] for e in v["queue"]] == ["q3"]


def test_spoken_ms_on_the_floor_counts_ended_runs_and_screens_add_the_running_part():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(30_000).do("timer.pause")
    run.tick(5_000).do("timer.start")
    run.tick(12_000)
    for role in ROLES:
        v = view(run.state, role, run.now)
        s1 = next(s for s in v["speakers"] if s["id"] == "s1")
        assert s1["spoken_ms"] == 30_000 and s1["status"] == "speaking"
        assert v["timer"]["elapsed_ms"] == 30_000 and v["timer"]["running_since"] == run.now - 12_000
        assert v["floor"] == {"kind": "speaker", "id": "s1"}
    run.do("speaker.finish")
    s1 = next(s for s in view(run.state, "viewer", run.now)["speakers"] if s["id"] == "s1")
    assert s1["spoken_ms"] == 42_000 and s1["status"] == "done"


def test_a_pinned_message_shows_as_pinned_to_every_role():
    run = Run(session(3))
    run.do("session.open")
    run.do("message.show", text="One minute", to="speaker", pinned=True)
    for role in ROLES:
        assert view(run.state, role, run.now)["message"] == {
            "text": "One minute",
            "to": "speaker",
            "pinned": True,
            "preset": None,
        }
    run.do("message.clear")
    assert view(run.state, "viewer", run.now)["message"] is None


def test_playback_is_where_the_video_was_at_its_anchor():
    run = Run(session(3, fmt="virtual", video=True))
    run.do("session.open")
    assert view(run.state, "viewer", run.now)["playback"] is None
    run.do("playback.play", speaker_id="s2")
    started = run.now
    run.tick(20_000).do("playback.pause")
    expected = {"status": "paused", "speaker_id": "s2", "position_ms": 20_000, "anchor": started + 20_000,
                "duration_ms": 202_000}  # fmt: skip
    for role in ROLES:
        v = view(run.state, role, run.now + 99_000)
        assert v["playback"] == expected
        s2 = next(s for s in v["speakers"] if s["id"] == "s2")
        assert s2["video"] == {"url": "/media/v2.mp4", "duration_ms": 202_000}


def test_projected_end_is_the_only_field_that_depends_on_now():
    run = queued()
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    a, b = view(run.state, "moderator", run.now), view(run.state, "moderator", run.now + 7_000)
    assert {k for k in a if a[k] != b[k]} == set()  # the timer has run: rest shrinks as now grows
    run.do("timer.pause")
    a, b = view(run.state, "moderator", run.now), view(run.state, "moderator", run.now + 7_000)
    assert {k for k in a if a[k] != b[k]} == {"projected_end"} and b["projected_end"] == a[
        "projected_end"
    ] + 7_000


def test_projected_end_adds_the_floor_rest_waiting_speakers_and_waiting_questions():
    state = session(3)
    assert projected_end(state, 5) is None
    run = queued()  # two waiting requests of 120 s
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(100_000)
    # s1: 200 s left; s2, s3: 300 s each; two questions: 240 s
    assert projected_end(run.state, run.now) == run.now + 200_000 + 600_000 + 240_000
    run.do("session.close")
    assert projected_end(run.state, run.now + 5) == run.state.closed_at


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_same_fields_but_the_moderators_extras(role):
    run = queued()
    v = view(run.state, role, run.now)
    assert set(v) == set(view(run.state, "moderator", run.now))
    extras = {"public_name", "publish"} if role == "moderator" else set()
    assert set(v["speakers"][0]) == {"id", "name", "organisation", "kind", "theme", "language", "allotted_ms",
                                     "status", "spoken_ms", "video"} | extras  # fmt: skip


def test_next_names_the_first_waiting_speaker_and_request_for_every_role():
    """`next` is what the console's N and Q act on, the speaker screen's "Next:" and the phone's
    "Your State is next": the screens read it, they do not work it out."""
    run = Run(session(3))
    run.do("session.open")
    assert view(run.state, "viewer", run.now)["next"] == {"speaker": "s1", "question": None}
    run.do("speaker.skip", speaker_id="s1")
    run.do("speaker.call", speaker_id="s2")
    run.do("queue.request", mission("FR"))
    run.do("queue.request", mission("BR"))
    run.do("session.qa")
    run.do("queue.call", entry_id="q1")
    for role in ("moderator", "viewer", "delegation"):
        assert view(run.state, role, run.now)["next"] == {"speaker": "s3", "question": "q2"}
    run.do("queue.done", entry_id="q1")
    run.do("queue.withdraw", mission("BR"), entry_id="q2")
    assert view(run.state, "viewer", run.now)["next"]["question"] is None
