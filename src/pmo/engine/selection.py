"""Optimal portfolio selection: which candidates to fund, and when each starts, for the most value.

The problem is a 0-1 integer programme solved by HiGHS (``highspy``). There is one binary
``x[i, s]`` per candidate ``i`` and allowed start period ``s``:

* each candidate starts at most once (mandatory ones exactly once);
* per period, the cost of the selected candidates stays within the budget;
* per role and period, their demand stays within the capacity left by running projects
  (``load``); a cell that running projects already overload admits no new demand;
* ``A requires B``: A may start in period ``t`` only if B starts in period ``t`` or earlier, so
  A is selected only with B, and never starts before B;
* ``A excludes B``: at most one of the two;
* a candidate's cost and demand are counted from its start and must end within the horizon.

Beside the optimum, the greedy selection PPM tools make ("rank and cut at the budget line")
is computed on the same constraints so the value gained can be shown, and `efficient_frontier`
re-solves the same model over a sweep of budget levels.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pmo.engine._selection_search import Search, improve
from pmo.engine.errors import EngineError

__all__ = [
    "Candidate",
    "FrontierPoint",
    "GreedyResult",
    "Pick",
    "Portfolio",
    "SelectionError",
    "SelectionResult",
    "check_selection",
    "efficient_frontier",
    "greedy",
    "select",
]

Status = Literal["optimal", "feasible", "infeasible", "no_solution"]
Rank = Literal["value", "ratio"]

#: Slack allowed on budget and capacity rows: floating-point noise, never money or hours.
_EPS = 1e-6
#: Default budget levels of the efficient frontier: 10 % to 150 % of the budget.
_SCALES = tuple(k / 10 for k in range(1, 16))
#: At most this many mandatory items are tested one by one to explain an infeasible problem.
_MAX_DIAGNOSED = 40
#: From this many start columns on (and with a limit of at least a second), heuristics look for
#: a good selection before the solver runs, on this share of the time limit (at most 20 s, so
#: long limits go to the solver's bound); the last share of the time (at most half a second)
#: improves the solver's selection by swaps.
_SEARCH_MIN_COLUMNS = 200
_SEARCH_SHARE = 0.4
_SEARCH_MAX_SECONDS = 20.0
_POLISH_SHARE = 0.05


class SelectionError(EngineError, ValueError):
    """The portfolio is malformed or inconsistent (lengths, unknown ids or roles, windows)."""


def _number(value: object, what: str, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SelectionError(f"{what} must be a finite number, not {value!r}")
    if minimum is not None and value < minimum:
        raise SelectionError(f"{what} must be >= {minimum:g}, not {value!r}")
    return float(value)


def _series(values: object, what: str, length: int | None = None) -> tuple[float, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise SelectionError(f"{what} must be a list of numbers, not {values!r}")
    series = tuple(_number(v, f"{what}[{k}]") for k, v in enumerate(values))
    if length is not None and len(series) != length:
        raise SelectionError(f"{what} has {len(series)} values; expected one per period ({length})")
    return series


@dataclass(frozen=True, slots=True)
class Candidate:
    """A request or project that may be selected.

    Parameters
    ----------
    id : str
        Unique id.
    value : float
        What selecting it is worth (a score or a benefit); may be negative for a mandatory item.
    cost : sequence of float
        Cost per period counted from its start.
    demand : mapping of role to sequence of float
        Hours (or FTE) per role and period counted from its start.
    mandatory : bool
        It must be selected (regulatory, committed).
    requires : sequence of str
        Ids it depends on: it is selected only with them and starts no earlier than they do.
    excludes : sequence of str
        Ids it cannot be selected with (either way round).
    start_window : (int, int) or None
        Earliest and latest start period; ``None`` starts it in period 0. Starts after which
        it would end beyond the horizon are not allowed.

    Examples
    --------
    >>> Candidate("A", 10, cost=[5, 5]).length
    2
    """

    id: str
    value: float
    cost: Sequence[float] = ()
    demand: Mapping[str, Sequence[float]] = field(default_factory=dict)
    mandatory: bool = False
    requires: Sequence[str] = ()
    excludes: Sequence[str] = ()
    start_window: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise SelectionError(f"candidate id must be a non-empty string, not {self.id!r}")
        what = f"candidate {self.id!r}"
        object.__setattr__(self, "value", _number(self.value, f"{what} value", minimum=None))
        object.__setattr__(self, "cost", _series(self.cost, f"{what} cost"))
        if not isinstance(self.demand, Mapping):
            raise SelectionError(f"{what} demand must map roles to lists, not {self.demand!r}")
        demand = {}
        for role, hours in self.demand.items():
            if not isinstance(role, str) or not role:
                raise SelectionError(f"{what} demand role must be a non-empty string")
            demand[role] = _series(hours, f"{what} demand[{role!r}]")
        object.__setattr__(self, "demand", demand)
        for name in ("requires", "excludes"):
            ids = getattr(self, name)
            if isinstance(ids, str) or not all(isinstance(i, str) and i for i in ids):
                raise SelectionError(f"{what} {name} must be a list of ids, not {ids!r}")
            if self.id in ids:
                raise SelectionError(f"{what} {name} itself")
            object.__setattr__(self, name, tuple(ids))
        if not isinstance(self.mandatory, bool):
            raise SelectionError(f"{what} mandatory must be true or false")
        if self.start_window is not None:
            window = tuple(self.start_window)
            if (
                len(window) != 2
                or not all(isinstance(s, int) and not isinstance(s, bool) for s in window)
                or not 0 <= window[0] <= window[1]
            ):
                raise SelectionError(
                    f"{what} start_window must be [earliest, latest] with "
                    f"0 <= earliest <= latest, not {self.start_window!r}"
                )
            object.__setattr__(self, "start_window", window)

    @property
    def length(self) -> int:
        """Periods from its start to its end (at least 1)."""
        return max([len(self.cost), *(len(h) for h in self.demand.values()), 1])

    def starts(self, periods: int) -> range:
        """The start periods allowed within a horizon of ``periods``."""
        earliest, latest = self.start_window or (0, 0)
        return range(earliest, min(latest, periods - self.length) + 1)


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The selection problem.

    Parameters
    ----------
    periods : int
        Periods of the horizon (months, quarters or years: the unit is the caller's).
    budget : sequence of float
        Money available per period.
    capacity : mapping of role to sequence of float
        Supply per role and period.
    candidates : sequence of Candidate
    load : mapping of role to sequence of float
        Demand already committed per role and period (running projects), a fixed load.

    Examples
    --------
    >>> p = Portfolio(2, [10, 10], {}, [Candidate("A", 3, cost=[4]), Candidate("B", 2)])
    >>> [c.id for c in p.candidates], p.index["B"]
    (['A', 'B'], 1)
    """

    periods: int
    budget: Sequence[float]
    capacity: Mapping[str, Sequence[float]]
    candidates: Sequence[Candidate]
    load: Mapping[str, Sequence[float]] = field(default_factory=dict)
    index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = self.periods
        if isinstance(p, bool) or not isinstance(p, int) or p < 1:
            raise SelectionError(f"periods must be a whole number >= 1, not {p!r}")
        object.__setattr__(self, "budget", _series(self.budget, "budget", p))
        for name in ("capacity", "load"):
            table = getattr(self, name)
            if not isinstance(table, Mapping):
                raise SelectionError(f"{name} must map roles to lists, not {table!r}")
            object.__setattr__(
                self, name, {r: _series(v, f"{name}[{r!r}]", p) for r, v in table.items()}
            )
        for role in self.load:
            if role not in self.capacity:
                raise SelectionError(f"load[{role!r}]: role has no capacity")
        candidates = tuple(self.candidates)
        if not all(isinstance(c, Candidate) for c in candidates):
            raise SelectionError("candidates must be Candidate objects")
        index: dict[str, int] = {}
        for k, c in enumerate(candidates):
            if c.id in index:
                raise SelectionError(f"candidate {c.id!r} appears twice")
            index[c.id] = k
        for c in candidates:
            for name in ("requires", "excludes"):
                for other in getattr(c, name):
                    if other not in index:
                        raise SelectionError(
                            f"candidate {c.id!r} {name} {other!r}, which is not a candidate"
                        )
            for role in c.demand:
                if role not in self.capacity:
                    raise SelectionError(
                        f"candidate {c.id!r} demand: role {role!r} has no capacity"
                    )
            if c.length > p:
                raise SelectionError(
                    f"candidate {c.id!r} lasts {c.length} periods; the horizon has {p}"
                )
            if not c.starts(p):
                earliest = (c.start_window or (0, 0))[0]
                raise SelectionError(
                    f"candidate {c.id!r} lasts {c.length} periods and cannot end within the "
                    f"{p}-period horizon when it starts in period {earliest} or later"
                )
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "index", index)

    def scaled(self, factor: float) -> Portfolio:
        """The same portfolio with every period's budget multiplied by ``factor``."""
        return Portfolio(
            self.periods,
            [b * factor for b in self.budget],
            self.capacity,
            self.candidates,
            self.load,
        )


