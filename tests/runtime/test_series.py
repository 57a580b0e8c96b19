"""A PUT of a series (runtime/series.py) against other writers: all or nothing across sessions, and
decided again on the fresh state when another process appended first (SequenceConflict)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.runtime.engine import Engine
from moderator.runtime.series import amend
from moderator.store.protocol import CreatedSeries, SeriesAmendment
from moderator.store.sqlite import SQLiteStore
from tests.support.agenda import agenda

MOD = Actor("moderator")
T = 1_900_000_000_000


class Process:
    def __init__(self, store: SQLiteStore, engine: Engine) -> None:
        self.store, self.engine = store, engine

    async def do(self, sid: str, name: str, **args: Any) -> int:
        return await self.engine.execute(sid, Command(name, args), MOD)


async def process(db: Path) -> Process:
    store = await SQLiteStore.open(db)
    engine = Engine(store, clock=lambda: T)
    await engine.load()
    return Process(store, engine)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Process, Process, CreatedSeries]]:
    db = tmp_path / "m.sqlite3"
    setup = await SQLiteStore.open(db)
    created = await setup.create_series(parse_agenda(agenda()))
    await setup.close()
    ours, theirs = await process(db), await process(db)
    try:
        yield ours, theirs, created
    finally:
        for p in (ours, theirs):
            p.engine.close()
            await p.store.close()


def without_first_speaker() -> dict[str, Any]:
    doc = agenda(title="Changed")
    del doc["sessions"][0]["speakers"][0]
    return doc


async def test_a_put_decided_on_a_stale_state_is_decided_again_and_refused_as_it_now_stands(two):
    """The other process gave the first speaker the floor; ours did not know it. The PUT removing
    that speaker is decided again on the fresh state and refused: nothing of it is stored."""
    ours, theirs, created = two
    sid = created.sessions[0]["id"]
    await theirs.do(sid, "session.open")
    await theirs.do(sid, "speaker.call", speaker_id=created.sessions[0]["speakers"][0]["id"])
    assert ours.engine.state(sid).seq == 0, "SQLite tells no other connection"
    outcome = await amend(
        ours.engine, ours.store, created.series_id, parse_agenda(without_first_speaker()), None
    )
    assert not outcome.stored
    assert [(c.where, c.refused.code) for c in outcome.diff.conflicts] == [
        ("sessions[0].speakers[0]", "conflict")
    ]
    assert ours.engine.state(sid).seq == 3, "it read the other's events"
    assert [e["type"] for e in await ours.store.events(sid)] == [
        "session.opened",
        "session.statements_began",
        "speaker.called",
    ]
    assert (await ours.store.series(created.series_id))[0].title == "Test series", "all or nothing"


async def test_a_put_that_lost_a_race_is_stored_after_the_others_events(two, monkeypatch):
    ours, theirs, created = two
    sid = created.sessions[0]["id"]
    real = ours.store.amend_series
    calls = 0

    async def beaten_once(series_id: str, amendment: SeriesAmendment) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        if calls == 1:
            await theirs.do(sid, "message.show", text="Slipped in", to="room")
        return await real(series_id, amendment)

    monkeypatch.setattr(ours.store, "amend_series", beaten_once)
    outcome = await amend(
        ours.engine, ours.store, created.series_id, parse_agenda(without_first_speaker()), None
    )
    assert outcome.stored and calls == 2
    assert [e["type"] for e in await ours.store.events(sid)] == ["message.shown", "speaker.removed"]
    state = ours.engine.state(sid)
    assert state.seq == 2 and state.message is not None and len(state.speakers) == 5
    assert state.setup.series_title == "Changed"


async def test_a_conflict_in_one_session_stores_nothing_in_the_others(two):
    ours, _, created = two
    first, second = (s["id"] for s in created.sessions)
    await ours.do(second, "session.open")
    doc = without_first_speaker()
    doc["sessions"][1]["state_under_review"] = "FR"
    outcome = await amend(ours.engine, ours.store, created.series_id, parse_agenda(doc), None)
    assert not outcome.stored and [c.where for c in outcome.diff.conflicts] == [
        "sessions[1].state_under_review"
    ]
    assert await ours.store.events(first) == [] and len(ours.engine.state(first).speakers) == 6
    doc["sessions"][1]["state_under_review"] = "SE"
    outcome = await amend(ours.engine, ours.store, created.series_id, parse_agenda(doc), None, dry_run=True)
    assert not outcome.stored and outcome.diff.conflicts == [] and await ours.store.events(first) == []
    outcome = await amend(ours.engine, ours.store, created.series_id, parse_agenda(doc), None)
    assert outcome.stored and len(ours.engine.state(first).speakers) == 5


async def test_after_a_put_a_restart_folds_the_same_series(two, tmp_path):
    """The setup tables keep each session as created and its log the changes: a new engine on the
    same file (a restart) rebuilds exactly the states the PUT left, new sessions included."""
    ours, _, created = two
    first = created.sessions[0]["id"]
    await ours.do(first, "session.open")
    doc = agenda(title="After the PUT", venue="Online")
    speakers = doc["sessions"][0]["speakers"]
    speakers.insert(0, speakers.pop())
    speakers[2] = {"key": "n", "name": "New", "kind": "nhri", "language": "es", "seconds": 600}
    doc["sessions"][0]["start"] = "2030-12-10T10:15:00+01:00"
    doc["sessions"][1]["format"] = "virtual"
    doc["sessions"].append(
        {
            "key": "KE",
            "state_under_review": "KE",
            "start": "2030-12-11T10:00:00+01:00",
            "speakers": [{"key": "k", "name": "Kamau", "kind": "cso", "language": "en"}],
        }
    )
    outcome = await amend(ours.engine, ours.store, created.series_id, parse_agenda(doc), None)
    assert outcome.stored, outcome.diff.conflicts
    ids = await ours.store.series_sessions(created.series_id)
    before = {sid: ours.engine.state(sid) for sid in ids}
    again = await process(tmp_path / "m.sqlite3")
    try:
        after = {sid: again.engine.state(sid) for sid in ids}
    finally:
        again.engine.close()
        await again.store.close()
    assert after == before
    assert [s.key for s in after[first].speakers] == ["a6", "a1", "n", "a3", "a4", "a5"]
    assert after[first].setup.series_title == "After the PUT" and after[ids[1]].setup.format == "virtual"
