"""Shared fixtures: a real server (uvicorn on a free port, real SQLite file) with a test series."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import Running, in_process

# No per-example deadline: on a busy 2-core machine one example may take 300 ms, and a deadline
# then fails a test whose property holds. Slow examples still show in Hypothesis's statistics.
settings.register_profile("moderator", deadline=None)
settings.load_profile("moderator")


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Running]:
    """A running server with the test agenda already created."""
    async with in_process(tmp_path / "m.sqlite3") as running:
        await running.create_series(agenda())
        yield running
        await Live.close_all()  # before the server stops, so the closing handshakes complete


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    """Every live client a test opened is closed when it ends."""
    yield
    await Live.close_all()
