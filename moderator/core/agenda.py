"""The agenda document of a series (PROTOCOL.md section 2), validated all or nothing.

`parse_agenda` turns a JSON-like value into frozen dataclasses or raises `AgendaError`
pointing at the first bad field (`sessions[0].speakers[2].language`); it raises nothing
else, whatever the input. Optional fields given as null are treated as absent. Unknown
fields are refused, so a typo is reported where it is rather than silently ignored.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, available_timezones

import yaml

from moderator.core.errors import N_, fill
from moderator.core.strict_json import NotFinite, loads
from moderator.core.text import TextError, clean_text
from moderator.i18n import locales
from moderator.i18n.countries import is_state

FORMATS = ("in_person", "virtual", "hybrid")
KINDS = ("cso", "nhri", "coalition")
LANGUAGES = locales.CODES  # a statement is in one of the screens' languages
DEFAULT_TIMEZONE = "Europe/Zurich"
MAX_SESSIONS = 50
MAX_SPEAKERS = 20
MAX_DELEGATIONS = 195
PRESESSION_SPEAKERS = 6  # more is accepted, with a warning
MAX_FILE_BYTES = 4 * 1024 * 1024

_SERIES_FIELDS = ("title", "format", "venue", "timezone", "sessions", "delegations")
DEFAULT_WARNING_SECONDS = 60  # the countdown turns to its warning with this much left
DEFAULT_ANSWER_SECONDS = 120  # a panelist's answer in the Q&A
_DELEGATION_FIELDS = ("state", "label")
# What GET /api/series/{id} adds to the document (ids, screen links, what has happened): accepted
# back and ignored, so a document read can be sent again as it is (matching is by key and state).
READ_ONLY = ("id", "links", "phase", "status", "spoken_ms", "video_url", "video_duration_ms")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# clean_text's problems (fragments) as sentences of their own; tests check none is missing.
_TEXT_PROBLEMS = {
    "must be a text": N_("This must be a text."),
    "contains an invalid character": N_("This text contains an invalid character; check its encoding."),
    "contains a control character": N_(
        "This text contains a control character, such as a line break or a direction override; remove it."
    ),
    "must not be empty": N_("This text must not be empty."),
    "is longer than %(max)s characters": N_("This text is longer than %(max)s characters; shorten it."),
}


class AgendaError(ValueError):
    """A bad agenda document: `where` points at the field, `message` is a msgid filled from `params`."""

    def __init__(self, where: str, message: str, **params: object) -> None:
        self.where = where
        self.message = message
        self.params = params
        super().__init__(f"{where}: {self.english()}" if where else self.english())

    def english(self) -> str:
        """The sentence in English, placeholders filled."""
        return fill(self.message, self.params)


@dataclass(frozen=True)
class AgendaSpeaker:
    """One civil-society speaker of a session; `seconds` is the allotted speaking time."""

    key: str
    name: str
    organisation: str
    kind: str
    theme: str
    language: str
    seconds: int
    public_name: str | None
    publish: bool
    video: str | None


_SPEAKER_FIELDS = tuple(field.name for field in fields(AgendaSpeaker))


@dataclass(frozen=True)
class AgendaSession:
    """One Pre-session: its State under Review, start (epoch ms) and speakers in order."""

    key: str
    state_under_review: str
    start_ms: int
    minutes: int
    question_seconds: int
    speakers: tuple[AgendaSpeaker, ...]
    format: str | None = None  # None: the series' format
    sur_statement_seconds: int | None = None  # the State under Review's opening statement, if any
    warning_seconds: int = DEFAULT_WARNING_SECONDS
    answer_seconds: int = DEFAULT_ANSWER_SECONDS


@dataclass(frozen=True)
class AgendaDelegation:
    """A Permanent Mission that may join the series' sessions."""

    state: str
    label: str | None


@dataclass(frozen=True)
class AgendaSeries:
    """A validated agenda; `warnings` are English sentences about accepted oddities."""

    title: str
    format: str
    venue: str
    timezone: str
    sessions: tuple[AgendaSession, ...]
    delegations: tuple[AgendaDelegation, ...]
    warnings: tuple[str, ...]


def _shown(value: object, limit: int = 40) -> str:
    """A printable, bounded rendering of a user-supplied name, safe to echo in a message or a pointer."""
    text = str(value)
    clipped = text[:limit] + ("…" if len(text) > limit else "")
    return "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in clipped)