@dataclass(frozen=True, slots=True)
class Pick:
    """A selected candidate and its start period."""

    id: str
    start: int


@dataclass(frozen=True, slots=True)
class GreedyResult:
    """The rank-and-cut selection.

    ``complete`` is False when a mandatory item could not be placed (the greedy then holds
    the items it could place, and is not a valid answer).
    """

    objective: float
    selected: tuple[Pick, ...]
    rank: Rank
    complete: bool = True


@dataclass(frozen=True, slots=True)
class SelectionResult:
    """The optimiser's answer.

    ``status`` is ``optimal`` (proven within the gap tolerance), ``feasible`` (time limit
    reached: ``gap`` says how far from the bound at most), ``infeasible`` (the mandatory items
    ``conflict`` cannot all be selected; ``message`` says so) or ``no_solution`` (time limit
    without any selection found). ``gap`` is relative: (bound - objective) / |objective|.
    """

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    selected: tuple[Pick, ...]
    greedy: GreedyResult
    seconds: float
    conflict: tuple[str, ...] = ()
    message: str = ""

    @property
    def value_gained(self) -> float | None:
        """Value of the optimum minus the greedy's (None without a solution)."""
        if self.objective is None or not self.greedy.complete:
            return None
        return self.objective - self.greedy.objective

    @property
    def only_optimal(self) -> tuple[str, ...]:
        """Ids the optimum selects and the greedy does not."""
        greedy = {p.id for p in self.greedy.selected}
        return tuple(sorted(p.id for p in self.selected if p.id not in greedy))

    @property
    def only_greedy(self) -> tuple[str, ...]:
        """Ids the greedy selects and the optimum does not."""
        optimal = {p.id for p in self.selected}
        return tuple(sorted(p.id for p in self.greedy.selected if p.id not in optimal))

    def to_json(self) -> dict[str, Any]:
        """The ``pmo select --json`` document: the issue's ``objective``, ``bound``, ``status``,
        ``selected`` and ``greedy`` first, then ``gap`` (relative), ``value_gained``,
        ``only_optimal``, ``only_greedy`` and ``seconds``; ``conflict`` and ``message`` when
        infeasible."""

        def picks(selected: Iterable[Pick]) -> list[dict[str, Any]]:
            return [{"id": p.id, "start": p.start} for p in selected]

        out: dict[str, Any] = {
            "objective": _round(self.objective),
            "bound": _round(self.bound),
            "status": self.status,
            "selected": picks(self.selected),
            "greedy": {
                "objective": _round(self.greedy.objective),
                "selected": picks(self.greedy.selected),
                "rank": self.greedy.rank,
                "complete": self.greedy.complete,
            },
            "gap": None if self.gap is None else round(self.gap, 6),
            "value_gained": _round(self.value_gained),
            "only_optimal": list(self.only_optimal),
            "only_greedy": list(self.only_greedy),
            "seconds": round(self.seconds, 3),
        }
        if self.status == "infeasible":
            out["conflict"] = list(self.conflict)
            out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """Best value at one budget level (``scale`` × the budget vector)."""

    scale: float
    budget: float
    value: float | None
    status: Status
    gap: float | None
    selected: tuple[Pick, ...]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


