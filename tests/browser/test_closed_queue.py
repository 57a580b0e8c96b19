"""After the questions and after close, an empty queue says something true, in every language."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

SAID = {
    "en": (
        "No State has asked for the floor yet.",
        "No State is waiting for the floor.",
        "Session closed. 4 States asked for the floor.",
    ),
    "fr": (
        "Aucun État n'a encore demandé la parole.",
        "Aucun État n'attend la parole.",
        "Séance close. 4 États ont demandé la parole.",
    ),
    "es": (
        "Ningún Estado ha solicitado aún el uso de la palabra.",
        "Ningún Estado espera el uso de la palabra.",
        "Sesión cerrada. 4 Estados solicitaron el uso de la palabra.",
    ),
}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_after_close_the_room_says_how_many_states_asked(screens: Screens, lang: str) -> None:
    sid = screens.session()
    server = screens.server
    room = await screens.open(f"/s/{sid}/room?lang={lang}")
    phone = await screens.open(f"{screens.join_path('FR')}?lang={lang}", size=PHONE)
    console = await screens.open(screens.console_path().replace("#", f"?lang={lang}#"))
    none, waiting_none, closed = SAID[lang]
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await expect(room.locator("#queue-empty")).to_have_text(none)
    await expect(phone.locator("#queue-empty")).to_have_text(none)

    # Four States ask (one of them withdraws); the moderator answers the other three.
    for code in ("GY", "KI", "BR", "KE"):
        mission = await Live.open(server.ws, sid, server.token(code))
        await moderator.until(await mission.ok("queue.request"))
        if code == "KE":
            mine = next(e for e in mission.state["queue"] if e["state"]["code"] == code)
            await moderator.until(await mission.ok("queue.withdraw", entry_id=mine["id"]))
        await mission.close()
    await moderator.ok("session.qa")
    while moderator.state["queue"]:
        entry = moderator.state["queue"][0]
        await moderator.ok("queue.call", entry_id=entry["id"])
        await moderator.ok("queue.done", entry_id=entry["id"])
    await expect(room.locator("#queue-empty")).to_have_text(waiting_none)
    await expect(phone.locator("#queue-empty")).to_have_text(waiting_none)
    await expect(console.locator("#queue-empty")).to_have_text(waiting_none)
    assert moderator.state["states_asked"] == 4

    # (The phone moves on to the series' next session by itself once this one closes.)
    watch = await screens.open(f"/s/{sid}/watch?lang={lang}", size=PHONE)
    await moderator.ok("session.close")
    for page in (room, watch, console):
        await expect(page.locator("#queue-empty")).to_have_text(closed)
        await expect(page.locator("#queue-empty")).to_be_visible()
    await screenshot(room, f"room-closed-{lang}")
    await moderator.close()
    assert screens.errors == []


async def test_one_state_is_counted_in_the_singular(screens: Screens) -> None:
    sid = screens.session()
    server = screens.server
    room = await screens.open(f"/s/{sid}/room?lang=fr")
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    mission = await Live.open(server.ws, sid, server.token("JP"))
    await moderator.until(await mission.ok("queue.request"))
    mine = mission.state["queue"][0]
    await moderator.until(await mission.ok("queue.withdraw", entry_id=mine["id"]))
    await moderator.ok("session.close")
    await expect(room.locator("#queue-empty")).to_have_text("Séance close. 1 État a demandé la parole.")
    await moderator.close()
    assert screens.errors == []
