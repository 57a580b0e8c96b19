"""Several `moderator serve` processes on one PostgreSQL database, behind a real HAProxy.

- `database()`: a new database on the PostgreSQL server ($MODERATOR_BENCH_POSTGRES, default
  postgresql://postgres@127.0.0.1:5432/test names the server and the database to connect to
  for creating it), dropped afterwards;
- `Haproxy`: /usr/sbin/haproxy in the foreground with its own config on a free port: WebSocket
  timeouts (`timeout tunnel`), `/healthz` checks every 250 ms, a failed connection retried on
  another server (`option redispatch`), and each answer naming the process that served it in
  the `X-Moderator-Server` header (so a drill knows which process holds which socket);
- `cluster()`: both, with N servers sharing one media folder.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from .server import HOST, Server, ServerError, free_port, http

ADMIN_URL = os.environ.get("MODERATOR_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
SERVED_BY = "X-Moderator-Server"


@contextmanager
def database() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards."""
    name = "moderator_bench_" + secrets.token_hex(5)
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ADMIN_URL.rpartition("/")[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def haproxy_config(port: int, servers: list[tuple[str, int]], maxconn: int = 4000) -> str:
    lines = [
        "global",
        f"  maxconn {maxconn}",
        "defaults",
        "  mode http",
        "  option http-server-close",
        "  option forwardfor  # the server sees the client's address (uvicorn trusts it from 127.0.0.1)",
        "  timeout connect 1s",
        "  timeout client 60s",
        "  timeout server 60s",
        "  timeout http-request 10s",
        "  timeout tunnel 1h  # an open WebSocket: idle for up to an hour (the clients ping every 20 s)",
        "  timeout client-fin 5s",
        "  retries 3",
        "  option redispatch 1  # a connection refused by a dead process is tried on another",
        "frontend moderator",
        f"  bind {HOST}:{port}",
        f"  maxconn {maxconn}",
        "  default_backend moderators",
        "backend moderators",
        "  balance leastconn",
        "  option httpchk GET /healthz",
        "  http-check expect status 200",
        "  default-server inter 250ms fall 2 rise 2 on-marked-down shutdown-sessions",
        f"  http-response set-header {SERVED_BY} %s",
    ]
    lines += [f"  server {name} {HOST}:{p} check maxconn {maxconn}" for name, p in servers]
    return "\n".join(lines) + "\n"


class Haproxy:
    """HAProxy in the foreground (-db) on a free port with the config above."""

    def __init__(self, servers: list[tuple[str, int]], folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.ws_base = f"ws://{HOST}:{self.port}"
        self.config = folder / "haproxy.cfg"
        self.config.write_text(haproxy_config(self.port, servers), encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None
        self._drainer: threading.Thread | None = None
        self.log: deque[str] = deque(maxlen=200)

    def start(self, timeout: float = 20) -> None:
        check = subprocess.run([HAPROXY, "-c", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ServerError(f"haproxy refused its config:\n{check.stdout}{check.stderr}")
        self.proc = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(self.config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError("haproxy exited:\n" + "\n".join(self.log))
            try:
                status, _ = http("GET", self.base + "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise ServerError("haproxy answered no /healthz:\n" + "\n".join(self.log))

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.log.append(line.decode(errors="replace").rstrip())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._drainer is not None:
            self._drainer.join(10)


@dataclass
class Cluster:
    url: str  # the database
    servers: list[Server]
    names: list[str]
    proxy: Haproxy
    media: Path

    def by_name(self, name: str) -> Server:
        return self.servers[self.names.index(name)]

    def create_series(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.servers[0].create_series(doc)

    def session_url(self, session_id: str) -> str:
        return f"{self.proxy.ws_base}/ws/sessions/{session_id}"


@asynccontextmanager
async def cluster(n: int, env: dict[str, str] | None = None) -> AsyncIterator[Cluster]:
    """`n` servers on a new database, one media folder, HAProxy in front."""
    folder = Path(tempfile.mkdtemp(prefix="moderator-cluster-"))
    media = folder / "media"
    media.mkdir()
    servers: list[Server] = []
    proxy: Haproxy | None = None
    with database() as url:
        try:
            for _ in range(n):
                servers.append(Server(db=url, env={"MODERATOR_MEDIA_DIR": str(media), **(env or {})}))
            # One after the other: the first writes the schema (the others would wait on its lock).
            await asyncio.to_thread(servers[0].start)
            await asyncio.gather(*(asyncio.to_thread(s.start) for s in servers[1:]))
            names = [f"m{i}" for i in range(n)]
            proxy = Haproxy([(name, s.port) for name, s in zip(names, servers, strict=True)], folder)
            await asyncio.to_thread(proxy.start)
            yield Cluster(url, servers, names, proxy, media)
        finally:
            if proxy is not None:
                proxy.stop()
            await asyncio.gather(*(asyncio.to_thread(s.close) for s in servers))
            shutil.rmtree(folder, ignore_errors=True)