# --------------------------------------------------------------------------- feasibility check


def check_selection(portfolio: Portfolio, selected: Iterable[Pick]) -> list[str]:
    """Every rule ``selected`` breaks, one sentence each; empty when it is feasible.

    Examples
    --------
    >>> p = Portfolio(1, [5], {}, [Candidate("A", 3, cost=[4]), Candidate("B", 2, cost=[2])])
    >>> check_selection(p, [Pick("A", 0), Pick("B", 0)])
    ['period 0: cost 6 exceeds the budget 5']
    """
    problems: list[str] = []
    periods = portfolio.periods
    starts: dict[str, int] = {}
    for pick in selected:
        if pick.id not in portfolio.index:
            problems.append(f"{pick.id!r} is not a candidate")
        elif pick.id in starts:
            problems.append(f"{pick.id!r} is selected twice")
        else:
            starts[pick.id] = pick.start
    cost = np.zeros(periods)
    used = {r: np.zeros(periods) for r in portfolio.capacity}
    for cid, start in starts.items():
        c = portfolio.candidates[portfolio.index[cid]]
        if start not in c.starts(periods):
            problems.append(f"{cid!r} may not start in period {start}")
            continue
        cost[start : start + len(c.cost)] += c.cost
        for role, hours in c.demand.items():
            used[role][start : start + len(hours)] += hours
    for t in range(periods):
        if cost[t] > portfolio.budget[t] + _EPS:
            problems.append(
                f"period {t}: cost {cost[t]:g} exceeds the budget {portfolio.budget[t]:g}"
            )
    for role, total in used.items():
        free = _free(portfolio, role)
        for t in range(periods):
            if total[t] > free[t] + _EPS:
                problems.append(
                    f"period {t}: {role} demand {total[t]:g} exceeds the free capacity {free[t]:g}"
                )
    for c in portfolio.candidates:
        if c.mandatory and c.id not in starts:
            problems.append(f"{c.id!r} is mandatory and not selected")
        if c.id not in starts:
            continue
        for other in c.requires:
            if other not in starts:
                problems.append(f"{c.id!r} requires {other!r}, which is not selected")
            elif starts[other] > starts[c.id]:
                problems.append(f"{c.id!r} starts before {other!r}, which it requires")
        for other in c.excludes:
            if other in starts:
                problems.append(f"{c.id!r} excludes {other!r}; both are selected")
    return problems


