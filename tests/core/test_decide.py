"""The rules of the meeting, as decide() enforces them (PROTOCOL §3.3)."""

from typing import Any

import pytest

from moderator.core.errors import Refused
from tests.support.core import MOD, SYSTEM, VIEWER, Run, mission, session


def refused(run: Run, code: str, name: str, actor=MOD, **args) -> None:
    before = run.state
    with pytest.raises(Refused) as e:
        run.do(name, actor, **args)
    assert e.value.code == code, e.value.english()
    assert run.state is before


def opened(n: int = 3, **kw) -> Run:
    run = Run(session(n, **kw))
    run.do("session.open")
    return run


def test_phases_move_forward_only():
    """open from scheduled, statements from opening, qa from opening or statements, close from any."""
    run = Run(session())
    refused(run, "conflict", "session.statements")
    refused(run, "conflict", "session.qa")
    run.do("session.open")
    refused(run, "conflict", "session.open")
    run.do("session.statements")
    run.do("session.qa")
    refused(run, "conflict", "session.statements")
    run.do("session.close")
    assert run.state.phase == "closed" and run.state.closed_at == run.now


def test_roles_are_checked_before_args_and_rules():
    """A mission or a viewer gets forbidden for a moderator command, whatever the args."""
    run = Run(session())
    refused(run, "forbidden", "timer.adjust", mission("FR"), delta_ms="x")
    refused(run, "forbidden", "session.open", VIEWER)
    refused(run, "forbidden", "queue.request", VIEWER)
    refused(run, "forbidden", "queue.request", MOD)
    refused(run, "forbidden", "playback.advance", MOD)


def test_args_are_checked_before_rules():
    """Bad args are invalid even where the rule would also refuse."""
    run = Run(session())
    refused(run, "invalid", "timer.adjust", delta_ms="x")
    refused(run, "invalid", "timer.adjust", delta_ms=True)
    refused(run, "invalid", "speaker.call")
    refused(run, "invalid", "speaker.call", speaker_id="s1", extra=1)
    refused(run, "invalid", "message.show", text="x" * 201, to="speaker")
    refused(run, "invalid", "message.show", text="hi", to="everyone")
    refused(run, "invalid", "message.show", text="\u202eevil", to="room")


def test_calling_a_speaker_loads_the_timer_and_calling_the_next_finishes_the_first():
    """speaker.call gives the floor with the allotted time, idle; the next call ends the previous turn."""
    run = opened()
    run.do("speaker.call", speaker_id="s1")
    assert run.state.floor.id == "s1" and run.state.timer.status == "idle"
    assert run.state.timer.duration_ms == 300_000
    run.do("timer.start")
    run.tick(42_000).do("speaker.call", speaker_id="s2")
    s1 = run.state.speaker("s1")
    assert s1.status == "done" and s1.spoken_ms == 42_000
    assert run.state.floor.id == "s2"
    refused(run, "conflict", "speaker.call", speaker_id="s2")
    refused(run, "not_found", "speaker.call", speaker_id="nobody")


def test_timer_rules():
    """Timer commands need a floor holder; start/pause only from the other state; duration >= 0."""
    run = opened()
    refused(run, "conflict", "timer.start")
    run.do("speaker.call", speaker_id="s1")
    refused(run, "conflict", "timer.pause")
    run.do("timer.start")
    refused(run, "conflict", "timer.start")
    run.tick(10_000).do("timer.pause")
    refused(run, "conflict", "timer.pause")
    refused(run, "invalid", "timer.adjust", delta_ms=-301_000)
    run.do("timer.adjust", delta_ms=60_000)
    assert run.state.timer.remaining(run.now) == 350_000
    run.do("timer.reset")
    assert run.state.timer.status == "idle" and run.state.timer.remaining(run.now) == 360_000


def test_spoken_time_adds_up_over_several_calls():
    """spoken_ms is the total the timer ran for that speaker, over every call."""
    run = opened()
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(30_000).do("timer.pause")
    run.tick(99_000).do("timer.start")
    run.tick(10_000).do("speaker.finish")
    assert run.state.speaker("s1").spoken_ms == 40_000
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(5_000).do("speaker.finish")
    assert run.state.speaker("s1").spoken_ms == 45_000
    refused(run, "conflict", "speaker.finish")


def test_skip():
    """Only a waiting speaker can be skipped."""
    run = opened()
    run.do("speaker.skip", speaker_id="s3")
    assert run.state.speaker("s3").status == "skipped"
    refused(run, "conflict", "speaker.skip", speaker_id="s3")
    run.do("speaker.call", speaker_id="s1")
    refused(run, "conflict", "speaker.skip", speaker_id="s1")


