"""The PostgreSQL store: the same tables, hashed tokens and append-only event log as sqlite.py,
through psycopg 3 (async) with a psycopg_pool pool, for several server processes on one database.

It implements the Store protocol (protocol.py) method for method as SQLiteStore does (same order,
same names), so a method added to one is ported to the other by hand. What differs:

- a session's writer takes the session's row lock (`heads`, `SELECT ... FOR UPDATE`), checks that
  the log ends at the seq it decided against (else SequenceConflict: the engine reads the tail and
  decides again), appends, moves the head and `pg_notify`s "session seq" in the same transaction;
  a series amendment does so for every session it appends to (their locks taken in id order), in
  its one transaction;
- `setups_if_changed` reads a counter (`meta.setups`) that every series created or amended moves;
- `end_presence` ends only the spans this process began: the others on the database still serve
  their phones;
- every process LISTENs on one dedicated connection (not from the pool). A notification names a
  session and a seq only; the delivery task reads the events up to that seq after the last one it
  delivered and hands them to the subscribers, once each, in seq order. Every POLL_S seconds the
  listener reads every session's head on that same connection: a missed notification is caught up
  then, and a dead listener connection is found and opened again;
- driver errors are typed by their SQLSTATE (never their text): StoreUnavailable with a reason,
  SequenceConflict, DuplicateKey; otherwise StoreError.

Porting a method from sqlite.py: `?` becomes `%s`; `INSERT OR REPLACE` becomes `INSERT ... ON
CONFLICT (key) DO UPDATE`; `_write(statements, check, commit)` and `_all(query, params, conn)`
take the same arguments (a `check` gets the transaction's connection); booleans are BOOLEAN; a
write that changes what `setups()` returns also runs `UPDATE meta SET value = value + 1 WHERE
key = 'setups'` (SQLite's data_version moves by itself), so other processes take it up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from moderator.core.agenda import AgendaSeries, AgendaSession
from moderator.core.attendance import PresenceSpan
from moderator.core.state import Setup, Speaker
from moderator.store.protocol import (
    CreatedSeries,
    DuplicateKey,
    Event,
    Principal,
    Reason,
    SequenceConflict,
    SeriesAmendment,
    SeriesInfo,
    Statement,
    Store,
    StoreError,
    StoreUnavailable,
    Subscriber,
    Video,
)
from moderator.store.tokens import delegation_token, new_id, new_token, same_hash, token_hash

log = logging.getLogger("moderator.store.postgres")

Connection = psycopg.AsyncConnection[TupleRow]
Commit = tuple[str, int, list[Event]]
CHANNEL = "moderator_commits"  # one per database: the sessions' ids say whose commit it is
POLL_S = 1.5  # the listener reads every head this often: a missed notification costs at most this
PROBE_TIMEOUT_S = 5.0  # the listener's poll takes longer: its connection is dead (no RST came)
# libpq settings unless the URL gives its own: a server that does not answer at connect is
# `unavailable` after 3 s; TCP keepalives and a 15 s limit on unacknowledged data end a
# connection to a host that vanished without closing it (a network cut, a power loss).
CONNECTION_DEFAULTS: dict[str, str | int] = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}
POOL_TIMEOUT_S = 5.0  # waiting for a pooled connection (all busy, or the server is down)
POOL_MAX = 8  # connections per process, besides the listener's
SCHEMA_LOCK = 0x6D6F64  # advisory lock: two processes starting at once write the schema one at a time

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta VALUES ('setups', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS series (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, format TEXT NOT NULL, venue TEXT NOT NULL,
  timezone TEXT NOT NULL, created_at BIGINT NOT NULL, created BIGSERIAL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, series_id TEXT NOT NULL REFERENCES series(id), key TEXT NOT NULL,
  position INTEGER NOT NULL, sur TEXT NOT NULL, start_ms BIGINT NOT NULL, minutes INTEGER NOT NULL,
  question_seconds INTEGER NOT NULL, format TEXT, sur_statement_seconds INTEGER,
  warning_seconds INTEGER NOT NULL DEFAULT 60, answer_seconds INTEGER NOT NULL DEFAULT 120);
CREATE TABLE IF NOT EXISTS speakers (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), key TEXT NOT NULL,
  position INTEGER NOT NULL, name TEXT NOT NULL, public_name TEXT, organisation TEXT NOT NULL,
  kind TEXT NOT NULL, theme TEXT NOT NULL, language TEXT NOT NULL, seconds INTEGER NOT NULL,
  publish BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS delegations (
  series_id TEXT NOT NULL REFERENCES series(id), state TEXT NOT NULL, label TEXT,
  PRIMARY KEY (series_id, state));
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY, kind TEXT NOT NULL, series_id TEXT, state TEXT);
CREATE TABLE IF NOT EXISTS heads (session_id TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, at BIGINT NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY (session_id, seq));
CREATE TABLE IF NOT EXISTS videos (
  speaker_id TEXT PRIMARY KEY, path TEXT NOT NULL, content_type TEXT NOT NULL, size BIGINT NOT NULL,
  duration_ms BIGINT);
CREATE TABLE IF NOT EXISTS statements (
  speaker_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, size BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS presence (
  id BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, state TEXT NOT NULL,
  connected_at BIGINT NOT NULL, disconnected_at BIGINT);
CREATE INDEX IF NOT EXISTS presence_by_session ON presence (session_id, connected_at);
CREATE TABLE IF NOT EXISTS screen_names (
  series_id TEXT NOT NULL, client_id TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (series_id, client_id));
"""