def _free(portfolio: Portfolio, role: str) -> npt.NDArray[np.float64]:
    """Capacity left by the fixed load, never below zero (an overloaded cell takes nothing)."""
    load = portfolio.load.get(role, (0.0,) * portfolio.periods)
    free: npt.NDArray[np.float64] = np.maximum(
        np.asarray(portfolio.capacity[role], dtype=float) - np.asarray(load, dtype=float), 0.0
    )
    return free


# --------------------------------------------------------------------------- greedy


def greedy(portfolio: Portfolio, rank: Rank = "value") -> GreedyResult:
    """Rank and cut: mandatory items first, then by value (or value per unit of total cost),
    each taken at its earliest start at which every constraint still holds.

    An item whose prerequisite is not selected yet is reconsidered after each pass that
    selected something, so a high-ranked item may follow its lower-ranked prerequisite.

    Examples
    --------
    >>> p = Portfolio(1, [10], {}, [Candidate("A", 6, cost=[6]), Candidate("B", 5, cost=[5]),
    ...                             Candidate("C", 5, cost=[5])])
    >>> [x.id for x in greedy(p).selected], greedy(p).objective
    (['A'], 6.0)
    """
    if rank not in ("value", "ratio"):
        raise SelectionError(f"rank must be 'value' or 'ratio', not {rank!r}")
    periods = portfolio.periods
    budget = np.asarray(portfolio.budget, dtype=float) + _EPS
    free = {r: _free(portfolio, r) + _EPS for r in portfolio.capacity}
    cost = np.zeros(periods)
    used = {r: np.zeros(periods) for r in portfolio.capacity}

    def key(c: Candidate) -> tuple[bool, float, int]:
        if rank == "value":
            score = c.value
        else:
            total = sum(c.cost)
            score = math.inf if total <= 0 and c.value > 0 else c.value / max(total, 1e-12)
        return (not c.mandatory, -score, portfolio.index[c.id])

    order = sorted(portfolio.candidates, key=key)
    starts: dict[str, int] = {}
    excluded: set[str] = set()
    for c in portfolio.candidates:
        for other in c.excludes:
            excluded.add(f"{c.id}\0{other}")
            excluded.add(f"{other}\0{c.id}")

    def place(c: Candidate) -> bool:
        if any(f"{c.id}\0{o}" in excluded for o in starts):
            return False
        earliest = max((starts[r] for r in c.requires), default=0)
        for s in c.starts(periods):
            if s < earliest:
                continue
            n = len(c.cost)
            if np.any(cost[s : s + n] + c.cost > budget[s : s + n]):
                continue
            if any(
                np.any(used[r][s : s + len(h)] + h > free[r][s : s + len(h)])
                for r, h in c.demand.items()
            ):
                continue
            cost[s : s + n] += c.cost
            for r, h in c.demand.items():
                used[r][s : s + len(h)] += h
            starts[c.id] = s
            return True
        return False

    waiting = [c for c in order if c.mandatory or c.value > 0]
    complete = True
    progress = True
    while progress and waiting:
        progress = False
        left = []
        for c in waiting:
            if all(r in starts for r in c.requires):
                if place(c):
                    progress = True
                    continue
                if c.mandatory:
                    complete = False
                if any(r not in starts for r in c.requires):
                    left.append(c)
            else:
                left.append(c)
        waiting = [c for c in left if c.id not in starts]
    if any(c.mandatory and c.id not in starts for c in portfolio.candidates):
        complete = False
    picks = tuple(Pick(c.id, starts[c.id]) for c in portfolio.candidates if c.id in starts)
    value = sum(portfolio.candidates[portfolio.index[p.id]].value for p in picks)
    return GreedyResult(objective=float(value), selected=picks, rank=rank, complete=complete)