def test_the_state_under_review_cannot_ask_and_others_queue_once():
    """sur_cannot_ask for the SuR (even before the phase check), already_queued for a second entry."""
    run = Run(session(sur="DE"))
    refused(run, "sur_cannot_ask", "queue.request", mission("DE"))
    refused(run, "conflict", "queue.request", mission("FR"))
    run.do("session.open")
    run.do("queue.request", mission("FR"), topic="Migrants")
    refused(run, "already_queued", "queue.request", mission("FR"))
    refused(run, "not_found", "queue.request", mission("BR"), addressed_to="nobody")
    run.do("queue.request", mission("BR"), addressed_to="s2")
    assert [e.state for e in run.state.queue] == ["FR", "BR"]


def test_a_mission_withdraws_only_its_own_entry_and_can_queue_again():
    """Withdraw own entry: ok; another's: forbidden; unknown: not_found."""
    run = opened()
    run.do("queue.request", mission("FR"))
    run.do("queue.request", mission("BR"))
    refused(run, "forbidden", "queue.withdraw", mission("BR"), entry_id="q1")
    refused(run, "not_found", "queue.withdraw", mission("BR"), entry_id="q9")
    run.do("queue.withdraw", mission("FR"), entry_id="q1")
    assert [e.state for e in run.state.queue] == ["BR"]
    run.do("queue.request", mission("FR"))
    assert [e.id for e in run.state.queue] == ["q2", "q3"]


def test_questions_are_called_in_qa_only_and_end_the_previous_turn():
    """queue.call works in qa; it finishes a speaker on the floor; done records the floor time."""
    run = opened()
    run.do("queue.request", mission("FR"))
    run.do("queue.request", mission("BR"))
    refused(run, "conflict", "queue.call", entry_id="q1")
    run.do("session.qa")
    run.do("speaker.call", speaker_id="s2")
    run.do("timer.start")
    run.tick(20_000).do("queue.call", entry_id="q1")
    assert run.state.speaker("s2").spoken_ms == 20_000
    assert run.state.floor.kind == "question" and run.state.timer.duration_ms == 120_000
    refused(run, "conflict", "queue.call", entry_id="q1")
    refused(run, "conflict", "queue.withdraw", mission("FR"), entry_id="q1")
    run.tick(95_000).do("queue.call", entry_id="q2")
    q1 = run.state.entry("q1")
    assert q1.status == "answered" and q1.floor_ms == 95_000
    run.tick(10_000).do("queue.remove", entry_id="q2")
    assert run.state.queue == () and run.state.floor is None


def test_queue_move():
    """An entry moves to a 0-based position; out of range is invalid."""
    run = opened()
    for code in ("FR", "BR", "KE"):
        run.do("queue.request", mission(code))
    run.do("queue.move", entry_id="q3", position=0)
    assert [e.state for e in run.state.queue] == ["KE", "FR", "BR"]
    refused(run, "invalid", "queue.move", entry_id="q3", position=3)


def test_messages():
    """A message is shown and cleared; clearing nothing is a conflict."""
    run = opened()
    run.do("message.show", text="  Please conclude ", to="speaker")
    assert run.state.message.text == "Please conclude"
    run.do("message.clear")
    refused(run, "conflict", "message.clear")


def test_a_closed_session_refuses_everything():
    """In closed, every command is conflict, before any other rule."""
    run = opened()
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(1_000).do("session.close")
    assert run.state.speaker("s1").spoken_ms == 1_000
    refused(run, "conflict", "queue.request", mission("FR"))
    refused(run, "conflict", "session.close")
    refused(run, "conflict", "speaker.call", speaker_id="nobody")


def test_playback_in_person_is_a_conflict():
    """playback.* in an in_person session is conflict."""
    run = opened()
    refused(run, "conflict", "playback.play", speaker_id="s1")
    refused(run, "conflict", "playback.pause")


