"""Fan-out: who is connected to which session, and each client's own bounded, latest-wins outbox.

A state frame is encoded once per role and handed to every client of that role; each client
has its own sender task, so a slow or dead client never delays the others. A client whose
outbox overflows, or whose socket has not taken a frame for STALL_SECONDS, is dropped: it
reconnects and catches up from the state it gets on arrival.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from moderator.core.state import SessionState
from moderator.core.view import view

log = logging.getLogger("moderator.runtime.hub")

MAX_OUTBOX = 64
STALL_SECONDS = 15.0
SWEEP_SECONDS = 5.0
_STATE = object()  # the place of the latest state frame in an outbox


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def state_frame(state: SessionState, role: str, now: int) -> str:
    return encode({"type": "state", "seq": state.seq, "server_time": now, "session": view(state, role, now)})


class Client:
    """One connected screen: its role and a sender task draining its outbox in order."""

    def __init__(
        self,
        send: Callable[[str], Coroutine[Any, Any, None]],
        role: str,
        state_code: str | None,
        abort: Callable[[], None] | None = None,
    ) -> None:
        self._send = send
        self._abort = abort  # frees the socket at once, unsent bytes and all
        self.role = role
        self.state_code = state_code
        self._outbox: deque[object] = deque()
        self._state: str | None = None
        self._wake = asyncio.Event()
        self.sending_since: float | None = None
        self.dropped = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    @property
    def view_role(self) -> str:
        return "moderator" if self.role == "moderator" else "public"

    def push(self, text: str) -> None:
        """Queue a control frame (welcome, ack, error, pong); in order."""
        if len(self._outbox) >= MAX_OUTBOX:
            self.drop("outbox full")
            return
        self._outbox.append(text)
        self._wake.set()

    def push_state(self, text: str) -> None:
        """Send a state frame now if this client is idle, else queue it (a newer one replaces it).

        The immediate try saves one task wake-up per client per broadcast, the main cost of a
        fan-out to thousands. It relies on uvicorn's sans-I/O WebSocket protocol (pinned in
        cli.uvicorn_config): its send awaits only the socket's writability, before writing
        anything, so a send that would wait is abandoned with nothing written and left to the
        sender task, and one that does not wait has written the whole frame.
        """
        if (
            self._state is None
            and not self._outbox
            and self.sending_since is None
            and not self.dropped.is_set()
        ):
            attempt = self._send(text)
            try:
                attempt.send(None)
            except StopIteration:
                return
            except Exception as e:  # the socket went away under us
                log.debug("send failed: %s", e)
                self.drop("send failed")
                return
            attempt.close()
        if self._state is None:
            self._outbox.append(_STATE)
        self._state = text
        self._wake.set()

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._outbox:
                    item = self._outbox.popleft()
                    if item is _STATE:
                        text, self._state = self._state, None
                    else:
                        text = item  # type: ignore[assignment]
                    if text is None:
                        continue
                    self.sending_since = time.monotonic()
                    await self._send(text)
                    self.sending_since = None
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the socket went away under us
            log.debug("send failed: %s", e)
            self.drop("send failed")

    def stalled(self, now: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > STALL_SECONDS

    def drop(self, why: str) -> None:
        if not self.dropped.is_set():
            log.info("dropping a %s client: %s", self.role, why)
            self.dropped.set()
            self._task.cancel()
            if self._abort is not None:
                self._abort()  # a graceful close would wait on the send buffer it does not read

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


class Hub:
    def __init__(self) -> None:
        self._clients: dict[str, set[Client]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.frames_encoded = 0

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for clients in self._clients.values():
            for c in list(clients):
                await c.close()

    def join(self, session_id: str, client: Client) -> None:
        self._clients.setdefault(session_id, set()).add(client)

    def leave(self, session_id: str, client: Client) -> None:
        clients = self._clients.get(session_id)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self._clients[session_id]

    def count(self, session_id: str | None = None) -> int:
        if session_id is not None:
            return len(self._clients.get(session_id, ()))
        return sum(len(c) for c in self._clients.values())

    def publish(self, state: SessionState, now: int) -> None:
        """Send every client of the session its role's projection of `state`, encoded once per role."""
        clients = self._clients.get(state.setup.session_id)
        if not clients:
            return
        frames: dict[str, str] = {}
        for client in clients:
            role = client.view_role
            text = frames.get(role)
            if text is None:
                text = frames[role] = state_frame(state, role, now)
                self.frames_encoded += 1
            client.push_state(text)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = time.monotonic()
            for session_id, clients in list(self._clients.items()):
                for client in list(clients):
                    if client.stalled(now):
                        client.drop("stalled")
                    if client.dropped.is_set():
                        self.leave(session_id, client)
