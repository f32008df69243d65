"""The genetic search between the constructive method and CP-SAT: islands of activity lists
evolved in compiled code (`_genetic`), one island per thread, each from its own seed.

It finds short schedules of large projects fast, where CP-SAT alone is slow to get going
(PSPLIB j120: the best of several hundred thousand decoded lists in a few seconds); CP-SAT then
starts from its best schedule. Given the same generations it is the same for the same seed;
under a deadline the number of generations depends on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pmo.engine.leveling._genetic import evolve, first_generation, lft_keys
from pmo.engine.leveling.heuristic import Profile, precedence_list
from pmo.engine.leveling.problem import LevelProblem

__all__ = ["genetic"]

IntArray = npt.NDArray[np.int64]

#: Lists per island. With 300 instead of 100 the islands converge later and better: the
#: hardest PSPLIB j120 and j60 plans end several units shorter at the same time, where twice
#: the time with 100 gained nothing (the search had settled); 800 converges too late for 10 s.
POPULATION = 300
#: On plans of more than 150 activities an island holds fewer lists, about this many
#: activities in all, and never fewer than 30 lists: the first generation and each later one
#: (the step between two looks at the clock) stay short on large plans (a 5,000-task plan
#: holds 30 lists, a generation a tenth of what 300 would take).
PLACEMENTS = 45_000
#: Per activity, the chance that a child's list gets one more random shift (an activity moved
#: to a random place between its last predecessor and its first successor). Shifts found
#: shorter schedules than swaps of neighbours (at 0.05) on the hardest j120 plans.
MUTATION = 0.035
#: An island restarts (from its best list and shifted copies of it) after this many
#: generations without a shorter schedule (30,000 decoded lists on an island of 300).
STALL = 100
#: After this many restarts in a row that found nothing shorter, the island stops.
RESTARTS = 1
#: A restart fills the population with copies of the best list, each after this many random
#: shifts per 100 activities.
SHIFTS = 20
#: Seconds each compiled call aims at, so that the deadline is checked that often.
_SLICE = 0.05


@dataclass(frozen=True)
class _Arrays:
    """The problem as the compiled kernels take it."""

    args: tuple[np.ndarray, ...]
    lft: IntArray

    @classmethod
    def build(cls, problem: LevelProblem, horizon: int) -> _Arrays:
        n = problem.n
        pred, succ, delta = problem.pred, problem.succ, problem.delta
        by_succ = np.argsort(succ, kind="stable")
        in_ptr = np.concatenate([[0], np.cumsum(np.bincount(succ, minlength=n))]).astype(np.int64)
        by_pred = np.argsort(pred, kind="stable")
        out_ptr = np.concatenate([[0], np.cumsum(np.bincount(pred, minlength=n))]).astype(np.int64)
        demand = problem.demand
        rows, cols = np.nonzero(demand.T > 0)  # per activity, its resources
        res_ptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int64)
        base = Profile(problem, horizon).base.astype(np.int64)  # capacity left by fixed loads
        d = problem.duration.astype(np.int64)
        args = (
            d,
            problem.release.astype(np.int64),
            in_ptr,
            pred[by_succ].astype(np.int64),
            delta[by_succ].astype(np.int64),
            out_ptr,
            succ[by_pred].astype(np.int64),
            delta[by_pred].astype(np.int64),
            np.bincount(succ, minlength=n).astype(np.int64),
            np.bincount(pred, minlength=n).astype(np.int64),
            res_ptr,
            cols.astype(np.int64),
            demand.T[rows, cols].astype(np.int64),
            base,
        )
        lft = lft_keys(d, problem.order.astype(np.int64), out_ptr, args[6], args[7],
                       problem.critical_path_bound)  # fmt: skip
        return cls(args, lft)


def _horizon(problem: LevelProblem, span: int) -> int:
    """Time units the kernels book over: lists that decode longer than this are dropped (their
    makespan counts as endless), which keeps the capacity profile short."""
    return int(span * 1.3) + int(problem.duration.max(initial=0)) + 1


def _island(
    arrays: _Arrays, first: IntArray, seed: int, deadline: float, target: int, generations: int
) -> tuple[int, IntArray]:
    n = first.shape[1]
    size = max(30, min(POPULATION, PLACEMENTS // max(n, 1)))
    state = np.asarray([(seed * 0x2545F4914F6CDD1D + 1) % 2**64], dtype=np.uint64)
    population = np.zeros((size, n), dtype=np.int64)
    spans = np.zeros(size, dtype=np.int64)
    first_generation(population, spans, first, arrays.lft, state, 0, *arrays.args)
    chunk, left = 1, generations
    best, since, fruitless = int(spans.min()), 0, 0
    while left > 0 and best > target and time.perf_counter() < deadline:
        if since >= STALL:  # restart around the best list
            fruitless += 1
            if fruitless > RESTARTS:
                break
            keep = population[int(np.argmin(spans))][None, :].copy()
            first_generation(population, spans, keep, arrays.lft, state, SHIFTS * n // 100,
                             *arrays.args)  # fmt: skip
            since = 0
        began = time.perf_counter()
        ran = evolve(population, spans, min(chunk, left), target, state, MUTATION, *arrays.args)
        left -= max(ran, 1)
        if spans.min() < best:
            best, since, fruitless = int(spans.min()), 0, 0
        else:
            since += ran
        spent = time.perf_counter() - began
        if ran:
            per = spent / ran
            chunk = max(1, min(int(_SLICE / max(per, 1e-7)), left or 1))
    best = int(np.argmin(spans))
    return int(spans[best]), population[best].copy()


def genetic(
    problem: LevelProblem,
    start: IntArray,
    *,
    also: Sequence[IntArray] = (),
    seed: int,
    deadline: float,
    target: int,
    threads: int = 1,
    generations: int = 2_000,
) -> IntArray:
    """The best schedule the islands find, never longer than ``start``.

    ``start`` and the schedules in ``also`` seed every island; the search stops at
    ``deadline`` (a ``perf_counter`` value), after ``generations`` per island, or when a
    makespan of ``target`` is reached.
    """
    n = problem.n
    d = problem.duration
    span = int((start + d).max(initial=0))
    if n < 2 or span <= target:
        return start
    arrays = _Arrays.build(problem, _horizon(problem, span))
    order = np.stack([_order(problem, s * (n + 1) + np.arange(n)) for s in (start, *also)])
    islands = max(1, int(threads))
    if islands == 1:
        results = [_island(arrays, order, seed, deadline, target, generations)]
    else:
        with ThreadPoolExecutor(islands) as pool:
            futures = [
                pool.submit(
                    _island, arrays, order, seed * islands + k, deadline, target, generations
                )  # fmt: skip
                for k in range(islands)
            ]
            results = [f.result() for f in futures]
    best_span, best_list = min(results, key=lambda r: r[0])
    if best_span >= span:
        return start
    found = _decode_list(problem, arrays, best_list)
    return found if int((found + d).max(initial=0)) < span else start


def _order(problem: LevelProblem, keys: IntArray) -> IntArray:
    return np.asarray(precedence_list(problem, keys.tolist()), dtype=np.int64)


def _decode_list(problem: LevelProblem, arrays: _Arrays, order: IntArray) -> IntArray:
    """The schedule of a list kept by the search, decoded and justified again."""
    from pmo.engine.leveling._genetic import _decode, _workspace

    workspace = _workspace(arrays.args[-1], problem.n)
    _decode(order.copy(), *arrays.args, *workspace)
    return np.asarray(workspace[1])  # the starts


def warm_up() -> float:
    """Compile the genetic search's kernels now (a few seconds the first time on a machine,
    then read from numba's cache); returns the seconds it took.

    Examples
    --------
    >>> warm_up() >= 0.0
    True
    """
    from pmo.engine.network import Activity, Link, Network, Resource

    began = time.perf_counter()
    network = Network(
        [Activity(x, 2, demands={"R": 1}) for x in "ABCD"],
        [Link("A", "C")],
        [Resource("R", 1)],
    )
    problem = LevelProblem.build(network)
    start = np.asarray([0, 2, 4, 6], dtype=np.int64)
    genetic(problem, start, seed=0, target=0, deadline=time.perf_counter() + 60, generations=2)
    # the final decoding is compiled on its own (the search above may keep its start)
    _decode_list(problem, _Arrays.build(problem, 16), np.arange(4, dtype=np.int64))
    return time.perf_counter() - began
