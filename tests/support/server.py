"""A real server for tests: uvicorn in the test's own event loop, on a free port.

`moderator serve` as a process (to SIGKILL it) is benchmarks/server.py's `Server`, the one
process runner the tests and the benchmarks share."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from benchmarks.server import free_port
from moderator.cli import uvicorn_config
from moderator.settings import Settings

ADMIN = "test-admin-token"

__all__ = ["ADMIN", "Running", "free_port", "in_process"]


@dataclass
class Running:
    """A server on a real port, and an HTTP client for it."""

    base: str
    http: httpx.AsyncClient
    app: Any = None
    series: dict[str, Any] = field(default_factory=dict)
    server: Any = None  # the uvicorn Server (its server_state holds the open connections)

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://")

    async def create_series(self, agenda: dict[str, Any]) -> dict[str, Any]:
        r = await self.http.post("/api/series", json=agenda, headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 201, r.text
        self.series = r.json()
        return self.series

    def token(self, state: str) -> str:
        return next(d["token"] for d in self.series["delegations"] if d["state"] == state)

    def session_id(self, index: int = 0) -> str:
        return str(self.series["sessions"][index]["id"])


class _Server(uvicorn.Server):
    """uvicorn's server, whose main loop wakes at `stop()` rather than at its next 0.1 s tick
    (a test's teardown then waits only for uvicorn's own shutdown)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stop = asyncio.Event()

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 0.1)

    def stop(self) -> None:
        self.should_exit = True
        self._stop.set()


@asynccontextmanager
async def in_process(db: Path, **overrides: Any) -> AsyncIterator[Running]:
    """uvicorn serving create_app on a free port inside the running event loop."""
    port = free_port()
    settings = Settings(db_path=db, admin_token=ADMIN, **overrides)
    server = _Server(uvicorn_config(settings, "127.0.0.1", port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # uvicorn exposes no event for "started"; this only polls its flag
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            yield Running(base, http, server.config.app, server=server)
    finally:  # the client's keep-alive connections closed first: uvicorn then has none to wait for
        server.stop()
        await task