# --------------------------------------------------------------------------- the MILP


def _new_highs() -> Any:
    """A silent HiGHS instance (its banner would otherwise land on stdout, before any JSON)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", False)
    return highs


class _Model:
    """The portfolio as one HiGHS model, kept to re-solve under other budgets."""

    def __init__(self, portfolio: Portfolio, *, threads: int, gap_tolerance: float) -> None:
        import highspy

        self.portfolio = portfolio
        periods = portfolio.periods
        cols: list[tuple[int, int]] = []  # (candidate index, start)
        first_col: list[int] = []
        for i, c in enumerate(portfolio.candidates):
            first_col.append(len(cols))
            cols.extend((i, s) for s in c.starts(periods))
        first_col.append(len(cols))
        self.cols = cols
        self.first_col = first_col
        rows_i: list[int] = []
        cols_j: list[int] = []
        vals: list[float] = []
        lower: list[float] = []
        upper: list[float] = []

        def row(lo: float, hi: float) -> int:
            lower.append(lo)
            upper.append(hi)
            return len(lower) - 1

        # Budget per period, then capacity per role and period.
        self.budget_rows = [row(-math.inf, b) for b in portfolio.budget]
        roles = list(portfolio.capacity)
        cap_row = {}
        for role in roles:
            free = _free(portfolio, role)
            for t in range(periods):
                cap_row[role, t] = row(-math.inf, float(free[t]))
        self.resource_rows = len(lower)  # budget and capacity rows come first
        for j, (i, s) in enumerate(cols):
            c = portfolio.candidates[i]
            for k, amount in enumerate(c.cost):
                if amount:
                    rows_i.append(self.budget_rows[s + k])
                    cols_j.append(j)
                    vals.append(amount)
            for role, hours in c.demand.items():
                for k, h in enumerate(hours):
                    if h:
                        rows_i.append(cap_row[role, s + k])
                        cols_j.append(j)
                        vals.append(h)
        # At most once; mandatory exactly once.
        self.choice_rows = []
        for i, c in enumerate(portfolio.candidates):
            r = row(1.0 if c.mandatory else 0.0, 1.0)
            self.choice_rows.append(r)
            for j in range(first_col[i], first_col[i + 1]):
                rows_i.append(r)
                cols_j.append(j)
                vals.append(1.0)
        # A requires B: x[A, t] <= sum over s <= t of x[B, s].
        for i, c in enumerate(portfolio.candidates):
            for other in c.requires:
                b = portfolio.index[other]
                for j in range(first_col[i], first_col[i + 1]):
                    t = cols[j][1]
                    r = row(-math.inf, 0.0)
                    rows_i.append(r)
                    cols_j.append(j)
                    vals.append(1.0)
                    for jb in range(first_col[b], first_col[b + 1]):
                        if cols[jb][1] <= t:
                            rows_i.append(r)
                            cols_j.append(jb)
                            vals.append(-1.0)
        # A excludes B: at most one of them (each pair once).
        pairs = {
            tuple(sorted((i, portfolio.index[o])))
            for i, c in enumerate(portfolio.candidates)
            for o in c.excludes
        }
        for a, b in sorted(pairs):
            r = row(-math.inf, 1.0)
            for j in [
                *range(first_col[a], first_col[a + 1]),
                *range(first_col[b], first_col[b + 1]),
            ]:
                rows_i.append(r)
                cols_j.append(j)
                vals.append(1.0)

        n = len(cols)
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(lower)
        lp.col_cost_ = np.array([portfolio.candidates[i].value for i, _ in cols], dtype=float)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.ones(n)
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        lp.sense_ = highspy.ObjSense.kMaximize
        order = np.lexsort((np.asarray(rows_i, dtype=np.int64), np.asarray(cols_j, dtype=np.int64)))
        index = np.asarray(rows_i, dtype=np.int32)[order]
        value = np.asarray(vals, dtype=float)[order]
        counts = np.bincount(np.asarray(cols_j, dtype=np.int64), minlength=n)
        start = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        self.highs = _new_highs()
        self.highs.setOptionValue("threads", threads)
        self.highs.setOptionValue("mip_rel_gap", gap_tolerance)
        self.highs.passModel(lp)
        self.lp = lp
        self.bound_known = False
        self._highspy = highspy

    def set_budget(self, budget: npt.NDArray[np.float64]) -> None:
        for r, b in zip(self.budget_rows, budget, strict=True):
            self.highs.changeRowBounds(r, -self.highs.inf, float(b))

    def set_mandatory(self, ids: Iterable[str]) -> None:
        """Make exactly ``ids`` mandatory (the others optional), for the infeasibility search."""
        chosen = set(ids)
        for i, c in enumerate(self.portfolio.candidates):
            self.highs.changeRowBounds(self.choice_rows[i], 1.0 if c.id in chosen else 0.0, 1.0)

    def columns(self, picks: Iterable[Pick]) -> npt.NDArray[np.float64]:
        """The 0-1 column vector of a selection."""
        x = np.zeros(len(self.cols))
        p = self.portfolio
        for pick in picks:
            i = p.index[pick.id]
            for j in range(self.first_col[i], self.first_col[i + 1]):
                if self.cols[j][1] == pick.start:
                    x[j] = 1.0
        return x

    def picks(self, x: npt.NDArray[np.float64]) -> tuple[Pick, ...]:
        """The selection of a 0-1 column vector."""
        return tuple(
            Pick(self.portfolio.candidates[i].id, s)
            for j, (i, s) in enumerate(self.cols)
            if x[j] > 0.5
        )

    def hint(self, picks: Iterable[Pick]) -> None:
        """Hand a feasible selection to the solver as its first incumbent."""
        x = self.columns(picks)
        solution = self._highspy.HighsSolution()
        solution.col_value = list(x)
        solution.value_valid = True
        self.highs.setSolution(solution)

    def solve(
        self, time_limit: float
    ) -> tuple[Status, float | None, float | None, float | None, tuple[Pick, ...]]:
        if not self.cols:  # nothing to choose from: the empty selection is optimal
            return "optimal", 0.0, 0.0, 0.0, ()
        h = self.highs
        h.setOptionValue("time_limit", float(max(time_limit, 0.001)))
        h.run()
        status = h.getModelStatus()
        ms = self._highspy.HighsModelStatus
        info = h.getInfo()
        if status == ms.kInfeasible:
            return "infeasible", None, None, None, ()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if not has_solution:
            return "no_solution", None, None, None, ()
        picks = self.picks(np.asarray(h.getSolution().col_value))
        objective = float(
            sum(self.portfolio.candidates[self.portfolio.index[p.id]].value for p in picks)
        )
        bound = float(info.mip_dual_bound)
        self.bound_known = math.isfinite(bound)
        if not self.bound_known:
            bound = objective
        bound = max(bound, objective)
        gap = (bound - objective) / max(abs(objective), 1e-9) if bound > objective + 1e-9 else 0.0
        return ("optimal" if status == ms.kOptimal else "feasible"), objective, bound, gap, picks


def _polished(
    model: _Model,
    search: Search,
    found: npt.NDArray[np.float64],
    status: Status,
    bound: float | None,
    picks: tuple[Pick, ...],
    gap_tolerance: float,
    deadline: float,
) -> tuple[Status, float | None, float | None, float | None, tuple[Pick, ...]]:
    """The solver's selection improved by swaps in the time kept for it (or the heuristics'
    selection when better), with the solver's bound, or the LP bound when it has none."""
    best = found
    if status != "no_solution":
        solved = search.swaps(model.columns(picks), deadline)
        if search.objective(solved) >= search.objective(found):
            best = solved
    objective = search.objective(best)
    solver_bound = bound if status != "no_solution" and model.bound_known else None
    bounds = [b for b in (solver_bound, search.lp_bound) if b is not None]
    if not bounds:
        return "feasible", objective, None, None, model.picks(best)
    top = max(min(bounds), objective)
    gap = (top - objective) / max(abs(objective), 1e-9) if top > objective + 1e-9 else 0.0
    final: Status = "optimal" if status == "optimal" or gap <= gap_tolerance else "feasible"
    return final, objective, top, gap, model.picks(best)


