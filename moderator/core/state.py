"""The state of one Pre-session: frozen values that events fold into (see evolve.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from moderator.core.playback import Playback
from moderator.core.timer import IDLE, Timer

Phase = Literal["scheduled", "opening", "statements", "qa", "closed"]
SpeakerStatus = Literal["waiting", "speaking", "done", "skipped"]
EntryStatus = Literal["waiting", "on_floor", "answered", "withdrawn", "removed"]
FloorKind = Literal["speaker", "question", "sur"]  # "sur": the State under Review's opening statement
Format = Literal["in_person", "virtual", "hybrid"]

PHASES: tuple[Phase, ...] = ("scheduled", "opening", "statements", "qa", "closed")
ACTIVE_ENTRY: frozenset[str] = frozenset({"waiting", "on_floor"})


@dataclass(frozen=True, slots=True)
class Speaker:
    """A speaker of the panel: the agenda's facts plus what happened to them."""

    id: str
    key: str
    name: str
    organisation: str
    kind: str
    theme: str
    language: str
    allotted_ms: int
    public_name: str | None = None
    publish: bool = True
    status: SpeakerStatus = "waiting"
    spoken_ms: int = 0
    video_url: str | None = None
    video_duration_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A State's request for the floor; it stays here after it leaves the queue, for the report."""

    id: str
    state: str
    addressed_to: str | None
    topic: str
    requested_at: int
    status: EntryStatus = "waiting"
    called_at: int | None = None
    ended_at: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_ENTRY

    @property
    def floor_ms(self) -> int:
        if self.called_at is None or self.ended_at is None:
            return 0
        return max(0, self.ended_at - self.called_at)


@dataclass(frozen=True, slots=True)
class Floor:
    kind: FloorKind
    id: str


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    to: Literal["speaker", "room"]
    pinned: bool = False  # kept when the floor changes
    preset: str | None = None  # one of core/presets.PRESETS: each screen shows it in its language


UndoKind = Literal["finish", "done", "remove", "skip"]


@dataclass(frozen=True, slots=True)
class Undoable:
    """The last action that can still be undone (rules.UNDO_MS; until the floor changes), with
    what it changed: `undone` (evolve.py) puts it back as it was."""

    what: UndoKind
    id: str  # the speaker's (finish, skip) or the queue entry's (done, remove)
    at: int
    spoken_ms: int = 0  # finish: the speaker's spoken time before the turn was banked
    timer: Timer = IDLE  # finish, done, remove on the floor: the timer as it stood, paused
    floor: bool = False  # whether the speaker or entry held the floor
    status: str = ""  # the entry's status before (done, remove)
    position: int = 0  # the entry's place in the queue before (done, remove)


@dataclass(frozen=True, slots=True)
class Setup:
    """The agenda facts of a session as they stand. The store keeps them as created; the events
    `session.updated` change them in the folded state (`SessionState.setup`), which everything
    reads. `speakers` is the list as created; the current list is `SessionState.speakers`."""

    session_id: str
    series_id: str
    key: str
    series_title: str
    format: Format
    venue: str
    state_under_review: str
    start_ms: int
    minutes: int
    question_seconds: int
    speakers: tuple[Speaker, ...]
    sur_statement_seconds: int | None = None  # the State under Review's opening statement; None: no slot
    warning_seconds: int = 60  # the countdown's warning (agenda `warning_seconds`)
    answer_seconds: int = 120  # a panelist answering in the Q&A (agenda `answer_seconds`)

    @property
    def planned_end(self) -> int:
        return self.start_ms + self.minutes * 60_000


@dataclass(frozen=True, slots=True)
class Statement:
    """What happened to the State under Review's opening statement (its time: the setup's)."""

    status: SpeakerStatus = "waiting"
    spoken_ms: int = 0


@dataclass(frozen=True, slots=True)
class SessionState:
    """Everything the server knows about one session; `seq` counts the events folded in."""

    setup: Setup
    speakers: tuple[Speaker, ...]
    seq: int = 0
    phase: Phase = "scheduled"
    started_at: int | None = None
    closed_at: int | None = None
    floor: Floor | None = None
    timer: Timer = IDLE
    entries: tuple[Entry, ...] = field(default=())
    message: Message | None = None
    playback: Playback | None = None
    statement: Statement = Statement()
    undoable: Undoable | None = None

    @property
    def queue(self) -> tuple[Entry, ...]:
        """Entries still waiting or on the floor, in calling order."""
        return tuple(e for e in self.entries if e.active)

    def speaker(self, speaker_id: str) -> Speaker | None:
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def entry_of(self, state_code: str) -> Entry | None:
        """The State's entry still in the queue, if any."""
        return next((e for e in self.entries if e.active and e.state == state_code), None)


def initial(setup: Setup) -> SessionState:
    """The state of a session before any event."""
    return SessionState(setup=setup, speakers=setup.speakers)
