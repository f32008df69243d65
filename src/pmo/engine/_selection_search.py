"""Primal heuristics for portfolio selection: good selections before and after the HiGHS solve.

On large portfolios with many binding budget and capacity rows HiGHS spends a 10-second limit
at its root node, where its own heuristics climb slowly. This module finds a better incumbent
first and polishes the one HiGHS returns:

1. *LP core*: the LP relaxation is solved; candidates it selects fully or not at all keep that
   choice, and a small MIP over the fractional ones is solved (relax-and-fix).
2. *Swap search*: on the selection, a selected candidate is exchanged for an unselected one (or
   for another start of itself) of more value that fits the budget and capacity it leaves, or
   failing that two selected ones for one unselected worth more than both, and anything that
   still fits is added, until no exchange gains value.
3. *Neighbourhood search*: one of the least-slack budget or capacity rows is drawn (seeded, so
   the same portfolio gives the same sequence) with the same role's rows a period before and
   after; up to 30 candidates that could use them are freed, those where the selection and the
   LP relaxation disagree first, all the others keep their current choice, and HiGHS solves
   that small MIP from the current selection. Each gain is followed by the swap search.

Candidates that are mandatory, require, are required by, or exclude another candidate are never
moved by the swap search (their links are the MIP's business); the neighbourhood MIPs move them
with every rule enforced. Every selection produced is feasible for the full model; the caller
still checks it with ``check_selection``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pmo.engine.selection import _Model

Vector = npt.NDArray[np.float64]

#: Above this many (column × budget-or-capacity row) cells the swap search is skipped (memory).
_MAX_DENSE = 8_000_000
#: Candidates freed per neighbourhood MIP (HiGHS solves 30 in tens of milliseconds; 60 can
#: keep it at the root for half a second).
_FREED = 30
#: Weight of chance against LP disagreement when choosing the candidates to free.
_NOISE = 0.5
#: Binding rows the picks are drawn from (the least slack first).
_TIGHTEST = 40
#: The neighbourhood search stops after this many MIPs in a row without a gain.
_STALL = 40
_EPS = 1e-6


class Search:
    """The heuristics over one built model (its columns, rows and HiGHS settings)."""

    def __init__(self, model: _Model, *, threads: int, gap_tolerance: float) -> None:
        self.model = model
        self.threads = threads
        self.gap_tolerance = gap_tolerance
        lp = model.lp
        n = int(lp.num_col_)
        self.n = n
        starts = np.asarray(lp.a_matrix_.start_, dtype=np.int64)
        rows = np.asarray(lp.a_matrix_.index_, dtype=np.int64)
        values = np.asarray(lp.a_matrix_.value_, dtype=float)
        cols = np.repeat(np.arange(n), np.diff(starts))
        nres = model.resource_rows
        keep = rows < nres
        self.res_rows = rows[keep]
        self.res_cols = cols[keep]
        self.res_vals = values[keep]
        self.capacity: Vector = np.asarray(lp.row_upper_, dtype=float)[:nres]
        self.value: Vector = np.asarray(lp.col_cost_, dtype=float)
        self.item = np.asarray([i for i, _ in model.cols], dtype=np.int64)
        # The columns touching each budget or capacity row, in column order.
        by_row = np.argsort(self.res_rows, kind="stable")
        bounds = np.cumsum(np.bincount(self.res_rows, minlength=nres))[:-1]
        self.row_cols = np.split(self.res_cols[by_row], bounds)
        portfolio = model.portfolio
        linked = np.zeros(len(portfolio.candidates), dtype=bool)
        for i, c in enumerate(portfolio.candidates):
            if c.mandatory or c.requires or c.excludes:
                linked[i] = True
                for other in (*c.requires, *c.excludes):
                    linked[portfolio.index[other]] = True
        self.movable = ~linked[self.item]
        self.dense: Vector | None = None
        if n * nres <= _MAX_DENSE:
            dense = np.zeros((n, nres))
            dense[self.res_cols, self.res_rows] = self.res_vals
            self.dense = dense
        self.lp_bound: float | None = None
        self.relaxed: Vector | None = None
        self.items = len(portfolio.candidates)
        self._sub: Any = None
        import highspy

        self._optimal = highspy.HighsModelStatus.kOptimal

    # ------------------------------------------------------------------ helpers

    def _highs(self, *, integral: bool) -> Any:
        from pmo.engine.selection import _new_highs

        h = _new_highs()
        # Every HiGHS instance of a process must use the same thread count (its scheduler is
        # shared); the main model's count is the caller's.
        h.setOptionValue("threads", self.threads)
        h.setOptionValue("mip_rel_gap", self.gap_tolerance)
        lp = self.model.lp
        if not integral:
            lp = self.model.highs.getLp()
            lp.integrality_ = []
        h.passModel(lp)
        return h

    def objective(self, x: Vector) -> float:
        return float(self.value @ x)

    def _slack(self, x: Vector) -> Vector:
        used = np.bincount(
            self.res_rows, weights=self.res_vals * x[self.res_cols], minlength=len(self.capacity)
        )
        slack: Vector = self.capacity - used
        return slack

    def _run(self, h: Any, x: Vector | None, time_limit: float) -> Vector | None:
        """Solve ``h`` from the selection ``x``; its best selection, or None."""
        import highspy

        if x is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(x)
            solution.value_valid = True
            h.setSolution(solution)
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        h.run()
        if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        found: Vector = np.round(np.asarray(h.getSolution().col_value, dtype=float))
        return found

    # ------------------------------------------------------------------ the phases

    def lp_core(self, x: Vector, deadline: float) -> Vector:
        """Relax-and-fix: keep the LP's integral choices, solve the MIP over the fractional ones."""
        lp = self._highs(integral=False)
        lp.setOptionValue("time_limit", float(max(deadline - time.perf_counter(), 0.01)))
        lp.run()
        if lp.getModelStatus() != self._optimal:  # only a solved relaxation is a bound
            return x
        self.lp_bound = float(lp.getInfo().objective_function_value)
        relaxed = np.asarray(lp.getSolution().col_value, dtype=float)
        self.relaxed = relaxed
        fixed = (relaxed <= _EPS) | (relaxed >= 1 - _EPS)
        core = self._highs(integral=True)
        at = np.flatnonzero(fixed).astype(np.int32)
        level = np.round(relaxed[at])
        core.changeColsBounds(len(at), at, level, level)
        found = self._run(core, None, deadline - time.perf_counter())
        if found is not None and self.objective(found) > self.objective(x) + _EPS:
            return found
        return x

    def swaps(self, x: Vector, deadline: float) -> Vector:
        """Exchanges of one candidate for one of more value (or of two for one), and additions,
        until none gains."""
        dense = self.dense
        if dense is None:
            return x
        x = x.copy()
        chosen = x > 0.5
        slack = self._slack(x) + _EPS
        value = self.value
        item = self.item
        taken = np.zeros(int(item.max()) + 1, dtype=bool)
        while time.perf_counter() < deadline:
            taken[:] = False
            taken[item[chosen]] = True
            free = self.movable & ~taken[item]
            fits = free & (value > 0)
            sub = np.flatnonzero(fits)
            if sub.size:
                ok = sub[np.all(dense[sub] <= slack, axis=1)]
                if ok.size:  # something still fits: add the most valuable
                    j = int(ok[np.argmax(value[ok])])
                    x[j], chosen[j] = 1.0, True
                    slack -= dense[j]
                    continue
            best: tuple[int, int] | None = None
            best_gain = _EPS
            others = np.flatnonzero(free)
            for a in np.flatnonzero(chosen & self.movable):
                if time.perf_counter() >= deadline:
                    break
                same = np.flatnonzero((item == item[a]) & ~chosen)
                pool = np.concatenate([others, same])
                pool = pool[value[pool] > value[a] + best_gain]
                if not pool.size:
                    continue
                room = slack + dense[a]
                ok = pool[np.all(dense[pool] <= room, axis=1)]
                if ok.size:
                    b = int(ok[np.argmax(value[ok])])
                    best_gain, best = float(value[b] - value[a]), (int(a), b)
            if best is None:
                pair = self._two_for_one(chosen, slack, free, deadline)
                if pair is None:
                    break
                first, second, into = pair
                for out in (first, second):
                    x[out], chosen[out] = 0.0, False
                    slack += dense[out]
                x[into], chosen[into] = 1.0, True
                slack -= dense[into]
                continue
            out, into = best
            x[out], chosen[out] = 0.0, False
            x[into], chosen[into] = 1.0, True
            slack += dense[out] - dense[into]
        return x

    def _two_for_one(
        self,
        chosen: npt.NDArray[np.bool_],
        slack: Vector,
        free: npt.NDArray[np.bool_],
        deadline: float,
    ) -> tuple[int, int, int] | None:
        """Two selected candidates out for one unselected of more value than both, which fits
        in what they free (the best such exchange), or None."""
        assert self.dense is not None
        dense, value = self.dense, self.value
        out = np.flatnonzero(chosen & self.movable)
        if out.size < 2:
            return None
        worth = value[out]
        cheapest = np.sort(worth)[:2].sum()
        into = np.flatnonzero(free & (value > cheapest))
        best_gain, best = _EPS, None
        for b in into[np.argsort(-value[into], kind="stable")]:
            if time.perf_counter() >= deadline or value[b] <= cheapest + best_gain:
                break
            short = dense[b] - slack
            rows = np.flatnonzero(short > 0)
            if rows.size == 0:
                continue  # it fits as it is: the additions take it
            helps = np.flatnonzero(
                (dense[out][:, rows] > 0).any(axis=1) & (worth < value[b] - best_gain)
            )
            if helps.size < 2:
                continue
            freed = dense[out[helps]][:, rows]
            covers = (freed[:, None, :] + freed[None, :, :] >= short[rows]).all(axis=2)
            loss = worth[helps][:, None] + worth[helps][None, :]
            ok = np.triu(covers, 1) & (loss < value[b] - best_gain)
            if ok.any():
                i, j = np.unravel_index(np.argmin(np.where(ok, loss, np.inf)), ok.shape)
                best_gain = float(value[b] - loss[i, j])
                best = (int(out[helps[i]]), int(out[helps[j]]), int(b))
        return best

    def neighbourhoods(self, x: Vector, deadline: float, per_mip: float) -> Vector:
        """Small MIPs around the binding rows, each from the current selection."""
        rng = np.random.default_rng(0)
        if self._sub is None:
            self._sub = self._highs(integral=True)
        sub = self._sub
        columns = np.arange(self.n, dtype=np.int32)
        periods = self.model.portfolio.periods
        stall = 0
        best = self.objective(x)
        target = None if self.lp_bound is None else self.lp_bound / (1 + self.gap_tolerance)
        while stall < _STALL and time.perf_counter() < deadline:
            if target is not None and best >= target:
                break
            slack = self._slack(x) / np.maximum(np.abs(self.capacity), 1.0)
            tight = np.argsort(slack, kind="stable")[:_TIGHTEST]
            if tight.size == 0:
                break
            # A binding row with the same role's (or the budget's) rows a period before and
            # after: moving a start shifts work between neighbouring periods.
            row = int(rng.choice(tight))
            first = row - row % periods  # rows are laid out one block of periods per role
            picked = np.arange(max(first, row - 1), min(first + periods, row + 2))
            touching = np.unique(np.concatenate([self.row_cols[r] for r in picked]))
            items = np.unique(self.item[touching])
            if items.size > _FREED:
                # Where the selection and the LP relaxation disagree first, then at random.
                score = rng.random(items.size) * _NOISE
                if self.relaxed is not None:
                    apart = np.bincount(
                        self.item, weights=np.abs(x - self.relaxed), minlength=self.items
                    )
                    score += apart[items]
                items = items[np.argsort(-score, kind="stable")[:_FREED]]
            freed = np.isin(self.item, items)
            lower = np.where(freed, 0.0, x)
            upper = np.where(freed, 1.0, x)
            sub.changeColsBounds(self.n, columns, lower, upper)
            found = self._run(sub, x, min(per_mip, deadline - time.perf_counter()))
            whole = bool(freed.all()) and sub.getModelStatus() == self._optimal
            if found is not None and self.objective(found) > best + _EPS:
                x = self.swaps(found, deadline)
                best = self.objective(x)
                stall = 0
            else:
                stall += 1
            if whole:  # the neighbourhood was the whole portfolio, solved: nothing left to gain
                break
        return x


def improve(search: Search, x: Vector, time_limit: float) -> Vector:
    """The LP core, the swap search and the neighbourhood search within ``time_limit``; only
    the LP core when it does no better than ``x``."""
    began = time.perf_counter()
    deadline = began + time_limit
    start = search.objective(x)
    x = search.lp_core(x, began + 0.4 * time_limit)
    if search.objective(x) <= start + _EPS:
        # The LP relaxation is a poor guide here (its core is no better than the greedy): the
        # time is better spent in HiGHS's own search.
        return x
    x = search.swaps(x, deadline)
    per_mip = min(0.4, max(0.05, 0.1 * time_limit))
    return search.neighbourhoods(x, deadline, per_mip)
