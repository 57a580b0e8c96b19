"""A real `moderator serve` subprocess on a free loopback port with a temporary SQLite file.

Everything here speaks to the server as an outside client would: the command line of
PROTOCOL.md §1, `GET /healthz` and the admin HTTP API of §2. Blocking calls only; async
callers wrap them in `asyncio.to_thread`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from typing import Any

import psutil

from .reference import raise_open_files

ROOT = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_command() -> list[str]:
    """How to start the server: $MODERATOR_CMD, else the installed console script, else the package."""
    if os.environ.get("MODERATOR_CMD"):
        return os.environ["MODERATOR_CMD"].split()
    script = shutil.which("moderator", path=str(Path(sys.executable).parent)) or shutil.which("moderator")
    if script:
        return [script]
    return [sys.executable, "-c", "import sys; from moderator.cli import main; sys.exit(main())"]


def http(
    method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 30
) -> tuple[int, Any]:
    """One HTTP request with a JSON body; returns (status, decoded JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")


class ServerError(RuntimeError):
    """The server did not start, or answered the harness in a way the contract does not allow."""


class Server:
    """One `moderator serve` process; restartable on the same database file."""

    def __init__(self, db: Path | str | None = None, env: dict[str, str] | None = None) -> None:
        """`db`: a SQLite file (default: a new one in a temporary folder) or a postgresql:// URL."""
        self._tmp: str | None = None
        if db is None:
            self._tmp = tempfile.mkdtemp(prefix="moderator-bench-")
            db = Path(self._tmp) / "bench.sqlite3"
        self.db: Path | str = db
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.ws_base = f"ws://{HOST}:{self.port}"
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._drainer: threading.Thread | None = None
        self.log: deque[str] = deque(maxlen=200)
        self.startup_s: float | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> float:
        """Start the process and wait for `/healthz`; returns seconds from spawn to the first ok."""
        raise_open_files()  # the server inherits the limit
        env = dict(
            os.environ,
            MODERATOR_ADMIN_TOKEN=ADMIN_TOKEN,
            PYTHONUNBUFFERED="1",
            # Every benchmark client comes from 127.0.0.1: lift the per-address cap (guard.py).
            MODERATOR_MAX_CONNECTIONS_PER_ADDRESS="1000000",
        )
        env.update(self.extra_env)
        cmd = [*server_command(), "serve", "--host", HOST, "--port", str(self.port), "--db", str(self.db)]
        t0 = time.perf_counter()
        # stdout/stderr go to a pipe, not a file: a pipe is not limited by RLIMIT_FSIZE (see faults).
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._drainer = threading.Thread(target=self._drain, args=(self.proc,), daemon=True)
        self._drainer.start()
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"server exited with {self.proc.returncode}:\n" + "\n".join(self.log))
            if self.healthy(timeout=1):
                self.startup_s = time.perf_counter() - t0
                return self.startup_s
            time.sleep(0.005)
        self.kill()
        raise ServerError(f"no /healthz ok within {timeout} s:\n" + "\n".join(self.log))

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self.log.append(line.decode(errors="replace").rstrip())

    def healthy(self, timeout: float = 2) -> bool:
        try:
            status, body = http("GET", self.base + "/healthz", timeout=timeout)
        except OSError:
            return False
        return status == 200 and body == {"status": "ok"}

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL the server's process group (no clean shutdown) and reap it."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        """Wait for the process and for its output pipe to be read to the end and closed."""
        if self.proc:
            self.proc.wait(30)
        if self._drainer is not None:
            self._drainer.join(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap()

    def close(self) -> None:
        """Stop the server and remove the temporary directory the harness made."""
        self.stop()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the harness measures ----------------------------------------------------------

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.pid)
        return [root, *root.children(recursive=True)]

    def rss(self) -> int:
        """Resident memory of the server process tree, in bytes."""
        return sum(p.memory_info().rss for p in self.processes())

    def cpu_seconds(self) -> float:
        """User plus system CPU time the server process tree has used so far."""
        total = 0.0
        for p in self.processes():
            t = p.cpu_times()
            total += t.user + t.system
        return total

    def io_written(self) -> int:
        """Bytes the server passed to write-like system calls (`wchar` of /proc/<pid>/io)."""
        return sum(p.io_counters().write_chars for p in self.processes())

    # -- the admin API (PROTOCOL §2) ----------------------------------------------------------

    def create_series(self, agenda: dict[str, Any]) -> dict[str, Any]:
        status, body = http("POST", self.base + "/api/series", agenda, ADMIN_TOKEN)
        if status != 201:
            raise ServerError(f"POST /api/series answered {status}: {body}")
        return dict(body)

    def session_url(self, session_id: str) -> str:
        return f"{self.ws_base}/ws/sessions/{session_id}"
