"""Levelling: feasibility, the finish kept within slack, bounds, determinism, optimality on
tiny instances against an exhaustive search, and the options (fixed loads, priorities)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pmo.engine.leveling
from pmo.engine.errors import CycleError
from pmo.engine.leveling import LevelingError, LevelResult, level, level_serial, violations
from pmo.engine.network import (
    Activity,
    Constraint,
    ConstraintType,
    Link,
    LinkType,
    Network,
    Resource,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rcpsp_networks(draw: st.DrawFn, max_activities: int = 7, max_duration: int = 5) -> Network:
    """A random acyclic network with all four link types, lags (negative too), one or two
    resources (capacities may be fractional) and demands within the capacities."""
    n = draw(st.integers(1, max_activities))
    resources = [
        Resource(f"R{r}", draw(st.sampled_from([1, 2, 3, 4, 1.5])))
        for r in range(draw(st.integers(1, 2)))
    ]
    activities = []
    for i in range(n):
        demands = {}
        for resource in resources:
            if draw(st.booleans()):
                steps = int(resource.capacity * 2)
                demands[resource.id] = draw(st.integers(1, steps)) / 2
        activities.append(Activity(f"A{i}", draw(st.integers(0, max_duration)), demands=demands))
    links = []
    seen: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 2 * n))):
        if n < 2:
            break
        i = draw(st.integers(0, n - 2))
        j = draw(st.integers(i + 1, n - 1))
        if (i, j) not in seen:
            seen.add((i, j))
            kind = draw(st.sampled_from(list(LinkType)))
            links.append(Link(f"A{i}", f"A{j}", kind, lag=draw(st.integers(-3, 3))))
    return Network(activities, links, resources)


def _starts(result: LevelResult) -> dict[str, int]:
    return dict(zip(result.ids, result.starts.tolist(), strict=True))


def _span(result: LevelResult) -> int:
    return result.finish - result.start


@SETTINGS
@given(rcpsp_networks(), st.integers(0, 3))
def test_levelled_schedules_never_exceed_capacity_and_keep_precedence(
    network: Network, seed: int
) -> None:
    for result in (
        level(network, time_limit=2, seed=seed),
        level(network, time_limit=0, seed=seed),
        level_serial(network),
    ):
        assert violations(network, _starts(result)) == []
        assert min(result.starts.tolist()) >= network.start
        assert result.finish == max([network.start, *result.finishes.tolist()])


@SETTINGS
@given(rcpsp_networks())
def test_the_result_is_never_below_the_lower_bound(network: Network) -> None:
    from pmo.engine.leveling import LevelProblem

    result = level(network, time_limit=2)
    assert result.lower_bound <= result.finish
    assert result.lower_bound >= LevelProblem.build(network).critical_path_bound
    assert result.gap is not None and 0.0 <= result.gap <= 1.0
    if result.status == "optimal":
        assert result.gap == 0.0


@SETTINGS
@given(rcpsp_networks())
def test_levelling_within_slack_never_moves_the_finish(network: Network) -> None:
    from pmo.engine.cpm import schedule

    resource_free = schedule(network).finish
    result = level(network, time_limit=2, mode="within_slack")
    if result.status == "infeasible":
        assert "keep" in result.message and result.gap is None
        assert result.starts.tolist() == schedule(network).early_start.tolist()
    else:
        assert result.finish <= resource_free
        assert violations(network, _starts(result)) == []


@settings(max_examples=15, deadline=None)
@given(rcpsp_networks(), st.integers(0, 5))
def test_same_seed_and_one_thread_give_the_same_schedule(network: Network, seed: int) -> None:
    first = level(network, time_limit=5, threads=1, seed=seed)
    second = level(network, time_limit=5, threads=1, seed=seed)
    assert first.starts.tolist() == second.starts.tolist()
    assert (first.status, first.lower_bound) == (second.status, second.lower_bound)


def _shorter_schedule_exists(network: Network, makespan: int) -> bool:
    """Exhaustive search: is there a feasible schedule finishing before ``makespan``?"""
    acts = list(network.activities)
    by_id = {a.id: a for a in acts}
    limit = makespan - 1
    order = [a.id for a in acts]  # the strategy's links go from lower to higher index
    starts: dict[str, int] = {}

    def earliest(activity: Activity) -> int:
        t = 0
        for link in network.links:
            if link.successor != activity.id:
                continue
            p = by_id[link.predecessor]
            edge = starts[p.id] + (p.duration if link.type in (LinkType.FS, LinkType.FF) else 0)
            own = activity.duration if link.type in (LinkType.FF, LinkType.SF) else 0
            t = max(t, edge + link.lag - own)
        return t

    def place(k: int) -> bool:
        if k == len(order):
            return True
        activity = by_id[order[k]]
        for t in range(earliest(activity), limit - activity.duration + 1):
            starts[activity.id] = t
            if not violations(_sub(network, starts), starts) and place(k + 1):
                return True
            del starts[activity.id]
        return False

    return place(0)


def _sub(network: Network, starts: dict[str, int]) -> Network:
    """The network restricted to the activities placed so far."""
    acts = [a for a in network.activities if a.id in starts]
    links = [k for k in network.links if k.predecessor in starts and k.successor in starts]
    return Network(acts, links, network.resources)


@settings(max_examples=30, deadline=None)
@given(rcpsp_networks(max_activities=5, max_duration=3))
def test_proven_optima_match_an_exhaustive_search(network: Network) -> None:
    result = level(network, time_limit=5)
    assert result.status == "optimal"
    assert not _shorter_schedule_exists(network, _span(result))


def test_a_fixed_load_from_another_project_delays_the_work() -> None:
    net = Network(
        [Activity("A", 2, demands={"crew": 2}), Activity("B", 2, demands={"crew": 1})],
        resources=[Resource("crew", 2)],
    )
    loads = {"crew": [(0, 3, 1)]}
    result = level(net, time_limit=2, fixed_loads=loads)
    assert _starts(result) == {"A": 3, "B": 0}
    assert violations(net, _starts(result), fixed_loads=loads) == []
    assert violations(net, {"A": 0, "B": 0}, fixed_loads=loads) != []


def test_priorities_break_ties_without_lengthening_the_project() -> None:
    net = Network(
        [Activity(x, 2, demands={"R": 1}) for x in "ABC"] + [Activity("D", 6)],
        resources=[Resource("R", 1)],
    )
    result = level(net, time_limit=5, priorities={"C": 10, "B": 5})
    assert _starts(result) == {"C": 0, "B": 2, "A": 4, "D": 0}
    assert result.finish == 6


def test_summaries_roll_up_from_their_levelled_leaves() -> None:
    net = Network(
        [
            Activity("S", 0),
            Activity("A", 2, parent="S", demands={"R": 1}),
            Activity("B", 3, parent="S", demands={"R": 1}),
            Activity("C", 1, demands={"R": 1}),
        ],
        [Link("S", "C")],
        [Resource("R", 1)],
    )
    result = level(net, time_limit=2)
    got = result.records()
    assert got[0] == {"id": "S", "start": 0, "finish": 5}
    assert got[3] == {"id": "C", "start": 5, "finish": 6}


def test_earliest_date_constraints_hold_and_milestones_take_no_capacity() -> None:
    net = Network(
        [
            Activity("A", 2, demands={"R": 1}, constraint=Constraint(ConstraintType.SNET, 3)),
            Activity("B", 2, demands={"R": 1}),
            Activity("M", 0, demands={"R": 1}),
        ],
        [Link("A", "M")],
        [Resource("R", 1)],
    )
    assert _starts(level(net, time_limit=2)) == {"A": 3, "B": 0, "M": 5}


def test_infeasible_demands_and_unknown_resources_are_refused_in_one_line() -> None:
    net = Network([Activity("A", 2, demands={"R": 3})], resources=[Resource("R", 2)])
    with pytest.raises(LevelingError, match=r"^Activity 'A' needs 3 units of 'R', which has"):
        level(net)
    with pytest.raises(LevelingError, match="unknown resource 'X'"):
        level(Network([Activity("A", 2, demands={"X": 1})]))
    with pytest.raises(LevelingError, match="Unknown levelling mode"):
        level(Network([Activity("A", 1)]), mode="fastest")  # type: ignore[arg-type]
    with pytest.raises(CycleError):
        level(Network([Activity("A", 1), Activity("B", 1)], [Link("A", "B"), Link("B", "A")]))


def test_an_empty_network_levels_to_nothing() -> None:
    result = level(Network([]))
    assert (result.finish, result.status, result.records()) == (0, "optimal", [])


LEVELING_MODULES = [pmo.engine.leveling.__name__] + [
    f"{pmo.engine.leveling.__name__}.{m.name}"
    for m in pkgutil.iter_modules(pmo.engine.leveling.__path__)
]


@pytest.mark.parametrize("module_name", LEVELING_MODULES)
def test_leveling_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert failures == 0
