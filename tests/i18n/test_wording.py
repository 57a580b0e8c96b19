"""Wording slips the walk-through found in the catalogs: agreement of gender in Spanish, one word per role."""

from __future__ import annotations

import re

from moderator.i18n import catalogs
from moderator.i18n.translation import translate


def _strings(locale: str) -> list[str]:
    catalog = catalogs.read_catalog(locale)
    assert catalog is not None
    out = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        out += [s for s in forms if s]
    return out


def test_spanish_fin_is_masculine() -> None:
    """ "el fin": "Fin previsto", "Fin estimado", never "Fin prevista"."""
    assert translate("es", "Planned end %(time)s", {"time": "11:00"}) == "Fin previsto: 11:00"
    assert translate("es", "Planned end") == "Fin previsto"
    assert translate("es", "Projected end") == "Fin estimado"
    slips = [s for s in _strings("es") if re.search(r"\bFin \w+a\b", s)]
    assert slips == []


def test_a_speaker_is_named_the_same_way_everywhere() -> None:
    """Spanish says "ponente" and French "intervenant" for a speaker; never "orador"/"orateur" beside them."""
    assert not [s for s in _strings("es") if "orador" in s]
    assert not [s for s in _strings("fr") if "orateur" in s]
