"""The genetic search of the levelling: every schedule it returns keeps the links, the release
dates and the capacities (fixed loads too), it is never longer than the schedule it starts
from, and the same seed and generations give the same schedule on one thread or two."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_leveling import rcpsp_networks

from pmo.engine.leveling import LevelProblem, level_serial, violations
from pmo.engine.leveling.genetic import genetic
from pmo.engine.network import Activity, Constraint, ConstraintType, Link, Network, Resource

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _search(network: Network, seed: int, threads: int, fixed=None) -> tuple[LevelProblem, list]:
    problem = LevelProblem.build(network, fixed)
    first = level_serial(network, rule="lft", fixed_loads=fixed)
    start = (first.starts[problem.rows] - network.start).astype(np.int64)
    found = genetic(
        problem,
        start,
        seed=seed,
        threads=threads,
        target=0,  # never reached by a network with work: every generation runs
        deadline=time.perf_counter() + 60,
        generations=6,
    )
    assert int((found + problem.duration).max(initial=0)) <= int(
        (start + problem.duration).max(initial=0)
    )
    return problem, found.tolist()


def _as_network_starts(network: Network, problem: LevelProblem, found: list) -> dict[str, int]:
    starts = {a.id: network.start for a in network.activities}
    for row, value in zip(problem.rows.tolist(), found, strict=True):
        starts[network.activities[row].id] = network.start + value
    return starts


@SETTINGS
@given(rcpsp_networks(), st.integers(0, 3), st.sampled_from([1, 2]))
def test_its_schedules_keep_links_and_capacities_and_are_never_longer(
    network: Network, seed: int, threads: int
) -> None:
    problem, found = _search(network, seed, threads)
    assert violations(network, _as_network_starts(network, problem, found)) == []


@settings(max_examples=15, deadline=None)
@given(rcpsp_networks(), st.integers(0, 5))
def test_the_same_seed_gives_the_same_schedule(network: Network, seed: int) -> None:
    assert _search(network, seed, 2)[1] == _search(network, seed, 2)[1]


def _random_project(seed: int, n: int = 40) -> Network:
    rng = np.random.default_rng(seed)
    resources = [Resource(f"R{r}", int(rng.integers(4, 9))) for r in range(3)]
    activities = [
        Activity(
            f"A{i}",
            int(rng.integers(1, 8)),
            demands={
                r.id: int(rng.integers(1, r.capacity + 1)) for r in resources if rng.random() < 0.6
            },
            constraint=Constraint(ConstraintType.SNET, 3) if i == 5 else None,
        )
        for i in range(n)
    ]
    links = [
        Link(f"A{i}", f"A{j}")
        for i in range(n)
        for j in rng.choice(np.arange(i + 1, n), size=min(2, n - i - 1), replace=False).tolist()
    ]
    return Network(activities, links, resources)


def test_on_a_larger_project_with_loads_from_elsewhere_it_keeps_everything() -> None:
    network = _random_project(7)
    fixed = {"R0": [(0, 12, 3)], "R2": [(20, 30, 2)]}
    problem, found = _search(network, 1, 2, fixed)
    starts = _as_network_starts(network, problem, found)
    assert violations(network, starts, fixed_loads=fixed) == []
    assert found[5] >= 3  # the start-no-earlier-than date holds
