"""Links phones can reach (address.py, --public-url): never 0.0.0.0, a bare path or the Host header."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from moderator.address import BadPublicUrl, public_url, server_base
from moderator.cli import main
from tests.support.agenda import agenda
from tests.support.server import ADMIN, in_process


def test_a_public_url_is_an_http_address_with_a_host() -> None:
    assert public_url(" https://presessions.example.org/ ") == "https://presessions.example.org"
    assert public_url("http://10.0.0.5:8000") == "http://10.0.0.5:8000"
    for bad in (
        "presessions.example.org",
        "ftp://x.org",
        "https://",
        "/join",
        "https://x.org/?a=1",
        "http://x:port",
    ):
        with pytest.raises(BadPublicUrl):
            public_url(bad)


def test_the_server_names_its_real_address_never_0_0_0_0() -> None:
    assert server_base("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert server_base("::1", 8000) == "http://[::1]:8000"
    for host in ("0.0.0.0", "::"):
        base = server_base(host, 8000)
        assert re.fullmatch(r"http://[^/]+:8000", base), base
        assert "0.0.0.0" not in base and "[::]" not in base


async def cards(base: str, http: httpx.AsyncClient, token: str, series_id: str) -> list[str]:
    """The join links printed on the cards, fetched with a forged Host header."""
    r = await http.get(
        f"{base}/series/{series_id}/cards/sheet",
        headers={"Authorization": f"Bearer {token}", "Host": "evil.example.com"},
    )
    assert r.status_code == 200, r.text
    return re.findall(r'<p class="card-link"><a href="([^"]+)"', r.text)


async def test_join_cards_use_the_public_url_and_never_the_host_header(tmp_path: Path) -> None:
    async with in_process(tmp_path / "a.sqlite3", public_url="https://presessions.example.org") as server:
        created = await server.create_series(agenda())
        links = await cards(server.base, server.http, created["moderator_token"], created["series_id"])
        assert links and all(u.startswith("https://presessions.example.org/join/") for u in links)
    async with in_process(tmp_path / "b.sqlite3") as server:
        created = await server.create_series(agenda())
        links = await cards(server.base, server.http, created["moderator_token"], created["series_id"])
        assert links and all(u.startswith(f"{server.base}/join/") for u in links), links[:1]
        assert not any("evil.example.com" in u for u in links)


def test_the_import_prints_links_on_the_public_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agenda.yaml"
    path.write_text(yaml.safe_dump(agenda()), encoding="utf-8")
    db = str(tmp_path / "m.sqlite3")
    assert main(["import", str(path), "--db", db, "--public-url", "https://presessions.example.org/"]) == 0
    printed = capsys.readouterr().out
    urls = re.findall(r"\S*/(?:s|series|join)/\S+", printed)
    assert urls and all(u.startswith("https://presessions.example.org/") for u in urls), urls
    assert re.search(r"room\s+https://presessions.example.org/series/[\w-]+/room", printed)
    # From the environment too; without either, the machine's address, never a bare path.
    os.environ["MODERATOR_PUBLIC_URL"] = "http://10.1.2.3:8000"
    try:
        assert main(["import", str(path), "--db", db]) == 0
    finally:
        del os.environ["MODERATOR_PUBLIC_URL"]
    urls = re.findall(r"\S*/(?:s|series|join)/\S+", capsys.readouterr().out)
    assert urls and all(u.startswith("http://10.1.2.3:8000/") for u in urls)
    assert main(["import", str(path), "--db", db]) == 0
    urls = re.findall(r"\S*/(?:s|series|join)/\S+", capsys.readouterr().out)
    assert urls and all(re.match(r"http://[^/]+:8000/", u) and "0.0.0.0" not in u for u in urls), urls[:1]


def test_a_bad_public_url_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "MODERATOR_ADMIN_TOKEN": ADMIN * 2, "LANG": "fr_FR.UTF-8", "LC_ALL": ""}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "moderator.cli",
            "serve",
            "--db",
            str(tmp_path / "m.db"),
            "--public-url",
            "example.org",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert "example.org" in done.stderr and "Traceback" not in done.stderr
