"""A straightforward pure-Python critical path method: the baseline of bench_schedule.py.

Same semantics as pmo.engine.cpm (docs/engine/cpm.md) for leaf activities, written the way
one would without numpy: dicts of lists, Kahn's algorithm, two passes, then the floats.
"""

from __future__ import annotations

from collections import deque

from pmo.engine.network import ConstraintType, LinkType, Network


def pure_python_schedule(net: Network) -> dict[str, dict[str, int]]:
    dur = {a.id: a.duration for a in net.activities}
    kind = {}
    offset = {}
    deadline = {}
    for a in net.activities:
        if a.constraint is not None:
            kind[a.id] = a.constraint.type
            offset[a.id] = a.constraint.offset
        if a.deadline is not None:
            deadline[a.id] = a.deadline
    out: dict[str, list[tuple[str, LinkType, int]]] = {a: [] for a in dur}
    indegree = dict.fromkeys(dur, 0)
    for link in net.links:
        out[link.predecessor].append(
            (link.successor, link.type, link.lag_for(dur[link.predecessor]))
        )
        indegree[link.successor] += 1
    order = []
    ready = deque(a for a, d in indegree.items() if d == 0)
    while ready:
        a = ready.popleft()
        order.append(a)
        for s, _, _ in out[a]:
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    if len(order) < len(dur):
        raise ValueError("cyclic network")

    def required(p: str, t: LinkType, lag: int, s: str, es: dict[str, int]) -> int:
        if t is LinkType.FS:
            return es[p] + dur[p] + lag
        if t is LinkType.SS:
            return es[p] + lag
        if t is LinkType.FF:
            return es[p] + dur[p] + lag - dur[s]
        return es[p] + lag - dur[s]

    es = dict.fromkeys(dur, net.start)
    for a in order:
        k = kind.get(a)
        if k is ConstraintType.SNET:
            es[a] = max(es[a], offset[a])
        elif k is ConstraintType.FNET:
            es[a] = max(es[a], offset[a] - dur[a])
        elif k is ConstraintType.MSO:
            es[a] = offset[a]
        elif k is ConstraintType.MFO:
            es[a] = offset[a] - dur[a]
        for s, t, lag in out[a]:
            es[s] = max(es[s], required(a, t, lag, s, es))
    finish = net.finish
    if finish is None:
        finish = max([net.start] + [es[a] + dur[a] for a in dur])
    lf = {}
    for a in reversed(order):
        best = finish
        for s, t, lag in out[a]:
            if t is LinkType.FS:
                best = min(best, lf[s] - dur[s] - lag)
            elif t is LinkType.SS:
                best = min(best, lf[s] - dur[s] - lag + dur[a])
            elif t is LinkType.FF:
                best = min(best, lf[s] - lag)
            else:
                best = min(best, lf[s] - lag + dur[a])
        k = kind.get(a)
        if k is ConstraintType.SNLT:
            best = min(best, offset[a] + dur[a])
        elif k is ConstraintType.FNLT:
            best = min(best, offset[a])
        if a in deadline:
            best = min(best, deadline[a])
        if k is ConstraintType.MSO:
            best = offset[a] + dur[a]
        elif k is ConstraintType.MFO:
            best = offset[a]
        lf[a] = best

    def free(a: str) -> int:
        return min(
            [finish - es[a] - dur[a]] + [es[s] - required(a, t, lag, s, es) for s, t, lag in out[a]]
        )

    for a in reversed(order):
        if kind.get(a) is ConstraintType.ALAP:
            es[a] += max(0, min(free(a), lf[a] - dur[a] - es[a]))
    table = {}
    for a in dur:
        tf = lf[a] - dur[a] - es[a]
        table[a] = {
            "early_start": es[a],
            "early_finish": es[a] + dur[a],
            "late_start": lf[a] - dur[a],
            "late_finish": lf[a],
            "total_float": tf,
            "free_float": min(free(a), tf),
            "critical": tf <= 0,
        }
    return table
