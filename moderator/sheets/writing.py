"""An agenda document (the shape of `GET /api/series/{id}`) as an XLSX workbook that `read_sheet` reads back.

Three sheets: Speakers (one row per speaker, its session's cells on every row), Series and
Missions. Headers are in the reader's language. Every text cell is stored as a string, never
a formula, whatever it starts with (`=`, `+`, `-`, `@`, a tab or a carriage return): the
workbook holds no formula at all (`tests/test_sheets.py` reads its XML to check).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from moderator.core.agenda import DEFAULT_TIMEZONE
from moderator.i18n.translation import translate
from moderator.sheets import columns as C

_WIDTHS = {"name": 26, "organisation": 34, "theme": 34, "public_name": 24, "state_under_review": 12}


def _local(start: str, zone: ZoneInfo) -> datetime:
    """A document's `start` as a naive local time of the series' zone (a naive start already is one)."""
    moment = datetime.fromisoformat(start)
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None)


def _put(sheet: Any, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    if number_format:
        cell.number_format = number_format


def workbook(document: Mapping[str, Any], locale: str = "en", *, blank: bool = False) -> bytes:
    """The workbook of `document` in `locale`'s headers; `blank`: headers and series fields only."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    zone = ZoneInfo(str(document.get("timezone") or DEFAULT_TIMEZONE))
    book = Workbook()
    speakers = book.worksheets[0]  # the new workbook's one sheet (typed, unlike `active`)
    speakers.title = translate(locale, C.SPEAKERS_SHEET)
    bold = Font(bold=True)
    for index, column in enumerate(C.SPEAKER_COLUMNS, 1):
        _put(speakers, 1, index, translate(locale, column.header))
        speakers.cell(row=1, column=index).font = bold
        width = _WIDTHS.get(column.field, max(12, len(translate(locale, column.header)) + 2))
        speakers.column_dimensions[get_column_letter(index)].width = width
    speakers.freeze_panes = "A2"
    row = 2
    for session in [] if blank else document.get("sessions", []):
        start = _local(str(session["start"]), zone)
        cells = {
            "state_under_review": session["state_under_review"],
            "key": session["key"],
            "date": start.date(),
            "time": start.time(),
            "minutes": session.get("minutes"),
            "question_seconds": session.get("question_seconds"),
            "format": session.get("format"),
            "sur_statement_seconds": session.get("sur_statement_seconds"),
            "warning_seconds": session.get("warning_seconds"),
            "answer_seconds": session.get("answer_seconds"),
        }
        for speaker in session.get("speakers") or [{}]:
            values = {**cells, **{k: v for k, v in speaker.items() if k != "key"}}
            values["speaker_key"] = speaker.get("key")
            for index, column in enumerate(C.SPEAKER_COLUMNS, 1):
                fmt = {"date": "yyyy-mm-dd", "time": "hh:mm"}.get(column.field)
                _put(speakers, row, index, values.get(column.field), fmt)
            row += 1
    series = book.create_sheet(translate(locale, C.SERIES_SHEET))
    for number, column in enumerate(C.SERIES_ROWS, 1):
        _put(series, number, 1, translate(locale, column.header))
        series.cell(row=number, column=1).font = bold
        _put(series, number, 2, document.get(column.field))
    series.column_dimensions["A"].width = 16
    series.column_dimensions["B"].width = 40
    missions = book.create_sheet(translate(locale, C.MISSIONS_SHEET))
    for index, column in enumerate(C.MISSION_COLUMNS, 1):
        _put(missions, 1, index, translate(locale, column.header))
        missions.cell(row=1, column=index).font = bold
    for number, delegation in enumerate(document.get("delegations") or [], 2):
        _put(missions, number, 1, delegation.get("state"))
        _put(missions, number, 2, delegation.get("label"))
    missions.column_dimensions["B"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
