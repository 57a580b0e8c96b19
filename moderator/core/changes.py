"""The diff of a series' agenda: what a `PUT /api/series/{id}` would change, and what it may not.

`diff(current, agenda, now)` compares the series as it stands (its folded session states) with a
validated new document: sessions and speakers matched by `key`, delegations by `state`. It gives

- `changes`: added / changed (each field old -> new) / moved / removed, for the series, sessions,
  speakers and delegations, each with its `where` (its place in the new document; for a removed
  item, its place in the current agenda as GET shows it);
- `conflicts`: the changes that would rewrite what has happened, each with its `where`;
- per kept session, the events that bring it to the document: decided by `decide` itself, as
  the live commands (speaker.add, .update, .move, .remove, session.update, agenda.update) would
  be, so every rule of the meeting is checked in one place and the report keeps the changes;
- the sessions to create and to remove, and the delegations to add, relabel and remove.

Pure: no I/O; `now` is passed in. Nothing is stored here (see runtime/series.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from moderator.core.agenda import SPEAKER_FIELDS, AgendaDelegation, AgendaSeries, AgendaSession
from moderator.core.amend import SESSION_ARGS
from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.errors import N_, Refused
from moderator.core.evolve import fold
from moderator.core.snapshot import SeriesFacts, normalised, session_doc
from moderator.core.state import SessionState

Event = dict[str, Any]
MOD = Actor("moderator")
SYSTEM = Actor("system")
What = Literal["series", "session", "speaker", "delegation"]


@dataclass(frozen=True, slots=True)
class Current:
    """The series as it stands: its facts, its sessions' folded states in agenda order, its delegations."""

    series: SeriesFacts
    sessions: tuple[SessionState, ...]
    delegations: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A change refused: where it is, and why (a Refused's code and translatable sentence)."""

    where: str
    refused: Refused

    def wire(self, message: str | None = None) -> dict[str, Any]:
        """The preview's form; `message`: the sentence translated (else in English)."""
        return {"code": self.refused.code, "where": self.where, "message": message or self.refused.english()}


@dataclass(slots=True)
class Diff:
    changes: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # session id -> (seq the events follow, the events), for kept sessions that change
    appends: dict[str, tuple[int, list[Event]]] = field(default_factory=dict)
    created: list[tuple[int, AgendaSession]] = field(default_factory=list)  # (position, session)
    positions: dict[str, int] = field(default_factory=dict)  # kept session id -> its position
    removed: list[str] = field(default_factory=list)  # session ids
    delegations_added: list[AgendaDelegation] = field(default_factory=list)
    delegations_relabelled: list[AgendaDelegation] = field(default_factory=list)
    delegations_removed: list[str] = field(default_factory=list)
    series_changed: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes


def _change(change: str, what: What, where: str, **extra: Any) -> dict[str, Any]:
    return {"change": change, "what": what, "where": where, **extra}


def _fields(old: dict[str, Any], new: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {n: {"old": old.get(n), "new": new.get(n)} for n in names if old.get(n) != new.get(n)}


def _kept_in_order(old: list[str], new: list[str]) -> set[str]:
    """The keys that keep their relative order (a longest common subsequence); the others moved."""
    a = [k for k in old if k in set(new)]
    b = [k for k in new if k in set(old)]
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


class _Session:
    """Decides one kept session's changes in order, on a tentative state, as the engine would."""

    def __init__(self, state: SessionState, now: int, diff: Diff) -> None:
        self.state = state
        self.now = now
        self.diff = diff
        self.events: list[Event] = []

    def run(self, where: str, name: str, args: dict[str, Any], actor: Actor = MOD) -> bool:
        try:
            events = decide(self.state, Command(name, args), actor, self.now)
        except Refused as e:
            self.diff.conflicts.append(Conflict(where, e))
            return False
        self.state = fold(self.state, events)
        self.events += events
        return True

    def speaker_id(self, key: str) -> str | None:
        return next((s.id for s in self.state.speakers if s.key == key), None)


_SESSION_UPDATES = SESSION_ARGS


def _session_changes(
    i: int,
    old_i: int,
    state: SessionState,
    new: dict[str, Any],
    s: AgendaSession,
    tz: str,
    now: int,
    diff: Diff,
) -> None:
    where = f"sessions[{i}]"
    old = session_doc(state, tz)
    changed = _fields(old, new, ("state_under_review", *(n for n in _SESSION_UPDATES if n != "start")))
    if state.setup.start_ms != s.start_ms:
        changed["start"] = {"old": old["start"], "new": new["start"]}
    run = _Session(state, now, diff)
    if "state_under_review" in changed:
        run.run(
            f"{where}.state_under_review",
            "agenda.update",
            {"state_under_review": s.state_under_review},
            SYSTEM,
        )
    updates = {n: new[n] for n in _SESSION_UPDATES if n in changed}
    if updates and not run.run(where, "session.update", updates):
        diff.conflicts.pop()  # say which field: decide each one alone
        for name, value in updates.items():
            run.run(f"{where}.{name}", "session.update", {name: value})
    if changed:
        diff.changes.append(
            _change("changed", "session", where, key=s.key, id=state.setup.session_id, fields=changed)
        )
    _speaker_changes(i, old_i, old, new, run, diff)
    if run.events:
        diff.appends[state.setup.session_id] = (state.seq, run.events)


def _speaker_changes(
    i: int, old_i: int, old: dict[str, Any], new: dict[str, Any], run: _Session, diff: Diff
) -> None:
    olds = {sp["key"]: (j, sp) for j, sp in enumerate(old["speakers"])}
    news = {sp["key"]: (j, sp) for j, sp in enumerate(new["speakers"])}
    for key, (j, sp) in olds.items():
        if key not in news:
            where = f"sessions[{old_i}].speakers[{j}]"
            diff.changes.append(
                _change(
                    "removed", "speaker", where, session=old["key"], key=key, id=sp["id"], name=sp["name"]
                )
            )
            run.run(where, "speaker.remove", {"speaker_id": sp["id"]})
    for key, (j, sp) in news.items():
        if key in olds:
            fields = _fields(olds[key][1], sp, SPEAKER_FIELDS)
            if fields:
                where = f"sessions[{i}].speakers[{j}]"
                diff.changes.append(
                    _change(
                        "changed",
                        "speaker",
                        where,
                        session=old["key"],
                        key=key,
                        id=olds[key][1]["id"],
                        fields=fields,
                    )
                )
                run.run(
                    where, "speaker.update", {"speaker_id": olds[key][1]["id"], **{n: sp[n] for n in fields}}
                )
    in_order = _kept_in_order(list(olds), list(news))
    for key, (j, sp) in news.items():
        where = f"sessions[{i}].speakers[{j}]"
        if key not in olds:
            diff.changes.append(
                _change("added", "speaker", where, session=old["key"], key=key, name=sp["name"])
            )
            run.run(where, "speaker.add", {**sp, "position": min(j, len(run.state.speakers))})
            continue
        if key not in in_order:
            moved = {"old": olds[key][0], "new": j}
            diff.changes.append(
                _change(
                    "moved",
                    "speaker",
                    where,
                    session=old["key"],
                    key=key,
                    id=olds[key][1]["id"],
                    position=moved,
                )
            )
        speaker_id = run.speaker_id(key)
        keys = [s.key for s in run.state.speakers]
        if speaker_id is not None and key in keys and keys.index(key) != j and j < len(keys):
            run.run(where, "speaker.move", {"speaker_id": speaker_id, "position": j})


def diff(current: Current, agenda: AgendaSeries, now: int) -> Diff:
    """What bringing `current` to `agenda` changes and what it may not (see the module's docstring)."""
    out = Diff(warnings=list(agenda.warnings))
    new = normalised(agenda)
    facts = current.series
    old_series = {
        "title": facts.title,
        "format": facts.format,
        "venue": facts.venue,
        "timezone": facts.timezone,
    }
    series_fields = _fields(old_series, new, ("title", "format", "venue", "timezone"))
    if series_fields:
        out.series_changed = True
        out.changes.append(_change("changed", "series", "", id=facts.id, fields=series_fields))
    olds = {state.setup.key: (i, state) for i, state in enumerate(current.sessions)}
    news = {s.key: i for i, s in enumerate(agenda.sessions)}
    for key, (i, state) in olds.items():
        if key not in news:
            where = f"sessions[{i}]"
            out.changes.append(_change("removed", "session", where, key=key, id=state.setup.session_id))
            if state.phase != "scheduled":
                message = N_("Session %(key)s has been opened: it stays in the record and cannot be removed.")
                out.conflicts.append(Conflict(where, Refused("conflict", message, key=key)))
            out.removed.append(state.setup.session_id)
    in_order = _kept_in_order(list(olds), list(news))
    for i, s in enumerate(agenda.sessions):
        where = f"sessions[{i}]"
        if s.key not in olds:
            out.changes.append(_change("added", "session", where, key=s.key))
            out.created.append((i, s))
            continue
        old_i, state = olds[s.key]
        out.positions[state.setup.session_id] = i
        if s.key not in in_order:
            position = {"old": old_i, "new": i}
            out.changes.append(
                _change("moved", "session", where, key=s.key, id=state.setup.session_id, position=position)
            )
        _session_changes(i, old_i, state, new["sessions"][i], s, agenda.timezone, now, out)
    _delegation_changes(current, agenda, out)
    return out


def _delegation_changes(current: Current, agenda: AgendaSeries, out: Diff) -> None:
    old = {code: (i, label) for i, (code, label) in enumerate(current.delegations)}
    new = {d.state: (i, d) for i, d in enumerate(agenda.delegations)}
    for code, (i, _label) in old.items():
        if code not in new:
            out.changes.append(_change("removed", "delegation", f"delegations[{i}]", state=code))
            out.delegations_removed.append(code)
    for code, (i, d) in new.items():
        where = f"delegations[{i}]"
        if code not in old:
            out.changes.append(_change("added", "delegation", where, state=code))
            out.delegations_added.append(d)
        elif old[code][1] != d.label:
            fields = {"label": {"old": old[code][1], "new": d.label}}
            out.changes.append(_change("changed", "delegation", where, state=code, fields=fields))
            out.delegations_relabelled.append(d)
