"""Fault drills on a real `moderator serve` process with real `websockets` clients.

Each test starts its own server on a fresh SQLite file (benchmarks/server.py) and waits
on frames, never on the clock. Storage faults are made for real: an immutable database
file (chattr +i), a full size-limited tmpfs, and a file-size limit of zero on the server
process (RLIMIT_FSIZE), the last of which needs no privilege.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from benchmarks import agenda
from benchmarks.live import Answer, Live, open_many
from benchmarks.server import HOST
from benchmarks.session import Bench, bench

pytestmark = pytest.mark.slow  # each drill starts its own server process

HELLO = json.dumps({"type": "hello", "token": None})


def _server_send_queue(server_port: int, client_port: int) -> int | None:
    """Bytes queued in the kernel on the server's side of one loopback connection (None: no such socket)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return int(fields[4].split(":")[0], 16)
    return None


async def _stalled_client(b: Bench) -> tuple[websockets.ClientConnection, int]:
    """A viewer with a 4 KiB receive buffer that says hello and then never reads."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (HOST, b.server.port))
    port = sock.getsockname()[1]
    ws = await websockets.connect(b.url, origin=b.origin, sock=sock, max_queue=1, compression=None)
    await ws.send(HELLO)
    return ws, port


async def test_a_client_that_never_reads_does_not_hold_back_the_others() -> None:
    """A stalled socket gets a backlog on the server, yet a reading viewer gets every state at once."""
    async with bench() as b:
        viewer = await Live.open(b.url, b.origin, None)
        stalled, port = await _stalled_client(b)
        text = "Please conclude your statement now, the time allotted to you is over. " * 3
        last = 0
        backlog = 0
        for block in range(4):  # a fresh console connection per 25 commands stays under the rate limit
            mod = await b.moderator(track=False)
            for i in range(25):
                ack = await mod.must("message.show", {"text": f"{block}.{i} {text}"[:200], "to": "room"})
                await viewer.wait_seq(ack.seq, within=5)
                last = ack.seq
            await mod.close()
            backlog = max(backlog, _server_send_queue(b.server.port, port) or 0)
        assert viewer.seq == last
        assert backlog > 0, "the stalled client never had a backlog: the drill did not stall anything"
        # Reading again, the stalled client catches up with the latest state or finds itself dropped.
        latest = -1
        with contextlib.suppress(ConnectionClosed):
            async with asyncio.timeout(10):
                while latest < last:
                    msg = json.loads(await stalled.recv())
                    latest = msg.get("seq", latest) if msg["type"] == "state" else latest
        assert latest == last or stalled.close_code is not None
        assert b.server.healthy()
        await stalled.close()
        await viewer.close()


async def test_a_10_mb_frame_is_refused_and_nobody_else_notices() -> None:
    """A 10 MB frame is closed with 1009 or answered bad_message; the server and other clients go on."""
    async with bench() as b:
        other = await Live.open(b.url, b.origin, None)
        big = await websockets.connect(b.url, origin=b.origin, compression=None, max_size=None)
        await big.send(HELLO)
        assert json.loads(await big.recv())["type"] == "welcome"
        assert json.loads(await big.recv())["type"] == "state"
        with contextlib.suppress(ConnectionClosed):
            await big.send("x" * 10_000_000)
        outcome: Any = None
        try:
            async with asyncio.timeout(15):
                while outcome is None:
                    msg = json.loads(await big.recv())
                    if msg["type"] == "error":
                        outcome = msg["code"]
        except ConnectionClosed as e:
            outcome = e.rcvd.code if e.rcvd else "closed without a close frame"
        assert outcome in ("bad_message", 1009)
        assert b.server.healthy()
        assert (await other.ping()).msg["type"] == "pong"
        mod = await b.moderator()
        ack = await mod.must("message.show", {"text": "Still here", "to": "room"})
        await other.wait_seq(ack.seq)
        assert other.state["message"]["text"] == "Still here"
        for live in (other, mod):
            await live.close()
        await big.close()


async def test_commands_to_several_sessions_at_the_same_moment_are_all_stored() -> None:
    """Fourteen consoles move their sessions at once: every command acked, none refused `unavailable`."""
    async with bench(agenda.week()) as b:
        consoles = [await b.at(i).moderator() for i in range(len(agenda.WEEK))]

        async def run(console: Live) -> list[str]:
            names = ["session.open", "session.statements", "session.qa"]
            return [(await console.command(name)).msg.get("code", "ack") for name in names]

        outcomes = await asyncio.gather(*(run(c) for c in consoles))
        assert outcomes == [["ack"] * 3] * len(consoles)
        for c in consoles:
            await c.close()


# --------------------------------------------------------------------------- storage faults


class StorageFault:
    """A way to make the database unwritable under a running server, and to undo it."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind, self.workdir = kind, workdir
        self.db = workdir / "m.sqlite3"
        self._filler: Path | None = None

    def apply(self, pid: int) -> None:
        if self.kind == "read_only":
            subprocess.run(["chattr", "+i", *map(str, self._db_files())], check=True)
        elif self.kind == "disk_full":
            self._filler = self.workdir / "filler"
            with open(self._filler, "wb", buffering=0) as f:  # unbuffered: nothing left to flush at close
                chunk = b"\0" * 65536
                try:
                    for _ in range(100_000):  # far more than the tmpfs holds
                        f.write(chunk)
                        f.flush()
                except OSError as e:
                    assert e.errno == errno.ENOSPC
        else:  # write_error: any write to a regular file fails with EFBIG
            psutil.Process(pid).rlimit(psutil.RLIMIT_FSIZE, (0, psutil.RLIM_INFINITY))

    def lift(self, pid: int) -> None:
        if self.kind == "read_only":
            subprocess.run(["chattr", "-i", *map(str, self._db_files())], check=True)
        elif self.kind == "disk_full":
            assert self._filler is not None
            self._filler.unlink()
        else:
            psutil.Process(pid).rlimit(psutil.RLIMIT_FSIZE, (psutil.RLIM_INFINITY, psutil.RLIM_INFINITY))

    def _db_files(self) -> list[Path]:
        """The database and its journal; never the -shm file, which is mapped (SIGBUS if immutable)."""
        return [p for p in (self.db, Path(f"{self.db}-wal"), Path(f"{self.db}-journal")) if p.exists()]


