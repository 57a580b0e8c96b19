"""A screen identified and named from the console: listed, shows its label, keeps its name."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.pages import PROJECTOR, Screens, screenshot

LIVE = '(await import("/static/js/lib/socket.js")).pageLive()'


async def live_on(page: Page) -> None:
    await page.wait_for_function(
        f"async () => {{ const l = {LIVE}; return l && l.status === 'live' && l.state; }}"
    )


async def test_a_screen_identified_and_named_from_the_console(screens: Screens) -> None:
    room = await screens.open(screens.server.series["links"]["room"] + "?lang=fr", size=PROJECTOR)
    await live_on(room)
    room_id = await room.evaluate("localStorage.getItem('moderator.screen_id')")
    console = await screens.open(
        f"/s/{screens.session()}/console?lang=en#token={screens.server.series['moderator_token']}",
        size={"width": 1366, "height": 768},
    )
    await live_on(console)
    await console.keyboard.press("d")
    row = console.locator(f'#screens-rows tr[data-screen="{room_id}"]')
    await row.wait_for()
    cells = await row.locator("th, td").all_inner_texts()
    assert cells[0].startswith("Room display · ")
    assert cells[1] == "French" and "follows the series" in cells[2]
    # The room's clock is measured and reported (here: the same machine, so in step).
    cell = f'#screens-rows tr[data-screen="{room_id}"]'
    await console.wait_for_function(
        f"""() => document.querySelector('{cell}').children[4].textContent === 'in step'"""
    )
    await row.locator("input").fill("Projector")
    await row.locator("input").press("Enter")
    await console.wait_for_function(
        f"""() => document.querySelector('{cell} th').textContent === 'Projector'"""
    )
    await screenshot(console, "screens-panel-en")
    await row.locator(".identify-button").click()
    label = room.locator("#identify .identify-label")
    await label.wait_for()
    assert await label.inner_text() == "Projector"
    await screenshot(room, "screens-identify-fr")
    # Space in the dialog does not start a timer behind it; Escape closes it.
    await console.keyboard.press("Escape")
    assert not await console.locator("#screens-dialog").is_visible()
    # A reload is the same screen, with its name.
    await room.reload()
    await live_on(room)
    assert await room.evaluate("localStorage.getItem('moderator.screen_id')") == room_id
    await console.keyboard.press("D")
    row = console.locator(f'#screens-rows tr[data-screen="{room_id}"]')
    await row.wait_for()
    assert await row.locator("th").inner_text() == "Projector"
    await row.locator(".identify-button").click()
    await room.locator("#identify .identify-label").wait_for()
    assert await room.locator("#identify .identify-label").inner_text() == "Projector"
    assert screens.errors == []
