"""The columns of a week's spreadsheet: one row per speaker, with its session's State, date and time.

Each column names the agenda field it fills (`core/agenda.py` holds every rule; this module
only says where a field sits). Its header is a msgid: the export writes it in the reader's
language, and the reader recognises it in every locale, plus a few common other words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from moderator.core.errors import N_
from moderator.i18n.translation import SUPPORTED_LOCALES, translate


@dataclass(frozen=True)
class Column:
    """One column: the agenda field it fills, at `level` "session" or "speaker", and its header."""

    field: str
    level: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


SPEAKER_COLUMNS: tuple[Column, ...] = (
    Column(
        "state_under_review",
        "session",
        N_("State under Review"),
        ("State", "SuR", "Country", "État", "Pays", "Estado", "País"),
        required=True,
    ),
    Column("key", "session", N_("Session"), ("Session key", "Séance", "Sesión")),
    Column("date", "session", N_("Date"), ("Day", "Jour", "Fecha", "Día")),
    Column("time", "session", N_("Time"), ("Start", "Start time", "Heure", "Début", "Hora", "Inicio")),
    Column(
        "minutes", "session", N_("Session minutes"), ("Minutes", "Length", "Durée", "Minutos", "Duración")
    ),
    Column(
        "question_seconds",
        "session",
        N_("Question seconds"),
        ("Question time", "Temps de question", "Tiempo de pregunta"),
    ),
    Column("format", "session", N_("Session format"), ("Format", "Formato", "Modalité", "Modalidad")),
    Column(
        "sur_statement_seconds",
        "session",
        N_("State under Review statement seconds"),
        ("SuR statement", "Opening statement", "Déclaration liminaire", "Declaración inicial"),
    ),
    Column(
        "warning_seconds",
        "session",
        N_("Warning seconds"),
        ("Warning", "Avertissement", "Aviso"),
    ),
    Column(
        "answer_seconds",
        "session",
        N_("Answer seconds"),
        ("Answer time", "Temps de réponse", "Tiempo de respuesta"),
    ),
    Column("speaker_key", "speaker", N_("Speaker key"), ("Key", "ID", "Clé", "Clave")),
    Column(
        "name",
        "speaker",
        N_("Speaker name"),
        ("Name", "Speaker", "Nom", "Orateur", "Intervenant", "Nombre", "Orador", "Oradora"),
        required=True,
    ),
    Column("organisation", "speaker", N_("Organisation"), ("Organization", "Organisme", "Organización")),
    Column("kind", "speaker", N_("Kind"), ("Type", "Category", "Tipo", "Catégorie", "Categoría")),
    Column("theme", "speaker", N_("Theme"), ("Topic", "Thème", "Sujet", "Tema")),
    Column("language", "speaker", N_("Language"), ("Langue", "Idioma", "Lengua")),
    Column("seconds", "speaker", N_("Speaking seconds"), ("Seconds", "Secondes", "Segundos")),
    Column("public_name", "speaker", N_("Public name"), ("Nom public", "Nombre público")),
    Column("publish", "speaker", N_("Publish"), ("Publier", "Publicar")),
)

# The "Series" sheet: one row per field, the field's name in column A and its value in column B.
SERIES_ROWS: tuple[Column, ...] = (
    Column("title", "series", N_("Title"), ("Titre", "Título")),
    Column("format", "series", N_("Format"), ("Formato",)),
    Column("venue", "series", N_("Venue"), ("Lieu", "Lugar")),
    Column("timezone", "series", N_("Time zone"), ("Timezone", "Fuseau horaire", "Zona horaria")),
)

# The "Missions" sheet: one row per Permanent Mission invited.
MISSION_COLUMNS: tuple[Column, ...] = (
    Column("state", "delegation", N_("State"), ("Country", "État", "Pays", "Estado", "País"), required=True),
    Column("label", "delegation", N_("Label"), ("Name shown", "Libellé", "Etiqueta")),
)

SPEAKERS_SHEET = N_("Speakers")
SERIES_SHEET = N_("Series")
MISSIONS_SHEET = N_("Missions")
_SHEET_ALIASES = {
    SPEAKERS_SHEET: ("Agenda", "Orateurs", "Oradores"),
    SERIES_SHEET: ("Série", "Serie"),
    MISSIONS_SHEET: ("Delegations", "Délégations", "Delegaciones", "Misiones"),
}

# Words a Publish cell may hold, in any of the three languages.
YES = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai", "si", "sí", "verdadero", "x"})
NO = frozenset({"no", "n", "false", "0", "non", "faux", "falso"})


def normal(text: str) -> str:
    """A header as compared: no case, accents, spaces or punctuation ("État examiné" = "etatexamine")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", plain)


def names(header: str, aliases: tuple[str, ...]) -> frozenset[str]:
    """Every form of a header this reader recognises: its translations in each locale and its aliases."""
    forms = {translate(locale, header) for locale in SUPPORTED_LOCALES} | {header, *aliases}
    return frozenset(normal(form) for form in forms)


@cache
def lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Normalised header -> column, for one table (the earlier column wins a shared word)."""
    table: dict[str, Column] = {}
    for column in reversed(columns):
        for form in names(column.header, column.aliases):
            table[form] = column
    # a column's own header forms beat another's alias
    for column in columns:
        for form in names(column.header, ()):
            table[form] = column
    return table


def sheet_kind(title: str) -> str | None:
    """Which of the three sheets a tab's title names (its msgid), or None."""
    found = normal(title)
    for sheet, aliases in _SHEET_ALIASES.items():
        if found in names(sheet, aliases):
            return sheet
    return None
