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
    assert book.worksheets[0]["A1"].value == "État examiné"
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
    assert error["problems"][0]["message"].startswith("Ligne 2, Langue (\u00ab\u00a0English \u00a0\u00bb)")
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


async def test_the_week_downloads_edits_and_uploads_back_with_a_preview(server: Running):
    """Download the week, replace a speaker and reorder in the workbook, preview (nothing changes,
    the phones see nothing), apply: a connected phone and the moderator get the new state; the
    printed join card still works."""
    from tests.support.live import Live

    series_id = server.series["series_id"]
    mod_token = server.series["moderator_token"]
    auth = {"Authorization": f"Bearer {mod_token}"}
    r = await server.http.get(f"/api/series/{series_id}/agenda.xlsx", headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(r.content))
    sheet = book["Speakers"]
    headers = [c.value for c in sheet[1]]
    name_col = headers.index("Speaker name") + 1
    assert sheet.cell(row=2, column=name_col).value == "Anna Petrosyan"
    sheet.cell(row=3, column=name_col).value = "Office of the Ombudsperson"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=3)]
    for col, value in enumerate(rows[1], 1):  # speakers 1 and 2 swap places
        sheet.cell(row=2, column=col).value = value
    for col, value in enumerate(rows[0], 1):
        sheet.cell(row=3, column=col).value = value
    out = io.BytesIO()
    book.save(out)
    phone = await Live.open(server.ws, server.session_id(), server.token("FR"))
    seq = phone.seq
    path = f"/api/series/{series_id}/sheet"
    r = await server.http.put(f"{path}?dry_run=true&filename=w.xlsx", content=out.getvalue(), headers=auth)
    assert r.status_code == 200, r.text
    preview = r.json()
    kinds = sorted((c["change"], c["what"]) for c in preview["changes"])
    assert ("changed", "speaker") in kinds and ("moved", "speaker") in kinds, kinds
    assert preview["conflicts"] == [] and preview["document"]["sessions"][0]["speakers"][0]["key"] == "a2"
    state = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()
    assert state["seq"] == seq and state["session"]["speakers"][0]["name"] != "Office of the Ombudsperson"
    r = await server.http.put(f"{path}?filename=w.xlsx", content=out.getvalue(), headers=auth)
    assert r.status_code == 200, r.text
    while phone.state["speakers"][0]["organisation"] != "Human Rights Defender":
        await phone.next()  # the state frame of the change, with no reconnect and no request
    assert phone.seq > seq and phone.state["speakers"][1]["organisation"] == "Helsinki Citizens' Assembly"
    r = await server.http.get(f"/api/series/{series_id}", headers=auth)
    assert r.json()["sessions"][0]["speakers"][0]["name"] == "Office of the Ombudsperson"
    again = await Live.open(server.ws, server.session_id(), server.token("FR"))
    assert again.welcome["role"] == "delegation" and again.welcome["state_code"] == "FR"


async def test_a_sheet_that_would_rewrite_what_happened_is_refused(server: Running):
    from tests.support.live import Live

    series_id = server.series["series_id"]
    auth = {"Authorization": f"Bearer {server.series['moderator_token']}"}
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    r = await server.http.get(f"/api/series/{series_id}/agenda.xlsx", headers=auth)
    book = load_workbook(io.BytesIO(r.content))
    sheet = book["Speakers"]
    state_col = [c.value for c in sheet[1]].index("State under Review") + 1
    for row in range(2, 8):  # the opened session's State under Review changes
        if sheet.cell(row=row, column=state_col).value == "AM":
            sheet.cell(row=row, column=state_col).value = "AL"
    out = io.BytesIO()
    book.save(out)
    r = await server.http.put(
        f"/api/series/{series_id}/sheet?dry_run=true", content=out.getvalue(), headers=auth
    )
    assert r.status_code == 200 and r.json()["conflicts"], r.text
    r = await server.http.put(f"/api/series/{series_id}/sheet", content=out.getvalue(), headers=auth)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = await server.http.put(f"/api/series/{series_id}/sheet", content=b"not a sheet\x00", headers=auth)
    assert r.status_code == 422 and r.json()["error"]["problems"]
    assert (await server.http.get(f"/api/series/{series_id}/agenda.xlsx")).status_code == 401
    assert (
        await server.http.get(
            f"/api/series/{series_id}/agenda.xlsx", headers={"Authorization": f"Bearer {server.token('FR')}"}
        )
    ).status_code == 403
