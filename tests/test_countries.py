"""UN Member and observer States, named by pycountry in English, French and Spanish."""

from __future__ import annotations

import pycountry
import pytest

from moderator.countries import is_state, observer_codes, state_name, state_ref, un_member_codes


def test_there_are_193_members_sorted_and_unique() -> None:
    """The Member list has exactly 193 distinct codes, sorted."""
    codes = un_member_codes()
    assert len(codes) == 193
    assert len(set(codes)) == 193
    assert list(codes) == sorted(codes)


def test_observers_are_holy_see_and_palestine() -> None:
    """The observer States are VA and PS, and neither is counted as a Member."""
    assert observer_codes() == ("PS", "VA")
    assert not set(observer_codes()) & set(un_member_codes())


def test_every_code_is_known_to_pycountry() -> None:
    """Every Member and observer code is an ISO 3166-1 alpha-2 code pycountry knows."""
    for code in un_member_codes() + observer_codes():
        assert pycountry.countries.get(alpha_2=code) is not None, code


@pytest.mark.parametrize("code", ["DE", "FR", "BR", "SS", "TV", "KP", "VA", "PS", "CV", "SZ"])
def test_members_and_observers_are_states(code: str) -> None:
    """Members (old and recent) and observers are States."""
    assert is_state(code)


@pytest.mark.parametrize("code", ["TW", "XK", "EH", "HK", "PR", "GL", "AQ", "UM", "EU", "UK", "ZZ", "", "D"])
def test_non_members_and_made_up_codes_are_not_states(code: str) -> None:
    """Territories, non-members and codes that are not ISO alpha-2 are not States."""
    assert not is_state(code)


def test_is_state_is_case_sensitive() -> None:
    """Only the exact upper-case code counts."""
    assert not is_state("de")
    assert not is_state("De")
    assert not is_state(" DE")


def test_english_names_follow_iso_short_names() -> None:
    """English names are pycountry's ISO short names, not its colloquial common names."""
    assert state_name("DE") == "Germany"
    assert state_name("RU") == "Russian Federation"
    assert state_name("TR") == "Türkiye"
    assert state_name("KR") == pycountry.countries.get(alpha_2="KR").name
    assert state_name("KR") != "South Korea"


def test_french_and_spanish_names_come_from_pycountry_catalogs() -> None:
    """French and Spanish names are translations from pycountry's iso3166-1 catalogs."""
    assert state_name("DE", "fr") == "Allemagne"
    assert state_name("DE", "es") == "Alemania"
    assert state_name("CH", "fr") == "Suisse"
    assert state_name("CH", "es") == "Suiza"


def test_every_state_has_a_name_in_every_locale() -> None:
    """Every State has a non-empty name in en, fr and es."""
    for code in un_member_codes() + observer_codes():
        for locale in ("en", "fr", "es"):
            assert state_name(code, locale).strip(), (code, locale)


def test_unknown_code_or_locale_is_refused() -> None:
    """A code that is not a State, or a locale other than en/fr/es, raises ValueError."""
    with pytest.raises(ValueError):
        state_name("TW")
    with pytest.raises(ValueError):
        state_name("DE", "de")


def test_state_ref_is_the_wire_shape() -> None:
    """state_ref returns the code and the localised name."""
    assert state_ref("FR") == {"code": "FR", "name": "France"}
    assert state_ref("FR", "es") == {"code": "FR", "name": "Francia"}
