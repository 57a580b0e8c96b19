"""Screens that follow the series and connected screens, over the real live channel (uvicorn, SQLite)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process


class Raw:
    """A socket with a hand-made hello (follow, screen), read frame by frame."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.n = 0

    @classmethod
    async def open(cls, server: Running, session_id: str, token: str | None = None, **hello: Any) -> Raw:
        ws = await websockets.connect(f"{server.ws}/ws/sessions/{session_id}", open_timeout=10)
        await ws.send(json.dumps({"type": "hello", "token": token, **hello}))
        return cls(ws)

    async def until(self, kind: str, **match: Any) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads(await self.ws.recv())
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def cmd(self, command: str, /, **args: Any) -> dict[str, Any]:
        self.n += 1
        await self.ws.send(json.dumps({"type": "command", "id": f"r{self.n}", "name": command, "args": args}))
        while True:
            frame: dict[str, Any] = json.loads(await self.ws.recv())
            if frame["type"] in ("ack", "error") and frame.get("id") == f"r{self.n}":
                return frame

    async def close(self) -> None:
        await self.ws.close()


async def test_the_201_carries_one_link_per_screen_for_the_whole_series(server: Running) -> None:
    sid = server.series["series_id"]
    assert server.series["links"] == {
        "room": f"/series/{sid}/room",
        "speaker": f"/series/{sid}/speaker",
        "watch": f"/series/{sid}/watch",
    }
    for link in server.series["links"].values():
        r = await server.http.get(link)
        assert r.status_code == 200
        assert '"follow": true' in r.text and server.session_id(0) in r.text
    r = await server.http.get("/series/nope/room", params={"lang": "fr"})
    assert r.status_code == 404 and '<html lang="fr"' in r.text


async def test_a_follower_hears_the_current_session_change(server: Running) -> None:
    """The series frame names the current session: the next scheduled, then the open one, then the next."""
    first, second = server.session_id(0), server.session_id(1)
    follower = await Raw.open(server, first, follow=True)
    frame = await follower.until("series")
    assert frame["current_session_id"] == first and frame["open_session_ids"] == []
    assert [s["id"] for s in frame["sessions"]] == [first, second]
    assert frame["sessions"][1]["state_under_review"] == {"code": "SE", "name": "Sweden"}
    mod = await Live.open(server.ws, first, server.series["moderator_token"])
    await mod.ok("session.open")
    frame = await follower.until("series")
    assert frame["current_session_id"] == first and frame["open_session_ids"] == [first]
    await mod.ok("session.close")
    frame = await follower.until("series", current_session_id=second)
    assert frame["open_session_ids"] == []
    # A plain socket (no follow) gets no series frame: the next frame after a command is its state.
    plain = await Raw.open(server, second)
    assert (await plain.until("welcome"))["type"] == "welcome"
    assert json.loads(await plain.ws.recv())["type"] == "state"
    await follower.close()
    await plain.close()


async def test_a_bad_follow_or_screen_in_the_hello_closes_4400(server: Running) -> None:
    for hello in (
        {"follow": "yes"},
        {"screen": {"id": "x", "kind": "room"}},
        {"screen": {"id": "a" * 12, "kind": "tv"}},
    ):
        raw = await Raw.open(server, server.session_id(0), **hello)
        try:
            await raw.ws.recv()
            raise AssertionError(f"{hello} was accepted")
        except websockets.ConnectionClosed as e:
            assert e.rcvd is not None and e.rcvd.code == 4400


