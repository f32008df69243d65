"""The levelling model for OR-Tools CP-SAT, built in order data → variables → constraints →
objective, started from the heuristic's schedule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from pmo.engine.leveling.problem import LevelProblem

__all__ = ["CpSatOutcome", "solve_cpsat"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CpSatOutcome:
    """What the search found: ``status`` is optimal, feasible, infeasible or unknown."""

    status: str
    start: IntArray | None  #: starts of the leaves, None without a solution
    bound: int  #: a proven lower bound on the makespan


def solve_cpsat(
    problem: LevelProblem,
    *,
    horizon: int,
    hint: IntArray | None,
    time_limit: float,
    threads: int,
    seed: int,
    proving: bool = False,
) -> CpSatOutcome:
    """Minimise the makespan (then the priority-weighted starts) with every finish <= horizon.

    ``proving``: the horizon is below the best makespan known, so the run most often ends
    in a proof that no such schedule exists. CP-SAT's full search then runs without its
    linear relaxation (the ``no_lp`` worker), which explores several times faster on these
    models: the four slowest PSPLIB j30 proofs took 59 s instead of 167 s. Its other
    workers (neighbourhood search, feasibility jump) stay as they are.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Network, Resource
    >>> net = Network(
    ...     [Activity(x, 2, demands={"R": 1}) for x in "ABC"], resources=[Resource("R", 2)]
    ... )
    >>> out = solve_cpsat(LevelProblem.build(net), horizon=6, hint=None, time_limit=5,
    ...                   threads=1, seed=0)
    >>> out.status, out.bound, int((out.start + 2).max())
    ('optimal', 4, 4)
    >>> solve_cpsat(LevelProblem.build(net), horizon=3, hint=None, time_limit=5, threads=2,
    ...             seed=0, proving=True).status
    'infeasible'
    """
    # data
    n = problem.n
    d = problem.duration.tolist()
    early = problem.early_start.tolist()
    late = _late_starts(problem, horizon)
    weight = problem.priority.tolist()
    lower = problem.lower_bound
    model = cp_model.CpModel()

    # variables
    start = [model.new_int_var(early[i], max(early[i], late[i]), f"s{i}") for i in range(n)]
    interval = [model.new_fixed_size_interval_var(start[i], d[i], f"x{i}") for i in range(n)]
    makespan = model.new_int_var(min(lower, horizon), horizon, "makespan")

    # constraints
    for i, j, lag in zip(
        problem.pred.tolist(), problem.succ.tolist(), problem.delta.tolist(), strict=True
    ):
        model.add(start[j] >= start[i] + lag)
    ends_implied = _ends_implied(problem)
    for i in range(n):
        if not ends_implied[i]:
            model.add(makespan >= start[i] + d[i])
    for r in range(len(problem.resources)):
        cap = int(problem.capacity[r])
        used = [i for i in range(n) if problem.demand[r, i] > 0 and d[i] > 0]
        if not used:
            continue
        intervals = [interval[i] for i in used]
        demands = [int(problem.demand[r, i]) for i in used]
        for s, e, u in problem.fixed[r]:
            if s < horizon:
                intervals.append(model.new_fixed_size_interval_var(s, min(e, horizon) - s, "f"))
                demands.append(u)
        model.add_cumulative(intervals, demands, cap)
        # redundant: activities taking more than half the capacity never overlap
        heavy = [interval[i] for i in used if 2 * int(problem.demand[r, i]) > cap]
        if len(heavy) > 1:
            model.add_no_overlap(heavy)

    # objective: the makespan first; priorities only break ties (their sum stays below one
    # unit of makespan)
    scale = 1 + sum(w * max(0, horizon) for w in weight)
    if any(weight):
        model.minimize(makespan * scale + sum(w * start[i] for i, w in enumerate(weight) if w))
    else:
        model.minimize(makespan)
    if hint is not None:
        for i, value in enumerate(hint.tolist()):
            model.add_hint(start[i], value)
        model.add_hint(makespan, int((hint + problem.duration).max(initial=0)))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.0, float(time_limit))
    solver.parameters.num_workers = max(1, int(threads))
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = False
    if proving:
        solver.parameters.subsolvers.append("no_lp")
    code = solver.solve(model)
    names = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}
    if code in names:
        values = np.asarray([solver.value(v) for v in start], dtype=np.int64)
        bound = int(solver.best_objective_bound) // scale
        if code == cp_model.OPTIMAL:
            bound = int((values + problem.duration).max(initial=0))
        return CpSatOutcome(names[code], values, max(bound, lower))
    if code == cp_model.INFEASIBLE:
        return CpSatOutcome("infeasible", None, horizon + 1)
    return CpSatOutcome("unknown", None, lower)


def _late_starts(problem: LevelProblem, horizon: int) -> list[int]:
    """Latest starts that a finish by ``horizon`` allows, ignoring resources."""
    late = (horizon - problem.duration).tolist()
    succ, delta = problem.succ.tolist(), problem.delta.tolist()
    out: list[list[int]] = [[] for _ in range(problem.n)]
    for k, i in enumerate(problem.pred.tolist()):
        out[i].append(k)
    for i in problem.order.tolist()[::-1]:
        for k in out[i]:
            late[i] = min(late[i], late[succ[k]] - delta[k])
    return [int(v) for v in late]


def _ends_implied(problem: LevelProblem) -> list[bool]:
    """True where a successor's finish is never earlier, so the makespan bound is implied."""
    implied = [False] * problem.n
    d = problem.duration.tolist()
    for i, j, lag in zip(
        problem.pred.tolist(), problem.succ.tolist(), problem.delta.tolist(), strict=True
    ):
        if lag + d[j] >= d[i]:
            implied[i] = True
    return implied
