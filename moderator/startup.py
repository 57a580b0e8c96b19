"""Checks before the server starts: the --db value (a SQLite file or a postgresql:// URL), the
admin token, the database itself.

Each failure is a `StartupError`: one sentence for the person at the terminal (the CLI prints
it, no traceback, and exits 2). They run before uvicorn, because a failure inside uvicorn's
lifespan is reported with a traceback and "Exiting".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from moderator.core.errors import N_, Phrase, fill
from moderator.settings import Settings, is_postgres_url
from moderator.store import open_store
from moderator.store.protocol import Reason, StoreError, StoreUnavailable

MIN_ADMIN_TOKEN = 16
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


class StartupError(Exception):
    """The server cannot start: `message` (an English msgid with `params`) says why and what to do."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(fill(message, params))
        self.message = message
        self.params = params


def database(value: str) -> str:
    """The database a --db value names: a postgresql:// URL as it is (PostgreSQL checks it when
    the store opens), else the SQLite file's path (see database_path)."""
    if is_postgres_url(value.strip()):
        return value.strip()
    return str(database_path(value))


def database_path(value: str) -> Path:
    """The SQLite file a --db value names: a path, or `sqlite:PATH` (also `sqlite:///PATH`)."""
    match = _SCHEME.match(value)
    if match is not None:
        scheme = match.group(1).lower()
        rest = value[match.end() :]
        if scheme != "sqlite":
            raise StartupError(
                N_(
                    "--db %(db)s: '%(scheme)s:' addresses are not supported; give the path of a SQLite "
                    "file, such as ./moderator.sqlite3, or sqlite:PATH."
                ),
                db=_redacted(value),
                scheme=scheme,
            )
        if rest.startswith("//"):  # sqlite:///relative.db, sqlite:////absolute.db (SQLAlchemy's form)
            rest = rest[3:] if rest.startswith("///") else rest[2:]
        value = rest
    if not value.strip():
        raise StartupError(N_("--db is empty: give the path of a SQLite file, such as ./moderator.sqlite3."))
    path = Path(value)
    if path.is_dir():
        raise StartupError(
            N_("--db %(db)s is a folder: give the path of a SQLite file in it, such as %(example)s."),
            db=value,
            example=str(path / "moderator.sqlite3"),
        )
    return path


def _redacted(url: str) -> str:
    """A URL without its password (postgresql://user:secret@host/db -> postgresql://user:…@host/db)."""
    return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1…@", url)


def check_admin_token(token: str | None) -> None:
    if token is not None and len(token) < MIN_ADMIN_TOKEN:
        raise StartupError(
            N_(
                "MODERATOR_ADMIN_TOKEN is too short (%(length)s characters): use at least %(min)s, "
                "for example the output of: python -c 'import secrets; print(secrets.token_urlsafe(24))'"
            ),
            length=len(token),
            min=MIN_ADMIN_TOKEN,
        )


_REASONS: dict[Reason, str] = {
    "read_only": N_("the file is read-only"),
    "full": N_("the disk is full"),
    "cannot_open": N_("it cannot be opened (check that its folder may be written)"),
    "not_a_database": N_("it is not a SQLite database"),
    "corrupt": N_("the file is damaged"),
    "io": N_("the disk refused to read or write it"),
    "busy": N_("another program holds it locked"),
    "permission": N_("this user may not open it"),
}


_POSTGRES_REASONS: dict[Reason, str] = {
    "cannot_open": N_("PostgreSQL cannot be reached there, or it refused the connection (%(detail)s)"),
    "permission": N_("PostgreSQL refused this user (%(detail)s)"),
    "read_only": N_("PostgreSQL takes no writes there (%(detail)s)"),
}


def storage_problem(db: str | Path, error: BaseException) -> StartupError:
    """The sentence for a database that cannot be opened or written, by the kind of the error."""
    path = str(db)
    if isinstance(error, StoreError) and is_postgres_url(path):
        detail = error.detail if isinstance(error, StoreUnavailable) else str(error)
        reason_text = N_("PostgreSQL refused it (%(detail)s)")
        if isinstance(error, StoreUnavailable) and error.reason in _POSTGRES_REASONS:
            reason_text = _POSTGRES_REASONS[error.reason]
        return StartupError(
            N_("Cannot use the database %(db)s: %(reason)s."),
            db=_redacted(path),
            reason=Phrase(reason_text, detail=detail.splitlines()[0] if detail else "?"),
        )
    if isinstance(error, StoreError):
        reason: str | Phrase
        if isinstance(error, StoreUnavailable) and error.reason in _REASONS:
            reason = Phrase(_REASONS[error.reason])
        elif isinstance(error, StoreUnavailable) and error.reason == "system":
            reason = error.detail  # the operating system's own sentence
        else:
            reason = Phrase(N_("SQLite refused it (%(detail)s)"), detail=str(error))
        return StartupError(N_("Cannot use the database %(db)s: %(reason)s."), db=str(path), reason=reason)
    if isinstance(error, OSError):
        return StartupError(
            N_("Cannot use the database %(db)s: %(reason)s."),
            db=str(path),
            reason=error.strerror or str(error),
        )
    raise error


async def preflight(settings: Settings) -> str | None:
    """Open the database and settle the admin token; return a newly generated admin token, if any."""
    try:
        store = await open_store(settings)
    except (StoreError, OSError) as e:
        raise storage_problem(settings.db_url or settings.db_path, e) from None
    try:
        return await store.ensure_admin_token(settings.admin_token)
    except StoreError as e:
        raise storage_problem(settings.db_url or settings.db_path, e) from None
    finally:
        await store.close()
