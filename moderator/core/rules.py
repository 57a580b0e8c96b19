"""The rules the screens also need, in one place: open phases, text limits, who may do what now.

The server decides with them (`decide`) and gives them to the browser (the page config's
`rules`), so no screen re-types a phase list, a limit or the State under Review's exception.
"""

from __future__ import annotations

from typing import Any

from moderator.core.commands import MESSAGE_MAX, TOPIC_MAX, Role
from moderator.core.state import Entry, Floor, Phase, SessionState, Speaker

__all__ = [
    "MESSAGE_MAX",
    "OPEN_PHASES",
    "SUR_STATEMENT_PHASES",
    "SUR_MAY_REQUEST",
    "TOPIC_MAX",
    "UNDO_MS",
    "abilities",
    "is_state_under_review",
    "next_video",
    "page_rules",
    "removable",
    "spoken_ms",
    "statement_spoken_ms",
    "video_public",
]

# The phases in which speakers take the floor, videos play and States may ask to speak.
OPEN_PHASES: tuple[Phase, ...] = ("opening", "statements", "qa")

# How long Finish, Done, Remove and Skip can be undone (and only until the floor changes).
UNDO_MS = 30_000

# The State under Review takes part in its own Pre-session but may not ask questions.
SUR_MAY_REQUEST = False

# The phases in which the State under Review may be given the floor for its opening statement:
# before the questions (it opens the session; a late arrival may still take it during the statements).
SUR_STATEMENT_PHASES: tuple[Phase, ...] = ("opening", "statements")


def is_state_under_review(state: SessionState, state_code: str | None) -> bool:
    """Whether `state_code` is the State whose Pre-session `state` is."""
    return bool(state_code) and state_code == state.setup.state_under_review


def spoken_ms(state: SessionState, speaker: Speaker, at: int) -> int:
    """The speaker's spoken time at `at`: their ended turns, plus the timer's run if they hold the floor.

    The browser adds the same running part to the wire's `spoken_ms` (lib/arithmetic.js `spokenMs`;
    both pinned by tests/fixtures/spoken.json)."""
    if state.floor == Floor("speaker", speaker.id):
        return speaker.spoken_ms + state.timer.ran(at)
    return speaker.spoken_ms


def statement_spoken_ms(state: SessionState, at: int) -> int:
    """The State under Review's opening statement so far, as `spoken_ms` counts a speaker's."""
    if state.floor is not None and state.floor.kind == "sur":
        return state.statement.spoken_ms + state.timer.ran(at)
    return state.statement.spoken_ms


def removable(speaker: Speaker) -> bool:
    """Whether a speaker may leave the agenda without rewriting what happened: one who has not
    spoken and does not hold the floor (`waiting` or `skipped`, `spoken_ms` 0)."""
    return speaker.status in ("waiting", "skipped") and speaker.spoken_ms == 0


def video_public(state: SessionState, speaker: Speaker) -> bool:
    """Whether a speaker's recorded video may be shown to anyone but the moderator: while the
    session runs, every video plays for the room and online; once it is closed, only the videos
    of speakers who consented to publication (`publish`) stay public."""
    return state.phase != "closed" or speaker.publish


def next_speaker(state: SessionState) -> Speaker | None:
    """The first speaker still waiting, in agenda order: whom the console's N calls (or whose video
    it plays), and the first speaker a screen announces between sessions."""
    return next((s for s in state.speakers if s.status == "waiting"), None)


def next_question(state: SessionState) -> Entry | None:
    """The first State waiting in the queue: whom the console's Q calls and Del removes, and the
    mission whose phone is told it is next in the questions and answers."""
    return next((e for e in state.queue if e.status == "waiting"), None)


def next_video(state: SessionState, after: str | None = None) -> Speaker | None:
    """The first speaker still waiting whose video is ready, in agenda order (not `after`)."""
    return next(
        (s for s in state.speakers if s.id != after and s.status == "waiting" and s.video_url is not None),
        None,
    )


def abilities(state: SessionState, role: Role, state_code: str | None = None) -> dict[str, bool]:
    """What `role` (a mission: with its `state_code`) may do in `state` now, as the screens show it."""
    open_now = state.phase in OPEN_PHASES
    sur = role == "delegation" and is_state_under_review(state, state_code)
    queued = role == "delegation" and state_code is not None and state.entry_of(state_code) is not None
    return {
        "open": open_now,
        "sur": sur,
        "can_request": role == "delegation" and open_now and (SUR_MAY_REQUEST or not sur) and not queued,
        "can_call": role == "moderator" and open_now,
        "can_play": role == "moderator" and open_now and state.setup.format != "in_person",
        "can_call_sur": role == "moderator"
        and state.phase in SUR_STATEMENT_PHASES
        and state.setup.sur_statement_seconds is not None,
    }


def page_rules() -> dict[str, Any]:
    """The rules as the page config gives them to the browser (`config.rules`)."""
    return {
        "open_phases": list(OPEN_PHASES),
        "topic_max": TOPIC_MAX,
        "message_max": MESSAGE_MAX,
        "sur_may_request": SUR_MAY_REQUEST,
        "sur_statement_phases": list(SUR_STATEMENT_PHASES),
    }
