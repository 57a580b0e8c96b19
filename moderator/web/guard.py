"""Connections before anyone knows who they are: a header deadline and a cap per client address.

uvicorn (0.54) has no deadline for a request's headers: its keep-alive timeout starts only
after a first response, so a connection that sends a request line and nothing more, or
nothing at all, is kept open for ever, and 1,030 of them use up every file descriptor. The
two protocol classes below (uvicorn's own httptools and sans-I/O WebSocket protocols,
subclassed; cli.uvicorn_config installs them) add, for every TCP connection:

- a header deadline: the request's headers must be complete `header_seconds` after the
  connection opens (or after the first byte of its next request); else it is aborted;
- a cap per client address on connections that are *waiting*: headers not complete yet, or a
  WebSocket that has not said its hello yet. One more from the same address aborts that
  address's oldest waiting connection, so a flood of idle sockets never holds more than the cap,
  and a real browser or console on the same address still gets in.

A connection that said hello (a screen) no longer waits; anonymous viewers' sockets have their
own per-address cap in live.py. `live.py` reaches its connection through the ASGI scope
extension `moderator.connection` (`Connection`) to mark it settled, and to abort it when the
hub drops it as stalled: `transport.abort()` frees the descriptor at once, where a graceful
close would wait for a send buffer the client never reads. The same `Connection` is the hub's
wire to the socket: it writes the hub's frames, framed once for every client (hub.framed), with
`transport.write` while asyncio's flow control says the socket takes bytes and the connection's
websockets sans-I/O `ServerProtocol` says it is open (docs/architecture.md, The fan-out).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from moderator.web.lean import Flag, Inbox

log = logging.getLogger("moderator.web.guard")

EXTENSION = "moderator.connection"
# uvicorn's line for every WebSocket accepted ("WebSocket /ws/sessions/... [accepted]") and refused
# before its accept, and websockets' "connection open" for each one (its sans-I/O protocol logs to
# the logger uvicorn gives it): a join storm of 1,000 screens is 2,000 lines, and formatting them
# was a fifth of the server's time per join. They go to this child of uvicorn's logger, shown only
# at debug (cli.uvicorn_config); live.py logs what goes wrong itself.
SOCKETS_LOG = logging.getLogger("uvicorn.error.websockets")


def _host(transport: asyncio.Transport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple | list) and peer:
        return str(peer[0])
    return str(peer or "")  # a Unix socket: one "address" for all


class Guard:
    """Which connections of each client address are still waiting; the oldest is evicted past the cap."""

    def __init__(self, per_address: int, header_seconds: float) -> None:
        self.per_address = per_address
        self.header_seconds = header_seconds
        self._waiting: dict[str, dict[asyncio.Transport, None]] = {}  # oldest first
        self.evicted = 0
        self.timed_out = 0

    def waiting(self, transport: asyncio.Transport) -> None:
        """`transport` waits for its headers or hello; past the cap its address's oldest one is aborted."""
        host = _host(transport)
        queue = self._waiting.setdefault(host, {})
        queue.pop(transport, None)
        queue[transport] = None
        while len(queue) > self.per_address:
            oldest = next(iter(queue))
            del queue[oldest]
            self.evicted += 1
            if self.evicted == 1 or self.evicted % 1000 == 0:
                log.warning(
                    "more than %d connections from %s are waiting for headers or a hello: "
                    "aborting the oldest (%d so far)",
                    self.per_address,
                    host,
                    self.evicted,
                )
            oldest.abort()

    def settled(self, transport: asyncio.Transport) -> None:
        """`transport` sent its headers (or its hello), or is gone: it no longer counts."""
        host = _host(transport)
        queue = self._waiting.get(host)
        if queue is not None:
            queue.pop(transport, None)
            if not queue:
                del self._waiting[host]

    def count(self, host: str) -> int:
        return len(self._waiting.get(host, ()))

    def late(self, transport: asyncio.Transport) -> None:
        self.timed_out += 1
        self.settled(transport)
        transport.abort()