async def test_the_console_lists_identifies_and_names_the_connected_screens(server: Running) -> None:
    sid = server.session_id(0)
    room = await Raw.open(
        server, sid, follow=True, screen={"id": "projector-0001", "kind": "room"}, lang="fr"
    )
    await room.until("state")
    report = await room.cmd("screen.report", offset_ms=-420_000, rtt_ms=3)
    assert report["type"] == "ack"
    mod = await Raw.open(
        server, sid, server.series["moderator_token"], screen={"id": "console-0001", "kind": "console"}
    )
    await mod.until("state")
    listing = await mod.cmd("screens.list")
    by_id = {s["screen_id"]: s for s in listing["screens"]}
    assert by_id["projector-0001"] | {"connected_at": 0} == {
        "screen_id": "projector-0001",
        "name": "",
        "kind": "room",
        "lang": "fr",
        "role": "viewer",
        "session_id": sid,
        "follows": True,
        "connected_at": 0,
        "offset_ms": -420_000,
        "rtt_ms": 3,
        "state_under_review": {"code": "AM", "name": "Armenia"},
    }
    assert by_id["console-0001"]["kind"] == "console" and by_id["console-0001"]["offset_ms"] is None
    assert (await mod.cmd("screens.name", screen_id="projector-0001", name="  Projector ")).get(
        "type"
    ) == "ack"
    assert (await room.until("screen"))["name"] == "Projector"
    ack = await mod.cmd("screens.identify", screen_id="projector-0001")
    assert ack["reached"] == 1
    assert await room.until("identify") == {
        "type": "identify",
        "screen_id": "projector-0001",
        "name": "Projector",
        "kind": "room",
        "seconds": 5,
    }
    # The name outlives the socket: the same client id comes back with it.
    await room.close()
    again = await Raw.open(server, sid, screen={"id": "projector-0001", "kind": "room"})
    assert (await again.until("screen"))["name"] == "Projector"
    # Bad input: codes and sentences, nothing changes, the socket stays open.
    bad: list[tuple[Raw, str, dict[str, Any], str]] = [
        (mod, "screens.identify", {"screen_id": "nobody-here"}, "not_found"),
        (mod, "screens.name", {"screen_id": "projector-0001", "name": "x" * 41}, "invalid"),
        (mod, "screens.identify", {"screen_id": "projector-0001", "seconds": 0}, "invalid"),
        (again, "screens.list", {}, "forbidden"),
        (again, "screen.report", {"offset_ms": 1.5, "rtt_ms": 1}, "invalid"),
    ]
    for client, name, args, code in bad:
        answer = await client.cmd(name, **args)
        assert answer["type"] == "error" and answer["code"] == code, (name, answer)
        assert answer["message"].endswith(".")
    plain = await Raw.open(server, sid)
    await plain.until("state")
    answer = await plain.cmd("screen.report", offset_ms=1, rtt_ms=1)
    assert answer["code"] == "conflict"
    assert [
        s["name"] for s in (await mod.cmd("screens.list"))["screens"] if s["screen_id"] == "projector-0001"
    ] == ["Projector"]
    for client in (again, mod, plain):
        await client.close()


async def test_the_clock_alone_moves_the_screens_past_a_session_whose_time_is_over(server: Running) -> None:
    """A scheduled session whose planned end passes, never opened, gives way to the next one by itself."""
    now = datetime.now(UTC)
    doc = agenda(title="Clock series")
    doc["sessions"][0]["start"] = (now - timedelta(minutes=15) + timedelta(seconds=1.5)).isoformat()
    doc["sessions"][0]["minutes"] = 15
    doc["sessions"][1]["start"] = (now + timedelta(hours=1)).isoformat()
    r = await server.http.post("/api/series", json=doc, headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 201, r.text
    created = r.json()
    first, second = (s["id"] for s in created["sessions"])
    follower = await Raw.open(server, first, follow=True)
    assert (await follower.until("series"))["current_session_id"] == first
    async with asyncio.timeout(10):
        frame = await follower.until("series")
    assert frame["current_session_id"] == second
    await follower.close()


async def test_a_screens_name_survives_a_restart_of_the_server(tmp_path: Path) -> None:
    db = tmp_path / "names.sqlite3"
    screen = {"id": "podium-laptop-1", "kind": "speaker"}
    async with in_process(db) as server:
        created = await server.create_series(agenda())
        sid = created["sessions"][0]["id"]
        laptop = await Raw.open(server, sid, screen=screen)
        await laptop.until("state")
        mod = await Raw.open(server, sid, created["moderator_token"])
        await mod.until("state")
        assert (await mod.cmd("screens.name", screen_id="podium-laptop-1", name="Podium laptop"))[
            "type"
        ] == "ack"
        await laptop.close()
        await mod.close()
    async with in_process(db) as server:
        again = await Raw.open(server, sid, screen=screen)
        assert (await again.until("screen"))["name"] == "Podium laptop"
        await again.close()
