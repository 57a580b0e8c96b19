"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, against a real server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from tests.browser.pages import Screens
from tests.support.agenda import agenda
from tests.support.server import Running, in_process

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium from Debian (Playwright cannot download its own here)."""
    if not HAVE_CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


def meeting_agenda() -> dict[str, Any]:
    """The test agenda, its first session starting this hour (so the clock of the hour reads true)."""
    doc = agenda()
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    doc["sessions"][0]["start"] = hour.isoformat()
    doc["sessions"][1]["start"] = (hour + timedelta(hours=2)).isoformat()
    return doc


@pytest.fixture
async def meeting(tmp_path: Path) -> AsyncIterator[Running]:
    """A real server (uvicorn, SQLite file) with a series whose first session starts this hour."""
    async with in_process(tmp_path / "moderator.sqlite3") as running:
        await running.create_series(meeting_agenda())
        yield running


@pytest.fixture
async def screens(browser: Browser, meeting: Running) -> AsyncIterator[Screens]:
    """Pages of the meeting's server; closed after the test."""
    async with Screens(browser, meeting) as opened:
        yield opened


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow (Chromium per test): `-m "not slow"` leaves them all out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)
