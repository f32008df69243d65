# ruff: noqa: E501 - Markdown table rows read better on one line
"""Benchmark of the capacity forecast: 2,000 people × 104 weeks × 100,000 assignments.

    uv run python bench/bench_capacity.py            # full run (about a minute on 2 cores)
    uv run python bench/bench_capacity.py --quick    # a tenth of the size

Times `pmo.engine.capacity_forecast` (target: at most 1 s) and checks it equal, on a 10 %
sample, to `pure_python_forecast` below: a day-by-day loop straight from the definitions in
docs/engine/capacity.md. Prints Markdown and writes it to bench/results/capacity.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pmo.engine import Calendar, Demand, Periods, Person, capacity_forecast

RESULTS = Path(__file__).resolve().parent / "results"
START = dt.date(2025, 1, 6)
ROLES = ("Developer", "Analyst", "Tester", "Architect", "Project manager")
DEPARTMENTS = ("Apps", "Data", "Infra", "Finance", "PMO", "Sales", "HR", "Ops")


def _holidays(year_days: Sequence[tuple[int, int]], years: range) -> dict[dt.date, tuple[()]]:
    return {dt.date(y, m, d): () for y in years for m, d in year_days}


def make_calendars() -> dict[str, Calendar]:
    """One calendar per role's usual contract, with public holidays over three years."""
    years = range(2024, 2028)
    fr = _holidays([(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)], years)
    uk = _holidays([(1, 1), (5, 5), (8, 25), (12, 25), (12, 26)], years)
    day = ((480, 720), (780, 1020))
    return {
        "FR 5x8": Calendar(exceptions=fr, name="FR 5x8"),
        "UK 5x7.5": Calendar(week=[((540, 720), (750, 1020))] * 5 + [(), ()], exceptions=uk),
        "4x10": Calendar(week=[((420, 720), (780, 1080))] * 4 + [(), (), ()], exceptions=fr),
        "Part time": Calendar(week=[day, day, ((480, 720),), day, (), (), ()], exceptions=fr),
        "Support 6x8": Calendar(week=[day] * 6 + [()], exceptions=uk),
    }


def make_inputs(
    n_people: int = 2000, n_demands: int = 100_000, weeks: int = 104, seed: int = 1
) -> tuple[list[Person], list[Demand], Periods, dict[str, Calendar], dict[str, str]]:
    """Seeded people (vacations, part-time stretches, hires and leavers) and assignments
    (90 % named, 10 % placeholders; 15 % in units; 20 % weighted pipeline requests)."""
    rng = np.random.default_rng(seed)
    calendars = make_calendars()
    names = list(calendars)
    periods = Periods(START, weeks)
    people = []
    for i in range(n_people):
        r = int(rng.integers(len(ROLES)))
        availability: float | list[tuple[dt.date, float]] = float(rng.choice([1.0, 1.0, 0.8, 0.5]))
        if rng.random() < 0.2:
            change = START + dt.timedelta(days=int(rng.integers(0, 7 * weeks)))
            availability = [(change, float(rng.choice([0.5, 0.8, 1.0])))]
        joined = (
            START + dt.timedelta(days=int(rng.integers(0, 7 * weeks)))
            if rng.random() < 0.1
            else None
        )
        left = (
            START + dt.timedelta(days=int(rng.integers(0, 7 * weeks)))
            if rng.random() < 0.05
            else None
        )
        if joined and left and left < joined:
            joined, left = left, joined
        vacation = START + dt.timedelta(days=int(rng.integers(0, 7 * weeks - 14)))
        exceptions = {vacation + dt.timedelta(days=k): () for k in range(10)}
        if rng.random() < 0.3:
            exceptions[START + dt.timedelta(days=int(rng.integers(0, 7 * weeks)))] = ((480, 720),)
        people.append(
            Person(
                f"P{i}",
                ROLES[r],
                DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))],
                names[(r + int(rng.random() < 0.2)) % len(names)],
                availability,
                joined,
                left,
                exceptions,
            )
        )
    demands = []
    for k in range(n_demands):
        start = START + dt.timedelta(days=int(rng.integers(-60, 7 * weeks)))
        finish = start + dt.timedelta(days=int(rng.integers(0, 120)))
        placeholder = rng.random() < 0.1
        person = None if placeholder else f"P{int(rng.integers(n_people))}"
        role = ROLES[int(rng.integers(len(ROLES)))] if placeholder else None
        weight = 1.0 if rng.random() < 0.8 else float(rng.choice([0.25, 0.5, 0.75]))
        units = float(rng.choice([0.2, 0.5, 1.0])) if rng.random() < 0.15 else None
        hours = None if units is not None else float(rng.integers(1, 400))
        demands.append(
            Demand(f"D{k}", person, role, f"Project {k % 500}", start, finish, hours, units, weight)
        )
    role_calendars = {role: names[r] for r, role in enumerate(ROLES)}
    return people, demands, periods, calendars, role_calendars


