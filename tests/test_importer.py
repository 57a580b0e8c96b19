"""The demo week: created once, then fresh tokens on every later start."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from moderator.importer import prepare_demo
from moderator.settings import Settings
from moderator.store.sqlite import SQLiteStore


async def test_the_demo_is_created_once_and_later_runs_issue_working_tokens(tmp_path: Path):
    """A second demo start creates nothing new and prints tokens that work (the old ones stop)."""
    settings = Settings(db_path=tmp_path / "demo.sqlite3")
    first = await prepare_demo(settings, "http://127.0.0.1:8000", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    second = await prepare_demo(settings, "http://127.0.0.1:8000", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert "Demo week created" in first and "fresh tokens" in second
    assert first.count("/console#token=") == second.count("/console#token=") == 14

    def token(text: str) -> str:
        return text.split("Moderator token: ")[1].split()[0]

    store = await SQLiteStore.open(settings.db_path)
    try:
        assert len(await store.series()) == 1
        assert await store.principal(token(first)) is None
        who = await store.principal(token(second))
        assert who is not None and who.role == "moderator"
        join = second.split("/join/")[1].split()[0]
        mission = await store.principal(join)
        assert mission is not None and mission.role == "delegation"
    finally:
        await store.close()
