"""Fan-out against real uvicorn and real sockets: a stalled client delays nobody, gets the newest state
(not every one it missed), and every client sees welcome, state and acks in the contract's order."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from moderator.runtime import hub as hub_module
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import Running, in_process

TEXT = "Please conclude your statement now, the time allotted to you is over. " * 3


@pytest.fixture
async def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Running]:
    """A server whose moderator may send as fast as the test can, and that drops no stalled client
    while a test runs (a loaded machine may take more than STALL_SECONDS to fill a socket)."""
    monkeypatch.setattr(hub_module, "STALL_SECONDS", 600.0)
    async with in_process(
        tmp_path / "m.sqlite3", moderator_commands_per_second=1e6, moderator_command_burst=1e6
    ) as running:
        await running.create_series(agenda())
        yield running
        await Live.close_all()


async def stalled_client(server: Running, session_id: str, token: str | None = None) -> ClientConnection:
    """A real client with a 1 KiB receive buffer that reads at most one frame until the test reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.setblocking(False)
    host, port = server.base.removeprefix("http://").split(":")
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    ws = await websockets.connect(
        f"{server.ws}/ws/sessions/{session_id}", sock=sock, max_queue=1, compression=None
    )
    await ws.send(json.dumps({"type": "hello", "token": token}))
    return ws


