"""Reading a week's spreadsheet: real XLSX files built with openpyxl and real CSV bytes; every bad
file and every bad cell gets a sentence at its place, and nothing else is read from it."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

from moderator.core.agenda import parse_agenda
from moderator.sheets import SheetError, read_sheet
from moderator.sheets.example import EXAMPLE
from moderator.sheets.files import MAX_ROWS
from moderator.sheets.problems import Problem

HEADERS = [
    "State under Review",
    "Date",
    "Time",
    "Speaker name",
    "Organisation",
    "Kind",
    "Language",
    "Speaking seconds",
]
SERIES = {"title": "Pre-sessions 50", "format": "in_person"}


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS, **sheets: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Speakers"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for title, content in sheets.items():
        other = book.create_sheet(title)
        for row in content:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD: list[list[Any]] = [
    ["DE", date(2030, 12, 10), time(10, 0), "Jane Doe", "Example Coalition", "coalition", "en", 420],
    [None, None, None, "John Roe", "Rights Watch", "cso", "fr", 360],
    ["FR", date(2030, 12, 10), time(11, 30), "Ana Ruiz", "Red Andina", "cso", "es", 300],
]


def problems(data: bytes, filename: str = "week.xlsx", series: dict[str, Any] | None = None) -> list[Problem]:
    with pytest.raises(SheetError) as caught:
        read_sheet(data, filename, SERIES if series is None else series)
    return list(caught.value.problems)


def sentences(data: bytes, filename: str = "week.xlsx", locale: str = "en") -> list[str]:
    return [p.sentence(locale) for p in problems(data, filename)]


def test_a_good_sheet_gives_the_agenda_with_every_mission_by_default():
    read = read_sheet(xlsx(GOOD), "week.xlsx", SERIES)
    agenda = read.agenda
    assert [s.key for s in agenda.sessions] == ["DE", "FR"]
    assert [sp.name for sp in agenda.sessions[0].speakers] == ["Jane Doe", "John Roe"]
    assert [sp.key for sp in agenda.sessions[0].speakers] == ["s1", "s2"]
    assert agenda.sessions[0].speakers[0].seconds == 420
    assert (
        agenda.sessions[1].start_ms
        == parse_agenda(
            {
                **SERIES,
                "sessions": [{"key": "FR", "state_under_review": "FR", "start": "2030-12-10T11:30:00+01:00"}],
            }
        )
        .sessions[0]
        .start_ms
    )
    codes = {d.state for d in agenda.delegations}
    assert len(codes) == 195 and {"DE", "FR", "VA", "PS"} <= codes


def test_missions_listed_on_their_own_sheet_replace_the_default():
    read = read_sheet(
        xlsx(GOOD, Missions=[["State", "Label"], ["DE", None], ["BR", "Brazil"]]), "w.xlsx", SERIES
    )
    assert [(d.state, d.label) for d in read.agenda.delegations] == [("DE", None), ("BR", "Brazil")]
    bad = sentences(xlsx(GOOD, Missions=[["State"], ["DE"], ["XX"]]))
    assert bad == [
        "Sheet Missions, row 3, State ('XX'): This must be the ISO 3166-1 alpha-2 code of a UN "
        "Member or observer State, such as DE."
    ]


def test_the_series_sheet_gives_the_title_format_venue_and_zone():
    series = [
        ["Title", "Semaine 50"],
        ["Format", "Hybrid"],
        ["Venue", "Geneva"],
        ["Time zone", "Europe/Paris"],
    ]
    read = read_sheet(xlsx(GOOD, Series=series), "w.xlsx", {})
    assert (read.agenda.title, read.agenda.format, read.agenda.timezone) == (
        "Semaine 50",
        "hybrid",
        "Europe/Paris",
    )
    bad = sentences(xlsx(GOOD, Series=[["Title", "x"], ["Format", "online"]]))
    assert bad == ["Sheet Series, row 2, Format ('online'): This must be one of: in_person, virtual, hybrid."]


def test_headers_in_french_and_spanish_are_recognised():
    fr = ["État examiné", "Date", "Heure", "Nom", "Organisation", "Type", "Langue", "Secondes"]
    es = ["Estado examinado", "Fecha", "Hora", "Nombre", "Organización", "Tipo", "Idioma", "Segundos"]
    for headers in (fr, es):
        read = read_sheet(xlsx(GOOD, headers=headers), "w.xlsx", SERIES)
        assert [sp.language for sp in read.agenda.sessions[0].speakers] == ["en", "fr"]


def test_every_bad_cell_is_named_at_its_row_and_column():
    rows: list[list[Any]] = [
        ["DE", date(2030, 12, 10), time(10, 0), "Jane Doe", "Coalition", "cso", "en", 420],
        ["DE", None, None, "John Roe", "Watch", "cso", "English ", 360],
        ["DE", None, "11:00", "Ann Lee", "Watch", "cso", "en", 360],
        ["XX", "10/12/2030", "10:00", "Bob Ray", "Watch", "ngo", "en", 300],
        ["FR", "2030-12-11", "25:00", "Zed Zo", "Watch", "cso", "en", 300],
        ["CH", "2030-12-12", "09:00", "Kim Po", "Watch", "cso", "en", "seven minutes"],
        ["CA", datetime(2030, 12, 12, 14, 0), None, "Al Bo", "Watch", "nhri", "en", 59],
    ]
    assert sentences(xlsx(rows)) == [
        "Row 3, Language ('English '): This must be one of: en, fr, es.",
        "Row 4, Time ('11:00'): Session DE already has 2030-12-10 10:00 in row 2; give every row of a "
        "session the same value, or leave the cell empty.",
        "Row 5, Date ('10/12/2030'): This is not a date: type it as a date cell, or as text in the "
        "form 2030-12-10.",
        "Row 5, State under Review ('XX'): This must be the ISO 3166-1 alpha-2 code of a UN Member or "
        "observer State, such as DE.",
        "Row 6, Time ('25:00'): This is not a time of day: type it as 10:00.",
        "Row 7, Speaking seconds ('seven minutes'): This must be a whole number from 60 to 1800.",
        "Row 8, Speaking seconds ('59'): This must be a whole number from 60 to 1800.",
    ]


def test_problems_are_translated():
    rows = [["DE", date(2030, 12, 10), time(10, 0), "Jane Doe", "Coalition", "cso", "English ", 420]]
    fr = sentences(xlsx(rows), locale="fr")[0]
    es = sentences(xlsx(rows), locale="es")[0]
    assert (
        fr.startswith("Ligne 2, Language (\u00ab\u00a0English \u00a0\u00bb)\u00a0: ") and "en, fr, es" in fr
    )
    assert es.startswith("Fila 2, Language («English »): ") and "en, fr, es" in es


def test_a_sheet_without_the_required_columns_names_them():
    found = sentences(xlsx(GOOD, headers=["Where", "Date", "Time"]))
    assert len(found) == 2
    assert found == [
        "Row 1: The row of headers has no column State under Review.",
        "Row 1: The row of headers has no column Speaker name.",
    ]
    fr = problems(xlsx(GOOD, headers=["Where", "Date", "Time"]))[0].sentence("fr")
    assert fr == "Ligne 1\u00a0: La ligne d'en-têtes n'a pas de colonne État examiné."


def test_a_title_above_the_headers_and_lower_case_states():
    rows: list[list[Any]] = [["Speakers of the week", None], [None, None], list(HEADERS)]
    rows += [[r[0].lower() if r[0] else None, *r[1:]] for r in GOOD]
    read = read_sheet(xlsx(rows, headers=["Pre-sessions 50"]), "w.xlsx", SERIES)
    assert [s.key for s in read.agenda.sessions] == ["DE", "FR"]
    assert [s.state_under_review for s in read.agenda.sessions] == ["DE", "FR"]


def test_the_agendas_own_rules_apply_to_a_sheet():
    """Rules of the agenda (a repeated speaker key, an unknown time zone) come from core/agenda.py."""
    headers = [*HEADERS, "Speaker key"]
    rows: list[list[Any]] = [
        ["DE", date(2030, 12, 10), time(10, 0), "Jane Doe", "C", "cso", "en", 420, "k1"],
        ["DE", None, None, "John Roe", "C", "cso", "en", 420, "k1"],
    ]
    assert sentences(xlsx(rows, headers=headers)) == [
        "Row 3, Speaker key ('k1'): The speaker key k1 is already used in this session."
    ]
    zone = problems(xlsx(GOOD), series={**SERIES, "timezone": "Mars/Olympus"})
    assert [p.english() for p in zone] == [
        "The series' Time zone: This is not a known IANA time zone name, such as Europe/Zurich."
    ]


# ---- bad files: one sentence each, nothing read ----------------------------------------------------


def test_bad_files_each_get_one_sentence():
    cases = {
        b"": "The file is empty.",
        b"%PDF-1.7\x00\x01binary": "This file is not a spreadsheet",
        b"PK\x03\x04not really a zip": "This file is not a spreadsheet",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600: "This is an old Excel (.xls) file",
        "État examiné;Nom\nDE;Zoé\n".encode("cp1252"): "This CSV file is not UTF-8 text",
        b"x" * (3 * 1024 * 1024): "The file is larger than 2 MB.",
    }
    for data, start in cases.items():
        found = sentences(data, "week.csv" if data[:1] in (b"\xc9", b"x") else "week.xlsx")
        assert len(found) == 1 and found[0].startswith(start), (data[:20], found)


def test_a_zip_that_is_no_workbook():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert sentences(out.getvalue())[0].startswith("This file is not a spreadsheet")


def test_a_password_protected_workbook_is_refused():
    """A real encrypted workbook (msoffcrypto-tool encrypts it as Excel does)."""
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx(GOOD))).encrypt("secret", encrypted)
    assert sentences(encrypted.getvalue()) == [
        "This workbook is protected by a password: save it again without one, then upload it."
    ]


def test_formulas_and_merged_cells_are_refused_at_their_place():
    rows = [list(GOOD[0]), list(GOOD[1])]
    rows[1][7] = "=H2*2"
    data = xlsx(rows)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in GOOD:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    merged = io.BytesIO()
    book.save(merged)
    assert sentences(data) == ["Row 3: The cell H3 holds a formula; type its value instead."]
    assert sentences(merged.getvalue()) == [
        "Row 2: The cells A2:A3 are merged: unmerge them and fill in every row."
    ]


def test_too_many_rows():
    rows = [
        ["DE", date(2030, 12, 10), time(10, 0), f"Speaker {i}", "C", "cso", "en", 300]
        for i in range(MAX_ROWS + 5)
    ]
    assert sentences(xlsx(rows)) == [
        f"The file has more than {MAX_ROWS} rows; a series has at most 50 sessions of 20 speakers."
    ]
    text = "\n".join(["State under Review,Speaker name"] + ["DE,x"] * (MAX_ROWS + 5)).encode()
    assert sentences(text, "week.csv")[0].startswith(f"The file has more than {MAX_ROWS} rows")


def test_an_empty_sheet():
    assert sentences(xlsx([], headers=[])) == ["This sheet is empty: it needs a row of headers."]


# ---- CSV ---------------------------------------------------------------------------------------------


def test_csv_in_utf8_with_commas_or_semicolons_and_utf16():
    text = (
        "State under Review;Date;Time;Speaker name;Kind;Language;Publish\n"
        "DE;2030-12-10;10:00;Zoé Müller;cso;fr;non\n"
        ";;;Ana Ruiz;nhri;es;yes\n"
    )
    for data in (
        text.encode("utf-8"),
        text.encode("utf-8-sig"),
        text.encode("utf-16"),
        text.replace(";", ",").encode(),
    ):
        read = read_sheet(data, "week.csv", SERIES)
        speakers = read.agenda.sessions[0].speakers
        assert [(s.name, s.kind, s.publish) for s in speakers] == [
            ("Zoé Müller", "cso", False),
            ("Ana Ruiz", "nhri", True),
        ]
    bad = sentences("State under Review,Date,Time,Speaker name\nDE,10 December,10:00,Zoé\n".encode(), "w.csv")
    assert bad == [
        "Row 2, Date ('10 December'): This is not a date: type it as a date cell, or as text in the "
        "form 2030-12-10.",
        "Row 2, Kind: This field is required.",  # the sheet has no column Kind
    ]


def test_the_shipped_example_reads():
    read = read_sheet(EXAMPLE.read_bytes(), "example-week.xlsx")
    assert len(read.agenda.sessions) == 14 and read.agenda.title == "Pre-sessions 44"


def test_a_change_keeps_the_series_missions_unless_the_file_lists_them():
    mine = [{"state": "DE"}, {"state": "FR", "label": "France"}]
    read = read_sheet(xlsx(GOOD), "w.xlsx", SERIES, missions=mine)
    assert [(d.state, d.label) for d in read.agenda.delegations] == [("DE", None), ("FR", "France")]
    listed = read_sheet(xlsx(GOOD, Missions=[["State"], ["BR"]]), "w.xlsx", SERIES, missions=mine)
    assert [d.state for d in listed.agenda.delegations] == ["BR"]
