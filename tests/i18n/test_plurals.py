"""Counts in words take the right form in every language: "1 session", "2 sessions", "1 séance"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderator.i18n.translation import translate_plural
from moderator.importer import import_file
from moderator.settings import Settings
from tests.support.agenda import agenda

ONE = {"en": "(1 session)", "fr": "(1 séance)", "es": "(1 sesión)"}
TWO = {"en": "(2 sessions)", "fr": "(2 séances)", "es": "(2 sesiones)"}


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
async def test_the_import_summary_counts_sessions_in_the_singular_and_the_plural(
    tmp_path: Path, locale: str
) -> None:
    one = agenda()
    one["sessions"] = one["sessions"][:1]
    for name, doc in (("one", one), ("two", agenda())):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        created, summary = await import_file(path, Settings(db_path=tmp_path / f"{name}.sqlite3"), locale)
        assert created is not None, summary
        first = summary.splitlines()[0]
        assert first.endswith((ONE if name == "one" else TWO)[locale]), first


@pytest.mark.parametrize(
    ("locale", "n", "said"),
    [("en", 0, "0 sessions"), ("fr", 0, "0 séance"), ("es", 0, "0 sesiones"), ("fr", 1, "1 séance")],
)
def test_zero_follows_each_language_s_rule(locale: str, n: int, said: str) -> None:
    text = translate_plural(
        locale, "Series: %(title)s (%(n)s session)", "Series: %(title)s (%(n)s sessions)", n, {"title": "T"}
    )
    assert text.endswith(f"({said})")
