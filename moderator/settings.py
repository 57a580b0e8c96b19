"""Server settings: from the command line and the environment, with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def is_postgres_url(value: str) -> bool:
    """Whether a --db value names a PostgreSQL database (postgresql://... or postgres://...)."""
    return value.lower().startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("moderator.sqlite3")
    db_url: str | None = None  # a postgresql:// URL: PostgreSQL instead of the SQLite file db_path
    media_dir: Path | None = None  # --media / MODERATOR_MEDIA_DIR; default: "<db name>-media" beside it
    admin_token: str | None = None  # MODERATOR_ADMIN_TOKEN
    allowed_origins: frozenset[str] = field(
        default_factory=frozenset
    )  # MODERATOR_ALLOWED_ORIGINS, comma-separated
    commands_per_second: float = 10.0  # per socket of a mission or viewer
    command_burst: float = 30.0
    moderator_commands_per_second: float = 50.0  # the moderator's console is trusted more
    moderator_command_burst: float = 200.0
    connections_per_token: int = 20
    max_connections_per_address: int = 100  # MODERATOR_MAX_CONNECTIONS_PER_ADDRESS (see guard.py)
    header_timeout_seconds: float = 10.0  # MODERATOR_HEADER_TIMEOUT_SECONDS
    auth_failures_per_minute: int = 20  # unknown tokens per client address; then 429 / 4429
    max_video_bytes: int = 1024 * 1024 * 1024  # MODERATOR_MAX_VIDEO_MB
    max_body_bytes: int = 2 * 1024 * 1024
    # The address phones and screens reach the server by (MODERATOR_PUBLIC_URL, --public-url):
    # printed links, join cards and QR codes use it. None: the server's real address (address.py).
    public_url: str | None = None
    max_statement_bytes: int = 20 * 1024 * 1024  # MODERATOR_MAX_STATEMENT_MB: a written statement (PDF)

    @property
    def media(self) -> Path:
        """Where videos are kept. With PostgreSQL every process must see the same folder (a shared
        volume): without --media it is ./moderator-media, where the server was started."""
        if self.media_dir is not None:
            return self.media_dir
        if self.db_url is not None:
            return Path("moderator-media")
        return self.db_path.parent / f"{self.db_path.stem}-media"

    @classmethod
    def from_env(cls, db_path: str | Path, **overrides: object) -> Settings:
        """`db_path`: a SQLite file, or a postgresql:// URL (checked by startup.database_path)."""
        env = os.environ
        origins = frozenset(
            o.strip().rstrip("/") for o in env.get("MODERATOR_ALLOWED_ORIGINS", "").split(",") if o.strip()
        )
        url = str(db_path) if is_postgres_url(str(db_path)) else None
        values: dict[str, object] = {
            "db_path": Path("moderator.sqlite3") if url else Path(db_path),
            "db_url": url,
            "admin_token": env.get("MODERATOR_ADMIN_TOKEN") or None,
            "allowed_origins": origins,
        }
        if env.get("MODERATOR_MAX_VIDEO_MB"):
            values["max_video_bytes"] = int(env["MODERATOR_MAX_VIDEO_MB"]) * 1024 * 1024
        if env.get("MODERATOR_MAX_STATEMENT_MB"):
            values["max_statement_bytes"] = int(env["MODERATOR_MAX_STATEMENT_MB"]) * 1024 * 1024
        if env.get("MODERATOR_MAX_CONNECTIONS_PER_ADDRESS"):
            values["max_connections_per_address"] = int(env["MODERATOR_MAX_CONNECTIONS_PER_ADDRESS"])
        if env.get("MODERATOR_HEADER_TIMEOUT_SECONDS"):
            values["header_timeout_seconds"] = float(env["MODERATOR_HEADER_TIMEOUT_SECONDS"])
        if env.get("MODERATOR_PUBLIC_URL"):
            values["public_url"] = env["MODERATOR_PUBLIC_URL"]
        if env.get("MODERATOR_MEDIA_DIR"):
            values["media_dir"] = Path(env["MODERATOR_MEDIA_DIR"])
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
