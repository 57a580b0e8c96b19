"""The SQLite store: setup tables, hashed tokens and the append-only event log (WAL), through aiosqlite.

It implements the Store protocol (protocol.py), the only interface the rest of the server sees;
this is the only module with SQL. Driver errors leave it typed by their kind (SQLite's error
codes, never their text): StoreUnavailable with a reason, SequenceConflict, DuplicateKey.
Subscribers are awaited by a delivery task, after the commit and in commit order, so `append`
returns without waiting for them (as a PostgreSQL store's notifications would arrive).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

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

log = logging.getLogger("moderator.store.sqlite")

Commit = tuple[str, int, list[Event]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, format TEXT NOT NULL, venue TEXT NOT NULL,
  timezone TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, series_id TEXT NOT NULL REFERENCES series(id), key TEXT NOT NULL,
  position INTEGER NOT NULL, sur TEXT NOT NULL, start_ms INTEGER NOT NULL, minutes INTEGER NOT NULL,
  question_seconds INTEGER NOT NULL, format TEXT, sur_statement_seconds INTEGER,
  warning_seconds INTEGER NOT NULL DEFAULT 60, answer_seconds INTEGER NOT NULL DEFAULT 120);
CREATE TABLE IF NOT EXISTS speakers (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), key TEXT NOT NULL,
  position INTEGER NOT NULL, name TEXT NOT NULL, public_name TEXT, organisation TEXT NOT NULL,
  kind TEXT NOT NULL, theme TEXT NOT NULL, language TEXT NOT NULL, seconds INTEGER NOT NULL,
  publish INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS delegations (
  series_id TEXT NOT NULL REFERENCES series(id), state TEXT NOT NULL, label TEXT,
  PRIMARY KEY (series_id, state));
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY, kind TEXT NOT NULL, series_id TEXT, state TEXT);
CREATE TABLE IF NOT EXISTS events (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS videos (
  speaker_id TEXT PRIMARY KEY, path TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL,
  duration_ms INTEGER);
CREATE TABLE IF NOT EXISTS statements (
  speaker_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS presence (
  id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, state TEXT NOT NULL,
  connected_at INTEGER NOT NULL, disconnected_at INTEGER);
CREATE INDEX IF NOT EXISTS presence_by_session ON presence (session_id, connected_at);
CREATE TABLE IF NOT EXISTS screen_names (
  series_id TEXT NOT NULL, client_id TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (series_id, client_id)) WITHOUT ROWID;
"""


_REASONS: dict[int, Reason] = {
    sqlite3.SQLITE_READONLY: "read_only",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_CANTOPEN: "cannot_open",
    sqlite3.SQLITE_NOTADB: "not_a_database",
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_IOERR: "io",
    sqlite3.SQLITE_BUSY: "busy",
    sqlite3.SQLITE_LOCKED: "busy",
    sqlite3.SQLITE_PERM: "permission",
    sqlite3.SQLITE_AUTH: "permission",
}
_BUGS = {sqlite3.SQLITE_ERROR, sqlite3.SQLITE_MISUSE, sqlite3.SQLITE_RANGE}  # our SQL is wrong
_TAKEN = {sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE}


def typed(e: sqlite3.Error) -> StoreError:
    """The protocol's error for a driver error, by its class and SQLite's (extended) error code."""
    code = getattr(e, "sqlite_errorcode", None)
    detail = str(e)
    if isinstance(e, sqlite3.IntegrityError):
        return DuplicateKey(detail) if code in _TAKEN else StoreError(detail)
    if not isinstance(e, sqlite3.DatabaseError) or isinstance(e, sqlite3.ProgrammingError) or code is None:
        return StoreError(detail)  # misuse of the module itself (a closed connection...)
    primary = code & 0xFF
    if primary in _BUGS:
        return StoreError(detail)
    return StoreUnavailable(detail, _REASONS.get(primary, "refused"))


def system_error(e: OSError) -> StoreUnavailable:
    return StoreUnavailable(e.strerror or str(e), "system")


# Columns added since the first schema: (table, column, declaration). A file made before gets them.
_ADDED_COLUMNS = (
    ("sessions", "format", "TEXT"),  # NULL: the series' format (rows from before sessions had their own)
    ("sessions", "sur_statement_seconds", "INTEGER"),
    ("sessions", "warning_seconds", "INTEGER NOT NULL DEFAULT 60"),
    ("sessions", "answer_seconds", "INTEGER NOT NULL DEFAULT 120"),
)


