"""The agenda document: every rule, pointers to the bad field, all or nothing, files, fuzzing."""

from __future__ import annotations

import contextlib
import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator.core import agenda
from moderator.core.agenda import AgendaError, AgendaSeries, load_agenda_file, parse_agenda

PROTOCOL_EXAMPLE: dict[str, Any] = {
    "title": "Pre-sessions 44",
    "format": "in_person",
    "venue": "Palais des Nations, Geneva",
    "timezone": "Europe/Zurich",
    "sessions": [
        {
            "key": "DE",
            "state_under_review": "DE",
            "start": "2023-08-29T10:00:00+02:00",
            "minutes": 60,
            "question_seconds": 120,
            "speakers": [
                {
                    "key": "s1",
                    "name": "Jane Doe",
                    "organisation": "Example Coalition",
                    "kind": "coalition",
                    "theme": "Rights of migrants",
                    "language": "en",
                    "seconds": 420,
                    "public_name": None,
                    "publish": True,
                }
            ],
        }
    ],
    "delegations": [{"state": "FR"}, {"state": "DE"}, {"state": "BR", "label": "Brazil"}],
}


def minimal() -> dict[str, Any]:
    """A small valid document with one session and one speaker, every optional field left out."""
    return {
        "title": "Pre-sessions 45",
        "format": "virtual",
        "sessions": [
            {
                "key": "KE",
                "state_under_review": "KE",
                "start": "2024-01-15T10:00:00",
                "speakers": [{"key": "a", "name": "Amina W.", "kind": "cso", "language": "en"}],
            }
        ],
    }


def refusal(doc: object) -> AgendaError:
    """The AgendaError that parsing `doc` raises."""
    with pytest.raises(AgendaError) as caught:
        parse_agenda(doc)
    return caught.value