class Connection:
    """What live.py may do with its own TCP connection (the scope extension `moderator.connection`).

    It is also the hub's `Wire` (runtime/hub.py): the hub's frames are whole WebSocket frames,
    framed once for all its clients (`hub.framed`: unmasked, no extension, which is what this
    server negotiates: cli.uvicorn_config turns per-message deflate off), written with
    `transport.write`; `writable` follows asyncio's documented flow control
    (`pause_writing`/`resume_writing` on the protocol) and the sans-I/O `ServerProtocol`'s state,
    so nothing is written once a close frame went either way. A write never awaits, and one that
    would wait is not made: the hub keeps the frame until the socket asks for more. The protocol
    tells the hub each time `writable` may have changed (`on_change`), so the hub's pass writes to
    its ready clients without asking each one again.
    """

    __slots__ = ("_guard", "_socket", "_transport", "_changed", "write")

    def __init__(self, guard: Guard, socket: _GuardedWebSocket) -> None:
        self._guard = guard
        self._socket = socket
        self._transport = socket.transport
        self._changed: Callable[[], None] | None = None
        self.write: Callable[[bytes], None] = socket.transport.write  # the hub's Wire.write, as it is

    def settled(self) -> None:
        self._guard.settled(self._transport)

    def abort(self) -> None:
        self._transport.abort()

    @property
    def writable(self) -> bool:
        socket = self._socket
        return not socket.paused and socket.conn.state is State.OPEN and not self._transport.is_closing()

    def on_change(self, callback: Callable[[], None] | None) -> None:
        self._changed = callback

    def changed(self) -> None:
        """`writable` may have changed (the protocol calls this after each of uvicorn's entry points
        that can change it): the hub's client hears it."""
        if self._changed is not None:
            self._changed()


class _GuardedHttp(HttpToolsProtocol):
    guard: ClassVar[Guard]
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait()

    def _wait(self) -> None:
        self.guard.waiting(self.transport)
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.guard.header_seconds, self._late)

    def _late(self) -> None:
        self._deadline = None
        self.guard.late(self.transport)

    def _done_waiting(self, upgrade: bool) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if not upgrade:  # a WebSocket waits on, for its hello (live.py settles it)
            self.guard.settled(self.transport)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._wait()  # the next request on a kept-alive connection has the same deadline

    def on_headers_complete(self) -> None:
        self._done_waiting(bool(self.parser.should_upgrade() and self._should_upgrade()))
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.guard.settled(self.transport)
        super().connection_lost(exc)


class _GuardedWebSocket(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, whose `ServerProtocol` (`conn`) the hub writes through."""

    guard: ClassVar[Guard]
    paused = False
    _connection: Connection | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger = self.conn.logger = SOCKETS_LOG
        self.conn.debug = SOCKETS_LOG.isEnabledFor(logging.DEBUG)
        # What a connection holds for hours, made small (lean.py): the ASGI message queue and the
        # drained-buffer event, the same methods uvicorn calls on them.
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag(True)  # type: ignore[assignment]

    def _changed(self) -> None:
        if self._connection is not None:
            self._connection.changed()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The handshake's request and response are not read again (uvicorn's and the ASGI
            # scope's copies of the headers are what the app reads): their header maps go.
            self.request.headers.clear()
            self.response = None  # type: ignore[assignment]
        elif message["type"] == "websocket.close":
            self._changed()

    async def run_asgi(self) -> None:
        if self.conn.extensions:  # the hub's frames are uncompressed: cli.uvicorn_config negotiates none
            raise RuntimeError("serve with cli.uvicorn_config: the hub cannot write compressed frames")
        self._connection = Connection(self.guard, self)
        self.scope["extensions"][EXTENSION] = self._connection  # type: ignore[assignment]
        await super().run_asgi()

    # uvicorn's entry points that can change whether the hub may write (Connection.writable): each
    # tells the hub's client after it ran.

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.state is not State.OPEN or self.transport.is_closing():  # a close, either way
            self._changed()

    def pause_writing(self) -> None:
        self.paused = True
        super().pause_writing()
        self._changed()

    def resume_writing(self) -> None:
        self.paused = False
        super().resume_writing()
        self._changed()  # the hub writes what waited (asyncio allows writes here)

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        self._changed()

    def shutdown(self) -> None:
        """The server stops. A connection whose peer's close came and was answered (uvicorn's
        handle_close, its protocol now closing) and that is not lost yet is only closed: uvicorn
        would send a second close frame, which the sans-I/O protocol refuses (InvalidState), and
        the server's shutdown would stop there."""
        if self.handshake_complete and not self.close_sent and self.conn.state is not State.OPEN:
            self.stop_keepalive()
            self.transport.close()
        else:
            super().shutdown()
        self._changed()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.settled(self.transport)
        super().connection_lost(exc)
        if self._connection is not None:
            self._connection.changed()
            self._connection.on_change(None)


def protocols(guard: Guard) -> tuple[type[asyncio.Protocol], type[asyncio.Protocol]]:
    """The HTTP and WebSocket protocol classes for uvicorn.Config(http=..., ws=...), bound to `guard`."""
    http: Any = type("GuardedHttp", (_GuardedHttp,), {"guard": guard})
    ws: Any = type("GuardedWebSocket", (_GuardedWebSocket,), {"guard": guard})
    return http, ws