# Columns added since the first schema: (table, column, declaration). A database made before gets
# them when a process opens it (under the schema's advisory lock), as sqlite.py's _migrate does.
_ADDED_COLUMNS = (
    ("sessions", "format", "TEXT"),  # NULL: the series' format (rows from before sessions had their own)
    ("sessions", "sur_statement_seconds", "INTEGER"),
    ("sessions", "warning_seconds", "INTEGER NOT NULL DEFAULT 60"),
    ("sessions", "answer_seconds", "INTEGER NOT NULL DEFAULT 120"),
)


async def _migrate(conn: Connection) -> None:
    """Add the columns a database made before lacks. Only those: an ALTER TABLE locks the table
    whole, and the other processes on the database are serving from it."""
    rows = await (
        await conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    ).fetchall()
    present = {(r[0], r[1]) for r in rows}
    for table, column, declaration in _ADDED_COLUMNS:
        if (table, column) not in present:
            await conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}".encode())


# SQLSTATE classes (the first two characters) and codes: the kind of a failure, never its text.
_CLASSES: dict[str, Reason] = {
    "08": "cannot_open",  # connection exception
    "28": "permission",  # invalid authorization
    "3D": "cannot_open",  # the database does not exist
    "53": "full",  # insufficient resources (disk full, out of memory, too many connections)
    "57": "cannot_open",  # operator intervention: shutting down, cannot connect now
    "58": "io",  # system error (an I/O error)
    "XX": "corrupt",  # internal error, data corrupted
    "40": "busy",  # a deadlock or serialization failure
    "55": "busy",  # object not in prerequisite state: a lock not available
}
_CODES: dict[str, Reason] = {
    "25006": "read_only",  # read_only_sql_transaction
    "42501": "permission",  # insufficient_privilege
    "53300": "busy",  # too_many_connections
    "57014": "busy",  # query_canceled (statement_timeout)
}


def typed(e: psycopg.Error | PoolTimeout) -> StoreError:
    """The protocol's error for a driver error, by its class and PostgreSQL's SQLSTATE."""
    detail = str(e).strip() or type(e).__name__
    if isinstance(e, PoolTimeout):
        return StoreUnavailable(detail, "cannot_open")
    code = e.sqlstate
    if isinstance(e, errors.UniqueViolation):
        return DuplicateKey(detail)
    if code is None:
        # No answer from the server: the connection failed or was lost (OperationalError);
        # anything else without a code is a misuse of the driver (a closed connection...).
        return (
            StoreUnavailable(detail, "cannot_open")
            if isinstance(e, psycopg.OperationalError)
            else StoreError(detail)
        )
    if code in _CODES:
        return StoreUnavailable(detail, _CODES[code])
    if code[:2] in _CLASSES:
        return StoreUnavailable(detail, _CLASSES[code[:2]])
    return StoreError(detail)  # our SQL is wrong, a constraint the code broke...


def system_error(e: OSError) -> StoreUnavailable:
    return StoreUnavailable(e.strerror or str(e), "system")


Statements = list[tuple[str, Sequence[Any]]]


