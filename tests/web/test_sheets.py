"""Spreadsheets over HTTP, on a real server: the template and the example, a preview that creates
nothing, the problems of a bad file at their rows, and a series created from the example."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from moderator.sheets.example import EXAMPLE
from tests.support.server import ADMIN, Running, in_process

AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
async def empty(tmp_path: Path) -> AsyncIterator[Running]:
    async with in_process(tmp_path / "m.sqlite3") as running:
        yield running


async def series_count(server: Running) -> int:
    return sum(1 for _ in (await server.app.state.services.store.series()))


async def test_the_template_and_the_example_are_public_downloads(empty: Running):
    r = await empty.http.get("/api/series/template.xlsx?lang=fr")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    assert "week-template.xlsx" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.active["A1"].value == "État examiné"
    r = await empty.http.get("/api/series/example.xlsx")
    assert r.status_code == 200 and r.content == EXAMPLE.read_bytes()


async def test_a_preview_creates_nothing_then_the_series_is_created(empty: Running):
    data = EXAMPLE.read_bytes()
    r = await empty.http.post(
        "/api/series/sheet?dry_run=true&filename=example-week.xlsx", content=data, headers=AUTH
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert len(preview["series"]["sessions"]) == 14 and preview["series"]["delegations"] == 195
    assert preview["document"]["sessions"][0]["state_under_review"] == "TM"
    assert await series_count(empty) == 0
    r = await empty.http.post("/api/series/sheet?filename=example-week.xlsx", content=data, headers=AUTH)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["moderator_token"] and len(created["delegations"]) == 195
    assert created["workspace"] == f"/series/{created['series_id']}"
    state = (await empty.http.get(f"/api/sessions/{created['sessions'][0]['id']}")).json()
    assert state["session"]["state_under_review"]["code"] == "TM"
    assert await series_count(empty) == 1


async def test_a_bad_sheet_names_every_problem_and_creates_nothing(empty: Running):
    book = Workbook()
    book.active.append(["État examiné", "Date", "Heure", "Nom", "Type", "Langue"])
    book.active.append(["DE", "2030-12-10", "10:00", "Zoé", "cso", "English "])
    book.active.append(["XX", "2030-12-11", "10:00", "Ana", "ngo", "es"])
    out = io.BytesIO()
    book.save(out)
    r = await empty.http.post(
        "/api/series/sheet?dry_run=true&title=Semaine&format=in_person",
        content=out.getvalue(),
        headers={**AUTH, "Accept-Language": "fr"},
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid" and error["message"] == error["problems"][0]["message"]
    assert [(p["row"], p["column"]) for p in error["problems"]] == [(2, "Langue"), (3, "État examiné")]
    assert error["problems"][0]["message"].startswith("Ligne 2, Langue ('English ')")
    assert await series_count(empty) == 0


async def test_who_may_create_from_a_sheet(empty: Running, tmp_path: Path):
    data = EXAMPLE.read_bytes()
    r = await empty.http.post("/api/series/sheet", content=data)
    assert r.status_code == 401
    r = await empty.http.post("/api/series/sheet", content=data, headers=AUTH)
    token = r.json()["moderator_token"]
    r = await empty.http.post("/api/series/sheet", content=data, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await empty.http.post("/api/series/sheet", content=b"x" * (3 * 1024 * 1024), headers=AUTH)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert await series_count(empty) == 1
