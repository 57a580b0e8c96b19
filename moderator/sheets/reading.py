"""A week's spreadsheet into an agenda document, validated by `core/agenda.parse_agenda`.

This module only moves cells into the document's fields (and remembers each field's cell);
every rule of an agenda is the agenda's. Its errors point into the document
(`sessions[2].speakers[1].language`); each is mapped back to its cell ("Row 7, Language").
Rows of one session share its State, date and time: the first row that gives a session cell
sets it, later rows may leave it empty; a row whose State and Session are empty belongs to
the session above. Missions default to every UN Member State and the two observer States.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from moderator.core.agenda import SESSION_RULES, SPEAKER_FIELDS, AgendaError, AgendaSeries, parse_agenda
from moderator.core.errors import N_, Phrase
from moderator.i18n.countries import observer_codes, un_member_codes
from moderator.sheets import columns as C
from moderator.sheets.files import Table, tables
from moderator.sheets.problems import Place, Problem, SheetError, shown

MAX_PROBLEMS = 50
_SPEAKER_FIELDS = SPEAKER_FIELDS[1:]  # the key has its own column, "speaker_key"
_CHOICES = ("kind", "language", "format")
_SESSION_FIELDS = tuple(name for name in SESSION_RULES if name != "start")  # the date and time columns
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2})\s*[:hH.]\s*(\d{2})(?:\s*:\s*(\d{2}))?")
# A session that is certainly valid, to check the series' own fields and its missions apart.
_SAMPLE_SESSION = {"key": "x", "state_under_review": "CH", "start": "2030-01-01T10:00:00"}


_HEADERS = {c.field: Phrase(c.header) for c in C.SPEAKER_COLUMNS}


@dataclass(frozen=True)
class ReadSheet:
    """A spreadsheet read: its agenda document and the validated agenda."""

    document: dict[str, Any]
    agenda: AgendaSeries


@dataclass
class _Session:
    row: int
    doc: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)  # field -> row that set it
    speaker_rows: list[int] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.places: dict[str, Place] = {}
        self.values: dict[str, str] = {}
        self.reported: set[str] = set()  # fields whose cells already have a problem of their own
        self.listed = False  # the file lists its missions

    def problem(self, place: Place, message: str, value: object = None, **params: Any) -> None:
        self.problems.append(Problem(place, message, params, None if value is None else shown(value)))

    # -- one table's header ---------------------------------------------------------------------

    def header(
        self, table: Table, known: tuple[C.Column, ...], sheet: str | None
    ) -> tuple[int, dict[str, tuple[int, str]]]:
        """The header's row number and field -> (column index, header as written): the first of the
        first ten rows with text that names every required column (a title above it is fine), else
        the first such row, with a problem for each column it lacks."""
        lookup = C.lookup(known)
        rows = [(n, row) for n, row in enumerate(table.rows, 1) if any(_text(v) for v in row)][:10]
        if not rows:
            raise SheetError([Problem(Place(sheet), N_("This sheet is empty: it needs a row of headers."))])

        def columns_of(row: tuple[Any, ...]) -> list[tuple[C.Column, int, str]]:
            out = []
            for index, cell in enumerate(row):
                column = lookup.get(C.normal(_text(cell))) if _text(cell) else None
                if column is not None:
                    out.append((column, index, _text(cell)))
            return out

        required = {c.field for c in known if c.required}
        number, row = next(
            ((n, r) for n, r in rows if required <= {c.field for c, _i, _w in columns_of(r)}), rows[0]
        )
        found: dict[str, tuple[int, str]] = {}
        for column, index, written in columns_of(row):
            if column.field in found:
                self.problem(
                    Place(sheet, number, written),
                    N_("This column repeats the column %(other)s."),
                    other=found[column.field][1],
                )
                continue
            found[column.field] = (index, written)
        for column in known:
            if column.required and column.field not in found:
                self.problem(
                    Place(sheet, number),
                    N_("The row of headers has no column %(column)s."),
                    column=Phrase(column.header),
                )
        return number, found

    # -- the speakers' sheet --------------------------------------------------------------------

    def speakers(self, table: Table, timezone: str) -> list[dict[str, Any]]:
        sheet = None  # the speakers' sheet is the file's main one: its places need no sheet name
        head, cols = self.header(table, C.SPEAKER_COLUMNS, sheet)
        if self.problems:
            raise SheetError(self.problems)
        sessions: dict[str, _Session] = {}
        current: _Session | None = None
        for number in range(head + 1, len(table.rows) + 1):
            row = table.rows[number - 1]

            def cell(name: str, row: tuple[Any, ...] = row) -> Any:
                spot = cols.get(name)
                if spot is None or spot[0] >= len(row):
                    return None
                value = row[spot[0]]
                return None if isinstance(value, str) and not value.strip() else value

            def at(name: str, number: int = number) -> Place:
                # a column the sheet lacks is named by its header in the reader's language
                return Place(sheet, number, cols[name][1] if name in cols else _HEADERS.get(name))

            if all(cell(name) is None for name in cols):
                continue
            state, key = cell("state_under_review"), cell("key")
            if state is None and key is None:
                if current is None:
                    self.problem(at("state_under_review"), N_("This field is required."))
                    continue
                session = current
            else:
                name = _text(key).strip() if key is not None else _text(state).strip().upper()
                session = sessions.get(name) or sessions.setdefault(
                    name, _Session(number, {"key": name, "speakers": []})
                )
                current = session
            index = list(sessions.values()).index(session)
            pointer = f"sessions[{index}]"
            self.session_cells(session, pointer, cell, at, number)
            speaker = {f: cell(f) for f in ("speaker_key", *_SPEAKER_FIELDS)}
            if all(v is None for v in speaker.values()):
                continue
            position = len(session.doc["speakers"])
            where = f"{pointer}.speakers[{position}]"
            self.places[where] = Place(sheet, number)
            doc: dict[str, Any] = {}
            for name in _SPEAKER_FIELDS:
                value = speaker[name]
                doc[name] = self.speaker_value(name, value, at(name))
                self.places[f"{where}.{name}"] = at(name)
                if value is not None:
                    self.values[f"{where}.{name}"] = shown(value)
            key_cell = speaker["speaker_key"]
            doc = {"key": _text(key_cell).strip() if key_cell is not None else None, **doc}
            self.places[f"{where}.key"] = at("speaker_key") if "speaker_key" in cols else at("name")
            if key_cell is not None:
                self.values[f"{where}.key"] = shown(key_cell)
            session.doc["speakers"].append(doc)
            session.speaker_rows.append(number)
        for session in sessions.values():
            _number_speakers(session.doc["speakers"])
        return [s.doc for s in sessions.values()]

    def session_cells(self, session: _Session, pointer: str, cell: Any, at: Any, number: int) -> None:
        """Take the row's session cells: the first to give one sets it; a later different one is a problem."""
        given: dict[str, Any] = {}
        state = cell("state_under_review")
        if state is not None:
            given["state_under_review"] = (state, _text(state).strip(), "state_under_review")
        for name in _SESSION_FIELDS:
            value = cell(name)
            if value is not None:
                clean = (
                    value.strip().lower() if name == "format" and isinstance(value, str) else _number(value)
                )
                given[name] = (value, clean, name)
        day, clock = cell("date"), cell("time")
        if day is not None or clock is not None:
            raw, column = (day, "date") if day is not None else (clock, "time")
            known = session.doc.get("start")
            if known is not None:  # a row may give only the date or only the time of its session
                day = day if day is not None else date.fromisoformat(known[:10])
                clock = clock if clock is not None else time.fromisoformat(known[11:])
            start = self.start(day, clock, at)
            if start is None:
                self.reported.add(f"{pointer}.start")
            else:
                given["start"] = (raw, start, column)
        for name, (raw, value, column) in given.items():
            where = f"{pointer}.{name}"
            if name in session.doc:
                if session.doc[name] != value:
                    self.problem(
                        at(column),
                        N_(
                            "Session %(key)s already has %(first)s in row %(row)s; give every row of a "
                            "session the same value, or leave the cell empty."
                        ),
                        raw,
                        key=session.doc["key"],
                        first=self.values.get(where, "?"),
                        row=session.rows[name],
                    )
                continue
            session.doc[name] = value
            session.rows[name] = number
            self.places[where] = at(column)
            self.values[where] = value.replace("T", " ")[:16] if name == "start" else shown(raw)
        self.places.setdefault(pointer, Place(at("state_under_review").sheet, session.row))
        self.places.setdefault(
            f"{pointer}.key", at("key") if cell("key") is not None else at("state_under_review")
        )
        self.places.setdefault(f"{pointer}.start", at("date"))
        self.places.setdefault(f"{pointer}.state_under_review", at("state_under_review"))

    def start(self, day: Any, clock: Any, at: Any) -> str | None:
        """`start` as the agenda reads it (a local time in the series' zone), from a date and a time cell."""
        when_day: date | None = None
        when_time: time | None = None
        if isinstance(day, datetime):
            when_day = day.date()
            if day.time() != time(0) or clock is None:
                when_time = day.time()
        elif isinstance(day, date):
            when_day = day
        elif isinstance(day, str) and _ISO_DATE.fullmatch(day.strip()):
            with contextlib.suppress(ValueError):
                when_day = date.fromisoformat(day.strip())
        if day is not None and when_day is None:
            self.problem(
                at("date"),
                N_("This is not a date: type it as a date cell, or as text in the form 2030-12-10."),
                day,
            )
            return None
        if clock is not None:
            when_time = _clock(clock)
            if when_time is None:
                self.problem(at("time"), N_("This is not a time of day: type it as 10:00."), clock)
                return None
        if when_day is None or when_time is None:
            missing = "date" if when_day is None else "time"
            self.problem(at(missing), N_("A session needs its date and its time."))
            return None
        return datetime.combine(when_day, when_time.replace(microsecond=0, tzinfo=None)).isoformat()

    def speaker_value(self, name: str, value: Any, place: Place) -> Any:
        if value is None:
            return None
        if name == "seconds":
            return _number(value)
        if name == "publish":
            if isinstance(value, bool):
                return value
            word = _text(value).strip().casefold()
            if word in C.YES:
                return True
            if word in C.NO:
                return False
            return value if isinstance(value, str) else _text(value)
        if name in _CHOICES and isinstance(value, str):
            return value.strip().lower()
        if isinstance(value, datetime | date | time):
            return value.isoformat()
        return _text(value) if not isinstance(value, str) else value

    # -- the other sheets -----------------------------------------------------------------------

    def series(self, table: Table | None, given: Mapping[str, Any]) -> dict[str, Any]:
        doc = {k: given[k] for k in ("title", "format", "venue", "timezone") if given.get(k) is not None}
        for row_of in C.SERIES_ROWS:  # a field no sheet gives: named as the series' own
            self.places[row_of.field] = Place(series_field=row_of.header)
        if table is None:
            return doc
        lookup = C.lookup(C.SERIES_ROWS)
        for number, row in enumerate(table.rows, 1):
            if not row or _text(row[0]) == "":
                continue
            column = lookup.get(C.normal(_text(row[0])))
            if column is None:
                continue
            value = row[1] if len(row) > 1 else None
            if isinstance(value, str) and not value.strip():
                value = None
            if value is not None:
                doc[column.field] = (
                    value.strip().lower()
                    if column.field == "format" and isinstance(value, str)
                    else (value if isinstance(value, str) else _text(value))
                )
                self.values[column.field] = shown(value)
            self.places[column.field] = Place(table.title, number, _text(row[0]))
        return doc

    def missions(self, table: Table | None) -> list[dict[str, Any]]:
        self.listed = False
        if table is None:
            return _every_mission()
        head, cols = self.header(table, C.MISSION_COLUMNS, table.title)
        result: list[dict[str, Any]] = []
        for number in range(head + 1, len(table.rows) + 1):
            row = table.rows[number - 1]
            values = {
                f: (row[i] if i < len(row) and _text(row[i]).strip() else None) for f, (i, _h) in cols.items()
            }
            if all(v is None for v in values.values()):
                continue
            where = f"delegations[{len(result)}]"
            self.places[where] = Place(table.title, number)
            item: dict[str, Any] = {}
            for name, value in values.items():
                self.places[f"{where}.{name}"] = Place(table.title, number, cols[name][1])
                if value is not None:
                    item[name] = value.strip() if isinstance(value, str) else _text(value)
                    self.values[f"{where}.{name}"] = shown(value)
            result.append(item)
        self.listed = bool(result)
        return result or _every_mission()

    # -- the agenda's verdict, mapped back ------------------------------------------------------

    def place_of(self, error: AgendaError) -> Problem:
        where = error.where
        probe = where
        while probe and probe not in self.places:
            probe = probe.rsplit(".", 1)[0] if "." in probe else ""
        place = self.places.get(probe, Place())
        value = self.values.get(where)
        return Problem(place, error.message, dict(error.params), value, where)

    def verdict(self, doc: dict[str, Any]) -> AgendaSeries:
        """The agenda, or SheetError with the conversion problems and every row's agenda problem."""
        try:
            agenda = parse_agenda(doc)
        except AgendaError as error:
            first = self.place_of(error)
        else:
            if not self.problems:
                return agenda
            raise SheetError(self.problems[:MAX_PROBLEMS])
        found = list(self.problems)
        series = {k: v for k, v in doc.items() if k not in ("sessions", "delegations")}
        try:
            parse_agenda({**series, "sessions": [_SAMPLE_SESSION]})
        except AgendaError as error:
            found.append(self.place_of(error))
            series = {"title": "-", "format": "in_person"}
        try:
            parse_agenda({**series, "sessions": [_SAMPLE_SESSION], "delegations": doc.get("delegations")})
        except AgendaError as error:
            found.append(self.place_of(error))
        for i, session in enumerate(doc["sessions"]):
            speakers = session["speakers"] or [None]
            for j, speaker in enumerate(speakers):
                one = {**session, "speakers": [] if speaker is None else [speaker]}
                if f"sessions[{i}].start" in self.reported:  # its own problem is known: check the rest
                    one["start"] = _SAMPLE_SESSION["start"]
                try:
                    parse_agenda({**series, "sessions": [one]})
                except AgendaError as error:
                    moved = error.where.replace("sessions[0]", f"sessions[{i}]", 1).replace(
                        f"sessions[{i}].speakers[0]", f"sessions[{i}].speakers[{j}]", 1
                    )
                    found.append(self.place_of(AgendaError(moved, error.message, **error.params)))
        found.append(first)
        found = [p for p in found if p.where not in self.reported]
        unique: dict[tuple[Place, str], Problem] = {}
        for problem in found:
            unique.setdefault((problem.place, problem.message), problem)
        raise SheetError(sorted(unique.values(), key=_order)[:MAX_PROBLEMS])


