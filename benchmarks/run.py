"""Run the benchmarks, print a table of figures against their targets, and write them as JSON.

    python -m benchmarks.run                 # the full runs (about half an hour)
    python -m benchmarks.run --quick         # small N, seconds: checks the harness works
    python -m benchmarks.run --only fanout,burst --runs 5

Results go to benchmarks/results/<time>-<profile>.json (git-ignored) or to --json PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .burst import burst
from .crash import crash
from .fanout import fanout, reference
from .load import idle, memory, storm
from .server import ROOT
from .startup import startup
from .stats import median, median_of_runs


@dataclass(frozen=True)
class Profile:
    name: str
    fanout_ns: tuple[int, ...]
    rounds: int
    gap: float
    runs: int
    memory_n: int
    slow_n: int
    crash_kills: int
    storm_ns: tuple[int, ...]
    idle_n: int
    idle_s: float
    startup_runs: int
    week_sessions: int
    askers: int


FULL = Profile(
    name="full",
    fanout_ns=(100, 1000, 3000),
    rounds=100,
    gap=0.5,
    runs=3,
    memory_n=3000,
    slow_n=1000,
    crash_kills=50,
    storm_ns=(250, 500, 1000),
    idle_n=1000,
    idle_s=60,
    startup_runs=5,
    week_sessions=14,
    askers=15,
)
QUICK = Profile(
    name="quick",
    fanout_ns=(20, 60),
    rounds=6,
    gap=0.1,
    runs=1,
    memory_n=60,
    slow_n=100,
    crash_kills=3,
    storm_ns=(20, 80),
    idle_n=20,
    idle_s=2,
    startup_runs=1,
    week_sessions=2,
    askers=6,
)
FIGURES = ("fanout", "memory", "burst", "slow", "crash", "storm", "idle", "startup")


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _with_median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"median": median_of_runs(runs), "runs": runs}


async def run_fanout(p: Profile) -> dict[str, Any]:
    """Reference and server at each N, interleaved so both meet the same machine."""
    out: dict[str, Any] = {}
    for n in p.fanout_ns:
        out[str(n)] = {"server": [], "reference": [], "ratio_p99": [], "ratio_round_p99": []}
    for r in range(p.runs):
        for n in p.fanout_ns:
            _log(f"fanout run {r + 1}/{p.runs} N={n}: reference")
            ref = await asyncio.to_thread(reference, n, p.rounds, p.gap)
            _log(f"fanout run {r + 1}/{p.runs} N={n}: server")
            ours = await fanout(n, p.rounds, p.gap)
            row = out[str(n)]
            row["reference"].append(ref)
            row["server"].append(ours)
            row["ratio_p99"].append(round(ours["p99_ms"] / ref["p99_ms"], 2))
            row["ratio_round_p99"].append(round(ours["median_round_p99_ms"] / ref["median_round_p99_ms"], 2))
    for row in out.values():
        row["median"] = {
            "server": median_of_runs(row["server"]),
            "reference": median_of_runs(row["reference"]),
            "ratio_p99": median(row["ratio_p99"]),
            "ratio_round_p99": median(row["ratio_round_p99"]),
        }
    return out


async def run_slow(p: Profile) -> dict[str, Any]:
    """The same fan-out with and without 1% of viewers that never read."""
    slow = max(1, p.slow_n // 100)
    pairs = []
    for r in range(p.runs):
        _log(f"slow consumers run {r + 1}/{p.runs}: without")
        without = await fanout(p.slow_n, p.rounds, p.gap)
        _log(f"slow consumers run {r + 1}/{p.runs}: with {slow} slow")
        with_slow = await fanout(p.slow_n, p.rounds, p.gap, slow=slow)
        pairs.append(
            {
                "without": without,
                "with": with_slow,
                "p99_ratio": round(with_slow["p99_ms"] / without["p99_ms"], 2),
                "round_p99_ratio": round(
                    with_slow["median_round_p99_ms"] / without["median_round_p99_ms"], 2
                ),
                "slow_dropped": with_slow["slow_outcome"]["disconnected"],
                "slow_caught_up": with_slow["slow_outcome"]["caught_up"],
                "missing": with_slow["missing"],
                "rss_growth_second_half_mib": with_slow["rss_growth_second_half_mib"],
                "rss_max_over_start_mib": round(with_slow["rss_max_mib"] - with_slow["rss_start_mib"], 2),
            }
        )
    flat = [{k: v for k, v in pair.items() if not isinstance(v, dict)} for pair in pairs]
    return {"median": median_of_runs(flat), "runs": pairs}


async def run_figure(name: str, p: Profile) -> dict[str, Any]:
    if name == "fanout":
        return await run_fanout(p)
    if name == "slow":
        return await run_slow(p)
    if name == "memory":
        return _with_median([await memory(p.memory_n) for _ in range(p.runs)])
    if name == "burst":
        return _with_median([await burst(seed=r) for r in range(p.runs)])
    if name == "crash":
        return _with_median([await crash(p.crash_kills)])
    if name == "storm":
        out: dict[str, Any] = {}
        for n in p.storm_ns:
            out[str(n)] = _with_median([await storm(n) for _ in range(p.runs)])
        return out
    if name == "idle":
        return _with_median([await idle(p.idle_n, p.idle_s) for _ in range(p.runs)])
    if name == "startup":
        return _with_median([await startup(p.startup_runs, p.week_sessions, p.askers)])
    raise ValueError(name)


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def table(results: dict[str, Any], p: Profile) -> list[tuple[str, str, str, str, str]]:
    """Rows of (figure, detail, measured, target, verdict); size-bound verdicts only in the full profile."""
    full = p.name == "full"
    rows: list[tuple[str, str, str, str, str]] = []
    fan = results.get("fanout")
    if fan:
        for n, row in fan.items():
            s, ref, ratio = row["median"]["server"], row["median"]["reference"], row["median"]["ratio_p99"]
            judged = full and int(n) >= 1000
            rows.append(
                (
                    "fan-out p99",
                    f"N={n}",
                    f"{s['p99_ms']} ms (ref {ref['p99_ms']} ms) x{ratio};"
                    f" round-p99 x{row['median']['ratio_round_p99']}",
                    "<= 1.5 x ref" if int(n) >= 1000 else "reported",
                    _verdict(ratio <= 1.5 if judged else None),
                )
            )
            rows.append(
                (
                    "last viewer",
                    f"N={n}",
                    f"p50 {s['last_viewer_p50_ms']} / p99 {s['last_viewer_p99_ms']} ms"
                    f" (ref {ref['last_viewer_p50_ms']} / {ref['last_viewer_p99_ms']})",
                    "reported",
                    _verdict(None),
                )
            )
    if "memory" in results:
        m = results["memory"]["median"]
        rows.append(
            (
                "memory/conn",
                f"N={p.memory_n}",
                f"{m['per_connection_kib']} KiB",
                "<= 50 KiB",
                _verdict(m["per_connection_kib"] <= 50 if full else None),
            )
        )
        rows.append(
            (
                "memory churn",
                f"{m['churn_connections']:g} more come and go",
                f"+{m['churn_growth_mib']} MiB ({m['churn_growth_kib_per_connection']} KiB/conn)",
                "~0 (nothing held)",
                _verdict(None),
            )
        )
    if "burst" in results:
        m = results["burst"]["median"]
        rows.append(
            (
                "question burst",
                "193 missions / 1 s",
                f"p99 ack {m['ack_p99_ms']} ms, correct={m['correct']}, lost={m['lost']}",
                "all correct, p99 <= 50 ms",
                _verdict(m["correct"] and m["ack_p99_ms"] <= 50),
            )
        )
    if "slow" in results:
        m = results["slow"]["median"]
        rows.append(
            (
                "slow consumers",
                f"N={p.slow_n}, 1% stalled",
                f"p99 x{m['p99_ratio']} (round-p99 x{m['round_p99_ratio']}),"
                f" RSS +{m['rss_max_over_start_mib']} MiB",
                "<= 1.2 x, bounded",
                _verdict(m["p99_ratio"] <= 1.2 and m["rss_growth_second_half_mib"] <= 5 if full else None),
            )
        )
    if "crash" in results:
        m = results["crash"]["median"]
        rows.append(
            (
                "crash safety",
                f"{p.crash_kills} x SIGKILL",
                f"{m['lost_acked']} of {m['acked_commands']} acked lost, timer wrong {m['timer_wrong']}",
                "0 lost, timers right",
                _verdict(m["correct"]),
            )
        )
    for n, st in (results.get("storm") or {}).items():
        m = st["median"]
        rows.append(
            (
                "join storm",
                f"N={n}",
                f"{m['within_2s']}/{n} in 2 s, max {m['first_state_max_ms']} ms,"
                f" {m['bytes_per_viewer']} B/viewer",
                "all in 2 s",
                _verdict(m["within_2s"] == int(n) if full or int(n) <= 100 else None),
            )
        )
    if results.get("storm"):
        per = [st["median"]["bytes_per_viewer"] for st in results["storm"].values()]
        spread = round(max(per) / min(per), 3) if min(per) else None
        rows.append(
            ("join storm", "bytes linear in N", f"max/min bytes per viewer {spread}", "~1.0", _verdict(None))
        )
    if "idle" in results:
        m = results["idle"]["median"]
        rows.append(
            (
                "idle traffic",
                f"N={p.idle_n}, {p.idle_s:g} s",
                f"{m['text_frames']} frames, {m['control_frames']} keepalive, CPU {m['server_cpu_pct']}%",
                "0 frames",
                _verdict(m["text_frames"] == 0),
            )
        )
    if "startup" in results:
        m = results["startup"]["median"]
        rows.append(
            (
                "start-up",
                f"{m['sessions']} sessions, {m['events']} events",
                f"{m['startup_median_s']} s (empty db {m['startup_empty_db_s']} s)",
                "reported",
                _verdict(m["correct"]),
            )
        )
    return rows


def print_table(rows: list[tuple[str, str, str, str, str]]) -> None:
    head = ("figure", "detail", "measured (median of runs)", "target", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _machine() -> dict[str, Any]:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": head.stdout.strip(),
    }


async def main_async(p: Profile, figures: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in figures:
        t0 = time.perf_counter()
        _log(f"{name} ...")
        results[name] = await run_figure(name, p)
        _log(f"{name} done in {time.perf_counter() - t0:.1f} s")
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="small N and few rounds: seconds, for the test suite"
    )
    ap.add_argument(
        "--only", default=",".join(FIGURES), help=f"comma-separated subset of {','.join(FIGURES)}"
    )
    ap.add_argument("--runs", type=int, help="runs per figure (default 3; quick 1)")
    ap.add_argument("--json", type=Path, help="where to write the results")
    args = ap.parse_args(argv)
    p = QUICK if args.quick else FULL
    if args.runs:
        p = replace(p, runs=args.runs)
    figures = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = set(figures) - set(FIGURES)
    if unknown:
        ap.error(f"unknown figures: {', '.join(sorted(unknown))}")
    t0 = time.perf_counter()
    results = asyncio.run(main_async(p, figures))
    rows = table(results, p)
    doc = {
        "profile": asdict(p),
        "machine": _machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.perf_counter() - t0, 1),
        "table": [
            dict(zip(("figure", "detail", "measured", "target", "verdict"), r, strict=True)) for r in rows
        ],
        "results": results,
    }
    path = args.json or ROOT / "benchmarks" / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-{p.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    print_table(rows)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
