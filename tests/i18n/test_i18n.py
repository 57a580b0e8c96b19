"""Catalogs in step with the sources, French and Spanish complete, locale negotiation and translation."""

from __future__ import annotations

import gettext
import re
from typing import Any

import pytest
from babel.messages.catalog import Catalog

from moderator.core.errors import Refused
from moderator.core.state import PHASES
from moderator.i18n import catalogs
from moderator.i18n import translation as i18n
from moderator.i18n.translation import SUPPORTED_LOCALES, negotiate, translate, translations
from tests.support.core import Run, session

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    """Every msgid marked in the sources today."""
    return catalogs.extract()


def stored(locale: str) -> Catalog:
    """The .po catalog of `locale` as committed."""
    catalog = catalogs.read_catalog(locale)
    assert catalog is not None, (
        f"{catalogs.po_path(locale)} is missing: run python -m moderator.i18n.catalogs"
    )
    return catalog


def test_extraction_reads_python_and_templates(template: Catalog) -> None:
    """babel.cfg extracts N_() sentences from moderator/ and _() calls from displays/ templates."""
    locations = {filename for message in template for filename, _ in message.locations}
    assert template.get("This field is required.") is not None
    assert any(name.startswith("moderator/") and name.endswith(".py") for name in locations)
    assert any(name.startswith("displays/") and name.endswith(".html") for name in locations)


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_every_msgid_in_the_sources_is_translated(template: Catalog, locale: str) -> None:
    """Each msgid of the sources has a non-fuzzy translation in the French and Spanish catalogs."""
    catalog = stored(locale)
    missing = [
        message.id
        for message in template
        if message.id
        and (
            (found := catalog.get(message.id, message.context)) is None
            or found.fuzzy
            or not all(found.string if isinstance(found.string, tuple) else (found.string,))
        )
    ]
    assert not missing, (
        f"{len(missing)} msgid(s) lack a {locale} translation; run `python -m moderator.i18n.catalogs`, "
        f"translate them in {catalogs.po_path(locale)}, and run it again: {missing}"
    )


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_translations_keep_every_placeholder(locale: str) -> None:
    """A translation uses exactly the %(name)s placeholders of its msgid."""
    wrong = [
        message.id
        for message in stored(locale)
        if message.id
        and message.string
        and set(PLACEHOLDER.findall(str(message.id))) != set(PLACEHOLDER.findall(str(message.string)))
    ]
    assert not wrong


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_compiled_catalog_matches_its_po(locale: str) -> None:
    """Each .mo holds exactly the translations of its .po (run the catalogs script after editing a .po)."""
    assert not catalogs.mo_is_stale(locale, stored(locale)), (
        f"{catalogs.mo_path(locale)} is stale: run python -m moderator.i18n.catalogs"
    )


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_translations_load_and_are_cached(locale: str) -> None:
    """Each supported locale loads its compiled catalog once."""
    loaded = translations(locale)
    assert isinstance(loaded, gettext.GNUTranslations)
    assert translations(locale) is loaded


def test_unsupported_locale_is_refused() -> None:
    """Asking for a catalog that is not shipped is a programming error."""
    with pytest.raises(ValueError):
        translations("de")


def test_translate_fills_placeholders_in_each_language() -> None:
    """translate returns the sentence in the locale with its placeholders filled."""
    message = "This text is longer than %(max)s characters; shorten it."
    assert translate("en", message, {"max": 200}) == "This text is longer than 200 characters; shorten it."
    assert (
        translate("fr", message, {"max": 200}) == "Ce texte dépasse 200 caractères\u00a0; raccourcissez-le."
    )
    assert translate("es", message, {"max": 200}) == "Este texto supera los 200 caracteres; acórtelo."


def test_translate_without_params_leaves_text_alone() -> None:
    """Without params, the translation is returned as is, placeholders and all."""
    assert translate("es", "This field is required.") == "Este campo es obligatorio."
    assert translate("en", "%(n)s min") == "%(n)s min"


def test_unknown_msgid_comes_back_in_english() -> None:
    """A sentence missing from the catalog falls back to the English msgid."""
    assert translate("fr", "Not in any catalog: %(x)s.", {"x": 1}) == "Not in any catalog: 1."


def test_broken_translation_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation whose placeholders do not match the params gives the English sentence, not an error."""

    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "Texte %(faux)s"

    monkeypatch.setattr(i18n, "translations", lambda locale: Broken())
    assert translate("fr", "Speaker %(n)s", {"n": 2}) == "Speaker 2"


@pytest.mark.parametrize(
    ("accept", "requested", "expected"),
    [
        (None, None, "en"),
        ("", None, "en"),
        ("fr-CH, fr;q=0.9, en;q=0.8", None, "fr"),
        ("de-DE,de;q=0.9,es;q=0.8,en;q=0.7", None, "es"),
        ("en;q=0.5, es", None, "es"),
        ("es-419", None, "es"),
        ("FR_ca", None, "fr"),
        ("de, it", None, "en"),
        ("de, *;q=0.5, fr;q=0.4", None, "en"),
        ("fr;q=0, es;q=0.1", None, "es"),
        ("fr;q=abc, es;q=0.2", None, "es"),
        ("fr;q=2, es;q=0.2", None, "es"),
        (";;;,,,==", None, "en"),
        ("fr", "es", "es"),
        ("fr", "ES-mx", "es"),
        ("fr", "de", "fr"),
        ("fr", "", "fr"),
        (None, "xx-yy-zz", "en"),
    ],
)
def test_negotiate(accept: str | None, requested: str | None, expected: str) -> None:
    """A supported explicit choice wins; else the best-weighted supported language; else English."""
    assert negotiate(accept, requested) == expected


def test_negotiate_survives_huge_headers() -> None:
    """A very long header is read up to a bound and never raises."""
    assert negotiate("x-" * 100_000 + ",fr") == "en"
    assert negotiate("fr," + "x;q=0.1," * 10_000) == "fr"


def _phase_refusals() -> list[Refused]:
    """The refusal a command gets for the phase, in each phase but closed (refused before any rule)."""
    run = Run(session())
    out = []
    steps: list[tuple[str | None, tuple[str, dict[str, Any]]]] = [
        ("session.open", ("speaker.call", {"speaker_id": "s1"})),
        ("session.statements", ("session.open", {})),
        ("session.qa", ("session.statements", {})),
        (None, ("session.statements", {})),
    ]
    for step, (name, args) in steps:
        with pytest.raises(Refused) as e:
            run.do(name, **args)
        out.append(e.value)
        if step:
            run.do(step)
    return out


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
def test_a_refusal_for_the_phase_names_no_phase_code(locale: str) -> None:
    """Not "the session is in its 'scheduled' phase" (« scheduled » in French): words, translated."""
    refusals = _phase_refusals()
    sentences = [translate(locale, r.message, r.params) for r in refusals]
    assert len(set(sentences)) == 4, sentences
    for refusal, sentence in zip(refusals, sentences, strict=True):
        words = set(re.findall(r"\w+", sentence.lower()))
        assert not words & {"scheduled", "qa", "phase"}, sentence
        if locale != "en":
            assert not words & set(PHASES), f"an English phase code in {sentence!r}"
            assert sentence != refusal.english(), f"not translated: {sentence!r}"
