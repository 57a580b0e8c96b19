"""The States that may take part in a Pre-session: the 193 UN Member States and the two observer States.

pycountry knows every ISO 3166-1 country but not which of them are UN Members, so the
membership list is written out below (codes only). The names are the UN's own short names
in English, French and Spanish ("Republic of Korea", « République de Corée », "República de
Corea"), from `data/un_names.json` (source: the UN Terminology Database, UNTERM, and the UN's
list of Member States; named in the file). pycountry's ISO forms ("Korea, Republic of") are
not what missions expect to read, so they are never shown.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from moderator.i18n import locales

# ISO 3166-1 alpha-2 codes of the 193 Member States of the United Nations.
_UN_MEMBER_LIST = """
    AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ
    CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI
    FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID IE IL IN IQ IR IS IT JM
    JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG
    MH MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK
    PL PT PW PY QA RO RS RU RW SA SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD
    TG TH TJ TL TM TN TO TR TT TV TZ UA UG US UY UZ VC VE VN VU WS YE ZA ZM ZW
"""
_UN_MEMBERS = frozenset(_UN_MEMBER_LIST.split())

# The two non-member observer States: the Holy See and the State of Palestine.
_OBSERVERS = frozenset({"VA", "PS"})

_LOCALES = locales.CODES
_UN_NAMES = Path(__file__).with_name("data") / "un_names.json"


def is_state(code: str) -> bool:
    """True when `code` is the exact upper-case alpha-2 code of a UN Member or observer State."""
    return isinstance(code, str) and (code in _UN_MEMBERS or code in _OBSERVERS)


def un_member_codes() -> tuple[str, ...]:
    """The alpha-2 codes of the 193 UN Member States, sorted."""
    return tuple(sorted(_UN_MEMBERS))


def observer_codes() -> tuple[str, ...]:
    """The alpha-2 codes of the two observer States (Holy See, State of Palestine), sorted."""
    return tuple(sorted(_OBSERVERS))


@cache
def un_names() -> dict[str, Any]:
    """The data file: `{"source": …, "note": …, "states": {code: {"en", "fr", "es"}}}`."""
    with _UN_NAMES.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@cache
def state_name(code: str, locale: str = "en") -> str:
    """The UN short name of the State `code` in `locale` (en, fr or es).

    "Republic of Korea" / « République de Corée » / "República de Corea", "Iran (Islamic
    Republic of)", "Türkiye", "Holy See", "State of Palestine". Raises ValueError for a code
    that is not a Member or observer State, or an unsupported locale.
    """
    if not is_state(code):
        raise ValueError(f"not a UN Member or observer State: {code!r}")
    if locale not in _LOCALES:
        raise ValueError(f"unsupported locale: {locale!r}")
    entry = un_names()["states"].get(code)
    if entry is None:  # the list above and the data file disagree
        raise LookupError(f"{_UN_NAMES.name} has no name for {code!r}")
    name: str = entry[locale]
    return name


def state_ref(code: str, locale: str = "en") -> dict[str, str]:
    """The wire shape of a State: `{"code": "DE", "name": "Germany"}`."""
    return {"code": code, "name": state_name(code, locale)}