def _parent(doc: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container holding the field at the dotted/indexed `path`, and that field's key or index."""
    parts: list[Any] = [
        int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")
    ]
    target: Any = doc
    for part in parts[:-1]:
        target = target[part]
    return target, parts[-1]


def with_value(path: str, value: object, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of `doc` (default: minimal) with the field at `path` set to `value`."""
    doc = copy.deepcopy(minimal() if doc is None else doc)
    target, last = _parent(doc, path)
    target[last] = value
    return doc


def without(path: str) -> dict[str, Any]:
    """A copy of the minimal document with the field at `path` removed."""
    doc = copy.deepcopy(minimal())
    target, last = _parent(doc, path)
    del target[last]
    return doc


def session(key: str, state: str, speakers: int = 1) -> dict[str, Any]:
    """A valid session document with `speakers` speakers."""
    return {
        "key": key,
        "state_under_review": state,
        "start": "2024-01-15T10:00:00+01:00",
        "speakers": [
            {"key": f"s{i}", "name": f"Speaker {i}", "kind": "nhri", "language": "fr"}
            for i in range(speakers)
        ],
    }


# --- the whole document ----------------------------------------------------------------------------


def test_protocol_example_parses() -> None:
    """The example of PROTOCOL.md section 2 parses to the values it states."""
    series = parse_agenda(PROTOCOL_EXAMPLE)
    assert series.title == "Pre-sessions 44"
    assert series.format == "in_person"
    assert series.venue == "Palais des Nations, Geneva"
    assert series.timezone == "Europe/Zurich"
    (de,) = series.sessions
    assert (de.key, de.state_under_review, de.start_ms, de.minutes, de.question_seconds) == (
        "DE", "DE", 1693296000000, 60, 120,
    )  # fmt: skip
    speaker = de.speakers[0]
    assert speaker == agenda.AgendaSpeaker(
        "s1", "Jane Doe", "Example Coalition", "coalition", "Rights of migrants", "en", 420, None, True, None
    )
    assert [d.state for d in series.delegations] == ["FR", "DE", "BR"]
    assert series.delegations[2].label == "Brazil"
    assert series.delegations[0].label is None
    assert series.warnings == ()


def test_defaults_fill_every_optional_field() -> None:
    """Optional fields take their documented defaults when absent."""
    series = parse_agenda(minimal())
    assert (series.venue, series.timezone, series.delegations, series.warnings) == (
        "",
        "Europe/Zurich",
        (),
        (),
    )
    (ke,) = series.sessions
    assert (ke.minutes, ke.question_seconds) == (60, 120)
    assert (ke.warning_seconds, ke.answer_seconds) == (60, 120)
    speaker = ke.speakers[0]
    assert (speaker.organisation, speaker.theme, speaker.seconds) == ("", "", 360)
    assert (speaker.public_name, speaker.publish, speaker.video) == (None, True, None)


def test_null_optional_fields_count_as_absent() -> None:
    """An optional field given as null takes its default."""
    doc = minimal()
    doc.update(venue=None, timezone=None, delegations=None)
    doc["sessions"][0].update(minutes=None, question_seconds=None)
    doc["sessions"][0]["speakers"][0].update(
        organisation=None, theme=None, seconds=None, public_name=None, publish=None, video=None
    )
    assert parse_agenda(doc) == parse_agenda(minimal())


def test_result_is_frozen() -> None:
    """The parsed series cannot be modified."""
    series = parse_agenda(minimal())
    with pytest.raises(AttributeError):
        series.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize("doc", [None, [], "agenda", 3, True])
def test_document_must_be_an_object(doc: object) -> None:
    """A document that is not an object is refused at the root pointer."""
    error = refusal(doc)
    assert error.where == ""
    assert error.english() == "The agenda must be an object with a title and sessions."


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("titel", "titel"),
        ("sessions[0].stat_under_review", "sessions[0].stat_under_review"),
        ("sessions[0].speakers[0].languge", "sessions[0].speakers[0].languge"),
        ("sessions[0].speakers[0].ident", "sessions[0].speakers[0].ident"),
    ],
)
def test_unknown_fields_are_refused_where_they_are(path: str, where: str) -> None:
    """A misspelt or unknown field is refused, pointed at, and named in the message."""
    error = refusal(with_value(path, "x"))
    assert error.where == where
    assert error.params["field"] == where.rsplit(".", 1)[-1]
    assert "allowed" in error.params


def test_what_get_adds_is_accepted_back_and_ignored() -> None:
    """GET /api/series/{id} adds ids and links: sent back as they are, they change nothing."""
    doc = minimal()
    doc.update(id="R1", links={"room": "/series/R1/room"})
    doc["sessions"][0].update(id="S1", links={"console": "/s/S1/console"})
    doc["sessions"][0]["speakers"][0]["id"] = "P1"
    assert parse_agenda(doc) == parse_agenda(minimal())


def test_session_format_and_opening_statement_are_read_by_their_rules() -> None:
    """A session may have its own format and a slot for the State under Review's statement."""
    doc = minimal()
    doc["sessions"][0].update(format="hybrid", sur_statement_seconds=300)
    (session,) = parse_agenda(doc).sessions
    assert (session.format, session.sur_statement_seconds) == ("hybrid", 300)
    assert parse_agenda(minimal()).sessions[0].format is None
    doc["sessions"][0]["sur_statement_seconds"] = 30
    error = refusal(doc)
    assert error.where == "sessions[0].sur_statement_seconds"
    assert error.english() == "This must be a whole number from 60 to 1800."
    doc["sessions"][0].update(sur_statement_seconds=None, format="online")
    assert refusal(doc).where == "sessions[0].format"


def test_unknown_delegation_field_is_refused() -> None:
    """An unknown field in a delegation is refused at its pointer."""
    doc = with_value("delegations", [{"state": "FR"}, {"state": "DE", "lable": "Germany"}])
    assert refusal(doc).where == "delegations[1].lable"


def test_unknown_field_names_are_made_safe_to_show() -> None:
    """Control characters and lone surrogates in an unknown field name never reach the pointer."""
    error = refusal(with_value("ti\ud800\ntle", 1))
    assert "\ud800" not in error.where and "\n" not in error.where
    assert len(refusal(with_value("x" * 10_000, 1)).where) < 50


def test_unknown_field_is_reported_before_missing_ones() -> None:
    """A typo is reported as the unknown field, not as the missing field it was meant to be."""
    doc = without("title")
    doc["titel"] = "Pre-sessions 45"
    assert refusal(doc).where == "titel"


# --- series fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, "", "   ", "x" * 201, 5, ["Title"], "Pre\nsessions", "Pre\u202esessions"]
)
def test_title_is_required_text_up_to_200(value: object) -> None:
    """The title is a non-empty text of at most 200 characters without control characters."""
    assert refusal(with_value("title", value)).where == "title"


def test_title_is_trimmed_and_may_be_200_long() -> None:
    """A 200-character title is accepted and surrounding spaces are trimmed."""
    assert parse_agenda(with_value("title", "x" * 200)).title == "x" * 200
    assert parse_agenda(with_value("title", "  Pre-sessions 45 ")).title == "Pre-sessions 45"


def test_missing_title_says_it_is_required() -> None:
    """A missing required field is pointed at with a sentence saying it is required."""
    error = refusal(without("title"))
    assert (error.where, error.english()) == ("title", "This field is required.")


@pytest.mark.parametrize("value", ["in_person", "virtual", "hybrid"])
def test_formats_accepted(value: str) -> None:
    """The three formats are accepted."""
    assert parse_agenda(with_value("format", value)).format == value


@pytest.mark.parametrize("value", ["online", "In_Person", "", 1])
def test_other_formats_refused(value: object) -> None:
    """Any other format is refused and the message lists the choices."""
    error = refusal(with_value("format", value))
    assert error.where == "format"
    assert error.params == {"choices": "in_person, virtual, hybrid"}


def test_venue_is_optional_text_up_to_200() -> None:
    """The venue may be empty, 200 characters long, but not longer nor a non-text."""
    assert parse_agenda(with_value("venue", "")).venue == ""
    assert parse_agenda(with_value("venue", "v" * 200)).venue == "v" * 200
    assert refusal(with_value("venue", "v" * 201)).where == "venue"
    assert refusal(with_value("venue", 3)).where == "venue"


@pytest.mark.parametrize(
    "value", ["Mars/Olympus_Mons", "Europe", "europe/zurich", "", 1, "../etc/passwd", "localtime"]
)
def test_timezone_must_be_an_iana_name(value: object) -> None:
    """The time zone must be a known IANA name."""
    assert refusal(with_value("timezone", value)).where == "timezone"


@pytest.mark.parametrize("value", [None, [], {}, "DE"])
def test_sessions_must_be_a_non_empty_list(value: object) -> None:
    """sessions is required, is a list, and has at least one session."""
    assert refusal(with_value("sessions", value)).where == "sessions"


def test_at_most_50_sessions() -> None:
    """50 sessions are accepted, 51 refused."""
    sessions = [session(f"S{i}", "DE", 0) for i in range(51)]
    assert len(parse_agenda(with_value("sessions", sessions[:50])).sessions) == 50
    error = refusal(with_value("sessions", sessions))
    assert (error.where, error.params) == ("sessions", {"count": 51, "max": 50})


# --- sessions --------------------------------------------------------------------------------------


def test_session_keys_are_unique_in_the_series() -> None:
    """A session key used twice is refused at the second one."""
    doc = with_value("sessions", [session("A", "DE"), session("B", "FR"), session("A", "BR")])
    error = refusal(doc)
    assert (error.where, error.params) == ("sessions[2].key", {"key": "A"})


@pytest.mark.parametrize("value", [None, "", "k" * 41, 7])
def test_session_key_is_required_text_up_to_40(value: object) -> None:
    """The session key is a non-empty text of at most 40 characters."""
    assert refusal(with_value("sessions[0].key", value)).where == "sessions[0].key"


@pytest.mark.parametrize(
    ("value", "code"), [("de", "DE"), ("De", "DE"), (" fr ", "FR"), ("VA", "VA"), ("ps", "PS")]
)
def test_state_under_review_accepts_lower_case(value: str, code: str) -> None:
    """Member and observer codes are accepted in any case and stored in upper case."""
    assert (
        parse_agenda(with_value("sessions[0].state_under_review", value)).sessions[0].state_under_review
        == code
    )


@pytest.mark.parametrize("value", [None, "TW", "XK", "DEU", "Germany", "ß", "", 276, "EU"])
def test_state_under_review_must_be_a_state(value: object) -> None:
    """Anything but a Member or observer alpha-2 code is refused."""
    where = "sessions[0].state_under_review"
    assert refusal(with_value(where, value)).where == where


@pytest.mark.parametrize(
    ("timezone", "start", "expected"),
    [
        ("Europe/Zurich", "2023-08-29T10:00:00+02:00", 1693296000000),
        ("Europe/Zurich", "2023-08-29T10:00:00", 1693296000000),
        ("Europe/Zurich", "2023-08-29T08:00:00Z", 1693296000000),
        ("Europe/Zurich", "2023-08-29 10:00", 1693296000000),
        ("Europe/Zurich", "2024-01-15T10:00:00", 1705309200000),
        ("America/New_York", "2023-08-29T04:00:00", 1693296000000),
        ("America/New_York", "2023-08-29T10:00:00+02:00", 1693296000000),
        ("UTC", "2019-12-10T09:00:00", 1575968400000),
    ],
)
def test_start_is_converted_to_epoch_ms(timezone: str, start: str, expected: int) -> None:
    """start with an offset is exact; a naive start is read in the series' time zone (summer and winter)."""
    doc = with_value("sessions[0].start", start, with_value("timezone", timezone))
    assert parse_agenda(doc).sessions[0].start_ms == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "2023-08-29",
        "tomorrow",
        "2023-02-30T10:00",
        "1999-12-31T10:00",
        "2101-01-01T10:00",
        1693296000000,
    ],
)
def test_start_must_be_a_date_and_time(value: object) -> None:
    """A start that is not an ISO 8601 date and time in 2000..2100 is refused."""
    assert refusal(with_value("sessions[0].start", value)).where == "sessions[0].start"