def _clean(value: object, where: str, max_len: int, *, allow_empty: bool = False) -> str:
    try:
        return clean_text(value, max_len, allow_empty=allow_empty)
    except TextError as error:
        sentence = _TEXT_PROBLEMS.get(error.message)
        if sentence is None:
            raise AgendaError(where, N_("This text is not acceptable.")) from None
        raise AgendaError(where, sentence, **error.params) from None


def _state(value: object, where: str) -> str:
    if isinstance(value, str) and value.isascii():  # ASCII first: "ß".upper() is "SS", South Sudan
        code = value.strip().upper()
        if len(code) == 2 and is_state(code):
            return code
    raise AgendaError(
        where, N_("This must be the ISO 3166-1 alpha-2 code of a UN Member or observer State, such as DE.")
    )


class _Fields:
    """One object of the document with its pointer: refuses unknown fields, then reads typed values."""

    def __init__(self, value: object, where: str, names: tuple[str, ...]) -> None:
        self.where = where
        if not isinstance(value, Mapping):
            if not where:
                raise AgendaError(where, N_("The agenda must be an object with a title and sessions."))
            raise AgendaError(where, N_("This must be an object with named fields."))
        for key in value:
            if key not in names and key not in READ_ONLY:
                field = _shown(key)
                message = N_("Unknown field %(field)s; the fields allowed here are: %(allowed)s.")
                raise AgendaError(self.at(field), message, field=field, allowed=", ".join(names))
        self.values: Mapping[Any, object] = value

    def at(self, field: str) -> str:
        return f"{self.where}.{field}" if self.where else field

    def fail(self, field: str, message: str, **params: object) -> NoReturn:
        raise AgendaError(self.at(field), message, **params)

    def get(self, field: str) -> object:
        return self.values.get(field)

    def required(self, field: str) -> object:
        value = self.values.get(field)
        if value is None:
            self.fail(field, N_("This field is required."))
        return value

    def text(self, field: str, max_len: int) -> str:
        return _clean(self.required(field), self.at(field), max_len)

    def optional_text(self, field: str, max_len: int) -> str | None:
        value = self.values.get(field)
        return None if value is None else _clean(value, self.at(field), max_len, allow_empty=True)

    def choice(self, field: str, choices: tuple[str, ...]) -> str:
        value: str = choice_field(choices)(self.required(field), self.at(field), None)
        return value

    def items(self, field: str, max_len: int) -> Sequence[object]:
        value = self.values.get(field)
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            self.fail(field, N_("This must be a list."))
        if len(value) > max_len:
            message = N_("This list has %(count)s items; at most %(max)s are allowed.")
            self.fail(field, message, count=len(value), max=max_len)
        return value

    def state(self, field: str) -> str:
        return _state(self.required(field), self.at(field))

    def field(self, rules: Mapping[str, Field], name: str, zone: ZoneInfo | None = None) -> Any:
        return read_field(rules, name, self.values.get(name), self.at(name), zone)


@cache
def _timezones() -> frozenset[str]:
    # Some systems' zoneinfo folders hold files that are not IANA zone names.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


# --- the rule of each field: one place, read by the document parser and the live commands --------

# read(value, where, zone) -> the clean value, or AgendaError at `where`; `value` is never None.
Read = Callable[[object, str, ZoneInfo | None], Any]


@dataclass(frozen=True)
class Field:
    """One field's rule: how a value is read, its default when absent or null, and whether it must
    be given. `nullable`: a live command may set it to null (its default) explicitly."""

    read: Read
    default: Any = None
    required: bool = False
    nullable: bool = False


def text_field(max_len: int, *, allow_empty: bool = False) -> Read:
    def read(value: object, where: str, zone: ZoneInfo | None) -> str:
        return _clean(value, where, max_len, allow_empty=allow_empty)

    return read


def choice_field(choices: tuple[str, ...]) -> Read:
    def read(value: object, where: str, zone: ZoneInfo | None) -> str:
        if not isinstance(value, str) or value not in choices:
            raise AgendaError(where, N_("This must be one of: %(choices)s."), choices=", ".join(choices))
        return value

    return read


def integer_field(low: int, high: int) -> Read:
    def read(value: object, where: str, zone: ZoneInfo | None) -> int:
        if type(value) is not int or not low <= value <= high:
            message = N_("This must be a whole number from %(min)s to %(max)s.")
            raise AgendaError(where, message, min=low, max=high)
        return value

    return read


def boolean_field(value: object, where: str, zone: ZoneInfo | None) -> bool:
    if not isinstance(value, bool):
        raise AgendaError(where, N_("This must be true or false."))
    return value


