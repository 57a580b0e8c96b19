"""The moderator's console at a laptop's 1366x768, as the moderator uses it: the spoken time, the
keyboard, which buttons can act, the queue's layout in every language, and times of other days."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.pages import Screens, screenshot, serving
from tests.support.agenda import agenda
from tests.support.live import Live

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


def mmss(ms: int) -> str:
    s = ms // 1000
    return f"{s // 60:02d}:{s % 60:02d}"


async def open_console(screens: Screens, lang: str = "en", index: int = 0) -> Page:
    token = screens.server.series["moderator_token"]
    page = await screens.open(f"/s/{screens.session(index)}/console?lang={lang}#token={token}", size=LAPTOP)
    await expect(page.locator("#holder")).not_to_be_empty()
    return page


async def test_the_spoken_column_counts_the_runs_before_a_pause(screens: Screens) -> None:
    """Start, pause, resume: the Spoken column shows every run of the turn, and with the countdown
    it always adds up to the allotted time."""
    console = await open_console(screens)
    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    spoken = console.locator("#speakers tr").first.locator(".spoken")
    await expect(spoken).to_have_text("00:00")

    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    await expect(spoken).to_have_text("00:02")
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Resume")
    elapsed = await console.evaluate(
        "import('/static/js/lib/socket.js').then((m) => m.pageLive().state.timer.elapsed_ms)"
    )
    assert elapsed >= 2000
    await expect(spoken).to_have_text(mmss(elapsed))
    await expect(console.locator("#countdown")).to_have_text(mmss(420_000 - elapsed + 999))

    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    await expect(spoken).to_have_text(mmss(elapsed + 1000))
    # Spoken (rounded down) and left (rounded up) read in one frame add up to the 7 allotted minutes.
    shown = await console.evaluate(
        "[document.querySelector('#speakers tr .spoken').textContent,"
        " document.querySelector('#countdown').textContent]"
    )
    seconds = [int(m) * 60 + int(s) for m, s in (re.fullmatch(r"(\d+):(\d+)", t).groups() for t in shown)]
    assert sum(seconds) == 420, shown
    assert screens.errors == []


async def test_the_keyboard_comes_back_to_the_shortcuts_after_a_message_or_escape(screens: Screens) -> None:
    """M, a message and Enter: the message is shown and the field lets go, so Space starts the timer.
    Escape leaves any field (text, select) without typing into it, and the shortcuts work again."""
    console = await open_console(screens)
    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")

    field = console.locator("#message-text")
    await console.keyboard.press("m")
    await expect(field).to_be_focused()
    await console.keyboard.type("Please conclude")
    await console.keyboard.press("Enter")
    await expect(console.locator("#message-current")).to_have_text("Shown to the speaker: “Please conclude”")
    await expect(field).not_to_be_focused()
    await expect(field).to_have_value("")
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    await expect(field).to_have_value("")

    # Escape leaves the field, keeping what was typed; the next Space pauses the timer.
    await console.keyboard.press("M")
    await expect(field).to_be_focused()
    await console.keyboard.type("Two")
    await console.keyboard.press("Escape")
    await expect(field).not_to_be_focused()
    await console.keyboard.press("Space")
    await expect(console.locator("#toggle-timer .label")).to_have_text("Resume")
    await expect(field).to_have_value("Two")

    # The same from the session picker (a select) and from a radio button of the form.
    for target in ("#session-picker", "#message-form input[value=room]"):
        await console.locator(target).focus()
        await console.keyboard.press("Escape")
        await expect(console.locator(target)).not_to_be_focused()
        before = await console.locator("#toggle-timer .label").text_content()
        await console.keyboard.press("Space")
        await expect(console.locator("#toggle-timer .label")).not_to_have_text(before or "")
    assert screens.errors == []


async def enabled_buttons(page: Page) -> dict[str, bool]:
    """Each shown button of the floor, the session and the message by its visible name: can it be pressed?
    A button that cannot must also look it (dimmed)."""
    found = await page.evaluate(
        """() => Array.from(document.querySelectorAll('.floor button, .phases button, .message button'))
          .filter((b) => !b.closest('[hidden]'))
          .map((b) => [(b.querySelector('.label') || b).textContent.trim(), !b.disabled,
                       Number(getComputedStyle(b).opacity)])"""
    )
    for name, enabled, opacity in found:
        assert (opacity == 1) == enabled, (name, enabled, opacity)
    return {name: enabled for name, enabled, _ in found}


async def test_only_the_buttons_that_can_act_look_active(screens: Screens) -> None:
    """Before the opening nothing but "Open the session" acts; with nobody on the floor the timer
    buttons and Finish are disabled and look it; with a speaker on the floor they come alive."""
    console = await open_console(screens)
    await expect(console.locator("#phase")).to_have_text("Not started")
    assert await enabled_buttons(console) == {
        "Start": False,
        "−1 min": False,
        "+1 min": False,
        "Reset": False,
        "Finish": False,
        "Next speaker": False,
        "Next question": False,
        "Undo": False,
        "Open the session": True,
        "Statements": False,
        "Questions and answers": False,
        "Close the session…": True,
        "Show": True,
        "Clear": False,
        "Please conclude your statement.": True,
        "One minute left.": True,
        "Please speak more slowly for the interpreters.": True,
    }
    # A shortcut still asks the server, which says why in words, clear of the links at the top.
    await console.keyboard.press("Space")
    await expect(console.locator(".toast p").first).to_contain_text("Nobody has the floor")
    toast = await console.locator(".toast").first.bounding_box()
    links = await console.locator(".topbar").bounding_box()
    assert toast and links and toast["y"] >= links["y"] + links["height"], (toast, links)

    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#phase")).to_have_text("Opening")
    buttons = await enabled_buttons(console)
    assert not any(buttons[b] for b in ("Start", "−1 min", "+1 min", "Reset", "Finish", "Next question"))
    assert buttons["Next speaker"] and buttons["Statements"] and not buttons["Open the session"]
    call_anna = console.get_by_role("button", name="Give the floor to Anna Petrosyan")
    await expect(call_anna).to_be_enabled()
    await expect(console.locator("#queue-empty")).to_be_visible()

    await console.get_by_role("button", name="Next speaker").click()
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")
    await expect(call_anna).to_be_disabled()
    buttons = await enabled_buttons(console)
    assert all(buttons[b] for b in ("Start", "−1 min", "+1 min", "Finish", "Next speaker"))
    assert not buttons["Reset"]  # nothing has run yet
    await console.get_by_role("button", name="Start").click()
    await expect(console.locator("#toggle-timer .label")).to_have_text("Pause")
    await expect(console.get_by_role("button", name="Reset")).to_be_enabled()
    await console.get_by_role("button", name="Show", exact=True).click()  # empty: nothing sent
    await console.locator("#message-text").fill("Hello")
    await console.get_by_role("button", name="Show", exact=True).click()
    await expect(console.get_by_role("button", name="Clear")).to_be_enabled()

    # Taking minutes off stops where the time would go negative.
    for _ in range(7):
        await console.get_by_role("button", name="−1 min").click()
    await expect(console.get_by_role("button", name="−1 min")).to_be_disabled()

    await console.get_by_role("button", name="Finish").click()
    await expect(console.locator("#holder")).to_have_text("Nobody has the floor")
    buttons = await enabled_buttons(console)
    timer_buttons = ("Pause", "Start", "−1 min", "+1 min", "Reset", "Finish")
    assert not any(buttons[b] for b in timer_buttons if b in buttons)

    # Closed: nothing can change any more, and nothing looks as if it could.
    france = await Live.open(screens.server.ws, screens.session(), screens.server.token("FR"))
    await france.ok("queue.request", addressed_to=None, topic="")
    await expect(console.locator("#queue tr")).to_have_count(1)
    await console.get_by_role("button", name="Close the session…").click()
    await console.locator("#close-dialog").get_by_role("button", name="Close the session", exact=True).click()
    await expect(console.locator("#phase")).to_have_text("Closed")
    assert not any((await enabled_buttons(console)).values())
    still = await console.evaluate(
        """() => Array.from(document.querySelectorAll('#speakers button, #queue button, #message-form input'))
          .filter((el) => el.getClientRects().length && !el.disabled).map((el) => el.outerHTML)"""
    )
    assert still == []
    assert screens.errors == []


QUEUE = [
    ("FR", "Implementation of the recommendations on freedom of expression"),
    ("BR", "Protection of journalists and human rights defenders"),
    ("KE", "Indigenous peoples' land rights"),
    ("JP", ""),
    ("GY", "Climate displacement and statelessness"),
]

# Every word of the queue's cells (buttons included) that the browser drew on more than one line,
# and the height of each entry in lines of its text.
MEASURE_QUEUE = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('#queue tr > *')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  const topic = document.querySelector('#queue td.topic');
  const style = getComputedStyle(topic);
  const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
  const rows = Array.from(document.querySelectorAll('#queue tr'));
  const lines = rows.map((r) => r.getBoundingClientRect().height / line);
  const head = document.querySelector('.queue thead tr').getBoundingClientRect().height / line;
  return { broken, lines, head };
}"""


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
async def test_the_queue_breaks_no_word_and_each_request_takes_two_or_three_lines(
    screens: Screens, lang: str
) -> None:
    """At 1366x768, with five requests (long topics among them), no word of the queue is cut in two
    and no entry is taller than its buttons' line and two lines of addressee and topic (the queue
    shares the screen with the clock and the panel: test_console_fit.py)."""
    server = screens.server
    sid = screens.session()
    moderator = await Live.open(server.ws, sid, server.series["moderator_token"])
    speakers = moderator.state["speakers"]
    await moderator.ok("session.open")
    await moderator.ok("speaker.call", speaker_id=speakers[0]["id"])
    for state, topic in QUEUE:
        mission = await Live.open(server.ws, sid, server.token(state))
        to = speakers[1]["id"] if state == "FR" else None
        await mission.ok("queue.request", addressed_to=to, topic=topic)
        await mission.close()
    await moderator.close()

    console = await open_console(screens, lang)
    await expect(console.locator("#queue tr")).to_have_count(len(QUEUE))
    await expect(console.locator("#queue tr").first.locator(".topic")).to_have_text(QUEUE[0][1])
    measured = await console.evaluate(MEASURE_QUEUE)
    await screenshot(console, f"console-queue-1366-{lang}")
    assert measured["broken"] == []
    assert max(measured["lines"]) <= 4.3, measured["lines"]
    assert measured["head"] <= 3.6, measured["head"]  # the column headings too
    assert screens.errors == []


