"""Where events and the setup of series are kept: the Store protocol (protocol.py) and its
implementations (sqlite.py, postgres.py). `open_store` is the one place that picks an implementation; every
other module sees only the protocol."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from moderator.settings import is_postgres_url
from moderator.store.protocol import Store

if TYPE_CHECKING:
    from moderator.settings import Settings


async def open_store(where: Settings | str | Path) -> Store:
    """The store that `where` (the server's settings, a database path or a postgresql:// URL) names,
    opened: PostgreSQL for a `postgresql://` (or `postgres://`) URL, else the SQLite file.

    Raises StoreUnavailable, by its reason, if it cannot be opened or its schema written."""
    if isinstance(where, str | Path):
        target: str | Path = where
    else:
        target = where.db_url or where.db_path
    if isinstance(target, str) and is_postgres_url(target):
        from moderator.store.postgres import PostgresStore

        return await PostgresStore.open(target)
    from moderator.store.sqlite import SQLiteStore

    return await SQLiteStore.open(target)
