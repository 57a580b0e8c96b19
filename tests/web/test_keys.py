"""The console's keys are declared once (web/keys.py): each action one key, no key two actions,
every label translated in the page, the fixture the browser tests press is the server's list."""

from __future__ import annotations

import json
from pathlib import Path

from moderator.core.presets import PRESETS
from moderator.i18n.translation import translate
from moderator.web import keys
from tests.support.server import Running
from tests.web.test_screens import page_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "keys.json"


def test_the_fixture_is_the_servers_list() -> None:
    assert json.loads(FIXTURE.read_text())["keys"] == keys.page_keys(lambda s: s)


def test_every_preset_phase_and_undo_has_a_key() -> None:
    actions = set(keys.BY_ACTION)
    assert {f"preset.{p}" for p in PRESETS} <= actions
    assert {
        "session.open",
        "session.statements",
        "session.qa",
        "session.close",
        "message.clear",
        "undo",
    } <= actions


def test_letters_are_matched_lower_case_and_digits_also_by_code() -> None:
    for k in keys.KEYS:
        assert all(x == x.lower() for x in (k.key, *k.also)), k
        if k.key.isdigit():
            assert f"Digit{k.key}" in k.codes and f"Numpad{k.key}" in k.codes


def test_labels_and_help_are_translated() -> None:
    for lang in ("fr", "es"):

        def gettext(msgid: str, lang: str = lang) -> str:
            return translate(lang, msgid)

        groups = keys.help_groups(gettext)
        assert sum(len(g["entries"]) for g in groups) == len(keys.KEYS)
        for k in keys.KEYS:
            assert translate(lang, k.help) != k.help, (lang, k.help)
    assert keys.label(keys.BY_ACTION["timer.toggle"], lambda s: translate("fr", s)) == "Espace"
    assert keys.label(keys.BY_ACTION["queue.remove"], lambda s: translate("es", s)) == "Supr"


async def test_the_console_page_carries_its_keys_and_every_screen_the_presets(server: Running) -> None:
    """The console's page config has the keys in its language and every button its <kbd>; every
    session screen has each preset in each language, for a speaker of another language."""
    sid = server.session_id()
    r = await server.http.get(f"/s/{sid}/console", params={"lang": "es"})
    config = page_config(r.text)
    assert config["keys"] == keys.page_keys(lambda msgid: translate("es", msgid))
    on_rows = {"speaker.skip", "queue.remove"}  # on the row of the next speaker, the first State (console.js)
    for k in config["keys"]:
        if k["action"] not in {*on_rows, "escape"}:
            assert f'aria-keyshortcuts="{k["shortcut"]}"' in r.text, k["action"]
    assert '<kbd class="key" aria-hidden="true">Espacio</kbd>' in r.text
    for screen in ("console", "speaker", "room", "watch"):
        presets = page_config((await server.http.get(f"/s/{sid}/{screen}")).text)["presets"]
        assert presets == {
            lang: {pid: translate(lang, msgid) for pid, msgid in PRESETS.items()}
            for lang in ("en", "fr", "es")
        }
