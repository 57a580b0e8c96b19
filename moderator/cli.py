"""The `moderator` command: serve, import, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from moderator.i18n.translation import negotiate, translate
from moderator.settings import Settings
from moderator.startup import StartupError, check_admin_token, database_path, preflight, storage_problem
from moderator.store.protocol import StoreError

DEFAULT_DB = "moderator.sqlite3"


class RedactSecrets(logging.Filter):
    """Keep tokens out of the access log: /join/<token> becomes /join/…"""

    _join = re.compile(r"(/join/)[^/?\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._join.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_config(settings: Settings, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """The one way this server runs under uvicorn (the CLI and the tests share it)."""
    from moderator.web.app import create_app
    from moderator.web.guard import Guard, protocols

    logging.getLogger("uvicorn.access").addFilter(RedactSecrets())
    # uvicorn's own httptools and sans-I/O WebSocket protocols, with a header deadline and a
    # per-address cap on waiting connections (guard.py). The WebSocket one is pinned: the hub
    # writes frames through its websockets sans-I/O ServerProtocol (hub.py, guard.Connection).
    http, ws = protocols(Guard(settings.max_connections_per_address, settings.header_timeout_seconds))
    return uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        http=http,
        ws=ws,
        ws_max_size=1024 * 1024,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        ws_per_message_deflate=False,
        lifespan="on",
        log_level=log_level,
    )


def serve(settings: Settings, host: str, port: int) -> None:
    uvicorn.Server(uvicorn_config(settings, host, port)).run()


def _check_start(settings: Settings) -> None:
    """Before serve or demo: the admin token and the database, so a failure is one sentence (StartupError)."""
    check_admin_token(settings.admin_token)
    generated = asyncio.run(preflight(settings))
    if generated is not None:
        # Printed once, on the console of whoever started the server; only its hash is kept.
        print(f"Admin token (shown once, keep it safe): {generated}", flush=True)


def terminal_locale() -> str:
    """The language of the terminal (LC_ALL, LC_MESSAGES, LANG: "fr_CH.UTF-8" is French), else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return negotiate(value.split(".")[0].replace("_", "-"))
    return "en"


def _import(path: str, db: str, series: str | None = None) -> int:
    from moderator.importer import amend_file, import_file

    if series is not None:
        token = os.environ.get("MODERATOR_SERIES_TOKEN") or None
        try:
            done, text = asyncio.run(
                amend_file(Path(path), Settings.from_env(db), series, terminal_locale(), token)
            )
        except (StoreError, OSError) as e:
            raise storage_problem(Path(db), e) from None
        print(text, file=sys.stdout if done else sys.stderr)
        return 0 if done else 1
    try:
        created, text = asyncio.run(import_file(Path(path), Settings.from_env(db), terminal_locale()))
    except (StoreError, OSError) as e:
        raise storage_problem(Path(db), e) from None
    print(text)
    return 0 if created else 1


def _demo(args: argparse.Namespace) -> int:
    from moderator.importer import prepare_demo

    settings = Settings.from_env(args.db)
    text = asyncio.run(
        prepare_demo(settings, f"http://{args.host}:{args.port}", datetime.now(UTC), terminal_locale())
    )
    print(text, flush=True)
    serve(settings, args.host, args.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="moderator", description="Live moderation server for UPR Pre-sessions"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "run the server"), ("demo", "run the server with a ready demo week")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default ./{DEFAULT_DB})")
    p = sub.add_parser(
        "import",
        help="create or change a series from an agenda file (JSON or YAML) or a week's spreadsheet "
        "(XLSX or CSV)",
    )
    p.add_argument("file")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument(
        "--series",
        metavar="ID",
        help="bring this existing series to the file instead (ids and tokens kept; "
        "to add missions, set MODERATOR_SERIES_TOKEN to its moderator token)",
    )
    args = parser.parse_args(argv)
    try:
        args.db = str(database_path(args.db))
        if args.command == "import":
            return _import(args.file, args.db, args.series)
        _check_start(Settings.from_env(args.db))
    except StartupError as e:
        print(translate(terminal_locale(), e.message, e.params), file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(Settings.from_env(args.db), args.host, args.port)
        return 0
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