def _conflict(model: _Model, time_limit: float) -> tuple[str, ...]:
    """A minimal set of mandatory items that cannot all be selected (deletion filter), or all
    of them when there are too many to test one by one or the time runs out."""
    mandatory = [c.id for c in model.portfolio.candidates if c.mandatory]
    if len(mandatory) > _MAX_DIAGNOSED:
        return tuple(mandatory)
    deadline = time.perf_counter() + time_limit
    h = model.highs
    kept = list(mandatory)
    for cid in mandatory:
        left = deadline - time.perf_counter()
        if left <= 0:
            return tuple(mandatory)
        trial = [k for k in kept if k != cid]
        model.set_mandatory(trial)
        h.clearSolver()
        status, *_ = model.solve(left)
        if status == "infeasible":
            kept = trial
        elif status == "no_solution":
            return tuple(mandatory)
    model.set_mandatory(mandatory)
    return tuple(kept)


def select(
    portfolio: Portfolio,
    *,
    time_limit: float = 10.0,
    threads: int = 1,
    gap_tolerance: float = 1e-4,
    rank: Rank = "value",
) -> SelectionResult:
    """The selection of most value, with the greedy one beside it.

    Parameters
    ----------
    time_limit : float
        Seconds for the solver; at the limit the best selection found is returned with its gap.
    threads : int
        Solver threads.
    gap_tolerance : float
        Relative gap at which a selection counts as optimal (1e-4 = 0.01 %).
    rank : "value" or "ratio"
        How the greedy ranks (value, or value per unit of total cost).

    Examples
    --------
    >>> p = Portfolio(1, [10], {}, [Candidate("A", 6, cost=[6]), Candidate("B", 5, cost=[5]),
    ...                             Candidate("C", 5, cost=[5])])
    >>> r = select(p)
    >>> r.status, r.objective, [x.id for x in r.selected], r.value_gained
    ('optimal', 10.0, ['B', 'C'], 4.0)
    """
    if time_limit < 0 or threads < 1 or not 0 <= gap_tolerance < 1:
        raise SelectionError("time_limit must be >= 0, threads >= 1 and 0 <= gap_tolerance < 1")
    began = time.perf_counter()
    baseline = greedy(portfolio, rank)
    model = _Model(portfolio, threads=threads, gap_tolerance=gap_tolerance)
    # The solver starts from the better of the two greedy selections.
    other = greedy(portfolio, "ratio" if rank == "value" else "value")
    start = max(
        (g for g in (baseline, other) if g.complete), key=lambda g: g.objective, default=None
    )
    search: Search | None = None
    found: npt.NDArray[np.float64] | None = None
    if start is not None and len(model.cols) >= _SEARCH_MIN_COLUMNS and time_limit >= 1.0:
        # Large portfolio: better selections first (LP core, swaps, neighbourhood MIPs).
        search = Search(model, threads=threads, gap_tolerance=gap_tolerance)
        share = min(_SEARCH_SHARE * time_limit, _SEARCH_MAX_SECONDS)
        found = improve(search, model.columns(start.selected), share)
        model.hint(model.picks(found))
    elif start is not None and start.selected:
        model.hint(start.selected)
    polish = min(_POLISH_SHARE * time_limit, 0.5) if search is not None else 0.0
    status, objective, bound, gap, picks = model.solve(
        time_limit - (time.perf_counter() - began) - polish
    )
    if (
        search is not None
        and found is not None
        and status in ("optimal", "feasible", "no_solution")
    ):
        status, objective, bound, gap, picks = _polished(
            model, search, found, status, bound, picks, gap_tolerance, began + 0.99 * time_limit
        )
    conflict: tuple[str, ...] = ()
    message = ""
    if status == "infeasible":
        conflict = _conflict(model, max(time_limit - (time.perf_counter() - began), 1.0))
        message = (
            f"the mandatory item{'s' if len(conflict) > 1 else ''} {', '.join(conflict)} "
            f"cannot {'all ' if len(conflict) > 1 else ''}be selected within the budget, "
            "capacity, dependencies, exclusions and start windows"
        )
    return SelectionResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        selected=picks,
        greedy=baseline,
        seconds=time.perf_counter() - began,
        conflict=conflict,
        message=message,
    )


