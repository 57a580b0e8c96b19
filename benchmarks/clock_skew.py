"""How far apart two screens show the same countdown when their own clocks differ by minutes.

Two Chromium pages open the speaker timer of one session whose countdown runs. Before any script
of the page runs, an init script shifts the page's clocks: `Date` (and so the wall clock the page
anchors on) by +7 minutes in one page and -3 minutes in the other. The page's own code
(lib/clock.js, lib/countdown.js) then computes the countdown on the server's clock.

A reading asks both pages at once for the countdown their own modules compute now, with the true
time of the reading (`performance.timeOrigin` + the unshifted `performance.now()`: the machine's
clock, the same in both pages), and brings both to one common instant (the countdown falls 1 ms
per ms), so the figure is what the screens disagree by, not when Playwright happened to ask.
100 readings give p50 and p99 of |A - B| in ms (target p99 <= 20 ms).

Then one page's clocks jump 10 minutes forward (a laptop that slept: its `Date` and its monotonic
clock both jump), and readings every 50 ms for 2 s after the jump say how long the page shows a
wrong countdown and by how much, and what it shows at 2 s.

    python -m benchmarks.clock_skew [--readings 100] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from . import agenda
from .session import Bench, bench
from .stats import pct

CHROMIUM = "/usr/bin/chromium"
MINUTE = 60_000
SHIFTS = {"fast": 7 * MINUTE, "slow": -3 * MINUTE}
JUMP_MS = 10 * MINUTE

# Runs before the page's scripts: its Date is `shift` ms off, and `__jump(ms)` moves both its Date
# and its monotonic clock forward (a suspended laptop waking up). `__trueNow()` is the machine's clock.
SHIFT_SCRIPT = """
(() => {
  const RealDate = Date;
  const realPerfNow = performance.now.bind(performance);
  let shift = %d;
  let jump = 0;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift + jump);
      else super(...args);
    }
    static now() { return RealDate.now() + shift + jump; }
  }
  globalThis.Date = ShiftedDate;
  performance.now = () => realPerfNow() + jump;
  globalThis.__jump = (ms) => { jump += ms; };
  globalThis.__trueNow = () => performance.timeOrigin + realPerfNow();
})();
"""

READ = """async () => {
  const { serverNow } = await import("/static/js/lib/clock.js");
  const { remainingMs } = await import("/static/js/lib/countdown.js");
  const live = (await import("/static/js/lib/socket.js")).pageLive();
  const t = globalThis.__trueNow();
  return { remaining: remainingMs(live.state.timer, serverNow()), t };
}"""

SYNCED = """async () => {
  const { clock } = await import("/static/js/lib/clock.js");
  const live = (await import("/static/js/lib/socket.js")).pageLive();
  return Boolean(live && live.status === "live" && live.state && live.state.timer.status === "running"
    && clock.synced && clock.samples.length >= 3);
}"""


async def _page(browser: Browser, url: str, shift: int) -> Page:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    await context.add_init_script(SHIFT_SCRIPT % shift)
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_function(SYNCED, timeout=30_000)
    return page


async def _gap(a: Page, b: Page) -> float:
    """|A - B| in ms: both pages' countdowns brought to one instant of the machine's clock."""
    ra, rb = await asyncio.gather(a.evaluate(READ), b.evaluate(READ))
    t = ra["t"]
    at_t_b = rb["remaining"] + (rb["t"] - t)  # the countdown falls 1 ms per ms
    return float(abs(ra["remaining"] - at_t_b))


async def measure(b: Bench, browser: Browser, readings: int) -> dict[str, Any]:
    mod = await b.moderator()
    await b.floor_to_first_speaker(mod)
    await mod.must("timer.start")
    url = f"{b.server.base}/s/{b.session_id}/speaker?lang=en"
    fast = await _page(browser, url, SHIFTS["fast"])
    slow = await _page(browser, url, SHIFTS["slow"])
    page_dates = await asyncio.gather(*(p.evaluate("Date.now() - __trueNow()") for p in (fast, slow)))
    gaps = sorted([await _gap(fast, slow) for _ in range(readings)])
    # A sleep of the laptop: the fast page's clocks jump 10 minutes forward.
    await fast.evaluate(f"__jump({JUMP_MS})")
    woke = time.perf_counter()
    after: list[tuple[float, float]] = []
    while (elapsed := time.perf_counter() - woke) < 2.0:
        after.append((elapsed, await _gap(fast, slow)))
        await asyncio.sleep(0.05)  # a benchmark's sampling interval, not a wait for state
    within = [g for e, g in after if e >= 1.0]
    first_good = next((e for e, g in after if g <= 20), None)
    bad_after = [e for e, g in after if g > 20 and first_good is not None and e > first_good]
    await mod.close()
    return {
        "page_clock_offsets_ms": [round(x) for x in page_dates],
        "readings": readings,
        "p50_ms": round(pct(gaps, 50), 2),
        "p99_ms": round(pct(gaps, 99), 2),
        "max_ms": round(gaps[-1], 2),
        "worst_5_ms": [round(g, 2) for g in gaps[-5:]],
        "target_p99_ms": 20,
        "sleep_jump_ms": JUMP_MS,
        "after_sleep_first_reading_ms": round(after[0][1], 1) if after else None,
        "after_sleep_in_step_after_s": None if first_good is None else round(first_good, 2),
        "after_sleep_worst_in_last_second_ms": round(max(within), 2) if within else None,
        "after_sleep_at_2s_ms": round(after[-1][1], 2) if after else None,
        "after_sleep_relapses": len(bad_after),
    }


async def run(readings: int) -> dict[str, Any]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            async with bench(agenda.one_session()) as b:
                return await measure(b, browser, readings)
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.clock_skew", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--readings", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.readings))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    ok = result["p99_ms"] <= 20 and (result["after_sleep_at_2s_ms"] or 0) <= 20
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
