"""Every screen, in every language, at phone and projector sizes: no serious accessibility fault, nothing
cut off sideways, and a screenshot to look at in test-artifacts/screenshots/."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, expect

from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.support.live import Live
from tests.support.server import Running

pytestmark = pytest.mark.browser

# Words that must appear on a screen in each language (UN short names, moderator/data/un_names.json).
ARMENIA = {"en": "Armenia", "fr": "Arménie", "es": "Armenia"}
FRANCE = {"en": "France", "fr": "France", "es": "Francia"}


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    ready: str  # a selector that has text once the screen has drawn the state
    names: tuple[str, ...] = ("sur", "queue")  # which States it names: the SuR, the queue


def every_screen(server: Running) -> list[Screen]:
    sid = server.session_id()
    token = server.series["moderator_token"]
    return [
        Screen("console", f"/s/{sid}/console?lang={{lang}}#token={token}", "#holder"),
        Screen("speaker", f"/s/{sid}/speaker?lang={{lang}}", "#holder", ("sur",)),
        Screen("room", f"/s/{sid}/room?lang={{lang}}", "#holder"),
        Screen("watch", f"/s/{sid}/watch?lang={{lang}}", "#holder"),
        Screen("phone", f"/join/{server.token('FR')}?lang={{lang}}", "#place"),
        Screen("phone-sur", f"/join/{server.token('AM')}?lang={{lang}}", "#notice"),
        Screen(
            "cards",
            f"/series/{server.series['series_id']}/cards?lang={{lang}}#token={token}",
            ".card",
            ("queue",),
        ),
    ]


async def a_meeting_under_way(server: Running) -> None:
    """A speaker on the floor with her timer running, a message to the room, two States in the queue."""
    sid = server.session_id()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    speakers = moderator.state["speakers"]
    await moderator.ok("session.open")
    await moderator.ok("session.statements")
    await moderator.ok("speaker.call", speaker_id=speakers[0]["id"])
    await moderator.ok("timer.start")
    await moderator.ok("speaker.call", speaker_id=speakers[1]["id"])
    await moderator.ok("timer.start")
    await moderator.ok("message.show", text="Questions will follow the statements.", to="room")
    for state, topic in (("FR", "Protection of journalists and human rights defenders"), ("BR", "")):
        mission = await Live.open(server.ws, sid, server.token(state))
        await mission.ok("queue.request", addressed_to=speakers[0]["id"], topic=topic)
        await mission.close()
    await moderator.close()


CUT_CONTROLS = """() => [...document.querySelectorAll('select, button, input, textarea')]
  .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((e) => e.id || e.tagName.toLowerCase())"""


async def serious_violations(page: Page) -> list[str]:
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_every_screen_at_phone_and_projector_size(screens: Screens, lang: str) -> None:
    """No serious or critical axe violation, no sideways overflow, the page's language and names in it."""
    await a_meeting_under_way(screens.server)
    problems: list[str] = []
    for screen in every_screen(screens.server):
        for size_name, size in (("phone", PHONE), ("projector", PROJECTOR)):
            page = await screens.open(screen.path.format(lang=lang), size=size)
            await expect(page.locator(screen.ready).first).not_to_be_empty()
            await expect(page.locator("html")).to_have_attribute("lang", lang)
            body = await page.locator("body").inner_text()
            if "sur" in screen.names:
                assert ARMENIA[lang] in body, (screen.name, lang)
            if "queue" in screen.names:
                assert FRANCE[lang] in body, (screen.name, lang)
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{screen.name} {size_name}: {overflow}px wider than the screen")
            # A control cut at the screen's edge (clipped, so it does not widen the page) is unusable.
            cut = await page.evaluate(CUT_CONTROLS)
            problems += [f"{screen.name} {size_name}: {c} runs past the screen's edge" for c in cut]
            problems += [f"{screen.name} {size_name}: {v}" for v in await serious_violations(page)]
            await screenshot(page, f"{lang}-{screen.name}-{size_name}")
            await page.context.close()
            screens.contexts.remove(page.context)
    assert problems == []
    assert screens.errors == []
