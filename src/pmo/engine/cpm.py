"""Critical path method: forward and backward pass, floats, the critical path.

Semantics (MS Project and Primavera where they agree; see docs/engine/cpm.md):

* an activity occupies ``[early_start, early_finish)`` with ``early_finish = early_start +
  duration``; links bind the successor's start (FS, SS) or finish (FF, SF) to the
  predecessor's finish (FS, FF) or start (SS, SF) plus the lag;
* no activity starts before the project start, none finishes after the project finish in the
  backward pass, except where a *must start/finish on* constraint puts it there;
* ``total_float = late_start - early_start``; ``free_float`` is how far an activity can slip
  without delaying any successor or the project finish, never more than its total float;
* ``critical`` means ``total_float <= 0``; negative float shows conflicting constraints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import CycleError
from pmo.engine.network import NO_BOUND, Activity, CompiledNetwork, Link, LinkType, Network

__all__ = [
    "COLUMNS",
    "ScheduleResult",
    "backward_pass",
    "critical_path",
    "forward_pass",
    "schedule",
    "total_float",
    "warm_up",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The per-activity columns of a `ScheduleResult`, in the order of its records.
COLUMNS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
)


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """The schedule of a network: one row per activity, in the network's order.

    Arrays are numpy ``int64`` (``critical`` is ``bool``); `activity`, `records` and
    `to_dict` give plain Python values for callers that want dicts.
    """

    ids: tuple[str, ...]
    early_start: IntArray
    early_finish: IntArray
    late_start: IntArray
    late_finish: IntArray
    total_float: IntArray
    free_float: IntArray
    critical: BoolArray
    start: int
    finish: int
    critical_path: tuple[str, ...]

    @property
    def duration(self) -> int:
        """Project duration, ``finish - start``."""
        return self.finish - self.start

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each activity id."""
        return {activity_id: row for row, activity_id in enumerate(self.ids)}

    def activity(self, activity_id: str) -> dict[str, Any]:
        """One activity's row as plain Python values.

        Examples
        --------
        >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
        >>> schedule(net).activity("B")["early_start"]
        3
        """
        return self.records([self.index[activity_id]])[0]

    def records(self, rows: list[int] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (``int``, ``bool``, ``str``)."""
        selected = slice(None) if rows is None else rows
        ids = list(self.ids) if rows is None else [self.ids[r] for r in rows]
        columns = {name: getattr(self, name)[selected].tolist() for name in COLUMNS}
        return _rows(ids, columns)

    def to_dict(self) -> dict[str, Any]:
        """The whole result as JSON-ready plain Python values.

        Examples
        --------
        >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
        >>> out = schedule(net).to_dict()
        >>> out["finish"], out["critical_path"], out["activities"][0]["total_float"]
        (5, ['A', 'B'], 0)
        """
        return {
            "start": self.start,
            "finish": self.finish,
            "duration": self.duration,
            "critical_path": list(self.critical_path),
            "activities": self.records(),
        }


def _rows(ids: list[str], columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """One dict per id: ``{"id": ..., column: value, ...}``."""
    names = list(columns)
    return [
        {"id": activity_id, **dict(zip(names, values, strict=True))}
        for activity_id, *values in zip(ids, *columns.values(), strict=True)
    ]


def _kernel() -> Any:
    # Imported here so that importing pmo.engine does not load numba's compiler until needed.
    from pmo.engine import _kernel

    return _kernel


def _target_finish(network: Network) -> int:
    return -NO_BOUND if network.finish is None else network.finish


def _cycle(
    compiled: CompiledNetwork, network: Network, order: IntArray, reached: int
) -> CycleError:
    """Name one cycle among the nodes Kahn's algorithm could not order."""
    left = np.ones(len(compiled.leaves), dtype=bool)
    left[order[:reached]] = False
    predecessor: dict[int, int] = {}
    for i in np.flatnonzero(left).tolist():
        for k in range(int(compiled.out_ptr[i]), int(compiled.out_ptr[i + 1])):
            j = int(compiled.out_succ[k])
            if left[j]:
                predecessor.setdefault(j, i)
    node = int(np.flatnonzero(left)[0])
    trail: list[int] = []
    seen: dict[int, int] = {}
    while node not in seen:
        seen[node] = len(trail)
        trail.append(node)
        node = predecessor[node]
    loop = trail[seen[node] :][::-1]
    first = loop.index(min(loop))  # start the message at the activity listed first
    loop = loop[first:] + loop[:first] + [loop[first]]
    ids = [network.activities[int(compiled.leaves[i])].id for i in loop]
    return CycleError(ids)


def schedule(network: Network) -> ScheduleResult:
    """Schedule a network by the critical path method: both passes, floats, critical path.

    Parameters
    ----------
    network : Network
        The validated network. Its compiled arrays are cached on it, so scheduling the same
        network twice pays the conversion once.

    Returns
    -------
    ScheduleResult
        Early/late start and finish, total and free float, critical flags, the project start
        and finish and one critical path (the chain of driving links that ends the project).

    Raises
    ------
    CycleError
        If the links form a cycle; the message names the activities on it.

    Examples
    --------
    >>> net = Network(
    ...     [Activity("A", 3), Activity("B", 2), Activity("C", 4), Activity("M", 0)],
    ...     [Link("A", "B"), Link("A", "C", LinkType.SS, lag=1), Link("B", "M"), Link("C", "M")],
    ... )
    >>> result = schedule(net)
    >>> result.finish, result.critical_path
    (5, ('A', 'B', 'M'))
    >>> result.total_float.tolist(), result.free_float.tolist()
    ([0, 0, 0, 0], [0, 0, 0, 0])
    >>> schedule(Network([Activity("A", 1), Activity("B", 1)], [Link("A", "B"), Link("B", "A")]))
    Traceback (most recent call last):
    ...
    pmo.engine.errors.CycleError: Cyclic network: A -> B -> A
    """
    compiled = network.compiled
    kernel = _kernel()
    reached, order, es, lf, tf, ff, driver, start, finish = kernel.cpm(
        compiled.duration,
        compiled.out_ptr,
        compiled.out_succ,
        compiled.out_type,
        compiled.out_lag,
        compiled.constraint,
        compiled.constraint_offset,
        compiled.deadline,
        network.start,
        _target_finish(network),
        network.schedule_from == "finish",
    )
    if reached < len(compiled.leaves):
        raise _cycle(compiled, network, order, reached)
    return _result(network, compiled, order, es, lf, tf, ff, driver, int(start), int(finish))


def _result(
    network: Network,
    compiled: CompiledNetwork,
    order: IntArray,
    es: IntArray,
    lf: IntArray,
    tf: IntArray,
    ff: IntArray,
    driver: IntArray,
    start: int,
    finish: int,
) -> ScheduleResult:
    dur = compiled.duration
    ids = tuple(activity.id for activity in network.activities)
    leaf_path = _driving_path(order, es + dur, driver)
    path = tuple(ids[int(compiled.leaves[i])] for i in leaf_path)
    if not compiled.summaries:
        return ScheduleResult(ids, es, es + dur, lf - dur, lf, tf, ff, tf <= 0, start, finish, path)
    n = len(ids)
    columns = [np.zeros(n, dtype=np.int64) for _ in range(6)]
    leaf_values = (es, es + dur, lf - dur, lf, tf, ff)
    for column, values in zip(columns, leaf_values, strict=True):
        column[compiled.leaves] = values
    for position, rows in compiled.summaries:
        for column, values, roll in zip(
            columns, leaf_values, (min, max, min, max, min, min), strict=True
        ):
            column[position] = roll(values[rows].tolist())
    e_s, e_f, l_s, l_f, t_f, f_f = columns
    return ScheduleResult(ids, e_s, e_f, l_s, l_f, t_f, f_f, t_f <= 0, start, finish, path)


def _driving_path(order: IntArray, ef: IntArray, driver: IntArray) -> list[int]:
    """Leaf rows of the chain of driving links that ends at the latest early finish.

    Of the activities that finish last, the one latest in topological order ends the chain, so
    a closing milestone is on it.
    """
    if len(ef) == 0:
        return []
    ordered_ef = ef[order]
    node = int(order[len(order) - 1 - int(np.argmax(ordered_ef[::-1]))])
    path = [node]
    while driver[node] >= 0:
        node = int(driver[node])
        path.append(node)
    return path[::-1]


def forward_pass(network: Network) -> tuple[IntArray, IntArray]:
    """Early start and early finish of every leaf activity (summaries excluded).

    Examples
    --------
    >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B", LinkType.FF, 1)])
    >>> [a.tolist() for a in forward_pass(net)]
    [[0, 2], [3, 4]]
    """
    c = network.compiled
    kernel = _kernel()
    order, reached = kernel.topological_order(len(c.leaves), c.out_ptr, c.out_succ)
    if reached < len(c.leaves):
        raise _cycle(c, network, order, reached)
    es, _ = kernel.forward(
        order, c.duration, c.out_ptr, c.out_succ, c.out_type, c.out_lag, c.constraint,
        c.constraint_offset, network.start,
    )  # fmt: skip
    return es, es + c.duration


def backward_pass(network: Network, finish: int | None = None) -> tuple[IntArray, IntArray]:
    """Late start and late finish of every leaf activity, back from ``finish``.

    ``finish`` defaults to the network's target finish, else the latest early finish.

    Examples
    --------
    >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
    >>> [a.tolist() for a in backward_pass(net, finish=10)]
    [[5, 8], [8, 10]]
    """
    c = network.compiled
    if finish is None:
        finish = network.finish if network.finish is not None else schedule(network).finish
    kernel = _kernel()
    order, reached = kernel.topological_order(len(c.leaves), c.out_ptr, c.out_succ)
    if reached < len(c.leaves):
        raise _cycle(c, network, order, reached)
    lf = kernel.backward(
        order, c.duration, c.out_ptr, c.out_succ, c.out_type, c.out_lag, c.constraint,
        c.constraint_offset, c.deadline, finish,
    )  # fmt: skip
    return lf - c.duration, lf


def total_float(network: Network) -> dict[str, int]:
    """Total float of every activity, by id, as plain ints.

    Examples
    --------
    >>> net = Network([Activity("A", 3), Activity("B", 1)])
    >>> total_float(net)
    {'A': 0, 'B': 2}
    """
    result = schedule(network)
    return dict(zip(result.ids, result.total_float.tolist(), strict=True))


def critical_path(network: Network) -> list[str]:
    """One critical path: the chain of driving links that ends the project.

    Like networkx's ``dag_longest_path`` for a plain finish-to-start network; with
    constraints, the chain starts at the activity a constraint or the project start drives.

    Examples
    --------
    >>> net = Network.from_records([("A", 3), ("B", 1), ("C", 2)], [("A", "C", "FS", 0)])
    >>> critical_path(net)
    ['A', 'C']
    """
    return list(schedule(network).critical_path)


def warm_up() -> float:
    """Compile the numba kernels now; returns the seconds it took.

    Call once per worker process at start-up so that no request pays the compilation.

    Examples
    --------
    >>> warm_up() >= 0.0
    True
    """
    began = time.perf_counter()
    activities = [Activity(name, 2) for name in "ABCDE"]
    links = [Link("A", x, kind, lag=-1) for x, kind in zip("BCDE", LinkType, strict=True)]
    for schedule_from in ("start", "finish"):
        schedule(Network(activities, links, finish=9, schedule_from=schedule_from))
    forward_pass(Network(activities, links))
    return time.perf_counter() - began
