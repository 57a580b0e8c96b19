"""UN Member and observer States, named with the UN's own short names in English, French and Spanish."""

from __future__ import annotations

import pycountry
import pytest

from moderator.i18n.countries import (
    is_state,
    observer_codes,
    state_name,
    state_ref,
    un_member_codes,
    un_names,
)


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


# The names missions expect (UNTERM short names), where ISO 3166-1 (pycountry) says otherwise.
UN_NAMES = {
    "KR": ("Republic of Korea", "République de Corée", "República de Corea"),
    "IR": ("Iran (Islamic Republic of)", "Iran (République islamique d')", "Irán (República Islámica del)"),
    "VA": ("Holy See", "Saint-Siège", "Santa Sede"),
    "PS": ("State of Palestine", "État de Palestine", "Estado de Palestina"),
    "BO": (
        "Bolivia (Plurinational State of)",
        "Bolivie (État plurinational de)",
        "Bolivia (Estado Plurinacional de)",
    ),
    "VE": (
        "Venezuela (Bolivarian Republic of)",
        "Venezuela (République bolivarienne du)",
        "Venezuela (República Bolivariana de)",
    ),
    "KP": (
        "Democratic People's Republic of Korea",
        "République populaire démocratique de Corée",
        "República Popular Democrática de Corea",
    ),
    "LA": (
        "Lao People's Democratic Republic",
        "République démocratique populaire lao",
        "República Democrática Popular Lao",
    ),
    "FM": (
        "Micronesia (Federated States of)",
        "Micronésie (États fédérés de)",
        "Micronesia (Estados Federados de)",
    ),
    "MD": ("Republic of Moldova", "République de Moldova", "República de Moldova"),
    "RU": ("Russian Federation", "Fédération de Russie", "Federación de Rusia"),
    "SY": ("Syrian Arab Republic", "République arabe syrienne", "República Árabe Siria"),
    "TZ": ("United Republic of Tanzania", "République-Unie de Tanzanie", "República Unida de Tanzanía"),
    "GB": (
        "United Kingdom of Great Britain and Northern Ireland",
        "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
        "Reino Unido de Gran Bretaña e Irlanda del Norte",
    ),
    "US": ("United States of America", "États-Unis d'Amérique", "Estados Unidos de América"),
    "VN": ("Viet Nam", "Viet Nam", "Viet Nam"),
    "NL": ("Netherlands (Kingdom of the)", "Pays-Bas (Royaume des)", "Países Bajos (Reino de los)"),
    "TR": ("Türkiye", "Türkiye", "Türkiye"),
    "CI": ("Côte d'Ivoire", "Côte d'Ivoire", "Côte d'Ivoire"),
    "CZ": ("Czechia", "Tchéquie", "Chequia"),
    "SZ": ("Eswatini", "Eswatini", "Eswatini"),
    "MK": ("North Macedonia", "Macédoine du Nord", "Macedonia del Norte"),
    "CV": ("Cabo Verde", "Cabo Verde", "Cabo Verde"),
    "DE": ("Germany", "Allemagne", "Alemania"),
    "CH": ("Switzerland", "Suisse", "Suiza"),
}


@pytest.mark.parametrize("code", sorted(UN_NAMES))
def test_names_are_the_un_short_names_in_each_language(code: str) -> None:
    """UNTERM short names: "Republic of Korea", never ISO's "Korea, Republic of"."""
    en, fr, es = UN_NAMES[code]
    assert (state_name(code, "en"), state_name(code, "fr"), state_name(code, "es")) == (en, fr, es)


def test_no_name_is_an_iso_inverted_form() -> None:
    """No name reads like an index entry ("Korea, Republic of", "Palestine, State of")."""
    for code in un_member_codes() + observer_codes():
        for locale in ("en", "fr", "es"):
            assert "," not in state_name(code, locale), (code, locale, state_name(code, locale))


def test_the_data_file_holds_all_195_states_in_three_languages_and_names_its_source() -> None:
    """Exactly the 193 Members and 2 observers, each with distinct English, French and Spanish names."""
    data = un_names()
    assert "UNTERM" in data["source"] and "un.org" in data["source"]
    states = data["states"]
    assert set(states) == set(un_member_codes()) | set(observer_codes())
    assert len(states) == 195
    assert {code for code, entry in states.items() if entry.get("observer")} == {"VA", "PS"}
    for locale in ("en", "fr", "es"):
        names = [entry[locale] for entry in states.values()]
        assert all(name == name.strip() and name for name in names), locale
        assert len(set(names)) == 195, locale  # no two States share a name


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
