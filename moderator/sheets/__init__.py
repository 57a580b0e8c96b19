"""Spreadsheets of a week: read (XLSX or CSV, into a validated agenda) and write (XLSX); no I/O."""

from moderator.sheets.problems import Place, Problem, SheetError
from moderator.sheets.reading import ReadSheet, read_sheet

__all__ = ["Place", "Problem", "ReadSheet", "SheetError", "read_sheet"]
