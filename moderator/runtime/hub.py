"""Fan-out: who is connected to which session, and each client's own bounded, latest-wins outbox.

A state is the same bytes for every client of a role, so it is encoded and framed once per role
(`framed`: one WebSocket text frame, websockets' own `Frame.serialize`, unmasked and uncompressed
as a server's frames are) and the same frame is written to every client in one pass. Nothing here
awaits: a client whose socket takes bytes gets the frame written at once (`Wire.write`, asyncio's
`transport.write`); one whose socket is full keeps it in its own outbox (control frames in order,
one state frame, the newest) until the socket asks for more, so a slow or dead client never delays
the others and a broadcast costs no task wake-up per client. A client whose outbox overflows, or
whose socket has taken nothing for STALL_SECONDS, is dropped (its socket aborted): it reconnects
and catches up from the state it gets on arrival.

The `Wire` of a real connection is web/guard.py's `Connection`: `transport.write` under the flow
control asyncio documents (`pause_writing`/`resume_writing`), while the connection's websockets
sans-I/O protocol says it is open (docs/architecture.md, The fan-out).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from websockets.frames import Frame, Opcode

from moderator.core.state import SessionState
from moderator.core.view import view

log = logging.getLogger("moderator.runtime.hub")

MAX_OUTBOX = 64
STALL_SECONDS = 15.0
SWEEP_SECONDS = 5.0
_STATE = b""  # the place of the latest state frame in an outbox (no frame is empty)


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def framed(text: str) -> bytes:
    """`text` as one whole WebSocket text frame from a server: unmasked, no extension (RFC 6455 §5)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def state_frame(state: SessionState, role: str, now: int) -> str:
    return encode({"type": "state", "seq": state.seq, "server_time": now, "session": view(state, role, now)})


def framed_state(state: SessionState, role: str, now: int) -> bytes:
    """The state frame of `role` at `now`, framed: what the hub writes to each client of that role."""
    return framed(state_frame(state, role, now))


class Wire(Protocol):
    """One client's socket as the hub sees it (web/guard.py's `Connection` is the real one)."""

    @property
    def writable(self) -> bool:
        """True while the socket takes bytes: its buffer is under the high-water mark and it is open."""

    def write(self, frame: bytes) -> None:
        """Write one whole frame (`framed`) now (only while `writable`)."""

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` each time the socket's buffer falls back under the low-water mark."""

    def abort(self) -> None:
        """Close the socket at once, unsent bytes and all."""


class Client:
    """One connected screen: its role and an outbox written to its socket whenever the socket takes it."""

    __slots__ = (
        "_wire",
        "role",
        "state_code",
        "view_role",
        "_outbox",
        "_state",
        "shown",
        "blocked_since",
        "gone",
    )

    def __init__(self, wire: Wire, role: str, state_code: str | None) -> None:
        self._wire = wire
        self.role = role
        self.state_code = state_code
        self.view_role = "moderator" if role == "moderator" else "public"
        self._outbox: deque[bytes] | None = None  # made when a frame first has to wait
        self._state: bytes | None = None
        self.shown: object = None  # the state whose frame was last handed to this client
        self.blocked_since: float | None = None  # frames wait and the socket has taken none since
        self.gone = False  # dropped, or left: nothing more is written
        wire.on_writable(self._flush)

    @property
    def waiting(self) -> int:
        """Frames waiting for the socket (a state frame counts once, however many it replaced)."""
        return len(self._outbox) if self._outbox else 0

    def push(self, text: str) -> None:
        """Send a control frame (welcome, ack, error, pong), after everything queued before it."""
        self._send(framed(text))

    def push_state(self, frame: bytes, state: object) -> None:
        """Send the frame (`framed`) of `state`, after everything queued before it; a newer one
        replaces it while it waits. The state last handed over is not sent again (a client that
        joined between a commit and its fan-out has it already)."""
        if state is self.shown:
            return
        self.shown = state
        if self._outbox is None:  # nothing waits (so no state either): the usual case, an idle socket
            if not self.gone and self._wire.writable:
                self._write(frame)
                return
        elif self._state is not None:
            self._state = frame  # the one waiting is replaced where it stands
            return
        self._state = frame
        self._send(_STATE)

    def _send(self, item: bytes) -> None:
        if self.gone:
            return
        outbox = self._outbox
        if outbox is None:
            if self._wire.writable:
                self._write(item if item is not _STATE else self._take_state())
                return
            outbox = self._outbox = deque()
        if len(outbox) >= MAX_OUTBOX:
            self.drop("outbox full")
            return
        outbox.append(item)
        self._flush()

    def _take_state(self) -> bytes:
        frame, self._state = self._state, None
        assert frame is not None
        return frame

    def _write(self, frame: bytes) -> None:
        try:
            self._wire.write(frame)
        except Exception as e:  # the socket went away under us
            log.debug("send failed: %s", e)
            self.drop("send failed")
            return
        self.blocked_since = None

    def _flush(self) -> None:
        """Write the outbox in order while the socket takes it (also the wire's on_writable callback)."""
        outbox = self._outbox
        while outbox and not self.gone:
            if not self._wire.writable:
                if self.blocked_since is None:
                    self.blocked_since = time.monotonic()
                return
            item = outbox.popleft()
            self._write(item if item is not _STATE else self._take_state())
        if not outbox:
            self._outbox = None  # an idle client keeps no deque

    def stalled(self, now: float) -> bool:
        return self.blocked_since is not None and now - self.blocked_since > STALL_SECONDS

    def drop(self, why: str) -> None:
        """Abort the socket (a graceful close would wait on the send buffer it does not read); the
        connection's reader then ends (live.py)."""
        if not self.gone:
            log.info("dropping a %s client: %s", self.role, why)
            self.close()
            self._wire.abort()

    def close(self) -> None:
        """Forget the outbox and stop listening to the socket (the client has left)."""
        self.gone = True
        self._wire.on_writable(None)
        self._outbox = None
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
        """Send every client of the session its role's projection of `state`: encoded and framed once
        per role, the same bytes written to every client in one pass."""
        clients = self._clients.get(state.setup.session_id)
        if not clients:
            return
        frames: dict[str, bytes] = {}
        for client in list(clients):  # a copy: the set must not change under the loop, whatever a write calls
            role = client.view_role
            frame = frames.get(role)
            if frame is None:
                frame = frames[role] = framed_state(state, role, now)
                self.frames_encoded += 1
            client.push_state(frame, state)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = time.monotonic()
            for session_id, clients in list(self._clients.items()):
                for client in list(clients):
                    if client.stalled(now):
                        client.drop("stalled")
                    if client.gone:
                        self.leave(session_id, client)
