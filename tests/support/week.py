"""A Pre-session week already held, written straight into a store: the report's pages and
exports then show real figures (minutes spoken, time over, attendance) without a test waiting
for them. Each session's log is made by the core itself (`decide`, at chosen times), as the
engine would have written it; presence spans as the live adapter would have."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from moderator.core.agenda import parse_agenda
from moderator.core.state import initial
from moderator.store import open_store
from moderator.store.protocol import CreatedSeries
from tests.support.agenda import AGENDA
from tests.support.core import Run, mission

MIN = 60_000


def week_agenda() -> dict[str, Any]:
    """Three Pre-sessions in Geneva: Armenia and Sweden held on Monday, Kiribati still to come.
    The second speaker of Armenia (Office of the Defender) did not consent to publication."""
    doc = copy.deepcopy(AGENDA)
    doc["title"] = "Pre-sessions 47"
    am = doc["sessions"][0]
    am["start"] = "2026-11-23T10:00:00+01:00"
    am["speakers"][1]["publish"] = False
    se = doc["sessions"][1]
    se["start"] = "2026-11-23T11:30:00+01:00"
    se["speakers"] = copy.deepcopy(am["speakers"][2:5])
    for i, s in enumerate(se["speakers"]):
        s["key"] = f"se{i}"
        s["publish"] = True
    doc["sessions"].append({"key": "KI", "state_under_review": "KI", "start": "2026-11-24T10:00:00+01:00"})
    return doc


def at(clock: str) -> int:
    return int(datetime.fromisoformat(f"2026-11-23T{clock}+01:00").timestamp() * 1000)


async def write_week(db: Path) -> CreatedSeries:
    """Create the week's series in the database at `db` and write what happened in it."""
    store = await open_store(db)
    try:
        created = await store.create_series(parse_agenda(week_agenda()))
        setups = {s.key: s for s in await store.setups() if s.series_id == created.series_id}
        # Armenia: opened 4 minutes late; Anna 16 s over the time the room saw (30 s taken off);
        # the Office of the Defender called back after Maria; FR, KE answered; BR withdrew.
        am = Run(initial(setups["AM"]), now=at("10:04:00"))
        sp = [s.id for s in setups["AM"].speakers]
        am.do("session.open")
        am.tick(MIN).do("speaker.call", speaker_id=sp[0])
        am.do("timer.adjust", delta_ms=-30_000)
        am.do("timer.start")
        am.tick(406_000).do("speaker.call", speaker_id=sp[1])
        am.do("timer.start")
        am.tick(200_000).do("speaker.call", speaker_id=sp[2])
        am.do("timer.start")
        am.tick(290_000).do("speaker.call", speaker_id=sp[1])
        am.do("timer.start")
        am.tick(95_000).do("speaker.call", speaker_id=sp[3])
        am.do("timer.start")
        am.tick(120_000).do("timer.pause")
        am.tick(30_000).do("timer.start")
        am.tick(262_000).do("speaker.call", speaker_id=sp[4])
        am.do("timer.start")
        am.tick(355_000).do("speaker.skip", speaker_id=sp[5])
        am.do("queue.request", mission("FR"), topic="Protection of journalists", addressed_to=sp[0])
        am.tick(20_000).do("queue.request", mission("BR"))
        am.tick(10_000).do("queue.request", mission("KE"), topic="Climate displacement", addressed_to=sp[4])
        am.do("session.qa")
        am.do("queue.call", entry_id="q1")
        am.do("timer.start")
        am.tick(130_000).do("queue.withdraw", mission("BR"), entry_id="q2")
        am.do("queue.call", entry_id="q3")
        am.do("timer.start")
        am.tick(95_000).do("session.close")
        await store.append(setups["AM"].session_id, 0, am.log)
        # Sweden: on time, three speakers, one question from FR.
        se = Run(initial(setups["SE"]), now=at("11:30:30"))
        se.do("session.open")
        for ms in (298_000, 362_000, 340_000):
            se.tick(10_000).do("speaker.call", speaker_id=_next(se))
            se.do("timer.start")
            se.tick(ms).do("speaker.finish")
        se.do("queue.request", mission("FR"), topic="Gender equality")
        se.do("session.qa")
        se.do("queue.call", entry_id="q1")
        se.tick(110_000).do("queue.done", entry_id="q1")
        se.tick(30_000).do("session.close")
        await store.append(setups["SE"].session_id, 0, se.log)
        # Who was connected: FR with two phones, BR for part of Armenia, KE late, GY for Sweden.
        spans = [
            ("AM", "FR", "09:55:00", "10:45:00"),
            ("AM", "FR", "10:30:00", "11:00:00"),
            ("AM", "BR", "10:02:00", "10:40:00"),
            ("AM", "KE", "10:20:00", None),
            ("SE", "FR", "11:25:00", "12:10:00"),
            ("SE", "GY", "11:40:00", "12:00:00"),
        ]
        for key, state, since, until in spans:
            span = await store.presence_began(setups[key].session_id, state, at(since))
            if until is not None:
                await store.presence_ended(span, at(until))
        return created
    finally:
        await store.close()


def _next(run: Run) -> str:
    """The first speaker still waiting."""
    return next(s.id for s in run.state.speakers if s.status == "waiting")
