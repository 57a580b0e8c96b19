"""report(): what happened in a session, for the organisers (PROTOCOL §2), from its event log."""

from typing import Any

from moderator.core.report import report
from tests.support.core import SYSTEM, Run, mission, session


def rep(run: Run, now: int | None = None, **kw: Any) -> dict[str, Any]:
    return report(run.first, run.log, run.now if now is None else now, **kw)


def held() -> Run:
    """s1 spoke 42 s of 300; s2 ran 10 s over; FR asked and was answered after 95 s on the floor,
    BR withdrew, KE was removed while waiting, CU still waits."""
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(42_000).do("speaker.call", speaker_id="s2")
    run.do("timer.start")
    run.tick(310_000).do("speaker.finish")
    run.do("queue.request", mission("FR"), topic="Prisons", addressed_to="s1")
    run.tick(1_000).do("queue.request", mission("BR"))
    run.tick(1_000).do("queue.request", mission("KE"))
    run.tick(1_000).do("queue.request", mission("CU"))
    run.do("session.qa")
    run.do("queue.call", entry_id="q1")
    run.tick(95_000).do("queue.done", entry_id="q1")
    run.do("queue.withdraw", mission("BR"), entry_id="q2")
    run.do("queue.remove", entry_id="q3")
    return run


def test_spoken_and_over_times_of_each_speaker():
    run = held()
    speakers = {s["id"]: s for s in rep(run)["speakers"]}
    assert (speakers["s1"]["spoken_ms"], speakers["s1"]["over_ms"], speakers["s1"]["status"]) == (
        42_000,
        0,
        "done",
    )
    assert (speakers["s2"]["spoken_ms"], speakers["s2"]["over_ms"]) == (310_000, 10_000)
    assert (speakers["s3"]["spoken_ms"], speakers["s3"]["over_ms"], speakers["s3"]["status"]) == (
        0,
        0,
        "waiting",
    )
    assert speakers["s1"]["name"] == "Speaker 1" and speakers["s1"]["public_name"] == "A defender"


def test_a_speaker_on_the_floor_counts_up_to_now():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s3")
    run.do("timer.start")
    run.tick(20_000).do("timer.pause")
    run.tick(50_000).do("timer.start")
    s3 = rep(run, run.now + 7_000)["speakers"][2]
    assert s3["spoken_ms"] == 27_000 and s3["status"] == "speaking"


def test_outcomes_of_the_requests_in_the_order_they_were_made():
    run = held()
    questions = rep(run)["questions"]
    assert [(q["id"], q["state"]["code"], q["outcome"]) for q in questions] == [
        ("q1", "FR", "answered"),
        ("q2", "BR", "withdrawn"),
        ("q3", "KE", "removed"),
        ("q4", "CU", "waiting"),
    ]
    q1 = questions[0]
    assert q1["floor_ms"] == 95_000 and q1["topic"] == "Prisons"
    assert q1["addressed_to"] == "s1" and q1["addressed_to_name"] == "Speaker 1"  # the real name
    assert [q["floor_ms"] for q in questions[1:]] == [0, 0, 0]
    assert questions[3]["called_at"] is None


def test_a_question_on_the_floor_is_waiting_and_counts_up_to_now():
    run = held()
    run.do("queue.call", entry_id="q4")
    q4 = rep(run, run.now + 30_000)["questions"][3]
    assert q4["outcome"] == "waiting" and q4["floor_ms"] == 30_000
    run.tick(40_000).do("session.close")  # the close ends the turn: answered
    q4 = rep(run, run.now + 99_000)["questions"][3]
    assert q4["outcome"] == "answered" and q4["floor_ms"] == 40_000


def test_totals():
    run = held()
    data = rep(run)
    assert data["totals"] == {
        "statements_ms": 352_000,
        "over_ms": 10_000,
        "questions_ms": 95_000,
        "questions": 1,
        "requests": 4,
    }
    assert data["session"]["phase"] == "qa" and data["session"]["state_under_review"]["code"] == "DE"


def test_a_request_closed_without_the_floor_is_not_a_question_answered_on_the_floor():
    run = held()
    run.do("queue.done", entry_id="q4")  # never called
    data = rep(run)
    assert data["totals"]["questions"] == 1
    assert data["questions"][3]["outcome"] == "removed", "closed without the floor: no question was asked"


def speaker(data: dict[str, Any], speaker_id: str) -> dict[str, Any]:
    return next(s for s in data["speakers"] if s["id"] == speaker_id)


def test_over_time_counts_against_the_time_the_room_saw_adjustments_included():
    """300 s allotted, 30 s taken off: at 286 s the room saw "+00:16 Time is up"."""
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.adjust", delta_ms=-30_000)
    run.do("timer.start")
    run.tick(286_000).do("speaker.finish")
    s1 = speaker(rep(run), "s1")
    assert (s1["allotted_ms"], s1["allotted_seen_ms"], s1["spoken_ms"], s1["over_ms"]) == (
        300_000,
        270_000,
        286_000,
        16_000,
    )
    assert s1["turns"] == [
        {
            "called_at": 2_000_000,
            "ended_at": 2_286_000,
            "allotted_ms": 270_000,
            "spoken_ms": 286_000,
            "over_ms": 16_000,
        }
    ]


def test_time_added_keeps_a_long_speaker_within_their_time():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s2")
    run.do("timer.start")
    run.tick(290_000).do("timer.adjust", delta_ms=60_000)
    run.tick(40_000).do("speaker.finish")
    s2 = speaker(rep(run), "s2")
    assert (s2["spoken_ms"], s2["over_ms"], s2["allotted_seen_ms"]) == (330_000, 0, 360_000)


