"""The PostgreSQL store: the Store contract on a real server (a database of its own per test), and
what only PostgreSQL does: commits of another process delivered through LISTEN or the poll, a
listener that comes back after its connection was killed, the row lock that orders two writers.

The database refuses writes for real: `default_transaction_read_only` set on it and every
connection ended, so the pool's new connections are read-only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import psycopg
import pytest
from psycopg import sql

from moderator.core.agenda import parse_agenda
from moderator.core.attendance import PresenceSpan
from moderator.settings import Settings
from moderator.store import open_store
from moderator.store.postgres import PostgresStore, typed
from moderator.store.protocol import (
    DuplicateKey,
    Event,
    SequenceConflict,
    SeriesAmendment,
    SeriesInfo,
    Store,
    StoreError,
    StoreUnavailable,
)
from tests.store.contract import Commits, Connect, RefuseWrites, StoreContract, ev
from tests.support.agenda import agenda
from tests.support.postgres import admin, fresh_database, terminate, url_of


@pytest.fixture
async def database() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


async def opened(url: str) -> PostgresStore:
    store = await PostgresStore.open(url)
    async with asyncio.timeout(10):
        await store.listening()
    return store


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def connect(self, database: str) -> Connect:
        async def connect() -> Store:
            return await opened(database)

        return connect

    @pytest.fixture
    def refuse_writes(self, database: str) -> RefuseWrites:
        name = database.rpartition("/")[2]

        async def read_only(on: bool) -> None:
            conn = await admin()
            async with conn:
                await conn.execute(
                    sql.SQL("ALTER DATABASE {} SET default_transaction_read_only = {}").format(
                        sql.Identifier(name), sql.SQL("on" if on else "off")
                    )
                )
            await terminate(name)  # the pool opens new connections, which read the setting

        @contextlib.asynccontextmanager
        async def refused() -> AsyncIterator[None]:
            await read_only(True)
            try:
                yield
            finally:
                await read_only(False)

        return refused

    @pytest.fixture
    def open_unusable(self) -> Callable[[], Awaitable[Store]]:
        async def open_unusable() -> Store:
            return await PostgresStore.open(url_of("moderator_no_such_database"))

        return open_unusable

    @pytest.fixture
    def stored_bytes(self, database: str) -> Callable[[], Awaitable[bytes]]:
        async def stored_bytes() -> bytes:
            async with await psycopg.AsyncConnection.connect(database) as conn:
                tables = [
                    r[0]
                    for r in await (
                        await conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    ).fetchall()
                ]
                out = []
                for table in tables:
                    rows = await (
                        await conn.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table)))
                    ).fetchall()
                    out += [r[0].encode() for r in rows]
            return b"\n".join(out)

        return stored_bytes


# ---- what only the PostgreSQL store does --------------------------------------------------------


async def test_open_store_opens_postgresql_for_a_postgresql_url(database: str) -> None:
    for where in (database, Settings.from_env(database)):
        store = await open_store(where)
        try:
            assert isinstance(store, PostgresStore)
            assert await store.events("S") == []
        finally:
            await store.close()


async def test_commits_of_another_process_reach_the_subscribers_once_in_seq_order(database: str) -> None:
    here, there = await opened(database), await opened(database)
    commits = Commits()
    here.subscribe(commits)
    try:
        await there.append("S1", 0, [ev("a", 1)])
        await there.append("S1", 1, [ev("b", 2), ev("c", 3)])
        await here.append("S1", 3, [ev("mine", 4)])
        await there.append("S2", 0, [ev("x", 5)])
        await commits.until(4)
    finally:
        await here.close()
        await there.close()
    by_session: dict[str, list[tuple[int, list[str]]]] = {}
    for session_id, after_seq, events in commits.seen:
        by_session.setdefault(session_id, []).append((after_seq, [e["type"] for e in events]))
    assert by_session == {"S1": [(0, ["a"]), (1, ["b", "c"]), (3, ["mine"])], "S2": [(0, ["x"])]}


async def test_a_missed_notification_is_caught_up_by_the_poll(database: str) -> None:
    """A commit whose NOTIFY never came (written by hand, as a notification lost would be)."""
    store = await opened(database)
    commits = Commits()
    store.subscribe(commits)
    try:
        async with await psycopg.AsyncConnection.connect(database) as conn:
            await conn.execute("INSERT INTO heads VALUES ('S1', 1)")
            await conn.execute(
                "INSERT INTO events VALUES ('S1', 1, 'quiet', 7, %s)", ('{"type": "quiet", "at": 7}',)
            )
        await commits.until(1)
    finally:
        await store.close()
    assert commits.seen == [("S1", 0, [ev("quiet", 7)])]


async def test_the_listener_comes_back_after_its_connection_is_killed(database: str) -> None:
    here, there = await opened(database), await opened(database)
    commits = Commits()
    here.subscribe(commits)
    try:
        await terminate(database.rpartition("/")[2])  # every connection: the listener's and the pools'
        for attempt in range(50):  # the pool finds its dead connections and opens new ones
            try:
                await there.append("S1", 0, [ev("after", 1)])
                break
            except StoreUnavailable:
                assert attempt < 49
        await commits.until(1)
    finally:
        await here.close()
        await there.close()
    assert commits.seen == [("S1", 0, [ev("after", 1)])]


async def test_an_append_waits_for_the_sessions_row_lock_then_sees_the_new_seq(database: str) -> None:
    """A writer holding the session's row lock makes another writer wait; when it commits, the
    other is refused with SequenceConflict (it decided against an old seq), whole."""
    store = await opened(database)
    try:
        await store.append("S1", 0, [ev("a", 1)])
        async with await psycopg.AsyncConnection.connect(database) as holder:
            async with holder.transaction():
                await holder.execute("SELECT seq FROM heads WHERE session_id = 'S1' FOR UPDATE")
                waiting = asyncio.create_task(store.append("S1", 1, [ev("late", 2)]))
                await waiting_for_a_lock(database.rpartition("/")[2])
                assert not waiting.done(), "the append went past a held row lock"
                await holder.execute(
                    "INSERT INTO events VALUES ('S1', 2, 'held', 3, %s)", ('{"type": "held", "at": 3}',)
                )
                await holder.execute("UPDATE heads SET seq = 2 WHERE session_id = 'S1'")
            with pytest.raises(SequenceConflict):
                await waiting
        assert [e["type"] for e in await store.events("S1")] == ["a", "held"]
    finally:
        await store.close()


async def waiting_for_a_lock(name: str) -> None:
    """Return once a connection to `name` waits for a lock (pg_stat_activity says so)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
    conn = await admin()
    async with conn:
        for _ in range(1000):
            row = await (await conn.execute(query, (name,))).fetchone()
            if row is not None and row[0]:
                return
            await asyncio.sleep(0.01)  # polls the server's own view of who waits
    raise AssertionError("no connection ever waited for the lock")