@pytest.mark.parametrize(
    ("field", "low", "high", "default"),
    [
        ("minutes", 15, 240, 60),
        ("question_seconds", 15, 900, 120),
        ("warning_seconds", 10, 600, 60),
        ("answer_seconds", 15, 900, 120),
    ],
)
def test_session_numbers_have_bounds(field: str, low: int, high: int, default: int) -> None:
    """minutes, question_seconds, warning_seconds and answer_seconds take whole numbers within bounds."""
    path = f"sessions[0].{field}"
    for ok in (low, high, default):
        assert getattr(parse_agenda(with_value(path, ok)).sessions[0], field) == ok
    for bad in (low - 1, high + 1, float(default), True, str(default), -default):
        error = refusal(with_value(path, bad))
        assert (error.where, error.params) == (path, {"min": low, "max": high})


def test_speakers_may_be_absent_or_empty_but_at_most_20() -> None:
    """A session may have 0 to 20 speakers; 21 are refused."""
    assert parse_agenda(without("sessions[0].speakers")).sessions[0].speakers == ()
    assert (
        parse_agenda(with_value("sessions", [session("A", "DE", 20)])).sessions[0].speakers[19].key == "s19"
    )
    assert refusal(with_value("sessions", [session("A", "DE", 21)])).where == "sessions[0].speakers"
    assert refusal(with_value("sessions[0].speakers", {"key": "a"})).where == "sessions[0].speakers"


