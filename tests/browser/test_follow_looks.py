"""The series screens between sessions, the phone's choice and the connected screens, in every language and
size: nothing cut sideways, no serious accessibility fault, a screenshot to look at."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.browser.test_follow_series import day, on_session, screens  # noqa: F401  (fixtures)
from tests.browser.test_looks import CUT_CONTROLS, serious_violations
from tests.support.live import Live

LAPTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "laptop": LAPTOP, "projector": PROJECTOR}
NEXT = {
    "en": "Next: Pre-session on Armenia",
    "fr": "Ensuite\u00a0: pré-session sur Arménie",
    "es": "A continuación: presesión sobre Armenia",
}


async def check(page: Page, name: str) -> list[str]:
    problems = []
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{name}: {overflow}px wider than the screen")
    problems += [f"{name}: {c} runs past the screen's edge" for c in await page.evaluate(CUT_CONTROLS)]
    problems += [f"{name}: {v}" for v in await serious_violations(page)]
    await screenshot(page, name)
    return problems


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_series_screens_the_phones_choice_and_the_screens_panel(
    screens: Screens,  # noqa: F811  (the fixture imported above)
    lang: str,
) -> None:
    server = screens.server
    links = server.series["links"]
    problems: list[str] = []
    for size_name, size in SIZES.items():
        for screen in ("room", "speaker"):
            page = await screens.open(f"{links[screen]}?lang={lang}", size=size)
            await on_session(page, server.session_id(0), "scheduled")
            await page.wait_for_function(
                "words => document.getElementById('holder').textContent.startsWith(words)", arg=NEXT[lang]
            )
            problems += await check(page, f"{lang}-series-{screen}-between-{size_name}")
    token = server.series["moderator_token"]
    first = await Live.open(server.ws, server.session_id(0), token)
    second = await Live.open(server.ws, server.session_id(1), token)
    await first.ok("session.open")
    await second.ok("session.open")
    for size_name, size in SIZES.items():
        phone = await screens.open(f"{screens.join_path('FR')}?lang={lang}", size=size)
        await phone.locator("#choices button").first.wait_for()
        problems += await check(phone, f"{lang}-series-phone-choice-{size_name}")
        console = await screens.open(
            f"/s/{server.session_id(0)}/console?lang={lang}#token={token}", size=size
        )
        await console.locator("#holder").wait_for()
        await console.keyboard.press("d")
        await console.locator("#screens-rows tr").nth(2).wait_for()
        problems += await check(console, f"{lang}-series-screens-panel-{size_name}")
    await first.close()
    await second.close()
    assert problems == []
    assert screens.errors == []
