"""Words on the screens: counts in the singular, Spanish agreement."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser

ONE_LEFT = {"en": "1 character left", "fr": "1 caractère restant", "es": "Queda 1 carácter"}
TWO_LEFT = {"en": "2 characters left", "fr": "2 caractères restants", "es": "Quedan 2 caracteres"}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_phone_counts_one_character_in_the_singular(screens: Screens, lang: str) -> None:
    sid = screens.session()
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    await moderator.ok("session.open")
    phone = await screens.open(f"{screens.join_path('FR')}?lang={lang}", size=PHONE)
    await phone.locator("#options summary").click()
    await phone.locator("#topic").fill("x" * 278)
    await expect(phone.locator("#topic-count")).to_have_text(TWO_LEFT[lang])
    await phone.locator("#topic").fill("x" * 279)
    await expect(phone.locator("#topic-count")).to_have_text(ONE_LEFT[lang])
    await moderator.close()
    assert screens.errors == []


async def test_the_room_says_fin_previsto_in_spanish(screens: Screens) -> None:
    sid = screens.session()
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    await moderator.ok("session.open")
    room = await screens.open(f"/s/{sid}/room?lang=es")
    await expect(room.locator("#planned")).to_have_text(re.compile(r"^Fin previsto: \d\d:\d\d$"))
    await moderator.close()
    assert screens.errors == []
