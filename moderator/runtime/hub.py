"""Fan-out: who is connected to which session, and each client's own bounded, latest-wins outbox.

A state frame is encoded once per role and handed to every client of that role. Nothing here
awaits: a client writes a frame straight to its socket (a `Wire`) while the socket takes bytes,
and keeps what it cannot write in its own outbox (control frames in order, one state frame,
the newest) until the socket asks for more, so a slow or dead client never delays the others
and a broadcast costs no task wake-up per client. A client whose outbox overflows, or whose
socket has taken nothing for STALL_SECONDS, is dropped (its socket aborted): it reconnects and
catches up from the state it gets on arrival.

The `Wire` of a real connection is web/guard.py's `Connection`: the websockets sans-I/O
protocol's documented `send_text` and `data_to_send`, written with `transport.write`, under the
flow control asyncio documents (`pause_writing`/`resume_writing`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

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


class Wire(Protocol):
    """One client's socket as the hub sees it (web/guard.py's `Connection` is the real one)."""

    @property
    def writable(self) -> bool:
        """True while the socket takes bytes: its buffer is under the high-water mark and it is open."""

    def write_text(self, text: str) -> None:
        """Write one whole text frame now (only while `writable`)."""

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` each time the socket's buffer falls back under the low-water mark."""

    def abort(self) -> None:
        """Close the socket at once, unsent bytes and all."""


class Client:
    """One connected screen: its role and an outbox written to its socket whenever the socket takes it."""

    def __init__(self, wire: Wire, role: str, state_code: str | None) -> None:
        self._wire = wire
        self.role = role
        self.state_code = state_code
        self._outbox: deque[object] = deque()
        self._state: str | None = None
        self.blocked_since: float | None = None  # frames wait and the socket has taken none since
        self.dropped = asyncio.Event()
        wire.on_writable(self._flush)

    @property
    def view_role(self) -> str:
        return "moderator" if self.role == "moderator" else "public"

    @property
    def waiting(self) -> int:
        """Frames waiting for the socket (a state frame counts once, however many it replaced)."""
        return len(self._outbox)

    def push(self, text: str) -> None:
        """Send a control frame (welcome, ack, error, pong), after everything queued before it."""
        if len(self._outbox) >= MAX_OUTBOX:
            self.drop("outbox full")
            return
        self._outbox.append(text)
        self._flush()

    def push_state(self, text: str) -> None:
        """Send a state frame, after everything queued before it; a newer one replaces it while it waits."""
        if self._state is None:
            self._outbox.append(_STATE)
        self._state = text
        self._flush()

    def _flush(self) -> None:
        """Write the outbox in order while the socket takes it (also the wire's on_writable callback)."""
        outbox = self._outbox
        while outbox and not self.dropped.is_set():
            if not self._wire.writable:
                if self.blocked_since is None:
                    self.blocked_since = time.monotonic()
                return
            item = outbox.popleft()
            if item is _STATE:
                text, self._state = self._state, None
            else:
                text = item  # type: ignore[assignment]
            try:
                self._wire.write_text(text)  # type: ignore[arg-type]
            except Exception as e:  # the socket went away under us
                log.debug("send failed: %s", e)
                self.drop("send failed")
                return
            self.blocked_since = None

    def stalled(self, now: float) -> bool:
        return self.blocked_since is not None and now - self.blocked_since > STALL_SECONDS

    def drop(self, why: str) -> None:
        if not self.dropped.is_set():
            log.info("dropping a %s client: %s", self.role, why)
            self.dropped.set()
            self.close()
            self._wire.abort()  # a graceful close would wait on the send buffer it does not read

    def close(self) -> None:
        """Forget the outbox and stop listening to the socket (the client has left)."""
        self._wire.on_writable(None)
        self._outbox.clear()
        self._state = None


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
                c.close()

    def join(self, session_id: str, client: Client) -> None:
        self._clients.setdefault(session_id, set()).add(client)

    def leave(self, session_id: str, client: Client) -> None:
        clients = self._clients.get(session_id)
        if clients is not None:
            clients.discard(client)
            if not clients:
                del self._clients[session_id]

    def close_session(self, session_id: str) -> None:
        """Drop every client of a session that no longer exists (removed from its series' agenda):
        they reconnect and learn it is gone (4404)."""
        for client in list(self._clients.pop(session_id, ())):
            client.drop("its session was removed from the agenda")

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