async def frames(ws: ClientConnection, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """Every frame `ws` receives, until `done(frames so far)`."""
    got: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while not got or not done(got):
            got.append(json.loads(await ws.recv()))
    return got


def newest(got: list[dict[str, Any]]) -> int:
    return max((f["seq"] for f in got if f["type"] == "state"), default=-1)


def show(cid: str, i: int) -> str:
    args = {"text": f"{i} {TEXT}"[:200], "to": "room"}
    return json.dumps({"type": "command", "id": cid, "name": "message.show", "args": args})


def in_order(got: list[dict[str, Any]]) -> None:
    """welcome, then state; states only move forward, acks too; each ack is followed by a state with
    its seq or a later one (an ack leaves once its change is committed, the fan-out after it)."""
    assert [f["type"] for f in got[:2]] == ["welcome", "state"]
    seen = acked = -1
    for f in got[1:]:
        if f["type"] == "state":
            assert f["seq"] > seen, "a state went backwards or came twice"
            seen = f["seq"]
        else:
            assert f["type"] == "ack" and f["seq"] > acked, f"an ack out of order: {f}"
            acked = f["seq"]
    assert seen >= acked, "an ack whose change never came in a state"


def answered(cid: str) -> Callable[[list[dict[str, Any]]], bool]:
    """Done once the ack of `cid` and a state with its seq (or a later one) have come."""

    def done(got: list[dict[str, Any]]) -> bool:
        ack = next((f for f in got if f.get("id") == cid), None)
        return ack is not None and newest(got) >= ack["seq"]

    return done


def blocked(server: Running, session_id: str) -> list[hub_module.Client]:
    return [c for c in server.app.state.services.hub.clients(session_id) if c.blocked_since is not None]


@pytest.mark.slow
async def test_a_client_that_never_reads_delays_nobody_then_gets_the_newest_state(server: Running) -> None:
    """While one viewer reads nothing, the other viewer has each state before the next command;
    reading again, the stalled one gets far fewer frames than there were states, ending with the last."""
    sid = server.session_id()
    stalled = await stalled_client(server, sid)
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    viewer = await Live.open(server.ws, sid, None)
    seq = 0
    for i in range(3000):  # some MB of frames: more than the kernel buffers of one socket hold
        seq = await mod.ok("message.show", text=f"{i} {TEXT}"[:200], to="room")
        await asyncio.wait_for(viewer.until(seq), 5)  # not held back behind the stalled socket
        if i >= 100 and i % 100 == 0 and blocked(server, sid):
            break
    (slow,) = blocked(server, sid)
    assert slow.waiting == 1  # the newest state, however many it replaced
    first = seq
    for _ in range(20):  # more states while it is blocked: still one frame waiting
        seq = await mod.ok("message.show", text=f"later {TEXT}"[:200], to="room")
        await asyncio.wait_for(viewer.until(seq), 5)
    assert slow.waiting == 1
    got = await frames(stalled, lambda got: newest(got) >= seq)
    in_order(got)
    states = {f["seq"] for f in got if f["type"] == "state"}
    assert newest(got) == seq
    assert not states & set(range(first + 1, seq)), "it got the states it missed, not just the newest"
    await stalled.close()


async def test_welcome_then_state_then_acks_in_order_each_followed_by_its_state(server: Running) -> None:
    """50 commands sent at once: acks come in the order sent, each followed by a state with its seq."""
    sid = server.session_id()
    async with websockets.connect(f"{server.ws}/ws/sessions/{sid}", compression=None) as ws:
        await ws.send(json.dumps({"type": "hello", "token": server.series["moderator_token"]}))
        for i in range(50):
            args = {"text": f"{i} {TEXT}"[:200], "to": "room"}
            await ws.send(
                json.dumps({"type": "command", "id": f"c{i}", "name": "message.show", "args": args})
            )
        got = await frames(ws, answered("c49"))
    in_order(got)
    assert [f["id"] for f in got if f["type"] == "ack"] == [f"c{i}" for i in range(50)]


@pytest.mark.slow
async def test_a_blocked_client_gets_its_acks_in_order_after_the_newest_state(server: Running) -> None:
    """A moderator that reads nothing while its socket is full still gets, once it reads, every ack in
    order, each after a state with its seq; the states it missed in between are skipped."""
    sid = server.session_id()
    token = server.series["moderator_token"]
    slow_mod = await stalled_client(server, sid, token)
    mod = await Live.open(server.ws, sid, token)
    seq = 0
    for i in range(3000):  # fill the slow moderator's socket with states
        seq = await mod.ok("message.show", text=f"{i} {TEXT}"[:200], to="room")
        if i >= 100 and i % 100 == 0 and blocked(server, sid):
            break
    (slow,) = blocked(server, sid)
    first = seq
    for i in range(10):  # its own commands, answered while it cannot take them
        args = {"text": f"mine {i} {TEXT}"[:200], "to": "room"}
        await slow_mod.send(
            json.dumps({"type": "command", "id": f"m{i}", "name": "message.show", "args": args})
        )
    await asyncio.wait_for(mod.until(first + 10), 10)  # all ten committed
    assert slow.waiting >= 2  # the newest state and acks, none written
    seq = await mod.ok("message.show", text="and one more from the console", to="room")
    got = await frames(slow_mod, lambda got: newest(got) >= seq and answered("m9")(got))
    in_order(got)
    assert [f["id"] for f in got if f["type"] == "ack"] == [f"m{i}" for i in range(10)]
    states = {f["seq"] for f in got if f["type"] == "state"}
    assert not states & set(range(first + 1, seq)), "it got the states it missed, not just the newest"
    await slow_mod.close()


async def test_the_ack_leaves_before_the_fan_out_of_its_change(server: Running) -> None:
    """The ack waits for the commit, not for the fan-out: on the sender's own socket the ack of a
    command comes before the state of its change, with ten viewers connected."""
    sid = server.session_id()
    viewers = [await Live.open(server.ws, sid, None) for _ in range(10)]
    async with websockets.connect(f"{server.ws}/ws/sessions/{sid}", compression=None) as ws:
        await ws.send(json.dumps({"type": "hello", "token": server.series["moderator_token"]}))
        await frames(ws, lambda got: len(got) == 2)  # welcome, state
        for i in range(5):
            await ws.send(show(f"c{i}", i))
            got = await frames(ws, answered(f"c{i}"))
            assert [f["type"] for f in got] == ["ack", "state"], got
            assert got[1]["seq"] == got[0]["seq"]
    for viewer in viewers:
        await asyncio.wait_for(viewer.until(got[0]["seq"]), 5)


class FakeWire:
    """A socket that takes bytes while `open_for_writes`; what it was given, frame by frame."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.open_for_writes = True
        self.resumed: Callable[[], None] | None = None
        self.aborted = False

    @property
    def writable(self) -> bool:
        return self.open_for_writes and not self.aborted

    def write(self, frame: bytes) -> None:
        self.written.append(frame)

    def on_change(self, callback: Callable[[], None] | None) -> None:
        self.resumed = callback

    def abort(self) -> None:
        self.aborted = True

    def texts(self) -> list[str]:
        """The payloads written: each a whole unmasked text frame (websockets parses them back)."""
        from websockets.frames import Frame
        from websockets.streams import StreamReader

        out = []
        for data in self.written:
            reader = StreamReader()
            reader.feed_data(data)
            parser = Frame.parse(reader.read_exact, mask=False)
            try:
                next(parser)
            except StopIteration as done:
                out.append(done.value.data.decode())
        return out


def test_one_frame_of_a_state_is_framed_once_and_the_same_bytes_go_to_every_idle_client() -> None:
    wires = [FakeWire() for _ in range(3)]
    clients = [hub_module.Client(w, "viewer", None) for w in wires]
    state, frame = object(), hub_module.framed('{"type":"state","seq":7}')
    for c in clients:
        c.push_state(frame, state)
    assert all(w.written == [frame] for w in wires)
    assert all(w.written[0] is frame for w in wires), "written as built, not framed again per client"
    assert wires[0].texts() == ['{"type":"state","seq":7}']


def test_a_state_already_handed_over_is_not_sent_again_but_a_new_one_with_the_same_seq_is() -> None:
    """A client that joined between a commit and its fan-out had that state: not twice. A retitled
    series changes the state but not its seq: sent."""
    wire = FakeWire()
    client = hub_module.Client(wire, "viewer", None)
    first, retitled = object(), object()
    client.push_state(hub_module.framed("a"), first)
    client.push_state(hub_module.framed("a"), first)
    client.push_state(hub_module.framed("b"), retitled)
    assert wire.texts() == ["a", "b"]


def test_a_full_socket_keeps_control_frames_in_order_and_only_the_newest_state() -> None:
    wire = FakeWire()
    client = hub_module.Client(wire, "moderator", None)
    wire.open_for_writes = False
    client.push('{"type":"ack","id":"c1"}')
    for i in range(5):
        client.push_state(hub_module.framed(f"state {i}"), object())
    client.push('{"type":"ack","id":"c2"}')
    assert wire.written == [] and client.waiting == 3 and client.blocked_since is not None
    wire.open_for_writes = True
    assert wire.resumed is not None
    wire.resumed()
    assert wire.texts() == ['{"type":"ack","id":"c1"}', "state 4", '{"type":"ack","id":"c2"}']
    assert client.waiting == 0 and client.blocked_since is None


def test_a_client_whose_outbox_overflows_is_dropped_and_written_nothing_more() -> None:
    wire = FakeWire()
    client = hub_module.Client(wire, "viewer", None)
    wire.open_for_writes = False
    for i in range(hub_module.MAX_OUTBOX + 1):
        client.push(f'{{"type":"pong","t0":{i}}}')
    assert wire.aborted and client.gone and client.waiting == 0
    client.push_state(hub_module.framed("late"), object())
    assert wire.written == []


class PausingWire(FakeWire):
    """A socket whose buffer fills after `room` writes: flow control pauses it inside that write, as
    asyncio's transports call pause_writing from within `write`."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, frame: bytes) -> None:
        super().write(frame)
        if len(self.written) >= self.room and self.open_for_writes:
            self.open_for_writes = False
            assert self.resumed is not None
            self.resumed()

    def drain(self) -> None:
        self.room = 10**9
        self.open_for_writes = True
        assert self.resumed is not None
        self.resumed()


class FakeState:
    def __init__(self, seq: int) -> None:
        self.seq = seq


def joined(hub: hub_module.Hub, wire: FakeWire, state: FakeState, role: str = "viewer") -> hub_module.Client:
    """A client as live.py makes one: handed the current state, then joined."""
    client = hub_module.Client(wire, role, None)
    client.push_state(hub_module.framed(f"state {state.seq}"), state)
    hub.join("s1", client)
    return client


def publish(hub: hub_module.Hub, state: FakeState) -> None:
    audience = hub._audiences["s1"]
    audience.publish(state, lambda role: hub_module.framed(f"{role} {state.seq}"))


def test_the_pass_hands_a_joiner_nothing_it_has_then_writes_it_with_the_ready_clients() -> None:
    hub = hub_module.Hub()
    s1, s2 = FakeState(1), FakeState(2)
    wires = [FakeWire() for _ in range(3)]
    clients = [joined(hub, w, s1) for w in wires]
    moderator = joined(hub, FakeWire(), s1, role="moderator")
    publish(hub, s1)  # the fan-out of the state they were handed on arrival
    assert [w.texts() for w in wires] == [["state 1"]] * 3
    audience = hub._audiences["s1"]
    assert not audience.others and len(audience.ready["public"]) == 3 and len(audience) == 4
    publish(hub, s2)
    assert [w.texts() for w in wires] == [["state 1", "public 2"]] * 3
    assert moderator._wire.texts() == ["state 1", "moderator 2"]  # type: ignore[attr-defined]
    hub.leave("s1", clients[0])
    publish(hub, FakeState(3))
    assert wires[0].texts() == ["state 1", "public 2"] and wires[1].texts()[-1] == "public 3"
    assert hub.count("s1") == 3


def test_a_client_whose_socket_fills_in_the_pass_leaves_it_gets_the_newest_state_then_comes_back() -> None:
    hub = hub_module.Hub()
    s1 = FakeState(1)
    full, other = PausingWire(room=2), FakeWire()
    slow, _ = joined(hub, full, s1), joined(hub, other, s1)
    publish(hub, s1)
    publish(hub, FakeState(2))  # its second write fills the socket: paused inside the write
    audience = hub._audiences["s1"]
    assert slow in audience.others
    slow.push('{"type":"pong","t0":1}')
    for seq in (3, 4, 5):
        publish(hub, FakeState(seq))
    assert full.texts() == ["state 1", "public 2"] and other.texts()[-1] == "public 5"
    assert slow.waiting == 2
    full.drain()
    assert full.texts() == ["state 1", "public 2", '{"type":"pong","t0":1}', "public 5"]
    publish(hub, FakeState(6))  # idle again: written in the pass, then ready
    assert full.texts()[-1] == "public 6" and slow not in audience.others
    publish(hub, FakeState(7))
    assert full.texts()[-2:] == ["public 6", "public 7"]


def test_a_ready_client_whose_wire_closes_is_written_nothing_more_in_the_pass() -> None:
    hub = hub_module.Hub()
    s1 = FakeState(1)
    wire, other = FakeWire(), FakeWire()
    joined(hub, wire, s1), joined(hub, other, s1)
    publish(hub, s1)
    wire.open_for_writes = False  # a close frame went, or the connection was lost (guard.py)
    assert wire.resumed is not None
    wire.resumed()
    publish(hub, FakeState(2))
    assert wire.texts() == ["state 1"] and other.texts() == ["state 1", "public 2"]


def test_a_write_that_fails_in_the_pass_drops_that_client_and_the_others_still_get_the_state() -> None:
    class Broken(FakeWire):
        def write(self, frame: bytes) -> None:
            if self.written:
                raise RuntimeError("unable to perform operation: the handler is closed")
            super().write(frame)

    hub = hub_module.Hub()
    s1 = FakeState(1)
    broken, wires = Broken(), [FakeWire() for _ in range(2)]
    client = joined(hub, broken, s1)
    for w in wires:
        joined(hub, w, s1)
    publish(hub, s1)
    publish(hub, FakeState(2))
    assert client.gone and broken.aborted
    assert all(w.texts()[-1] == "public 2" for w in wires)
    publish(hub, FakeState(3))
    assert broken.texts() == ["state 1"] and all(w.texts()[-1] == "public 3" for w in wires)


def ready(server: Running, sid: str) -> list[hub_module.Client]:
    audience = server.app.state.services.hub._audiences[sid]
    return [c for clients in audience.ready.values() for c in clients.values()]


async def test_the_real_protocol_takes_a_client_out_of_the_pass_when_its_socket_pauses_or_a_close_comes(
    server: Running,
) -> None:
    """guard.py's protocol tells the hub after uvicorn's entry points: flow control's pause takes the
    viewer out of the ready ones (its next state waits in its outbox), resume writes it and a later
    pass makes it ready again; a close frame from the viewer takes it out for good."""
    from websockets.frames import Close, Frame, Opcode

    sid = server.session_id()
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    viewer = await Live.open(server.ws, sid, None)
    seq = await mod.ok("message.show", text="one", to="room")
    await asyncio.wait_for(viewer.until(seq), 5)
    (client,) = [c for c in ready(server, sid) if c.role != "moderator"]
    protocol = client._wire._socket  # type: ignore[attr-defined]
    protocol.pause_writing()
    assert client not in ready(server, sid)
    seq = await mod.ok("message.show", text="two", to="room")
    assert client.waiting == 1
    protocol.resume_writing()
    await asyncio.wait_for(viewer.until(seq), 5)
    seq = await mod.ok("message.show", text="three", to="room")
    await asyncio.wait_for(viewer.until(seq), 5)
    assert client in ready(server, sid)
    protocol.data_received(Frame(Opcode.CLOSE, Close(1000, "").serialize()).serialize(mask=True))
    assert client not in ready(server, sid)
    await viewer.ws.wait_closed()