def test_a_video_puts_its_speaker_on_the_floor_with_the_countdown_following_it():
    """playback.play: speaker speaking, timer running for the video's length, playback playing from 0."""
    run = opened(fmt="virtual", video=True)
    run.do("playback.play", speaker_id="s1")
    st = run.state
    assert st.floor.id == "s1" and st.timer.status == "running" and st.timer.duration_ms == 201_000
    assert st.playback.status == "playing" and st.playback.position(run.now + 5_000) == 5_000
    refused(run, "conflict", "timer.pause")
    run.tick(10_000).do("playback.pause")
    assert run.state.timer.remaining(run.now + 50_000) == 191_000
    run.tick(3_000).do("playback.seek", position_ms=100_000)
    assert run.state.timer.remaining(run.now) == 101_000
    refused(run, "invalid", "playback.seek", position_ms=999_999)
    run.do("playback.play")
    assert run.state.playback.status == "playing" and run.state.playback.position(run.now + 1_000) == 101_000


def test_videos_advance_by_themselves_at_their_end_and_stop_after_the_last():
    """playback.advance (the server's own) finishes the video's speaker at its end and starts the next."""
    run = opened(n=2, fmt="virtual", video=True)
    start = run.now
    run.do("playback.play", speaker_id="s1")
    refused(run, "conflict", "playback.advance", SYSTEM)
    end = start + 201_000
    run.do("playback.advance", SYSTEM, at=end + 7_000)
    assert run.state.speaker("s1").spoken_ms == 201_000
    assert run.state.playback.speaker_id == "s2" and run.state.playback.anchor == end
    run.do("playback.advance", SYSTEM, at=end + 202_000)
    assert run.state.playback is None and run.state.floor is None
    assert [s.status for s in run.state.speakers] == ["done", "done"]


def test_skip_and_stop_the_sequence():
    """playback.skip moves to the next video; playback.stop ends the turn."""
    run = opened(n=3, fmt="hybrid", video=True)
    run.do("playback.play", speaker_id="s1")
    run.tick(1_000).do("playback.skip")
    assert run.state.playback.speaker_id == "s2"
    run.do("playback.stop")
    assert run.state.playback is None and run.state.speaker("s2").status == "done"


def test_only_the_moderator_reports_an_unknown_video_length_once():
    """video.duration fills in a length the server could not read, from the moderator only, and only then."""
    run = opened(n=2, fmt="virtual")
    run.do("video.attach", SYSTEM, speaker_id="s1", url="/media/s1.webm")
    run.do("playback.play", speaker_id="s1")
    assert run.state.playback.ends_at() is None
    refused(run, "forbidden", "video.duration", VIEWER, speaker_id="s1", duration_ms=1_000)
    refused(run, "forbidden", "video.duration", mission("FR"), speaker_id="s1", duration_ms=14_400_000)
    refused(run, "invalid", "video.duration", speaker_id="s1", duration_ms=1)  # 1 ms would end it at once
    refused(run, "invalid", "video.duration", speaker_id="s1", duration_ms=14_400_001)
    refused(run, "conflict", "video.duration", speaker_id="s2", duration_ms=90_000)  # no video
    run.do("video.duration", speaker_id="s1", duration_ms=90_000)
    assert run.state.playback.ends_at() == run.now + 90_000
    refused(run, "conflict", "video.duration", speaker_id="s1", duration_ms=1_000)
    run.do("video.attach", SYSTEM, speaker_id="s2", url="/media/s2.mp4", duration_ms=30_000)
    refused(run, "conflict", "video.duration", speaker_id="s2", duration_ms=60_000)  # read from the file


def phase_refusal(run: Run, name: str, **args) -> Refused:
    with pytest.raises(Refused) as e:
        run.do(name, **args)
    assert e.value.code == "conflict"
    return e.value


def test_a_refusal_for_the_phase_says_it_in_words_one_sentence_a_phase():
    """Not the phase's code ('scheduled'): a sentence a person understands, for each phase."""
    run = Run(session())
    said = {"scheduled": phase_refusal(run, "speaker.call", speaker_id="s1").english()}
    run.do("session.open")
    said["opening"] = phase_refusal(run, "session.open").english()
    run.do("session.statements")
    said["statements"] = phase_refusal(run, "session.statements").english()
    run.do("session.qa")
    said["qa"] = phase_refusal(run, "session.statements").english()
    assert said == {
        "scheduled": "The session has not been opened yet.",
        "opening": "Not possible during the opening of the session.",
        "statements": "Not possible during the statements.",
        "qa": "Not possible during the questions.",
    }


