"""One place for each rule the screens also need: the browser gets it from the server, never re-typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from moderator.core import agenda, commands, rules
from moderator.i18n import catalogs, countries, locales, translation
from moderator.web import urls

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "static" / "js").rglob("*.js"))
TEMPLATES = sorted((ROOT / "displays").glob("*.html"))


def _sources() -> list[Path]:
    return [*SCRIPTS, *TEMPLATES]


def test_the_page_rules_are_the_core_limits_and_phases() -> None:
    """The page config's `rules` are the very numbers `commands` checks and the phases `decide` opens."""
    assert rules.page_rules() == {
        "open_phases": ["opening", "statements", "qa"],
        "topic_max": commands.TOPIC_MAX,
        "message_max": commands.MESSAGE_MAX,
        "sur_may_request": False,
        "sur_statement_phases": ["opening", "statements"],
    }


@pytest.mark.parametrize("limit", [commands.TOPIC_MAX, commands.MESSAGE_MAX])
def test_no_script_or_template_re_types_a_text_limit(limit: int) -> None:
    """280 and 200 come from the page config (`config.rules`), not from a literal."""
    pattern = re.compile(rf"(?<![\w.#-]){limit}(?![\w.%-])")
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _sources()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not re.search(r"_MS = \d+;", line)
    ]
    assert found == []


def test_no_script_re_types_the_open_phases() -> None:
    """The phone and the playlist read `config.rules.open_phases`."""
    pattern = re.compile(r'"opening"[^\n]*"statements"[^\n]*"qa"')
    assert [str(p.relative_to(ROOT)) for p in SCRIPTS if pattern.search(p.read_text(encoding="utf-8"))] == []


def test_no_script_builds_a_screen_or_api_path() -> None:
    """Paths come from the page config (`config.urls`, `current_url`, `sheet_url`)."""
    pattern = re.compile(r"[`\"']/(s|api|join|series|media)/")
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _sources()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "POST /api/series" not in line
    ]
    assert found == []


def test_every_list_of_languages_is_the_one_list() -> None:
    """The catalogs, the countries, the agenda and the picker all derive from moderator/i18n/locales.py."""
    codes = tuple(loc.code for loc in locales.LOCALES)
    assert codes == translation.SUPPORTED_LOCALES
    assert codes[0] == translation.DEFAULT_LOCALE
    assert codes == countries._LOCALES
    assert codes == agenda.LANGUAGES
    assert tuple(catalogs._LANGUAGE_NAMES) == codes
    assert [code for code, _ in locales.picker()] == list(codes)
    assert all((translation.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").is_file() for code in codes)


def test_no_python_module_or_script_re_types_the_locale_list() -> None:
    """The list ("en", "fr", "es") is written once, in locales.py (demo.py's are speakers' languages)."""
    pattern = re.compile(r"""[(\[]\s*["']en["'],\s*["']fr["'],\s*["']es["']""")
    offenders = [
        str(p.relative_to(ROOT))
        for p in [*sorted((ROOT / "moderator").rglob("*.py")), *SCRIPTS]
        if p.name not in {"locales.py", "demo.py"} and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_placeholders_are_filled_by_one_function_per_side() -> None:
    """Python fills `%(name)s` with `core.errors.fill`; scripts with lib/i18n.js `fill`."""
    python = re.compile(r"(message|text|msgid) % |% self\.params|% params|% values")
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "moderator").rglob("*.py"))
        if p.name != "errors.py" and python.search(p.read_text(encoding="utf-8"))
    ]
    js = [str(p.relative_to(ROOT)) for p in SCRIPTS if "%\\(" in p.read_text(encoding="utf-8")]
    assert offenders == []
    assert js == ["static/js/lib/i18n.js"]


def test_the_screen_urls() -> None:
    assert urls.screens("abc") == {
        "console": "/s/abc/console",
        "speaker": "/s/abc/speaker",
        "room": "/s/abc/room",
        "watch": "/s/abc/watch",
    }
    assert urls.join("t0k") == "/join/t0k"
    assert urls.cards("S1") == "/series/S1/cards"
    assert urls.report("abc") == "/api/sessions/abc/report"
    assert urls.browser_patterns() == {
        "console": "/s/%(session_id)s/console",
        "report": "/api/sessions/%(session_id)s/report",
    }
    with pytest.raises(ValueError):
        urls.screen("abc", "nope")
