"""Run the benchmarks, print a table of figures against their targets, and write them as JSON.

    python -m benchmarks.run                 # the full runs (about half an hour)
    python -m benchmarks.run --quick         # small N, seconds: checks the harness works
    python -m benchmarks.run --only fanout,burst --runs 5
    python -m benchmarks.run --only fanout,memory --fanout-ns 1000,3000 --memory-ns 10000

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
from .fanout import fanout, floor, reference
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
    memory_ns: tuple[int, ...]
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
    fanout_ns=(100, 1000, 3000, 10000),
    rounds=100,
    gap=0.5,
    runs=3,
    memory_ns=(3000, 10000),
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
    memory_ns=(30, 60),
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


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


async def run_fanout(p: Profile) -> dict[str, Any]:
    """Floor, library reference and server at each N, interleaved so all three meet the same machine.

    `ratio_*` are ours over the library's (reference.py), `floor_ratio_*` ours over the floor's.
    """
    out: dict[str, Any] = {}
    keys = ("ratio_p99", "ratio_round_p99", "floor_ratio_p99", "floor_ratio_round_p99")
    for n in p.fanout_ns:
        out[str(n)] = {"server": [], "reference": [], "floor": [], **{k: [] for k in keys}}
    for r in range(p.runs):
        for n in p.fanout_ns:
            _log(f"fanout run {r + 1}/{p.runs} N={n}: floor")
            flo = await asyncio.to_thread(floor, n, p.rounds, p.gap)
            _log(f"fanout run {r + 1}/{p.runs} N={n}: reference")
            ref = await asyncio.to_thread(reference, n, p.rounds, p.gap)
            _log(f"fanout run {r + 1}/{p.runs} N={n}: server")
            ours = await fanout(n, p.rounds, p.gap)
            row = out[str(n)]
            row["floor"].append(flo)
            row["reference"].append(ref)
            row["server"].append(ours)
            row["ratio_p99"].append(_ratio(ours["p99_ms"], ref["p99_ms"]))
            row["ratio_round_p99"].append(_ratio(ours["median_round_p99_ms"], ref["median_round_p99_ms"]))
            row["floor_ratio_p99"].append(_ratio(ours["p99_ms"], flo["p99_ms"]))
            row["floor_ratio_round_p99"].append(
                _ratio(ours["median_round_p99_ms"], flo["median_round_p99_ms"])
            )
    for row in out.values():
        row["median"] = {
            "server": median_of_runs(row["server"]),
            "reference": median_of_runs(row["reference"]),
            "floor": median_of_runs(row["floor"]),
            "floor_loop": ",".join(sorted({str(f.get("loop")) for f in row["floor"]})),
            **{k: median(row[k]) for k in keys},
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
        by_n: dict[str, Any] = {}
        for n in p.memory_ns:
            by_n[str(n)] = _with_median([await memory(n) for _ in range(p.runs)])
        return by_n
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


def _at_most(value: float | None, limit: float) -> bool:
    """A measured figure within its limit; a figure that could not be measured is not."""
    return value is not None and value <= limit


def _us(fig: dict[str, Any]) -> str:
    """A fan-out's server CPU per delivered frame, and its viewers' (a yardstick's needs rounds x
    gap >= 2 s)."""
    us, viewers = fig.get("server_cpu_us_per_frame"), fig.get("viewer_cpu_us_per_frame")
    return "-" if us is None else f"{us} µs (viewers {viewers})"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISSED")


def table(results: dict[str, Any], p: Profile) -> list[tuple[str, str, str, str, str]]:
    """Rows of (figure, detail, measured, target, verdict); size-bound verdicts only in the full profile."""
    full = p.name == "full"
    rows: list[tuple[str, str, str, str, str]] = []
    fan = results.get("fanout")
    if fan:
        for n, row in fan.items():
            med = row["median"]
            s, ref, flo = med["server"], med["reference"], med["floor"]
            judged = full and int(n) in (1000, 3000)
            rows.append(
                (
                    "fan-out p99",
                    f"N={n}",
                    f"{s['p99_ms']} ms (library {ref['p99_ms']} ms) x{med['ratio_p99']};"
                    f" round-p99 x{med['ratio_round_p99']}",
                    "<= 1.0 x library, p99 and round-p99" if int(n) in (1000, 3000) else "reported",
                    _verdict(
                        _at_most(med["ratio_p99"], 1.0) and _at_most(med["ratio_round_p99"], 1.0)
                        if judged
                        else None
                    ),
                )
            )
            if int(n) == 1000:
                rows.append(
                    (
                        "fan-out p99",
                        f"N={n}, absolute",
                        f"{s['p99_ms']} ms",
                        "< 47 ms (Ontime 4.11)",
                        _verdict(s["p99_ms"] < 47 if full else None),
                    )
                )
            rows.append(
                (
                    "fan-out vs floor",
                    f"N={n}",
                    f"{s['p99_ms']} ms (floor {flo['p99_ms']} ms, {med['floor_loop']})"
                    f" x{med['floor_ratio_p99']}; round-p99 x{med['floor_ratio_round_p99']}",
                    "aim <= 1.5 x floor",
                    _verdict(_at_most(med["floor_ratio_p99"], 1.5) if full else None),
                )
            )
            rows.append(
                (
                    "fan-out CPU/frame",
                    f"N={n}",
                    f"ours {_us(s)}, library {_us(ref)}, floor {_us(flo)}",
                    "reported",
                    _verdict(None),
                )
            )
            rows.append(
                (
                    "last viewer",
                    f"N={n}",
                    f"p50 {s['last_viewer_p50_ms']} / p99 {s['last_viewer_p99_ms']} ms"
                    f" (library {ref['last_viewer_p50_ms']} / {ref['last_viewer_p99_ms']},"
                    f" floor {flo['last_viewer_p50_ms']} / {flo['last_viewer_p99_ms']})",
                    "reported",
                    _verdict(None),
                )
            )
            rows.append(
                (
                    "moderator ack",
                    f"N={n}",
                    f"p50 {s['ack_p50_ms']} / p99 {s['ack_p99_ms']} ms",
                    "p50 <= 25, p99 <= 50 ms" if int(n) == 3000 else "reported",
                    _verdict(
                        _at_most(s["ack_p50_ms"], 25) and _at_most(s["ack_p99_ms"], 50)
                        if full and int(n) == 3000
                        else None
                    ),
                )
            )
    for n, mem in (results.get("memory") or {}).items():
        m = mem["median"]
        judged = full and int(n) in (3000, 10000)
        rows.append(
            (
                "memory/conn",
                f"N={n}",
                f"{m['per_connection_kib']} KiB ({m['with_state']:g} with state)",
                "<= 20 KiB" if int(n) in (3000, 10000) else "reported",
                _verdict(
                    _at_most(m["per_connection_kib"], 20) and m["with_state"] == int(n) if judged else None
                ),
            )
        )
        rows.append(
            (
                "memory churn",
                f"N={n}, {m['churn_connections']:g} more come and go",
                f"+{m['churn_growth_mib']} MiB ({m['churn_growth_kib_per_connection']} KiB/conn)",
                "~0 (nothing kept after they leave)",
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
                "all correct, p99 <= 20 ms",
                _verdict(m["correct"] and (_at_most(m["ack_p99_ms"], 20) if full else True)),
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
                f"{m['within_500ms']:g}/{n} in 0.5 s ({m['within_2s']:g} in 2 s),"
                f" max {m['first_state_max_ms']} ms, {m['bytes_per_viewer']} B/viewer",
                "all in 0.5 s" if int(n) >= 1000 else "reported",
                _verdict(m["within_500ms"] == int(n) if full and int(n) >= 1000 else None),
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
    ap.add_argument("--fanout-ns", help="viewer counts for the fan-out, comma-separated")
    ap.add_argument("--memory-ns", help="viewer counts for the memory figure, comma-separated")
    args = ap.parse_args(argv)
    p = QUICK if args.quick else FULL
    if args.runs:
        p = replace(p, runs=args.runs)
    if args.fanout_ns:
        p = replace(p, fanout_ns=tuple(int(n) for n in args.fanout_ns.split(",")))
    if args.memory_ns:
        p = replace(p, memory_ns=tuple(int(n) for n in args.memory_ns.split(",")))
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