def test_calling_the_first_speaker_in_the_opening_starts_the_statements():
    """The phase moves on by itself: the room's screens no longer say 'Opening' through the statements."""
    run = opened()
    events = run.do("speaker.call", speaker_id="s1")
    assert [e["type"] for e in events] == ["session.statements_began", "speaker.called"]
    assert run.state.phase == "statements" and run.state.floor.id == "s1"
    assert [e["type"] for e in run.do("speaker.call", speaker_id="s2")] == [
        "speaker.finished",
        "speaker.called",
    ]
    run.do("session.qa")
    run.do("speaker.call", speaker_id="s3")  # a panelist answering a question: still the questions
    assert run.state.phase == "qa"  # type: ignore[comparison-overlap]  # run.do changed run.state


def test_playing_the_first_video_in_the_opening_starts_the_statements():
    run = opened(fmt="virtual", video=True)
    events = run.do("playback.play", speaker_id="s1")
    assert [e["type"] for e in events] == ["session.statements_began", "playback.started"]
    assert run.state.phase == "statements" and run.state.playback.speaker_id == "s1"


def test_a_message_to_the_speaker_goes_when_the_floor_changes():
    """ "Please conclude" must not stay up above the next speaker or a question from France."""
    run = opened(n=3)
    run.do("speaker.call", speaker_id="s1")
    run.do("message.show", text="Please conclude", to="speaker")
    assert run.state.message.pinned is False
    events = run.tick(1_000).do("speaker.call", speaker_id="s2")
    assert [e["type"] for e in events] == ["speaker.finished", "speaker.called", "message.cleared"]
    assert events[-1]["at"] == run.now and run.state.message is None

    changes: list[tuple[str, dict[str, Any]]] = [
        ("speaker.finish", {}),
        ("speaker.call", {"speaker_id": "s3"}),
    ]
    for change, args in changes:
        run.do("message.show", text="Please conclude", to="speaker")
        run.do(change, **args)
        assert run.state.message is None, change

    run.do("session.qa")
    run.do("queue.request", mission("FR"))
    run.do("queue.request", mission("KE"))
    run.do("message.show", text="One minute", to="speaker")
    run.do("queue.call", entry_id="q1")  # a question from France: the floor changes
    assert run.state.message is None
    run.do("message.show", text="One minute", to="speaker")
    run.do("queue.remove", entry_id="q2")  # a waiting request leaves: the floor stays with France
    assert run.state.message.text == "One minute"  # type: ignore[attr-defined]  # run.do changed it
    run.do("queue.done", entry_id="q1")
    assert run.state.message is None


def test_a_pinned_message_and_a_message_to_the_room_stay_when_the_floor_changes():
    run = opened(n=2)
    run.do("speaker.call", speaker_id="s1")
    run.do("message.show", text="Speak slowly for the interpreters", to="speaker", pinned=True)
    run.do("speaker.call", speaker_id="s2")
    assert run.state.message.text == "Speak slowly for the interpreters" and run.state.message.pinned
    run.do("message.show", text="Coffee at 11:00", to="room")
    run.do("speaker.finish")
    assert run.state.message.text == "Coffee at 11:00"
    refused(run, "invalid", "message.show", text="x", to="speaker", pinned="yes")
    refused(run, "invalid", "message.show", text="x", to="speaker", pinned=1)


def test_a_message_to_the_speaker_goes_when_the_next_video_starts_by_itself():
    run = opened(n=2, fmt="virtual", video=True)
    start = run.now
    run.do("playback.play", speaker_id="s1")
    run.do("message.show", text="Sound is low", to="speaker")
    events = run.do("playback.advance", SYSTEM, at=start + 201_000)
    assert events[-1] == {"type": "message.cleared", "at": start + 201_000}
    assert run.state.message is None and run.state.playback.speaker_id == "s2"
    run.do("message.show", text="Sound is low", to="speaker")
    run.do("playback.play", speaker_id="s2")  # the same speaker's video again: same floor
    assert run.state.message is not None


def test_the_wire_spoken_time_counts_the_ended_runs_of_the_current_turn():
    """On the wire, spoken_ms of the speaker on the floor counts every run already ended, this turn's
    included; screens add only the running part (PROTOCOL §3.2)."""
    from moderator.core.view import view

    def spoken() -> int:
        wire = view(run.state, "moderator", run.now)
        return next(s["spoken_ms"] for s in wire["speakers"] if s["id"] == "s1")

    run = opened()
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(4_000).do("timer.pause")
    assert spoken() == 4_000
    run.tick(9_000).do("timer.start")
    run.tick(2_000)
    assert spoken() == 4_000  # the running part is the screens' to add
    run.do("timer.pause")
    assert spoken() == 6_000
    run.do("speaker.finish")
    assert spoken() == 6_000
