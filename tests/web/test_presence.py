"""Presence spans from the missions' real sockets: written when a phone's socket opens and
closes, ended cleanly when the server stops; never an event of the session."""

from __future__ import annotations

import asyncio
from pathlib import Path

from moderator.core.attendance import PresenceSpan
from moderator.store import open_store
from moderator.web.services import Services
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import Running, in_process

TIMEOUT = 10


def services_of(server: Running) -> Services:
    found: Services = server.app.state.services
    return found


async def spans_until(server: Running, sid: str, done: int, opened: int = 0) -> list[PresenceSpan]:
    """The session's spans once `done` of them have ended and at least `opened` exist (a span is
    written just after the welcome, its end just after the socket closed)."""
    store = services_of(server).store
    async with asyncio.timeout(TIMEOUT):
        while True:
            spans = await store.presence([sid])
            if sum(s.disconnected_at is not None for s in spans) >= done and len(spans) >= opened:
                return spans
            await asyncio.sleep(0.02)  # polls the store: the server says nothing when it has written


async def test_a_phone_is_present_from_its_hello_to_its_close_and_the_server_stop_ends_the_rest(
    tmp_path: Path,
):
    db = tmp_path / "m.sqlite3"
    async with in_process(db) as server:
        await server.create_series(agenda())
        sid = server.session_id()
        seq_before = services_of(server).engine.state(sid).seq
        fr = await Live.open(server.ws, sid, server.token("FR"))
        await Live.open(server.ws, sid, server.token("BR"))
        viewer = await Live.open(server.ws, sid, None)
        spans = await spans_until(server, sid, 0, opened=2)
        assert sorted(s.state for s in spans) == ["BR", "FR"], (
            "missions only: no viewer, no span before the welcome"
        )
        assert all(s.disconnected_at is None for s in spans)
        await fr.close()
        spans = await spans_until(server, sid, 1)
        ended = [s for s in spans if s.disconnected_at is not None]
        assert [s.state for s in ended] == ["FR"]
        assert (ended[0].disconnected_at or 0) >= ended[0].connected_at
        assert services_of(server).engine.state(sid).seq == seq_before, "no event: no screen is told"
        assert viewer.state is not None
        # BR is still connected when the server stops
    store = await open_store(db)
    try:
        spans = await store.presence([sid])
        assert len(spans) == 2 and all(s.disconnected_at is not None for s in spans), "ended at the stop"
    finally:
        await store.close()
