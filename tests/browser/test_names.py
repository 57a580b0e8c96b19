"""States are named as the UN names them, in each language; a mission's agenda label is shown where given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, Screens, screenshot, serving
from tests.support.live import Live
from tests.support.server import Running

pytestmark = pytest.mark.browser

LABEL = "Kenya (on behalf of the African Group)"
NAMES = {
    "KR": {"en": "Republic of Korea", "fr": "République de Corée", "es": "República de Corea"},
    "IR": {
        "en": "Iran (Islamic Republic of)",
        "fr": "Iran (République islamique d')",
        "es": "Irán (República Islámica del)",
    },
    "VA": {"en": "Holy See", "fr": "Saint-Siège", "es": "Santa Sede"},
    "PS": {"en": "State of Palestine", "fr": "État de Palestine", "es": "Estado de Palestina"},
}
TITLE = {"en": "Pre-session: %s", "fr": "Pré-session : %s", "es": "Pre-sesión: %s"}


@pytest.fixture
async def named(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    """A series whose missions include KR, IR, VA and PS, Kenya with a label; VA's session second."""
    doc = meeting_agenda()
    doc["sessions"][1]["state_under_review"] = "VA"
    doc["sessions"][1]["key"] = "VA"
    doc["delegations"] = [{"state": c} for c in ("AM", "VA", "KR", "IR", "PS", "FR")]
    doc["delegations"].append({"state": "KE", "label": LABEL})
    try:
        async with serving(browser, tmp_path / "names.sqlite3", doc) as screens:
            yield screens
    finally:
        await Live.close_all()


async def _ask(server: Running, sid: str, moderator: Live, codes: tuple[str, ...]) -> None:
    for code in codes:
        mission = await Live.open(server.ws, sid, server.token(code))
        await moderator.until(await mission.ok("queue.request"))
        await mission.close()


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_room_and_the_phones_use_the_un_names_and_the_agenda_label(
    named: Screens, lang: str
) -> None:
    server = named.server
    sid = named.session()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await _ask(server, sid, moderator, ("KR", "IR", "VA", "PS", "KE"))
    room = await named.open(f"/s/{sid}/room?lang={lang}")
    phone = await named.open(f"{named.join_path('KR')}?lang={lang}", size=PHONE)
    kenya = await named.open(f"{named.join_path('KE')}?lang={lang}", size=PHONE)
    expected = [NAMES[c][lang] for c in ("KR", "IR", "VA", "PS")] + [LABEL]
    await expect(room.locator("#queue li .who")).to_have_text(expected)
    await expect(phone.locator("#queue li")).to_have_text([expected[0] + f" ({_you(lang)})", *expected[1:]])
    await expect(phone.locator("#mission")).to_contain_text(NAMES["KR"][lang])
    await expect(kenya.locator("#mission")).to_contain_text(LABEL)
    await screenshot(room, f"names-room-{lang}")
    await screenshot(phone, f"names-phone-{lang}")

    # The Holy See's own session: its title is the UN name; the question from Kenya shows its label.
    vatican = named.session(1)
    speaker = await named.open(f"/s/{vatican}/speaker?lang={lang}")
    watch = await named.open(f"/s/{vatican}/watch?lang={lang}", size=PHONE)
    for page in (speaker, watch):
        await expect(page.locator("#sur")).to_have_text(TITLE[lang] % NAMES["VA"][lang])
    other = await Live.open(server.ws, vatican, server.series["moderator_token"])
    await other.ok("session.open")
    await _ask(server, vatican, other, ("KE",))
    await other.ok("session.qa")
    await other.ok("queue.call", entry_id=other.state["queue"][0]["id"])
    question = {"en": "Question from %s", "fr": "Question : %s", "es": "Pregunta de %s"}[lang]
    await expect(speaker.locator("#holder")).to_have_text(question % LABEL)
    await expect(watch.locator("#queue li .who")).to_have_text([LABEL])
    await moderator.close()
    await other.close()
    assert named.errors == []


def _you(lang: str) -> str:
    return {"en": "you", "fr": "vous", "es": "usted"}[lang]


async def test_a_mission_s_card_and_the_console_show_its_label(named: Screens) -> None:
    server = named.server
    token = server.series["moderator_token"]
    cards = await named.open(f"/series/{server.series['series_id']}/cards#token={token}")
    await expect(cards.locator("body")).to_have_attribute("data-loaded", "true")
    states = cards.locator(".card-state")
    await expect(states.filter(has_text=LABEL)).to_have_count(1)
    card = cards.locator(".card", has_text=LABEL)
    await expect(card.locator(".card-un-name")).to_have_text("Kenya")
    await expect(cards.locator(".card-state", has_text="Republic of Korea")).to_have_count(1)
    await expect(cards.locator(".card-state", has_text="Holy See")).to_have_count(1)
    await screenshot(cards, "names-cards")

    sid = named.session()
    moderator = await Live.open(server.ws, sid, token)
    await moderator.ok("session.open")
    await _ask(server, sid, moderator, ("KE", "PS"))
    console = await named.open(f"/s/{sid}/console#token={token}", size={"width": 1366, "height": 768})
    queue = console.locator("#queue")
    await expect(queue).to_contain_text(LABEL)
    await expect(queue).to_contain_text("State of Palestine")
    await moderator.close()
    assert named.errors == []