@contextlib.contextmanager
def _workdir(kind: str) -> Iterator[Path]:
    """A directory for the database: a 4 MiB tmpfs for disk_full, else a plain temporary directory."""
    path = Path(tempfile.mkdtemp(prefix=f"moderator-{kind}-"))
    mounted = False
    try:
        if kind == "disk_full":
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)], capture_output=True
            )
            if done.returncode != 0:
                pytest.skip(f"disk_full needs a tmpfs mount, refused here: {done.stderr.decode().strip()}")
            mounted = True
        if kind == "read_only":
            probe = path / "probe"
            probe.write_text("x")
            if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(probe)]).returncode != 0:
                pytest.skip(
                    "read_only needs chattr +i (CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs), not available here"
                )
            subprocess.run(["chattr", "-i", str(probe)], check=True)
            probe.unlink()
        yield path
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.asynccontextmanager
async def _faulty(kind: str) -> AsyncIterator[tuple[Bench, StorageFault]]:
    with _workdir(kind) as path:
        fault = StorageFault(kind, path)
        async with bench(db=fault.db) as b:
            yield b, fault


@pytest.mark.parametrize("kind", ["write_error", "read_only", "disk_full"])
async def test_storage_fault_refuses_commands_changes_no_screen_and_recovers(kind: str) -> None:
    """Unwritable storage: `unavailable`, no screen changes, nothing acked unstored; then it recovers."""
    async with _faulty(kind) as (b, fault):
        mod = await b.moderator()
        viewer = await Live.open(b.url, b.origin, None)
        await mod.must("session.open")
        before = await mod.must("message.show", {"text": "Before the fault", "to": "room"})
        await viewer.wait_seq(before.seq)
        acked = set(range(viewer.history[0], before.seq + 1))  # every state so far came from an ack
        last_ok = before
        fault.apply(b.server.pid)
        errors: list[Answer] = []
        for i in range(25):  # write until the storage refuses: WAL slack may take a few
            answer = await mod.command("message.show", {"text": f"During the fault {i}", "to": "room"})
            if answer.ok:
                last_ok = answer
                acked.add(answer.seq)
                continue
            errors.append(answer)
            if len(errors) == 3:
                break
        assert errors, "the storage fault never reached the server"
        assert {e.code for e in errors} == {"unavailable"}, [e.msg for e in errors]
        assert all(e.msg.get("message") for e in errors)
        assert (await viewer.ping()).msg["type"] == "pong"
        assert viewer.seq == last_ok.seq, "a screen saw a state that was not stored"

        fault.lift(b.server.pid)
        after = await mod.must("message.show", {"text": "After the fault", "to": "room"})
        await viewer.wait_seq(after.seq)
        assert after.seq == last_ok.seq + 1, "a refused command used up a seq"
        assert set(viewer.history) <= acked | {after.seq}, "a screen saw a state that was not stored"
        assert viewer.state["message"]["text"] == "After the fault"
        await viewer.close()
        await mod.close()

        await asyncio.to_thread(b.server.kill)  # what is on disk now is all there is
        await asyncio.to_thread(b.server.start)
        again = await b.moderator()
        assert again.seq == after.seq and again.state["message"]["text"] == "After the fault"
        await again.close()


