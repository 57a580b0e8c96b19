"""Connected screens, as the console lists them: kind, language, since when, clock offset and round trip.

A screen names itself in its hello (`"screen": {"id": <its client id>, "kind": "room"}`, the id
kept in the browser's localStorage) and reports the offset and round trip its clock measured
(`screen.report`). The moderator lists the screens of the series (`screens.list`), makes one show
a large label for a few seconds (`screens.identify`) and names one (`screens.name`): the server
keeps the name under the series and the client id, so the screen keeps it across reloads and
reconnections, and the store keeps it across restarts of the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moderator.runtime.hub import Client, encode
from moderator.store.protocol import Store


@dataclass(slots=True)
class Screen:
    """One connected screen (one socket)."""

    client_id: str
    kind: str
    lang: str
    role: str
    series_id: str
    session_id: str
    connected_at: int
    follows: bool
    offset_ms: int | None = None
    rtt_ms: int | None = None


class Screens:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._by_client: dict[Client, Screen] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._loaded: set[str] = set()

    async def load(self, series_id: str) -> None:
        """Read the names of the series' screens from the store, once (may raise StoreUnavailable)."""
        if series_id in self._loaded:
            return
        for client_id, name in (await self._store.screen_names(series_id)).items():
            self._names.setdefault((series_id, client_id), name)
        self._loaded.add(series_id)

    def add(self, client: Client, screen: Screen) -> None:
        self._by_client[client] = screen

    def remove(self, client: Client) -> None:
        self._by_client.pop(client, None)

    def report(self, client: Client, offset_ms: int, rtt_ms: int) -> bool:
        """Record what the screen's clock measured; False for a socket that named no screen."""
        screen = self._by_client.get(client)
        if screen is None:
            return False
        screen.offset_ms, screen.rtt_ms = offset_ms, rtt_ms
        return True

    def name_of(self, series_id: str, client_id: str) -> str:
        return self._names.get((series_id, client_id), "")

    def listing(self, series_id: str) -> list[dict[str, Any]]:
        """The series' connected screens, the longest connected first."""
        found = sorted(
            (s for s in self._by_client.values() if s.series_id == series_id),
            key=lambda s: (s.connected_at, s.client_id),
        )
        return [
            {
                "screen_id": s.client_id,
                "name": self.name_of(series_id, s.client_id),
                "kind": s.kind,
                "lang": s.lang,
                "role": s.role,
                "session_id": s.session_id,
                "follows": s.follows,
                "connected_at": s.connected_at,
                "offset_ms": s.offset_ms,
                "rtt_ms": s.rtt_ms,
            }
            for s in found
        ]

    def _clients(self, series_id: str, client_id: str) -> list[Client]:
        return [
            c for c, s in self._by_client.items() if s.series_id == series_id and s.client_id == client_id
        ]

    def known(self, series_id: str, client_id: str) -> bool:
        """Whether the screen is connected now, or was named before."""
        return bool(self._clients(series_id, client_id)) or (series_id, client_id) in self._names

    def identify(self, series_id: str, client_id: str, seconds: int) -> int:
        """Ask every socket of that screen to show its label for `seconds`; how many were asked."""
        clients = self._clients(series_id, client_id)
        for client in clients:
            screen = self._by_client[client]
            client.push(identify_frame(screen, self.name_of(series_id, client_id), seconds))
        return len(clients)

    async def rename(self, series_id: str, client_id: str, name: str) -> None:
        """Give the screen a name ("" forgets it), stored first; its sockets hear of it at once."""
        await self._store.name_screen(series_id, client_id, name)
        if name:
            self._names[(series_id, client_id)] = name
        else:
            self._names.pop((series_id, client_id), None)
        for client in self._clients(series_id, client_id):
            client.push(encode({"type": "screen", "screen_id": client_id, "name": name}))


def identify_frame(screen: Screen, name: str, seconds: int) -> str:
    return encode(
        {
            "type": "identify",
            "screen_id": screen.client_id,
            "name": name,
            "kind": screen.kind,
            "seconds": seconds,
        }
    )
