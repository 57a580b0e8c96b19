"""The screens' shared client (static/js/lib/), checked inside Chromium: countdown arithmetic and words
(countdown.js, cues.js, i18n.js), the clock estimate (clock.js), the backoff of reconnection (backoff.js
through socket.js), the cue announcements."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import Screens

pytestmark = pytest.mark.browser

CHECKS = """
async () => {
  const modules = ["backoff", "clock", "countdown", "cues", "i18n", "socket"];
  const L = Object.assign({}, ...(await Promise.all(modules.map((m) => import(`/static/js/lib/${m}.js`)))));
  const out = {};
  out.format = [300000, 299001, 1, 0, -1, -999, -1000, -61000, 6000000].map(L.formatCountdown);
  out.duration = [0, 999, 61999, -5].map(L.formatDuration);

  const running = {status: "running", duration_ms: 60000, elapsed_ms: 10000, running_since: 1000,
                   warning_ms: 30000};
  const paused = {...running, status: "paused", running_since: null};
  out.remaining = [L.remainingMs(running, 1000), L.remainingMs(running, 21000), L.remainingMs(paused, 99999),
                   L.remainingMs(running, 0)];
  const session = {floor: {kind: "speaker", id: "s"}, timer: running};
  out.levels = [40000, 30000, 1, 0, -5].map((r) => L.countdownLevel(session, r));
  out.noFloor = L.countdownLevel({floor: null, timer: running}, 5);

  // The sample with the lowest round trip gives the offset; a clock jump forgets older samples.
  const clock = new L.ServerClock();
  clock.sample(0, 5100, 5100, 200);   // rtt 200, offset 5000
  clock.sample(0, 5020, 5020, 40);    // rtt 40, offset 5000
  clock.sample(0, 5300, 5300, 400);   // rtt 400
  out.clock = [clock.offset, clock.rtt];
  clock.sample(1000, 61000, 61000, 1100);  // the server clock jumped a minute: rtt 100, offset 59950
  out.jump = [clock.offset, clock.rtt];

  // Projected end: a speaker in overtime pushes the end later as time goes on.
  const s2 = {phase: "statements", projected_end: 100000, floor: {kind: "speaker", id: "s"},
              timer: {status: "running", duration_ms: 10000, elapsed_ms: 0, running_since: 0, warning_ms: 0}};
  out.projected = [5000, 10000, 25000].map((t) => L.projectedEndAt(s2, 0, t));

  // Reconnection waits grow from about one second to at most thirty, with jitter.
  const live = new L.Live({sessionId: "none"});
  live.open = () => {};
  out.waits = [];
  for (let i = 0; i < 9; i++) {
    live.scheduleRetry();
    out.waits.push(live.retryAt - L.clientNow());
  }
  clearTimeout(live.retryTimer);

  // Cues are announced once, when the countdown crosses them.
  const region = document.createElement("p");
  const cues = new L.CueAnnouncer(region, {warning: () => "warn", over: "over"});
  const said = [];
  cues.say = (text) => said.push(text);
  const levels = ["normal", "normal", "warning", "warning", "over", "over", "warning", "normal", "warning"];
  for (const level of levels) cues.update(session, level);
  out.said = said;
  out.fill = L.fill("%(a)s and %(b)s, not %(c)s", {a: 1, b: "two"});
  out.words = [L.warningWords((k, p) => k + JSON.stringify(p || {}), 60000),
               L.warningWords((k, p) => k + JSON.stringify(p || {}), 120000),
               L.warningWords((k, p) => k + JSON.stringify(p || {}), 30000)];
  return out;
}
"""


async def test_the_shared_client_computes_what_every_screen_draws(screens: Screens) -> None:
    """Countdowns round up and count overtime up; the lowest round trip sets the clock; backoff 1 to 30 s."""
    page = await screens.open(f"/s/{screens.session()}/room")
    out: dict[str, Any] = await page.evaluate(CHECKS)
    assert out["format"] == [
        "05:00",
        "05:00",
        "00:01",
        "00:00",
        "+00:00",
        "+00:00",
        "+00:01",
        "+01:01",
        "100:00",
    ]
    assert out["duration"] == ["00:00", "00:00", "01:01", "00:00"]
    assert out["remaining"] == [50000, 30000, 50000, 50000]
    assert out["levels"] == ["normal", "warning", "warning", "over", "over"]
    assert out["noFloor"] == "none"
    assert out["clock"] == [5000, 40]
    assert out["jump"] == [59950, 100]
    assert out["projected"] == [100000, 100000, 115000]
    for attempt, wait in enumerate(out["waits"]):
        ceiling = min(30000, 1000 * 2**attempt)
        assert ceiling / 2 - 50 <= wait <= ceiling + 50, (attempt, wait)
    assert out["waits"][-1] > 14000
    assert out["said"] == ["warn", "over", "warn"]
    assert out["fill"] == "1 and two, not %(c)s"
    assert out["words"] == ["one_minute_left{}", 'minutes_left{"n":2}', 'seconds_left{"n":30}']
    assert screens.errors == []
