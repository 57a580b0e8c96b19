"""The rules the screens also need (moderator/core/rules.py) say what decide() does, phase by phase."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from moderator.core import rules
from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.errors import Refused
from moderator.core.state import Floor, Format, SessionState
from moderator.core.timer import Timer
from moderator.core.view import view
from tests.support.core import MOD, Run, mission, session

STEPS = {
    "scheduled": (),
    "opening": ("session.open",),
    "statements": ("session.open", "session.statements"),
    "qa": ("session.open", "session.qa"),
    "closed": ("session.open", "session.close"),
}


def _in(phase: str, fmt: Format = "in_person") -> SessionState:
    run = Run(session(fmt=fmt, sur="DE", video=fmt != "in_person"))
    for step in STEPS[phase]:
        run.do(step)
    assert run.state.phase == phase
    return run.state


def _accepted(state: SessionState, name: str, actor: Actor, **args: Any) -> bool:
    try:
        decide(state, Command(name, args), actor, 3_000_000)
    except Refused:
        return False
    return True


@pytest.mark.parametrize("phase", sorted(STEPS))
@pytest.mark.parametrize("code", ["FR", "DE"])
def test_can_request_is_what_decide_accepts(phase: str, code: str) -> None:
    """The phone shows the request form exactly when the server would accept the request."""
    state = _in(phase)
    may = rules.abilities(state, "delegation", code)
    assert may["sur"] == (code == "DE")
    accepted = _accepted(state, "queue.request", mission(code), addressed_to=None, topic="")
    assert may["can_request"] == accepted


@pytest.mark.parametrize("phase", rules.OPEN_PHASES)
def test_a_queued_state_may_not_request_again(phase: str) -> None:
    run = Run(_in(phase))
    run.do("queue.request", mission("FR"), addressed_to=None, topic="")
    assert rules.abilities(run.state, "delegation", "FR")["can_request"] is False
    assert not _accepted(run.state, "queue.request", mission("FR"), addressed_to=None, topic="")


@pytest.mark.parametrize("phase", sorted(STEPS))
@pytest.mark.parametrize("fmt", ["in_person", "virtual"])
def test_can_call_and_can_play_are_what_decide_accepts(phase: str, fmt: Format) -> None:
    state = _in(phase, fmt)
    may = rules.abilities(state, "moderator")
    assert may["can_call"] == _accepted(state, "speaker.call", MOD, speaker_id="s1")
    assert may["can_play"] == _accepted(state, "playback.play", MOD, speaker_id="s1")


def test_the_next_video_is_the_first_waiting_speaker_with_one() -> None:
    state = _in("opening", "virtual")
    assert [s.id for s in state.speakers] == ["s1", "s2", "s3"]
    first = rules.next_video(state)
    assert first is not None and first.id == "s1"
    after = rules.next_video(state, after="s1")
    assert after is not None and after.id == "s2"
    assert rules.next_video(_in("opening")) is None  # no videos in person


def _spoken_cases() -> list[dict[str, Any]]:
    path = Path(__file__).resolve().parents[1] / "fixtures" / "spoken.json"
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return cases


@pytest.mark.parametrize("case", _spoken_cases(), ids=lambda c: c["name"])
def test_spoken_time_agrees_with_the_shared_fixture(case: dict[str, Any]) -> None:
    """The wire's `spoken_ms` plus the browser's running part is the server's spoken time
    (tests/js/arithmetic.test.mjs runs the same cases on lib/arithmetic.js)."""
    wire = case["timer"]
    timer = Timer(wire["duration_ms"], wire["elapsed_ms"], wire["running_since"])
    assert timer.wire() == wire
    base = session()
    first = base.speakers[0]
    ended = case["speaker"]["spoken_ms"] - (timer.elapsed_ms if case["holds_floor"] else 0)
    first = replace(first, spoken_ms=ended, status="speaking" if case["holds_floor"] else "done")
    floor = Floor("speaker", first.id) if case["holds_floor"] else None
    state = replace(base, speakers=(first, *base.speakers[1:]), floor=floor, timer=timer)
    assert view(state, "moderator", case["now"])["speakers"][0]["spoken_ms"] == case["speaker"]["spoken_ms"]
    assert rules.spoken_ms(state, first, case["now"]) == case["spoken_ms"]


def _rules_fixture() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "fixtures" / "rules.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_fixture_rules_are_the_page_rules() -> None:
    """tests/js/rules.test.mjs reads the browser's rules from the fixture: they are the server's."""
    assert _rules_fixture()["rules"] == rules.page_rules()


@pytest.mark.parametrize("case", _rules_fixture()["abilities"], ids=lambda c: c["name"])
def test_abilities_agree_with_the_shared_fixture(case: dict[str, Any]) -> None:
    """The state the fixture's view describes gives the same abilities on the server."""
    wanted = case["session"]
    run = Run(_in(wanted["phase"]))
    for entry in wanted["queue"]:
        run.do("queue.request", mission(entry["state"]["code"]), addressed_to=None, topic="")
    seen = view(run.state, "delegation", run.now)
    assert seen["phase"] == wanted["phase"]
    assert seen["state_under_review"]["code"] == wanted["state_under_review"]["code"]
    assert [e["state"]["code"] for e in seen["queue"]] == [e["state"]["code"] for e in wanted["queue"]]
    may = rules.abilities(run.state, "delegation", case["code"])
    assert {k: may[k] for k in case["abilities"]} == case["abilities"]


@pytest.mark.parametrize("case", _rules_fixture()["next_video"], ids=lambda c: c["name"])
def test_the_next_video_agrees_with_the_shared_fixture(case: dict[str, Any]) -> None:
    base = session(n=len(case["speakers"]))
    speakers = tuple(
        replace(s, id=c["id"], status=c["status"], video_url=f"/media/{c['id']}.mp4" if c["video"] else None)
        for s, c in zip(base.speakers, case["speakers"], strict=True)
    )
    state = replace(base, speakers=speakers)
    assert [s["video"] is not None for s in view(state, "moderator", 0)["speakers"]] == [
        c["video"] for c in case["speakers"]
    ]
    nxt = rules.next_video(state)
    assert (nxt.id if nxt else None) == case["next"]


@pytest.mark.parametrize("phase", sorted(STEPS))
@pytest.mark.parametrize("statement", [None, 300])
def test_can_call_sur_is_what_decide_accepts(phase: str, statement: int | None) -> None:
    """The console's "Opening statement" button shows exactly when sur.call would be taken."""
    state = _in(phase)
    state = replace(state, setup=replace(state.setup, sur_statement_seconds=statement))
    assert rules.abilities(state, "moderator")["can_call_sur"] == _accepted(state, "sur.call", MOD)
