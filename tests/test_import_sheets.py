"""`moderator import` with a week's spreadsheet: a new series from the example, the problems of a bad
file printed at their rows, and `--series ID` bringing a series to a changed workbook, tokens kept."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from moderator.importer import amend_file, import_file
from moderator.settings import Settings
from moderator.sheets.example import EXAMPLE
from moderator.store.sqlite import SQLiteStore


async def test_a_series_from_the_example_then_changed_by_a_workbook(tmp_path: Path):
    settings = Settings(db_path=tmp_path / "m.sqlite3")
    created, text = await import_file(EXAMPLE, settings)
    assert created is not None, text
    assert "Pre-sessions 44" in text and len(created.sessions) == 14 and len(created.delegations) == 195
    book = load_workbook(EXAMPLE)
    sheet = book["Speakers"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Speaker name") + 1).value = "Grace Replacement"
    changed = tmp_path / "week.xlsx"
    book.save(changed)
    done, text = await amend_file(changed, settings, created.series_id, "en", created.moderator_token)
    assert done, text
    assert "1 change made to the series Pre-sessions 44" in text and "Grace Replacement" in text
    store = await SQLiteStore.open(settings.db_path)
    try:
        who = await store.principal(created.delegations[0]["token"])  # printed cards still work
        assert who is not None and who.role == "delegation"
        assert len(await store.delegations(created.series_id)) == 195
    finally:
        await store.close()
    done, text = await amend_file(changed, settings, created.series_id)
    assert done and "No change" in text


async def test_a_bad_spreadsheet_prints_each_problem_and_creates_nothing(tmp_path: Path):
    settings = Settings(db_path=tmp_path / "m.sqlite3")
    bad = tmp_path / "week.csv"
    bad.write_text(
        "State under Review,Date,Time,Speaker name,Kind,Language\nDE,10/12/2030,10:00,Zoé,ngo,en\n"
    )
    created, text = await import_file(bad, settings, "fr")
    assert created is None
    assert text.splitlines() == [
        f"{bad}: Titre de la série\u00a0: Ce champ est obligatoire.",
        f"{bad}: Ligne 2, Date (\u00ab\u00a010/12/2030\u00a0\u00bb)\u00a0: Ceci n'est pas une date\u00a0: "
        "saisissez-la comme cellule de date, ou comme texte sous la forme 2030-12-10.",
        f"{bad}: Ligne 2, Kind (\u00ab\u00a0ngo\u00a0\u00bb)\u00a0: Cette valeur doit être l'une des "
        "suivantes\u00a0: cso, nhri, coalition.",
    ]
    store = await SQLiteStore.open(settings.db_path)
    try:
        assert await store.series() == []
    finally:
        await store.close()
