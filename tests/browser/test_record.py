"""The record's pages in Chromium: the organisers' report (with its downloads) and the public
statements page, at 1366x768, 1920x1080 and 360x640, in en, fr and es, and printed on A4;
the phone's list of statements. Screenshots go to test-artifacts/screenshots/ to be looked at."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, SCREENSHOTS, Screens, screenshot
from tests.support.live import Live
from tests.support.pdf import make_pdf
from tests.support.server import ADMIN, Running, in_process
from tests.support.week import write_week

pytestmark = pytest.mark.browser


@pytest.fixture
async def meeting(tmp_path: Path) -> AsyncIterator[Running]:
    """The browser tests' meeting, where the second speaker did not consent to publication."""
    doc = meeting_agenda()
    doc["sessions"][0]["speakers"][1]["publish"] = False
    async with in_process(tmp_path / "moderator.sqlite3") as running:
        await running.create_series(doc)
        yield running


LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1920, "height": 1080}
A4 = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch
SIZES = {"laptop": LAPTOP, "wide": WIDE, "phone": PHONE}
ARMENIA = {"en": "Armenia", "fr": "Arménie", "es": "Armenia"}
TITLE = {"en": "Report of the week", "fr": "Rapport de la semaine", "es": "Informe de la semana"}


async def a_week_held(server: Running) -> dict[str, Any]:
    """Session AM held: the first speaker 30 s shorter and over, the second called twice, France
    asks and is answered, Brazil withdraws; FR and BR connected; statements attached; closed.
    The second speaker (Office of the Defender) did not consent to publication."""
    sid = server.session_id()
    speakers = [s["id"] for s in server.series["sessions"][0]["speakers"]]
    for n in (0, 1):
        r = await server.http.put(
            f"/api/speakers/{speakers[n]}/statement",
            content=make_pdf(),
            headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/pdf"},
        )
        assert r.status_code == 201, r.text
    mod = await Live.open(server.ws, sid, server.series["moderator_token"])
    fr = await Live.open(server.ws, sid, server.token("FR"))
    br = await Live.open(server.ws, sid, server.token("BR"))
    await mod.ok("session.open")
    await mod.ok("speaker.call", speaker_id=speakers[0])
    await mod.ok("timer.adjust", delta_ms=-419_000)  # a 1 s turn: over before the call ends
    await mod.ok("timer.start")
    await mod.ok("speaker.call", speaker_id=speakers[1])
    await mod.ok("speaker.call", speaker_id=speakers[2])
    await mod.ok("speaker.call", speaker_id=speakers[1])
    await fr.ok(
        "queue.request",
        topic="Protection of journalists and human rights defenders",
        addressed_to=speakers[0],
    )
    await br.ok("queue.request")
    await br.ok("queue.withdraw", entry_id=br.state["queue"][-1]["id"])
    await mod.ok("session.qa")
    await mod.ok("queue.call", entry_id=mod.state["queue"][0]["id"])
    return {"mod": mod, "speakers": speakers}


@pytest.fixture
async def week(browser: Any, tmp_path: Path) -> AsyncIterator[Screens]:
    """A server on a week already held (tests/support/week.py), with two written statements
    attached in Armenia: Anna Petrosyan's (consented, as "A journalist") and the Office of the
    Defender's (not consented)."""
    db = tmp_path / "week.sqlite3"
    created = await write_week(db)
    async with in_process(db) as server:
        server.series = {
            "series_id": created.series_id,
            "moderator_token": created.moderator_token,
            "sessions": created.sessions,
            "delegations": created.delegations,
        }
        for speaker in created.sessions[0]["speakers"][:2]:
            r = await server.http.put(
                f"/api/speakers/{speaker['id']}/statement",
                content=make_pdf(),
                headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/pdf"},
            )
            assert r.status_code == 201, r.text
        async with Screens(browser, server) as opened:
            yield opened


async def close(server: Running, held: dict[str, Any]) -> None:
    await held["mod"].ok("session.close")