def test_speaker_keys_are_unique_per_session() -> None:
    """Two speakers of one session may not share a key; two sessions may reuse keys."""
    doc = with_value("sessions", [session("A", "DE", 3), session("B", "FR", 3)])
    assert parse_agenda(doc).sessions[1].speakers[0].key == "s0"
    doc["sessions"][1]["speakers"][2]["key"] = "s0"
    error = refusal(doc)
    assert (error.where, error.params) == ("sessions[1].speakers[2].key", {"key": "s0"})


def test_more_than_six_speakers_is_accepted_with_a_warning() -> None:
    """Seven speakers are accepted, and a warning names the session; six give none."""
    doc = with_value("sessions", [session("DE", "DE", 7), session("FR", "FR", 6)])
    series = parse_agenda(doc)
    assert len(series.sessions[0].speakers) == 7
    assert series.warnings == ("Session DE has 7 speakers; a Pre-session has at most 6.",)


# --- speakers --------------------------------------------------------------------------------------

SPEAKER = "sessions[0].speakers[0]"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", None), ("key", ""), ("key", "k" * 41),
        ("name", None), ("name", ""), ("name", "n" * 121), ("name", 12), ("name", "Line\nbreak"),
        ("organisation", "o" * 161), ("organisation", False),
        ("kind", None), ("kind", "ngo"), ("kind", "CSO"),
        ("theme", "t" * 201),
        ("language", None), ("language", "de"), ("language", "EN"),
        ("seconds", 59), ("seconds", 1801), ("seconds", 360.0), ("seconds", True), ("seconds", "360"),
        ("public_name", ""), ("public_name", "p" * 121), ("public_name", 0),
        ("publish", "yes"), ("publish", 1), ("publish", 0),
        ("video", ""), ("video", 3), ("video", ["a.mp4"]),
    ],
)  # fmt: skip
def test_bad_speaker_fields_are_pointed_at(field: str, value: object) -> None:
    """Every speaker rule refuses a bad value at that speaker's field."""
    where = f"{SPEAKER}.{field}"
    assert refusal(with_value(where, value)).where == where


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("name", "n" * 120, "n" * 120),
        ("organisation", "o" * 160, "o" * 160),
        ("organisation", "", ""),
        ("kind", "nhri", "nhri"),
        ("kind", "coalition", "coalition"),
        ("theme", "Climate displacement", "Climate displacement"),
        ("language", "fr", "fr"),
        ("language", "es", "es"),
        ("seconds", 60, 60),
        ("seconds", 1800, 1800),
        ("public_name", "A woman human rights defender", "A woman human rights defender"),
        ("publish", False, False),
        ("video", "videos/s1.mp4", "videos/s1.mp4"),
    ],
)
def test_good_speaker_fields_are_stored(field: str, value: object, stored: object) -> None:
    """Values within the rules are stored as given (texts trimmed and NFC-normalised)."""
    speaker = parse_agenda(with_value(f"{SPEAKER}.{field}", value)).sessions[0].speakers[0]
    assert getattr(speaker, field) == stored