def test_pauses_do_not_count_and_a_reset_forgets_the_run_before_it():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(100_000).do("timer.pause")
    run.tick(500_000).do("timer.start")  # 500 s paused: not spoken, not over
    run.tick(250_000).do("timer.pause")
    s1 = speaker(rep(run), "s1")
    assert (s1["spoken_ms"], s1["over_ms"], s1["status"]) == (350_000, 50_000, "speaking")
    run.do("timer.reset")  # the moderator starts the speaker's time again
    run.do("timer.start")
    run.tick(10_000).do("speaker.finish")
    s1 = speaker(rep(run), "s1")
    assert (s1["spoken_ms"], s1["over_ms"], len(s1["turns"])) == (10_000, 0, 1)
    assert s1["spoken_ms"] == run.state.speaker("s1").spoken_ms, "the state's own spoken time"


def test_a_speaker_called_twice_has_two_turns_each_against_its_own_timer():
    """Called back after a question: the room saw a fresh 300 s, so 200 + 200 s is never over."""
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(200_000).do("speaker.call", speaker_id="s2")
    run.do("timer.start")
    run.tick(320_000).do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(200_000).do("speaker.finish")
    data = rep(run)
    s1, s2 = speaker(data, "s1"), speaker(data, "s2")
    assert [t["spoken_ms"] for t in s1["turns"]] == [200_000, 200_000]
    assert (s1["spoken_ms"], s1["over_ms"], s1["called_at"], s1["ended_at"]) == (
        400_000,
        0,
        2_000_000,
        2_720_000,
    )
    assert (s2["spoken_ms"], s2["over_ms"]) == (320_000, 20_000)
    assert data["totals"]["over_ms"] == 20_000


def test_a_speaker_still_on_the_floor_is_over_by_now():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s3")
    run.do("timer.start")
    s3 = speaker(rep(run, run.now + 305_500), "s3")
    assert (s3["spoken_ms"], s3["over_ms"], s3["ended_at"]) == (305_500, 5_500, None)


def test_a_skipped_speaker_has_no_turn_and_no_time():
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.skip", speaker_id="s2")
    run.do("speaker.call", speaker_id="s3")
    run.tick(5_000).do("session.close")
    data = rep(run)
    s2, s3 = speaker(data, "s2"), speaker(data, "s3")
    assert (s2["status"], s2["spoken_ms"], s2["over_ms"], s2["turns"], s2["called_at"]) == (
        "skipped",
        0,
        0,
        [],
        None,
    )
    assert s3["turns"][0]["spoken_ms"] == 0 and s3["status"] == "done", "called, timer never started"


def test_a_withdrawn_request_has_no_floor_time_and_is_not_a_question():
    run = Run(session(3))
    run.do("session.open")
    run.do("queue.request", mission("FR"), topic="Prisons")
    run.tick(3_000).do("queue.withdraw", mission("FR"), entry_id="q1")
    run.do("queue.request", mission("FR"), topic="Again")  # asks again later
    data = rep(run)
    assert [(q["state"]["code"], q["outcome"], q["floor_ms"]) for q in data["questions"]] == [
        ("FR", "withdrawn", 0),
        ("FR", "waiting", 0),
    ]
    assert data["totals"]["questions"] == 0 and data["totals"]["requests"] == 2


def test_a_video_statement_is_timed_by_the_video():
    run = Run(session(3, fmt="virtual", video=True))
    run.do("session.open")
    run.do("playback.play", speaker_id="s1")
    run.tick(201_000).do("playback.advance", SYSTEM)
    s1 = speaker(rep(run), "s1")
    assert (s1["spoken_ms"], s1["allotted_seen_ms"], s1["over_ms"], s1["status"]) == (
        201_000,
        201_000,
        0,
        "done",
    )


def test_the_session_times_planned_and_actual():
    run = held()
    run.tick(1_000).do("session.close")
    s = rep(run)["session"]
    assert (s["start"], s["planned_end"], s["planned_ms"]) == (1_000_000, 4_600_000, 3_600_000)
    assert (s["started_at"], s["closed_at"], s["held_ms"]) == (2_000_000, run.now, run.now - 2_000_000)
    assert rep(Run(session(3)))["session"]["held_ms"] == 0


def test_a_finish_undone_goes_on_with_the_same_turn_and_counts_its_overtime_once():
    """s1 at 310 s of 300 is finished by mistake, the moderator undoes it and s1 talks 5 s more."""
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(310_000).do("speaker.finish")
    run.tick(2_000).do("undo")
    run.do("timer.start")
    run.tick(5_000).do("speaker.finish")
    s1 = speaker(rep(run), "s1")
    assert len(s1["turns"]) == 1
    assert (s1["spoken_ms"], s1["over_ms"], s1["ended_at"]) == (315_000, 15_000, run.now)
    assert s1["spoken_ms"] == run.state.speaker("s1").spoken_ms, "the state's own spoken time"


def test_a_removed_speaker_leaves_the_report_and_the_others_keep_their_figures():
    """s2 is removed from the agenda before speaking: the report lists s1 and s3 only, as the room saw."""
    run = Run(session(3))
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    run.do("timer.start")
    run.tick(100_000).do("speaker.finish")
    run.do("speaker.remove", speaker_id="s2")
    run.do("speaker.call", speaker_id="s3")
    run.do("timer.start")
    run.tick(50_000).do("speaker.finish")
    data = rep(run)
    assert [(s["id"], s["spoken_ms"]) for s in data["speakers"]] == [("s1", 100_000), ("s3", 50_000)]
    assert data["totals"]["statements_ms"] == 150_000