def start_field(value: object, where: str, zone: ZoneInfo | None) -> int:
    """A date and time in ISO 8601 (epoch ms); without an offset it is in `zone`, and with no
    zone (a live command: the core knows no time zone) the offset is required."""
    text = _clean(value, where, 40)
    try:
        if not any(sep in text for sep in "Tt "):
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AgendaError(
            where, N_("This must be a date and time in ISO 8601 form, such as 2023-08-29T10:00:00+02:00.")
        ) from None
    if not 2000 <= moment.year <= 2100:
        raise AgendaError(where, N_("This date must fall between the years 2000 and 2100."))
    if moment.tzinfo is None:
        if zone is None:
            raise AgendaError(where, N_("This date and time needs its offset from UTC, such as +02:00."))
        moment = moment.replace(tzinfo=zone)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


STATEMENT_SECONDS = (60, 1800)  # a speaker's statement, and the State under Review's own

# The fields of a speaker, as the document and the live commands (speaker.add, .update) take them.
SPEAKER_RULES: dict[str, Field] = {
    "key": Field(text_field(40), required=True),
    "name": Field(text_field(120), required=True),
    "organisation": Field(text_field(160, allow_empty=True), "", nullable=True),
    "kind": Field(choice_field(KINDS), required=True),
    "theme": Field(text_field(200, allow_empty=True), "", nullable=True),
    "language": Field(choice_field(LANGUAGES), required=True),
    "seconds": Field(integer_field(*STATEMENT_SECONDS), 360),
    "public_name": Field(text_field(120), None, nullable=True),
    "publish": Field(boolean_field, True),
    "video": Field(text_field(1024), None),
}

# The fields of a session that the live command session.update changes too.
SESSION_RULES: dict[str, Field] = {
    "start": Field(start_field, required=True),
    "minutes": Field(integer_field(15, 240), 60),
    "question_seconds": Field(integer_field(15, 900), 120),
    "format": Field(choice_field(FORMATS), None),
    "sur_statement_seconds": Field(integer_field(*STATEMENT_SECONDS), None, nullable=True),
    "warning_seconds": Field(integer_field(10, 600), DEFAULT_WARNING_SECONDS),
    "answer_seconds": Field(integer_field(15, 900), DEFAULT_ANSWER_SECONDS),
}


# The fields a document gives a speaker and a session, in the document's order: the rule tables'
# keys, so every list of fields (live commands, GET, the diff, the spreadsheet) is this one.
SPEAKER_FIELDS = tuple(name for name in SPEAKER_RULES if name != "video")  # key … publish
SESSION_FIELDS = ("key", "state_under_review", *SESSION_RULES)  # key, SuR, start … answer_seconds
_SESSION_FIELDS = (*SESSION_FIELDS, "speakers")


def read_field(
    rules: Mapping[str, Field], name: str, value: object, where: str, zone: ZoneInfo | None
) -> Any:
    """`value` of field `name` read by its rule: absent (None) gives the default, or AgendaError
    "required"; the one place where both the document and the live commands check a field."""
    rule = rules[name]
    if value is None:
        if rule.required:
            raise AgendaError(where, N_("This field is required."))
        return rule.default
    return rule.read(value, where, zone)


def _speaker(value: object, where: str) -> AgendaSpeaker:
    obj = _Fields(value, where, _SPEAKER_FIELDS)
    return AgendaSpeaker(**{name: obj.field(SPEAKER_RULES, name) for name in _SPEAKER_FIELDS})


def _session(value: object, where: str, zone: ZoneInfo, taken: set[str]) -> AgendaSession:
    obj = _Fields(value, where, _SESSION_FIELDS)
    key = obj.text("key", 40)
    if key in taken:
        obj.fail("key", N_("The session key %(key)s is already used in this series."), key=key)
    taken.add(key)
    state = obj.state("state_under_review")
    start_ms = obj.field(SESSION_RULES, "start", zone)
    minutes = obj.field(SESSION_RULES, "minutes")
    question_seconds = obj.field(SESSION_RULES, "question_seconds")
    session_format = obj.field(SESSION_RULES, "format")
    sur_statement = obj.field(SESSION_RULES, "sur_statement_seconds")
    warning_seconds = obj.field(SESSION_RULES, "warning_seconds")
    answer_seconds = obj.field(SESSION_RULES, "answer_seconds")
    speakers: list[AgendaSpeaker] = []
    for index, item in enumerate(obj.items("speakers", MAX_SPEAKERS)):
        speaker = _speaker(item, f"{obj.at('speakers')}[{index}]")
        if any(other.key == speaker.key for other in speakers):
            message = N_("The speaker key %(key)s is already used in this session.")
            raise AgendaError(f"{obj.at('speakers')}[{index}].key", message, key=speaker.key)
        speakers.append(speaker)
    return AgendaSession(
        key,
        state,
        start_ms,
        minutes,
        question_seconds,
        tuple(speakers),
        session_format,
        sur_statement,
        warning_seconds,
        answer_seconds,
    )


