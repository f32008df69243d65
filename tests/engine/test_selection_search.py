"""The selection heuristics (LP core, swaps, neighbourhood MIPs) that find a good selection
before HiGHS runs on a large portfolio and polish the one it returns: every selection they make
keeps every rule and never beats the enumerated optimum; on a portfolio the solver cannot prove
in time they start it higher than the greedy."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from test_selection import brute_force, portfolios

from pmo.engine import selection
from pmo.engine._selection_search import Search
from pmo.engine.selection import (
    Candidate,
    Pick,
    Portfolio,
    _Model,
    check_selection,
    greedy,
    select,
)


def searched(portfolio: Portfolio) -> tuple[_Model, Search]:
    model = _Model(portfolio, threads=1, gap_tolerance=1e-4)
    return model, Search(model, threads=1, gap_tolerance=1e-4)


def backlog(n: int, *, seed: int, periods: int = 8, roles: int = 4) -> Portfolio:
    """A seeded backlog with windows, links, mandatory items and running load, tight enough
    that budget and capacity rows bind."""
    rng = random.Random(seed)
    candidates = []
    for k in range(n):
        length = rng.randint(1, 3)
        earliest = rng.randint(0, periods - length)
        latest = min(earliest + rng.randint(0, 3), periods - length)
        mandatory = k % 40 == 0
        scale = 0.2 if mandatory else 1.0  # compliance work is small, so the set fits
        cost = [round(scale * rng.randint(10, 60), 1) for _ in range(length)]
        candidates.append(
            Candidate(
                f"R{k:03d}",
                round(sum(cost) * rng.uniform(0.5, 2.0), 1),
                cost=cost,
                demand={
                    f"role{r}": [round(scale * rng.randint(5, 40), 1) for _ in range(length)]
                    for r in rng.sample(range(roles), rng.randint(1, 2))
                },
                mandatory=mandatory,
                requires=[f"R{k - 7:03d}"] if k % 17 == 9 else [],
                excludes=[f"R{k - 5:03d}"] if k % 23 == 11 else [],
                start_window=(earliest, latest),
            )
        )
    budget = [n * 35 * 2 / periods * 0.35] * periods
    capacity = {
        f"role{r}": [n * 22 * 1.5 * 2 / periods / roles * 0.4] * periods for r in range(roles)
    }
    load = {"role0": [40.0] * periods}
    return Portfolio(periods, budget, capacity, candidates, load)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_each_heuristic_keeps_every_rule_and_never_beats_the_optimum(portfolio: Portfolio) -> None:
    start = greedy(portfolio)
    assume(start.complete)
    model, search = searched(portfolio)
    assume(model.cols)
    best = brute_force(portfolio)
    assert best is not None
    x = model.columns(start.selected)
    deadline = time.perf_counter() + 5
    for step in (
        lambda x: search.lp_core(x, deadline),
        lambda x: search.swaps(x, deadline),
        lambda x: search.neighbourhoods(x, deadline, 0.5),
    ):
        y = step(x)
        assert check_selection(portfolio, model.picks(y)) == []
        assert search.objective(x) - 1e-9 <= search.objective(y) <= best + 1e-9
        x = y
    assert search.lp_bound is not None and search.lp_bound >= best - 1e-6


def test_a_swap_trades_a_candidate_for_a_better_one_or_a_later_start() -> None:
    portfolio = Portfolio(
        2,
        [10, 10],
        {"dev": [5, 5]},
        [
            Candidate("A", 5, cost=[6]),
            Candidate("B", 8, cost=[9]),
            Candidate("C", 1, cost=[1]),
            Candidate("D", 4, cost=[0], demand={"dev": [5]}, start_window=(0, 1)),
            Candidate("E", 6, cost=[0], demand={"dev": [5]}),
        ],
    )
    model, search = searched(portfolio)
    x = model.columns([Pick("A", 0), Pick("D", 0)])
    y = search.swaps(x, time.perf_counter() + 5)
    picks = set(model.picks(y))
    # B replaces A and C fills the budget left; D moves to period 1 so E takes period 0.
    assert picks == {Pick("B", 0), Pick("C", 0), Pick("D", 1), Pick("E", 0)}
    assert search.objective(y) == 19
    # Its neighbour requires nothing; a mandatory item is never swapped out.
    mandatory = Portfolio(
        1, [10], {}, [Candidate("M", 1, cost=[9], mandatory=True), Candidate("N", 9, cost=[9])]
    )
    model, search = searched(mandatory)
    x = model.columns([Pick("M", 0)])
    assert model.picks(search.swaps(x, time.perf_counter() + 5)) == (Pick("M", 0),)


def test_two_candidates_make_room_for_one_worth_more_than_both() -> None:
    portfolio = Portfolio(
        1,
        [10],
        {},
        [
            Candidate("A", 3, cost=[5]),
            Candidate("B", 3, cost=[5]),
            Candidate("C", 8, cost=[10]),
            Candidate("D", 7, cost=[10]),
        ],
    )
    model, search = searched(portfolio)
    x = model.columns([Pick("A", 0), Pick("B", 0)])
    y = search.swaps(x, time.perf_counter() + 5)
    assert model.picks(y) == (Pick("C", 0),) and search.objective(y) == 8


def test_the_lp_core_keeps_what_the_relaxation_decides_and_solves_the_rest() -> None:
    portfolio = backlog(120, seed=3)
    model, search = searched(portfolio)
    start = greedy(portfolio, "ratio")
    x = search.lp_core(model.columns(start.selected), time.perf_counter() + 5)
    assert search.lp_bound is not None
    assert check_selection(portfolio, model.picks(x)) == []
    assert start.objective < search.objective(x) <= search.lp_bound


def test_with_or_without_the_search_the_solver_proves_the_same_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portfolio = backlog(40, seed=1)
    monkeypatch.setattr(selection, "_SEARCH_MIN_COLUMNS", 10**9)
    plain = select(portfolio, time_limit=10, threads=1)
    monkeypatch.setattr(selection, "_SEARCH_MIN_COLUMNS", 0)
    searched_first = [select(portfolio, time_limit=10, threads=1) for _ in range(2)]
    assert plain.status == "optimal"
    for result in searched_first:
        assert result.status == "optimal"
        assert result.objective == pytest.approx(plain.objective, rel=1e-4)
        assert check_selection(portfolio, result.selected) == []
    # The same portfolio gives the same selection.
    assert searched_first[0].selected == searched_first[1].selected


def test_select_searches_first_on_a_larger_portfolio_and_reports_a_true_gap() -> None:
    portfolio = backlog(100, seed=1)
    result = select(portfolio, time_limit=2, threads=1)
    assert result.status in ("optimal", "feasible")
    assert result.objective is not None and result.bound is not None and result.gap is not None
    assert check_selection(portfolio, result.selected) == []
    best_greedy = max(result.greedy.objective, greedy(portfolio, "ratio").objective)
    assert result.objective > best_greedy
    assert result.bound >= result.objective
    assert result.gap == pytest.approx((result.bound - result.objective) / result.objective)
    assert result.seconds <= 2 + 0.5
