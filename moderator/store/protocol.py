"""The Store protocol: what the rest of the server may ask of a store, its records and its errors.

Everything outside `moderator/store` depends on this module, never on an implementation
(sqlite.py today; a PostgreSQL one later implements the same protocol and passes the same
contract tests, tests/store/contract.py). A store keeps:

- the setup of every series (sessions, speakers, delegations) and its tokens, as hashes only;
- one append-only event log per session: event n of a session has seq n (1, 2, ...), and an
  append names the seq it follows, so two writers cannot both append after the same seq;
- the videos recorded for speakers, and their written statements (PDF);
- the missions' presence: when each phone's socket to a session opened and closed (kept apart
  from the event log: a connection is no fact of the meeting, and no screen is told of it).

Errors are typed by their kind, never by a driver's message: `StoreUnavailable` (nothing was
stored: read-only file, full disk, database down; `reason` says which), `SequenceConflict`
(another writer appended to the session first: reload the tail and decide again),
`DuplicateKey` (a row with that key exists already). Any other driver error is a `StoreError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from moderator.core.agenda import AgendaSeries, AgendaSession
from moderator.core.attendance import PresenceSpan
from moderator.core.state import Setup

Event = dict[str, Any]

# subscriber(session_id, after_seq, events): `events` were committed as seq after_seq+1, ...
Subscriber = Callable[[str, int, list[Event]], Awaitable[None]]

# Why a store could not be used, whatever the database behind it.
Reason = Literal[
    "read_only",  # the file or the database takes no writes
    "full",  # no space left
    "cannot_open",  # the file or the server cannot be opened or reached
    "not_a_database",  # the file is something else
    "corrupt",  # the database is damaged
    "io",  # the disk refused a read or a write
    "busy",  # another program holds a lock for too long
    "permission",  # this user may not use it
    "system",  # the operating system refused (see `detail`: its sentence)
    "refused",  # the database refused for another reason (see `detail`)
]


class StoreError(Exception):
    """The store refused an operation for a reason not covered by a narrower error (a bug)."""


class StoreUnavailable(StoreError):
    """The database could not be used (read-only, full, unreachable...): nothing was stored.

    `reason` is the kind of failure; `detail` the driver's or the system's own words, for logs.
    """

    def __init__(self, detail: str, reason: Reason = "refused") -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason: Reason = reason


class SequenceConflict(StoreError):
    """Someone else appended to this session first (another connection or process): nothing of
    this append was stored. Read the events after your seq, fold them, and decide again."""


class DuplicateKey(StoreError):
    """A row with this key exists already (an id or a token hash taken): nothing was stored."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token belongs to."""

    role: Literal["admin", "moderator", "delegation"]
    series_id: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class CreatedSeries:
    series_id: str
    moderator_token: str
    sessions: list[dict[str, Any]]
    delegations: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    id: str
    title: str
    format: str
    venue: str
    timezone: str


@dataclass(frozen=True, slots=True)
class SeriesAmendment:
    """A series brought to a new agenda (PUT /api/series/{id}), stored all or nothing.

    `appends`: per session, (the seq its log must end at, the events to append after it);
    `created`: new sessions with their position; `positions`: the kept sessions' new positions;
    `removed`: sessions to delete (never opened: their log and speakers go too); delegations
    added (state, label, token: its hash is stored), relabelled, removed (their tokens stop)."""

    series: SeriesInfo
    appends: dict[str, tuple[int, list[Event]]]
    created: list[tuple[int, AgendaSession]]
    positions: dict[str, int]
    removed: list[str]
    delegations_added: list[tuple[str, str | None, str]]
    delegations_relabelled: list[tuple[str, str | None]]
    delegations_removed: list[str]


@dataclass(frozen=True, slots=True)
class Video:
    speaker_id: str
    path: str
    content_type: str
    size: int
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class Statement:
    """A speaker's written statement: a PDF in the media folder, under a name that says nothing
    of the speaker (no name, no id)."""

    speaker_id: str
    path: str
    size: int