def pure_python_forecast(
    people: Sequence[Person],
    demands: Sequence[Demand],
    periods: Periods,
    calendars: Mapping[str, Calendar],
    role_calendars: Mapping[str, str],
    group_by: str = "role",
) -> dict[str | None, tuple[list[float], list[float]]]:
    """Supply and demand hours per group and period, one day at a time (dicts and floats)."""
    bounds = periods.bounds
    standard = Calendar()

    def period_of(day: dt.date) -> int | None:
        if not bounds[0] <= day < bounds[-1]:
            return None
        return max(p for p in range(periods.count) if bounds[p] <= day)

    def minutes(day: dt.date, cal: Calendar, person: Person | None) -> int:
        if person is not None and day in person.exceptions:
            return sum(b - a for a, b in person.exceptions[day])
        return cal.minutes_on(day)

    out: dict[str | None, tuple[list[float], list[float]]] = {}

    def cell(group: str | None) -> tuple[list[float], list[float]]:
        return out.setdefault(group, ([0.0] * periods.count, [0.0] * periods.count))

    by_id = {p.id: p for p in people}
    field = "id" if group_by == "person" else group_by
    for person in people:
        cal = calendars[person.calendar] if person.calendar else standard
        supply, _ = cell(getattr(person, field))
        day = bounds[0]
        while day < bounds[-1]:
            share = 1.0
            for since, fraction in person.availability:  # type: ignore[union-attr]
                if since <= day:
                    share = fraction
            employed = (person.employed_from is None or person.employed_from <= day) and (
                person.employed_to is None or day <= person.employed_to
            )
            p = period_of(day)
            if employed and p is not None:
                supply[p] += minutes(day, cal, person) / 60 * share
            day += dt.timedelta(days=1)
    for demand in demands:
        who = by_id[demand.person] if demand.person else None
        if who is not None:
            cal = calendars[who.calendar] if who.calendar else standard
            group = getattr(who, field)
        else:
            name = role_calendars.get(demand.role or "")
            cal = calendars[name] if name else standard
            group = {"person": None, "role": demand.role, "department": demand.department}[group_by]
        _, load = cell(group)
        days = [
            demand.start + dt.timedelta(days=k)
            for k in range((demand.finish - demand.start).days + 1)
        ]
        working = {d for d in days if minutes(d, cal, who) > 0}
        for day in days:
            p = period_of(day)
            if p is None:
                continue
            if demand.units is not None:
                load[p] += demand.units * demand.weight * minutes(day, cal, who) / 60
            elif working:
                load[p] += (
                    (demand.hours or 0.0) * demand.weight / len(working) if day in working else 0.0
                )
            else:
                load[p] += (demand.hours or 0.0) * demand.weight / len(days)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    n_people, n_demands = 2000 // scale, 100_000 // scale
    build = time.perf_counter()
    people, demands, periods, calendars, role_calendars = make_inputs(n_people, n_demands)
    build = time.perf_counter() - build

    def run() -> float:
        t = time.perf_counter()
        capacity_forecast(people, demands, periods, calendars, role_calendars=role_calendars)
        return time.perf_counter() - t

    first = run()
    times = [run() for _ in range(args.repeat)]
    by_group = {
        g: [run_group(g, people, demands, periods, calendars, role_calendars)]
        for g in ("person", "department")
    }

    # A 10 % sample (people and their assignments, and 10 % of the placeholders) against
    # the pure-Python loop.
    sample_people = people[::10]
    ids = {p.id for p in sample_people}
    sample_demands = [
        d for k, d in enumerate(demands) if (d.person in ids) or (d.person is None and k % 10 == 0)
    ]
    t = time.perf_counter()
    fast = capacity_forecast(
        sample_people, sample_demands, periods, calendars, role_calendars=role_calendars
    )
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    slow = pure_python_forecast(sample_people, sample_demands, periods, calendars, role_calendars)
    t_slow = time.perf_counter() - t
    equal = set(slow) == {g[0] for g in fast.groups} and all(
        np.allclose(fast.supply[r], slow[g[0]][0], rtol=1e-9, atol=1e-6)
        and np.allclose(fast.demand[r], slow[g[0]][1], rtol=1e-9, atol=1e-6)
        for r, g in enumerate(fast.groups)
    )

    lines = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}; "
        f"inputs built in {build:.1f} s (not timed)",
        "",
        "| people | weeks | assignments | group by | first call (s) | median of "
        f"{args.repeat} (s) | target |",
        "|---:|---:|---:|:---|---:|---:|:---|",
        f"| {n_people:,} | {periods.count} | {n_demands:,} | role | {first:.3f} | {statistics.median(times):.3f} | ≤ 1 s |",
        *(
            f"| {n_people:,} | {periods.count} | {n_demands:,} | {g} | | {t[0]:.3f} | ≤ 1 s |"
            for g, t in by_group.items()
        ),
        "",
        "| sample | assignments | pmo (s) | pure Python (s) | speed-up | equal |",
        "|---:|---:|---:|---:|---:|:---:|",
        f"| {len(sample_people):,} people | {len(sample_demands):,} | {t_fast:.3f} | {t_slow:.2f} | {t_slow / t_fast:.0f}x | {'yes' if equal else 'NO'} |",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "capacity.md").write_text(text + "\n")
    if not equal:
        raise SystemExit("capacity_forecast differs from the pure-Python loop")


def run_group(
    group: str,
    people: Sequence[Person],
    demands: Sequence[Demand],
    periods: Periods,
    calendars: Mapping[str, Calendar],
    role_calendars: Mapping[str, str],
) -> float:
    """Median time of three forecasts grouped by ``group``."""
    times = []
    for _ in range(3):
        t = time.perf_counter()
        capacity_forecast(
            people, demands, periods, calendars, group_by=(group,), role_calendars=role_calendars
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times)


if __name__ == "__main__":
    main()
