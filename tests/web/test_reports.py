"""PROTOCOL §6 over real uvicorn: the series' report as JSON, CSV (read by Python's csv module)
and XLSX (read by openpyxl), and one session's CSV under the same rules; attendance from the
missions' real sockets."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running

BOM = "\ufeff".encode()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def held(server: Running) -> dict[str, Any]:
    """Session AM held: two speakers (the first 16 s over the time the room saw, after 30 s were
    taken off), FR asks and is answered; FR and BR connected; SE never opened."""
    sid = server.session_id()
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    fr = await Live.open(server.ws, sid, server.token("FR"))
    await Live.open(server.ws, sid, server.token("BR"))
    speakers = [s["id"] for s in mod.state["speakers"]]
    await mod.ok("session.open")
    await mod.ok("speaker.call", speaker_id=speakers[0])
    await mod.ok("timer.adjust", delta_ms=-30_000)
    await mod.ok("speaker.call", speaker_id=speakers[1])
    await fr.ok("queue.request", topic='=HYPERLINK("x")', addressed_to=speakers[1])
    await mod.ok("session.qa")
    await mod.ok("queue.call", entry_id=mod.state["queue"][0]["id"])
    await mod.ok("session.close")
    return {"session_id": sid, "speakers": speakers}


async def test_the_series_report_is_for_the_admin_and_its_own_moderator(server: Running):
    path = f"/api/series/{server.series['series_id']}/report"
    assert (await server.http.get(path)).status_code == 401
    other = await server.http.post("/api/series", json=agenda(title="Another"), headers=auth(ADMIN))
    assert (await server.http.get(path, headers=auth(other.json()["moderator_token"]))).status_code == 403
    r = await server.http.get(path, headers=auth(server.series["moderator_token"]))
    assert r.status_code == 200
    assert (await server.http.get(path, headers=auth(ADMIN))).status_code == 200
    assert (await server.http.get(path, headers=auth(server.token("FR")))).status_code == 403
    missing = await server.http.get("/api/series/nope/report", headers=auth(ADMIN))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = await server.http.get(path + "?format=pdf", headers=auth(ADMIN))
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "'format' must be json, csv or xlsx."
    fr = await server.http.get(path + "?format=pdf", headers={**auth(ADMIN), "Accept-Language": "fr"})
    assert fr.json()["error"]["message"] != bad.json()["error"]["message"], "translated"


async def test_the_json_has_the_shape_of_section_6(server: Running):
    await held(server)
    r = await server.http.get(
        f"/api/series/{server.series['series_id']}/report", headers=auth(server.series["moderator_token"])
    )
    data = r.json()
    assert data["series"] == {
        "id": server.series["series_id"],
        "title": "Test series",
        "timezone": "Europe/Zurich",
    }
    assert [s["session"]["key"] for s in data["sessions"]] == ["AM", "SE"], "in start order"
    am = data["sessions"][0]
    for key in ("session", "speakers", "questions", "totals", "attendance"):
        assert key in am
    first = am["speakers"][0]
    assert first["allotted_seen_ms"] == first["allotted_ms"] - 30_000
    assert first["over_ms"] == max(0, first["spoken_ms"] - first["allotted_seen_ms"])
    assert [q["outcome"] for q in am["questions"]] == ["answered"]
    assert {m["state"]["code"] for m in am["attendance"]["missions"]} == {"FR", "BR"}
    totals = data["totals"]
    assert totals["questions"] == 1 and totals["sessions"] == 2 and totals["sessions_held"] == 1
    assert totals["statements_ms"] == sum(s["totals"]["statements_ms"] for s in data["sessions"])
    assert totals["attendance"]["states_present"] == 2 and totals["attendance"]["states_asked"] == 1
    one = await server.http.get(
        f"/api/sessions/{server.session_id()}/report", headers=auth(server.series["moderator_token"])
    )
    assert one.json()["speakers"] == am["speakers"], "§2 and §6 give the same figures"


async def test_the_csv_is_for_people_and_opens_with_the_csv_module(server: Running):
    await held(server)
    r = await server.http.get(
        f"/api/series/{server.series['series_id']}/report?format=csv",
        headers=auth(server.series["moderator_token"]),
    )
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(BOM)
    assert r.headers["content-disposition"].startswith('attachment; filename="report-Test_series.csv"')
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[:2] == ["session", "kind"]
    assert header[-5:] == ["first_seen", "last_seen", "connected_s", "connected_minutes", "asked"]
    assert [r["kind"] for r in rows] == ["speaker"] * 6 + ["question"] + ["attendance"] * 2
    anna = rows[0]
    assert anna["name"] == "Anna Petrosyan" and anna["state_under_review"] == "Armenia"
    assert anna["called_at"].endswith("+01:00") and anna["called_at"][10] == "T", "ISO 8601 in Zurich time"
    assert anna["allotted_s"] == "420" and anna["allotted_seen_s"] == "390"
    question = rows[6]
    assert question["state"] == "France" and question["addressed_to"] == "Office of the Defender"
    assert question["topic"] == '\'=HYPERLINK("x")', "a formula stays text"
    assert question["status"] == "answered" and question["floor_s"].isdigit()
    assert {r["state"] for r in rows[7:]} == {"France", "Brazil"}
    assert all(r["connected_minutes"].isdigit() for r in rows[7:])
    one = await server.http.get(f"/api/sessions/{server.session_id()}/report?format=csv", headers=auth(ADMIN))
    assert one.content.startswith(BOM)
    session_rows = list(csv.DictReader(io.StringIO(one.content.decode("utf-8-sig"))))
    assert list(session_rows[0])[:2] == ["kind", "session"]
    assert [{k: v for k, v in r.items()} for r in session_rows] == [
        {k: r[k] for k in session_rows[0]} for r in rows
    ], "the session's CSV has the same rows"


async def test_the_spreadsheet_has_the_same_rows_and_no_formula(server: Running):
    await held(server)
    path = f"/api/series/{server.series['series_id']}/report"
    r = await server.http.get(path + "?format=xlsx", headers=auth(ADMIN))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"].startswith('attachment; filename="report-Test_series.xlsx"')
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    cells = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    text = await server.http.get(path + "?format=csv", headers=auth(ADMIN))
    from_csv = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert [[str(c) for c in row] for row in cells] == from_csv
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f" and not str(cell.value or "").startswith("=")


async def test_the_report_page_has_no_figures_and_its_sheet_needs_the_admin_or_the_moderator(
    server: Running,
):
    await held(server)
    series_id = server.series["series_id"]
    page = await server.http.get(f"/series/{series_id}/report?lang=fr")
    assert page.status_code == 200 and "Rapport de la semaine" in page.text
    assert "Anna Petrosyan" not in page.text, "the page itself is public: names come with the sheet"
    sheet = f"/series/{series_id}/report/sheet?lang=es"
    assert (await server.http.get(sheet)).status_code == 401
    assert (await server.http.get(sheet, headers=auth(server.token("FR")))).status_code == 403
    assert (await server.http.get(sheet, headers=auth("x" * 30))).status_code == 401
    got = await server.http.get(sheet, headers=auth(server.series["moderator_token"]))
    assert got.status_code == 200 and "Anna Petrosyan" in got.text and "Francia" in got.text
    assert got.headers["cache-control"] == "no-store"
    assert (await server.http.get(sheet, headers=auth(ADMIN))).status_code == 200
    assert (await server.http.get("/series/nope/report")).status_code == 404
    assert (await server.http.get("/series/nope/statements")).status_code == 404


async def test_one_sessions_spreadsheet(server: Running):
    await held(server)
    r = await server.http.get(f"/api/sessions/{server.session_id()}/report?format=xlsx", headers=auth(ADMIN))
    assert r.status_code == 200 and r.headers["content-disposition"].startswith(
        'attachment; filename="report-AM.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["kind", "session"] and sheet.max_row == 1 + 6 + 1 + 2


async def test_the_sheet_writes_both_lengths_of_a_session_alike(server: Running):
    """Planned and actual length in one format (h:mm:ss): '01:13' beside '1:00:00' read as an hour."""
    await held(server)
    got = await server.http.get(
        f"/series/{server.series['series_id']}/report/sheet?lang=en", headers=auth(ADMIN)
    )
    rows = [line for line in got.text.splitlines() if ">Planned<" in line or ">Actual<" in line]
    lengths = [re.findall(r'<td class="num">([^<]*)</td>', row)[-1] for row in rows]
    held_lengths = [length for length in lengths if length != "–"]
    assert len(held_lengths) > len(rows) // 2, "every planned length and the held session's"
    for length in held_lengths:
        assert re.fullmatch(r"\d+:\d\d:\d\d", length), lengths
