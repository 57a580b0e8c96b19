"""Domain errors of the core: a code for programs and a sentence for people (translated at the edge)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(message: str) -> str:
    """Mark `message` for extraction into the catalogs; it is translated later, where the locale is known."""
    return message


def fill(message: str, params: Mapping[str, object] | None = None) -> str:
    """`message` with its `%(name)s` placeholders filled from `params` (the one filling rule in Python;
    the browser's is `fill` in static/js/lib/i18n.js). Without params the message is left as it is."""
    return message % params if params else message


class Phrase:
    """A translatable fragment used as a parameter of a larger sentence: translated first, then inserted."""

    __slots__ = ("message", "params")

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return fill(self.message, {k: str(v) for k, v in self.params.items()})


class Refused(Exception):
    """A command was refused: nothing changed.

    `message` is an English msgid with `%(name)s` placeholders filled from `params`;
    the edge translates it into the client's language with `moderator.i18n.translation`.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.params = params

    def english(self) -> str:
        """The sentence in English, placeholders filled."""
        return fill(self.message, {k: str(v) for k, v in self.params.items()})
