"""Settings from --db and --media: a SQLite file or a postgresql:// URL, and where videos go."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.settings import Settings, is_postgres_url
from moderator.startup import database


def test_a_postgresql_url_is_kept_as_a_url_and_a_path_as_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODERATOR_MEDIA_DIR", raising=False)
    url = "postgresql://moderator@127.0.0.1:5432/week"
    settings = Settings.from_env(database(url))
    assert settings.db_url == url and settings.media == Path("moderator-media")
    assert Settings.from_env(url, media_dir=Path("/srv/media")).media == Path("/srv/media")
    monkeypatch.setenv("MODERATOR_MEDIA_DIR", "/shared/videos")
    assert Settings.from_env(url).media == Path("/shared/videos")
    sqlite = Settings.from_env(database("sqlite:week.sqlite3"))
    assert sqlite.db_url is None and sqlite.db_path == Path("week.sqlite3")
    assert Settings.from_env("week.sqlite3").media == Path("/shared/videos")
    monkeypatch.delenv("MODERATOR_MEDIA_DIR")
    assert Settings.from_env("data/week.sqlite3").media == Path("data/week-media")


def test_only_postgresql_schemes_name_postgresql() -> None:
    assert all(map(is_postgres_url, ["postgresql://h/db", "POSTGRES://h/db", "postgres://u@h:5/db"]))
    assert not any(
        map(is_postgres_url, ["sqlite:x.db", "./postgresql.sqlite3", "mysql://h/db", "postgresql:x"])
    )