def noon(days: int) -> datetime:
    """Noon in Geneva, `days` from today there."""
    geneva = datetime.now(ZoneInfo("Europe/Zurich"))
    return (geneva + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
async def other_days(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    """A series whose first session was planned yesterday at noon and second is planned tomorrow."""
    doc = agenda()
    doc["sessions"][0]["start"] = noon(-1).isoformat()
    doc["sessions"][1]["start"] = noon(1).isoformat()
    async with serving(browser, tmp_path / "moderator.sqlite3", doc) as opened:
        yield opened


def en_date(day: datetime) -> str:
    return f"{day:%a}, {day:%b} {day.day}"  # what Intl writes in English: "Mon, Nov 30"


async def test_times_of_another_day_come_with_their_date(other_days: Screens) -> None:
    """Yesterday's session, opened today: its start and planned end carry yesterday's date, and so
    does the amount over; today's times do not. Tomorrow's session shows tomorrow's date on the
    console and the room display, in English and in French."""
    yesterday, tomorrow = noon(-1), noon(1)
    console = await open_console(other_days)
    await expect(console.locator("#clock-scheduled")).to_have_text(f"12:00 – 13:00 ({en_date(yesterday)})")
    await expect(console.locator("#clock-planned")).to_have_text(f"13:00 ({en_date(yesterday)})")
    await expect(console.locator("#clock-now")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    await console.get_by_role("button", name="Open the session").click()
    await expect(console.locator("#clock-started")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await expect(console.locator("#clock-projected")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await expect(console.locator("#clock-balance")).to_have_text(
        re.compile(r"^\d+ h \d+ min over the planned end of " + en_date(yesterday).replace(" ", r"\s") + "$")
    )
    await console.keyboard.press("n")
    await expect(console.locator("#holder")).to_have_text("Anna Petrosyan")

    later = await open_console(other_days, index=1)
    await expect(later.locator("#clock-scheduled")).to_have_text(f"12:00 – 13:00 ({en_date(tomorrow)})")
    room = await other_days.open(f"/s/{other_days.session(1)}/room")
    await expect(room.locator("#planned")).to_have_text(f"Starts at 12:00 ({en_date(tomorrow)})")
    french = await other_days.open(f"/s/{other_days.session(1)}/room?lang=fr")
    day = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."][tomorrow.weekday()]
    await expect(french.locator("#planned")).to_contain_text(re.compile(rf"12:00 \({day}\s{tomorrow.day}\s"))
    assert other_days.errors == []


@pytest.fixture
async def this_minute(browser: Browser, tmp_path: Path) -> AsyncIterator[Screens]:
    """An hour that began this minute: its statements (35 min) end long before its planned end."""
    doc = agenda()
    doc["sessions"][0]["start"] = datetime.now(ZoneInfo("UTC")).replace(second=0, microsecond=0).isoformat()
    async with serving(browser, tmp_path / "moderator.sqlite3", doc) as opened:
        yield opened


async def test_before_the_questions_the_time_short_of_the_planned_end_is_left_for_questions(
    this_minute: Screens,
) -> None:
    """During the statements the projected end counts only the questions already asked, so ending
    before the planned end is the missions' time, not "early"; once the Q&A began, it is early."""
    statements = sum(s["seconds"] for s in agenda()["sessions"][0]["speakers"]) / 60
    console = await open_console(this_minute)
    await console.get_by_role("button", name="Open the session").click()
    balance = console.locator("#clock-balance")
    await expect(balance).to_have_text(re.compile(r"^\d+ min left for questions$"))
    left = int((await balance.inner_text()).split()[0])
    assert 60 - statements - 2 <= left <= 60 - statements + 1, (left, statements)
    assert await balance.get_attribute("data-balance") == "questions"
    french = (await open_console(this_minute, lang="fr")).locator("#clock-balance")
    await expect(french).to_have_text(re.compile(r"^Reste \d+ min pour les questions$"))
    spanish = (await open_console(this_minute, lang="es")).locator("#clock-balance")
    await expect(spanish).to_have_text(re.compile(r"^Quedan \d+ min para las preguntas$"))
    await console.get_by_role("button", name="Questions and answers").click()
    await expect(console.locator("#phase")).to_have_text("Questions and answers")
    await expect(balance).to_have_text(re.compile(r"^\d+ min early$"))
    await expect(french).to_have_text(re.compile(r"^\d+ min d'avance$"))
    assert this_minute.errors == []
