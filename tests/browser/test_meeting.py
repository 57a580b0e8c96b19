"""A whole Pre-session driven from the moderator's console, watched on four other screens."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, Screens

pytestmark = pytest.mark.browser


async def test_console_speaker_room_and_two_phones_follow_one_meeting(screens: Screens) -> None:
    """Every screen shows the same meeting as the moderator runs it, from the first speaker to the close."""
    sid = screens.session()
    console = await screens.open(screens.console_path())
    speaker = await screens.open(f"/s/{sid}/speaker")
    room = await screens.open(f"/s/{sid}/room")
    france = await screens.open(screens.join_path("FR"), size=PHONE)
    armenia = await screens.open(screens.join_path("AM"), size=PHONE)  # the State under Review

    # The token left the address bar; the console is live.
    await expect(console.locator("#speakers tr")).to_have_count(6)
    assert "token" not in console.url
    await expect(console.locator("#phase")).to_have_text("Not started")
    await expect(france.locator("#notice")).to_contain_text("has not opened yet")

    # A refused command shows the server's own sentence.
    await console.keyboard.press("Space")
    await expect(console.locator(".toast").first).to_be_visible()
    assert (await console.locator(".toast p").first.inner_text()).strip()

    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    await expect(room.locator("#phase")).to_have_text("Opening")

    # N calls the next speaker, Space starts the timer: the countdown runs on both screens.
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    await expect(room.locator("#phase")).to_have_text("Statements")  # the first speaker starts them
    await expect(speaker.locator("#holder")).to_have_text("A journalist")  # her public name only
    await expect(room.locator("#holder")).to_have_text("A journalist")
    await expect(speaker.locator("#countdown")).to_have_text("07:00")
    await expect(speaker.locator("#cue")).to_have_text("Ready to start")
    await console.keyboard.press("Space")
    await expect(speaker.locator("#countdown")).to_have_text(re.compile(r"^06:5\d$"))
    await expect(room.locator("#countdown")).to_have_text(re.compile(r"^06:5\d$"))
    await expect(france.locator("#countdown")).to_have_text(re.compile(r"^06:5\d$"))
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    assert "Anna Petrosyan" not in await room.locator("body").inner_text()

    # + adds a minute; the message reaches the speaker, not the room.
    await console.keyboard.press("+")
    await expect(speaker.locator("#countdown")).to_have_text(re.compile(r"^07:5\d$"))
    await console.locator("#message-text").fill("Please conclude")
    await console.get_by_role("button", name="Show", exact=True).click()
    await expect(speaker.locator("#banner")).to_have_text("Please conclude")
    await expect(room.locator("#banner")).to_be_hidden()

    # A phone requests the floor, to a speaker and with a topic.
    await france.locator("#options summary").click()
    await france.locator("#addressee").select_option(label="A journalist")
    await france.locator("#topic").fill("Protection of journalists")
    await france.get_by_role("button", name="Request the floor").click()
    await expect(france.locator("#place")).to_have_text("You are next in the queue.")
    await expect(room.locator("#queue li")).to_have_count(1)
    await expect(room.locator("#queue li .who")).to_have_text("France")
    row = console.locator("#queue tr")
    await expect(row).to_have_count(1)
    await expect(row.locator(".state")).to_have_text("France")
    await expect(row.locator(".topic")).to_have_text("Protection of journalists")
    await expect(row.locator(".to")).to_have_text("Anna Petrosyan")

    # The State under Review's own mission sees why it cannot ask, and no button; the server agrees.
    await expect(armenia.locator("#notice")).to_contain_text("Armenia is the State under Review")
    await expect(armenia.locator("#request-button")).to_be_hidden()
    await expect(armenia.locator("#queue li")).to_have_count(1)
    refused = await armenia.evaluate(
        "import('/static/js/lib/socket.js')"
        ".then((m) => m.pageLive().send('queue.request', {})).then(() => 'ack', (e) => e.code)"
    )
    assert refused == "sur_cannot_ask"

    # Questions: Q calls the next question; its State has the floor everywhere.
    await console.get_by_role("button", name="Questions and answers").click()
    await expect(console.locator("#phase")).to_have_text("Questions and answers")
    await console.keyboard.press("q")
    await expect(france.locator("#place")).to_have_text("You have the floor.")
    await expect(room.locator("#holder")).to_have_text("Question from France")
    await expect(speaker.locator("#holder")).to_have_text("Question from France")
    await expect(console.locator("#holder")).to_have_text("Question from France")
    await expect(speaker.locator("#countdown")).to_have_text("02:00")
    await expect(console.locator("#speakers tr").first.locator(".status")).to_have_text("Done")

    # The moderator ends the question: the queue empties, the phone may ask again.
    await row.get_by_role("button", name="France has finished").click()
    await expect(room.locator("#queue li")).to_have_count(0)
    await expect(room.locator("#queue-empty")).to_be_visible()
    await expect(france.locator("#request-button")).to_be_visible()
    await expect(console.locator("#holder")).to_have_text("Nobody has the floor")

    # Closing asks for confirmation first.
    await console.get_by_role("button", name="Close the session…").click()
    dialog = console.locator("#close-dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_be_hidden()
    await expect(console.locator("#phase")).to_have_text("Questions and answers")
    await console.get_by_role("button", name="Close the session…").click()
    await dialog.get_by_role("button", name="Close the session", exact=True).click()
    await expect(console.locator("#phase")).to_have_text("Closed")
    await expect(room.locator("#holder")).to_have_text("The session is closed. Thank you.")
    await expect(speaker.locator("#cue")).to_have_text("The session is closed. Thank you.")
    # The phone moves on to the series' next session by itself.
    await expect(france.locator("#sur")).to_have_text("Pre-session: Sweden")
    await expect(france.locator("#notice")).to_contain_text("has not opened yet")
    assert screens.errors == []