def _session_rows(
    series_id: str, position: int, s: AgendaSession, series_format: str
) -> tuple[Statements, dict[str, Any]]:
    """The rows of a new session and its speakers (new ids), and its entry for CreatedSeries.sessions."""
    session_id = new_id()
    stmts: Statements = [
        (
            "INSERT INTO sessions (id, series_id, key, position, sur, start_ms, minutes, question_seconds, "
            "format, sur_statement_seconds, warning_seconds, answer_seconds) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                session_id,
                series_id,
                s.key,
                position,
                s.state_under_review,
                s.start_ms,
                s.minutes,
                s.question_seconds,
                s.format or series_format,
                s.sur_statement_seconds,
                s.warning_seconds,
                s.answer_seconds,
            ),
        )
    ]
    speakers = []
    for spos, sp in enumerate(s.speakers):
        speaker_id = new_id()
        stmts.append(
            (
                "INSERT INTO speakers VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    speaker_id,
                    session_id,
                    sp.key,
                    spos,
                    sp.name,
                    sp.public_name,
                    sp.organisation,
                    sp.kind,
                    sp.theme,
                    sp.language,
                    sp.seconds,
                    bool(sp.publish),
                ),
            )
        )
        speakers.append({"key": sp.key, "id": speaker_id})
    return stmts, {"key": s.key, "id": session_id, "speakers": speakers}


def _delegation_rows(series_id: str, state: str, label: str | None, token: str) -> Statements:
    return [
        ("INSERT INTO delegations VALUES (%s, %s, %s)", (series_id, state, label)),
        (
            "INSERT INTO tokens (hash, kind, series_id, state) VALUES (%s, 'delegation', %s, %s)",
            (token_hash(token), series_id, state),
        ),
    ]


def _append_rows(session_id: str, after_seq: int, events: list[Event]) -> Statements:
    """A session's events as seq after_seq+1..., its head moved and the other processes told."""
    new_seq = after_seq + len(events)
    stmts: Statements = [
        (
            "INSERT INTO events VALUES (%s, %s, %s, %s, %s)",
            (session_id, after_seq + i + 1, e["type"], e["at"], json.dumps(e, ensure_ascii=False)),
        )
        for i, e in enumerate(events)
    ]
    stmts.append(("UPDATE heads SET seq = %s WHERE session_id = %s", (new_seq, session_id)))
    stmts.append(("SELECT pg_notify(%s, %s)", (CHANNEL, f"{session_id} {new_seq}")))
    return stmts


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class _AlreadyThere(Exception):
    """Another process wrote it first (rolls the transaction back)."""


@dataclass(frozen=True, slots=True)
class _Head:
    """Something for the delivery task: a commit of this process (its events known), or a
    notification or a poll saying that the session's log reaches `seq` (events to be read)."""

    session_id: str
    seq: int
    after_seq: int | None = None
    events: list[Event] | None = None


