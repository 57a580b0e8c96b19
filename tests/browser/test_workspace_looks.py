"""The workspace and the page that creates a series, in every language, at phone, laptop and
projector sizes: no serious accessibility fault, nothing cut off sideways, the page's language and
its words; screenshots to look at in test-artifacts/screenshots/ (docs/workspace.md shows some)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.browser.test_looks import CUT_CONTROLS, serious_violations
from tests.support.live import Live
from tests.support.server import ADMIN, Running
from tests.support.video import make_video

LAPTOP = {"width": 1366, "height": 768}
WEEK = {"en": "The week", "fr": "La semaine", "es": "La semana"}
SUR = {"en": "Armenia", "fr": "Arménie", "es": "Armenia"}


async def a_week_in_progress(server: Running, folder: Path) -> None:
    """The first session opened with a speaker on the floor; the second hybrid, with two videos,
    one longer than its speaker's slot."""
    token = server.series["moderator_token"]
    first = await Live.open(server.ws, server.session_id(0), token)
    await first.ok("session.open")
    await first.ok("speaker.call", speaker_id=first.state["speakers"][0]["id"])
    second = await Live.open(server.ws, server.session_id(1), token)
    await second.ok("session.update", format="hybrid")
    added = []
    for name, org, lang, seconds in (
        ("Karin Lindqvist", "Sami Council", "en", 300),
        ("Olof Berg", "Civil Rights Defenders", "fr", 60),
    ):
        second.n += 1
        args = {"name": name, "organisation": org, "kind": "cso", "language": lang, "seconds": seconds}
        ack = await second.answer(
            {"type": "command", "id": f"add{second.n}", "name": "speaker.add", "args": args}
        )
        assert ack["type"] == "ack", ack
        added.append(ack["speaker_id"])
    for speaker, seconds in zip(added, (8, 65), strict=True):
        clip = make_video(folder, "webm", seconds)
        r = await server.http.put(
            f"/api/speakers/{speaker}/video",
            content=clip.read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "video/webm"},
        )
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_workspace_at_every_size(screens: Screens, lang: str, tmp_path: Path) -> None:
    server = screens.server
    await a_week_in_progress(server, tmp_path)
    problems: list[str] = []
    pages = [
        (
            "workspace",
            f"/series/{server.series['series_id']}?lang={lang}#token={server.series['moderator_token']}",
            ".speaker",
        ),
        ("new-series", f"/series/new?lang={lang}#token={ADMIN}", ".form-session"),
    ]
    for name, path, ready in pages:
        for size_name, size in (("phone", PHONE), ("laptop", LAPTOP), ("projector", PROJECTOR)):
            page = await screens.open(path, size=size)
            await expect(page.locator(ready).first).to_be_visible()
            await expect(page.locator("html")).to_have_attribute("lang", lang)
            if name == "workspace":
                body = await page.locator("body").inner_text()
                assert WEEK[lang] in body and SUR[lang] in body, (lang, size_name)
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name} {size_name}: {overflow}px wider than the screen")
            problems += [
                f"{name} {size_name}: {c} runs past the screen's edge"
                for c in await page.evaluate(CUT_CONTROLS)
            ]
            problems += [f"{name} {size_name}: {v}" for v in await serious_violations(page)]
            await screenshot(page, f"{lang}-{name}-{size_name}")
            await page.context.close()
            screens.contexts.remove(page.context)
    assert problems == []
    assert screens.errors == []
