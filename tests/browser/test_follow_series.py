"""Screens opened once on the series' links follow the day by themselves (PROTOCOL §5), without reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, PROJECTOR, Screens, screenshot
from tests.support.live import Live
from tests.support.server import Running, in_process

LIVE = '(await import("/static/js/lib/socket.js")).pageLive()'


def three_sessions() -> dict[str, Any]:
    """Armenia this hour, then Sweden and Chile later the same day (in the series' zone, Geneva)."""
    doc = meeting_agenda()
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    doc["sessions"].append(
        {
            "key": "CL",
            "state_under_review": "CL",
            "start": (hour + timedelta(hours=3)).isoformat(),
            "speakers": [
                {
                    "key": "c1",
                    "name": "Rosa Díaz",
                    "organisation": "Red Chilena",
                    "language": "es",
                    "kind": "cso",
                    "theme": "Water",
                }
            ],
        }
    )
    doc["sessions"][1]["start"] = (hour + timedelta(hours=1, minutes=30)).isoformat()
    doc["sessions"][1]["speakers"] = [
        {
            "key": "s1",
            "name": "Sven Berg",
            "organisation": "Civil Rights Defenders",
            "language": "en",
            "kind": "cso",
            "theme": "Detention",
        }
    ]
    doc["delegations"].append({"state": "CL"})
    return doc


@pytest.fixture
async def day(tmp_path: Path) -> AsyncIterator[Running]:
    async with in_process(tmp_path / "moderator.sqlite3") as running:
        await running.create_series(three_sessions())
        yield running


@pytest.fixture
async def screens(browser: Browser, day: Running) -> AsyncIterator[Screens]:
    async with Screens(browser, day) as opened:
        yield opened


async def on_session(page: Page, session_id: str, phase: str) -> None:
    """Wait until the page's live connection shows `session_id` in `phase`."""
    await page.wait_for_function(
        f"""async ([id, phase]) => {{ const live = {LIVE};
            return live && live.sessionId === id && live.state && live.state.id === id
                && live.state.phase === phase && live.status === "live"; }}""",
        arg=[session_id, phase],
    )


async def test_a_projector_and_a_speaker_laptop_follow_three_sessions_without_reload(
    screens: Screens,
) -> None:
    server = screens.server
    links = server.series["links"]
    assert set(links) == {"room", "speaker", "watch"}
    room = await screens.open(links["room"] + "?lang=en", size=PROJECTOR)
    speaker = await screens.open(links["speaker"] + "?lang=en", size={"width": 1366, "height": 768})
    pages = (room, speaker)
    for page in pages:
        await page.evaluate("window.openedOnce = true")
    token = server.series["moderator_token"]
    ids = [server.session_id(i) for i in range(3)]
    names = ["Armenia", "Sweden", "Chile"]
    for i, sid in enumerate(ids):
        for page in pages:
            await on_session(page, sid, "scheduled")
        # Between sessions: what comes next, with its time; the speaker screen names the first speaker.
        await room.wait_for_function(
            "name => document.getElementById('holder').textContent"
            " .startsWith('Next: Pre-session on ' + name)",
            arg=names[i],
        )
        if i == 0:
            programme = await room.locator("#programme li").all_inner_texts()
            # The rest of the day in Geneva (near midnight, the later sessions fall on the next day).
            zone = ZoneInfo("Europe/Zurich")
            starts = [
                datetime.fromisoformat(s["start"]).astimezone(zone) for s in three_sessions()["sessions"]
            ]
            later = [
                f"Pre-session: {n}"
                for n, t in zip(names[1:], starts[1:], strict=True)
                if t.date() == starts[0].date()
            ]
            assert [" ".join(t.split()[1:]) for t in programme] == later
            await screenshot(room, "follow-room-between-en")
        if i == 1:
            await speaker.wait_for_function(
                "() => document.getElementById('holder-details').textContent === 'First speaker: Sven Berg'"
            )
            await screenshot(speaker, "follow-speaker-between-en")
        moderator = await Live.open(server.ws, sid, token)
        await moderator.ok("session.open")
        for page in pages:
            await on_session(page, sid, "opening")
        await moderator.ok("session.close")
        await moderator.close()
    # After the last one: the last session closed stays on the screens.
    for page in pages:
        await on_session(page, ids[2], "closed")
        assert await page.evaluate("window.openedOnce") is True  # never reloaded
    assert screens.errors == []


async def test_a_phone_moves_to_the_newly_opened_session_and_chooses_between_two_open(
    screens: Screens,
) -> None:
    server = screens.server
    token = server.series["moderator_token"]
    phone = await screens.open(screens.join_path("FR") + "?lang=en", size=PHONE)
    await phone.evaluate("window.openedOnce = true")
    first = await Live.open(server.ws, server.session_id(0), token)
    await first.ok("session.open")
    await on_session(phone, server.session_id(0), "opening")
    # The first session is never closed; the second opens: the phone moves to it.
    second = await Live.open(server.ws, server.session_id(1), token)
    await second.ok("session.open")
    await on_session(phone, server.session_id(1), "opening")
    # Two open at once: the phone offers the choice, and keeps it.
    choices = phone.locator("#choices button")
    await choices.first.wait_for()
    assert await choices.all_inner_texts() == [
        "Pre-session: Sweden · You are following this one",
        "Pre-session: Armenia",
    ]
    await screenshot(phone, "follow-phone-choice-en")
    await choices.nth(1).click()
    await on_session(phone, server.session_id(0), "opening")
    await phone.reload()
    await on_session(phone, server.session_id(0), "opening")  # the choice outlives a reload
    # The chosen session closes: the phone follows the series again (the one still open).
    await first.ok("session.close")
    await on_session(phone, server.session_id(1), "opening")
    assert not await phone.locator("#choose").is_visible()
    await first.close()
    await second.close()
    assert screens.errors == []
