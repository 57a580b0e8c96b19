"""Translations of user-facing sentences: gettext catalogs for English, French and Spanish.

Sentences are marked in the code with `N_()` (or `_()` in templates) as English msgids
with `%(name)s` placeholders, and translated here, at the edge, once the reader's
language is known. The catalogs live in `moderator/i18n/locale/<locale>/LC_MESSAGES/`;
`python -m moderator.i18n.catalogs` keeps them in step with the sources.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path

from babel.dates import format_datetime

from moderator.core.errors import Phrase, fill
from moderator.i18n import locales

SUPPORTED_LOCALES = locales.CODES
DEFAULT_LOCALE = locales.DEFAULT
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).with_name("locale")

_MAX_HEADER = 4096  # longer Accept-Language headers are read up to this length


def _supported(tag: str) -> str | None:
    """The supported locale of a language tag ("fr-CH", "fr_ch", "FR" give "fr"), or None."""
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def _weighted(accept_language: str) -> list[tuple[float, int, str]]:
    """The ranges of an Accept-Language header as (-q, position, range), best first; q=0 dropped."""
    ranges = []
    for position, item in enumerate(accept_language[:_MAX_HEADER].split(",")):
        tag, _, rest = item.partition(";")
        quality = 1.0
        for param in rest.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and 0.0 < quality <= 1.0:
            ranges.append((-quality, position, tag.strip()))
    return sorted(ranges)


def negotiate(accept_language: str | None, requested: str | None = None) -> str:
    """The locale to answer in: `requested` if supported, else the best Accept-Language match, else en.

    `requested` is an explicit choice (a `?lang=` parameter, a cookie, a hello field).
    Regional variants count as their language ("es-419" is "es"); `*` means any, so it
    gives the default. Malformed input is never an error: it just does not match.
    """
    if requested:
        chosen = _supported(requested)
        if chosen:
            return chosen
    for _, _, tag in _weighted(accept_language or ""):
        if tag == "*":
            return DEFAULT_LOCALE
        chosen = _supported(tag)
        if chosen:
            return chosen
    return DEFAULT_LOCALE


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale` (one of SUPPORTED_LOCALES); ValueError for any other."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale: {locale!r}")
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as catalog:
        return gettext.GNUTranslations(catalog)


def translate(locale: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """`message` (a msgid) in `locale`, with its `%(name)s` placeholders filled from `params`.

    A translation whose placeholders do not match `params` falls back to the English
    sentence rather than failing in front of the reader.
    """
    text = translations(locale).gettext(message)
    if not params:
        return text
    values = {
        k: translate(locale, v.message, v.params) if isinstance(v, Phrase) else v for k, v in params.items()
    }
    try:
        return fill(text, values)
    except (KeyError, ValueError, TypeError):
        return fill(message, {k: str(v) for k, v in params.items()})


def translate_plural(
    locale: str, singular: str, plural: str, n: int, params: Mapping[str, object] | None = None
) -> str:
    """The form of a counted sentence that `n` takes in `locale` ("1 session", "2 sessions"),
    its `%(n)s` and other placeholders filled; falls back to English like `translate`."""
    text = translations(locale).ngettext(singular, plural, n)
    values = {"n": n, **(params or {})}
    try:
        return fill(text, values)
    except (KeyError, ValueError, TypeError):
        return fill(singular if n == 1 else plural, values)


def format_start(start_ms: int, zone: tzinfo, locale: str) -> str:
    """A session's start as the index page and the command line both show it, in the series' time
    zone with Babel's names for `locale`: "Tue 1 Dec 10:00", « mar. 1 déc. 10:00 »."""
    return format_datetime(datetime.fromtimestamp(start_ms / 1000, zone), "EEE d MMM HH:mm", locale=locale)