def test_texts_are_nfc_normalised() -> None:
    """A decomposed accent is stored composed."""
    speaker = parse_agenda(with_value(f"{SPEAKER}.name", "Rene\u0301e")).sessions[0].speakers[0]
    assert speaker.name == "Ren\u00e9e"


# --- delegations -----------------------------------------------------------------------------------


def test_delegations_are_states_in_upper_case_with_optional_labels() -> None:
    """Delegation codes are accepted in any case, stored upper; labels are optional, empty means none."""
    doc = with_value(
        "delegations", [{"state": "fr"}, {"state": "BR", "label": "Brazil"}, {"state": "VA", "label": ""}]
    )
    delegations = parse_agenda(doc).delegations
    assert delegations == (
        agenda.AgendaDelegation("FR", None),
        agenda.AgendaDelegation("BR", "Brazil"),
        agenda.AgendaDelegation("VA", None),
    )


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"state": "FR"}, "delegations"),
        ([{"state": "FR"}, {"state": "fr"}], "delegations[1].state"),
        ([{"state": "TW"}], "delegations[0].state"),
        ([{}], "delegations[0].state"),
        (["FR"], "delegations[0]"),
        ([{"state": "FR", "label": "l" * 81}], "delegations[0].label"),
        ([{"state": "FR", "label": 5}], "delegations[0].label"),
    ],
)
def test_bad_delegations_are_pointed_at(value: object, where: str) -> None:
    """Delegations must be a list of distinct States with labels of at most 80 characters."""
    assert refusal(with_value("delegations", value)).where == where


