"""A screen whose network drops catches up by itself once it is back, without a reload."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser


async def test_a_cut_screen_catches_up_without_reload(screens: Screens) -> None:
    """Room display and phone offline while the meeting goes on: back online, both show the present."""
    sid = screens.session()
    server = screens.server
    room = await screens.open(f"/s/{sid}/room")
    france = await screens.open(screens.join_path("FR"), size=PHONE)
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    brazil = await Live.open(server.ws, sid, server.token("BR"))
    await moderator.ok("session.open")
    await france.get_by_role("button", name="Request the floor").click()
    await expect(france.locator("#place")).to_have_text("You are next in the queue.")
    await expect(room.locator("#phase")).to_have_text("Opening")
    for page in (room, france):
        await page.evaluate("window.notReloaded = true")

    for page in (room, france):
        await page.context.set_offline(True)
    for page in (room, france):
        await expect(page.locator("#connection")).to_be_visible(timeout=15_000)
        await expect(page.locator("#connection")).to_contain_text("Connection lost")

    # Meanwhile: a speaker takes the floor, Brazil asks and is moved ahead of France.
    second = moderator.state["speakers"][1]
    await moderator.ok("speaker.call", speaker_id=second["id"])
    await moderator.ok("timer.start")
    await moderator.until(await brazil.ok("queue.request"))
    entry = next(e for e in moderator.state["queue"] if e["state"]["code"] == "BR")
    await moderator.ok("queue.move", entry_id=entry["id"], position=0)
    await expect(room.locator("#holder")).not_to_have_text(second["name"])

    for page in (room, france):
        await page.context.set_offline(False)
    # The browser's "online" event makes both retry at once; the backoff would get there too.
    await expect(room.locator("#holder")).to_have_text(second["name"], timeout=30_000)
    await expect(france.locator("#holder")).to_have_text(second["name"], timeout=30_000)
    await expect(room.locator("#queue li .who")).to_have_text(["Brazil", "France"])
    await expect(france.locator("#place")).to_have_text("You are number 2 in the queue.")
    for page in (room, france):
        await expect(page.locator("#connection")).to_be_hidden()
        assert await page.evaluate("window.notReloaded") is True
    await moderator.close()
    await brazil.close()
    # Chromium reports the failed attempts to reconnect while offline; nothing else may fail.
    assert [e for e in screens.errors if "WebSocket" not in e] == []
