"""`level`: the one door to resource levelling, and `LevelResult`, what it hands back."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pmo.engine.leveling.heuristic import heuristic
from pmo.engine.leveling.problem import FixedLoads, LevelingError, LevelProblem, Priorities
from pmo.engine.network import Network

__all__ = ["LevelResult", "Mode", "Status", "level", "level_serial"]

IntArray = npt.NDArray[np.int64]
Mode = Literal["shortest", "within_slack"]
Status = Literal["optimal", "feasible", "infeasible", "heuristic"]

#: The first CP-SAT run takes this share of the time limit, at most this many seconds.
_PROBE_SHARE = 0.1
_PROBE_MAX_SECONDS = 1.0
#: The genetic search takes at most this share of the time left after it (it stops sooner
#: when it stalls); on large plans it, not the last CP-SAT run, finds the shorter schedules.
_GENETIC_SHARE = 0.85

UNKNOWN_MODE = "Unknown levelling mode {mode!r} (shortest or within_slack)"
NO_SCHEDULE_WITHIN_SLACK = (
    "No levelled schedule keeps the project finish at {deadline}; "
    "the dates shown are the unlevelled early dates"
)
NONE_FOUND_WITHIN_SLACK = (
    "No levelled schedule keeping the project finish at {deadline} was found in the time "
    "limit; the dates shown are the unlevelled early dates"
)


@dataclass(frozen=True, eq=False)
class LevelResult:
    """A levelled schedule: one row per activity, in the network's order.

    ``starts`` and ``finishes`` are numpy ``int64`` arrays (summary activities roll up from
    their leaves); `records` and `to_dict` give plain Python values. ``start`` and ``finish``
    are the project's, ``lower_bound`` a finish no schedule can beat, ``gap`` the share of
    the duration that may still be saved, ``(finish - lower_bound) / (finish - start)``
    (``None`` when infeasible). ``status``: ``"optimal"`` (proven), ``"feasible"`` (improved
    by the search, not proven), ``"heuristic"`` (the constructive method's schedule, not
    proven), ``"infeasible"`` (no schedule meets the mode; ``message`` says why and the dates
    are the unlevelled early dates). ``method`` names what found the schedule.
    """

    ids: tuple[str, ...]
    starts: IntArray
    finishes: IntArray
    start: int
    finish: int
    lower_bound: int
    gap: float | None
    status: Status
    method: str
    seconds: float
    message: str = ""

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each activity id."""
        return {activity_id: row for row, activity_id in enumerate(self.ids)}

    def records(self) -> list[dict[str, Any]]:
        """``{"id", "start", "finish"}`` per activity, plain Python values."""
        return [
            {"id": i, "start": s, "finish": f}
            for i, s, f in zip(self.ids, self.starts.tolist(), self.finishes.tolist(), strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The whole result as JSON-ready plain Python values.

        Examples
        --------
        >>> from pmo.engine.network import Activity, Network, Resource
        >>> net = Network([Activity("A", 2, demands={"R": 1}), Activity("B", 3, demands={"R": 1})],
        ...               resources=[Resource("R", 1)])
        >>> out = level(net, time_limit=5).to_dict()
        >>> out["finish"], out["lower_bound"], out["status"], out["activities"][1]
        (5, 5, 'optimal', {'id': 'B', 'start': 2, 'finish': 5})
        """
        return {
            "start": self.start,
            "finish": self.finish,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "status": self.status,
            "method": self.method,
            "message": self.message,
            "activities": self.records(),
        }


def level(
    network: Network,
    *,
    time_limit: float = 10.0,
    threads: int = 1,
    seed: int = 0,
    mode: Mode = "shortest",
    fixed_loads: FixedLoads | None = None,
    priorities: Priorities | None = None,
) -> LevelResult:
    """Level a network: the shortest schedule that keeps the links and the resource capacities.

    Serial schedule generation with priority rules and forward-backward improvement answers
    first (milliseconds); a short CP-SAT run proves most small plans; when it does not, a
    compiled genetic search on activity lists (one island per thread) and CP-SAT again improve
    the schedule and prove bounds for the rest of ``time_limit``. Summary activities are not
    levelled: their leaves are, and they roll up.

    Parameters
    ----------
    network : Network
        Activities with ``demands``, the resources with their capacities, links of all four
        types with lags (negative too). SNET, FNET, MSO and MFO constraints are earliest dates;
        *no later than* constraints, deadlines and ALAP do not bind the levelling.
    time_limit : float
        Seconds for the search; ``0`` keeps the constructive schedule.
    threads : int
        CP-SAT workers. With ``1`` the answer is the same for the same ``seed`` whenever the
        search ends by proof (before the time limit).
    seed : int
        Seeds the sampling of the constructive method and the search.
    mode : {"shortest", "within_slack"}
        ``"within_slack"`` never moves the project finish: it must stay at the resource-free
        finish (or the network's own later target finish); when no schedule fits, the status
        is ``"infeasible"``.
    fixed_loads : mapping of resource id to (start, end, units) triples, optional
        Units already used by other projects over ``[start, end)``; the capacity left is
        what this project may use.
    priorities : mapping of activity id to int >= 0, optional
        Among schedules of the shortest finish, higher-priority activities start earlier
        (the search minimises the priority-weighted sum of starts as a second objective; the
        priority rules take higher priorities first).

    Returns
    -------
    LevelResult

    Raises
    ------
    LevelingError
        Unknown resource, a demand above its resource's capacity, a malformed load or priority.
    CycleError
        If the links form a cycle.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, Network, Resource
    >>> net = Network(
    ...     [Activity("A", 3, demands={"crew": 2}), Activity("B", 2, demands={"crew": 2}),
    ...      Activity("C", 2, demands={"crew": 1})],
    ...     [Link("A", "C")], [Resource("crew", 3)],
    ... )
    >>> result = level(net, time_limit=5, seed=1)
    >>> result.finish, result.status, result.lower_bound
    (5, 'optimal', 5)
    >>> level(net, mode="within_slack", fixed_loads={"crew": [(0, 5, 1)]}).status
    'infeasible'
    """
    began = time.perf_counter()
    if mode not in ("shortest", "within_slack"):
        raise LevelingError(UNKNOWN_MODE.format(mode=mode))
    problem = LevelProblem.build(network, fixed_loads, priorities)
    rng = np.random.default_rng(seed)
    lower = problem.lower_bound
    deadline = max(problem.critical_path_bound, problem.target) if mode == "within_slack" else None
    proven_infeasible = False
    tie_breaks = bool(problem.priority.any())
    if deadline is not None and lower > deadline:  # the bound alone proves it
        message = NO_SCHEDULE_WITHIN_SLACK.format(deadline=network.start + deadline)
        return _result(
            network, problem, problem.early_start, lower, "infeasible", "lower bound", began,
            message,
        )  # fmt: skip
    best, how = heuristic(problem, rng=rng, target=None if tie_breaks else lower)
    constructed = best
    span = _span(problem, best)
    status: Status = "heuristic"
    method = f"serial SGS ({how}) with forward-backward improvement"
    fits = deadline is None or span <= deadline
    if fits and span <= lower and not tie_breaks:
        status = "optimal"
    elif time_limit > 0 and problem.n:
        # Loading the solvers (OR-Tools, numba) takes a second or two once per process; it is
        # not search time, or a short limit would leave a small plan no time to be proven.
        loading = time.perf_counter()
        from pmo.engine.leveling.cpsat import solve_cpsat
        from pmo.engine.leveling.genetic import genetic

        searching = began + (time.perf_counter() - loading)

        def left() -> float:
            return max(0.0, time_limit - (time.perf_counter() - searching))

        horizon = span if fits else deadline
        assert horizon is not None

        def search(seconds: float, label: str, *, shorter: bool = False) -> str:
            """CP-SAT within the best makespan so far (``shorter``: one unit less, so that
            "infeasible" proves the best optimal; that proof came sooner than CP-SAT's own
            from the best makespan, and sooner still without the linear relaxation); its
            schedule is kept. Its hint is the best schedule
            only when priorities break ties (as a hint for the makespan alone it slowed the
            proofs). Returns CP-SAT's status."""
            nonlocal best, span, fits, lower, status, method
            outcome = solve_cpsat(
                problem, horizon=(span - 1 if shorter else span) if fits else horizon,
                hint=best if fits and tie_breaks else None,
                time_limit=seconds, threads=threads, seed=seed, proving=shorter and fits,
            )  # fmt: skip
            lower = max(lower, outcome.bound)
            if outcome.start is not None:
                if _span(problem, outcome.start) < span or not fits or tie_breaks:
                    method = label if fits else "CP-SAT"
                best, span, fits = outcome.start, _span(problem, outcome.start), True
                status = "optimal" if outcome.status == "optimal" else "feasible"
            return outcome.status

        # A short run first proves most small projects at once, and its bound tells the
        # genetic search when to stop; then the genetic search on all threads, from the
        # constructive schedule and CP-SAT's, and CP-SAT again for the rest of the time.
        found = search(min(_PROBE_SHARE * time_limit, _PROBE_MAX_SECONDS, left()),
                       "CP-SAT from the heuristic")  # fmt: skip
        proven_infeasible = found == "infeasible"
        if found not in ("optimal", "infeasible") and span > lower and left() > 0:
            if fits:
                searched = genetic(
                    problem, constructed, also=[best], seed=seed, threads=threads, target=lower,
                    deadline=time.perf_counter() + _GENETIC_SHARE * left(),
                )  # fmt: skip
                if _span(problem, searched) < span:
                    best, span = searched, _span(problem, searched)
                    method, status = "genetic search", "feasible"
            if span > lower and left() > 0:
                found = search(left(), "CP-SAT from the genetic search", shorter=not tie_breaks)
                proven_infeasible = found == "infeasible"
        if fits and span <= lower and not tie_breaks:
            status = "optimal"
    if not fits:
        message = NO_SCHEDULE_WITHIN_SLACK if proven_infeasible else NONE_FOUND_WITHIN_SLACK
        lower = problem.lower_bound
        return _result(
            network, problem, problem.early_start, lower, "infeasible", method, began,
            message.format(deadline=network.start + (deadline or 0)),
        )  # fmt: skip
    return _result(network, problem, best, lower, status, method, began)


def level_serial(
    network: Network,
    *,
    rule: str = "lft",
    improve: bool = False,
    fixed_loads: FixedLoads | None = None,
) -> LevelResult:
    """One serial schedule generation with one priority rule, as desktop tools level.

    ``rule`` is one of ``lft`` (latest finish time), ``lst``, ``mts`` (most total
    successors), ``grpw`` (greatest rank positional weight), ``est``; ``improve`` adds the
    forward-backward improvement.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Network, Resource
    >>> net = Network([Activity("A", 2, demands={"R": 1}), Activity("B", 3, demands={"R": 1})],
    ...               resources=[Resource("R", 1)])
    >>> r = level_serial(net)
    >>> r.finish, r.status, r.method
    (5, 'optimal', 'serial SGS (lft)')
    """
    began = time.perf_counter()
    problem = LevelProblem.build(network, fixed_loads)
    best, how = heuristic(
        problem, rng=np.random.default_rng(0), samples=0, rules=(rule,), improve=improve
    )
    lower = problem.lower_bound
    status: Status = "optimal" if _span(problem, best) <= lower else "heuristic"
    return _result(network, problem, best, lower, status, f"serial SGS ({how})", began)


def _span(problem: LevelProblem, start: IntArray) -> int:
    return max(0, int((start + problem.duration).max(initial=0)))


def _result(
    network: Network,
    problem: LevelProblem,
    leaf_start: IntArray,
    lower: int,
    status: Status,
    method: str,
    began: float,
    message: str = "",
) -> LevelResult:
    origin = network.start
    n = len(network.activities)
    starts = np.full(n, origin, dtype=np.int64)
    finishes = np.full(n, origin, dtype=np.int64)
    starts[problem.rows] = leaf_start + origin
    finishes[problem.rows] = leaf_start + problem.duration + origin
    for position, rows in network.compiled.summaries:
        if len(rows):
            starts[position] = starts[problem.rows[rows]].min()
            finishes[position] = finishes[problem.rows[rows]].max()
    span = _span(problem, leaf_start)
    gap = None if status == "infeasible" else (span - lower) / span if span else 0.0
    return LevelResult(
        ids=tuple(a.id for a in network.activities),
        starts=starts,
        finishes=finishes,
        start=origin,
        finish=origin + span,
        lower_bound=origin + lower,
        gap=gap,
        status=status,
        method=method,
        seconds=time.perf_counter() - began,
        message=message,
    )
