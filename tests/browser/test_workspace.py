"""The organiser's workspace in Chromium: a week created from the example spreadsheet (preview, then
accept); a speaker replaced and the order changed while two phones and the room watch (they change
without a reload); a refusal shown in its sentence; videos dropped and chosen with the progress
bar, cancelled, flagged when too long, and the in-person question; the join cards opened and printed."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Route, expect

from moderator.sheets.example import EXAMPLE
from tests.browser.conftest import meeting_agenda
from tests.browser.pages import PHONE, Screens, serving
from tests.support.live import Live
from tests.support.server import ADMIN, Running, in_process
from tests.support.video import make_video

LAPTOP = {"width": 1366, "height": 768}


def workspace_path(server: Running, token: str | None = None, lang: str = "en") -> str:
    token = token or server.series["moderator_token"]
    return f"/series/{server.series['series_id']}?lang={lang}#token={token}"


async def open_workspace(screens: Screens, **kw: Any) -> Page:
    page = await screens.open(workspace_path(screens.server, **kw), size=LAPTOP)
    await page.wait_for_selector(".session .speaker")
    return page


def speaker_item(page: Page, name: str) -> Any:
    return page.locator("li.speaker", has=page.locator(".name", has_text=name))


@pytest.fixture
async def empty(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    async with in_process(tmp_path / "m.sqlite3") as server, Screens(browser, server) as opened:
        yield opened


async def test_a_week_is_created_from_the_example_spreadsheet_after_its_preview(empty: Screens):
    page = await empty.open(f"/series/new#token={ADMIN}", size=LAPTOP)
    await page.set_input_files("#sheet-input", str(EXAMPLE))
    await page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    await expect(preview).to_be_visible()
    await expect(preview).to_contain_text("14 sessions · 195 missions invited")
    await expect(preview.locator("tbody tr")).to_have_count(14)
    await expect(preview.locator("tbody tr").first).to_contain_text("Turkmenistan")
    store = empty.server.app.state.services.store
    assert await store.series() == []  # nothing until the preview is accepted
    await preview.get_by_role("button", name="Create the series").click()
    await page.wait_for_url("**/series/*?lang=en")
    await expect(page.locator("article.session")).to_have_count(14)
    await expect(page.locator("h1")).to_have_text("Pre-sessions 44")
    await expect(page.locator("#week-summary")).to_contain_text(
        "14 sessions · 65 speakers · 195 missions invited"
    )
    created = await store.series()
    assert len(created) == 1 and created[0].title == "Pre-sessions 44"
    # the workspace was opened with the new series' moderator token: the cards are offered
    await expect(page.locator("#cards-link")).to_be_visible()
    assert not empty.errors, empty.errors


async def test_a_bad_spreadsheet_is_named_at_its_rows_and_creates_nothing(empty: Screens, tmp_path: Path):
    bad = tmp_path / "week.csv"
    bad.write_text("État examiné;Date;Heure;Nom;Type;Langue\nDE;2030-12-10;10:00;Zoé;cso;English \n", "utf-8")
    page = await empty.open(f"/series/new?lang=fr#token={ADMIN}", size=LAPTOP)
    await page.fill("#sheet-title", "Semaine")
    await page.set_input_files("#sheet-input", str(bad))
    await page.get_by_role("button", name="Aperçu").click()
    problem = page.locator("#preview-body li")
    await expect(problem).to_have_count(1)
    await expect(problem).to_contain_text("Ligne 2, Langue (\u00ab\u00a0English \u00a0\u00bb)\u00a0: ")
    await expect(page.locator("#accept")).to_be_hidden()
    assert await empty.server.app.state.services.store.series() == []


async def test_a_speaker_replaced_and_moved_reaches_the_phones_and_the_room_without_reload(screens: Screens):
    server = screens.server
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    phones = [await screens.open(screens.join_path(code), size=PHONE) for code in ("FR", "BR")]
    room = await screens.open(f"/s/{server.session_id()}/room")
    watchers = [*phones, room]
    for page in phones:
        await page.wait_for_function(
            "document.getElementById('addressee').textContent.includes('Office of the Defender')"
        )
    await room.wait_for_function(
        "document.getElementById('next').textContent.includes('Office of the Defender')"
    )
    for page in watchers:
        await page.evaluate("window.__no_reload = true")
    page = await open_workspace(screens)

    # replace the second speaker
    item = speaker_item(page, "Office of the Defender")
    await item.get_by_role("button", name="Edit Office of the Defender").click()
    form = item.locator("form")
    await form.get_by_label("Name", exact=True).fill("Ana Replacement")
    await form.get_by_label("Organisation").fill("Free Press Unit")
    await form.get_by_label("Language").select_option("es")
    await form.get_by_role("button", name="Save").click()
    await expect(speaker_item(page, "Ana Replacement")).to_contain_text(
        "Free Press Unit · National human rights institution · Spanish"
    )
    for watcher in phones:
        await watcher.wait_for_function(
            "document.getElementById('addressee').textContent.includes('Ana Replacement')"
        )
    await room.wait_for_function("document.getElementById('next').textContent.includes('Ana Replacement')")

    # reorder: Maria Lopez (third) up to second, with the keyboard
    await speaker_item(page, "Maria Lopez").get_by_role("button", name="Move Maria Lopez up").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("li.speaker .name").nth(1)).to_have_text("2. Maria Lopez")
    await room.wait_for_function(
        "() => { const t = document.getElementById('next').textContent;"
        " return t.indexOf('Maria Lopez') >= 0 && t.indexOf('Maria Lopez') < t.indexOf('Ana Replacement'); }"
    )
    while [s["name"] for s in mod.state["speakers"]][1] != "Maria Lopez":
        await mod.next()  # the moderator's console gets the same state frames
    assert [s["name"] for s in mod.state["speakers"]][1:3] == ["Maria Lopez", "Ana Replacement"]
    for watcher in watchers:
        assert await watcher.evaluate("window.__no_reload === true")
    assert not screens.errors, screens.errors


async def test_a_refused_change_shows_the_servers_sentence(screens: Screens):
    server = screens.server
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    first = server.series["sessions"][0]["speakers"][0]["id"]
    await mod.ok("speaker.call", speaker_id=first)
    page = await open_workspace(screens)
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await speaker_item(page, "Anna Petrosyan").get_by_role("button", name="Remove Anna Petrosyan").click()
    note = page.locator("article.session").first.locator(".session-note")
    await expect(note).to_have_class("session-note error")
    assert "floor" in (await note.text_content() or "")
    await expect(speaker_item(page, "Anna Petrosyan")).to_have_count(1)


@pytest.fixture
async def virtual(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    """A virtual session whose third speaker has a one-minute slot."""
    doc = meeting_agenda()
    doc["format"] = "virtual"
    doc["sessions"][0]["speakers"][2]["seconds"] = 60
    async with serving(browser, tmp_path / "m.sqlite3", doc) as opened:
        yield opened


def _base64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


async def drop(page: Page, selector: str, path: Path, kind: str) -> None:
    """Drop a real file on an element, as a person dragging it from their desktop."""
    data = _base64(path)
    await page.evaluate(
        """([selector, data, name, kind]) => {
          const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name, { type: kind }));
          const target = document.querySelector(selector);
          const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
          target.dispatchEvent(new DragEvent("dragover", init));
          target.dispatchEvent(new DragEvent("drop", init));
        }""",
        [selector, data, path.name, kind],
    )


async def test_videos_dropped_with_the_progress_bar_cancelled_and_flagged(virtual: Screens, tmp_path: Path):
    server = virtual.server
    clip = make_video(tmp_path, "mp4", 20)
    long_clip = make_video(tmp_path, "webm", 65)
    page = await open_workspace(virtual)
    held: asyncio.Future[Route] = asyncio.get_running_loop().create_future()

    async def hold(route: Route) -> None:
        if not held.done():
            held.set_result(route)
        else:
            await route.continue_()

    await page.route("**/api/speakers/*/video", hold)
    first = speaker_item(page, "Anna Petrosyan")
    first_id = server.series["sessions"][0]["speakers"][0]["id"]
    await drop(page, f'li[data-key="{first_id}"] .video', clip, "video/mp4")
    route = await held
    bar = first.locator("progress")
    await expect(bar).to_be_visible()
    await expect(first.locator(".progress-text")).to_contain_text("Uploading test-20s.mp4")
    await expect(first.get_by_role("button", name="Cancel the upload")).to_be_focused()
    await page.keyboard.press("Enter")  # cancel, from the keyboard
    await expect(first.locator(".video-note")).to_have_text("Upload cancelled: nothing was kept.")
    await route.abort()
    state = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()
    assert state["session"]["speakers"][0]["video"] is None

    # again, to the end: the bar, then the length
    await page.unroute("**/api/speakers/*/video")
    await drop(page, f'li[data-key="{first_id}"] .video', clip, "video/mp4")
    await expect(first.locator(".video-note")).to_have_text("Video uploaded (00:20).")
    await expect(first.locator(".video-state")).to_have_text("Video 00:20")
    await expect(page.locator("article.session").first.locator(".meta")).to_contain_text("Videos: 1 of 6")

    # chosen with the button: longer than the one-minute slot, flagged
    third = speaker_item(page, "Maria Lopez")
    async with page.expect_file_chooser() as chooser:
        await third.get_by_role("button", name="Choose a video for Maria Lopez").click()
    await (await chooser.value).set_files(str(long_clip))
    await expect(third.locator(".video-state")).to_have_text("Video 01:05: longer than the 01:00 slot")
    await expect(third).to_have_attribute("data-video", "long")

    # a file that is no video the server takes: a sentence, nothing sent
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    await drop(page, f'li[data-key="{first_id}"] .video', text, "text/plain")
    await expect(first.locator(".video-note")).to_contain_text("choose an MP4, WebM or QuickTime (.mov) file")
    assert not virtual.errors, virtual.errors


async def test_a_video_for_an_in_person_session_offers_to_switch_its_format(screens: Screens, tmp_path: Path):
    server = screens.server
    clip = make_video(tmp_path, "mov", 4, name="statement.mov")
    page = await open_workspace(screens)
    item = speaker_item(page, "Anna Petrosyan")
    await expect(item.locator(".video-state")).to_have_text("In person: no video needed")
    async with page.expect_file_chooser() as chooser:
        await item.get_by_role("button", name="Choose a video for Anna Petrosyan").click()
    await (await chooser.value).set_files(str(clip))
    dialog = page.locator("#format-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("plays only in a virtual or hybrid session")
    await page.get_by_role("button", name="Switch to hybrid and upload").click()
    session = page.locator("article.session").first
    await expect(session.locator(".format")).to_have_text("Hybrid")
    await expect(item.locator(".video-state")).to_have_text("Video 00:04")
    state = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()["session"]
    assert state["format"] == "hybrid" and state["speakers"][0]["video"]["url"].endswith(".mp4")


async def test_the_join_cards_open_from_the_workspace_and_print(screens: Screens):
    page = await open_workspace(screens)
    await page.locator("#cards-link").click()
    await page.wait_for_selector("body[data-loaded='true']")
    cards = page.locator(".card")
    await expect(cards).to_have_count(8)
    await page.emulate_media(media="print")
    await expect(page.locator(".topbar")).to_be_hidden()
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    # a printed card keeps working after the week changed
    link = await cards.first.locator("a").get_attribute("href")
    assert link and "/join/" in link
    r = await screens.server.http.get(link.replace(screens.server.base, ""))
    assert r.status_code == 200


async def test_a_changed_spreadsheet_is_previewed_then_applied(screens: Screens, tmp_path: Path):
    """Download the week, change a speaker's name and a session's length in the workbook, upload it:
    the preview names each change, nothing changes until Apply; then a mission's phone shows it."""
    from openpyxl import load_workbook

    server = screens.server
    token = server.series["moderator_token"]
    phone = await screens.open(screens.join_path("FR"), size=PHONE)
    await phone.evaluate("window.__no_reload = true")
    page = await open_workspace(screens)
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download the week (XLSX)").click()
    saved = tmp_path / "downloaded.xlsx"
    await (await download.value).save_as(saved)
    assert (await download.value).suggested_filename == "Test series.xlsx"
    book = load_workbook(saved)
    sheet = book["Speakers"]
    headers = [c.value for c in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=headers.index("State under Review") + 1).value == "AM":
            # longer, not shorter: the session starts this hour, and one that ended already (45 min,
            # run after a quarter to) would no longer be the phone's current session
            sheet.cell(row=row, column=headers.index("Session minutes") + 1).value = 90
    sheet.cell(row=3, column=headers.index("Speaker name") + 1).value = "Office of the Ombudsperson"
    changed = tmp_path / "week.xlsx"
    book.save(changed)
    await page.set_input_files("#sheet-file", str(changed))
    preview = page.locator("#preview")
    await expect(preview).to_be_visible()
    await expect(preview).to_contain_text("Changed (2)")
    await expect(preview).to_contain_text("Speaker name: Office of the Defender → Office of the Ombudsperson")
    await expect(preview).to_contain_text("Session minutes: 60 → 90")
    state = (await server.http.get(f"/api/sessions/{server.session_id()}")).json()["session"]
    assert state["planned_end"] - state["start"] == 60 * 60_000  # nothing yet
    await page.get_by_role("button", name="Apply these changes").click()
    await expect(page.locator("#notice")).to_have_text(
        "The changes are applied: every screen shows them now."
    )
    await expect(page.locator("article.session").first.locator(".meta")).to_contain_text("90 min")
    await expect(speaker_item(page, "Office of the Ombudsperson")).to_have_count(1)
    # a function, not an expression: Chromium 156 runs a bare expression through eval, which the CSP refuses
    names = "() => document.getElementById('addressee').textContent.includes('Ombudsperson')"
    await phone.wait_for_function(names)
    assert await phone.evaluate("window.__no_reload === true")
    r = await server.http.get(
        f"/api/series/{server.series['series_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json()["sessions"][0]["minutes"] == 90
    assert not screens.errors, screens.errors


async def test_a_session_is_rescheduled_from_its_form(screens: Screens):
    server = screens.server
    page = await open_workspace(screens)
    # SE's card, found by its State: the sessions are in start order, and SE moved to 15:15 comes
    # before AM when the test runs after 15:15 Geneva time (AM starts this hour)
    edit = page.get_by_role("button", name="Edit the session of Sweden")
    session = page.locator("article.session", has=edit)
    await session.get_by_role("button", name="Edit the session of Sweden").click()
    form = session.locator("form")
    await form.get_by_label("Time", exact=True).fill("15:15")
    await form.get_by_label("Session length (minutes)").fill("90")
    await form.get_by_label("Format").select_option("virtual")
    await form.get_by_role("button", name="Save").click()
    await expect(session.locator(".when")).to_have_text("15:15–16:45")
    await expect(session.locator(".format")).to_have_text("Virtual")
    state = (await server.http.get(f"/api/sessions/{server.session_id(1)}")).json()["session"]
    assert state["format"] == "virtual" and state["planned_end"] - state["start"] == 90 * 60_000
    # a bad value: the server's sentence, in the form, and nothing changes
    await session.get_by_role("button", name="Edit the session of Sweden").click()
    await form.get_by_label("Session length (minutes)").fill("5")
    await form.get_by_role("button", name="Save").click()
    await expect(form.locator(".error")).to_contain_text("15")
    await expect(session.locator(".when")).to_have_text("15:15–16:45")


async def test_a_series_is_created_from_the_form(empty: Screens):
    page = await empty.open(f"/series/new?lang=es#token={ADMIN}", size=LAPTOP)
    await page.fill("#form-title", "Presesiones 45")
    row = page.locator(".form-session").first
    await row.get_by_label("Estado examinado").select_option("CO")
    await row.locator("input[name=date]").fill("2031-01-20")
    await page.locator("#series-form button[type=submit]").click()
    await page.wait_for_url("**/series/*?lang=es")
    await expect(page.locator("article.session")).to_have_count(1)
    await expect(page.locator("article.session .sur")).to_have_text("Colombia")
    await expect(page.locator("#week-summary")).to_contain_text("195 misiones invitadas")


async def test_the_status_follows_the_sessions_without_reload(screens: Screens):
    """A session opened from its console shows as opened on the workspace, then closed."""
    server = screens.server
    page = await open_workspace(screens)
    phase = page.locator("article.session").first.locator(".phase")
    await expect(phase).to_have_text("Not started")
    mod = await Live.open(server.ws, server.session_id(), server.series["moderator_token"])
    await mod.ok("session.open")
    await expect(phase).to_have_text("Opening", timeout=15_000)
    await mod.ok("session.close")
    await expect(phase).to_have_text("Closed", timeout=15_000)
    await expect(page.locator("article.session").first).to_have_attribute("data-phase", "closed")


async def test_missions_are_added_and_removed_and_the_cards_follow(screens: Screens):
    server = screens.server
    page = await open_workspace(screens)
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.locator("#missions summary").click()
    await expect(page.locator("#missions-count")).to_have_text("(8)")
    await page.get_by_label("Add a mission").select_option("CH")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator("#missions-note")).to_have_text(
        "Mission of Switzerland added: print its join card."
    )
    await expect(page.locator("#missions-count")).to_have_text("(9)")
    await page.get_by_role("button", name="Remove the mission of Japan").click()
    await expect(page.locator("#missions-count")).to_have_text("(8)")
    await expect(page.locator("#mission-list")).not_to_contain_text("Japan")
    store = server.app.state.services.store
    codes = {code for code, _label in await store.delegations(server.series["series_id"])}
    assert "CH" in codes and "JP" not in codes
    await page.locator("#cards-link").click()
    await page.wait_for_selector("body[data-loaded='true']")
    await expect(page.locator(".card")).to_have_count(8)
    await expect(page.locator(".sheet")).to_contain_text("Switzerland")
    assert await store.principal(server.token("JP")) is None  # its card no longer works
    who = await store.principal(server.token("FR"))  # the others still do
    assert who is not None and who.state == "FR"


