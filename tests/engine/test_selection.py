"""Optimal portfolio selection: the MILP against exhaustive enumeration, each rule on its own,
the greedy baseline, infeasible mandatory sets and the efficient frontier."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo.engine.selection import (
    Candidate,
    Pick,
    Portfolio,
    SelectionError,
    check_selection,
    efficient_frontier,
    greedy,
    select,
)


def brute_force(portfolio: Portfolio) -> float | None:
    """Best value over every subset and every start of each candidate (None: nothing feasible)."""
    options = [[None, *c.starts(portfolio.periods)] for c in portfolio.candidates]
    best: float | None = None
    for combo in itertools.product(*options):
        picks = [
            Pick(c.id, s) for c, s in zip(portfolio.candidates, combo, strict=True) if s is not None
        ]
        if check_selection(portfolio, picks):
            continue
        value = sum(
            c.value for c, s in zip(portfolio.candidates, combo, strict=True) if s is not None
        )
        best = value if best is None or value > best else best
    return best


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    periods = draw(st.integers(1, 3))
    roles = ["dev", "ops"][: draw(st.integers(0, 2))]
    n = draw(st.integers(1, 6))
    ids = [f"C{k}" for k in range(n)]
    amount = st.integers(0, 6)
    candidates = []
    for k, cid in enumerate(ids):
        length = draw(st.integers(1, periods))
        cost = [draw(amount) for _ in range(length)]
        demand = {r: [draw(amount) for _ in range(length)] for r in roles if draw(st.booleans())}
        earliest = draw(st.integers(0, periods - length))
        latest = draw(st.integers(earliest, min(earliest + 1, periods - 1)))
        others = ids[:k]  # links point backwards: no self-reference
        requires = (
            draw(st.lists(st.sampled_from(others), max_size=1, unique=True)) if others else []
        )
        excludes = (
            draw(st.lists(st.sampled_from(others), max_size=1, unique=True)) if others else []
        )
        candidates.append(
            Candidate(
                cid,
                value=draw(st.integers(0, 20)),
                cost=cost,
                demand=demand,
                mandatory=draw(st.integers(0, 9)) == 0,
                requires=requires,
                excludes=[e for e in excludes if e not in requires],
                start_window=(earliest, latest),
            )
        )
    budget = [draw(st.integers(0, 12)) for _ in range(periods)]
    capacity = {r: [draw(st.integers(0, 10)) for _ in range(periods)] for r in roles}
    load = {
        r: [draw(st.integers(0, 4)) for _ in range(periods)] for r in roles if draw(st.booleans())
    }
    return Portfolio(periods, budget, capacity, candidates, load)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_the_optimum_equals_exhaustive_enumeration(portfolio: Portfolio) -> None:
    result = select(portfolio, time_limit=10)
    best = brute_force(portfolio)
    if best is None:
        assert result.status == "infeasible"
        assert result.conflict and all(
            portfolio.candidates[portfolio.index[c]].mandatory for c in result.conflict
        )
        return
    assert result.status == "optimal"
    assert result.objective == pytest.approx(best)
    assert check_selection(portfolio, result.selected) == []
    assert result.bound == pytest.approx(best, rel=1e-4)


@settings(max_examples=120, deadline=None)
@given(portfolios(), st.sampled_from(["value", "ratio"]))
def test_the_greedy_is_feasible_and_never_beats_the_optimum(portfolio: Portfolio, rank) -> None:
    baseline = greedy(portfolio, rank)
    if not baseline.complete:
        assert any(
            c.mandatory and c.id not in {p.id for p in baseline.selected}
            for c in portfolio.candidates
        )
        return
    assert check_selection(portfolio, baseline.selected) == []
    best = brute_force(portfolio)
    assert best is not None and baseline.objective <= best + 1e-9


def test_greedy_cuts_at_the_budget_line_and_the_optimum_packs_better() -> None:
    portfolio = Portfolio(
        1,
        [100],
        {},
        [
            Candidate("BIG", 60, cost=[90]),
            Candidate("S1", 35, cost=[50]),
            Candidate("S2", 35, cost=[50]),
        ],
    )
    result = select(portfolio)
    assert [p.id for p in result.greedy.selected] == ["BIG"]
    assert result.greedy.objective == 60
    assert result.objective == 70 and {p.id for p in result.selected} == {"S1", "S2"}
    assert result.value_gained == 10
    assert result.only_optimal == ("S1", "S2") and result.only_greedy == ("BIG",)
    # Ranked by value per unit of cost the greedy finds it too.
    assert greedy(portfolio, "ratio").objective == 70


def test_a_mandatory_item_is_selected_even_when_it_is_worth_less() -> None:
    portfolio = Portfolio(
        1,
        [10],
        {},
        [Candidate("REG", 1, cost=[6], mandatory=True), Candidate("GOOD", 9, cost=[6])],
    )
    result = select(portfolio)
    assert result.selected == (Pick("REG", 0),) and result.objective == 1
    assert result.greedy.selected == (Pick("REG", 0),)


def test_requires_selects_the_prerequisite_and_never_starts_before_it() -> None:
    portfolio = Portfolio(
        3,
        [10, 10, 10],
        {},
        [
            Candidate("PLATFORM", 1, cost=[8], start_window=(1, 2)),
            Candidate("APP", 10, cost=[5], requires=["PLATFORM"], start_window=(0, 2)),
        ],
    )
    result = select(portfolio)
    starts = {p.id: p.start for p in result.selected}
    assert starts.keys() == {"PLATFORM", "APP"}
    assert starts["APP"] >= starts["PLATFORM"] >= 1
    assert check_selection(portfolio, [Pick("APP", 0), Pick("PLATFORM", 1)]) == [
        "'APP' starts before 'PLATFORM', which it requires"
    ]
    assert check_selection(portfolio, [Pick("APP", 1)]) == [
        "'APP' requires 'PLATFORM', which is not selected"
    ]
    # Without room for the prerequisite the dependant goes too.
    tight = Portfolio(3, [4, 4, 4], {}, portfolio.candidates)
    assert select(tight).selected == ()


def test_excludes_keeps_one_of_the_two_either_way_round() -> None:
    portfolio = Portfolio(
        1,
        [100],
        {},
        [Candidate("BUY", 5, cost=[10]), Candidate("BUILD", 8, cost=[20], excludes=["BUY"])],
    )
    result = select(portfolio)
    assert result.selected == (Pick("BUILD", 0),)
    assert greedy(portfolio).selected == (Pick("BUILD", 0),)
    assert check_selection(portfolio, [Pick("BUY", 0), Pick("BUILD", 0)]) == [
        "'BUILD' excludes 'BUY'; both are selected"
    ]


def test_start_windows_let_the_solver_move_a_candidate_to_a_later_period() -> None:
    portfolio = Portfolio(
        3,
        [10, 10, 10],
        {"dev": [100, 100, 100]},
        [
            Candidate("A", 5, cost=[10], demand={"dev": [50]}),
            Candidate("B", 5, cost=[10, 0], demand={"dev": [0, 80]}, start_window=(0, 5)),
        ],
    )
    result = select(portfolio)
    assert {p.id: p.start for p in result.selected} == {"A": 0, "B": 1}
    assert portfolio.candidates[1].starts(3) == range(0, 2)  # must end within the horizon


def test_running_projects_load_takes_capacity_and_an_overloaded_cell_admits_nothing() -> None:
    candidates = [Candidate("A", 5, demand={"dev": [30]})]
    assert select(Portfolio(1, [0], {"dev": [40]}, candidates)).objective == 5
    assert select(Portfolio(1, [0], {"dev": [40]}, candidates, {"dev": [20]})).objective == 0
    # Running projects over capacity: the empty selection stays feasible.
    result = select(Portfolio(1, [0], {"dev": [40]}, candidates, {"dev": [60]}))
    assert result.status == "optimal" and result.selected == ()


def test_an_empty_portfolio_selects_nothing_optimally() -> None:
    result = select(Portfolio(2, [1, 1], {}, []))
    assert result.status == "optimal" and result.objective == 0 and result.selected == ()
    assert [p.value for p in efficient_frontier(Portfolio(1, [1], {}, []), [1.0])] == [0]


def test_an_infeasible_mandatory_set_names_the_items_that_conflict() -> None:
    portfolio = Portfolio(
        2,
        [10, 10],
        {"dev": [5, 5]},
        [
            Candidate("OK", 1, cost=[1], mandatory=True),
            Candidate("GDPR", 1, cost=[8], mandatory=True),
            Candidate("SOX", 1, cost=[8], mandatory=True),
            Candidate("NICE", 9, cost=[1]),
        ],
    )
    result = select(portfolio)
    assert result.status == "infeasible" and result.objective is None
    assert result.conflict == ("GDPR", "SOX")
    assert result.message == (
        "the mandatory items GDPR, SOX cannot all be selected within the budget, capacity, "
        "dependencies, exclusions and start windows"
    )
    assert result.to_json()["conflict"] == ["GDPR", "SOX"]
    assert not result.greedy.complete and result.value_gained is None


def test_mandatory_items_that_exclude_each_other_conflict() -> None:
    portfolio = Portfolio(
        1,
        [10],
        {},
        [Candidate("A", 1, mandatory=True), Candidate("B", 1, mandatory=True, excludes=["A"])],
    )
    result = select(portfolio)
    assert result.status == "infeasible" and result.conflict == ("A", "B")


def test_a_time_limit_returns_the_best_selection_found_with_its_gap() -> None:
    import random

    rng = random.Random(7)
    candidates = [
        Candidate(
            f"R{k}",
            rng.randint(10, 100),
            cost=[rng.randint(5, 40) for _ in range(3)],
            demand={f"role{r}": [rng.randint(0, 30) for _ in range(3)] for r in range(4)},
            start_window=(0, 5),
        )
        for k in range(400)
    ]
    portfolio = Portfolio(8, [900] * 8, {f"role{r}": [600] * 8 for r in range(4)}, candidates)
    result = select(portfolio, time_limit=0.05)
    assert result.status in ("optimal", "feasible")
    assert result.objective is not None and result.bound is not None
    assert result.bound >= result.objective and result.gap is not None
    assert check_selection(portfolio, result.selected) == []
    assert result.objective >= result.greedy.objective  # the greedy was its first incumbent


def test_the_efficient_frontier_rises_with_the_budget() -> None:
    candidates = [
        Candidate(f"C{k}", v, cost=[c, c // 2], start_window=(0, 1))
        for k, (v, c) in enumerate([(9, 8), (7, 5), (6, 6), (4, 2), (3, 3), (2, 1)])
    ]
    portfolio = Portfolio(3, [10, 10, 10], {}, candidates)
    frontier = efficient_frontier(portfolio, [1.0, 0.0, 0.5, 2.0])
    assert [f.scale for f in frontier] == [0.0, 0.5, 1.0, 2.0]
    assert [f.budget for f in frontier] == [0.0, 15.0, 30.0, 60.0]
    values = [f.value for f in frontier]
    assert values == sorted(values) and values[0] == 0 and values[-1] == 31
    for point in frontier:
        scaled = portfolio.scaled(point.scale)
        assert point.value == brute_force(scaled)
        assert check_selection(scaled, point.selected) == []


def test_the_frontier_reports_budget_levels_too_low_for_the_mandatory_items() -> None:
    portfolio = Portfolio(1, [10], {}, [Candidate("REG", 1, cost=[8], mandatory=True)])
    low, high = efficient_frontier(portfolio, [0.5, 1.0])
    assert low.status == "infeasible" and low.value is None
    assert high.status == "optimal" and high.value == 1


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Portfolio(0, [], {}, []), "periods must be a whole number >= 1, not 0"),
        (lambda: Portfolio(2, [1], {}, []), "budget has 1 values; expected one per period (2)"),
        (lambda: Portfolio(1, [-1], {}, []), "budget[0] must be >= 0, not -1"),
        (
            lambda: Portfolio(1, [1], {}, [Candidate("A", 1), Candidate("A", 2)]),
            "candidate 'A' appears twice",
        ),
        (
            lambda: Portfolio(1, [1], {}, [Candidate("A", 1, requires=["Z"])]),
            "candidate 'A' requires 'Z', which is not a candidate",
        ),
        (
            lambda: Portfolio(1, [1], {}, [Candidate("A", 1, demand={"qa": [1]})]),
            "candidate 'A' demand: role 'qa' has no capacity",
        ),
        (
            lambda: Portfolio(
                3, [1] * 3, {}, [Candidate("A", 1, cost=[1, 1], start_window=(2, 2))]
            ),
            "candidate 'A' lasts 2 periods and cannot end within the 3-period horizon when it "
            "starts in period 2 or later",
        ),
        (lambda: Candidate("A", 1, start_window=(2, 1)), "start_window must be [earliest, latest]"),
        (lambda: Candidate("A", 1, excludes=["A"]), "candidate 'A' excludes itself"),
        (lambda: Candidate("A", float("nan")), "candidate 'A' value must be a finite number"),
        (lambda: Candidate("A", 1, cost=[1, -2]), "candidate 'A' cost[1] must be >= 0, not -2"),
    ],
)
def test_malformed_portfolios_are_refused_with_a_precise_message(build, message) -> None:
    with pytest.raises(SelectionError) as caught:
        build()
    assert message in str(caught.value)