async def test_driver_errors_become_the_protocols_by_their_sqlstate(database: str) -> None:
    async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:

        async def error(query: str) -> psycopg.Error:
            try:
                await conn.execute(query.encode())
            except psycopg.Error as e:
                return e
            raise AssertionError(f"{query} did not fail")

        await conn.execute("CREATE TABLE t (a INT PRIMARY KEY, c INT NOT NULL)")
        await conn.execute("INSERT INTO t VALUES (1, 1)")
        assert isinstance(typed(await error("INSERT INTO t VALUES (1, 2)")), DuplicateKey)
        assert type(typed(await error("INSERT INTO t VALUES (2, NULL)"))) is StoreError
        assert type(typed(await error("SELECT nonsense FROM nowhere"))) is StoreError
        read_only = typed(await error("BEGIN READ ONLY; INSERT INTO t VALUES (3, 3)"))
        await conn.execute("ROLLBACK")
        assert isinstance(read_only, StoreUnavailable) and read_only.reason == "read_only"
    with pytest.raises(StoreUnavailable) as refused:
        await PostgresStore.open("postgresql://postgres@127.0.0.1:1/test")  # nothing listens there
    assert refused.value.reason == "cannot_open"


async def test_without_postgresql_the_tests_skip_except_under_ci_where_they_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tests.support.postgres as pg
    from benchmarks.server import free_port

    monkeypatch.setattr(pg, "ADMIN_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        await pg.admin()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        await pg.admin()


async def test_a_database_made_before_the_per_session_columns_gets_them_with_their_defaults(
    database: str,
) -> None:
    """A sessions table from before format, sur_statement_seconds, warning_seconds and
    answer_seconds gains them when a process opens it: the series' format, no SuR time, 60, 120."""
    store = await opened(database)
    parsed = parse_agenda(agenda())
    created = await store.create_series(parsed)
    await store.close()
    async with await psycopg.AsyncConnection.connect(database, autocommit=True) as conn:
        for column in ("format", "sur_statement_seconds", "warning_seconds", "answer_seconds"):
            await conn.execute(sql.SQL("ALTER TABLE sessions DROP COLUMN {}").format(sql.Identifier(column)))
    store = await opened(database)
    try:
        setups = await store.setups()
        assert [s.session_id for s in setups] == [s["id"] for s in created.sessions]
        assert {(s.format, s.sur_statement_seconds, s.warning_seconds, s.answer_seconds) for s in setups} == {
            (parsed.format, None, 60, 120)
        }
    finally:
        await store.close()


def amendment_appending(series_id: str, appends: dict[str, tuple[int, list[Event]]]) -> SeriesAmendment:
    return SeriesAmendment(
        SeriesInfo(series_id, "Renamed", "in_person", "Geneva", "Europe/Zurich"),
        appends,
        [],
        {},
        [],
        [],
        [],
        [],
    )


async def test_an_amendment_waits_for_a_sessions_row_lock_then_is_refused_whole(database: str) -> None:
    """The amendment takes the row lock of every session it appends to, as an append does: held
    by another writer, it waits; that writer moved the log on, so nothing of the amendment is kept."""
    store = await opened(database)
    try:
        created = await store.create_series(parse_agenda(agenda()))
        am, se = (s["id"] for s in created.sessions)
        await store.append(se, 0, [ev("a", 1)])
        async with await psycopg.AsyncConnection.connect(database) as holder:
            async with holder.transaction():
                await holder.execute("SELECT seq FROM heads WHERE session_id = %s FOR UPDATE", (se,))
                amendment = amendment_appending(
                    created.series_id, {am: (0, [ev("x", 2)]), se: (1, [ev("y", 2)])}
                )
                waiting = asyncio.create_task(store.amend_series(created.series_id, amendment))
                await waiting_for_a_lock(database.rpartition("/")[2])
                assert not waiting.done(), "the amendment went past a held row lock"
                await holder.execute(
                    "INSERT INTO events VALUES (%s, 2, 'held', 3, %s)", (se, '{"type": "held", "at": 3}')
                )
                await holder.execute("UPDATE heads SET seq = 2 WHERE session_id = %s", (se,))
            with pytest.raises(SequenceConflict):
                await waiting
        assert await store.events(am) == [] and [e["type"] for e in await store.events(se)] == ["a", "held"]
        assert (await store.series(created.series_id))[0].title == "Test series"
    finally:
        await store.close()


async def test_an_amendment_reaches_another_process_its_appends_and_its_new_setups(database: str) -> None:
    here, there = await opened(database), await opened(database)
    commits = Commits()
    here.subscribe(commits)
    try:
        created = await here.create_series(parse_agenda(agenda()))
        am, se = (s["id"] for s in created.sessions)
        version, _ = await here.setups_if_changed(None)
        amendment = amendment_appending(
            created.series_id, {am: (0, [ev("x", 1)]), se: (0, [ev("y", 1), ev("z", 2)])}
        )
        await there.amend_series(created.series_id, amendment)
        await commits.until(2)
        moved, setups = await here.setups_if_changed(version)
        assert moved != version and setups is not None
        assert {s.series_title for s in setups} == {"Renamed"} and {s.venue for s in setups} == {"Geneva"}
    finally:
        await here.close()
        await there.close()
    assert sorted(commits.seen, key=str) == sorted(
        [(am, 0, [ev("x", 1)]), (se, 0, [ev("y", 1), ev("z", 2)])], key=str
    )


async def test_a_process_that_stops_ends_only_the_presence_it_began(database: str) -> None:
    """Several processes serve one database: one stopping must not end the others' phones."""
    here, there = await opened(database), await opened(database)
    try:
        mine = await here.presence_began("S1", "FR", 1_000)
        await here.presence_began("S1", "BR", 1_500)
        await there.presence_began("S1", "CU", 2_000)
        await here.presence_ended(mine, 3_000)
        assert await here.end_presence(5_000) == 1
        assert await here.end_presence(6_000) == 0
        assert await there.presence(["S1"]) == [
            PresenceSpan("S1", "FR", 1_000, 3_000),
            PresenceSpan("S1", "BR", 1_500, 5_000),
            PresenceSpan("S1", "CU", 2_000, None),
        ]
        assert await there.end_presence(7_000) == 1
        assert (await here.presence(["S1"]))[-1] == PresenceSpan("S1", "CU", 2_000, 7_000)
    finally:
        await here.close()
        await there.close()
