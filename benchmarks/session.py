"""A server with one series created through the admin API, ready for the figures to drive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.typing import Origin

from . import agenda
from .live import Live
from .server import Server


@dataclass
class Bench:
    """A running server, the series it holds and the first session's addresses."""

    server: Server
    series: dict[str, Any]
    index: int = 0

    @property
    def session(self) -> dict[str, Any]:
        return dict(self.series["sessions"][self.index])

    @property
    def session_id(self) -> str:
        return str(self.session["id"])

    @property
    def url(self) -> str:
        return self.server.session_url(self.session_id)

    @property
    def origin(self) -> Origin:
        return Origin(self.server.base)

    @property
    def sur(self) -> str:
        """The State under Review's code (the agendas here key each session by it)."""
        return str(self.session["key"])

    @property
    def moderator_token(self) -> str:
        return str(self.series["moderator_token"])

    @property
    def speaker_ids(self) -> list[str]:
        return [str(s["id"]) for s in self.session["speakers"]]

    @property
    def tokens(self) -> dict[str, str]:
        """Each delegation's token by its State's code."""
        return {d["state"]: d["token"] for d in self.series["delegations"]}

    def at(self, index: int) -> Bench:
        """The same server and series, addressing session `index`."""
        return Bench(self.server, self.series, index)

    async def moderator(self, track: bool = True) -> Live:
        return await Live.open(self.url, self.origin, self.moderator_token, track=track)

    async def floor_to_first_speaker(self, mod: Live) -> int:
        """Open the session and give the floor to its first speaker (timer loaded, idle); the seq.
        The ack comes before the state of its change (docs/protocol.md): a client that counts
        states waits for that one (`mod.wait_seq`)."""
        await mod.must("session.open")
        return (await mod.must("speaker.call", {"speaker_id": self.speaker_ids[0]})).seq


@asynccontextmanager
async def bench(
    doc: dict[str, Any] | None = None, env: dict[str, str] | None = None, db: Path | None = None
) -> AsyncIterator[Bench]:
    """Start a server on a fresh database and create `doc` (default: one session, all UN Members)."""
    server = Server(db=db, env=env)
    try:
        await asyncio.to_thread(server.start)
        series = await asyncio.to_thread(server.create_series, doc or agenda.one_session())
        yield Bench(server, series)
    finally:
        await asyncio.to_thread(server.close)
