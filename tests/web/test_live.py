"""The live channel end to end: real uvicorn, real SQLite, real websockets clients."""

from __future__ import annotations

import asyncio
import io
import json
from csv import DictReader
from typing import Any

import pytest
import websockets
from websockets.typing import Origin

from benchmarks.live import Refused
from moderator.i18n.countries import state_name
from tests.support.live import Live
from tests.support.server import Running


async def clients(server: Running) -> tuple[Live, Live, dict[str, Live]]:
    sid = server.session_id()
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    viewer = await Live.open(server.ws, sid, None)
    missions = {c: await Live.open(server.ws, sid, server.token(c)) for c in ("AM", "FR", "BR", "KE", "JP")}
    return mod, viewer, missions


async def test_a_whole_scripted_pre_session_and_its_report(server: Running):
    """Opening, six speakers, questions from several States, close: the report matches what was done."""
    mod, viewer, m = await clients(server)
    speakers = [s["id"] for s in mod.state["speakers"]]
    assert len(speakers) == 6
    await mod.ok("session.open")
    await mod.ok("session.statements")
    for i, sid in enumerate(speakers):
        await mod.ok("speaker.call", speaker_id=sid)
        await mod.ok("timer.start")
        if i == 2:
            await mod.ok("timer.adjust", delta_ms=60_000)
            await mod.ok("message.show", text="Please conclude", to="speaker")
            await mod.ok("message.clear")
        if i == 0:
            await m["FR"].ok("queue.request", addressed_to=speakers[0], topic="Press freedom")
            await m["BR"].ok("queue.request")
            await m["AM"].refused("sur_cannot_ask", "queue.request")
        await mod.ok("speaker.finish")
    await m["KE"].ok("queue.request", topic="Climate")
    await m["JP"].ok("queue.request")
    await m["BR"].ok(
        "queue.withdraw", entry_id=next(e["id"] for e in m["BR"].state["queue"] if e["state"]["code"] == "BR")
    )
    await mod.ok("session.qa")
    queue = [e["id"] for e in mod.state["queue"]]
    assert [e["state"]["code"] for e in mod.state["queue"]] == ["FR", "KE", "JP"]
    await mod.ok("queue.move", entry_id=queue[2], position=0)
    assert [e["state"]["code"] for e in mod.state["queue"]] == ["JP", "FR", "KE"]
    await mod.ok("queue.call", entry_id=queue[2])
    await mod.ok("timer.start")
    await mod.ok("queue.call", entry_id=queue[0])
    await mod.ok("queue.done", entry_id=queue[0])
    await mod.ok("queue.remove", entry_id=queue[1])
    seq = await mod.ok("session.close")
    await mod.refused("conflict", "timer.start")
    await viewer.until(seq)
    assert viewer.state["phase"] == "closed" and viewer.state["queue"] == []
    r = await server.http.get(
        f"/api/sessions/{server.session_id()}/report",
        headers={"Authorization": f"Bearer {server.series['moderator_token']}"},
    )
    assert r.status_code == 200
    report = r.json()
    assert [s["status"] for s in report["speakers"]] == ["done"] * 6
    assert all(
        s["spoken_ms"] >= 0 and s["over_ms"] == max(0, s["spoken_ms"] - s["allotted_ms"])
        for s in report["speakers"]
    )
    outcomes = {q["state"]["code"]: q["outcome"] for q in report["questions"]}
    assert outcomes == {"FR": "answered", "BR": "withdrawn", "KE": "removed", "JP": "answered"}
    fr = next(q for q in report["questions"] if q["state"]["code"] == "FR")
    assert fr["topic"] == "Press freedom" and fr["addressed_to"] == speakers[0]
    assert report["totals"]["questions"] == 2
    assert report["totals"]["statements_ms"] == sum(s["spoken_ms"] for s in report["speakers"])
    assert report["session"]["phase"] == "closed" and report["session"]["closed_at"] is not None
    csv = await server.http.get(
        f"/api/sessions/{server.session_id()}/report?format=csv",
        headers={"Authorization": f"Bearer {server.series['moderator_token']}"},
    )
    assert csv.content.startswith("\ufeff".encode())
    table = list(DictReader(io.StringIO(csv.content.decode("utf-8-sig"))))
    assert list(table[0])[0] == "kind"
    kinds = [row["kind"] for row in table]
    assert kinds[:10] == ["speaker"] * 6 + ["question"] * 4 and set(kinds[10:]) == {"attendance"}
    present = {row["state"] for row in table[10:]}
    assert present == {state_name(code) for code in m}, "every mission connected through the session"


