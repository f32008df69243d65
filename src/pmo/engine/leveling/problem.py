"""The levelling problem as integer arrays: leaves, durations, scaled demands and capacities,
every link as a minimum start-to-start lag, earliest starts, the resource-free lower bound.

All times inside the levelling package count from the network's start (offset 0); `level`
adds the start back on the way out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import EngineError
from pmo.engine.network import ConstraintType, Network

__all__ = ["FixedLoads", "LevelProblem", "LevelingError", "Priorities"]

IntArray = npt.NDArray[np.int64]

#: Per resource id, the ``(start, end, units)`` already booked by other projects.
FixedLoads = Mapping[str, Sequence[tuple[int, int, float]]]
#: Per activity id, a whole number >= 0; higher goes first when the finish allows it.
Priorities = Mapping[str, int]

_SCALES = (1, 2, 4, 5, 10, 20, 100, 1000)
_FS, _SS, _FF, _SF = 0, 1, 2, 3  # LINK_CODES of pmo.engine.network


class LevelingError(EngineError, ValueError):
    """The levelling input cannot be levelled (unknown resource, a demand above capacity...)."""


def _scale(values: list[float]) -> int:
    """The smallest factor that makes every value a whole number (1000 at most)."""
    for factor in _SCALES:
        if all(abs(v * factor - round(v * factor)) < 1e-9 for v in values):
            return factor
    return _SCALES[-1]


@dataclass(frozen=True, eq=False)
class LevelProblem:
    """The leaves of a network as the arrays the heuristic and CP-SAT share.

    Every link becomes ``start[succ] >= start[pred] + delta``: FS ``d_pred + lag``, SS
    ``lag``, FF ``d_pred + lag - d_succ``, SF ``lag - d_succ``. Demands and capacities are
    multiplied by one ``scale`` so that they are whole numbers (capacities rounded down and
    demands up when no factor up to 1000 does it).

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, LinkType, Network, Resource
    >>> net = Network(
    ...     [Activity("A", 3, demands={"crew": 0.5}), Activity("B", 2, demands={"crew": 1})],
    ...     [Link("A", "B", LinkType.FF, lag=1)], [Resource("crew", 1.5)],
    ... )
    >>> p = LevelProblem.build(net)
    >>> p.scale, p.capacity.tolist(), p.demand.tolist(), p.delta.tolist()
    (2, [3], [[1, 2]], [2])
    >>> p.early_start.tolist(), p.critical_path_bound
    ([0, 2], 4)
    """

    ids: tuple[str, ...]  #: leaf activity ids
    rows: IntArray  #: network position of each leaf
    duration: IntArray
    resources: tuple[str, ...]
    scale: int
    capacity: IntArray  #: (resources,)
    demand: IntArray  #: (resources, leaves)
    pred: IntArray  #: one entry per link between leaves
    succ: IntArray
    delta: IntArray
    release: IntArray  #: earliest start from SNET/FNET/MSO/MFO constraints, >= 0
    priority: IntArray
    fixed: tuple[tuple[tuple[int, int, int], ...], ...]  #: per resource, disjoint segments
    order: IntArray  #: a topological order of the leaves
    early_start: IntArray  #: resource-free earliest starts
    target: int  #: the network's own finish target (offset from its start), or 0

    @property
    def n(self) -> int:
        """Number of leaves."""
        return len(self.ids)

    @property
    def critical_path_bound(self) -> int:
        """The resource-free project duration: no levelled schedule is shorter."""
        if self.n == 0:
            return 0
        return max(0, int((self.early_start + self.duration).max()))

    @property
    def energy_bound(self) -> int:
        """Per resource, the work it must do over its capacity, rounded up."""
        bound = 0
        for r in range(len(self.resources)):
            cap = int(self.capacity[r])
            work = int((self.demand[r] * self.duration).sum())
            if cap > 0 and work > 0:
                bound = max(bound, -(-work // cap))
        return bound

    @property
    def lower_bound(self) -> int:
        """The larger of the critical-path and the energy bound."""
        return max(self.critical_path_bound, self.energy_bound)

    @classmethod
    def build(
        cls,
        network: Network,
        fixed_loads: FixedLoads | None = None,
        priorities: Priorities | None = None,
    ) -> LevelProblem:
        """Validate and compile; raises `LevelingError` or the network's own errors."""
        compiled = network.compiled
        leaves = compiled.leaves
        activities = network.activities
        ids = tuple(activities[int(i)].id for i in leaves)
        duration = compiled.duration.copy()
        n = len(ids)
        resources = tuple(r.id for r in network.resources)
        known = set(resources)
        for position in leaves.tolist():
            for name in activities[position].demands:
                if name not in known:
                    raise LevelingError(
                        f"Activity {activities[position].id!r} demands unknown resource {name!r}"
                    )
        fixed_loads = dict(fixed_loads or {})
        for name, loads in fixed_loads.items():
            if name not in known:
                raise LevelingError(f"Fixed load on unknown resource {name!r}")
            for load in loads:
                if len(load) != 3:
                    raise LevelingError(
                        f"Fixed load {load!r} on {name!r} is not (start, end, units)"
                    )
                s, e, u = load
                if not all(isinstance(v, int) for v in (s, e)) or not isinstance(u, int | float):
                    raise LevelingError(
                        f"Fixed load {load!r} on {name!r}: whole-number times and numeric units"
                    )
                if e < s or u < 0 or not math.isfinite(u):
                    raise LevelingError(f"Fixed load {load!r} on {name!r} is malformed")
        numbers = [float(r.capacity) for r in network.resources]
        numbers += [float(u) for p in leaves.tolist() for u in activities[p].demands.values()]
        numbers += [float(u) for loads in fixed_loads.values() for _, _, u in loads]
        scale = _scale(numbers)
        capacity = np.array(
            [math.floor(r.capacity * scale + 1e-9) for r in network.resources], dtype=np.int64
        )
        demand = np.zeros((len(resources), n), dtype=np.int64)
        for column, position in enumerate(leaves.tolist()):
            for name, units in activities[position].demands.items():
                demand[resources.index(name), column] = math.ceil(units * scale - 1e-9)
        for r, name in enumerate(resources):
            too_big = np.flatnonzero((demand[r] > capacity[r]) & (duration > 0))
            if len(too_big):
                a = activities[int(leaves[too_big[0]])]
                raise LevelingError(
                    f"Activity {a.id!r} needs {a.demands[name]:g} units of {name!r}, "
                    f"which has only {network.resources[r].capacity:g}"
                )
        fixed = tuple(
            _segments(fixed_loads.get(name, ()), scale, int(capacity[r]), network.start)
            for r, name in enumerate(resources)
        )

        ptr = compiled.out_ptr
        pred = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        succ = compiled.out_succ.astype(np.int64)
        kind = compiled.out_type
        lag = compiled.out_lag
        dp, ds = duration[pred], duration[succ]
        delta = np.select(
            [kind == _FS, kind == _SS, kind == _FF], [dp + lag, lag, dp + lag - ds], lag - ds
        ).astype(np.int64)

        release = np.zeros(n, dtype=np.int64)
        for column, position in enumerate(leaves.tolist()):
            c = activities[position].constraint
            if c is None or c.offset is None:
                continue
            if c.type in (ConstraintType.SNET, ConstraintType.MSO):
                earliest = c.offset
            elif c.type in (ConstraintType.FNET, ConstraintType.MFO):
                earliest = c.offset - int(duration[column])
            else:
                continue
            release[column] = max(0, earliest - network.start)

        priority = np.zeros(n, dtype=np.int64)
        index = {activity_id: column for column, activity_id in enumerate(ids)}
        for activity_id, value in (priorities or {}).items():
            if activity_id not in network.index:
                raise LevelingError(f"Priority for unknown activity {activity_id!r}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise LevelingError(
                    f"Priority of {activity_id!r} must be a whole number >= 0, not {value!r}"
                )
            if activity_id in index:  # a summary's priority is meaningless: leaves are levelled
                priority[index[activity_id]] = value

        order = _topological_order(network, n, ptr, succ)
        early = release.copy()
        out = [[] for _ in range(n)]  # type: list[list[int]]
        for k in range(len(pred)):
            out[int(pred[k])].append(k)
        for i in order.tolist():
            for k in out[i]:
                j = int(succ[k])
                early[j] = max(early[j], early[i] + delta[k])
        target = 0 if network.finish is None else max(0, network.finish - network.start)
        return cls(
            ids, leaves, duration, resources, scale, capacity, demand, pred, succ, delta,
            release, priority, fixed, order, early, target,
        )  # fmt: skip


