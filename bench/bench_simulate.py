# ruff: noqa: E501 - Markdown table rows read better on one line
"""Benchmark of the Monte Carlo schedule risk analysis (pmo.engine.risk).

    uv run python bench/bench_simulate.py            # 10,000 iterations x 10,000 activities
    uv run python bench/bench_simulate.py --quick    # 1,000 x 1,000

Side by side on the same network (mixed links and lags, PERT durations): pmo, a per-iteration
pure-Python critical path loop (a few iterations timed, the rate extrapolated) and the
Monte Carlo of trueppm-scheduler (fewer runs; its rate reported). Prints a Markdown table
and writes it to bench/results/simulate.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np

from pmo.engine.network import Activity, LinkType, Network
from pmo.engine.risk import Pert, RiskModel, simulate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_schedule import make_network  # noqa: E402
from pure_python_cpm import pure_python_schedule  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def three_points(net: Network) -> dict[str, tuple[int, int, int]]:
    """Whole-day optimistic / most likely / pessimistic estimates around each duration."""
    return {
        a.id: (max(1, math.floor(0.8 * a.duration)), a.duration, math.ceil(1.6 * a.duration))
        for a in net.activities
    }


def clock() -> tuple[float, float]:
    """Wall-clock and CPU (all threads of this process) seconds."""
    return time.perf_counter(), time.process_time()


def since(began: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - began[0], now[1] - began[1]


def bench_pmo(
    net: Network, model: RiskModel, iterations: int, runs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Best of ``runs`` of each, wall and CPU seconds (the machine is shared); the PERT
    tables are rebuilt every run, as in a fresh process (only the JIT's disk cache is warm)."""
    from pmo.engine import risk

    simulate(net, model, 300, seed=0)  # the JIT (or its cache)
    spent = no_sens = (math.inf, math.inf)
    for _ in range(runs):
        risk._BETA_TABLES.clear()
        began = clock()
        result = simulate(net, model, iterations, seed=1)
        spent = min(spent, since(began))
        risk._BETA_TABLES.clear()
        began = clock()
        simulate(net, model, iterations, seed=1, sensitivity=False)
        no_sens = min(no_sens, since(began))
    print(
        f"pmo: P50 {result.finish.percentiles[50]:.1f}, P80 {result.finish.percentiles[80]:.1f}",
        flush=True,
    )
    return spent, no_sens


def bench_passes(net: Network, points: dict[str, tuple[int, int, int]]) -> float:
    """Activity-iterations per second of the compiled passes alone (forward, backward,
    criticality) on 256 rows of PERT durations drawn by numpy: best of 5."""
    from pmo.engine import _risk_kernel as kernel
    from pmo.engine import risk

    plan = risk._compile(net, RiskModel(), "pre")
    rng = np.random.default_rng(1)
    columns = []
    for activity_id in plan.ids:
        o, m, p = points[activity_id]
        alpha = 1 + 4 * (m - o) / (p - o) if p > o else 3.0
        columns.append(o + (p - o) * rng.beta(alpha, 6 - alpha, 256))
    dur = np.ascontiguousarray(np.stack(columns, axis=1)[:, plan.order])
    times = []
    for _ in range(6):
        began = time.perf_counter()
        kernel.simulate_lanes(dur, *risk._passes_arguments(plan), True)
        times.append(time.perf_counter() - began)
    return dur.size / min(times[1:])


def bench_pure_python(
    net: Network, points: dict[str, tuple[int, int, int]], runs: int
) -> tuple[float, float]:
    """Wall and CPU seconds per iteration of sample + pure-Python CPM (PERT durations rounded
    to units)."""
    rng = np.random.default_rng(1)
    began = clock()
    for _ in range(runs):
        activities = []
        for a in net.activities:
            o, m, p = points[a.id]
            alpha = 1 + 4 * (m - o) / (p - o) if p > o else 3.0
            d = o + (p - o) * rng.beta(alpha, 6 - alpha) if p > o else o
            activities.append(Activity(a.id, round(d), constraint=a.constraint))
        pure_python_schedule(Network(activities, net.links))
    wall, cpu = since(began)
    return wall / runs, cpu / runs


