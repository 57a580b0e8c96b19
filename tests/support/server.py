"""Real servers for tests: uvicorn in the test's own event loop, or `moderator serve` as a process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from moderator.cli import uvicorn_config
from moderator.settings import Settings

ADMIN = "test-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


class Process:
    """`moderator serve` as a child process, so it can be killed with SIGKILL."""

    def __init__(self, db: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.port = port or free_port()
        self.env = {**os.environ, "MODERATOR_ADMIN_TOKEN": ADMIN, **(env or {})}
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "moderator.cli",
            "serve",
            "--port",
            str(self.port),
            "--db",
            str(self.db),
            env=self.env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self.proc.stderr is not None
        seen: list[str] = []
        while True:  # await uvicorn's own announcement that it listens
            line = await asyncio.wait_for(self.proc.stderr.readline(), 30)
            if not line:
                raise RuntimeError("server exited:\n" + "".join(seen))
            seen.append(line.decode())
            if b"Uvicorn running on" in line:
                break
        asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while await self.proc.stderr.readline():
            pass

    async def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            await asyncio.wait_for(self.proc.wait(), 15)


def load_json(text: str | bytes) -> Any:
    return json.loads(text)