# --- errors ----------------------------------------------------------------------------------------


def test_agenda_error_carries_a_msgid_and_params() -> None:
    """AgendaError is a ValueError whose message is an unfilled msgid and english() fills it."""
    error = refusal(with_value("title", "x" * 201))
    assert isinstance(error, ValueError)
    assert error.message == "This text is longer than %(max)s characters; shorten it."
    assert error.params == {"max": 200}
    assert error.english() == "This text is longer than 200 characters; shorten it."
    assert str(error) == "title: This text is longer than 200 characters; shorten it."


def test_every_text_problem_has_its_own_sentence() -> None:
    """Every message clean_text can raise maps to a full agenda sentence."""
    text_py = Path(agenda.__file__).with_name("text.py")
    msgids = {message for _, message, _, _ in extract_from_file("python", str(text_py))}
    assert msgids
    assert msgids <= set(agenda._TEXT_PROBLEMS)


def test_all_or_nothing_a_late_error_still_refuses() -> None:
    """A fault in the very last field refuses the whole document."""
    doc = copy.deepcopy(PROTOCOL_EXAMPLE)
    doc["delegations"].append({"state": "ZZ"})
    assert refusal(doc).where == "delegations[3].state"


# --- files -----------------------------------------------------------------------------------------


def test_json_file(tmp_path: Path) -> None:
    """A .json file parses and its folder is returned, absolute."""
    file = tmp_path / "week.json"
    file.write_text(json.dumps(PROTOCOL_EXAMPLE), encoding="utf-8")
    series, folder = load_agenda_file(file)
    assert series == parse_agenda(PROTOCOL_EXAMPLE)
    assert folder == tmp_path and folder.is_absolute()


YAML_AGENDA = """\
title: Pre-sessions 44
format: hybrid
timezone: Europe/Zurich
sessions:
  - key: NO
    state_under_review: NO
    start: 2023-08-29T10:00:00+02:00
    speakers:
      - {key: s1, name: Ola N., kind: nhri, language: en, publish: false, video: clips/s1.mp4}
delegations:
  - state: NO
"""


def test_yaml_file_keeps_norway_and_dates_as_text(tmp_path: Path) -> None:
    """In YAML, NO and on stay codes (not booleans) and unquoted dates stay text for the ISO parser."""
    file = tmp_path / "week.yaml"
    file.write_text(YAML_AGENDA, encoding="utf-8")
    series, folder = load_agenda_file(str(file))
    (no,) = series.sessions
    assert (no.key, no.state_under_review, no.start_ms) == ("NO", "NO", 1693296000000)
    assert no.speakers[0].publish is False
    assert no.speakers[0].video == "clips/s1.mp4"
    assert [d.state for d in series.delegations] == ["NO"]


def test_yaml_on_is_text_not_true(tmp_path: Path) -> None:
    """YAML 1.1 booleans like `on` stay text, so `state: on` is refused as a code, not as a boolean."""
    file = tmp_path / "week.yml"
    file.write_text(YAML_AGENDA + "  - state: on\n", encoding="utf-8")
    with pytest.raises(AgendaError) as caught:
        load_agenda_file(file)
    assert caught.value.where == "delegations[1].state"


