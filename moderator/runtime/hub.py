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

The one pass touches as little per client as it can, since at thousands of clients the time per
client is the fan-out: each session's `Audience` keeps its *ready* clients (nothing waits for their
socket, which takes bytes, and they were handed every state published) as their wires' `write`
methods, and the pass is one call of each. A client leaves the ready ones when its wire says it
may no longer take bytes (`Wire.on_change`: flow control, a close either way, the connection's
loss) or a frame has to wait, and comes back at a later pass, after its outbox emptied.

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
        """Write one whole frame (`framed`) now (only while `writable`: the hub asked, or no
        `on_change` callback said otherwise since)."""

    def on_change(self, callback: Callable[[], None] | None) -> None:
        """Call `callback` each time `writable` may have changed: the socket's buffer went over the
        high-water mark or back under the low one, a close frame went either way, the connection
        was lost."""

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
        "audience",
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
        self.audience: Audience | None = None  # the session's, once joined (Hub.join)
        wire.on_change(self._changed)

    @property
    def write(self) -> Callable[[bytes], None]:
        """The wire's own write, which the hub's pass calls for a ready client (Audience)."""
        return self._wire.write

    @property
    def idle(self) -> bool:
        """Nothing waits for the socket, which takes bytes: a frame handed over now is written now."""
        return self._outbox is None and not self.gone and self._wire.writable

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
            if self.audience is not None:
                self.audience.unready(self)  # frames wait now: not written in the hub's pass
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
        except Exception as e:
            self.failed(e)
            return
        self.blocked_since = None

    def failed(self, error: Exception) -> None:
        """A write to the socket raised (it went away under us): the client is dropped."""
        log.debug("send failed: %s", error)
        self.drop("send failed")

    def _changed(self) -> None:
        """The wire's callback: the socket may take bytes again (write what waited), or no longer."""
        if self._wire.writable:
            self._flush()
        elif self.audience is not None:
            self.audience.unready(self)

    def _flush(self) -> None:
        """Write the outbox in order while the socket takes it."""
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
        if self.audience is not None:
            self.audience.unready(self)
        self._wire.on_change(None)
        self._outbox = None
        self._state = None


class Audience:
    """The clients of one session: the ready ones by view role, keyed by their wires' `write`, and
    the others (joined since the last pass, or with frames waiting, or gone)."""

    __slots__ = ("ready", "others", "latest")

    def __init__(self) -> None:
        self.ready: dict[str, dict[Callable[[bytes], None], Client]] = {}
        self.others: set[Client] = set()
        self.latest: object = None  # the state of the last pass: every ready client was handed it

    def __len__(self) -> int:
        return len(self.others) + sum(len(r) for r in self.ready.values())

    def clients(self) -> list[Client]:
        return [*self.others, *(c for r in self.ready.values() for c in r.values())]

    def add(self, client: Client) -> None:
        client.audience = self
        self.others.add(client)

    def remove(self, client: Client) -> None:
        self.unready(client)
        self.others.discard(client)
        client.audience = None

    def unready(self, client: Client) -> None:
        """`client` is no longer written in the pass: it was handed `latest` (it was ready), and
        gets what comes next through its own outbox, until a pass finds it idle again."""
        ready = self.ready.get(client.view_role)
        if ready is not None and ready.pop(client.write, None) is not None:
            client.shown = self.latest
            self.others.add(client)

    def publish(self, state: object, frame_of: Callable[[str], bytes]) -> None:
        """Hand `state` (its role's frame, `frame_of(role)`) to every client: one `write` each to the
        ready ones, `push_state` to the others, which are ready afterwards if they are idle."""
        self.latest = state
        for role, ready in self.ready.items():
            if not ready:
                continue
            frame = frame_of(role)
            for write in list(ready):  # a copy: a write may make its client unready (flow control)
                try:
                    write(frame)
                except Exception as e:
                    client = ready.get(write)
                    if client is not None:
                        client.failed(e)
        for client in list(self.others):
            role = client.view_role
            client.push_state(frame_of(role), state)
            if client.idle:
                self.others.discard(client)
                self.ready.setdefault(role, {})[client.write] = client


class Hub:
    def __init__(self) -> None:
        self._audiences: dict[str, Audience] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.frames_encoded = 0

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for audience in self._audiences.values():
            for c in audience.clients():
                c.close()

    def join(self, session_id: str, client: Client) -> None:
        audience = self._audiences.get(session_id)
        if audience is None:
            audience = self._audiences[session_id] = Audience()
        audience.add(client)

    def leave(self, session_id: str, client: Client) -> None:
        audience = self._audiences.get(session_id)
        if audience is not None:
            audience.remove(client)
            if not len(audience):
                del self._audiences[session_id]

    def close_session(self, session_id: str) -> None:
        """Drop every client of a session that no longer exists (removed from its series' agenda):
        they reconnect and learn it is gone (4404)."""
        audience = self._audiences.pop(session_id, None)
        for client in audience.clients() if audience is not None else ():
            client.drop("its session was removed from the agenda")

    def count(self, session_id: str | None = None) -> int:
        if session_id is not None:
            audience = self._audiences.get(session_id)
            return len(audience) if audience is not None else 0
        return sum(len(a) for a in self._audiences.values())

    def clients(self, session_id: str) -> list[Client]:
        audience = self._audiences.get(session_id)
        return audience.clients() if audience is not None else []

    def publish(self, state: SessionState, now: int) -> None:
        """Send every client of the session its role's projection of `state`: encoded and framed once
        per role, the same bytes written to every client in one pass."""
        audience = self._audiences.get(state.setup.session_id)
        if audience is None:
            return
        frames: dict[str, bytes] = {}

        def frame_of(role: str) -> bytes:
            frame = frames.get(role)
            if frame is None:
                frame = frames[role] = framed_state(state, role, now)
                self.frames_encoded += 1
            return frame

        audience.publish(state, frame_of)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            now = time.monotonic()
            for session_id, audience in list(self._audiences.items()):
                for client in list(audience.others):  # a ready client has nothing waiting
                    if client.stalled(now):
                        client.drop("stalled")
                    if client.gone:
                        self.leave(session_id, client)