async def test_a_speaker_is_added_to_an_empty_session_from_the_keyboard(screens: Screens):
    server = screens.server
    room = await screens.open(f"/s/{server.session_id(1)}/room")
    page = await open_workspace(screens)
    session = page.locator("article.session").nth(1)
    await expect(session.locator(".speakers")).to_have_text("No speaker yet.")
    await session.get_by_role("button", name="Add a speaker to the session of Sweden").focus()
    await page.keyboard.press("Enter")
    form = session.locator(".add-form form")
    await expect(form.get_by_label("Name", exact=True)).to_be_focused()
    await page.keyboard.type("Karin Lindqvist")
    await form.get_by_label("Organisation").fill("Sami Council")
    await form.get_by_label("Speaking time (seconds)").fill("300")
    await form.get_by_label("Speaking time (seconds)").press("Enter")
    item = speaker_item(page, "Karin Lindqvist")
    await expect(item).to_contain_text(
        "Sami Council · Civil society organisation · English · Speaking time: 5 min"
    )
    await expect(session.locator(".add-form form")).to_have_count(0)
    await room.wait_for_function("document.getElementById('next').textContent.includes('Karin Lindqvist')")
    # a bad value: the server's sentence in the form, nothing added
    await session.get_by_role("button", name="Add a speaker to the session of Sweden").click()
    await form.get_by_label("Name", exact=True).fill("Olof Berg")
    await form.get_by_label("Speaking time (seconds)").fill("30")
    await form.get_by_role("button", name="Save").click()
    await expect(form.locator(".error")).to_contain_text("60")
    await expect(session.locator("li.speaker")).to_have_count(1)
    await page.keyboard.press("Escape")
    await expect(session.get_by_role("button", name="Add a speaker to the session of Sweden")).to_be_focused()


async def test_the_admin_token_opens_the_workspace_but_not_the_cards_and_a_bad_token_is_asked_again(
    screens: Screens,
):
    page = await open_workspace(screens, token=ADMIN)
    await expect(page.locator("#cards-link")).to_have_count(0)
    await expect(page.locator("#series-links")).to_contain_text("The join cards need the moderator token")
    await expect(page.locator("article.session")).to_have_count(2)
    other = await screens.open(workspace_path(screens.server, token="not-a-token-at-all"), size=LAPTOP)
    await expect(other.locator("#auth-error")).to_contain_text("This token is not valid for this series")
    await expect(other.locator("#main")).to_be_hidden()
    await other.fill("#token-input", screens.server.series["moderator_token"])
    await other.keyboard.press("Enter")
    await expect(other.locator("article.session")).to_have_count(2)
    await expect(other.locator("#cards-link")).to_be_visible()