async def test_projections_hide_the_real_name_and_topics_from_public_roles(server: Running):
    """public_name replaces name for viewers and missions; only the moderator sees topics."""
    mod, viewer, m = await clients(server)
    assert mod.state["speakers"][0]["name"] == "Anna Petrosyan"
    assert viewer.state["speakers"][0]["name"] == m["FR"].state["speakers"][0]["name"] == "A journalist"
    await mod.ok("session.open")
    seq = await m["FR"].ok("queue.request", topic="Secret topic")
    await viewer.until(seq)
    await mod.until(seq)
    assert "topic" not in viewer.state["queue"][0] and "topic" not in m["FR"].state["queue"][0]
    assert mod.state["queue"][0]["topic"] == "Secret topic"
    assert "Anna Petrosyan" not in json.dumps(viewer.state)


async def test_projected_end_counts_the_floor_speakers_and_questions(server: Running):
    """projected_end = now + rest of the floor + waiting speakers' time + question_seconds per request."""
    mod, _, m = await clients(server)
    assert mod.state["projected_end"] is None
    await mod.ok("session.open")
    first = mod.state["speakers"][0]
    await mod.ok("speaker.call", speaker_id=first["id"])
    seq = await m["FR"].ok("queue.request")
    msg = await mod.until(seq)
    total = sum(s["allotted_ms"] for s in msg["speakers"])  # the floor holder has all their time left
    slack = msg["projected_end"] - total - 120_000
    assert 0 <= slack - mod.state["started_at"] < 60_000


async def test_a_mission_at_its_cap_reconnecting_at_once_gets_in_while_its_absence_is_written(
    server: Running, monkeypatch: pytest.MonkeyPatch
):
    """The socket's place under its token's cap is freed when it ends, not after the store has
    written the end of the mission's presence: with that write held, the reconnect gets in."""
    sid = server.session_id()
    held = [await Live.open(server.ws, sid, server.token("KE")) for _ in range(20)]
    store = server.app.state.services.store
    written = store.presence_ended
    gate, waiting = asyncio.Event(), asyncio.Event()

    async def slow_presence_ended(span_id: int, at: int) -> None:
        waiting.set()
        await gate.wait()
        await written(span_id, at)

    monkeypatch.setattr(store, "presence_ended", slow_presence_ended)
    await held.pop().close()
    try:
        await asyncio.wait_for(waiting.wait(), 10)  # the closed socket's endpoint writes its absence
        again = await Live.open(server.ws, sid, server.token("KE"))
        assert again.welcome["state_code"] == "KE"
        held.append(again)
    finally:
        gate.set()
        for live in held:
            await live.close()


async def test_bad_frames_get_an_error_and_change_nothing(server: Running):
    """Junk, odd Unicode, wrong types, unknown ids: each answered, socket open, seq unchanged."""
    mod, _, m = await clients(server)
    seq = mod.seq
    frames = [
        "{",
        "[]",
        "null",
        '"x"',
        '{"type": 1}',
        '{"type": "dance"}',
        '{"type": "hello", "token": null}',
        "x" * 70_000,
        "[" * 60_000,
        '{"type": "command"}',
        '{"type": "command", "id": "' + "x" * 65 + '"}',
        '{"type": "command", "id": "a", "name": "nope"}',
        '{"type": "ping"}',
    ]
    for frame in frames:
        msg = await mod.answer(frame)
        assert msg["type"] == "error" and msg["code"] == "bad_message", (frame[:40], msg)
        assert msg["message"]
    await mod.ws.send(b"\x00binary")
    assert (await mod.next())["code"] == "bad_message"
    assert (await mod.answer('{"type": "ping", "t0": 1}'))["type"] == "pong"
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("speaker.call", {"speaker_id": 7}, "invalid"),
        ("speaker.call", {"speaker_id": "nobody"}, "conflict"),  # phase first: still scheduled
        ("message.show", {"text": "\ud800", "to": "room"}, "invalid"),
        ("message.show", {"text": "a\u0000b", "to": "room"}, "invalid"),
        ("message.show", {"text": "é" * 201, "to": "room"}, "invalid"),
        ("timer.adjust", {"delta_ms": 1.5}, "invalid"),
        ("queue.move", {"entry_id": "q1"}, "invalid"),
    ]
    for name, args, code in cases:
        msg = await mod.cmd(name, **args)
        assert msg["type"] == "error" and msg["code"] == code, (name, msg)
    msg = await mod.answer({"type": "command", "id": "z", "name": "timer.start", "args": [1]})
    assert msg["code"] == "invalid"
    msg = await m["FR"].answer({"type": "command", "id": "z", "name": "timer.start", "args": [1]})
    assert msg["code"] == "forbidden"
    await mod.ok("session.open")
    await mod.refused("not_found", "speaker.call", speaker_id="nobody")
    await m["FR"].refused("invalid", "queue.request", topic="t" * 281)
    await m["FR"].refused("not_found", "queue.withdraw", entry_id="q42")
    assert mod.seq == seq + 1


