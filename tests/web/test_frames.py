"""web/frames.py: every client frame parsed, every server frame built (pure, no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from moderator.web import frames
from moderator.web.frames import Bad, CommandFrame, Ping
from tests.support.core import session


def parsed(text: Any) -> Ping | CommandFrame | Bad:
    frame = frames.read(text)
    return frame if isinstance(frame, Bad) else frames.classify(frame)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "hello"}', (None, "en")),
        ('{"type": "hello", "token": "t0k", "lang": "fr"}', ("t0k", "fr")),
        ('{"type": "hello", "lang": "de"}', (None, "en")),
        ('{"type": "hello", "token": ""}', None),
        ('{"type": "hello", "token": 5}', None),
        ('{"type": "hello", "token": "' + "x" * 257 + '"}', None),
        ('{"type": "ping", "t0": 1}', None),
        ('{"type": "hello", "x": NaN}', None),
        ("[1]", None),
        ("not json", None),
        (b'{"type": "hello"}', None),
        ('{"type": "hello", "pad": "' + "x" * frames.FRAME_LIMIT + '"}', None),
    ],
)
def test_hello(text: Any, expected: tuple[str | None, str] | None):
    assert frames.hello(text) == expected


def test_a_ping_and_a_command():
    assert parsed('{"type": "ping", "t0": 12.5}') == Ping(12.5)
    assert parsed('{"type": "command", "id": "c-1", "name": "timer.start"}') == CommandFrame(
        "c-1", "timer.start", {}
    )
    assert parsed('{"type": "command", "id": "c", "name": "timer.start", "args": null}') == CommandFrame(
        "c", "timer.start", {}
    )
    assert parsed(
        '{"type": "command", "id": "c", "name": "timer.adjust", "args": {"delta_ms": 5}}'
    ) == CommandFrame("c", "timer.adjust", {"delta_ms": 5})
    assert parsed('{"type": "command", "id": "c", "name": "timer.start", "args": [1]}') == CommandFrame(
        "c", "timer.start", None
    )


@pytest.mark.parametrize(
    ("text", "words", "cid"),
    [
        (b"{}", "not binary", None),
        ('{"type": "ping", "pad": "' + "x" * frames.FRAME_LIMIT + '"}', "too large", None),
        ('{"type": "ping", "t0": NaN}', "finite", None),
        ('{"type": "ping", "t0": 1e400}', "finite", None),
        ('{"type": "ping", "t0": Infinity}', "finite", None),
        ("{nope", "not valid JSON", None),
        ("[" * 20_000 + "]" * 20_000, "not valid JSON", None),
        ('"ping"', "JSON object", None),
        ('{"type": "ping"}', "'t0'", None),
        ('{"type": "ping", "t0": true}', "'t0'", None),
        ('{"type": "ping", "t0": "1"}', "'t0'", None),
        ('{"type": "hello"}', "already said hello", None),
        ('{"type": "dance", "id": "d"}', "Unknown frame type", None),
        ('{"type": "command", "name": "timer.start"}', "'id'", None),
        ('{"type": "command", "id": "", "name": "timer.start"}', "'id'", None),
        ('{"type": "command", "id": "' + "i" * 65 + '", "name": "timer.start"}', "'id'", None),
        ('{"type": "command", "id": "c", "name": "timer.fly"}', "Unknown command", "c"),
        ('{"type": "command", "id": "c", "name": 3}', "Unknown command", "c"),
    ],
)
def test_every_bad_message(text: Any, words: str, cid: str | None):
    answer = parsed(text)
    assert isinstance(answer, Bad) and answer.code == "bad_message", answer
    assert words in answer.message and answer.id == cid


def test_the_id_echoed_in_an_answer():
    assert frames.frame_id({"id": "c-9"}) == "c-9"
    assert frames.frame_id({"id": "i" * 65}) is None
    assert frames.frame_id({"id": 9}) is None


def test_the_server_frames():
    assert json.loads(frames.welcome("delegation", "FR", 1000, "s-1", "fr")) == {
        "type": "welcome",
        "role": "delegation",
        "state_code": "FR",
        "server_time": 1000,
        "session_id": "s-1",
        "lang": "fr",
    }
    assert json.loads(frames.ack("c-1", 43)) == {"type": "ack", "id": "c-1", "seq": 43}
    assert json.loads(frames.pong(1.5, 2, 3)) == {"type": "pong", "t0": 1.5, "t1": 2, "t2": 3}
    assert json.loads(frames.error("fr", "not_found", "There is no such session.", "c-2")) == {
        "type": "error",
        "id": "c-2",
        "code": "not_found",
        "message": "Cette séance n'existe pas.",
    }
    bad = frames.bad("en", Bad("bad_message", "That frame is too large: at most 64 KiB."))
    assert json.loads(bad)["id"] is None and "64 KiB" in json.loads(bad)["message"]
    assert "\u00e9" in frames.error("fr", "not_found", "There is no such session.")  # not \\u-escaped


def test_the_state_frame():
    state = session()
    frame = json.loads(frames.state(state, "viewer", 5000))
    assert frame["type"] == "state" and frame["seq"] == state.seq and frame["server_time"] == 5000
    assert frame["session"]["speakers"][0]["id"] == state.speakers[0].id