async def test_sigkill_during_a_burst_of_commands_keeps_every_acked_one() -> None:
    """Killed mid-burst after the 20th answer: every acked command survives the restart, the timer runs on."""
    async with bench() as b:
        mod = await b.moderator()
        await b.floor_to_first_speaker(mod)
        started = await mod.must("timer.start")
        await mod.wait_seq(started.seq)
        timer0 = dict(mod.state["timer"])
        codes = [c for c in sorted(b.tokens) if c != b.sur][:40]
        missions = await open_many(b.url, b.origin, [b.tokens[c] for c in codes])
        futures: dict[asyncio.Future[Answer], str] = {}
        for i in range(max(len(codes), 25)):
            if i < len(codes):
                futures[await missions[i].send_command("queue.request", {"topic": "burst"})] = codes[i]
            if i < 25:
                futures[await mod.send_command("timer.adjust", {"delta_ms": 1})] = "adjust"
        for answered, fut in enumerate(asyncio.as_completed(list(futures)), start=1):
            with contextlib.suppress(ConnectionClosed, ConnectionError):
                await fut
            if answered == 20:
                break
        await asyncio.to_thread(b.server.kill)
        await asyncio.wait(list(futures), timeout=10)
        acked = {f: who for f, who in futures.items() if f.done() and f.exception() is None and f.result().ok}
        assert len(acked) >= 20  # the SuR is not among these missions: every answer so far is an ack
        for live in [*missions, mod]:
            await live.close()

        await asyncio.to_thread(b.server.start)
        after = await b.moderator()
        queue = [e["state"]["code"] for e in after.state["queue"]]
        assert len(queue) == len(set(queue))
        assert {who for who in acked.values() if who != "adjust"} <= set(queue)
        adjusts = sum(1 for who in acked.values() if who == "adjust")
        grown = after.state["timer"]["duration_ms"] - timer0["duration_ms"]
        assert adjusts <= grown <= 25
        assert after.seq >= max(f.result().seq for f in acked)
        for key in ("status", "running_since", "elapsed_ms"):
            assert after.state["timer"][key] == timer0[key], key
        await after.close()
