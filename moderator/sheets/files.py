"""From the bytes of an uploaded file to tables of cells: XLSX (openpyxl) or CSV, or one sentence why not.

Refused before any cell is read (SheetError): an empty file, a file over `MAX_BYTES`, an encrypted
(password-protected) workbook or an old .xls (both OLE compound files), a ZIP that is no
workbook, a workbook that unpacks to more than `MAX_UNPACKED` bytes, a CSV that is not UTF-8
(or UTF-16 with its byte order mark). Found cell by cell, in `Table.problems`: formulas and
merged cells.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from moderator.core.errors import N_
from moderator.sheets.problems import Place, Problem, SheetError

MAX_BYTES = 2 * 1024 * 1024  # a week of 14 sessions is about 20 KB
MAX_UNPACKED = 8 * 1024 * 1024
MAX_ROWS = 1200  # 50 sessions of 20 speakers, and room for blank lines
MAX_COLUMNS = 60
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Table:
    """One sheet: its title (None for a CSV) and its rows, each a tuple of cell values, numbered from 1."""

    title: str | None
    rows: tuple[tuple[Any, ...], ...]
    problems: tuple[Problem, ...] = ()  # formulas and merged cells, for the reader to raise


def tables(data: bytes, filename: str = "") -> list[Table]:
    """The sheets of an XLSX file or the one table of a CSV file; raises SheetError."""
    if not data:
        raise SheetError.file(N_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise SheetError.file(N_("The file is larger than %(mb)s MB."), mb=MAX_BYTES // (1024 * 1024))
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTED_MARK in data:
            raise SheetError.file(
                N_("This workbook is protected by a password: save it again without one, then upload it.")
            )
        raise SheetError.file(
            N_("This is an old Excel (.xls) file: save it as an Excel workbook (.xlsx) or as CSV UTF-8.")
        )
    if data.startswith(ZIP_MAGIC):
        return _workbook(data)
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) or (b"\x00" in data and not utf16):
        raise SheetError.file(_NOT_A_SHEET)
    return [_csv(data)]


_NOT_A_SHEET = N_("This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.")


def _workbook(data: bytes) -> list[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError.file(_NOT_A_SHEET) from None
    if "xl/workbook.xml" not in names:
        raise SheetError.file(_NOT_A_SHEET)
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise SheetError.file(_TOO_MANY_ROWS, max=MAX_ROWS)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError):
        raise SheetError.file(_NOT_A_SHEET) from None
    except Exception:  # openpyxl raises many kinds on a damaged workbook; every one means the same here
        raise SheetError.file(_NOT_A_SHEET) from None
    result: list[Table] = []
    for sheet in book.worksheets:
        problems: list[Problem] = []
        if sheet.max_row > MAX_ROWS:
            raise SheetError.file(_TOO_MANY_ROWS, max=MAX_ROWS)
        for merged in sheet.merged_cells.ranges:
            place = Place(sheet.title, merged.min_row)
            problems.append(
                Problem(
                    place,
                    N_("The cells %(cells)s are merged: unmerge them and fill in every row."),
                    {"cells": merged.coord},
                )
            )
        rows: list[tuple[Any, ...]] = []
        for row in sheet.iter_rows(max_col=min(sheet.max_column, MAX_COLUMNS)):
            values: list[Any] = []
            for cell in row:
                if cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"):
                    problems.append(
                        Problem(
                            Place(sheet.title, cell.row),
                            N_("The cell %(cell)s holds a formula; type its value instead."),
                            {"cell": cell.coordinate},
                        )
                    )
                    values.append(None)
                else:
                    values.append(cell.value)
            rows.append(tuple(values))
        result.append(Table(sheet.title, tuple(rows), tuple(problems)))
    return result


_TOO_MANY_ROWS = N_("The file has more than %(max)s rows; a series has at most 50 sessions of 20 speakers.")


def _csv(data: bytes) -> Table:
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError.file(
            N_("This CSV file is not UTF-8 text: save it as 'CSV UTF-8' in your spreadsheet, then upload it.")
        ) from None
    if "\x00" in text:
        raise SheetError.file(_NOT_A_SHEET)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = []
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if number > MAX_ROWS:
                raise SheetError.file(_TOO_MANY_ROWS, max=MAX_ROWS)
            rows.append(tuple(row[:MAX_COLUMNS]))
    except csv.Error:
        raise SheetError.file(_NOT_A_SHEET) from None
    return Table(None, tuple(rows))
