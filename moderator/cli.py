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

from moderator.address import BadPublicUrl, public_url, server_base
from moderator.core.errors import N_
from moderator.i18n.translation import negotiate, translate
from moderator.settings import Settings
from moderator.startup import StartupError, check_admin_token, database, preflight, storage_problem
from moderator.store.protocol import StoreError

DEFAULT_DB = "moderator.sqlite3"
DEFAULT_PORT = 8000
PUBLIC_URL_HELP = (
    "the address phones reach the server by, e.g. https://presessions.example.org "
    "(default: $MODERATOR_PUBLIC_URL, else this machine's address and the port)"
)


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
    from moderator.web.guard import SOCKETS_LOG, Guard, protocols

    logging.getLogger("uvicorn.access").addFilter(RedactSecrets())
    # uvicorn's own httptools and sans-I/O WebSocket protocols, with a header deadline and a
    # per-address cap on waiting connections (guard.py). The WebSocket one is pinned: the hub
    # writes its frames, framed once for all, to its transport while its websockets sans-I/O
    # ServerProtocol is open; so per-message deflate stays off (hub.py, guard.Connection).
    http, ws = protocols(Guard(settings.max_connections_per_address, settings.header_timeout_seconds))
    config = uvicorn.Config(
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
    # After uvicorn's logging set-up, which resets its loggers' children: a line per WebSocket
    # accepted only at debug (guard.SOCKETS_LOG).
    quiet = logging.getLevelNamesMapping().get(log_level.upper(), logging.INFO) > logging.DEBUG
    SOCKETS_LOG.setLevel(logging.WARNING if quiet else logging.NOTSET)
    return config


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


def links_base(settings: Settings, host: str, port: int) -> str:
    """What printed links start with: the public URL (checked), else the server's real address."""
    if settings.public_url is None:
        return server_base(host, port)
    try:
        return public_url(settings.public_url)
    except BadPublicUrl:
        raise StartupError(
            N_(
                "The public URL %(url)s is not an address phones can open: give one such as "
                "https://presessions.example.org (--public-url or MODERATOR_PUBLIC_URL)."
            ),
            url=settings.public_url,
        ) from None


def _settings(args: argparse.Namespace) -> Settings:
    """The settings of serve, demo and import: the environment's, with --public-url and --media
    (over MODERATOR_PUBLIC_URL and MODERATOR_MEDIA_DIR) over it."""
    overrides: dict[str, object] = {}
    if getattr(args, "public_url", None):
        overrides["public_url"] = args.public_url
    if getattr(args, "media", None):
        overrides["media_dir"] = Path(args.media)
    settings = Settings.from_env(args.db, **overrides)
    base = links_base(settings, getattr(args, "host", "0.0.0.0"), getattr(args, "port", DEFAULT_PORT))
    return Settings.from_env(args.db, **{**overrides, "public_url": base})


def _import(path: str, settings: Settings, series: str | None = None) -> int:
    from moderator.importer import amend_file, import_file

    if series is not None:
        token = os.environ.get("MODERATOR_SERIES_TOKEN") or None
        try:
            done, text = asyncio.run(amend_file(Path(path), settings, series, terminal_locale(), token))
        except (StoreError, OSError) as e:
            raise storage_problem(settings.db_url or settings.db_path, e) from None
        print(text, file=sys.stdout if done else sys.stderr)
        return 0 if done else 1
    try:
        base = settings.public_url or ""
        created, text = asyncio.run(import_file(Path(path), settings, terminal_locale(), base))
    except (StoreError, OSError) as e:
        raise storage_problem(settings.db_url or settings.db_path, e) from None
    print(text)
    return 0 if created else 1


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from moderator.importer import prepare_demo

    base = settings.public_url or server_base(args.host, args.port)
    text = asyncio.run(prepare_demo(settings, base, datetime.now(UTC), terminal_locale()))
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
        p.add_argument("--port", type=int, default=DEFAULT_PORT)
        p.add_argument("--public-url", help=PUBLIC_URL_HELP)
    p = sub.add_parser(
        "import",
        help="create or change a series from an agenda file (JSON or YAML) or a week's spreadsheet "
        "(XLSX or CSV)",
    )
    p.add_argument("file")
    p.add_argument("--public-url", help=PUBLIC_URL_HELP)
    for p in sub.choices.values():
        p.add_argument(
            "--db",
            default=DEFAULT_DB,
            help=f"SQLite file (default ./{DEFAULT_DB}), or postgresql://user@host:5432/database",
        )
        p.add_argument(
            "--media",
            default=None,
            help="folder of the videos (default: MODERATOR_MEDIA_DIR, else beside the SQLite file, "
            "else ./moderator-media); with PostgreSQL, one folder shared by every process",
        )
    p.add_argument(
        "--series",
        metavar="ID",
        help="bring this existing series to the file instead (ids and tokens kept; "
        "to add missions, set MODERATOR_SERIES_TOKEN to its moderator token)",
    )
    args = parser.parse_args(argv)
    try:
        args.db = database(args.db)
        settings = _settings(args)
        if args.command == "import":
            return _import(args.file, settings, args.series)
        _check_start(settings)
    except StartupError as e:
        print(translate(terminal_locale(), e.message, e.params), file=sys.stderr)
        return 2
    if args.command == "serve":
        print(
            translate(terminal_locale(), N_("Links and join cards use %(url)s"), {"url": settings.public_url})
        )
        serve(settings, args.host, args.port)
        return 0
    return _demo(args, settings)


if __name__ == "__main__":
    sys.exit(main())
