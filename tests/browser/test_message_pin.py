"""A message to the speaker leaves the speaker's screen when the floor changes, unless kept."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.pages import Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser


async def test_please_conclude_goes_with_the_floor_and_a_kept_message_stays(screens: Screens) -> None:
    sid = screens.session()
    console = await screens.open(screens.console_path())
    speaker = await screens.open(f"/s/{sid}/speaker")
    server = screens.server
    france = await Live.open(server.ws, sid, server.token("FR"))
    await expect(console.locator("#speakers tr")).to_have_count(6)
    await console.get_by_role("button", name="Open the session").click()
    await console.keyboard.press("n")
    await expect(speaker.locator("#holder")).to_have_text("A journalist")

    # "Please conclude": gone from the speaker's screen as soon as a question from France is called.
    await console.get_by_role("button", name="Please conclude your statement.").click()
    await expect(speaker.locator("#banner")).to_have_text("Please conclude your statement.")
    await france.ok("queue.request")
    await console.get_by_role("button", name="Questions and answers").click()
    await console.keyboard.press("q")
    await expect(speaker.locator("#holder")).to_have_text("Question from France")
    await expect(speaker.locator("#banner")).to_be_hidden()
    await expect(console.locator("#message-current")).to_have_text("No message is shown.")

    # Kept: the box is ticked, the message outlives the floor change.
    await console.locator("#message-text").fill("Speak slowly for the interpreters")
    await console.get_by_label("Keep after the floor changes").check()
    await console.get_by_role("button", name="Show", exact=True).click()
    await expect(speaker.locator("#banner")).to_have_text("Speak slowly for the interpreters")
    await expect(console.locator("#message-current")).to_contain_text("Kept after the floor changes.")
    await expect(console.get_by_label("Keep after the floor changes")).not_to_be_checked()
    await console.locator("#queue tr").get_by_role("button", name="France has finished").click()
    await expect(speaker.locator("#holder")).not_to_have_text("Question from France")
    await expect(speaker.locator("#banner")).to_have_text("Speak slowly for the interpreters")
    while not (france.state.get("message") or {}).get("pinned"):  # the wire says so too
        await france.next()
    assert france.state["message"] == {
        "text": "Speak slowly for the interpreters",
        "to": "speaker",
        "pinned": True,
        "preset": None,
    }
    assert screens.errors == []
