# ruff: noqa: E501 - Markdown table rows read better on one line
"""Benchmark of the scheduling engine against a pure-Python CPM, trueppm-scheduler and tj3.

    uv run python bench/bench_schedule.py            # full run (about 3 minutes on 2 cores)
    uv run python bench/bench_schedule.py --quick    # smaller networks, tj3 at 1k only

Prints Markdown tables (the figures in bench/README.md come from it) and writes them to
bench/results/schedule.md. Every peer's results are checked equal to pmo's where the
semantics match; a peer that is not installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pmo.engine import Activity, Constraint, ConstraintType, Link, LinkType, Network, schedule
from pmo.engine.cpm import COLUMNS, warm_up

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pure_python_cpm import pure_python_schedule  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LINK_TYPES = [LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF]


def make_network(
    n: int,
    *,
    links_per_activity: float = 3.0,
    seed: int = 1,
    mixed: bool = True,
    constraints: bool = True,
    min_duration: int = 0,
) -> Network:
    """A random acyclic network: each link goes from an earlier to a later activity."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(max(1, min_duration), 21, size=n)
    if min_duration == 0:
        durations[rng.random(n) < 0.05] = 0  # milestones
    m = int(n * links_per_activity)
    succ = rng.integers(1, n, size=m) if n > 1 else np.zeros(0, dtype=np.int64)
    back = rng.geometric(0.02, size=len(succ))  # mostly local links, some long ones
    pred = np.maximum(succ - back, 0)
    pairs = np.unique(np.stack([pred, succ], axis=1), axis=0)
    pairs = pairs[rng.permutation(len(pairs))]
    if mixed:
        types = rng.choice(4, size=len(pairs), p=[0.7, 0.12, 0.12, 0.06])
        lags = np.where(rng.random(len(pairs)) < 0.3, rng.integers(-3, 9, size=len(pairs)), 0)
    else:
        types = np.zeros(len(pairs), dtype=np.int64)
        lags = np.zeros(len(pairs), dtype=np.int64)
    activities = []
    kinds = rng.random(n)
    for i in range(n):
        constraint = None
        if constraints and kinds[i] < 0.01:
            constraint = Constraint(ConstraintType.SNET, int(rng.integers(0, 5 * n // 100 + 10)))
        elif constraints and kinds[i] < 0.012:
            constraint = Constraint(ConstraintType.FNLT, int(rng.integers(0, 5 * n // 100 + 10)))
        elif constraints and kinds[i] < 0.015:
            constraint = Constraint(ConstraintType.ALAP)
        activities.append(Activity(f"a{i}", int(durations[i]), constraint=constraint))
    links = [
        Link(f"a{p}", f"a{s}", LINK_TYPES[t], int(g))
        for (p, s), t, g in zip(pairs.tolist(), types.tolist(), lags.tolist(), strict=True)
    ]
    return Network(activities, links)


def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    value: object = None
    for _ in range(repeat):
        began = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), value


def same_as_pmo(net: Network, table: dict[str, dict[str, int]]) -> bool:
    result = schedule(net)
    return all(
        table[r["id"]] == {k: v for k, v in r.items() if k != "id"} for r in result.records()
    )


def bench_pure_python(sizes: list[int], out: list[str]) -> None:
    out += [
        "### pmo against a pure-Python CPM (same network, mixed links, lags, constraints)",
        "",
        "| activities | links | pmo cold (s) | pmo warm (s) | pure Python (s) | speed-up cold / warm | equal |",
        "|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for n in sizes:
        net = make_network(n)
        cold_times = []
        for _ in range(3):
            fresh = Network(net.activities, net.links)
            began = time.perf_counter()
            schedule(fresh)
            cold_times.append(time.perf_counter() - began)
        cold = statistics.median(cold_times)
        warm, _ = timed(lambda net=net: schedule(net), 5)
        slow, table = timed(lambda net=net: pure_python_schedule(net), 1 if n > 20_000 else 3)
        equal = same_as_pmo(net, table)  # type: ignore[arg-type]
        out.append(
            f"| {n:,} | {len(net.links):,} | {cold:.3f} | {warm:.4f} | {slow:.2f} "
            f"| {slow / cold:.0f}x / {slow / warm:.0f}x | {'yes' if equal else 'NO'} |"
        )
        print(out[-1], flush=True)


def bench_calendars(n: int, out: list[str]) -> None:
    """`schedule_calendars` with a third of the activities on each of three calendars."""
    from pmo.engine import Calendar, schedule_calendars
    from pmo.engine.calendar_cpm import warm_up_calendars

    warm_up_calendars()
    base = make_network(n)
    names = [None, "4x10", "24x7"]
    net = Network(
        [
            Activity(a.id, a.duration, constraint=a.constraint, calendar=names[i % 3])
            for i, a in enumerate(base.activities)
        ],
        base.links,
    )
    calendars = {
        "4x10": Calendar(week=[((420, 720), (780, 1080))] * 4 + [(), (), ()], name="4x10"),
        "24x7": Calendar(week=[((0, 1440),)] * 7, name="24x7"),
    }
    project = Calendar(unit=60)  # the standard week, durations and lags in hours
    origin = dt.datetime(2025, 1, 6, 8)
    plain, _ = timed(lambda: schedule(net), 3)
    on_calendars, _ = timed(lambda: schedule_calendars(net, calendars, project, origin), 3)
    out += [
        "",
        "### Per-activity calendars (standard week, 4x10 and 24x7, a third each)",
        "",
        "| activities | links | schedule (s) | schedule_calendars (s) |",
        "|---:|---:|---:|---:|",
        f"| {n:,} | {len(net.links):,} | {plain:.4f} | {on_calendars:.3f} |",
    ]
    print(out[-1], flush=True)


def bench_trueppm(sizes: list[int], out: list[str]) -> None:
    out += ["", "### pmo against trueppm-scheduler (mixed links and lags, durations >= 1 day)", ""]
    try:
        import trueppm_scheduler as tp
    except ImportError:
        out.append("trueppm-scheduler is not installed: skipped.")
        return
    out += [
        "| activities | links | pmo warm (s) | trueppm (s) | speed-up | equal |",
        "|---:|---:|---:|---:|---:|:---:|",
    ]
    start = dt.date(2025, 1, 6)
    types = {t: getattr(tp.DependencyType, t.value) for t in LinkType}
    for n in sizes:
        net = make_network(n, constraints=False, min_duration=1, seed=2)
        project = tp.Project(
            id="bench",
            name="bench",
            start_date=start,
            tasks=[
                tp.Task(id=a.id, name=a.id, duration=dt.timedelta(days=a.duration))
                for a in net.activities
            ],
            dependencies=[
                tp.Dependency(k.predecessor, k.successor, types[k.type], dt.timedelta(days=k.lag))
                for k in net.links
            ],
            calendar=tp.Calendar(working_days=127),  # seven-day week: days are offsets
        )
        mine, result = timed(lambda net=net: schedule(net), 3)
        try:
            theirs, their = timed(lambda project=project: tp.schedule(project), 1)
        except Exception as error:  # noqa: BLE001 - report whatever the peer says
            out.append(
                f"| {n:,} | {len(net.links):,} | {mine:.4f} | refused: {str(error)[:80]} | | |"
            )
            print(out[-1], flush=True)
            continue
        rows = {t.id: t for t in their.tasks}  # type: ignore[attr-defined]
        mismatches = 0
        for r in result.records():  # type: ignore[attr-defined]
            t = rows[r["id"]]
            got = (
                (t.early_start - start).days,
                (t.early_finish - start).days + 1,  # trueppm finishes are inclusive days
                (t.late_start - start).days,
                (t.late_finish - start).days + 1,
                t.total_float.days,
                t.free_float.days,
            )
            want = tuple(r[k] for k in COLUMNS[:-1])
            mismatches += got != want
        equal = "yes" if mismatches == 0 else f"{n - mismatches:,} of {n:,} rows"
        out.append(
            f"| {n:,} | {len(net.links):,} | {mine:.4f} | {theirs:.2f} | {theirs / mine:.0f}x | {equal} |"
        )
        print(out[-1], flush=True)


def bench_tj3(sizes: list[int], out: list[str]) -> None:
    out += ["", "### pmo against TaskJuggler 3 (finish-to-start, no lags, durations >= 1 day)", ""]
    tj3 = shutil.which("tj3")
    if tj3 is None:
        out.append("tj3 is not installed (`apt-get install tj3`): skipped.")
        return
    version = subprocess.run(
        [tj3, "--version"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    out += [
        f"{version.strip()}; early dates compared (TaskJuggler has no late dates or float).",
        "",
        "| activities | links | pmo warm (s) | tj3 (s) | speed-up | equal |",
        "|---:|---:|---:|---:|---:|:---:|",
    ]
    for n in sizes:
        net = make_network(n, mixed=False, constraints=False, min_duration=1, seed=3)
        lines = ['project bench "Bench" 2025-01-06 +30y { timezone "UTC" }', ""]
        preds: dict[str, list[str]] = {}
        for k in net.links:
            preds.setdefault(k.successor, []).append(k.predecessor)
        for a in net.activities:
            lines.append(f'task {a.id} "{a.id}" {{ duration {a.duration}d')
            if a.id in preds:
                lines.append("  depends " + ", ".join(preds[a.id]))
            lines.append("}")
        lines.append(
            'taskreport out "out" { formats csv columns id, start, end timeformat "%Y-%m-%d-%H:%M" }'
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.tjp"
            path.write_text("\n".join(lines) + "\n")
            began = time.perf_counter()
            run = subprocess.run(
                [tj3, "--no-color", "-o", tmp, str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            theirs = time.perf_counter() - began
            if run.returncode != 0:
                out.append(
                    f"| {n:,} | {len(net.links):,} | | failed: {run.stderr.strip()[:80]} | | |"
                )
                continue
            csv_lines = (Path(tmp) / "out.csv").read_text().splitlines()[1:]
        mine, result = timed(lambda net=net: schedule(net), 3)
        origin = dt.datetime(2025, 1, 6)
        got = {}
        for line in csv_lines:
            ident, begin, end = (f.strip('"') for f in line.split(";"))
            got[ident] = (_day(begin, origin), _day(end, origin))
        mismatches = sum(
            got.get(r["id"]) != (r["early_start"], r["early_finish"])
            for r in result.records()  # type: ignore[attr-defined]
        )
        equal = "yes" if mismatches == 0 else f"{n - mismatches:,} of {n:,} rows"
        out.append(
            f"| {n:,} | {len(net.links):,} | {mine:.4f} | {theirs:.1f} | {theirs / mine:.0f}x | {equal} |"
        )
        print(out[-1], flush=True)


def _day(stamp: str, origin: dt.datetime) -> float:
    return (dt.datetime.strptime(stamp, "%Y-%m-%d-%H:%M") - origin) / dt.timedelta(days=1)


def memory_probe(n: int) -> None:
    """Run in a child process: build and schedule, print peak RSS in MB."""
    warm_up()
    net = make_network(n)
    result = schedule(net)
    result.records()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small networks, for a smoke run")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        memory_probe(args.memory_probe)
        return
    big = 10_000 if args.quick else 100_000
    out = [
        f"Run {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}.",
        "",
    ]
    began = time.perf_counter()
    compile_seconds = warm_up()
    out += [
        f"JIT: first call in this process (numba, from its cache when present): {compile_seconds:.2f} s "
        f"(measured {time.perf_counter() - began:.2f} s including the import); paid once per process "
        "by `pmo.engine.warm_up()`, never per call.",
        "",
    ]
    print("\n".join(out), flush=True)
    bench_pure_python([1_000, 10_000, big] if not args.quick else [1_000, big], out)
    probe = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(big)],
        capture_output=True,
        text=True,
        check=True,
    )
    out += [
        "",
        f"Peak memory (RSS of a fresh process that imports, compiles, builds and schedules "
        f"{big:,} activities): {float(probe.stdout.strip()):.0f} MB.",
        "",
    ]
    print(out[-2], flush=True)
    bench_calendars(10_000, out)
    bench_trueppm([1_000, 5_000, 10_000] if not args.quick else [1_000], out)
    if not args.quick:
        bench_trueppm_refusal(out)
    bench_tj3([1_000, 5_000, 10_000] if not args.quick else [1_000], out)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "schedule.md").write_text("\n".join(out) + "\n")
    print("\n".join(out))


def bench_trueppm_refusal(out: list[str]) -> None:
    """trueppm-scheduler caps networks at 100,000 dependencies; say what it answers."""
    try:
        import trueppm_scheduler as tp
    except ImportError:
        return
    out += [
        "",
        f"trueppm-scheduler caps a network at {tp.MAX_DEPENDENCIES:,} dependencies, so the "
        "100,000-activity network (about 300,000 links) cannot be given to it.",
    ]


if __name__ == "__main__":
    main()