async def serious(page: Page) -> list[str]:
    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def printed(page: Page, name: str) -> tuple[Path, bytes]:
    """The page as printed: a screenshot in print media at A4 width, and the PDF Chromium prints."""
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": A4["width"], "height": A4["height"]})
    shot = await screenshot(page, name)
    pdf = await page.pdf(format="A4", print_background=True)
    (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)
    await page.emulate_media(media="screen")
    return shot, pdf


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_report_page_at_every_size_and_printed_on_a4(week: Screens, lang: str) -> None:
    screens = week
    server = screens.server
    path = f"/series/{server.series['series_id']}/report?lang={lang}#token={server.series['moderator_token']}"
    problems: list[str] = []
    for size_name, size in SIZES.items():
        page = await screens.open(path, size=size)
        await expect(page.locator(".session-report").first).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", lang)
        await expect(page.locator("h1").first).to_have_text(TITLE[lang])
        body = await page.locator("body").inner_text()
        assert ARMENIA[lang] in body and "Anna Petrosyan" in body, "real names, for the organiser"
        assert "Office of the Defender" in body
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{size_name}: {overflow}px wider than the screen")
        problems += [f"{size_name}: {v}" for v in await serious(page)]
        await screenshot(page, f"{lang}-report-{size_name}")
        if size_name == "laptop":
            _, pdf = await printed(page, f"{lang}-report-print")
            assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    assert problems == []
    assert screens.errors == []


async def test_the_report_page_asks_for_a_token_and_downloads_the_csv_and_the_spreadsheet(
    screens: Screens,
) -> None:
    server = screens.server
    held = await a_week_held(server)
    await close(server, held)
    page = await screens.open(f"/series/{server.series['series_id']}/report", size=LAPTOP)
    await expect(page.locator("#auth")).to_be_visible()
    await page.locator("#token-input").fill(server.token("FR"))
    await page.locator("#auth-form button").click()
    await expect(page.locator("#auth-error")).to_contain_text("not valid for this series")
    await page.locator("#token-input").fill(ADMIN)
    await page.locator("#auth-form button").click()
    await expect(page.locator(".session-report").first).to_be_visible()
    async with page.expect_download() as info:
        await page.locator("#csv").click()
    download = await info.value
    assert download.suggested_filename == "report-Test series.csv"
    text = (await asyncio.to_thread(Path(await download.path()).read_bytes)).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert rows[0]["session"] == "AM" and rows[0]["name"] == "Anna Petrosyan"
    async with page.expect_download() as info:
        await page.locator("#xlsx").click()
    book = await asyncio.to_thread(Path(await (await info.value).path()).read_bytes)
    sheet = load_workbook(io.BytesIO(book)).active
    assert sheet is not None and sheet["A1"].value == "session" and sheet["E2"].value == "Anna Petrosyan"
    # The one error is the browser's note of the refused mission token's 403.
    assert [e for e in screens.errors if "status of 403" not in e] == []


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
async def test_the_statements_page_at_every_size_and_printed(week: Screens, lang: str) -> None:
    screens = week
    server = screens.server
    path = f"/series/{server.series['series_id']}/statements?lang={lang}"
    problems: list[str] = []
    for size_name, size in SIZES.items():
        page = await screens.open(path, size=size)
        await expect(page.locator(".statement").first).to_be_visible()
        html = await page.content()
        assert (
            "A journalist" in html and "Anna Petrosyan" not in html and "Office of the Defender" not in html
        )
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{size_name}: {overflow}px wider than the screen")
        problems += [f"{size_name}: {v}" for v in await serious(page)]
        await screenshot(page, f"{lang}-statements-{size_name}")
        if size_name == "laptop":
            await printed(page, f"{lang}-statements-print")
    assert problems == []
    assert screens.errors == []


async def test_a_missions_phone_lists_the_sessions_statements_while_it_is_on(screens: Screens) -> None:
    server = screens.server
    held = await a_week_held(server)
    page = await screens.open(screens.join_path("KE") + "?lang=fr", size=PHONE)
    links = page.locator("#statements-list a")
    await expect(links).to_have_count(2)
    await expect(links.first).to_have_text("A journalist")
    await expect(links.nth(1)).to_have_text("Intervenant 2")  # no consent, no public name: by place
    href = await links.first.get_attribute("href")
    assert href is not None and href.startswith(f"/join/{server.token('KE')}/statements/")
    r = await server.http.get(href)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    await page.locator("#statements").scroll_into_view_if_needed()
    await screenshot(page, "fr-phone-statements")
    await close(server, held)
    await expect(page.locator("#statements")).to_be_hidden()
    assert screens.errors == []