async def test_errors_speak_the_clients_language(server: Running):
    """The error sentence is in the language the hello asked for."""
    fr = await Live.open(server.ws, server.session_id(), server.token("FR"), lang="fr")
    msg = await fr.refused("conflict", "queue.request")
    en = await Live.open(server.ws, server.session_id(), server.token("KE"))
    msg_en = await en.refused("conflict", "queue.request")
    assert msg["message"] != msg_en["message"]


async def test_openings_are_refused_with_their_close_codes(server: Running):
    """4400 bad hello, 4404 unknown session, 4401 unknown or foreign token; bad Origin at the handshake."""

    async def close_code(path: str, first: str) -> int:
        ws = await websockets.connect(server.ws + path)
        await ws.send(first)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as e:
            assert e.rcvd is not None
            return e.rcvd.code

    sid = server.session_id()
    assert await close_code(f"/ws/sessions/{sid}", "hi") == 4400
    assert await close_code("/ws/sessions/nope", '{"type":"hello","token":null}') == 4404
    assert await close_code(f"/ws/sessions/{sid}", '{"type":"hello","token":"nope"}') == 4401
    try:
        await websockets.connect(f"{server.ws}/ws/sessions/{sid}", origin=Origin("http://evil.example"))
        raise AssertionError("a foreign Origin was accepted")
    except websockets.InvalidStatus as e:
        assert e.response.status_code == 403
    ok = await websockets.connect(f"{server.ws}/ws/sessions/{sid}", origin=Origin(server.base))
    await ok.close()


async def test_a_flood_from_one_phone_is_rate_limited_and_others_are_not(server: Running):
    """200 commands at once from one phone: each answered once, one queued, many rate_limited;
    another phone is served meanwhile."""
    mod, _, m = await clients(server)
    await mod.ok("session.open")
    for i in range(200):
        await m["FR"].ws.send(
            json.dumps(
                {"type": "command", "id": f"f{i}", "name": "queue.request", "args": {"topic": f"flood {i}"}}
            )
        )
    calm = await m["KE"].cmd("queue.request", topic="A calm question")
    assert calm["type"] == "ack", calm
    answers: dict[str, str] = {}
    acked = 0
    while len(answers) < 200:
        msg = await m["FR"].next()
        if msg["type"] in ("ack", "error"):
            assert msg["id"] not in answers, f"{msg['id']} was answered twice"
            answers[msg["id"]] = msg.get("code", "ack")
            acked = max(acked, msg.get("seq", 0))
    codes = [answers[f"f{i}"] for i in range(200)]
    assert codes[0] == "ack" and codes.count("ack") == 1 and codes.count("rate_limited") >= 100, codes
    assert set(codes) <= {"ack", "already_queued", "rate_limited"}
    state = await mod.until(max(calm["seq"], acked))
    assert sorted(e["state"]["code"] for e in state["queue"]) == ["FR", "KE"]


async def test_too_many_sockets_on_one_token_are_closed_4429(server: Running):
    """A token holds at most 20 sockets: each one past them is closed with 4429, from the 21st on; the
    held ones still work, a freed place can be taken again, other tokens are unaffected."""
    sid = server.session_id()
    held: list[Live] = []
    refused: list[int] = []
    for i in range(30):
        try:
            held.append(await Live.open(server.ws, sid, server.token("KE")))
        except Refused as e:
            assert e.code == 4429, f"socket {i} closed with {e.code}"
            refused.append(i)
    assert len(held) == 20 and refused == list(range(20, 30))
    for live in held:
        assert (await live.answer({"type": "ping", "t0": 0}))["type"] == "pong"
    await held.pop().close()
    again = await Live.open(server.ws, sid, server.token("KE"))
    assert again.welcome["state_code"] == "KE"
    other = await Live.open(server.ws, sid, server.token("SE"))
    assert other.welcome["state_code"] == "SE"
