"""The constructive levelling method: serial schedule generation on precedence-feasible lists
(priority rules and seeded random sampling), improved by forward-backward justification.

Links are minimum start-to-start lags over an acyclic network, so every list that follows the
links can be scheduled: there are no maximum lags for the generation to violate.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pmo.engine.leveling.problem import LevelProblem

__all__ = ["RULES", "Profile", "heuristic", "justify", "precedence_list", "rule_keys", "serial"]

IntArray = npt.NDArray[np.int64]

#: Priority rules by name; each sorts the eligible activities, smallest key first.
RULES = ("lft", "lst", "mts", "grpw", "est")


class Profile:
    """Units still free per resource and time unit, capacity minus fixed loads and bookings."""

    def __init__(self, problem: LevelProblem, horizon: int) -> None:
        self.problem = problem
        self.free = np.repeat(problem.capacity[:, None], max(horizon, 1), axis=1)
        for r, segments in enumerate(problem.fixed):
            for s, e, u in segments:
                if s < self.free.shape[1]:
                    self.free[r, s:e] -= u
        self.base = self.free.copy()
        self.rows = [np.flatnonzero(problem.demand[:, j]) for j in range(problem.n)]
        self.need = [problem.demand[self.rows[j], j][:, None] for j in range(problem.n)]

    def reset(self) -> None:
        self.free[...] = self.base

    def _grow(self, end: int) -> None:
        width = self.free.shape[1]
        if end > width:
            extra = max(end - width, width)
            tail = np.repeat(self.problem.capacity[:, None], extra, axis=1)
            self.free = np.concatenate([self.free, tail], axis=1)
            self.base = np.concatenate([self.base, tail], axis=1)

    def earliest(self, j: int, t: int) -> int:
        """The earliest start >= t where activity j fits."""
        d = int(self.problem.duration[j])
        rows = self.rows[j]
        if d == 0 or len(rows) == 0:
            return t
        need = self.need[j]
        while True:
            self._grow(t + d)
            bad = (self.free[rows, t : t + d] < need).any(axis=0)
            if not bad.any():
                return t
            t += int(np.flatnonzero(bad)[-1]) + 1

    def latest(self, j: int, t: int, floor: int) -> int | None:
        """The latest start in ``[floor, t]`` where activity j fits, or None."""
        d = int(self.problem.duration[j])
        rows = self.rows[j]
        if d == 0 or len(rows) == 0:
            return t
        need = self.need[j]
        while t >= floor:
            self._grow(t + d)
            bad = (self.free[rows, t : t + d] < need).any(axis=0)
            if not bad.any():
                return t
            t += int(np.flatnonzero(bad)[0]) - d
        return None

    def book(self, j: int, t: int) -> None:
        d = int(self.problem.duration[j])
        if d and len(self.rows[j]):
            self.free[self.rows[j], t : t + d] -= self.need[j]


def _horizon(problem: LevelProblem) -> int:
    fixed_end = max((s[-1][1] for s in problem.fixed if s), default=0)
    return int(problem.release.max(initial=0)) + fixed_end + int(problem.duration.sum()) + 1


def _adjacency(problem: LevelProblem) -> tuple[list[list[int]], list[list[int]]]:
    """Link numbers into and out of each leaf."""
    into: list[list[int]] = [[] for _ in range(problem.n)]
    out: list[list[int]] = [[] for _ in range(problem.n)]
    for k, (i, j) in enumerate(zip(problem.pred.tolist(), problem.succ.tolist(), strict=True)):
        out[i].append(k)
        into[j].append(k)
    return into, out


def precedence_list(
    problem: LevelProblem, key: Sequence[Any], *, reverse: bool = False
) -> list[int]:
    """A list that follows the links, smallest key first among the activities it may take.

    With ``reverse`` the list follows the links backwards (successors first).

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 1), Activity("B", 1), Activity("C", 1)], [Link("C", "A")])
    >>> precedence_list(LevelProblem.build(net), [0, 1, 2])
    [1, 2, 0]
    """
    n = problem.n
    first, second = (problem.succ, problem.pred) if reverse else (problem.pred, problem.succ)
    indegree = np.bincount(second, minlength=n).tolist()
    out: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        out[a].append(b)
    heap = [(key[i], i) for i in range(n) if indegree[i] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, i = heapq.heappop(heap)
        order.append(i)
        for j in out[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(heap, (key[j], j))
    return order


def serial(problem: LevelProblem, order: Sequence[int], profile: Profile) -> IntArray:
    """Serial schedule generation: each activity in turn at its earliest feasible start."""
    into, _ = _adjacency_cached(problem)
    profile.reset()
    start = np.zeros(problem.n, dtype=np.int64)
    pred, delta, release = problem.pred.tolist(), problem.delta.tolist(), problem.release.tolist()
    values = [0] * problem.n
    for j in order:
        t = release[j]
        for k in into[j]:
            t = max(t, values[pred[k]] + delta[k])
        t = profile.earliest(j, t)
        profile.book(j, t)
        values[j] = t
    start[:] = values
    return start


def _adjacency_cached(problem: LevelProblem) -> tuple[list[list[int]], list[list[int]]]:
    cached = problem.__dict__.get("_adjacency")
    if cached is None:
        cached = _adjacency(problem)
        problem.__dict__["_adjacency"] = cached
    return cached


def justify(problem: LevelProblem, start: IntArray, profile: Profile) -> IntArray:
    """One forward-backward improvement: right-justify every activity (latest finish first)
    against the makespan, then left-justify (earliest start first). Never longer.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, Network, Resource
    >>> net = Network(
    ...     [Activity("A", 2, demands={"R": 1}), Activity("B", 1, demands={"R": 1})],
    ...     resources=[Resource("R", 1)],
    ... )
    >>> p = LevelProblem.build(net)
    >>> justify(p, np.array([0, 2]), Profile(p, 10)).tolist()
    [0, 2]
    """
    n = problem.n
    if n == 0:
        return start
    d = problem.duration
    _, out = _adjacency_cached(problem)
    succ, delta = problem.succ.tolist(), problem.delta.tolist()
    release = problem.release.tolist()
    makespan = int((start + d).max())
    finish = start + d
    back_order = precedence_list(problem, (-finish * (n + 1) - start).tolist(), reverse=True)
    profile.reset()
    late = [0] * n
    for i in back_order:
        t = makespan - int(d[i])
        for k in out[i]:
            t = min(t, late[succ[k]] - delta[k])
        placed = profile.latest(i, t, release[i])
        if placed is None:
            return start
        profile.book(i, placed)
        late[i] = placed
    late_start = np.asarray(late, dtype=np.int64)
    forward = serial(problem, precedence_list(problem, late_start.tolist()), profile)
    new = int((forward + d).max())
    return forward if new <= makespan else start


def rule_keys(problem: LevelProblem, rule: str) -> list[float]:
    """The priority key of each activity under a rule (smaller goes first)."""
    n = problem.n
    d = problem.duration
    _, out = _adjacency_cached(problem)
    succ, delta = problem.succ.tolist(), problem.delta.tolist()
    if rule in ("lft", "lst"):
        horizon = problem.critical_path_bound
        late = (horizon - d).tolist()
        for i in problem.order.tolist()[::-1]:
            for k in out[i]:
                late[i] = min(late[i], late[succ[k]] - delta[k])
        values = [late[i] + (int(d[i]) if rule == "lft" else 0) for i in range(n)]
        return [float(v) for v in values]
    if rule == "mts":
        below = [0] * n
        for i in problem.order.tolist()[::-1]:
            mask = 0
            for k in out[i]:
                mask |= below[succ[k]] | (1 << succ[k])
            below[i] = mask
        return [-float(m.bit_count()) for m in below]
    if rule == "grpw":
        return [-float(d[i] + sum(int(d[succ[k]]) for k in out[i])) for i in range(n)]
    if rule == "est":
        return [float(v) for v in problem.early_start.tolist()]
    raise ValueError(f"unknown priority rule {rule!r} (one of {', '.join(RULES)})")


def _with_priority(problem: LevelProblem, keys: list[float]) -> list[tuple[int, float, int]]:
    return [(-int(p), k, i) for i, (p, k) in enumerate(zip(problem.priority, keys, strict=True))]


def _sampled_list(problem: LevelProblem, keys: list[float], rng: np.random.Generator) -> list[int]:
    """Regret-based biased random sampling: among the eligible, the better the key the likelier."""
    n = problem.n
    indegree = np.bincount(problem.succ, minlength=n).tolist()
    _, out = _adjacency_cached(problem)
    succ = problem.succ.tolist()
    eligible = [i for i in range(n) if indegree[i] == 0]
    order: list[int] = []
    top = max(keys, default=0.0)
    while eligible:
        weights = np.asarray([top - keys[i] + 1.0 for i in eligible]) ** 2
        pick = int(rng.choice(len(eligible), p=weights / weights.sum()))
        i = eligible.pop(pick)
        order.append(i)
        for k in out[i]:
            j = succ[k]
            indegree[j] -= 1
            if indegree[j] == 0:
                eligible.append(j)
    return order


def heuristic(
    problem: LevelProblem,
    *,
    rng: np.random.Generator,
    samples: int | None = None,
    rules: Sequence[str] = RULES,
    improve: bool = True,
    target: int | None = None,
) -> tuple[IntArray, str]:
    """The best schedule of the priority rules and ``samples`` random lists, each improved by
    forward-backward justification; stops early at ``target`` (a lower bound).

    Returns the starts and the name of the list that gave them.
    """
    profile = Profile(problem, _horizon(problem))
    d = problem.duration
    best: IntArray | None = None
    best_span = 0
    how = ""
    if samples is None:
        samples = max(4, min(40, 2400 // max(problem.n, 1)))
    lft = rule_keys(problem, "lft")

    def consider(start: IntArray, name: str) -> bool:
        nonlocal best, best_span, how
        if improve:
            for _ in range(4):
                better = justify(problem, start, profile)
                if int((better + d).max(initial=0)) >= int((start + d).max(initial=0)):
                    start = better
                    break
                start = better
        span = int((start + d).max(initial=0))
        if best is None or span < best_span:
            best, best_span, how = start, span, name
        return target is not None and best_span <= target

    for rule in rules:
        keys = lft if rule == "lft" else rule_keys(problem, rule)
        order = precedence_list(problem, _with_priority(problem, keys))
        if consider(serial(problem, order, profile), rule):
            break
    else:
        for sample in range(samples):
            order = _sampled_list(problem, lft, rng)
            if consider(serial(problem, order, profile), f"sample {sample}"):
                break
    assert best is not None
    return best, how
