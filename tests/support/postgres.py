"""A fresh PostgreSQL database per test, on the server the machines run (127.0.0.1:5432, trust
authentication, database `test`; $MODERATOR_TEST_POSTGRES names another). Skipped when that
server cannot be reached, unless CI is set: then the test fails instead, as it must not pass
without having run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get("MODERATOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def url_of(database: str, base: str = ADMIN_URL) -> str:
    """`base` with another database name (the path of the URL)."""
    head, _, _ = base.rpartition("/")
    return f"{head}/{database}"


async def admin() -> psycopg.AsyncConnection[tuple[object, ...]]:
    try:
        return await psycopg.AsyncConnection.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {ADMIN_URL} is not reachable and CI is set: {e}")
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is not reachable: {e}")


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty database for one test (its URL), dropped after it with everything in it."""
    name = "moderator_t_" + secrets.token_hex(6)
    conn = await admin()
    async with conn:
        await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield url_of(name)
        finally:
            await conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def terminate(database: str) -> None:
    """End every server connection to `database` (as a PostgreSQL restart would)."""
    conn = await admin()
    async with conn:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
