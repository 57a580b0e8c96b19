"""Between sessions the room's programme says "Later today" only when the session is today."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PROJECTOR, Screens
from tests.browser.test_follow_series import three_sessions
from tests.support.server import Running, in_process

pytestmark = pytest.mark.browser

GENEVA = ZoneInfo("Europe/Zurich")


def tomorrow_morning() -> dict[str, Any]:
    """The three sessions of the day at 09:00, 10:30 and 12:00 in Geneva, tomorrow."""
    doc = three_sessions()
    day = datetime.now(GENEVA).date() + timedelta(days=1)
    nine = datetime.combine(day, time(9, 0), GENEVA)
    for n, session in enumerate(doc["sessions"]):
        session["start"] = (nine + timedelta(minutes=90 * n)).isoformat()
    return doc


@pytest.fixture
async def evening_before(tmp_path: Path) -> AsyncIterator[Running]:
    async with in_process(tmp_path / "moderator.sqlite3") as running:
        await running.create_series(tomorrow_morning())
        yield running


@pytest.mark.parametrize(("lang", "heading"), [("en", "Later that day"), ("fr", "Plus tard ce jour-là")])
async def test_the_evening_before_the_programme_is_not_later_today(
    browser: Browser, evening_before: Running, lang: str, heading: str
) -> None:
    async with Screens(browser, evening_before) as screens:
        room = await screens.open(evening_before.series["links"]["room"] + f"?lang={lang}", size=PROJECTOR)
        await expect(room.locator("#programme li")).to_have_count(2)
        await expect(room.locator("#programme-heading")).to_have_text(heading)
        assert screens.errors == []


async def test_on_the_day_the_programme_is_later_today(screens: Screens) -> None:
    """The meeting's second session is two hours after the first: the same day unless near midnight."""
    room = await screens.open(screens.server.series["links"]["room"] + "?lang=en", size=PROJECTOR)
    first = datetime.fromisoformat(meeting_agenda()["sessions"][0]["start"]).astimezone(GENEVA)
    if (first + timedelta(hours=2)).date() != first.date() or first.date() != datetime.now(GENEVA).date():
        pytest.skip("near midnight in Geneva the second session is on another day")
    await expect(room.locator("#programme li")).to_have_count(1)
    await expect(room.locator("#programme-heading")).to_have_text("Later today")
