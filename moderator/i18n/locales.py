"""The languages of the screens: one list (code, its own name for itself, writing direction).

Everything else derives from it: the catalogs, the language picker, the `dir` attribute, the
languages an agenda may give a statement, the State names in each language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True, slots=True)
class Locale:
    code: str
    name: str  # in the language itself, as the picker shows it
    english_name: str  # as the catalogs' headers name it
    direction: Direction = "ltr"


LOCALES: tuple[Locale, ...] = (
    Locale("en", "English", "English"),
    Locale("fr", "Français", "French"),
    Locale("es", "Español", "Spanish"),
)

CODES: tuple[str, ...] = tuple(loc.code for loc in LOCALES)
DEFAULT = CODES[0]
_BY_CODE = {loc.code: loc for loc in LOCALES}


def direction(code: str) -> Direction:
    """The writing direction of `code` ("fr-CH" counts as "fr"); "ltr" for a language not listed."""
    found = _BY_CODE.get(code.split("-", 1)[0].lower())
    return found.direction if found else "ltr"


def picker() -> tuple[tuple[str, str], ...]:
    """Each language with its own name for itself, in the list's order, for the language picker."""
    return tuple((loc.code, loc.name) for loc in LOCALES)