async def _migrate(db: aiosqlite.Connection) -> None:
    for table, column, declaration in _ADDED_COLUMNS:
        async with db.execute(f"PRAGMA table_info({table})") as cur:
            names = {row[1] for row in await cur.fetchall()}
        if column not in names:
            await db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


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
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                "INSERT INTO speakers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    int(sp.publish),
                ),
            )
        )
        speakers.append({"key": sp.key, "id": speaker_id})
    return stmts, {"key": s.key, "id": session_id, "speakers": speakers}


def _delegation_rows(series_id: str, state: str, label: str | None, token: str) -> Statements:
    return [
        ("INSERT INTO delegations VALUES (?, ?, ?)", (series_id, state, label)),
        (
            "INSERT INTO tokens (hash, kind, series_id, state) VALUES (?, 'delegation', ?, ?)",
            (token_hash(token), series_id, state),
        ),
    ]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class SQLiteStore:
    """SQLite through aiosqlite; one connection, explicit transactions, WAL, synchronous=FULL."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._subscribers: list[Subscriber] = []
        # One connection: transactions of different sessions' writers must not interleave on it.
        self._write_lock = asyncio.Lock()
        # Commits in commit order, awaited by the subscribers one at a time (None: closing).
        self._commits: asyncio.Queue[Commit | None] = asyncio.Queue()
        self._delivery = asyncio.get_running_loop().create_task(self._deliver())

    @classmethod
    async def open(cls, path: str | Path) -> SQLiteStore:
        """Open (or create) the database file; raises StoreUnavailable, by its reason, if it cannot."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, isolation_level=None)
        except OSError as e:
            raise system_error(e) from e
        except sqlite3.Error as e:
            raise typed(e) from e
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=FULL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            await db.executescript(SCHEMA)
            await _migrate(db)
        except BaseException as e:
            await db.close()  # else its thread keeps the process alive
            if isinstance(e, sqlite3.Error):
                raise typed(e) from e
            raise
        return cls(db, path)

    async def close(self) -> None:
        """Deliver the commits made so far to the subscribers, then close the connection."""
        self._commits.put_nowait(None)
        try:
            if not self._delivery.done():
                await self._delivery
        finally:
            await self._db.close()  # else its thread keeps the process alive

    # ---- transactions ---------------------------------------------------------------------------

    async def _write(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        check: Callable[[], Awaitable[None]] | None = None,
        commit: Commit | None = None,
        commits: Sequence[Commit] = (),
    ) -> None:
        """Run `check` then `statements` in one transaction; all or nothing. `commit` (and
        `commits`) go to the subscribers after the COMMIT, in commit order (queued before another
        transaction starts)."""
        async with self._write_lock:
            await self._transaction(statements, check)
            for done in (*([commit] if commit is not None else []), *commits):
                self._commits.put_nowait(done)

    async def _transaction(
        self, statements: Sequence[tuple[str, Sequence[Any]]], check: Callable[[], Awaitable[None]] | None
    ) -> None:
        try:
            await self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise typed(e) from e
        try:
            if check is not None:
                await check()
            for sql, params in statements:
                await self._db.execute(sql, params)
            await self._db.execute("COMMIT")
        except sqlite3.Error as e:
            await self._rollback()
            raise typed(e) from e
        except BaseException:  # never leave the connection inside a transaction: the next BEGIN would fail
            await self._rollback()
            raise

    async def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # no transaction left open: SQLite already rolled back
            await self._db.execute("ROLLBACK")

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        # One trip to aiosqlite's thread (execute, fetch and close there), not three: an append's
        # check is one of its four, and each trip is two thread wake-ups.
        try:
            return list(await self._db.execute_fetchall(sql, params))
        except sqlite3.Error as e:
            raise typed(e) from e

    async def _deliver(self) -> None:
        while (commit := await self._commits.get()) is not None:
            for subscriber in list(self._subscribers):
                try:
                    await subscriber(*commit)
                except Exception:  # the events are stored: one subscriber's trouble is not the others'
                    log.exception("a subscriber failed on session %s after seq %d", commit[0], commit[1])

    # ---- the admin token ------------------------------------------------------------------------

    async def ensure_admin_token(self, from_env: str | None) -> str | None:
        """Make `from_env` the admin token, or on first start generate one; return it only if generated."""
        rows = await self._all("SELECT hash FROM tokens WHERE kind = 'admin'")
        if from_env:
            wanted = token_hash(from_env)
            if rows and rows[0][0] == wanted:
                return None
            await self._write(
                [
                    ("DELETE FROM tokens WHERE kind = 'admin'", ()),
                    ("INSERT INTO tokens (hash, kind) VALUES (?, 'admin')", (wanted,)),
                ]
            )
            return None
        if rows:
            return None
        token = new_token()
        await self._write([("INSERT INTO tokens (hash, kind) VALUES (?, 'admin')", (token_hash(token),))])
        return token

    async def principal(self, token: str) -> Principal | None:
        """Whose token this is, or None."""
        wanted = token_hash(token)
        rows = await self._all("SELECT hash, kind, series_id, state FROM tokens WHERE hash = ?", (wanted,))
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
                "INSERT INTO series VALUES (?, ?, ?, ?, ?, ?)",
                (series_id, agenda.title, agenda.format, agenda.venue, agenda.timezone, now_ms()),
            ),
            (
                "INSERT INTO tokens (hash, kind, series_id) VALUES (?, 'moderator', ?)",
                (token_hash(moderator_token), series_id),
            ),
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
            r[0] for r in await self._all("SELECT state FROM delegations WHERE series_id = ?", (series_id,))
        ]
        stmts: list[tuple[str, Sequence[Any]]] = [
            ("DELETE FROM tokens WHERE series_id = ?", (series_id,)),
            (
                "INSERT INTO tokens (hash, kind, series_id) VALUES (?, 'moderator', ?)",
                (token_hash(moderator_token), series_id),
            ),
        ]
        tokens = {}
        for state in states:
            tokens[state] = delegation_token(moderator_token, series_id, state)
            stmts.append(
                (
                    "INSERT INTO tokens (hash, kind, series_id, state) VALUES (?, 'delegation', ?, ?)",
                    (token_hash(tokens[state]), series_id, state),
                )
            )
        await self._write(stmts)
        return moderator_token, tokens

    async def series(self, series_id: str | None = None) -> list[SeriesInfo]:
        sql = "SELECT id, title, format, venue, timezone FROM series"
        rows = await self._all(
            sql + " WHERE id = ?" if series_id else sql + " ORDER BY created_at",
            (series_id,) if series_id else (),
        )
        return [SeriesInfo(*r) for r in rows]

    async def delegations(self, series_id: str) -> list[tuple[str, str | None]]:
        rows = await self._all(
            "SELECT state, label FROM delegations WHERE series_id = ? ORDER BY state", (series_id,)
        )
        return [(r[0], r[1]) for r in rows]

    async def series_sessions(self, series_id: str) -> list[str]:
        rows = await self._all("SELECT id FROM sessions WHERE series_id = ? ORDER BY position", (series_id,))
        return [r[0] for r in rows]

    async def amend_series(self, series_id: str, amendment: SeriesAmendment) -> list[dict[str, Any]]:
        """Store a series' new agenda in one transaction; SequenceConflict if a log moved on."""
        info = amendment.series
        stmts: Statements = [
            (
                "UPDATE series SET title = ?, format = ?, venue = ?, timezone = ? WHERE id = ?",
                (info.title, info.format, info.venue, info.timezone, series_id),
            )
        ]
        for session_id in amendment.removed:
            stmts += [
                ("DELETE FROM events WHERE session_id = ?", (session_id,)),
                ("DELETE FROM speakers WHERE session_id = ?", (session_id,)),
                ("DELETE FROM sessions WHERE id = ? AND series_id = ?", (session_id, series_id)),
            ]
        for session_id, position in amendment.positions.items():
            stmts.append(("UPDATE sessions SET position = ? WHERE id = ?", (position, session_id)))
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
                    "UPDATE delegations SET label = ? WHERE series_id = ? AND state = ?",
                    (label, series_id, state),
                )
            )
        for state in amendment.delegations_removed:
            stmts += [
                ("DELETE FROM delegations WHERE series_id = ? AND state = ?", (series_id, state)),
                (
                    "DELETE FROM tokens WHERE kind = 'delegation' AND series_id = ? AND state = ?",
                    (series_id, state),
                ),
            ]
        commits: list[Commit] = []
        for session_id, (after_seq, events) in amendment.appends.items():
            if not events:
                continue
            commits.append((session_id, after_seq, list(events)))
            stmts += [
                (
                    "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                    (session_id, after_seq + i + 1, e["type"], e["at"], json.dumps(e, ensure_ascii=False)),
                )
                for i, e in enumerate(events)
            ]

        async def logs_end_where_expected() -> None:
            for session_id, after_seq, _ in commits:
                rows = await self._all("SELECT MAX(seq) FROM events WHERE session_id = ?", (session_id,))
                last = rows[0][0] or 0
                if last != after_seq:
                    raise SequenceConflict(f"session {session_id} is at seq {last}, not {after_seq}")

        try:
            await self._write(stmts, logs_end_where_expected, commits=commits)
        except DuplicateKey as e:
            raise SequenceConflict(str(e)) from e
        return created

    async def setups(self, session_id: str | None = None) -> list[Setup]:
        """The agenda facts of every session (or one), speakers in agenda order."""
        where = "WHERE s.id = ?" if session_id else ""
        rows = await self._all(
            "SELECT s.id, s.series_id, s.key, r.title, COALESCE(s.format, r.format), r.venue, s.sur, "
            "s.start_ms, s.minutes, s.question_seconds, s.sur_statement_seconds, s.warning_seconds, "
            "s.answer_seconds "
            f"FROM sessions s JOIN series r ON r.id = s.series_id {where} "
            "ORDER BY r.created_at, s.position",
            (session_id,) if session_id else (),
        )
        speakers: dict[str, list[Speaker]] = {}
        for r in await self._all(
            "SELECT p.session_id, p.id, p.key, p.name, p.organisation, p.kind, p.theme, p.language, "
            "p.seconds, p.public_name, p.publish FROM speakers p ORDER BY p.session_id, p.position"
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
            "SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq", (session_id, after_seq)
        )
        return [json.loads(r[0]) for r in rows]

    async def all_events(self) -> dict[str, list[Event]]:
        """Every session's log, for the start-up fold (one pass over the table)."""
        out: dict[str, list[Event]] = {}
        try:
            async with self._db.execute(
                "SELECT session_id, body FROM events ORDER BY session_id, seq"
            ) as cur:
                async for row in cur:
                    out.setdefault(row[0], []).append(json.loads(row[1]))
        except sqlite3.Error as e:
            raise typed(e) from e
        return out

    async def append(self, session_id: str, after_seq: int, events: list[Event]) -> int:
        """Commit `events` as seq after_seq+1...; return the new seq. The subscribers learn of it
        after the commit, from the delivery task. SequenceConflict if the log does not end at
        `after_seq` (another connection appended first): nothing is stored then."""
        if not events:
            return after_seq

        async def log_ends_at_after_seq() -> None:
            # Inside BEGIN IMMEDIATE: no other connection can append until this one commits.
            rows = await self._all("SELECT MAX(seq) FROM events WHERE session_id = ?", (session_id,))
            last = rows[0][0] or 0
            if last != after_seq:
                raise SequenceConflict(f"session {session_id} is at seq {last}, not {after_seq}")

        stmts = [
            (
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (session_id, after_seq + i + 1, e["type"], e["at"], json.dumps(e, ensure_ascii=False)),
            )
            for i, e in enumerate(events)
        ]
        try:
            await self._write(stmts, log_ends_at_after_seq, (session_id, after_seq, list(events)))
        except DuplicateKey as e:  # by its kind: a taken (session_id, seq) is someone else's append
            raise SequenceConflict(str(e)) from e
        return after_seq + len(events)

    async def data_version(self) -> int:
        """A number that changes when another connection (`moderator import`) has committed (SQLite)."""
        rows = await self._all("PRAGMA data_version")
        return int(rows[0][0])

    async def setups_if_changed(self, seen: int | None) -> tuple[int, list[Setup] | None]:
        """(data_version, every setup) if another connection committed since `seen`, else (seen, None).

        Read between this connection's own transactions, so a half-written series never shows.
        """
        async with self._write_lock:
            version = await self.data_version()
            if version == seen:
                return version, None
            return version, await self.setups()

    def subscribe(self, subscriber: Subscriber) -> None:
        """Await `subscriber(session_id, after_seq, events)` after every commit of this connection,
        in commit order, from the delivery task (SQLite tells no other connection's commits)."""
        self._subscribers.append(subscriber)

    # ---- videos ---------------------------------------------------------------------------------

    async def save_video(self, video: Video) -> None:
        await self._write(
            [
                (
                    "INSERT OR REPLACE INTO videos VALUES (?, ?, ?, ?, ?)",
                    (video.speaker_id, video.path, video.content_type, video.size, video.duration_ms),
                )
            ]
        )

    async def video(self, speaker_id: str) -> Video | None:
        rows = await self._all(
            "SELECT speaker_id, path, content_type, size, duration_ms FROM videos WHERE speaker_id = ?",
            (speaker_id,),
        )
        return Video(*rows[0]) if rows else None

    async def screen_names(self, series_id: str) -> dict[str, str]:
        rows = await self._all("SELECT client_id, name FROM screen_names WHERE series_id = ?", (series_id,))
        return {str(r[0]): str(r[1]) for r in rows}

    async def name_screen(self, series_id: str, client_id: str, name: str) -> None:
        if name:
            sql = "INSERT OR REPLACE INTO screen_names VALUES (?, ?, ?)"
            await self._write([(sql, (series_id, client_id, name))])
        else:
            sql = "DELETE FROM screen_names WHERE series_id = ? AND client_id = ?"
            await self._write([(sql, (series_id, client_id))])

    async def session_of_speaker(self, speaker_id: str) -> str | None:
        rows = await self._all("SELECT session_id FROM speakers WHERE id = ?", (speaker_id,))
        return str(rows[0][0]) if rows else None

    # ---- written statements ---------------------------------------------------------------------

    async def save_statement(self, statement: Statement) -> None:
        await self._write(
            [
                (
                    "INSERT OR REPLACE INTO statements VALUES (?, ?, ?)",
                    (statement.speaker_id, statement.path, statement.size),
                )
            ]
        )

    async def statement(self, speaker_id: str) -> Statement | None:
        rows = await self._all(
            "SELECT speaker_id, path, size FROM statements WHERE speaker_id = ?", (speaker_id,)
        )
        return Statement(*rows[0]) if rows else None

    async def statement_named(self, path: str) -> Statement | None:
        rows = await self._all("SELECT speaker_id, path, size FROM statements WHERE path = ?", (path,))
        return Statement(*rows[0]) if rows else None

    # ---- presence -------------------------------------------------------------------------------

    async def presence_began(self, session_id: str, state: str, at: int) -> int:
        async with self._write_lock:
            await self._transaction(
                [
                    (
                        "INSERT INTO presence (session_id, state, connected_at) VALUES (?, ?, ?)",
                        (session_id, state, at),
                    )
                ],
                None,
            )
            rows = await self._all("SELECT last_insert_rowid()")
        return int(rows[0][0])

    async def presence_ended(self, span_id: int, at: int) -> None:
        await self._write(
            [
                (
                    "UPDATE presence SET disconnected_at = MAX(?, connected_at) "
                    "WHERE id = ? AND disconnected_at IS NULL",
                    (at, span_id),
                )
            ]
        )

    async def end_presence(self, at: int) -> int:
        rows = await self._all("SELECT COUNT(*) FROM presence WHERE disconnected_at IS NULL")
        await self._write(
            [
                (
                    "UPDATE presence SET disconnected_at = MAX(?, connected_at) "
                    "WHERE disconnected_at IS NULL",
                    (at,),
                )
            ]
        )
        return int(rows[0][0])

    async def presence(self, session_ids: list[str]) -> list[PresenceSpan]:
        if not session_ids:
            return []
        marks = ", ".join("?" for _ in session_ids)
        rows = await self._all(
            "SELECT session_id, state, connected_at, disconnected_at FROM presence "
            f"WHERE session_id IN ({marks}) ORDER BY session_id, connected_at, id",
            session_ids,
        )
        return [PresenceSpan(r[0], r[1], r[2], r[3]) for r in rows]


def _implements_the_protocol(store: SQLiteStore) -> Store:
    return store  # mypy checks here that SQLiteStore is a Store
