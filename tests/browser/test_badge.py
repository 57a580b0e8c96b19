"""The "Connection lost" badge takes its own place: it never covers the queue, the floor or the digits."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import PHONE, Screens, screenshot
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}

# Every painted element the badge's box intersects, leaving out the badge, what it is inside
# and what is hidden from sight (visually-hidden helpers, clipped items).
_COVERED = """
(badge) => {
  const b = badge.getBoundingClientRect();
  const hit = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el === badge || badge.contains(el) || el.contains(badge)) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.clipPath !== "none" || Number(style.opacity) === 0) continue;
    const w = Math.min(r.right, b.right) - Math.max(r.left, b.left);
    const h = Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top);
    if (w > 0.5 && h > 0.5) hit.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
  }
  return hit;
}
"""


async def _covered(page: Page) -> list[str]:
    badge = page.locator("#connection")
    await expect(badge).to_be_visible(timeout=20_000)
    await expect(badge).to_contain_text("Connection lost")
    hits: list[str] = await badge.evaluate(_COVERED)
    return hits


async def test_the_connection_badge_covers_nothing(screens: Screens) -> None:
    sid = screens.session()
    server = screens.server
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][0]["id"])
    await moderator.ok("timer.start")
    for code in ("GY", "KI", "BR", "KE", "JP", "SE"):
        mission = await Live.open(server.ws, sid, server.token(code))
        await moderator.until(await mission.ok("queue.request"))
        await mission.close()
    pages = {
        "room-1366": await screens.open(f"/s/{sid}/room", size=LAPTOP),
        "room-1920": await screens.open(f"/s/{sid}/room", size=PROJECTOR),
        "watch-1366": await screens.open(f"/s/{sid}/watch", size=LAPTOP),
        "watch-1920": await screens.open(f"/s/{sid}/watch", size=PROJECTOR),
        "watch-360": await screens.open(f"/s/{sid}/watch", size=PHONE),
        "phone-360": await screens.open(screens.join_path("FR"), size=PHONE),
        "speaker-1366": await screens.open(f"/s/{sid}/speaker", size=LAPTOP),
        "speaker-1920": await screens.open(f"/s/{sid}/speaker", size=PROJECTOR),
    }
    for page in pages.values():
        await expect(page.locator("#holder")).to_have_text("A journalist")
    for page in pages.values():
        await page.context.set_offline(True)
    covered = {}
    for name, page in pages.items():
        covered[name] = await _covered(page)
        await screenshot(page, f"badge-{name}")
    assert covered == {name: [] for name in pages}
    # The room still shows the whole queue that fitted before (the board made room for the badge).
    await expect(pages["room-1920"].locator("#queue li:not(.overflowed)").first).to_be_visible()
    await moderator.close()
    assert [e for e in screens.errors if "WebSocket" not in e] == []