@pytest.mark.parametrize(
    ("name", "content"),
    [("agenda", json.dumps(PROTOCOL_EXAMPLE)), ("agenda.txt", YAML_AGENDA)],
)
def test_format_is_sniffed_without_a_known_extension(tmp_path: Path, name: str, content: str) -> None:
    """Without .json/.yaml/.yml, text starting with { is JSON and anything else YAML."""
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    assert isinstance(load_agenda_file(file)[0], AgendaSeries)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte order mark at the start of the file is ignored."""
    file = tmp_path / "week.json"
    file.write_bytes(b"\xef\xbb\xbf" + json.dumps(PROTOCOL_EXAMPLE).encode())
    assert load_agenda_file(file)[0].title == "Pre-sessions 44"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.json", b'{"title": '),
        ("bad.json", b'{"title": "a", "title": "b"}'),
        ("bad.json", b"[" * 100_000),
        ("bad.yaml", b"title: a\ntitle: b\n"),
        ("bad.yaml", b"title: [unclosed\n"),
        ("bad.yaml", b"title: !!python/object:os.system x\n"),
        ("bad.yaml", b"a: !!timestamp 2023-99-99\n"),
        ("bad.yaml", b"---\na: 1\n---\nb: 2\n"),
        ("bad.yaml", b"[" * 100_000),
        ("bad.yaml", b""),
        ("bad.json", "Pr\u00e9-sessions".encode("latin-1")),
    ],
)
def test_bad_files_raise_agenda_error(tmp_path: Path, name: str, content: bytes) -> None:
    """Syntax errors, duplicate keys, unsafe tags, deep nesting, empty or non-UTF-8 files: AgendaError."""
    file = tmp_path / name
    file.write_bytes(content)
    with pytest.raises(AgendaError) as caught:
        load_agenda_file(file)
    assert caught.value.where == ""


def test_missing_and_oversized_files_raise_agenda_error(tmp_path: Path) -> None:
    """An unreadable file or one over the size limit is an AgendaError."""
    with pytest.raises(AgendaError):
        load_agenda_file(tmp_path / "absent.json")
    with pytest.raises(AgendaError):
        load_agenda_file(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (agenda.MAX_FILE_BYTES + 1))
    with pytest.raises(AgendaError) as caught:
        load_agenda_file(big)
    assert caught.value.params == {"max": agenda.MAX_FILE_BYTES}


# --- fuzzing ---------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)
FIELD_NAMES = sorted(
    set(agenda._SERIES_FIELDS + agenda._SESSION_FIELDS + agenda._SPEAKER_FIELDS + agenda._DELEGATION_FIELDS)
)
shaped_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 2000)
    | st.sampled_from(["DE", "fr", "en", "cso", "2024-01-15T10:00"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(FIELD_NAMES), children),
    max_leaves=40,
)
PATHS = [
    "title", "format", "venue", "timezone", "sessions", "delegations", "sessions[0]", "sessions[0].key",
    "sessions[0].state_under_review", "sessions[0].start", "sessions[0].minutes",
    "sessions[0].question_seconds", "sessions[0].warning_seconds", "sessions[0].answer_seconds",
    "sessions[0].speakers", "sessions[0].speakers[0]",
    *(f"{SPEAKER}.{f}" for f in agenda._SPEAKER_FIELDS),
]  # fmt: skip


def parses_or_refuses(doc: object) -> None:
    """Parsing `doc` either succeeds or raises AgendaError with a string pointer and a formattable msgid."""
    try:
        parse_agenda(doc)
    except AgendaError as error:
        assert isinstance(error.where, str)
        assert error.english()


@given(json_values)
def test_arbitrary_json_never_raises_anything_else(doc: object) -> None:
    """Any JSON-like value is either an agenda or an AgendaError."""
    parses_or_refuses(doc)


@given(shaped_values)
def test_agenda_shaped_values_never_raise_anything_else(doc: object) -> None:
    """Objects built from real field names are either an agenda or an AgendaError."""
    parses_or_refuses(doc)


@given(st.sampled_from(PATHS), json_values)
def test_one_bad_field_in_a_good_document_never_raises_anything_else(path: str, value: object) -> None:
    """Replacing any one field of a valid document with any value gives an agenda or an AgendaError."""
    parses_or_refuses(with_value(path, value))


@settings(max_examples=50)
@given(st.binary(max_size=200), st.sampled_from([".json", ".yaml", ""]))
def test_arbitrary_files_never_raise_anything_else(content: bytes, suffix: str) -> None:
    """Any file content is either an agenda or an AgendaError."""
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"agenda{suffix}"
        file.write_bytes(content)
        with contextlib.suppress(AgendaError):
            load_agenda_file(file)