def bench_trueppm(net: Network, points: dict[str, tuple[int, int, int]], runs: int) -> str:
    try:
        import trueppm_scheduler as tp
    except ImportError:
        return "not installed: skipped"
    types = {t: getattr(tp.DependencyType, t.value) for t in LinkType}
    day = dt.timedelta(days=1)
    project = tp.Project(
        id="bench",
        name="bench",
        start_date=dt.date(2025, 1, 6),
        tasks=[
            tp.Task(
                id=a.id, name=a.id, duration=a.duration * day,
                optimistic_duration=points[a.id][0] * day,
                most_likely_duration=points[a.id][1] * day,
                pessimistic_duration=points[a.id][2] * day,
            )
            for a in net.activities
        ],
        dependencies=[
            tp.Dependency(k.predecessor, k.successor, types[k.type], k.lag * day)
            for k in net.links
        ],
        calendar=tp.Calendar(working_days=127),  # seven-day week: days are offsets
    )  # fmt: skip
    began = clock()
    try:
        tp.monte_carlo(project, runs=runs, seed=1)
    except Exception as error:  # noqa: BLE001 - report whatever the peer says
        return f"refused: {str(error)[:100]} | | | |"
    wall, cpu = since(began)
    work = runs * len(net.activities)
    return f"{runs} runs: {wall:.1f} | {cpu:.1f} | {work / wall:.3g} | {work / cpu:.3g} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 x 1,000 instead")
    parser.add_argument("--activities", type=int, default=None)
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3, help="best of this many pmo runs")
    args = parser.parse_args()
    n = args.activities or (1_000 if args.quick else 10_000)
    iterations = args.iterations or (1_000 if args.quick else 10_000)
    # The network trueppm-scheduler accepts too: no constraints, durations >= 1 unit.
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    net = make_network(n, constraints=False, min_duration=1, seed=2)
    points = three_points(net)
    model = RiskModel({a: Pert(*p) for a, p in points.items() if p[0] < p[2]})
    mine, mine_no_sens = bench_pmo(net, model, iterations, args.runs)
    passes = bench_passes(net, points)
    per_iteration = bench_pure_python(net, points, 2 if n >= 5_000 else 5)
    theirs = bench_trueppm(net, points, 5 if n >= 5_000 else 20)
    work = n * iterations
    out = [
        f"### Monte Carlo: {iterations:,} iterations on {n:,} activities, {len(net.links):,} links (mixed types, lags)",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, numba threads {numba.get_num_threads()}, Python {platform.python_version()}, load average {load:.1f} before the run.",
        "",
        "| engine | seconds | CPU seconds | activity-iterations per second | per CPU second |",
        "|---|---:|---:|---:|---:|",
        f"| pmo end to end (sampling, finish, cost, criticality, sensitivity; best of {args.runs}) | {mine[0]:.2f} | {mine[1]:.2f} | {work / mine[0]:.3g} | {work / mine[1]:.3g} |",
        f"| pmo end to end without sensitivity (best of {args.runs}) | {mine_no_sens[0]:.2f} | {mine_no_sens[1]:.2f} | {work / mine_no_sens[0]:.3g} | {work / mine_no_sens[1]:.3g} |",
        f"| pmo passes alone (forward, backward, criticality on given durations; best of 5 blocks of 256) | | | {passes:.3g} | |",
        f"| pure-Python CPM per iteration (timed {2 if n >= 5_000 else 5} iterations, extrapolated) | {per_iteration[0] * iterations:.0f} | {per_iteration[1] * iterations:.0f} | {n / per_iteration[0]:.3g} | {n / per_iteration[1]:.3g} |",
        f"| trueppm-scheduler monte_carlo | {theirs}",
        "",
    ]
    text = "\n".join(out)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("simulate-quick.md" if args.quick else "simulate.md")).write_text(text + "\n")


if __name__ == "__main__":
    main()
