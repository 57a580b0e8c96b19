"""Validation of user-supplied text: lengths in code points, no control or lone surrogate characters."""

from __future__ import annotations

import unicodedata

from moderator.core.errors import N_, fill

# Characters that could reorder or hide text on a public screen (bidi overrides and isolates).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class TextError(ValueError):
    """A text value is not acceptable: `message` is a msgid (with `params`) the caller translates."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(fill(message, params))
        self.message = message
        self.params = params


def clean_text(value: object, max_len: int, *, allow_empty: bool = False) -> str:
    """Return `value` normalised (NFC, trimmed) or raise TextError.

    Refuses: non-strings, lone surrogates, control characters (newlines included),
    bidi override characters, and texts longer than `max_len` code points.
    """
    if not isinstance(value, str):
        raise TextError(N_("must be a text"))
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            raise TextError(N_("contains an invalid character"))
        if cat == "Cc" or ch in _BIDI_CONTROLS:
            raise TextError(N_("contains a control character"))
    text = unicodedata.normalize("NFC", value).strip()
    if not text and not allow_empty:
        raise TextError(N_("must not be empty"))
    if len(text) > max_len:
        raise TextError(N_("is longer than %(max)s characters"), max=max_len)
    return text