def _every_mission() -> list[dict[str, Any]]:
    """All Permanent Missions are invited, the SuR's included: every UN Member and observer State."""
    return [{"state": code} for code in un_member_codes() + observer_codes()]


def _order(problem: Problem) -> tuple[int, str, int]:
    return (0 if problem.place.sheet is None else 1, problem.place.sheet or "", problem.place.row or 0)


def _number_speakers(speakers: list[dict[str, Any]]) -> None:
    """Give speakers without a key the first free s1, s2, … of their session."""
    taken = {s["key"] for s in speakers if s["key"]}
    n = 0
    for speaker in speakers:
        if speaker["key"]:
            continue
        n += 1
        while f"s{n}" in taken:
            n += 1
        speaker["key"] = f"s{n}"
        taken.add(speaker["key"])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> Any:
    """A whole number from a number cell or digits typed as text; anything else as it is (the agenda
    says why)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _clock(value: Any) -> time | None:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
        return time(seconds // 3600, seconds // 60 % 60)
    if isinstance(value, str):
        match = _TIME.fullmatch(value.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            second = int(match.group(3) or 0)
            if hour < 24 and minute < 60 and second < 60:
                return time(hour, minute, second)
    return None


def _pick(found: list[Table]) -> tuple[Table, Table | None, Table | None]:
    speakers = series = missions = None
    for table in found:
        kind = C.sheet_kind(table.title) if table.title else None
        if kind == C.SERIES_SHEET and series is None:
            series = table
        elif kind == C.MISSIONS_SHEET and missions is None:
            missions = table
        elif kind == C.SPEAKERS_SHEET and speakers is None:
            speakers = table
    if speakers is None:
        speakers = next((t for t in found if t is not series and t is not missions), None)
    if speakers is None:
        raise SheetError.file(N_("The workbook has no sheet of speakers."))
    return speakers, series, missions


def read_sheet(
    data: bytes,
    filename: str = "",
    series: Mapping[str, Any] | None = None,
    missions: list[dict[str, Any]] | None = None,
) -> ReadSheet:
    """Read an uploaded XLSX or CSV into a validated agenda, or raise SheetError naming every problem.

    `series` gives the series' fields (title, format, venue, timezone) a CSV cannot hold, or a
    workbook without a Series sheet leaves out; a Series sheet's own values win. `missions`: the
    delegations when the file lists none (a series' own, for a change); else every UN Member
    State and the two observer States.
    """
    speakers_table, series_table, missions_table = _pick(tables(data, filename))
    found = [
        Problem(Place(None, p.place.row, p.place.column), p.message, p.params)
        if table is speakers_table
        else p
        for table in (speakers_table, series_table, missions_table)
        if table is not None
        for p in table.problems
    ]
    if found:
        raise SheetError(found)
    reader = _Reader()
    doc = reader.series(series_table, series or {})
    sessions = reader.speakers(speakers_table, str(doc.get("timezone") or ""))
    doc["sessions"] = sessions
    listed = reader.missions(missions_table)
    doc["delegations"] = missions if missions is not None and not reader.listed else listed
    return ReadSheet(doc, reader.verdict(doc))
