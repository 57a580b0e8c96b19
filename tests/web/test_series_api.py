"""GET and PUT /api/series/{id} and their previews (PROTOCOL §4, §5 links), on a real server with
real live clients: changes reach every connected screen at once; ids and printed tokens survive."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from benchmarks.live import Refused
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def current(server: Running, token: str = ADMIN) -> dict[str, Any]:
    r = await server.http.get(f"/api/series/{server.series['series_id']}", headers=auth(token))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def put(server: Running, doc: dict[str, Any], token: str | None = None, **params: str) -> Any:
    token = token or server.series["moderator_token"]
    path = f"/api/series/{server.series['series_id']}"
    return await server.http.put(path, json=doc, headers=auth(token), params=params)


async def raw(live: Live, command: str, args: dict[str, Any]) -> dict[str, Any]:
    """A command frame with these args (speaker.add has a `name` arg, which Live.cmd cannot take)."""
    live.n += 1
    return await live.answer({"type": "command", "id": f"r{live.n}", "name": command, "args": args})


async def test_get_needs_the_admin_or_that_series_moderator(server: Running):
    """None: 401; a mission or another series' moderator: 403; unknown series: 404."""
    path = f"/api/series/{server.series['series_id']}"
    assert (await server.http.get(path)).status_code == 401
    assert (await server.http.get(path, headers=auth(server.token("FR")))).status_code == 403
    other = await server.http.post("/api/series", json=agenda(), headers=auth(ADMIN))
    r = await server.http.get(path, headers=auth(other.json()["moderator_token"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await server.http.put(path, json=agenda(), headers=auth(other.json()["moderator_token"]))
    assert r.status_code == 403
    assert (await server.http.put(path, json=agenda())).status_code == 401
    assert (await server.http.get("/api/series/nope", headers=auth(ADMIN))).status_code == 404


async def test_get_is_the_agenda_with_ids_and_links_and_no_tokens(server: Running):
    """The POST body's shape, ids on the series, sessions and speakers; the series' screen links."""
    body = await current(server, server.series["moderator_token"])
    series_id = server.series["series_id"]
    assert body["id"] == series_id and body["title"] == "Test series"
    assert body["links"] == {s: f"/series/{series_id}/{s}" for s in ("room", "speaker", "watch")}
    assert [s["id"] for s in body["sessions"]] == [s["id"] for s in server.series["sessions"]]
    first = body["sessions"][0]
    assert first["start"] == "2030-12-10T10:00:00+01:00" and first["format"] == "in_person"
    assert [sp["key"] for sp in first["speakers"]] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    assert first["speakers"][0]["id"] == server.series["sessions"][0]["speakers"][0]["id"]
    assert first["speakers"][0]["public_name"] == "A journalist" and first["speakers"][0]["seconds"] == 420
    assert first["phase"] == "scheduled" and first["speakers"][0]["status"] == "waiting"
    assert first["speakers"][0]["spoken_ms"] == 0 and first["speakers"][0]["video_url"] is None
    assert {d["state"] for d in body["delegations"]} == {"AM", "SE", "GY", "KI", "FR", "BR", "KE", "JP"}
    text = str(body)
    assert server.series["moderator_token"] not in text and server.token("FR") not in text
    # sent back as it is, it changes nothing
    r = await put(server, body)
    assert r.status_code == 200 and r.json()["changes"] == [], r.text


async def test_a_put_reaches_the_console_and_two_phones_without_reconnecting(server: Running):
    """A speaker replaced, one reordered and a start moved: the console and two phones connected
    before get the new state (seq grown), on the same sockets; the report keeps the events."""
    session_id = server.session_id()
    console = await Live.open(server.ws, session_id, server.series["moderator_token"])
    phones = [await Live.open(server.ws, session_id, server.token(c)) for c in ("FR", "BR")]
    doc = await current(server)
    speakers = doc["sessions"][0]["speakers"]
    speakers[1] = {"key": "b2", "name": "Bruno Costa", "kind": "cso", "language": "es", "seconds": 300}
    speakers.insert(0, speakers.pop(3))  # a4 first
    doc["sessions"][0]["start"] = "2030-12-10T10:30:00+01:00"
    r = await put(server, doc)
    assert r.status_code == 200, r.text
    answer = r.json()
    kinds = {(c["change"], c["what"], c.get("key")) for c in answer["changes"]}
    assert {("added", "speaker", "b2"), ("removed", "speaker", "a2"), ("changed", "session", "AM")} <= kinds
    assert ("moved", "speaker", "a4") in kinds
    assert answer["links"] == (await current(server))["links"]
    wanted = ["a4", "a1", "b2", "a3", "a5", "a6"]
    assert [s["key"] for s in answer["sessions"][0]["speakers"]] == wanted
    for live in (console, *phones):
        before = live.seq
        while [s["name"] for s in live.state["speakers"]][2] != "Bruno Costa":
            await live.next()
        assert live.seq > before
        assert live.state["start"] == 1_923_125_400_000  # 2030-12-10T10:30+01:00
    assert [s["key"] for s in (await current(server))["sessions"][0]["speakers"]] == wanted
    # the same sockets still take commands
    assert (await phones[0].cmd("queue.request"))["type"] == "error"  # scheduled: not yet open
    await console.ok("session.open")
    report = (await server.http.get(f"/api/sessions/{session_id}/report", headers=auth(ADMIN))).json()
    assert "Bruno Costa" in [s["name"] for s in report["speakers"]]


async def test_tokens_printed_before_a_put_still_work_after_it(server: Running):
    """A mission's join token and the moderator token issued at creation work after a PUT; a
    removed mission's token stops; an added one gets its token in the answer."""
    fr, ke = server.token("FR"), server.token("KE")
    doc = await current(server)
    doc["delegations"] = [d for d in doc["delegations"] if d["state"] != "KE"] + [{"state": "DE"}]
    doc["title"] = "Renamed series"
    r = await put(server, doc)
    assert r.status_code == 200, r.text
    delegations = {d["state"]: d for d in r.json()["delegations"]}
    assert "KE" not in delegations and delegations["DE"]["added"] is True
    de = delegations["DE"]["token"]
    assert delegations["FR"]["token"] == fr, "the derived token is the one printed"
    phone = await Live.open(server.ws, server.session_id(), fr)
    assert phone.welcome["role"] == "delegation" and phone.state["title"] == "Renamed series"
    assert (await Live.open(server.ws, server.session_id(), de)).welcome["state_code"] == "DE"
    console = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    assert console.welcome["role"] == "moderator"
    assert (await server.http.get(f"/join/{fr}")).status_code == 200
    assert (await server.http.get(f"/join/{ke}")).status_code == 404
    # the admin may change the series, but cannot make a mission's card (it comes from the moderator token)
    doc["delegations"].append({"state": "JM"})
    r = await put(server, doc, ADMIN)
    assert (
        r.status_code == 403 and r.json()["error"]["where"] == f"delegations[{len(doc['delegations']) - 1}]"
    )


async def test_a_bad_document_is_422_and_changes_nothing(server: Running):
    before = await current(server)
    doc = copy.deepcopy(before)
    doc["sessions"][0]["speakers"][2]["language"] = "de"
    doc["title"] = "Should not stick"
    r = await put(server, doc)
    assert r.status_code == 422 and r.json()["error"]["where"] == "sessions[0].speakers[2].language"
    assert await current(server) == before
    r = await server.http.put(f"/api/series/{server.series['series_id']}", content=b"{", headers=auth(ADMIN))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


async def test_rewriting_history_is_409_with_where_and_changes_nothing(server: Running):
    """Removing a speaker who spoke, or one who holds the floor; changing the SuR of an opened
    session; removing an opened session: 409 `conflict` at its place; nothing changes at all."""
    console = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await console.ok("session.open")
    a1 = console.state["speakers"][0]["id"]
    await console.ok("speaker.call", speaker_id=a1)
    before = await current(server)

    doc = copy.deepcopy(before)
    doc["title"] = "Should not stick"
    del doc["sessions"][0]["speakers"][0]
    r = await put(server, doc)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict" and error["where"] == "sessions[0].speakers[0]"
    assert "has the floor" in error["message"]

    await console.ok("timer.start")
    await console.ok("speaker.finish")
    doc = copy.deepcopy(await current(server))
    del doc["sessions"][0]["speakers"][0]
    r = await put(server, doc)
    assert r.status_code == 409 and r.json()["error"]["where"] == "sessions[0].speakers[0]"

    doc = copy.deepcopy(await current(server))
    doc["sessions"][0]["state_under_review"] = "FR"
    r = await put(server, doc)
    assert r.status_code == 409 and r.json()["error"]["where"] == "sessions[0].state_under_review"

    doc = copy.deepcopy(await current(server))
    doc["sessions"] = doc["sessions"][1:]
    r = await put(server, doc)
    assert r.status_code == 409 and r.json()["error"]["where"] == "sessions[0]"

    doc = copy.deepcopy(await current(server))
    doc["sessions"][0]["format"] = "virtual"
    r = await server.http.put(
        f"/api/series/{server.series['series_id']}",
        json=doc,
        headers={**auth(ADMIN), "Accept-Language": "fr"},
    )
    assert r.status_code == 409 and r.json()["error"]["where"] == "sessions[0].format"
    assert "ouverture" in r.json()["error"]["message"], "in the language asked for"
    after = await current(server)
    assert after["title"] == "Test series" and after["sessions"] == (await current(server))["sessions"]
    assert len(after["sessions"]) == 2 and after["sessions"][0]["state_under_review"] == "AM"


async def test_the_preview_lists_changes_and_conflicts_and_changes_nothing(server: Running):
    """PUT ?dry_run=true: 200 with changes, conflicts and warnings; the series stays as it was."""
    before = await current(server)
    doc = copy.deepcopy(before)
    doc["sessions"][0]["minutes"] = 90
    doc["sessions"][0]["speakers"][0]["name"] = "Anna P."
    doc["sessions"].append({"key": "ZZ", "state_under_review": "ZA", "start": "2030-12-11T10:00:00+01:00"})
    del doc["sessions"][1]
    r = await put(server, doc, dry_run="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"changes", "conflicts", "warnings"} and body["conflicts"] == []
    changes = {(c["change"], c["what"], c["where"]): c for c in body["changes"]}
    assert changes[("changed", "session", "sessions[0]")]["fields"] == {"minutes": {"old": 60, "new": 90}}
    speaker = changes[("changed", "speaker", "sessions[0].speakers[0]")]
    assert (
        speaker["fields"] == {"name": {"old": "Anna Petrosyan", "new": "Anna P."}} and speaker["key"] == "a1"
    )
    assert ("added", "session", "sessions[1]") in changes and ("removed", "session", "sessions[1]") in changes
    assert await current(server) == before
    console = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await console.ok("session.open")
    doc["sessions"][0]["state_under_review"] = "FR"
    body = (await put(server, doc, dry_run="true")).json()
    assert [(c["code"], c["where"]) for c in body["conflicts"]] == [
        ("conflict", "sessions[0].state_under_review")
    ]
    assert body["conflicts"][0]["message"]


async def test_post_dry_run_previews_a_creation_and_creates_nothing(server: Running):
    index = (await server.http.get("/")).text
    doc = agenda(title="Only a preview")
    doc["sessions"][0]["speakers"].append(dict(doc["sessions"][0]["speakers"][0], key="a7"))
    r = await server.http.post("/api/series", json=doc, headers=auth(ADMIN), params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "Only a preview" and len(body["warnings"]) == 1
    assert [s["key"] for s in body["sessions"]] == ["AM", "SE"] and len(body["sessions"][0]["speakers"]) == 7
    assert body["sessions"][1]["minutes"] == 60 and body["sessions"][1]["format"] == "in_person"
    assert (await server.http.get("/")).text == index
    doc["sessions"][0]["start"] = "tomorrow"
    r = await server.http.post("/api/series", json=doc, headers=auth(ADMIN), params={"dry_run": "true"})
    assert r.status_code == 422 and r.json()["error"]["where"] == "sessions[0].start"
    created = await server.http.post("/api/series", json=agenda(), headers=auth(ADMIN))
    assert created.json()["links"]["room"] == f"/series/{created.json()['series_id']}/room"


async def test_sessions_added_moved_and_removed_by_a_put(server: Running):
    """A new session is created (with its speakers and screens), the order follows the document,
    a scheduled session removed is gone (its screens are told by 4404 on reconnect)."""
    removed_id = server.session_id(1)
    watching = await Live.open(server.ws, removed_id, None)
    doc = await current(server)
    doc["sessions"] = [
        {
            "key": "NZ",
            "state_under_review": "NZ",
            "start": "2030-12-09T10:00:00+01:00",
            "format": "virtual",
            "sur_statement_seconds": 300,
            "speakers": [{"key": "n1", "name": "Aroha", "kind": "nhri", "language": "en"}],
        },
        doc["sessions"][0],
    ]
    r = await put(server, doc)
    assert r.status_code == 200, r.text
    sessions = r.json()["sessions"]
    assert [s["key"] for s in sessions] == ["NZ", "AM"]
    nz = sessions[0]
    live = await Live.open(server.ws, nz["id"], None)
    assert live.state["format"] == "virtual" and live.state["sur_statement"]["allotted_ms"] == 300_000
    assert [s["id"] for s in live.state["speakers"]] == [nz["speakers"][0]["id"]]
    assert (await server.http.get(f"/api/sessions/{removed_id}")).status_code == 404
    with pytest.raises(ConnectionClosed):  # its screens are dropped; a reconnect gets 4404
        while True:
            await watching.next()
    with pytest.raises(Refused) as refused:
        await Live.open(server.ws, removed_id, None)
    assert refused.value.code == 4404
    assert [s["key"] for s in (await current(server))["sessions"]] == ["NZ", "AM"]


async def test_the_live_commands_change_the_agenda_for_every_screen(server: Running):
    """speaker.add's ack carries the new id; every client sees the change; a refusal is a sentence;
    GET shows the live change; a mission may not change the agenda."""
    session_id = server.session_id()
    console = await Live.open(server.ws, session_id, server.series["moderator_token"])
    phone = await Live.open(server.ws, session_id, server.token("FR"))
    ack = await raw(console, "speaker.add", {"name": "Late Speaker", "language": "fr", "position": 0})
    assert ack["type"] == "ack" and ack["speaker_id"] == f"{session_id}-{ack['seq']}"
    await phone.until(ack["seq"])
    assert phone.state["speakers"][0]["id"] == ack["speaker_id"]
    assert phone.state["speakers"][0]["name"] == "Late Speaker"
    await console.ok("session.update", minutes=90, sur_statement_seconds=240)
    await phone.until(console.seq)
    assert phone.state["planned_end"] - phone.state["start"] == 90 * 60_000
    assert phone.state["sur_statement"] == {"allotted_ms": 240_000, "status": "waiting", "spoken_ms": 0}
    refused = await phone.refused("forbidden", "speaker.remove", speaker_id=ack["speaker_id"])
    assert refused["message"]
    await console.ok("session.open")
    await console.ok("speaker.call", speaker_id=ack["speaker_id"])
    refused = await console.refused("conflict", "speaker.remove", speaker_id=ack["speaker_id"])
    assert "Late Speaker has the floor" in refused["message"]
    bad = await console.refused("invalid", "speaker.update", speaker_id=ack["speaker_id"], language="de")
    assert bad["message"] == "'language': This must be one of: en, fr, es."
    body = await current(server)
    assert body["sessions"][0]["speakers"][0]["name"] == "Late Speaker"
    assert body["sessions"][0]["minutes"] == 90 and body["sessions"][0]["sur_statement_seconds"] == 240
    await console.ok("session.close")
    late = await raw(console, "speaker.add", {"name": "Too late"})
    assert late["type"] == "error" and late["code"] == "conflict"