class Store(Protocol):
    """A store the server runs on. Every method may raise `StoreUnavailable`."""

    async def close(self) -> None:
        """Release the connection(s); commits made before are delivered to subscribers first."""
        ...

    # ---- tokens: kept only as hashes --------------------------------------------------------

    async def ensure_admin_token(self, from_env: str | None) -> str | None:
        """Make `from_env` the admin token, or on first start generate one; return it only if generated."""
        ...

    async def principal(self, token: str) -> Principal | None:
        """Whose token this is, or None."""
        ...

    async def reissue_tokens(self, series_id: str) -> tuple[str, dict[str, str]]:
        """New moderator and mission tokens for a series (the old ones stop working):
        (moderator token, {state: mission token})."""
        ...

    # ---- setup ------------------------------------------------------------------------------

    async def create_series(self, agenda: AgendaSeries) -> CreatedSeries:
        """Store a whole agenda in one transaction (all or nothing) and issue its tokens."""
        ...

    async def series(self, series_id: str | None = None) -> list[SeriesInfo]:
        """One series (or none) by id; without an id, every series in the order they were created."""
        ...

    async def delegations(self, series_id: str) -> list[tuple[str, str | None]]:
        """(state code, label) of a series' delegations, by code."""
        ...

    async def series_sessions(self, series_id: str) -> list[str]:
        """The ids of a series' sessions, in agenda order."""
        ...

    async def amend_series(self, series_id: str, amendment: SeriesAmendment) -> list[dict[str, Any]]:
        """Store `amendment` in one transaction (all or nothing) and return the sessions it
        created as `CreatedSeries.sessions` gives them. Raises SequenceConflict (nothing
        stored) if a session's log does not end at the seq its append names. Subscribers get
        each session's append after the commit, as for `append`."""
        ...

    async def setups(self, session_id: str | None = None) -> list[Setup]:
        """The agenda facts of every session (or one), speakers in agenda order."""
        ...

    async def setups_if_changed(self, seen: int | None) -> tuple[int, list[Setup] | None]:
        """(version, every setup) if another connection committed since version `seen` (always when
        `seen` is None), else (seen, None). A half-written series never shows."""
        ...

    async def session_of_speaker(self, speaker_id: str) -> str | None:
        """The session a speaker belongs to, or None for an unknown speaker."""
        ...

    # ---- the event log ----------------------------------------------------------------------

    async def events(self, session_id: str, after_seq: int = 0) -> list[Event]:
        """A session's events after `after_seq` (all by default), in seq order."""
        ...

    async def all_events(self) -> dict[str, list[Event]]:
        """Every session's log, for the start-up fold."""
        ...

    async def append(self, session_id: str, after_seq: int, events: list[Event]) -> int:
        """Commit `events` as seq after_seq+1, ... in one transaction, under the session's lock;
        return the new seq. Raises SequenceConflict if the session's log does not end at
        `after_seq` (nothing stored then). Subscribers learn of the commit after it, not
        necessarily before this returns."""
        ...

    def subscribe(self, subscriber: Subscriber) -> None:
        """Await `subscriber(session_id, after_seq, events)` after every commit, one commit at a
        time, in commit order; each commit once. One that raises is logged; the others still get
        it. Commits by other connections are delivered where the store can see them (PostgreSQL's
        LISTEN); one missed can be read with `events(session_id, after_seq)`."""
        ...

    # ---- videos -----------------------------------------------------------------------------

    async def save_video(self, video: Video) -> None:
        """Record (or replace) a speaker's video."""
        ...

    async def video(self, speaker_id: str) -> Video | None: ...

    # ---- written statements -----------------------------------------------------------------

    async def save_statement(self, statement: Statement) -> None:
        """Record (or replace) a speaker's written statement."""
        ...

    async def statement(self, speaker_id: str) -> Statement | None: ...

    async def statement_named(self, path: str) -> Statement | None:
        """The statement stored under this file name, or None."""
        ...

    # ---- presence ---------------------------------------------------------------------------

    async def presence_began(self, session_id: str, state: str, at: int) -> int:
        """A mission's phone connected to a session at `at`; returns the span's id."""
        ...

    async def presence_ended(self, span_id: int, at: int) -> None:
        """That phone disconnected at `at` (a span already ended keeps its end)."""
        ...

    async def end_presence(self, at: int) -> int:
        """End every span still open at `at` (the server stops); returns how many."""
        ...

    async def presence(self, session_ids: list[str]) -> list[PresenceSpan]:
        """The spans of these sessions, by session then connection time."""
        ...

    # ---- connected screens ------------------------------------------------------------------

    async def screen_names(self, series_id: str) -> dict[str, str]:
        """The names the moderator gave the series' screens, by the screens' client ids."""
        ...

    async def name_screen(self, series_id: str, client_id: str, name: str) -> None:
        """Record the name of one of the series' screens (replacing its old one); "" forgets it."""
        ...
