"""Written statements (PDF) and the public statements page, over real uvicorn.

Consent is tested as a leak would be found: fetch the page, then every URL it references, and
search every body and header for the names that must not be there."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.agenda import agenda
from tests.support.live import Live
from tests.support.pdf import make_pdf
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video

AUTH = {"Authorization": f"Bearer {ADMIN}"}
LIMIT = 64 * 1024


def consent_agenda() -> dict[str, Any]:
    """Anna Petrosyan consents under her public name; the Office of the Defender does not."""
    doc = agenda(format="virtual")
    doc["sessions"][0]["speakers"][1]["publish"] = False
    return doc


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Running]:
    async with in_process(
        tmp_path / "m.sqlite3", max_statement_bytes=LIMIT, max_video_bytes=2**21
    ) as running:
        await running.create_series(consent_agenda())
        yield running
        await Live.close_all()


def speaker_id(server: Running, n: int) -> str:
    return str(server.series["sessions"][0]["speakers"][n]["id"])


async def put(server: Running, sid: str, body: bytes, token: str = ADMIN, **headers: str) -> Any:
    return await server.http.put(
        f"/api/speakers/{sid}/statement",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/pdf", **headers},
    )


def media_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "m-media"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_who_may_attach_and_what_is_refused_each_with_a_sentence(server: Running, tmp_path: Path):
    sid = speaker_id(server, 0)
    pdf = make_pdf()
    assert (await server.http.put(f"/api/speakers/{sid}/statement", content=pdf)).status_code == 401
    mission = await put(server, sid, pdf, token=server.token("FR"))
    assert mission.status_code == 403 and mission.json()["error"]["code"] == "forbidden"
    other = await server.http.post("/api/series", json=agenda(title="Other"), headers=AUTH)
    assert (await put(server, sid, pdf, token=other.json()["moderator_token"])).status_code == 403
    missing = await put(server, "no-such-speaker", pdf)
    assert missing.status_code == 404 and "no-such-speaker" in missing.json()["error"]["message"]
    html = await put(server, sid, b"<html>not a pdf</html>")
    assert html.status_code == 415 and html.json()["error"]["code"] == "unsupported_media_type"
    assert html.json()["error"]["message"].startswith("A written statement must be a PDF file")
    short = await put(server, sid, b"%PD")
    assert short.status_code == 415
    empty = await put(server, sid, b"")
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "invalid"
    big = await put(server, sid, pdf + b"0" * LIMIT)
    assert big.status_code == 413 and "64 KB" in big.json()["error"]["message"]
    fr = await put(server, sid, b"GIF89a", **{"Accept-Language": "fr"})
    assert fr.status_code == 415 and fr.json()["error"]["message"] != html.json()["error"]["message"]
    assert [n for n in media_files(tmp_path)] == [], "nothing refused is left on disk"
    ok = await put(server, sid, pdf, token=server.series["moderator_token"])
    assert ok.status_code == 201 and ok.json() == {"speaker_id": sid, "size": len(pdf), "publish": True}
    again = await put(server, sid, make_pdf("Second version"))
    assert again.status_code == 201
    files = media_files(tmp_path)
    assert len(files) == 1 and files[0].endswith(".pdf"), "a new version replaces the old file"
    assert sid not in files[0], "the file name says nothing of its speaker"


async def test_missions_read_their_sessions_statements_from_the_phone_only_during_it(server: Running):
    pdf = make_pdf()
    for n in (0, 1):
        assert (await put(server, speaker_id(server, n), pdf)).status_code == 201
    token = server.token("FR")
    listed = (await server.http.get(f"/join/{token}/statements")).json()
    assert [(s["position"], s["name"], s["organisation"]) for s in listed["statements"]] == [
        (1, "A journalist", "Helsinki Citizens' Assembly"),
        (2, "", ""),  # did not consent: named on the phone as on every public screen, by place only
    ]
    assert "Anna Petrosyan" not in str(listed) and "Defender" not in str(listed)
    got = await server.http.get(listed["statements"][1]["url"])
    assert got.status_code == 200 and got.content == pdf and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'inline; filename="statement.pdf"'
    assert (await server.http.get(f"/join/{'x' * 30}/statements")).status_code == 404
    assert (await server.http.get(f"/join/{'x' * 30}/statements/{speaker_id(server, 0)}")).status_code == 404
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("session.close")
    closed = await server.http.get(listed["statements"][1]["url"])
    assert closed.status_code == 404 and "only during its session" in closed.json()["error"]["message"]


async def test_the_public_page_shows_consenting_speakers_of_closed_sessions_and_nothing_of_the_others(
    server: Running, tmp_path: Path
):
    anna, defender = speaker_id(server, 0), speaker_id(server, 1)
    for sid in (anna, defender):
        assert (await put(server, sid, make_pdf())).status_code == 201
        video = make_video(tmp_path, "mp4", seconds=2)
        r = await server.http.put(
            f"/api/speakers/{sid}/video",
            content=video.read_bytes(),
            headers={**AUTH, "Content-Type": "video/mp4"},
        )
        assert r.status_code == 201, r.text
    live_view = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()["session"]
    anna_video, defender_video = (s["video"]["url"] for s in live_view["speakers"][:2])
    assert (await server.http.get(defender_video)).status_code == 200, "served while the session runs"
    page = f"/series/{server.series['series_id']}/statements"
    before = await server.http.get(page)
    assert before.status_code == 200 and "A journalist" not in before.text, "nothing before the close"
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await mod.ok("session.close")
    forbidden = ["Anna Petrosyan", "Office of the Defender", "Human Rights Defender", defender]
    seen: set[str] = set()
    to_visit = [page, page + "?lang=fr", page + "?lang=es"]
    bodies = {}
    while to_visit:
        url = to_visit.pop()
        if url in seen:
            continue
        seen.add(url)
        r = await server.http.get(url)
        assert r.status_code in (200, 206), (url, r.status_code)
        blob = (
            r.content.decode("utf-8", "replace") + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())
        )
        for name in forbidden:
            assert name not in blob and name not in url, f"{name!r} leaks through {url}"
        bodies[url] = r
        if r.headers.get("content-type", "").startswith("text/html"):
            for ref in re.findall(r'(?:href|src)="([^"]+)"', r.text):
                ref = ref.replace("&amp;", "&")
                if ref.startswith("/") and not ref.startswith("//"):
                    to_visit.append(ref)
    html = bodies[page].text
    assert (
        "A journalist" in html
        and "Helsinki Citizens&#39; Assembly" in html
        and "Freedom of expression" in html
    )
    assert "Maria Lopez" in html, "a consenting speaker without a public name: under her name"
    pdfs = [u for u in seen if u.startswith("/statements/")]
    videos = [u for u in seen if u.startswith("/media/")]
    assert len(pdfs) == 1 and len(videos) == 1, (pdfs, videos)
    assert bodies[pdfs[0]].headers["content-disposition"] == 'inline; filename="statement.pdf"'
    ranged = await server.http.get(videos[0], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    # The non-consenting speaker's video: gone from the public view of the closed session, and
    # its file no longer served even to someone who kept its URL from the live session.
    public = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()["session"]
    assert [s["video"] is not None for s in public["speakers"][:2]] == [True, False]
    assert (await server.http.get(defender_video)).status_code == 404
    assert (await server.http.get(anna_video)).status_code == 200
    # The non-consenting speaker's statement: not reachable under any public URL.
    listed = await server.http.get(f"/join/{server.token('FR')}/statements")
    assert listed.json()["statements"] == [], "after the close the phone lists nothing"
    assert (await server.http.get("/statements/" + "A" * 24 + ".pdf")).status_code == 404


async def test_a_speaker_added_live_takes_a_statement_and_a_phone_reads_it(server: Running):
    """A speaker added after the import (speaker.add, or a PUT) is no row of the agenda's tables:
    the engine, which knows the live speakers, finds its session."""
    session_id = server.session_id()
    console = await Live.open(server.ws, session_id, server.series["moderator_token"])
    console.n += 1
    ack = await console.answer(
        {
            "type": "command",
            "id": "add",
            "name": "speaker.add",
            "args": {"name": "Late Speaker", "language": "fr"},
        }
    )
    assert ack["type"] == "ack", ack
    pdf = make_pdf("Late")
    assert (await put(server, ack["speaker_id"], pdf)).status_code == 201
    listed = (await server.http.get(f"/join/{server.token('FR')}/statements")).json()
    (late,) = [s for s in listed["statements"] if s["name"] == "Late Speaker"]
    got = await server.http.get(late["url"])
    assert got.status_code == 200 and got.content == pdf
