"""A mission's phone: request the floor, keep or give up the place, ask again."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser


async def test_a_mission_requests_withdraws_and_requests_again(screens: Screens) -> None:
    """Withdrawing asks first; the place leaves the room's queue; the button comes back."""
    sid = screens.session()
    server = screens.server
    phone = await screens.open(screens.join_path("JP"), size=PHONE)
    room = await screens.open(f"/s/{sid}/room")
    await expect(phone.locator("#mission")).to_have_text("Mission of Japan")
    await expect(phone.locator("#request-button")).to_be_hidden()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")

    button = phone.get_by_role("button", name="Request the floor")
    await expect(button).to_be_visible()
    box = await button.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 80  # one big button
    await phone.locator("#options summary").click()
    await phone.locator("#topic").fill("Élections")
    await expect(phone.locator("#topic-count")).to_have_text("271 characters left")
    await button.click()
    await expect(phone.locator("#place")).to_have_text("You are next in the queue.")
    await expect(room.locator("#queue li .who")).to_have_text(["Japan"])

    await phone.get_by_role("button", name="Withdraw my request").click()
    await phone.get_by_role("button", name="Keep my place").click()
    await expect(phone.locator("#place")).to_have_text("You are next in the queue.")
    await phone.get_by_role("button", name="Withdraw my request").click()
    await phone.get_by_role("button", name="Yes, withdraw").click()
    await expect(room.locator("#queue li")).to_have_count(0)
    await expect(button).to_be_visible()
    await expect(phone.locator("#topic")).to_have_value("")

    await button.click()
    await expect(room.locator("#queue li .who")).to_have_text(["Japan"])
    await moderator.close()
    assert screens.errors == []
