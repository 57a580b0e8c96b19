"""A real server for tests: uvicorn in the test's own event loop, on a free port.

`moderator serve` as a process (to SIGKILL it) is benchmarks/server.py's `Server`, the one
process runner the tests and the benchmarks share."""

from __future__ import annotations

import asyncio
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


@asynccontextmanager
async def in_process(db: Path, **overrides: Any) -> AsyncIterator[Running]:
    """uvicorn serving create_app on a free port inside the running event loop."""
    port = free_port()
    settings = Settings(db_path=db, admin_token=ADMIN, **overrides)
    server = uvicorn.Server(uvicorn_config(settings, "127.0.0.1", port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)  # uvicorn exposes no event for "started"; this only polls its flag
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        try:
            yield Running(base, http, server.config.app)
        finally:
            server.should_exit = True
            await task
