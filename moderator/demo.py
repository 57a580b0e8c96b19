"""A ready-made demo series: the 14 States of Pre-sessions 44 over one week in Geneva.

`demo_agenda(now)` returns an agenda document (a plain dict, as a person would write it)
that `moderator.core.agenda.parse_agenda` accepts; its first session starts a few minutes after
`now`. Everything else is derived from the session and speaker indices, so the same moment
always gives the same document. Speakers, organisations and statements are invented; the
States and the week's shape are those of a real series.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from moderator.i18n.countries import observer_codes, un_member_codes

DEMO_TITLE = "Pre-sessions 44"
DEMO_VENUE = "Palais des Nations, Geneva"
DEMO_TIMEZONE = "Europe/Zurich"

# The States under Review of Pre-sessions 44, in the order of the week.
DEMO_STATES = ("TM", "BF", "CV", "CO", "UZ", "TV", "DE", "DJ", "CA", "BD", "RU", "AZ", "CM", "CU")

# Three one-hour sessions a day, local time, with a break between them.
_SLOTS = ("10:00", "11:30", "14:30")
_MINUTES = 60

# Languages the speakers of a session tend to use, by State under Review (default: mostly English).
_LANGUAGES = {
    "BF": ("fr", "fr", "en"),
    "DJ": ("fr", "en", "fr"),
    "CM": ("fr", "en", "fr", "en"),
    "CO": ("es", "es", "en"),
    "CU": ("es", "en", "es"),
    "CV": ("en", "fr", "en"),
    "CA": ("en", "fr", "en"),
}
_DEFAULT_LANGUAGES = ("en", "en", "fr", "es", "en")

_GIVEN_NAMES = {
    "en": (
        "Amina",
        "Daniel",
        "Grace",
        "Samuel",
        "Leila",
        "Thomas",
        "Aisha",
        "Victor",
        "Nadia",
        "Joseph",
        "Mariam",
    ),
    "fr": ("Aminata", "Jean-Pierre", "Fatou", "Ousmane", "Claire", "Idrissa", "Mireille", "Hamid", "Awa"),
    "es": ("Lucía", "Andrés", "Camila", "Javier", "Valentina", "Mateo", "Yaneth", "Ernesto", "Daniela"),
}
_FAMILY_NAMES = {
    "en": (
        "Okafor",
        "Rahman",
        "Mensah",
        "Karimova",
        "Lindqvist",
        "Haddad",
        "Tembo",
        "Novak",
        "Ortiz",
        "Sato",
    ),
    "fr": ("Ouédraogo", "Diallo", "Nkoulou", "Moussa", "Lefèvre", "Traoré", "Kaboré", "Abdillahi", "Mbarga"),
    "es": ("Restrepo", "Gómez", "Pérez Díaz", "Valdés", "Ramírez", "Castillo", "Moreno", "Herrera", "Suárez"),
}
_CSOS = {
    "en": (
        "Centre for Media Freedom",
        "Women's Rights Action Network",
        "Disability Rights Advocacy Centre",
        "Forum for Migrant Workers' Rights",
        "Institute for Judicial Independence",
        "Network of Human Rights Defenders",
        "Minority Rights Centre",
        "Foundation for Water and Sanitation Rights",
        "LGBTI Equality Network",
    ),
    "fr": (
        "Ligue pour les droits des femmes",
        "Observatoire des libertés publiques",
        "Collectif contre la torture et la détention arbitraire",
        "Association pour l'accès à la justice",
        "Réseau des défenseurs des droits de l'enfant",
    ),
    "es": (
        "Colectivo por la Memoria y la Verdad",
        "Red de Defensoras de Derechos Humanos",
        "Observatorio de Libertad de Prensa",
        "Asociación por los Derechos de los Pueblos Indígenas",
        "Fundación Justicia Climática",
    ),
}
_COALITIONS = (
    "National Civil Society Coalition for the UPR",
    "Joint Platform for Human Rights",
    "Alliance for Civic Space",
    "Coalition on Economic, Social and Cultural Rights",
    "Children's Rights Coalition",
)
_NHRI = "National Human Rights Institution"
_THEMES = (
    "Freedom of expression",
    "Rights of persons with disabilities",
    "Climate displacement",
    "Women's rights and gender-based violence",
    "Civic space and human rights defenders",
    "Rights of the child",
    "Independence of the judiciary",
    "Torture and conditions of detention",
    "Rights of migrants and refugees",
    "Right to water and sanitation",
    "Rights of Indigenous Peoples",
    "Implementation of accepted recommendations",
    "Freedom of peaceful assembly",
    "Rights of LGBTI persons",
)
# What public screens show for speakers at risk of reprisals.
_PUBLIC_NAMES = (
    "A woman human rights defender",
    "An independent journalist",
    "A member of a partner organisation",
)


def _speaker(session: int, index: int, state: str) -> dict[str, Any]:
    """The `index`-th speaker of the `session`-th session, derived from both numbers only."""
    languages = _LANGUAGES.get(state, _DEFAULT_LANGUAGES)
    language = languages[(session + index) % len(languages)]
    if index == 0:
        kind, organisation = "coalition", _COALITIONS[session % len(_COALITIONS)]
    elif index == 1 and session % 3 == 0:
        kind, organisation = "nhri", _NHRI
    else:
        pool = _CSOS[language]
        kind, organisation = "cso", pool[(session + index) % len(pool)]
    given = _GIVEN_NAMES[language][(session * 5 + index) % len(_GIVEN_NAMES[language])]
    family = _FAMILY_NAMES[language][(session * 3 + index * 2) % len(_FAMILY_NAMES[language])]
    at_risk = session % 4 == 1 and index == 2
    return {
        "key": f"s{index + 1}",
        "name": f"{given} {family}",
        "organisation": organisation,
        "kind": kind,
        "theme": _THEMES[(session * 3 + index) % len(_THEMES)],
        "language": language,
        "seconds": 300 + ((session * 7 + index * 3) % 5) * 30,
        "public_name": _PUBLIC_NAMES[session % len(_PUBLIC_NAMES)] if at_risk else None,
        "publish": not at_risk,
    }


def demo_starts(now: datetime) -> list[str]:
    """The 14 sessions' starts for a demo made at `now` (an aware datetime), as agenda `start` values.

    The first session is about to begin: 5 to 10 minutes after `now`, on the next 5-minute mark.
    The other 13 follow at the week's usual slots, 10:00, 11:30 and 14:30 Geneva time, Monday to
    Friday, from the first slot at least 30 minutes after the first session ends. The first has
    its UTC offset written out; the others are naive times, read in the series' time zone.
    """
    zone = ZoneInfo(DEMO_TIMEZONE)
    utc = now.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
    first = (utc - timedelta(minutes=utc.minute % 5)).astimezone(zone)
    earliest = (first + timedelta(minutes=_MINUTES + 30)).replace(tzinfo=None)
    starts = [first.isoformat()]
    day = earliest.date()
    while len(starts) < len(DEMO_STATES):
        if day.weekday() < 5:
            for slot in _SLOTS:
                at = datetime.combine(day, time.fromisoformat(slot))
                if at >= earliest and len(starts) < len(DEMO_STATES):
                    starts.append(at.isoformat())
        day += timedelta(days=1)
    return starts


# Every demo session gives its State under Review an opening statement, so the demo shows the
# console's "Give the floor to … for its opening statement" button.
DEMO_SUR_STATEMENT_SECONDS = 5 * 60


def demo_agenda(now: datetime) -> dict[str, Any]:
    """The demo week's agenda document for a demo made at `now` (an aware datetime): its first
    session starts a few minutes later, the rest of the week after it (see `demo_starts`).

    Each session lasts an hour and has 3 to 6 speakers. Every UN Member State and both observer
    States are delegations. The same `now` always gives the same document; it parses for any
    `now` within the agenda's years (2000-2100).
    """
    sessions = []
    for number, (state, start) in enumerate(zip(DEMO_STATES, demo_starts(now), strict=True)):
        speakers = 3 + (number * 5 + 2) % 4
        sessions.append(
            {
                "key": state,
                "state_under_review": state,
                "start": start,
                "minutes": _MINUTES,
                "question_seconds": 120,
                "sur_statement_seconds": DEMO_SUR_STATEMENT_SECONDS,
                "speakers": [_speaker(number, index, state) for index in range(speakers)],
            }
        )
    return {
        "title": DEMO_TITLE,
        "format": "in_person",
        "venue": DEMO_VENUE,
        "timezone": DEMO_TIMEZONE,
        "sessions": sessions,
        "delegations": [{"state": code} for code in un_member_codes() + observer_codes()],
    }
