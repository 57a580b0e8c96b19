"""Video upload, serving with HTTP Range, and import: against a real uvicorn and a real SQLite file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import ClientDisconnect

from moderator.core.agenda import parse_agenda
from moderator.importer import import_file
from moderator.runtime.engine import Engine
from moderator.settings import Settings
from moderator.store.sqlite import SQLiteStore
from moderator.web import media
from moderator.web.media import MediaError, ingest, media_type, sniff
from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video

AUTH = {"Authorization": f"Bearer {ADMIN}"}
LIMIT = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 20 s WebM (VP8) and a 20 s MP4 (H.264), made once for this module."""
    folder = tmp_path_factory.mktemp("videos")
    return {"webm": make_video(folder, "webm"), "mp4": make_video(folder, "mp4")}


@pytest.fixture
async def virtual(tmp_path: Path) -> AsyncIterator[Running]:
    """A server with a virtual series, a video size limit of 2 MB."""
    async with in_process(tmp_path / "m.sqlite3", max_video_bytes=LIMIT) as running:
        await running.create_series(agenda(format="virtual"))
        yield running


def speaker_id(server: Running, n: int = 0) -> str:
    return str(server.series["sessions"][0]["speakers"][n]["id"])


async def put(server: Running, sid: str, body: Any, kind: str = "video/mp4", **headers: str) -> Any:
    return await server.http.put(
        f"/api/speakers/{sid}/video", content=body, headers={**AUTH, "Content-Type": kind, **headers}
    )


def leftovers(tmp_path: Path) -> list[str]:
    folder = tmp_path / "m-media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_sniffing_and_content_types():
    """MP4 is an `ftyp` box at byte 4, WebM the EBML magic; Content-Type parameters are ignored."""
    assert sniff(b"\x00\x00\x00\x20ftypisom") == "video/mp4"
    assert sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81") == "video/webm"
    assert sniff(b"<html><body>") is None and sniff(b"") is None
    assert media_type("Video/WebM; codecs=vp8") == "video/webm"
    assert media_type("video/quicktime") == "video/quicktime"
    assert media_type("video/x-msvideo") is None and media_type(None) is None


