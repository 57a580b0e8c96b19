"""The SQLite store: the Store contract on a real file, and what only SQLite does.

The database refuses writes for real: its file and journal made immutable (chattr +i; never
the -shm file, which is mapped and would SIGBUS), as tests/test_faults.py does for a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from moderator.settings import Settings
from moderator.store import open_store
from moderator.store.protocol import DuplicateKey, Event, Store, StoreError, StoreUnavailable
from moderator.store.sqlite import SQLiteStore, typed
from tests.store.contract import Commits, Connect, RefuseWrites, StoreContract, ev


def _can_make_immutable(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_text("x")
    try:
        if shutil.which("chattr") is None:
            return False
        if subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode != 0:
            return False
        subprocess.run(["chattr", "-i", str(probe)], check=True)
        return True
    finally:
        probe.unlink()


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def db(self, tmp_path: Path) -> Path:
        return tmp_path / "m.sqlite3"

    @pytest.fixture
    def connect(self, db: Path) -> Connect:
        async def connect() -> Store:
            return await SQLiteStore.open(db)

        return connect

    @pytest.fixture
    def refuse_writes(self, db: Path, tmp_path: Path) -> RefuseWrites:
        if not _can_make_immutable(tmp_path):
            pytest.skip("needs chattr +i (CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs), not available here")

        @contextlib.asynccontextmanager
        async def refused() -> AsyncIterator[None]:
            files = [str(p) for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
            await asyncio.to_thread(subprocess.run, ["chattr", "+i", *files], check=True)
            try:
                yield
            finally:
                await asyncio.to_thread(subprocess.run, ["chattr", "-i", *files], check=True)

        return refused

    @pytest.fixture
    def open_unusable(self, tmp_path: Path) -> Callable[[], Awaitable[Store]]:
        text = tmp_path / "notes.txt"
        text.write_text("not a database\n" * 100)

        async def open_unusable() -> Store:
            return await SQLiteStore.open(text)

        return open_unusable

    @pytest.fixture
    def stored_bytes(self, db: Path) -> Callable[[], Awaitable[bytes]]:
        async def stored_bytes() -> bytes:
            return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))

        return stored_bytes


# ---- what only the SQLite store does ------------------------------------------------------------


async def test_open_store_opens_the_database_the_settings_name(tmp_path: Path) -> None:
    for where in (
        Settings(db_path=tmp_path / "a.sqlite3"),
        tmp_path / "b.sqlite3",
        str(tmp_path / "c.sqlite3"),
    ):
        store = await open_store(where)
        try:
            assert isinstance(store, SQLiteStore)
            assert await store.append("S", 0, [ev("x", 1)]) == 1
        finally:
            await store.close()
    assert all([p.exists() for p in (tmp_path / "a.sqlite3", tmp_path / "b.sqlite3", tmp_path / "c.sqlite3")])


async def test_append_returns_before_the_subscribers_have_the_commit(tmp_path: Path) -> None:
    """Delivery is the store's own task: a subscriber that is slow never delays a commit."""
    store = await SQLiteStore.open(tmp_path / "m.sqlite3")
    release = asyncio.Event()
    commits = Commits()

    async def stuck(session_id: str, after_seq: int, events: list[Event]) -> None:
        await release.wait()

    store.subscribe(stuck)
    store.subscribe(commits)
    try:
        for seq in range(5):
            assert await store.append("S1", seq, [ev("e", seq)]) == seq + 1
        assert commits.seen == [], "nothing delivered while the first subscriber is busy"
        release.set()
        await commits.until(5)
    finally:
        await store.close()
    assert [c[1] for c in commits.seen] == [0, 1, 2, 3, 4]


async def test_the_reason_an_unusable_file_is_refused_is_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    with pytest.raises(StoreUnavailable) as refused:
        await SQLiteStore.open(tmp_path / "notes.txt")
    assert refused.value.reason == "not_a_database"
    with pytest.raises(StoreUnavailable) as refused:
        await SQLiteStore.open(tmp_path / "notes.txt" / "m.sqlite3")  # under a file
    assert refused.value.reason == "system" and refused.value.detail


def test_driver_errors_become_the_protocols_by_their_kind_not_their_text() -> None:
    """Real sqlite3 errors, classified by class and extended code; the messages are never read."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a PRIMARY KEY, b UNIQUE, c NOT NULL)")
    db.execute("INSERT INTO t VALUES (1, 1, 1)")

    def error(sql: str, connection: sqlite3.Connection = db) -> sqlite3.Error:
        try:
            connection.execute(sql)
        except sqlite3.Error as e:
            return e
        raise AssertionError(f"{sql} did not fail")

    taken_key, taken_unique = error("INSERT INTO t VALUES (1, 2, 1)"), error("INSERT INTO t VALUES (2, 1, 1)")
    assert isinstance(typed(taken_key), DuplicateKey) and isinstance(typed(taken_unique), DuplicateKey)
    not_null = typed(error("INSERT INTO t VALUES (3, 3, NULL)"))
    assert type(not_null) is StoreError, "a constraint the code broke is a bug, not a taken key"
    assert type(typed(error("SELECT nonsense FROM nowhere"))) is StoreError

    read_only = sqlite3.connect("file::memory:?mode=ro", uri=True)
    unavailable = typed(error("CREATE TABLE u (a)", read_only))
    assert isinstance(unavailable, StoreUnavailable) and unavailable.reason == "read_only"

    closed = sqlite3.connect(":memory:")
    closed.close()
    assert type(typed(error("SELECT 1", closed))) is StoreError

    # The same message under another code is classified by the code.
    disguised = sqlite3.OperationalError("UNIQUE constraint failed: attempt to write a readonly database")
    disguised.sqlite_errorcode = sqlite3.SQLITE_FULL
    full = typed(disguised)
    assert isinstance(full, StoreUnavailable) and full.reason == "full"


async def test_a_database_made_before_the_warning_and_answer_times_gets_their_defaults(
    tmp_path: Path,
) -> None:
    """A sessions table without warning_seconds and answer_seconds gains them at open, with 60 and 120."""
    from moderator.core.agenda import parse_agenda
    from tests.support.agenda import agenda

    db = tmp_path / "old.sqlite3"
    store = await SQLiteStore.open(db)
    created = await store.create_series(parse_agenda(agenda()))
    await store.close()
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE sessions DROP COLUMN warning_seconds")
    con.execute("ALTER TABLE sessions DROP COLUMN answer_seconds")
    con.commit()
    con.close()
    store = await SQLiteStore.open(db)
    try:
        setups = await store.setups()
        assert [s.session_id for s in setups] == [s["id"] for s in created.sessions]
        assert {(s.warning_seconds, s.answer_seconds) for s in setups} == {(60, 120)}
    finally:
        await store.close()
