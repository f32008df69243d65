# ruff: noqa: E501 - Markdown table rows read better on one line
"""Benchmark of resource levelling on the PSPLIB sets against SGS-LFT, PyJobShop and TaskJuggler 3.

    uv run python bench/bench_level.py --set j30                      # all 480 j30 instances (120 s limit)
    uv run python bench/bench_level.py --set j60 --subset 20          # 20 evenly spread j60
    uv run python bench/bench_level.py --set j120 --subset 20 --time-limit 10 --threads 2
    uv run python bench/bench_level.py --set j30 --subset 10 --tj3 10 --no-pyjobshop --time-limit 5

Per set: mean deviation of the makespan from the critical-path lower bound, the number of
proven optima and the mean time, for pmo's `level`, one serial schedule generation with the
latest-finish-time rule (what desktop tools do) and PyJobShop with CP-SAT at the same time
limit and threads, and TaskJuggler 3 (`tj3`) on an evenly spread sample of j30 (--tj3 N, 30
by default, 0 to skip) next to pmo on the same sample. Every schedule but TaskJuggler's is
checked for precedence and capacity feasibility; an infeasible one is counted and reported.
TaskJuggler schedules effort, so its tasks may be split or stretched across hours: those are
counted instead. Tables go to standard output and to
bench/results/level-<set>.md. The PSPLIB folder is ../shared/data/psplib next to the repository
(or --data).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
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


TJ3_ORIGIN = dt.datetime(2025, 1, 6)  # a Monday; one period of PSPLIB = one hour
TJ3_NOTE = (
    "TaskJuggler schedules effort, so its tasks may be split or stretched across hours; its "
    "schedules are not checked for non-preemptive feasibility"
)


def tjp_of_network(network, name: str = "psplib") -> tuple[str, dict[str, str]]:
    """A TaskJuggler 3 project for a PSPLIB network, and the task id of each activity.

    One period is one hour of a 24 h, 7-day working time. A renewable resource of capacity c
    becomes a group of c resources; an activity needing u units of it allocates u members
    (each allocation may take any member, all mandatory, so the u are booked in the same
    hours) and is an effort task of (sum of u) x duration hours. An activity without demand
    is a duration task, one of zero duration a milestone."""
    stamp = TJ3_ORIGIN.strftime("%Y-%m-%d-%H:%M")
    hours = "workinghours mon - sun 0:00 - 24:00"
    horizon = sum(a.duration for a in network.activities) // 24 + 7
    lines = [
        f'project {name} "{name}" {stamp} +{horizon}d {{',
        '  timezone "UTC"',
        "  timingresolution 60min",
        "  dailyworkinghours 24",
        "  weekstartsmonday",
        f"  {hours}",
        "}",
        "",
    ]
    members: dict[str, list[str]] = {}
    for k, r in enumerate(network.resources):
        members[r.id] = [f"r{k}_{u}" for u in range(1, r.capacity + 1)]
        lines.append(f'resource r{k} "{r.id}" {{')
        lines.append(f"  {hours}")
        lines += [f'  resource {m} "{r.id}_{m.rsplit("_", 1)[1]}"' for m in members[r.id]]
        lines.append("}")
    task = {a.id: f"t{k}" for k, a in enumerate(network.activities)}
    preds: dict[str, list[str]] = {}
    for link in network.links:
        preds.setdefault(link.successor, []).append(task[link.predecessor])
    for a in network.activities:
        lines.append(f'task {task[a.id]} "{a.id}" {{')
        demands = {r: u for r, u in a.demands.items() if u > 0}
        if a.duration == 0:
            lines.append("  milestone")
        elif not demands:
            lines.append(f"  duration {a.duration}h")
        else:
            lines.append(f"  effort {sum(demands.values()) * a.duration}h")
            for r, units in demands.items():
                first, *others = members[r]
                alternative = f"alternative {', '.join(others)} " if others else ""
                lines += [f"  allocate {first} {{ {alternative}mandatory }}"] * units
        if a.id in preds:
            lines.append(f"  depends {', '.join(preds[a.id])}")
        else:
            lines.append(f"  start {stamp}")
        lines.append("}")
    lines.append(
        'taskreport out "out" { formats csv columns id, start, end timeformat "%Y-%m-%d-%H:%M" }'
    )
    return "\n".join(lines) + "\n", task


def _tj3(tj3: str, network) -> tuple[int, int, float] | str:
    """Makespan, number of split or stretched tasks and seconds; or the error."""
    text, task = tjp_of_network(network)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "level.tjp"
        path.write_text(text)
        began = time.perf_counter()
        try:
            done = subprocess.run(
                [tj3, "--no-color", "-o", tmp, str(path)],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            return "no answer in 600 s"
        spent = time.perf_counter() - began
        if done.returncode != 0 or not (Path(tmp) / "out.csv").exists():
            said = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
            return said[-1][:100]
        csv_lines = (Path(tmp) / "out.csv").read_text().splitlines()[1:]
    got = {}
    for line in csv_lines:
        ident, begin, end = (f.strip('"') for f in line.split(";"))
        got[ident] = tuple(
            round((dt.datetime.strptime(x, "%Y-%m-%d-%H:%M") - TJ3_ORIGIN) / dt.timedelta(hours=1))
            for x in (begin, end)
        )
    spans = [got[task[a.id]] for a in network.activities]
    split = sum(
        end - start != a.duration for a, (start, end) in zip(network.activities, spans, strict=True)
    )
    return max(end for _, end in spans), split, spent


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
    tj3 = shutil.which("tj3")
    sample: set[Path] = set()
    if args.set == "j30" and args.tj3 and tj3 is not None:
        n = min(args.tj3, len(files))
        sample = {files[int(k * len(files) / n)] for k in range(n)}
    # per sample instance: pmo's (deviation, optimal, seconds), TaskJuggler's (deviation,
    # hit the CPM bound, seconds, split or stretched tasks), best known deviation
    tj_rows: list[tuple[tuple[float, bool, float], tuple[float, bool, float, int], float]] = []
    tj_failed: list[str] = []
    tj_below: list[str] = []
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
        if path in sample:
            peer = _tj3(tj3, network)
            if isinstance(peer, str):
                tj_failed.append(path.stem)
                line.append(f"tj3 failed: {peer}")
            else:
                makespan, split, spent = peer
                if makespan < cpm:
                    tj_below.append(path.stem)
                tj_rows.append(
                    (
                        rows["pmo"][-1][:3],
                        ((makespan - cpm) / cpm, makespan == cpm, spent, split),
                        best_dev[-1],
                    )
                )
                line.append(f"tj3 {makespan} ({split} split or stretched) {spent:.2f}s")
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
            why = "not run (--no-pyjobshop)" if args.no_pyjobshop else "not installed"
            out.append(f"| {name} | {why} | | | |")
            continue
        out.append(
            f"| {name} | {100 * statistics.fmean(v[0] for v in values):.2f} % | "
            f"{sum(v[1] for v in values)} of {len(values)} | "
            f"{statistics.fmean(v[2] for v in values):.3f} | {sum(v[3] > 0 for v in values)} |"
        )
    out.append(f"| best known | {100 * statistics.fmean(best_dev):.2f} % | | | |")
    out += _tj3_table(args, tj3, tj_rows, tj_failed, tj_below)
    return "\n".join(out)


def _tj3_table(
    args: argparse.Namespace,
    tj3: str | None,
    tj_rows: list[tuple[tuple[float, bool, float], tuple[float, bool, float, int], float]],
    failed: list[str],
    below: list[str],
) -> list[str]:
    if not args.tj3:
        return []
    if args.set != "j30":
        return ["", f"TaskJuggler 3 runs on j30 only: --tj3 {args.tj3} ignored for {args.set}."]
    header = [
        "| method | mean deviation from CPM bound | proven optima | mean time (s) | instances with split or stretched tasks |",
        "|---|---:|---:|---:|---:|",
    ]
    if tj3 is None:
        return [
            "",
            *header,
            "| TaskJuggler 3 | not installed (`apt-get install tj3`): skipped | | | |",
        ]
    version = subprocess.run([tj3, "--version"], capture_output=True, text=True, check=False)
    out = [
        "",
        f"{(version.stdout.strip() or 'TaskJuggler 3').splitlines()[0]} on "
        f"{len(tj_rows) + len(failed)} evenly spread instances of this run, pmo on the same sample:",
        "",
        *header,
    ]
    if tj_rows:
        n = len(tj_rows)
        mine = [r[0] for r in tj_rows]
        theirs = [r[1] for r in tj_rows]
        out += [
            f"| TaskJuggler 3 | {100 * statistics.fmean(v[0] for v in theirs):.2f} % | — | "
            f"{statistics.fmean(v[2] for v in theirs):.3f} | {sum(v[3] > 0 for v in theirs)} of {n} |",
            f"| pmo on the same sample | {100 * statistics.fmean(v[0] for v in mine):.2f} % | "
            f"{sum(v[1] for v in mine)} of {n} | {statistics.fmean(v[2] for v in mine):.3f} | |",
            f"| best known on the same sample | {100 * statistics.fmean(r[2] for r in tj_rows):.2f} % | | | |",
        ]
    notes = [
        f"{TJ3_NOTE} (pmo's `violations` check is not run on them). TaskJuggler proves nothing; "
        f"{sum(r[1][1] for r in tj_rows)} of {len(tj_rows)} of its makespans equal the CPM "
        f"bound. In all, {sum(r[1][3] for r in tj_rows)} tasks were split or stretched (end − "
        "start ≠ duration). Its mean time is the wall time of one `tj3` process (Ruby start "
        "included)."
    ]
    if failed:
        notes.append(f"tj3 failed on {len(failed)}: {', '.join(failed)}.")
    if below:
        notes.append(f"Makespan below the CPM bound (a modelling error): {', '.join(below)}.")
    return [*out, "", " ".join(notes)]


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
    parser.add_argument(
        "--tj3",
        type=int,
        default=None,
        help="N instances, evenly spread over those run, for TaskJuggler 3 (j30 only; "
        "30 by default for j30, 0 to skip)",
    )
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if args.time_limit is None:
        args.time_limit = 120.0 if args.set == "j30" else 10.0
    if args.tj3 is None:
        args.tj3 = 30 if args.set == "j30" else 0
    if not (args.data / args.set).is_dir():
        sys.exit(f"no PSPLIB folder at {args.data / args.set}")
    table = run(args)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"level-{args.set}.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