def _segments(
    loads: Sequence[tuple[int, int, float]], scale: int, capacity: int, origin: int
) -> tuple[tuple[int, int, int], ...]:
    """Overlapping loads summed into disjoint ``(start, end, units)``, clipped to the capacity
    and to times >= 0 (before the project start nothing is levelled)."""
    points: dict[int, Fraction] = {}
    for s, e, u in loads:
        if e <= s or u <= 0:
            continue
        points[s - origin] = points.get(s - origin, Fraction(0)) + Fraction(u)
        points[e - origin] = points.get(e - origin, Fraction(0)) - Fraction(u)
    out: list[tuple[int, int, int]] = []
    level = Fraction(0)
    times = sorted(points)
    for a, b in zip(times, times[1:], strict=False):
        level += points[a]
        units = min(capacity, math.ceil(level * scale - Fraction(1, 10**9)))
        lo, hi = max(a, 0), b
        if units > 0 and hi > lo:
            if out and out[-1][1] == lo and out[-1][2] == units:
                out[-1] = (out[-1][0], hi, units)
            else:
                out.append((lo, hi, units))
    return tuple(out)


def _topological_order(network: Network, n: int, ptr: IntArray, succ: IntArray) -> IntArray:
    """Kahn's algorithm over the leaves; a cycle raises the engine's `CycleError`."""
    indegree = np.bincount(succ, minlength=n).tolist()
    stack = [i for i in range(n) if indegree[i] == 0][::-1]
    order: list[int] = []
    while stack:
        i = stack.pop()
        order.append(i)
        for k in range(int(ptr[i]), int(ptr[i + 1])):
            j = int(succ[k])
            indegree[j] -= 1
            if indegree[j] == 0:
                stack.append(j)
    result = np.asarray(order + [0] * (n - len(order)), dtype=np.int64)
    if len(order) < n:
        from pmo.engine.cpm import _cycle

        raise _cycle(network.compiled, network, result, len(order))
    return result
