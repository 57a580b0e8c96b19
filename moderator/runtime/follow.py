"""Screens that follow their series: the `series` frame, sent when the series' current session changes.

A client whose hello asked to follow (`"follow": true`) is kept here under its session's series.
After every change of a session of that series, and when the clock alone may change the answer
(a scheduled session's planned end passes), the frame is computed again by the core's rule
(core/follow.py) and sent to the series' followers if it differs from the last one sent. The
screen moves its socket to `current_session_id` itself: the server never re-routes a socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from moderator.core.follow import series_body
from moderator.core.state import SessionState
from moderator.runtime.hub import Client, encode


class Followers:
    def __init__(self, states: Callable[[], list[SessionState]], clock: Callable[[], int]) -> None:
        self._states = states
        self._clock = clock
        self._clients: dict[str, set[Client]] = {}
        self._last: dict[str, str] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def frame(self, series_id: str, now: int) -> str:
        """The series frame of `series_id` at `now` (encoded); arms the wake-up of a time change."""
        body, changes_at = series_body(series_id, self._series(series_id), now)
        self._arm(series_id, changes_at, now)
        return encode(body)

    def join(self, series_id: str, client: Client) -> None:
        """Follow `series_id`: the client gets the frame now and each changed one after."""
        text = self.frame(series_id, self._clock())
        self._clients.setdefault(series_id, set()).add(client)
        self._last[series_id] = text
        client.push(text)

    def leave(self, series_id: str, client: Client) -> None:
        clients = self._clients.get(series_id)
        if clients is None:
            return
        clients.discard(client)
        if not clients:
            del self._clients[series_id]
            self._last.pop(series_id, None)
            timer = self._timers.pop(series_id, None)
            if timer is not None:
                timer.cancel()

    def count(self, series_id: str) -> int:
        return len(self._clients.get(series_id, ()))

    def changed(self, state: SessionState, now: int) -> None:
        """The engine's listener: a session changed; its series' followers hear if the frame did."""
        self._publish(state.setup.series_id, now)

    def _publish(self, series_id: str, now: int) -> None:
        clients = self._clients.get(series_id)
        if not clients:
            return
        text = self.frame(series_id, now)
        if text == self._last.get(series_id):
            return
        self._last[series_id] = text
        for client in list(clients):
            client.push(text)

    def _series(self, series_id: str) -> list[SessionState]:
        return [s for s in self._states() if s.setup.series_id == series_id]

    def _arm(self, series_id: str, changes_at: int | None, now: int) -> None:
        timer = self._timers.pop(series_id, None)
        if timer is not None:
            timer.cancel()
        if changes_at is None:
            return
        delay = max(0.0, (changes_at - now) / 1000) + 0.05
        loop = asyncio.get_running_loop()
        self._timers[series_id] = loop.call_later(delay, self._tick, series_id)

    def _tick(self, series_id: str) -> None:
        self._timers.pop(series_id, None)
        self._publish(series_id, self._clock())

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
