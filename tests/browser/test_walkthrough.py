"""What a person saw in the first minute of a whole session on the room display and the viewer."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import PHONE, Screens
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}

# For each list the board trimmed: would its first left-out item have fitted after all?
_WOULD_FIT = """
() => {
  const side = document.getElementById("side");
  const out = {};
  for (const name of ["next", "queue"]) {
    const hidden = Array.from(document.getElementById(name).children).filter((li) =>
      li.classList.contains("overflowed"),
    );
    if (!hidden.length) continue;
    const more = document.getElementById(`${name}-more`);
    const wasHidden = more.hidden;
    hidden[0].classList.remove("overflowed");
    if (hidden.length === 1) more.hidden = true;
    out[name] = side.scrollHeight <= side.clientHeight + 1;
    hidden[0].classList.add("overflowed");
    more.hidden = wasHidden;
  }
  return out;
}
"""


async def _no_needless_more(page: Page) -> None:
    fits: dict[str, bool] = await page.evaluate(_WOULD_FIT)
    assert not any(fits.values()), f"'+N more' shown though the next item fits: {fits}"


@pytest.mark.parametrize("size", [LAPTOP, PROJECTOR], ids=["1366x768", "1920x1080"])
async def test_the_lists_show_every_item_that_fits(screens: Screens, size: dict[str, int]) -> None:
    """No "+1 more" above empty space: the trimming gives back what still fits."""
    server = screens.server
    sid = screens.session()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][0]["id"])
    room = await screens.open(f"/s/{sid}/room", size=size)
    for n, code in enumerate(("GY", "KI", "BR", "KE", "JP", "FR", "SE")):
        mission = await Live.open(server.ws, sid, server.token(code))
        await moderator.until(await mission.ok("queue.request"))
        await mission.close()
        await expect(room.locator("#queue > li")).to_have_count(n + 1)
        await _no_needless_more(room)
    await moderator.close()
    assert screens.errors == []


async def test_after_close_nobody_is_next_and_the_board_says_when_it_closed(screens: Screens) -> None:
    server = screens.server
    sid = screens.session()
    room = await screens.open(f"/s/{sid}/room", size=LAPTOP)
    watch = await screens.open(f"/s/{sid}/watch?lang=es", size=PHONE)
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][0]["id"])
    await expect(room.locator("#next > li")).to_have_count(5)
    await expect(room.locator("#planned")).to_have_text(re.compile(r"^Planned end \d\d:\d\d$"))
    await moderator.ok("session.close")
    for page in (room, watch):
        await expect(page.locator("#next > li")).to_have_count(0)
        await expect(page.locator("#next-empty")).to_be_visible()
    await expect(room.locator("#planned")).to_have_text(re.compile(r"^Closed at \d\d:\d\d$"))
    await expect(watch.locator("#planned")).to_have_text(re.compile(r"^Sesión cerrada a las \d\d:\d\d$"))
    await moderator.close()
    assert screens.errors == []


@pytest.mark.parametrize(
    ("path", "size"),
    [("room", LAPTOP), ("room", PROJECTOR), ("watch", LAPTOP), ("watch", PHONE)],
    ids=["room-1366", "room-1920", "watch-1366", "watch-360"],
)
async def test_overtime_digits_stay_inside_the_floor_panel(
    screens: Screens, path: str, size: dict[str, int]
) -> None:
    """ "+00:02" is wider than "06:59": it must not run into the panel's edge (nor past it)."""
    server = screens.server
    sid = screens.session()
    page = await screens.open(f"/s/{sid}/{path}", size=size)
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=moderator.state["speakers"][2]["id"])
    await moderator.ok("timer.adjust", delta_ms=-298_000)  # 2 s left, not running
    await moderator.ok("timer.start")
    countdown = page.locator("#countdown")
    await expect(countdown).to_have_attribute("data-level", "over", timeout=10_000)
    await expect(countdown).to_have_text(re.compile(r"^\+00:0\d$"))
    inner = await page.locator(".floor").evaluate(
        """(el) => {
          const r = el.getBoundingClientRect();
          const s = getComputedStyle(el);
          return {left: r.left + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.paddingRight)};
        }"""
    )
    box = await countdown.bounding_box()
    assert box is not None
    assert box["x"] >= inner["left"] - 1 and box["x"] + box["width"] <= inner["right"] + 1, (box, inner)
    scroll = await countdown.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert scroll[0] <= scroll[1] + 1, f"the digits overflow their own box: {scroll}"
    big = 0.15 * size["height"] if size["width"] > 900 else 0.08 * size["height"]
    assert box["height"] >= big  # still read from across the room
    await moderator.close()
    assert screens.errors == []
