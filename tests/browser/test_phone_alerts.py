"""A mission's phone says in words (a live region and a banner, in the page's language) when its
State is next and when it has the floor, vibrates where the browser lets it, and asks to keep the
screen on while its State is in the queue."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from moderator.i18n.translation import translate
from tests.browser.pages import PHONE, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

NEXT = "Your State is next: get ready to take the floor."
FLOOR = "You have the floor: please speak now."

# Records what the page asks of the device (the calls go through to the browser's own).
WATCH_DEVICE = """
window.__vibrations = [];
window.__wakeRequests = 0;
const vibrate = navigator.vibrate ? navigator.vibrate.bind(navigator) : null;
navigator.vibrate = (pattern) => {
  window.__vibrations.push(pattern);
  return vibrate ? vibrate(pattern) : false;
};
if (navigator.wakeLock) {
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = (type) => { window.__wakeRequests += 1; return request(type); };
}
"""


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_phone_announces_next_and_the_floor(screens: Screens, lang: str) -> None:
    sid = screens.session()
    context = await screens.browser.new_context(viewport={"width": PHONE["width"], "height": PHONE["height"]})
    screens.contexts.append(context)
    await context.add_init_script(WATCH_DEVICE)
    page = await context.new_page()
    page.on("pageerror", lambda exc: screens.errors.append(str(exc)))
    await page.goto(f"{screens.server.base}{screens.join_path('FR')}?lang={lang}")
    moderator = await Live.open(screens.server.ws, sid, screens.server.series["moderator_token"])
    await moderator.ok("session.open")
    brazil = await Live.open(screens.server.ws, sid, screens.server.token("BR"))
    await brazil.ok("queue.request", addressed_to=None, topic="")
    await page.locator("#request-button").click()
    await expect(page.locator("#mine")).to_be_visible()
    region, banner = page.locator("#turn-live"), page.locator("#turn-banner")
    await expect(banner).to_be_hidden()
    await expect(page.locator("#place")).to_be_visible()  # no banner: the place says where we are
    if await page.evaluate("'wakeLock' in navigator"):
        await page.wait_for_function("window.__wakeRequests > 0")

    await moderator.ok("session.qa")
    await moderator.ok("queue.call", entry_id=moderator.state["queue"][0]["id"])  # Brazil
    await expect(region).to_have_text(translate(lang, NEXT))
    await expect(banner).to_have_text(translate(lang, NEXT))
    await expect(banner).to_be_visible()
    await expect(page.locator("#place")).to_be_hidden()
    await screenshot(page, f"phone-next-{lang}-360x640")

    await moderator.ok("queue.call", entry_id=moderator.state["queue"][1]["id"])  # France
    await expect(region).to_have_text(translate(lang, FLOOR))
    await expect(banner).to_have_text(translate(lang, FLOOR))
    # Said once: the banner, not the banner and the place under it in other words (nor an empty frame).
    await expect(page.locator("#place")).to_be_hidden()
    await expect(page.locator("#mine")).to_be_hidden()
    assert await page.evaluate("window.__vibrations.length") == 2
    await screenshot(page, f"phone-floor-{lang}-360x640")
    await moderator.ok("queue.done", entry_id=moderator.state["queue"][0]["id"])
    await expect(banner).to_be_hidden()
    await moderator.close()
    await brazil.close()
    assert screens.errors == []