def _delegation(value: object, where: str, taken: set[str]) -> AgendaDelegation:
    obj = _Fields(value, where, _DELEGATION_FIELDS)
    state = obj.state("state")
    if state in taken:
        obj.fail("state", N_("The delegation of %(code)s is listed more than once."), code=state)
    taken.add(state)
    return AgendaDelegation(state, obj.optional_text("label", 80) or None)


def parse_agenda(doc: object) -> AgendaSeries:
    """Validate an agenda document into an `AgendaSeries`, or raise `AgendaError` at its first fault."""
    obj = _Fields(doc, "", _SERIES_FIELDS)
    title = obj.text("title", 200)
    series_format = obj.choice("format", FORMATS)
    venue = obj.optional_text("venue", 200) or ""
    timezone = DEFAULT_TIMEZONE if obj.get("timezone") is None else obj.text("timezone", 64)
    if timezone not in _timezones():
        obj.fail("timezone", N_("This is not a known IANA time zone name, such as Europe/Zurich."))
    zone = ZoneInfo(timezone)
    session_items = obj.items("sessions", MAX_SESSIONS)
    if not session_items:
        obj.fail("sessions", N_("The agenda needs at least one session."))
    keys: set[str] = set()
    sessions = tuple(_session(item, f"sessions[{i}]", zone, keys) for i, item in enumerate(session_items))
    states: set[str] = set()
    delegations = tuple(
        _delegation(item, f"delegations[{i}]", states)
        for i, item in enumerate(obj.items("delegations", MAX_DELEGATIONS))
    )
    warning = N_("Session %(key)s has %(count)s speakers; a Pre-session has at most %(max)s.")
    warnings = tuple(
        fill(warning, {"key": session.key, "count": len(session.speakers), "max": PRESESSION_SPEAKERS})
        for session in sessions
        if len(session.speakers) > PRESESSION_SPEAKERS
    )
    return AgendaSeries(title, series_format, venue, timezone, sessions, delegations, warnings)


# --- files ---------------------------------------------------------------------------------------


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise AgendaError("", N_("The field %(field)s appears twice in one object."), field=_shown(key))
        result[key] = value
    return result


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 scalars: only true/false are booleans (so NO stays Norway), dates stay text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                if key.value in seen:
                    message = N_("The field %(field)s appears twice in one object.")
                    raise AgendaError("", message, field=_shown(key.value))
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _decode(text: str, suffix: str) -> object:
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip().startswith(("{", "["))):
        try:
            return loads(text, object_pairs_hook=_unique_pairs)
        except NotFinite:
            message = N_("Numbers must be finite: NaN, Infinity and 1e400 are refused.")
            raise AgendaError("", message) from None
        except json.JSONDecodeError as error:
            message = N_("The file is not valid JSON (line %(line)s, column %(column)s).")
            raise AgendaError("", message, line=error.lineno, column=error.colno) from None
        except RecursionError:
            raise AgendaError("", N_("The file is nested too deeply.")) from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except AgendaError:
        raise
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else "?"
        raise AgendaError("", N_("The file is not valid YAML (near line %(line)s)."), line=line) from None
    except Exception:  # RecursionError, or values the YAML library cannot build: a bad file all the same
        raise AgendaError("", N_("The file is not valid YAML.")) from None


def load_agenda_file(path: str | Path) -> tuple[AgendaSeries, Path]:
    """Read and validate a JSON or YAML agenda file; also return its folder, against which videos resolve.

    `.json` files are JSON, `.yaml`/`.yml` files YAML; any other name is JSON when it starts
    with `{` or `[`, else YAML. Every failure, unreadable files included, is an `AgendaError`.
    """
    file = Path(path)
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        message = N_("The file %(path)s cannot be read (%(reason)s).")
        reason = error.strerror or type(error).__name__
        raise AgendaError("", message, path=_shown(file, 200), reason=reason) from None
    if len(raw) > MAX_FILE_BYTES:
        raise AgendaError("", N_("The file is larger than %(max)s bytes."), max=MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AgendaError("", N_("The file is not UTF-8 text.")) from None
    return parse_agenda(_decode(text, file.suffix.lower())), file.absolute().parent
