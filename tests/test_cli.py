"""The `moderator` command: import from a file, and no token in the access log."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from moderator.cli import RedactSecrets
from tests.support.agenda import agenda
from tests.support.server import in_process


def test_join_tokens_never_reach_the_access_log():
    """uvicorn's access line for /join/<token> is written with the token replaced."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/join/SECRET-token_123?lang=fr", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record)
    assert "SECRET" not in record.getMessage() and "/join/…?lang=fr" in record.getMessage()


def run(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""} if lang else None
    return subprocess.run(
        [sys.executable, "-m", "moderator.cli", *args], capture_output=True, text=True, timeout=60, env=env
    )


@pytest.mark.slow
def test_import_creates_a_series_from_yaml_and_prints_its_links(tmp_path: Path):
    """`moderator import agenda.yaml` creates the series and prints console links with the token."""
    path = tmp_path / "agenda.yaml"
    path.write_text(yaml.safe_dump(agenda(), allow_unicode=True), encoding="utf-8")
    done = run("import", str(path), "--db", str(tmp_path / "m.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert "Moderator token:" in done.stdout and "/console#token=" in done.stdout
    assert "Armenia" in done.stdout and "Sweden" in done.stdout


@pytest.mark.slow
def test_import_refuses_a_bad_file_whole_and_says_where(tmp_path: Path):
    """A bad agenda file: exit 1, the pointer to the field, and nothing stored."""
    doc = agenda()
    doc["sessions"][0]["speakers"][1]["language"] = "de"
    path = tmp_path / "agenda.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path / "m.sqlite3"
    done = run("import", str(path), "--db", str(db))
    assert done.returncode == 1
    assert "sessions[0].speakers[1].language" in done.stdout
    assert not db.exists()


@pytest.mark.slow
def test_the_terminal_language_is_used(tmp_path: Path, monkeypatch):
    """LANG=fr_CH.UTF-8: the import summary is in French, country names too."""
    path = tmp_path / "agenda.json"
    path.write_text(json.dumps(agenda()), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "moderator.cli", "import", str(path), "--db", str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LANG": "fr_CH.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "Jeton de modération" in done.stdout and "Arménie" in done.stdout


@pytest.mark.slow
async def test_import_prints_session_dates_as_the_index_page_does(tmp_path: Path):
    """The import summary and the index page write a session's start the same way in each language:
    "Tue 3 Dec 10:00" (no leading zero), « mar. 3 déc. 10:00 »."""
    doc = agenda()
    doc["sessions"][0]["start"] = "2030-12-03T10:00:00+01:00"
    path = tmp_path / "agenda.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path / "m.sqlite3"
    english = await asyncio.to_thread(run, "import", str(path), "--db", str(db))
    assert english.returncode == 0, english.stderr
    fr_db = str(tmp_path / "fr.sqlite3")
    french = await asyncio.to_thread(run, "import", str(path), "--db", fr_db, lang="fr_FR.UTF-8")
    assert french.returncode == 0, french.stderr
    async with in_process(db) as server:
        index_en = (await server.http.get("/", headers={"Accept-Language": "en"})).text
        index_fr = (await server.http.get("/", headers={"Accept-Language": "fr"})).text
    for cli, page, shown in ((english, index_en, "Tue 3 Dec 10:00"), (french, index_fr, "mar. 3 déc. 10:00")):
        assert shown in page
        assert f"{shown}  " in cli.stdout, cli.stdout


@pytest.mark.parametrize(("level", "shown"), [("info", False), ("warning", False), ("debug", True)])
def test_the_line_per_websocket_accepted_shows_only_at_debug(tmp_path: Path, level: str, shown: bool) -> None:
    """uvicorn logs every WebSocket it accepts; a join storm of screens would be a line each."""
    from moderator.cli import uvicorn_config
    from moderator.settings import Settings
    from moderator.web.guard import SOCKETS_LOG

    uvicorn_config(Settings(db_path=tmp_path / "m.sqlite3"), "127.0.0.1", 0, log_level=level)
    assert SOCKETS_LOG.isEnabledFor(logging.INFO) is shown
    assert SOCKETS_LOG.isEnabledFor(logging.WARNING)
