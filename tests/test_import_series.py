"""`moderator import FILE --series ID`: the PUT of a series from the command line; what changed is
printed, a bad file or a change that would rewrite history is refused with a sentence (exit 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.commands import Actor, Command
from moderator.importer import amend_file
from moderator.runtime.engine import Engine
from moderator.settings import Settings
from moderator.store import open_store
from moderator.store.protocol import CreatedSeries
from tests.support.agenda import agenda


async def created(db: Path) -> CreatedSeries:
    store = await open_store(Settings(db_path=db))
    try:
        return await store.create_series(parse_agenda(agenda()))
    finally:
        await store.close()


def write(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "week.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


async def test_the_file_brings_the_series_to_it_and_says_what_changed(tmp_path: Path):
    db = tmp_path / "m.sqlite3"
    series = await created(db)
    doc = agenda()
    doc["sessions"][0]["speakers"][1]["name"] = "Défenseur des droits"
    doc["sessions"][0]["minutes"] = 75
    del doc["sessions"][0]["speakers"][5]
    doc["delegations"] = [d for d in doc["delegations"] if d["state"] != "KE"]
    ok, text = await amend_file(write(tmp_path, doc), Settings(db_path=db), series.series_id, "en")
    assert ok, text
    assert "4 changes made to the series Test series:" in text
    assert "Session AM: minutes 60 → 75." in text
    assert "Session AM: speaker a2: name Office of the Defender → Défenseur des droits." in text
    assert "Session AM: speaker Lea Berg removed." in text
    assert "Mission of Kenya removed: its join card no longer works." in text
    ok, again = await amend_file(write(tmp_path, doc), Settings(db_path=db), series.series_id, "fr")
    assert ok and again == "Aucun changement : la série correspond déjà au fichier.", again


async def test_a_change_that_rewrites_history_is_refused_with_where(tmp_path: Path):
    db = tmp_path / "m.sqlite3"
    series = await created(db)
    store = await open_store(Settings(db_path=db))
    engine = Engine(store)
    await engine.load()
    session_id = series.sessions[0]["id"]
    await engine.execute(session_id, Command("session.open"), Actor("moderator"))
    engine.close()
    await store.close()
    doc = agenda()
    doc["sessions"][0]["state_under_review"] = "FR"
    ok, text = await amend_file(write(tmp_path, doc), Settings(db_path=db), series.series_id, "en")
    assert not ok
    assert "sessions[0].state_under_review: This session has been opened" in text
    assert text.endswith("Nothing was changed.")
    doc = agenda()
    doc["sessions"][0]["speakers"][0]["kind"] = "ngo"
    ok, text = await amend_file(write(tmp_path, doc), Settings(db_path=db), series.series_id, "en")
    assert not ok and "sessions[0].speakers[0].kind" in text
    ok, text = await amend_file(write(tmp_path, agenda()), Settings(db_path=db), "nope", "en")
    assert not ok and text == "There is no such series."


async def test_missions_can_be_added_with_the_series_moderator_token_only(tmp_path: Path):
    db = tmp_path / "m.sqlite3"
    series = await created(db)
    doc = agenda()
    doc["delegations"].append({"state": "DE"})
    ok, text = await amend_file(write(tmp_path, doc), Settings(db_path=db), series.series_id, "en")
    assert not ok and "delegations[8]" in text and "moderator token" in text
    ok, text = await amend_file(
        write(tmp_path, doc), Settings(db_path=db), series.series_id, "en", "not-the-token"
    )
    assert not ok and "MODERATOR_SERIES_TOKEN" in text
    ok, text = await amend_file(
        write(tmp_path, doc), Settings(db_path=db), series.series_id, "en", series.moderator_token
    )
    assert ok and "Mission of Germany added." in text and "/join/" in text


@pytest.mark.slow
def test_the_command_exits_non_zero_when_it_refuses(tmp_path: Path):
    """The real command: 0 and the list of changes; 1 and the sentence on stderr when refused."""
    import asyncio

    db = tmp_path / "m.sqlite3"
    series = asyncio.run(created(db))
    doc = agenda(title="Renamed")

    def run(path: Path, series_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "moderator.cli",
                "import",
                str(path),
                "--series",
                series_id,
                "--db",
                str(db),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": ""},
        )

    done = run(write(tmp_path, doc), series.series_id)
    assert done.returncode == 0, done.stderr
    assert "Series: title Test series → Renamed." in done.stdout
    doc["sessions"][0]["speakers"][0]["language"] = "de"
    done = run(write(tmp_path, doc), series.series_id)
    assert done.returncode == 1 and "sessions[0].speakers[0].language" in done.stderr


async def test_a_running_server_shows_a_change_made_from_the_command_line(tmp_path: Path):
    """The server on the same database takes the change up by itself (Engine.follow): a phone
    connected before gets the new speaker and the new title on its open socket."""
    from tests.support.live import Live
    from tests.support.server import in_process

    db = tmp_path / "m.sqlite3"
    async with in_process(db) as server:
        series = await server.create_series(agenda())
        phone = await Live.open(server.ws, server.session_id(), server.token("FR"))
        doc = agenda(title="Changed from the terminal")
        doc["sessions"][0]["speakers"].insert(
            0, {"key": "z", "name": "Zara", "kind": "cso", "language": "en"}
        )
        ok, text = await amend_file(write(tmp_path, doc), Settings(db_path=db), series["series_id"], "en")
        assert ok, text
        while phone.state["speakers"][0]["name"] != "Zara" or phone.state["title"] != doc["title"]:
            await phone.next()
        assert phone.seq == 1
        await Live.close_all()
