"""A problem of a spreadsheet, named at its place ("Row 7, Language ('English '): This must be one of: …").

The sentence is built in the reader's language: the place (row and the column's header as
the file writes it), the cell's value as typed, and the problem itself, a msgid of
`core/agenda.py` or of the sheet reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moderator.core.errors import N_, Phrase, fill
from moderator.i18n.translation import translate

_CELL = N_("Row %(row)s, %(column)s")
_ROW = N_("Row %(row)s")
_COLUMN = N_("Column %(column)s")
_SHEET_CELL = N_("Sheet %(sheet)s, row %(row)s, %(column)s")
_SHEET_ROW = N_("Sheet %(sheet)s, row %(row)s")
_SHEET = N_("Sheet %(sheet)s")
_SERIES_FIELD = N_("The series' %(field)s")
_AT = N_("%(place)s: %(problem)s")
_AT_VALUE = N_("%(place)s ('%(value)s'): %(problem)s")
_VALUE_MAX = 40


@dataclass(frozen=True)
class Place:
    """Where in the file: the sheet's title (None for the speakers' sheet or a CSV), a row, a header."""

    sheet: str | None = None
    row: int | None = None
    column: str | Phrase | None = None  # as the file writes it; a Phrase for a column it lacks
    series_field: str | None = None  # a field of the series no sheet gives (a msgid: "Title")

    def phrase(self) -> Phrase | None:
        if self.series_field is not None:
            return Phrase(_SERIES_FIELD, field=Phrase(self.series_field))
        params: dict[str, Any] = {"sheet": self.sheet, "row": self.row, "column": self.column}
        if self.sheet is not None:
            if self.row is None:
                return Phrase(_SHEET, **params)
            return Phrase(_SHEET_CELL if self.column else _SHEET_ROW, **params)
        if self.row is None:
            return Phrase(_COLUMN, **params) if self.column else None
        return Phrase(_CELL if self.column else _ROW, **params)


@dataclass(frozen=True)
class Problem:
    """One problem: its place, the cell's value as typed (or None), a msgid and its parameters.

    `where` is the agenda document's pointer when the problem is the agenda's own rule."""

    place: Place
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    value: str | None = None
    where: str | None = None

    def sentence(self, locale: str) -> str:
        problem = translate(locale, self.message, self.params)
        phrase = self.place.phrase()
        if phrase is None:
            return problem
        place = translate(locale, phrase.message, phrase.params)
        if self.value is None:
            return translate(locale, _AT, {"place": place, "problem": problem})
        return translate(locale, _AT_VALUE, {"place": place, "value": self.value, "problem": problem})

    def english(self) -> str:
        return self.sentence("en")

    def wire(self, locale: str) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.sentence(locale)}
        if self.place.sheet is not None:
            body["sheet"] = self.place.sheet
        if self.place.row is not None:
            body["row"] = self.place.row
        if self.place.column is not None:
            column = self.place.column
            body["column"] = translate(locale, column.message) if isinstance(column, Phrase) else column
        if self.where is not None:
            body["where"] = self.where
        return body


def shown(value: object) -> str:
    """A cell's value as a person typed it, bounded and without control characters."""
    text = value if isinstance(value, str) else str(value)
    clipped = text[:_VALUE_MAX] + ("…" if len(text) > _VALUE_MAX else "")
    return "".join(ch if ch.isprintable() or ch == " " else "\ufffd" for ch in clipped)


class SheetError(ValueError):
    """A spreadsheet that gives no agenda: every problem found, each at its place; nothing was created."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.english() for p in self.problems))

    @classmethod
    def file(cls, message: str, **params: Any) -> SheetError:
        """A problem of the whole file (not a spreadsheet, encrypted, too large, empty…)."""
        return cls([Problem(Place(), message, params)])

    def english(self) -> str:
        return fill("%(text)s", {"text": str(self)})
