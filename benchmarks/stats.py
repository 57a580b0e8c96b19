"""Percentiles and summaries, computed the way the reference baseline computes them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile of sorted `values` by the reference's rule: index int(p/100 * n)."""
    if not values:
        return float("nan")
    return float(values[min(len(values) - 1, int(p / 100 * len(values)))])


def fanout_summary(rounds: list[list[float]]) -> dict[str, Any]:
    """The reference's figures from per-round latency lists (ms): per-viewer and last-viewer percentiles."""
    rounds = [r for r in rounds if r]
    per = sorted(x for r in rounds for x in r)
    last = sorted(max(r) for r in rounds)
    round_p99 = sorted(pct(sorted(r), 99) for r in rounds)
    return {
        "rounds": len(rounds),
        "frames": len(per),
        "p50_ms": round(pct(per, 50), 2),
        "p99_ms": round(pct(per, 99), 2),
        "median_round_p99_ms": round(pct(round_p99, 50), 2),
        "last_viewer_p50_ms": round(pct(last, 50), 2),
        "last_viewer_p99_ms": round(pct(last, 99), 2),
    }


def median(values: Sequence[float | None]) -> float | None:
    """Median of the values that exist; None when there are none."""
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def median_of_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """For each numeric key, the median over runs; booleans must hold in every run."""
    out: dict[str, Any] = {}
    for key in runs[0]:
        vals = [r.get(key) for r in runs]
        if all(isinstance(v, bool) for v in vals):
            out[key] = all(vals)
        elif all(isinstance(v, int | float) or v is None for v in vals):
            out[key] = median(vals)
    return out