class PostgresStore:
    """PostgreSQL through psycopg 3: a pool for reads and writes, one listener connection."""

    def __init__(self, pool: AsyncConnectionPool[Connection], conninfo: str, heads: dict[str, int]) -> None:
        self._pool = pool
        self._conninfo = conninfo
        self._subscribers: list[Subscriber] = []
        # The presence spans this process began and has not ended (end_presence ends these only).
        self._open_spans: set[int] = set()
        # The last seq of each session handed to the subscribers (the log's head when opened).
        self._delivered = heads
        # Commits and notifications, in the order they came (None: closing).
        self._commits: asyncio.Queue[_Head | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self._delivery = loop.create_task(self._deliver())
        self._listening = asyncio.Event()
        self._listener = loop.create_task(self._listen())

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect (and write the schema if missing); raises StoreUnavailable, by its reason, if it cannot."""
        try:
            given = psycopg.conninfo.conninfo_to_dict(url)
            conninfo = psycopg.conninfo.make_conninfo(
                url, **{k: v for k, v in CONNECTION_DEFAULTS.items() if k not in given}
            )
        except psycopg.ProgrammingError as e:
            raise StoreUnavailable(str(e), "refused") from e
        try:
            # One connection first: its error says why a server cannot be used (the pool's only
            # says that it timed out).
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                    await conn.execute(SCHEMA)
                    await _migrate(conn)
                rows = await (await conn.execute("SELECT session_id, seq FROM heads")).fetchall()
        except OSError as e:
            raise system_error(e) from e
        except psycopg.Error as e:
            raise typed(e) from e
        pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=POOL_MAX,
            timeout=POOL_TIMEOUT_S,
            kwargs={"autocommit": True},
            check=AsyncConnectionPool.check_connection,  # one lost in a restart is replaced, not used
            open=False,
        )
        await pool.open(wait=False)
        return cls(pool, conninfo, {r[0]: r[1] for r in rows})

    async def close(self) -> None:
        """Deliver the commits made so far to the subscribers, then close the connections."""
        self._listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._listener
        self._commits.put_nowait(None)
        try:
            if not self._delivery.done():
                await self._delivery
        finally:
            await self._pool.close()

    # ---- transactions ---------------------------------------------------------------------------

    async def _write(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        check: Callable[[Connection], Awaitable[None]] | None = None,
        commit: Commit | None = None,
        commits: Sequence[Commit] = (),
    ) -> None:
        """Run `check` then `statements` in one transaction; all or nothing. `commit` (and
        `commits`) go to the subscribers after the COMMIT (their notifications, in the same
        transaction, to the others)."""
        await self._transaction(statements, check)
        for session_id, after_seq, events in (*([commit] if commit is not None else []), *commits):
            self._commits.put_nowait(_Head(session_id, after_seq + len(events), after_seq, events))

    async def _transaction(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        check: Callable[[Connection], Awaitable[None]] | None,
    ) -> None:
        try:
            async with self._pool.connection() as conn, conn.transaction():
                if check is not None:
                    await check(conn)
                for statement, params in statements:
                    await conn.execute(statement.encode(), params)
        except psycopg.Error as e:  # the transaction was rolled back, or its connection lost
            raise typed(e) from e
        except PoolTimeout as e:
            raise typed(e) from e

    async def _all(self, query: str, params: Sequence[Any] = (), conn: Connection | None = None) -> list[Any]:
        try:
            if conn is not None:
                return await (await conn.execute(query.encode(), params)).fetchall()
            async with self._pool.connection() as pooled:
                return await (await pooled.execute(query.encode(), params)).fetchall()
        except (psycopg.Error, PoolTimeout) as e:
            raise typed(e) from e

    async def _deliver(self) -> None:
        while (head := await self._commits.get()) is not None:
            try:
                commit = await self._commit_of(head)
            except StoreError as e:  # the database is away: the next poll brings the session back here
                log.warning("could not read session %s up to seq %d: %s", head.session_id, head.seq, e)
                continue
            if commit is None:
                continue
            for subscriber in list(self._subscribers):
                try:
                    await subscriber(*commit)
                except Exception:  # the events are stored: one subscriber's trouble is not the others'
                    log.exception("a subscriber failed on session %s after seq %d", commit[0], commit[1])

    async def _commit_of(self, head: _Head) -> Commit | None:
        """The events of `head` not delivered yet, as one commit (None if there are none)."""
        have = self._delivered.get(head.session_id, 0)
        if head.seq <= have:
            return None
        if head.events is not None and head.after_seq is not None and head.after_seq <= have:
            events = head.events[have - head.after_seq :]  # this process's own commit
        else:  # another process's, or one of ours after another's not delivered yet
            rows = await self._all(
                "SELECT body FROM events WHERE session_id = %s AND seq > %s AND seq <= %s ORDER BY seq",
                (head.session_id, have, head.seq),
            )
            events = [json.loads(r[0]) for r in rows]
        if not events:
            return None
        self._delivered[head.session_id] = have + len(events)
        return head.session_id, have, events

    # ---- the listener: notifications, and a poll that also probes its connection ---------------

    async def _listen(self) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
            except psycopg.Error as e:
                log.warning("cannot open the listener connection (%s); trying again in %s s", e, POLL_S)
                await asyncio.sleep(POLL_S)
                continue
            try:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                while True:
                    await self._probe(conn)
                    self._listening.set()
                    async for notify in conn.notifies(timeout=POLL_S):
                        self._notified(notify.payload)
            except (psycopg.Error, TimeoutError) as e:
                self._listening.clear()
                log.warning("the listener connection was lost (%s); opening it again", e)
                await asyncio.sleep(0.2)
            finally:
                await conn.close()  # never a ROLLBACK first: the connection may not answer

    async def _probe(self, conn: Connection) -> None:
        """The poll, with a deadline: a connection that does not answer within PROBE_TIMEOUT_S
        (a network cut sends no RST) is closed at once, never cancelled politely (psycopg would
        ask the server to cancel the query and wait for it, which a dead server never does)."""
        poll = asyncio.ensure_future(self._poll(conn))
        try:
            done, _ = await asyncio.wait({poll}, timeout=PROBE_TIMEOUT_S)
        except asyncio.CancelledError:
            # The store is closing (close() cancels the listener): the poll ends before its
            # connection is closed below. A poll left running on a closed socket kept its file
            # descriptor registered with the event loop, and the next socket given that number
            # (another connection of the same process) failed to register (FileNotFoundError).
            poll.cancel()
            await asyncio.gather(poll, return_exceptions=True)
            raise
        if not done:
            await conn.close()  # its socket is closed: nothing is waited for on it any more
            poll.cancel()
            await asyncio.gather(poll, return_exceptions=True)
            raise TimeoutError(f"no answer to the poll within {PROBE_TIMEOUT_S} s")
        poll.result()

    async def _poll(self, conn: Connection) -> None:
        """Every session's head, on the listener's connection: a session whose log moved past what
        was delivered is read (a missed notification); a dead connection raises here."""
        rows = await (await conn.execute("SELECT session_id, seq FROM heads")).fetchall()
        for session_id, seq in rows:
            if seq > self._delivered.get(session_id, 0):
                self._commits.put_nowait(_Head(session_id, seq))

    def _notified(self, payload: str) -> None:
        session_id, _, seq = payload.rpartition(" ")
        if session_id and seq.isdigit():
            self._commits.put_nowait(_Head(session_id, int(seq)))
        else:
            log.warning("a notification on %s that is not 'session seq': %r", CHANNEL, payload[:100])

    async def listening(self) -> None:
        """Return once the listener connection is up (for tests and the start-up)."""
        await self._listening.wait()

    # ---- the admin token ------------------------------------------------------------------------

    async def ensure_admin_token(self, from_env: str | None) -> str | None:
        """Make `from_env` the admin token, or on first start generate one; return it only if generated.
        Several processes starting at once on a new database: one generates it (an advisory lock)."""
        rows = await self._all("SELECT hash FROM tokens WHERE kind = 'admin'")
        if from_env:
            wanted = token_hash(from_env)
            if rows and rows[0][0] == wanted:
                return None
            await self._write(
                [
                    ("DELETE FROM tokens WHERE kind = 'admin' AND hash <> %s", (wanted,)),
                    (
                        "INSERT INTO tokens (hash, kind) VALUES (%s, 'admin') ON CONFLICT DO NOTHING",
                        (wanted,),
                    ),
                ]
            )
            return None
        if rows:
            return None
        token = new_token()

        async def none_yet(conn: Connection) -> None:
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            if await self._all("SELECT 1 FROM tokens WHERE kind = 'admin'", (), conn):
                raise _AlreadyThere

        try:
            await self._write(
                [("INSERT INTO tokens (hash, kind) VALUES (%s, 'admin')", (token_hash(token),))], none_yet
            )
        except _AlreadyThere:
            return None  # another process generated it meanwhile (and printed it)
        return token

    async def principal(self, token: str) -> Principal | None:
        """Whose token this is, or None."""
        wanted = token_hash(token)
        rows = await self._all("SELECT hash, kind, series_id, state FROM tokens WHERE hash = %s", (wanted,))
        if not rows or not same_hash(rows[0][0], wanted):
            return None
        _, kind, series_id, state = rows[0]
        return Principal(kind, series_id, state)

    # ---- setup ----------------------------------------------------------------------------------

    async def create_series(self, agenda: AgendaSeries) -> CreatedSeries:
        """Store a whole agenda in one transaction and issue its tokens."""
        series_id = new_id()
        moderator_token = new_token()
        stmts: list[tuple[str, Sequence[Any]]] = [
            (
                "INSERT INTO series (id, title, format, venue, timezone, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (series_id, agenda.title, agenda.format, agenda.venue, agenda.timezone, now_ms()),
            ),
            (
                "INSERT INTO tokens (hash, kind, series_id) VALUES (%s, 'moderator', %s)",
                (token_hash(moderator_token), series_id),
            ),
            ("UPDATE meta SET value = value + 1 WHERE key = 'setups'", ()),
        ]
        sessions = []
        for pos, s in enumerate(agenda.sessions):
            rows, created = _session_rows(series_id, pos, s, agenda.format)
            stmts += rows
            sessions.append(created)
        delegations = []
        for d in agenda.delegations:
            token = delegation_token(moderator_token, series_id, d.state)
            stmts += _delegation_rows(series_id, d.state, d.label, token)
            delegations.append({"state": d.state, "token": token})
        await self._write(stmts)
        return CreatedSeries(series_id, moderator_token, sessions, delegations)

    async def reissue_tokens(self, series_id: str) -> tuple[str, dict[str, str]]:
        """New moderator and mission tokens for a series (the old ones stop working)."""
        moderator_token = new_token()
        states = [
            r[0] for r in await self._all("SELECT state FROM delegations WHERE series_id = %s", (series_id,))
        ]
        stmts: list[tuple[str, Sequence[Any]]] = [
            ("DELETE FROM tokens WHERE series_id = %s", (series_id,)),
            (
                "INSERT INTO tokens (hash, kind, series_id) VALUES (%s, 'moderator', %s)",
                (token_hash(moderator_token), series_id),
            ),
        ]
        tokens = {}
        for state in states:
            tokens[state] = delegation_token(moderator_token, series_id, state)
            stmts.append(
                (
                    "INSERT INTO tokens (hash, kind, series_id, state) VALUES (%s, 'delegation', %s, %s)",
                    (token_hash(tokens[state]), series_id, state),
                )
            )
        await self._write(stmts)
        return moderator_token, tokens

    async def series(self, series_id: str | None = None) -> list[SeriesInfo]:
        query = "SELECT id, title, format, venue, timezone FROM series"
        rows = await self._all(
            query + " WHERE id = %s" if series_id else query + " ORDER BY created",
            (series_id,) if series_id else (),
        )
        return [SeriesInfo(*r) for r in rows]

    async def delegations(self, series_id: str) -> list[tuple[str, str | None]]:
        rows = await self._all(
            "SELECT state, label FROM delegations WHERE series_id = %s ORDER BY state", (series_id,)
        )
        return [(r[0], r[1]) for r in rows]

    async def series_sessions(self, series_id: str) -> list[str]:
        rows = await self._all("SELECT id FROM sessions WHERE series_id = %s ORDER BY position", (series_id,))
        return [r[0] for r in rows]

    async def amend_series(self, series_id: str, amendment: SeriesAmendment) -> list[dict[str, Any]]:
        """Store a series' new agenda in one transaction; SequenceConflict if a log moved on. Each
        session it appends to is row-locked first (in id order: two amendments never deadlock)
        and its head checked; each one's notification goes out with the commit."""
        info = amendment.series
        stmts: Statements = [
            (
                "UPDATE series SET title = %s, format = %s, venue = %s, timezone = %s WHERE id = %s",
                (info.title, info.format, info.venue, info.timezone, series_id),
            ),
            ("UPDATE meta SET value = value + 1 WHERE key = 'setups'", ()),
        ]
        for session_id in amendment.removed:
            stmts += [
                ("DELETE FROM events WHERE session_id = %s", (session_id,)),
                ("DELETE FROM heads WHERE session_id = %s", (session_id,)),
                ("DELETE FROM speakers WHERE session_id = %s", (session_id,)),
                ("DELETE FROM sessions WHERE id = %s AND series_id = %s", (session_id, series_id)),
            ]
        for session_id, position in amendment.positions.items():
            stmts.append(("UPDATE sessions SET position = %s WHERE id = %s", (position, session_id)))
        created = []
        for position, session in amendment.created:
            rows, entry = _session_rows(series_id, position, session, info.format)
            stmts += rows
            created.append(entry)
        for state, label, token in amendment.delegations_added:
            stmts += _delegation_rows(series_id, state, label, token)
        for state, label in amendment.delegations_relabelled:
            stmts.append(
                (
                    "UPDATE delegations SET label = %s WHERE series_id = %s AND state = %s",
                    (label, series_id, state),
                )
            )
        for state in amendment.delegations_removed:
            stmts += [
                ("DELETE FROM delegations WHERE series_id = %s AND state = %s", (series_id, state)),
                (
                    "DELETE FROM tokens WHERE kind = 'delegation' AND series_id = %s AND state = %s",
                    (series_id, state),
                ),
            ]
        commits: list[Commit] = []
        for session_id, (after_seq, events) in sorted(amendment.appends.items()):
            if not events:
                continue
            commits.append((session_id, after_seq, list(events)))
            stmts += _append_rows(session_id, after_seq, events)

        async def logs_end_where_expected(conn: Connection) -> None:
            for session_id, after_seq, _ in commits:
                await self._lock_head(conn, session_id, after_seq)

        try:
            await self._write(stmts, logs_end_where_expected, commits=commits)
        except DuplicateKey as e:
            raise SequenceConflict(str(e)) from e
        return created

    async def setups(self, session_id: str | None = None, conn: Connection | None = None) -> list[Setup]:
        """The agenda facts of every session (or one), speakers in agenda order."""
        where = "WHERE s.id = %s" if session_id else ""
        rows = await self._all(
            "SELECT s.id, s.series_id, s.key, r.title, COALESCE(s.format, r.format), r.venue, s.sur, "
            "s.start_ms, s.minutes, s.question_seconds, s.sur_statement_seconds, s.warning_seconds, "
            "s.answer_seconds "
            f"FROM sessions s JOIN series r ON r.id = s.series_id {where} "
            "ORDER BY r.created, s.position",
            (session_id,) if session_id else (),
            conn,
        )
        speakers: dict[str, list[Speaker]] = {}
        for r in await self._all(
            "SELECT p.session_id, p.id, p.key, p.name, p.organisation, p.kind, p.theme, p.language, "
            "p.seconds, p.public_name, p.publish FROM speakers p ORDER BY p.session_id, p.position",
            (),
            conn,
        ):
            speakers.setdefault(r[0], []).append(
                Speaker(
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    r[8] * 1000,
                    public_name=r[9],
                    publish=bool(r[10]),
                )
            )
        return [
            Setup(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                tuple(speakers.get(r[0], ())),
                sur_statement_seconds=r[10],
                warning_seconds=r[11],
                answer_seconds=r[12],
            )
            for r in rows
        ]

    # ---- the event log --------------------------------------------------------------------------

    async def events(self, session_id: str, after_seq: int = 0) -> list[Event]:
        """A session's events after `after_seq` (all by default), in seq order."""
        rows = await self._all(
            "SELECT body FROM events WHERE session_id = %s AND seq > %s ORDER BY seq", (session_id, after_seq)
        )
        return [json.loads(r[0]) for r in rows]

    async def all_events(self) -> dict[str, list[Event]]:
        """Every session's log, for the start-up fold (one pass over the table)."""
        out: dict[str, list[Event]] = {}
        for session_id, body in await self._all(
            "SELECT session_id, body FROM events ORDER BY session_id, seq"
        ):
            out.setdefault(session_id, []).append(json.loads(body))
        return out

    async def append(self, session_id: str, after_seq: int, events: list[Event]) -> int:
        """Commit `events` as seq after_seq+1...; return the new seq. Under the session's row lock;
        SequenceConflict if the log does not end at `after_seq` (another process appended first):
        nothing is stored then. The notification goes out with the commit."""
        if not events:
            return after_seq

        async def log_ends_at_after_seq(conn: Connection) -> None:
            await self._lock_head(conn, session_id, after_seq)

        try:
            await self._write(
                _append_rows(session_id, after_seq, events),
                log_ends_at_after_seq,
                (session_id, after_seq, list(events)),
            )
        except DuplicateKey as e:  # by its kind: a taken (session_id, seq) is someone else's append
            raise SequenceConflict(str(e)) from e
        return after_seq + len(events)

    async def _lock_head(self, conn: Connection, session_id: str, after_seq: int) -> None:
        """Take the session's row lock (another process's append waits here until this transaction
        ends); SequenceConflict unless its log ends at `after_seq`."""
        await conn.execute(
            "INSERT INTO heads VALUES (%s, 0) ON CONFLICT DO NOTHING", (session_id,), prepare=True
        )
        rows = await self._all("SELECT seq FROM heads WHERE session_id = %s FOR UPDATE", (session_id,), conn)
        last = rows[0][0]
        if last != after_seq:
            raise SequenceConflict(f"session {session_id} is at seq {last}, not {after_seq}")

    async def setups_version(self, conn: Connection | None = None) -> int:
        """A number that moves whenever a series is created or amended (by any process)."""
        rows = await self._all("SELECT value FROM meta WHERE key = 'setups'", (), conn)
        return int(rows[0][0])

    async def setups_if_changed(self, seen: int | None) -> tuple[int, list[Setup] | None]:
        """(version, every setup) if a series was created or amended since version `seen`, else
        (seen, None).

        Read in one REPEATABLE READ transaction (one snapshot), so a half-written series never shows.
        """
        try:
            async with self._pool.connection() as conn:
                await conn.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
                try:
                    async with conn.transaction():
                        version = await self.setups_version(conn)
                        if version == seen:
                            return version, None
                        return version, await self.setups(conn=conn)
                finally:
                    await conn.set_isolation_level(None)
        except (psycopg.Error, PoolTimeout) as e:
            raise typed(e) from e

    def subscribe(self, subscriber: Subscriber) -> None:
        """Await `subscriber(session_id, after_seq, events)` after every commit, this process's and
        (through LISTEN, or the poll) every other's, in seq order per session, from the delivery task."""
        self._subscribers.append(subscriber)

    # ---- videos ---------------------------------------------------------------------------------

    async def save_video(self, video: Video) -> None:
        await self._write(
            [
                (
                    "INSERT INTO videos VALUES (%s, %s, %s, %s, %s) ON CONFLICT (speaker_id) DO UPDATE SET "
                    "path = EXCLUDED.path, content_type = EXCLUDED.content_type, size = EXCLUDED.size, "
                    "duration_ms = EXCLUDED.duration_ms",
                    (video.speaker_id, video.path, video.content_type, video.size, video.duration_ms),
                )
            ]
        )

    async def video(self, speaker_id: str) -> Video | None:
        rows = await self._all(
            "SELECT speaker_id, path, content_type, size, duration_ms FROM videos WHERE speaker_id = %s",
            (speaker_id,),
        )
        return Video(*rows[0]) if rows else None

    async def screen_names(self, series_id: str) -> dict[str, str]:
        rows = await self._all("SELECT client_id, name FROM screen_names WHERE series_id = %s", (series_id,))
        return {str(r[0]): str(r[1]) for r in rows}

    async def name_screen(self, series_id: str, client_id: str, name: str) -> None:
        if name:
            await self._write(
                [
                    (
                        "INSERT INTO screen_names VALUES (%s, %s, %s) "
                        "ON CONFLICT (series_id, client_id) DO UPDATE SET name = EXCLUDED.name",
                        (series_id, client_id, name),
                    )
                ]
            )
        else:
            await self._write(
                [
                    (
                        "DELETE FROM screen_names WHERE series_id = %s AND client_id = %s",
                        (series_id, client_id),
                    )
                ]
            )

    async def session_of_speaker(self, speaker_id: str) -> str | None:
        rows = await self._all("SELECT session_id FROM speakers WHERE id = %s", (speaker_id,))
        return str(rows[0][0]) if rows else None

    # ---- written statements ---------------------------------------------------------------------

    async def save_statement(self, statement: Statement) -> None:
        """Record (or replace) a speaker's statement; as SQLite's INSERT OR REPLACE, another
        speaker's row under the same file name goes (the name is unique)."""
        await self._write(
            [
                (
                    "DELETE FROM statements WHERE path = %s AND speaker_id <> %s",
                    (statement.path, statement.speaker_id),
                ),
                (
                    "INSERT INTO statements VALUES (%s, %s, %s) ON CONFLICT (speaker_id) DO UPDATE SET "
                    "path = EXCLUDED.path, size = EXCLUDED.size",
                    (statement.speaker_id, statement.path, statement.size),
                ),
            ]
        )

    async def statement(self, speaker_id: str) -> Statement | None:
        rows = await self._all(
            "SELECT speaker_id, path, size FROM statements WHERE speaker_id = %s", (speaker_id,)
        )
        return Statement(*rows[0]) if rows else None

    async def statement_named(self, path: str) -> Statement | None:
        rows = await self._all("SELECT speaker_id, path, size FROM statements WHERE path = %s", (path,))
        return Statement(*rows[0]) if rows else None

    # ---- presence -------------------------------------------------------------------------------

    async def presence_began(self, session_id: str, state: str, at: int) -> int:
        rows = await self._all(  # one statement on an autocommit connection: its own transaction
            "INSERT INTO presence (session_id, state, connected_at) VALUES (%s, %s, %s) RETURNING id",
            (session_id, state, at),
        )
        span_id = int(rows[0][0])
        self._open_spans.add(span_id)
        return span_id

    async def presence_ended(self, span_id: int, at: int) -> None:
        await self._write(
            [
                (
                    "UPDATE presence SET disconnected_at = GREATEST(%s, connected_at) "
                    "WHERE id = %s AND disconnected_at IS NULL",
                    (at, span_id),
                )
            ]
        )
        self._open_spans.discard(span_id)

    async def end_presence(self, at: int) -> int:
        """End the spans this process began that are still open (the server stops). Not every
        open span of the database: the other processes on it still serve their phones."""
        spans = sorted(self._open_spans)
        if not spans:
            return 0
        rows = await self._all(
            "UPDATE presence SET disconnected_at = GREATEST(%s, connected_at) "
            "WHERE id = ANY(%s) AND disconnected_at IS NULL RETURNING id",
            (at, spans),
        )
        self._open_spans.difference_update(spans)
        return len(rows)

    async def presence(self, session_ids: list[str]) -> list[PresenceSpan]:
        if not session_ids:
            return []
        rows = await self._all(
            "SELECT session_id, state, connected_at, disconnected_at FROM presence "
            "WHERE session_id = ANY(%s) ORDER BY session_id, connected_at, id",
            (list(session_ids),),
        )
        return [PresenceSpan(r[0], r[1], r[2], r[3]) for r in rows]


def _implements_the_protocol(store: PostgresStore) -> Store:
    return store  # mypy checks here that PostgresStore is a Store
