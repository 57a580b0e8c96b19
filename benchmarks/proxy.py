"""A TCP proxy on a free loopback port that the tests and drills can cut: put between a server
and PostgreSQL, `cut()` is a database outage for that server alone (every connection through it
closed at once, new ones refused) and `restore()` its end, while PostgreSQL itself and the other
tests' connections go on undisturbed. `hold(port)` makes one connection a black hole (a network
cut that sends no RST: the bytes are taken and never delivered)."""

from __future__ import annotations

import asyncio
import contextlib

from benchmarks.server import HOST


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target`; start() in a running event loop, then cut()/restore()."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()
        # Each connection as (client side, upstream side), by the upstream side's local port:
        # the port PostgreSQL sees the connection come from (pg_stat_activity.client_port).
        self._pairs: dict[int, tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = {}
        self._held: set[asyncio.StreamWriter] = set()  # bytes for these are dropped
        self.connections = 0  # accepted while up

    async def start(self, port: int = 0) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, HOST, port or self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.connections += 1
        self._open.update((writer, up_writer))
        self._pairs[up_writer.get_extra_info("sockname")[1]] = (writer, up_writer)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.get_running_loop().create_task(self._pipe(src, dst))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                if dst in self._held:
                    continue  # a black hole: taken, never delivered, never answered
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._open.discard(dst)
            dst.close()

    @property
    def upstream_ports(self) -> list[int]:
        """The ports PostgreSQL sees this proxy's open connections come from."""
        return list(self._pairs)

    def hold(self, upstream_port: int) -> None:
        """Make the connection PostgreSQL sees from `upstream_port` a black hole, both ways: it
        stays open, no RST, no FIN. The other connections, and new ones, go on."""
        self._held.update(self._pairs[upstream_port])

    async def cut(self) -> None:
        """Stop listening (new connections are refused) and reset every open one."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        self._pairs.clear()
        self._held.clear()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def restore(self) -> None:
        """Listen again, on the same port."""
        await self.start(self.port)

    async def close(self) -> None:
        await self.cut()

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.close()
