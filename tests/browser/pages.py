"""Opening the screens of one server in Chromium, each in its own browser context."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Error, Page

from tests.support.server import Running, in_process

PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1920, "height": 1080}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass
class Screens:
    """The pages a test opened, and every script error or console error they raised."""

    browser: Browser
    server: Running
    errors: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    async def open(
        self,
        path: str,
        *,
        size: dict[str, int] | None = None,
        clock_at: datetime | None = None,
        bypass_csp: bool = False,
    ) -> Page:
        """Open `path` in a fresh context (own storage, own network switch), optionally with a fake clock."""
        width, height = (size or PROJECTOR)["width"], (size or PROJECTOR)["height"]
        context = await self.browser.new_context(
            viewport={"width": width, "height": height}, bypass_csp=bypass_csp, reduced_motion="no-preference"
        )
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        page.on("console", lambda msg: self._console(path, msg))
        if clock_at is not None:
            await page.clock.install(time=clock_at)
        await page.goto(self.server.base + path)
        return page

    def _console(self, path: str, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.errors.append(f"{path}: console: {msg.text}")

    def session(self, index: int = 0) -> str:
        return self.server.session_id(index)

    def console_path(self, index: int = 0) -> str:
        return f"/s/{self.session(index)}/console#token={self.server.series['moderator_token']}"

    def join_path(self, state: str) -> str:
        return f"/join/{self.server.token(state)}"

    async def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Error):
                await context.close()

    async def __aenter__(self) -> Screens:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (kept by the test run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@contextlib.asynccontextmanager
async def serving(browser: Browser, db: Path, doc: dict[str, Any]) -> AsyncIterator[Screens]:
    """Pages of a fresh server (uvicorn, the SQLite file `db`) holding the series `doc`; closed after."""
    async with in_process(db) as running:
        await running.create_series(doc)
        async with Screens(browser, running) as opened:
            yield opened