async def test_an_mp4_upload_tells_every_screen_and_is_served_with_ranges(
    virtual: Running, videos: dict[str, Path], tmp_path: Path
):
    """201 with the length read from the file; every screen learns it; Range requests get 206, right bytes."""
    sid = speaker_id(virtual)
    viewer = await Live.open(virtual.ws, virtual.session_id(), None)
    data = videos["mp4"].read_bytes()
    r = await put(virtual, sid, data)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["speaker_id"] == sid and body["url"].startswith("/media/") and body["url"].endswith(".mp4")
    assert 19_900 <= body["duration_ms"] <= 20_200
    seen = await viewer.until(viewer.seq + 1)
    assert seen["speakers"][0]["video"] == {"url": body["url"], "duration_ms": body["duration_ms"]}

    whole = await virtual.http.get(body["url"])
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "video/mp4" and whole.headers["accept-ranges"] == "bytes"
    part = await virtual.http.get(body["url"], headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    tail = await virtual.http.get(body["url"], headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == data[-100:]
    beyond = await virtual.http.get(body["url"], headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    head = await virtual.http.head(body["url"])
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data)
    assert leftovers(tmp_path) == [body["url"].removeprefix("/media/")]
    await viewer.close()


def without_duration(webm: Path, out: Path) -> Path:
    """The WebM with its Segment Info `Duration` element voided, as a browser's MediaRecorder writes it."""
    data = bytearray(webm.read_bytes())
    at = data.find(b"\x44\x89\x88")  # Duration, 8-byte float
    assert at > 0
    data[at] = 0xEC  # a Void element of the same size: EC 89 covers the 9 bytes that follow
    out.write_bytes(data)
    return out


async def test_a_webm_gets_its_length_on_upload_and_nobody_may_report_another(
    virtual: Running, videos: dict[str, Path], tmp_path: Path
):
    """WebM: the server reads the length from the file, also where the header states none; a viewer's
    video.duration is forbidden (it ended or stretched statements), the moderator's conflict."""
    sid = speaker_id(virtual, 1)
    r = await put(virtual, sid, videos["webm"].read_bytes(), "video/webm; codecs=vp8")
    assert r.status_code == 201, r.text
    assert 19_900 <= r.json()["duration_ms"] <= 20_300 and r.json()["url"].endswith(".webm")
    served = await virtual.http.get(r.json()["url"], headers={"Range": "bytes=0-3"})
    assert served.status_code == 206 and served.content == b"\x1a\x45\xdf\xa3"
    assert served.headers["content-type"] == "video/webm"
    viewer = await Live.open(virtual.ws, virtual.session_id(), None)
    assert viewer.state["speakers"][1]["video"]["duration_ms"] == r.json()["duration_ms"]
    await viewer.refused("forbidden", "video.duration", speaker_id=sid, duration_ms=1)
    mod = await Live.open(virtual.ws, virtual.session_id(), virtual.series["moderator_token"])
    await mod.refused("conflict", "video.duration", speaker_id=sid, duration_ms=14_400_000)

    recorded = without_duration(videos["webm"], tmp_path / "recorded.webm")
    r = await put(virtual, speaker_id(virtual, 2), recorded.read_bytes(), "video/webm")
    assert r.status_code == 201, r.text
    assert 19_900 <= r.json()["duration_ms"] <= 20_300
    await viewer.close()
    await mod.close()


async def test_the_moderator_reports_a_length_the_server_could_not_read(
    virtual: Running, videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    """Only when the file does not tell: the moderator may report it, once, within sane bounds."""
    monkeypatch.setattr(media, "read_duration", lambda path: None)
    sid = speaker_id(virtual, 1)
    r = await put(virtual, sid, videos["webm"].read_bytes(), "video/webm")
    assert r.status_code == 201 and r.json()["duration_ms"] is None
    viewer = await Live.open(virtual.ws, virtual.session_id(), None)
    phone = await Live.open(virtual.ws, virtual.session_id(), virtual.token("FR"))
    mod = await Live.open(virtual.ws, virtual.session_id(), virtual.series["moderator_token"])
    await viewer.refused("forbidden", "video.duration", speaker_id=sid, duration_ms=20_000)
    await phone.refused("forbidden", "video.duration", speaker_id=sid, duration_ms=20_000)
    await mod.refused("invalid", "video.duration", speaker_id=sid, duration_ms=1)
    await mod.ok("video.duration", speaker_id=sid, duration_ms=20_000)
    assert mod.state["speakers"][1]["video"]["duration_ms"] == 20_000
    await mod.refused("conflict", "video.duration", speaker_id=sid, duration_ms=19_000)


async def test_who_may_upload(virtual: Running, videos: dict[str, Path]):
    """No token 401, another token 403, an unknown speaker 404; nothing is stored."""
    data = videos["mp4"].read_bytes()
    url = f"/api/speakers/{speaker_id(virtual)}/video"
    r = await virtual.http.put(url, content=data, headers={"Content-Type": "video/mp4"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    mission = {"Authorization": f"Bearer {virtual.token('FR')}", "Content-Type": "video/mp4"}
    r = await virtual.http.put(url, content=data, headers=mission)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    other_series = await virtual.http.post(
        "/api/series", json=agenda(format="virtual"), headers={"Authorization": f"Bearer {ADMIN}"}
    )
    other = {"Authorization": f"Bearer {other_series.json()['moderator_token']}", "Content-Type": "video/mp4"}
    r = await virtual.http.put(url, content=data, headers=other)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await put(virtual, "no-such-speaker", data)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    state = (await virtual.http.get(f"/api/sessions/{virtual.session_id()}")).json()
    assert all(s["video"] is None for s in state["session"]["speakers"])


async def test_the_series_moderator_may_upload(virtual: Running, videos: dict[str, Path]):
    """The workspace uploads with the moderator token of the speaker's own series."""
    own = {"Authorization": f"Bearer {virtual.series['moderator_token']}", "Content-Type": "video/webm"}
    r = await virtual.http.put(
        f"/api/speakers/{speaker_id(virtual)}/video", content=videos["webm"].read_bytes(), headers=own
    )
    assert r.status_code == 201 and 19_900 <= r.json()["duration_ms"] <= 20_100, r.text


async def test_a_quicktime_file_holding_h264_is_accepted_and_served_as_mp4(virtual: Running, tmp_path: Path):
    """A real .mov (ffmpeg's QuickTime muxer, H.264): 201 with its length, served as video/mp4."""
    mov = make_video(tmp_path, "mov", 6, name="statement.mov")
    assert mov.read_bytes()[4:12] == b"ftypqt  "
    r = await put(virtual, speaker_id(virtual), mov.read_bytes(), "video/quicktime")
    assert r.status_code == 201 and 5_900 <= r.json()["duration_ms"] <= 6_100, r.text
    served = await virtual.http.get(r.json()["url"])
    assert served.headers["content-type"] == "video/mp4" and served.content == mov.read_bytes()


async def test_a_codec_browsers_do_not_play_is_refused_with_the_reason(virtual: Running, tmp_path: Path):
    """MPEG-4 Part 2 in MP4 and Motion JPEG in QuickTime: 415, the sentence names the codec; nothing kept."""
    for kind, content_type, codec in (
        ("mpeg4.mp4", "video/mp4", "mpeg4"),
        ("mjpeg.mov", "video/quicktime", "mjpeg"),
    ):
        clip = make_video(tmp_path, kind, 2, name=f"bad-{kind}")
        r = await put(virtual, speaker_id(virtual), clip.read_bytes(), content_type)
        assert r.status_code == 415, r.text
        message = r.json()["error"]["message"]
        assert codec in message and "H.264" in message, message
    assert leftovers(tmp_path) == []


async def test_refused_bodies_leave_nothing_behind(virtual: Running, videos: dict[str, Path], tmp_path: Path):
    """Wrong type 415, not a video 415, a WebM sent as MP4 415, empty 422: clear errors, no file left."""
    sid = speaker_id(virtual)
    mp4 = videos["mp4"].read_bytes()
    cases: list[tuple[bytes, str, int, str]] = [
        (mp4, "application/octet-stream", 415, "unsupported_media_type"),
        (mp4, "video/x-msvideo", 415, "unsupported_media_type"),
        (b"<html>" + b"x" * 5000, "video/mp4", 415, "unsupported_media_type"),
        (b"tiny", "video/webm", 415, "unsupported_media_type"),
        (videos["webm"].read_bytes(), "video/mp4", 415, "unsupported_media_type"),
        (b"", "video/mp4", 422, "invalid"),
    ]
    for body, kind, status, code in cases:
        r = await put(virtual, sid, body, kind)
        assert r.status_code == status, (kind, body[:8], r.text)
        error = r.json()["error"]
        assert error["code"] == code and error["message"].endswith("."), error
    r = await put(virtual, sid, b"", "video/mp4", **{"Accept-Language": "fr"})
    assert r.status_code == 422 and r.json()["error"]["message"]
    assert leftovers(tmp_path) == []
    state = (await virtual.http.get(f"/api/sessions/{virtual.session_id()}")).json()
    assert state["session"]["speakers"][0]["video"] is None


async def test_too_large_by_its_length_or_while_streaming(virtual: Running, tmp_path: Path):
    """Over the limit: 413 from Content-Length before reading, and from the count when the body is chunked."""
    sid = speaker_id(virtual)
    big = b"\x00\x00\x00\x20ftypisom" + b"\x00" * (LIMIT + 10)
    r = await put(virtual, sid, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert "2 MB" in r.json()["error"]["message"]

    async def chunked() -> AsyncIterator[bytes]:
        yield b"\x00\x00\x00\x20ftypisom"
        for _ in range(LIMIT // 65536 + 2):
            yield b"\x00" * 65536

    r = await put(virtual, sid, chunked())
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    assert leftovers(tmp_path) == []


async def test_a_new_upload_replaces_the_old_file(virtual: Running, videos: dict[str, Path], tmp_path: Path):
    """The second upload gets a new URL (browsers may cache the first for good) and the first file goes."""
    sid = speaker_id(virtual)
    first = (await put(virtual, sid, videos["mp4"].read_bytes())).json()
    second = (await put(virtual, sid, videos["webm"].read_bytes(), "video/webm")).json()
    assert first["url"] != second["url"]
    assert (await virtual.http.get(first["url"])).status_code == 404
    assert leftovers(tmp_path) == [second["url"].removeprefix("/media/")]
    assert "immutable" in (await virtual.http.get(second["url"])).headers["cache-control"]


async def test_only_stored_video_names_are_served(virtual: Running, tmp_path: Path):
    """Names outside the media folder, hidden temporary files and other extensions are 404."""
    (tmp_path / "m-media").mkdir(exist_ok=True)
    (tmp_path / "m-media" / ".upload-1.part").write_bytes(b"partial")
    (tmp_path / "m-media" / "notes.txt").write_bytes(b"text")
    for name in (
        "..%2Fm.sqlite3",
        "%2E%2E%2Fm.sqlite3",
        ".upload-1.part",
        "notes.txt",
        "nothing.mp4",
        "a%00.mp4",
    ):
        r = await virtual.http.get(f"/media/{name}")
        assert r.status_code == 404, name
    r = await virtual.http.get("/media/../m.sqlite3")
    assert r.status_code == 404


async def test_a_closed_session_takes_no_video(virtual: Running, videos: dict[str, Path]):
    """Once the session is closed, its speakers' videos cannot change: 409."""
    mod = await Live.open(virtual.ws, virtual.session_id(), virtual.series["moderator_token"])
    await mod.ok("session.close")
    r = await put(virtual, speaker_id(virtual), videos["mp4"].read_bytes())
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    await mod.close()


async def test_import_attaches_the_videos_an_agenda_names(tmp_path: Path, videos: dict[str, Path]):
    """`moderator import`: paths relative to the agenda file; a bad file is reported, the others attached."""
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "s1.mp4").write_bytes(videos["mp4"].read_bytes())
    (tmp_path / "clips" / "s2.mp4").write_bytes(b"not a video at all")
    doc = agenda(format="virtual")
    speakers = doc["sessions"][0]["speakers"]
    speakers[0]["video"] = "clips/s1.mp4"
    speakers[1]["video"] = "clips/s2.mp4"
    speakers[2]["video"] = "clips/missing.webm"
    speakers[3]["video"] = "clips/s1.avi"
    path = tmp_path / "agenda.json"
    path.write_text(json.dumps(doc))
    settings = Settings(db_path=tmp_path / "m.sqlite3")
    created, text = await import_file(path, settings)
    assert created is not None, text
    assert "AM/a2: clips/s2.mp4: This is not a valid MP4 video" in text
    assert "AM/a3: clips/missing.webm: The file cannot be read" in text
    assert "AM/a4: clips/s1.avi: Only .mp4, .mov and .webm files can be attached." in text
    store = await SQLiteStore.open(settings.db_path)
    try:
        first = created.sessions[0]["speakers"][0]["id"]
        video = await store.video(first)
        assert video is not None and video.content_type == "video/mp4" and (video.duration_ms or 0) >= 19_900
        assert (settings.media / video.path).read_bytes() == videos["mp4"].read_bytes()
        events = await store.events(created.sessions[0]["id"])
        assert [e["type"] for e in events] == ["video.attached"]
        assert events[0]["url"] == f"/media/{video.path}"
    finally:
        await store.close()
    assert sorted(p.name for p in settings.media.iterdir()) == [video.path]


async def test_a_body_cut_off_midway_leaves_nothing(tmp_path: Path, videos: dict[str, Path]):
    """A client that goes away mid-upload: the partial file is removed and nothing is recorded."""
    settings = Settings(db_path=tmp_path / "m.sqlite3")
    store = await SQLiteStore.open(settings.db_path)
    engine = Engine(store)
    try:
        created = await store.create_series(parse_agenda(agenda(format="virtual")))
        await engine.load()
        data = videos["mp4"].read_bytes()

        async def cut_off() -> AsyncIterator[bytes]:
            yield data[:100_000]
            raise ClientDisconnect()

        speaker = created.sessions[0]["speakers"][0]["id"]
        with pytest.raises(ClientDisconnect):
            await ingest(store, engine, settings, speaker, cut_off(), "video/mp4")
        assert list(settings.media.iterdir()) == []
        assert await store.video(speaker) is None
        assert await store.events(created.sessions[0]["id"]) == []
    finally:
        engine.close()
        await store.close()


def test_media_errors_speak_english_for_the_command_line():
    """MediaError carries an HTTP status, a code and a sentence with its placeholders filled."""
    e = MediaError(413, "too_large", "The video is larger than the limit of %(size)s.", size="2 MB")
    assert e.english() == "The video is larger than the limit of 2 MB." and e.status == 413