def efficient_frontier(
    portfolio: Portfolio,
    scales: Sequence[float] = _SCALES,
    *,
    time_limit: float = 2.0,
    threads: int = 1,
    gap_tolerance: float = 1e-4,
) -> tuple[FrontierPoint, ...]:
    """Best value for each budget level: the budget vector times each of ``scales``.

    One model is built and re-solved with new budget row bounds, in increasing budget order;
    each level starts from the previous level's selection (still feasible with more money).
    ``time_limit`` is per level.

    Examples
    --------
    >>> p = Portfolio(1, [10], {}, [Candidate("A", 6, cost=[6]), Candidate("B", 5, cost=[5])])
    >>> [(f.budget, f.value) for f in efficient_frontier(p, [0.5, 1.0, 1.1])]
    [(5.0, 5.0), (10.0, 6.0), (11.0, 11.0)]
    """
    if any(not math.isfinite(s) or s < 0 for s in scales):
        raise SelectionError("budget scales must be finite numbers >= 0")
    model = _Model(portfolio, threads=threads, gap_tolerance=gap_tolerance)
    base = np.asarray(portfolio.budget, dtype=float)
    points: list[FrontierPoint] = []
    previous: tuple[Pick, ...] = ()
    for scale in sorted(scales):
        model.set_budget(base * scale)
        if previous:
            model.hint(previous)
        status, objective, _bound, gap, picks = model.solve(time_limit)
        if picks:
            previous = picks
        points.append(
            FrontierPoint(
                scale=float(scale),
                budget=float(base.sum() * scale),
                value=objective,
                status=status,
                gap=gap,
                selected=picks,
            )
        )
    return tuple(points)
