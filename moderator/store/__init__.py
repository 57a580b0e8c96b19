"""Where events and the setup of series are kept: the Store protocol (protocol.py) and its
implementations (sqlite.py). `open_store` is the one place that picks an implementation; every
other module sees only the protocol."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from moderator.store.protocol import Store

if TYPE_CHECKING:
    from moderator.settings import Settings


async def open_store(where: Settings | str | Path) -> Store:
    """The store that `where` (the server's settings, or a database path) names, opened.

    Raises StoreUnavailable, by its reason, if it cannot be opened or its schema written."""
    from moderator.store.sqlite import SQLiteStore  # the only implementation so far

    path = where if isinstance(where, str | Path) else where.db_path
    return await SQLiteStore.open(path)
