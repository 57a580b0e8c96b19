"""Screens whose clocks are 7 min fast and 3 min slow show one countdown, also after a sleep (benchmarks/)."""

from __future__ import annotations

import pytest

from benchmarks.clock_skew import run
from tests.browser.conftest import HAVE_CHROMIUM


@pytest.mark.skipif(not HAVE_CHROMIUM, reason="/usr/bin/chromium is missing")
async def test_screens_with_wrong_clocks_agree_and_a_woken_laptop_catches_up_within_2_s() -> None:
    result = await run(readings=30)
    assert (
        result["page_clock_offsets_ms"][0] > 6 * 60_000 and result["page_clock_offsets_ms"][1] < -2 * 60_000
    )
    assert result["p99_ms"] <= 20, result
    assert (
        result["after_sleep_in_step_after_s"] is not None and result["after_sleep_in_step_after_s"] <= 2.0
    ), result
    assert result["after_sleep_at_2s_ms"] <= 20 and result["after_sleep_relapses"] == 0, result
