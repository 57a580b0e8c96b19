"""rules.video_public: after its session closes, a speaker's video stays public only with consent."""

from dataclasses import replace

from moderator.core.rules import video_public
from moderator.core.view import view
from tests.support.core import Run, session


def test_a_non_consenting_speakers_video_leaves_the_public_views_at_the_close():
    run = Run(session(3, fmt="virtual", video=True))
    speakers = tuple(replace(s, publish=False) if s.id == "s2" else s for s in run.state.speakers)
    run.state = replace(run.state, speakers=speakers)
    run.do("session.open")

    def videos(role: str) -> list[bool]:
        return [s["video"] is not None for s in view(run.state, role, run.now)["speakers"]]

    assert videos("viewer") == videos("delegation") == [True, True, True], "the session plays them all"
    assert all(video_public(run.state, s) for s in run.state.speakers)
    run.do("session.close")
    assert videos("viewer") == videos("delegation") == [True, False, True]
    assert videos("moderator") == [True, True, True], "the moderator still sees what was attached"
    assert [video_public(run.state, s) for s in run.state.speakers] == [True, False, True]
