"""The session's own times from the agenda: the warning (`warning_seconds`) on every timer of the
view, and a panelist's answer in the Q&A (`answer_seconds`) instead of their statement time."""

from __future__ import annotations

from dataclasses import replace

from moderator.core.state import initial
from moderator.core.view import view
from tests.support.core import Run, session


def with_times(warning: int, answer: int) -> Run:
    base = session(3)
    return Run(initial(replace(base.setup, warning_seconds=warning, answer_seconds=answer)))


def test_the_warning_is_the_sessions_own():
    run = with_times(45, 90)
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    v = view(run.state, "viewer", run.now)
    assert v["timer"]["warning_ms"] == 45_000 and v["warning_seconds"] == 45
    assert view(Run(session(3)).state, "viewer", 0)["timer"]["warning_ms"] == 60_000


def test_a_panelist_answering_in_the_qa_gets_the_answer_time():
    run = with_times(60, 90)
    run.do("session.open")
    run.do("speaker.call", speaker_id="s1")
    assert run.state.timer.duration_ms == 300_000
    run.do("speaker.finish")
    run.do("session.qa")
    run.do("speaker.call", speaker_id="s1")  # answers a question: has made their statement
    assert run.state.timer.duration_ms == 90_000
    assert view(run.state, "viewer", run.now)["answer_seconds"] == 90
    run.do("speaker.call", speaker_id="s2")  # never spoke: still their statement time
    assert run.state.timer.duration_ms == 300_000
