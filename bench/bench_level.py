# ruff: noqa: E501 - Markdown table rows read better on one line
"""Benchmark of resource levelling on the PSPLIB sets against SGS-LFT and PyJobShop (CP-SAT).

    uv run python bench/bench_level.py --set j30                      # all 480 j30 instances (120 s limit)
    uv run python bench/bench_level.py --set j60 --subset 20          # 20 evenly spread j60
    uv run python bench/bench_level.py --set j120 --subset 20 --time-limit 10 --threads 2

Per set: mean deviation of the makespan from the critical-path lower bound, the number of
proven optima and the mean time, for pmo's `level`, one serial schedule generation with the
latest-finish-time rule (what desktop tools do) and PyJobShop with CP-SAT at the same time
limit and threads. Every schedule is checked for precedence and capacity feasibility; an
infeasible one is counted and reported. Tables go to standard output and to
bench/results/level-<set>.md. The PSPLIB folder is ../shared/data/psplib next to the repository
(or --data).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from pmo.engine.leveling import level, level_serial, violations
from pmo.interop.psplib import read_psplib

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DATA = ROOT.parent / "shared" / "data" / "psplib"


def _pyjobshop(path: Path, time_limit: float, threads: int) -> tuple[int, bool, list[int]] | None:
    try:
        from pyjobshop import read, solve
    except ImportError:
        return None
    data = read(str(path), instance_format="psplib")
    with contextlib.redirect_stdout(io.StringIO()):
        result = solve(data, solver="ortools", time_limit=time_limit, num_workers=threads)
    starts = [task.start for task in result.best.tasks]
    return int(result.objective), result.status.value == "Optimal", starts


def run(args: argparse.Namespace) -> str:
    bounds = {}
    with (args.data / "bounds.csv").open() as f:
        for row in csv.DictReader(f):
            bounds[row["instance"]] = row
    files = sorted(
        (args.data / args.set).glob("*.sm"),
        key=lambda p: tuple(int(x) for x in p.stem[len(args.set) :].split("_")),
    )
    if args.subset:
        step = len(files) / args.subset
        files = [files[int(k * step)] for k in range(args.subset)]
    rows: dict[str, list[tuple[float, bool, float, int]]] = {
        "pmo": [],
        "SGS-LFT": [],
        "PyJobShop": [],
    }
    best_dev: list[float] = []
    level(read_psplib(files[0]).network, time_limit=1)  # imports and OR-Tools loading, once
    for path in files:
        network = read_psplib(path).network
        ids = [a.id for a in network.activities]
        cpm = int(bounds[path.stem]["cpm_lower_bound"])
        best_dev.append((int(bounds[path.stem]["best_known_makespan"]) - cpm) / cpm)
        line = [path.stem]
        began = time.perf_counter()
        result = level(network, time_limit=args.time_limit, threads=args.threads, seed=args.seed)
        spent = time.perf_counter() - began
        bad = len(violations(network, dict(zip(result.ids, result.starts.tolist(), strict=True))))
        rows["pmo"].append(((result.finish - cpm) / cpm, result.status == "optimal", spent, bad))
        line.append(f"pmo {result.finish} {result.status} {spent:.2f}s")
        began = time.perf_counter()
        serial = level_serial(network, rule="lft")
        spent = time.perf_counter() - began
        bad = len(violations(network, dict(zip(serial.ids, serial.starts.tolist(), strict=True))))
        rows["SGS-LFT"].append(((serial.finish - cpm) / cpm, serial.finish == cpm, spent, bad))
        line.append(f"sgs {serial.finish}")
        if not args.no_pyjobshop:
            began = time.perf_counter()
            peer = _pyjobshop(path, args.time_limit, args.threads)
            spent = time.perf_counter() - began
            if peer is not None:
                makespan, optimal, starts = peer
                bad = len(violations(network, dict(zip(ids, starts, strict=True))))
                rows["PyJobShop"].append(((makespan - cpm) / cpm, optimal, spent, bad))
                line.append(f"pyjobshop {makespan} {'optimal' if optimal else ''} {spent:.2f}s")
        line.append(f"best {bounds[path.stem]['best_known_makespan']}")
        print("  ".join(line), file=sys.stderr, flush=True)

    out = [
        f"### {args.set}: {len(files)} instances, {args.time_limit:g} s per instance, {args.threads} threads",
        "",
        f"`{' '.join(['uv run python bench/bench_level.py', *sys.argv[1:]])}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        "| method | mean deviation from CPM bound | proven optima | mean time (s) | infeasible schedules |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in rows.items():
        if not values:
            out.append(f"| {name} | not installed | | | |")
            continue
        out.append(
            f"| {name} | {100 * statistics.fmean(v[0] for v in values):.2f} % | "
            f"{sum(v[1] for v in values)} of {len(values)} | "
            f"{statistics.fmean(v[2] for v in values):.3f} | {sum(v[3] > 0 for v in values)} |"
        )
    out.append(f"| best known | {100 * statistics.fmean(best_dev):.2f} % | | | |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["j30", "j60", "j120"], default="j30")
    parser.add_argument("--subset", type=int, default=0, help="N instances spread over the set")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per instance: 10 for j60 and j120 (the issue's limit); for j30, whose "
        "target is a mean time, 120 so that the few hard instances can be proven",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-pyjobshop", action="store_true")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if args.time_limit is None:
        args.time_limit = 120.0 if args.set == "j30" else 10.0
    if not (args.data / args.set).is_dir():
        sys.exit(f"no PSPLIB folder at {args.data / args.set}")
    table = run(args)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"level-{args.set}.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
