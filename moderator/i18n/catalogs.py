"""Maintainer script: keep the translation catalogs in step with the sources.

    python -m moderator.i18n.catalogs           # extract, update every .po, compile every .mo
    python -m moderator.i18n.catalogs --check   # change nothing; exit 1 if anything is out of step

What it does, from a source checkout (it needs `babel.cfg` at the repository root):

1. extract: every msgid marked in `moderator/**.py` and `displays/**.html` (see babel.cfg);
2. update: merge them into `moderator/i18n/locale/<locale>/LC_MESSAGES/messages.po` for en, fr
   and es. New msgids arrive untranslated; msgids gone from the sources are dropped; a
   msgid that merely changed a little arrives marked fuzzy, with the old translation as a
   suggestion. Entries are sorted by msgid and locations carry no line numbers, so the
   files change only when the sentences do;
3. compile: write `messages.mo` next to each `.po` (fuzzy entries are left out).

Then translate the empty and fuzzy entries of the French and Spanish files (remove the
`fuzzy` flag once checked; keep every `%(name)s` placeholder) and run it again to
compile. Commit the .po and .mo files together: nothing is compiled at install time.
`tests/i18n/test_i18n.py` fails while a msgid lacks a translation or a .mo is stale.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from moderator.i18n import locales
from moderator.i18n.translation import DOMAIN, LOCALE_DIR, SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
# translate_plural(locale, singular, plural, n, params): a counted sentence (moderator/i18n/translation.py).
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "translate_plural": (2, 3)}
PROJECT = "upr-moderator"
_LANGUAGE_NAMES = {loc.code: loc.english_name for loc in locales.LOCALES}
_parse_mapping: Callable[..., tuple[Any, Any]] = parse_mapping_cfg  # untyped in Babel


def po_path(locale: str) -> Path:
    """The .po file of `locale`."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    """The compiled .mo file of `locale`."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract() -> Catalog:
    """Every msgid marked in the sources, as a template catalog."""
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, options_map = _parse_mapping(mapping, str(MAPPING))
    template = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False, charset="utf-8")
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(locale: str) -> Catalog | None:
    """The .po catalog of `locale` as stored, or None when it does not exist yet."""
    path = po_path(locale)
    if not path.exists():
        return None
    with path.open("rb") as stream:
        return read_po(stream, locale=locale, domain=DOMAIN)


def updated(locale: str, template: Catalog) -> Catalog:
    """The catalog of `locale` merged with `template` (its creation date kept, for stable files)."""
    catalog = read_catalog(locale)
    if catalog is None:
        header = f"# {_LANGUAGE_NAMES[locale]} translations for {PROJECT}.\n#"
        catalog = Catalog(locale=locale, domain=DOMAIN, project=PROJECT, header_comment=header, fuzzy=False)
    catalog.update(template, update_creation_date=False)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    """`catalog` as .po text: sorted, without obsolete entries or line numbers."""
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """`catalog` compiled (fuzzy entries left out)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def compiled_messages(catalog: Catalog) -> dict[tuple[Any, Any], Any]:
    """What a compiled catalog holds: {(msgid, context): translation} of translated, non-fuzzy entries."""

    def frozen(value: Any) -> Any:  # a plural's id and forms: a list from a .mo, a tuple from a .po
        return tuple(value) if isinstance(value, list | tuple) else value

    def translated(message: Any) -> bool:
        if not message.id or message.fuzzy:
            return False
        if isinstance(message.string, list | tuple):  # Babel compiles an untranslated plural as its msgids
            return all(message.string) and frozen(message.string) != frozen(message.id)
        return bool(message.string)

    return {
        (frozen(message.id), message.context): frozen(message.string)
        for message in catalog
        if translated(message)
    }


def mo_is_stale(locale: str, catalog: Catalog) -> bool:
    """True when the .mo of `locale` is missing or does not hold exactly the translations of `catalog`."""
    if not mo_path(locale).exists():
        return True
    with mo_path(locale).open("rb") as stream:
        compiled = read_mo(stream)
    return compiled_messages(compiled) != compiled_messages(catalog)


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids of `catalog` with no translation, or only a fuzzy one."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str] | None = None) -> int:
    """Extract, update and compile; with --check, only report what would change. Returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m moderator.i18n.catalogs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of step")
    check = parser.parse_args(argv).check
    template = extract()
    problems: list[str] = []
    for locale in SUPPORTED_LOCALES:
        po = po_bytes(updated(locale, template))
        if check:
            if not po_path(locale).exists() or po_path(locale).read_bytes() != po:
                problems.append(f"{po_path(locale)} is not up to date with the sources")
        elif _write_if_changed(po_path(locale), po):
            print(f"updated {po_path(locale).relative_to(ROOT)}")
        catalog = read_po(io.BytesIO(po), locale=locale, domain=DOMAIN)
        if locale != "en":
            problems.extend(f"{locale}: untranslated: {msgid!r}" for msgid in untranslated(catalog))
        if mo_is_stale(locale, catalog):
            if check:
                problems.append(f"{mo_path(locale)} is not compiled from its .po")
            else:
                _write_if_changed(mo_path(locale), mo_bytes(catalog))
                print(f"compiled {mo_path(locale).relative_to(ROOT)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if check and problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
