"""A small, obviously correct critical path method to test the engine against.

Every pass is a fixpoint iteration straight from the definitions in docs/engine/cpm.md: no
topological order, no arrays, no cleverness. Leaf activities only (no summaries).
"""

from __future__ import annotations

from dataclasses import dataclass

from pmo.engine.network import ConstraintType, Link, LinkType, Network


@dataclass
class Reference:
    start: int
    finish: int
    early_start: dict[str, int]
    early_finish: dict[str, int]
    late_start: dict[str, int]
    late_finish: dict[str, int]
    total_float: dict[str, int]
    free_float: dict[str, int]


def _required_start(link: Link, es: dict[str, int], dur: dict[str, int]) -> int:
    """Earliest start of link.successor that this link allows, given the predecessor's start."""
    p, s = link.predecessor, link.successor
    lag = link.lag_for(dur[p])
    if link.type is LinkType.FS:
        return es[p] + dur[p] + lag
    if link.type is LinkType.SS:
        return es[p] + lag
    if link.type is LinkType.FF:
        return es[p] + dur[p] + lag - dur[s]
    return es[p] + lag - dur[s]


def _latest_finish(link: Link, lf: dict[str, int], dur: dict[str, int]) -> int:
    """Latest finish of link.predecessor that this link allows, given the successor's finish."""
    p, s = link.predecessor, link.successor
    lag = link.lag_for(dur[p])
    successor_start = lf[s] - dur[s]
    if link.type is LinkType.FS:
        return successor_start - lag
    if link.type is LinkType.SS:
        return successor_start - lag + dur[p]
    if link.type is LinkType.FF:
        return lf[s] - lag
    return lf[s] - lag + dur[p]


def _fixpoint(values: dict[str, int], step: object) -> dict[str, int]:
    for _ in range(len(values) + 2):
        new = {key: step(key, values) for key in values}  # type: ignore[operator]
        if new == values:
            return values
        values = new
    raise AssertionError("no fixpoint: is the network cyclic?")


def reference_schedule(net: Network) -> Reference:
    acts = {a.id: a for a in net.activities}
    dur = {a.id: a.duration for a in net.activities}
    into = {a: [lk for lk in net.links if lk.successor == a] for a in acts}
    out = {a: [lk for lk in net.links if lk.predecessor == a] for a in acts}

    def forward(start: int) -> dict[str, int]:
        def step(a: str, es: dict[str, int]) -> int:
            c = acts[a].constraint
            kind = c.type if c else ConstraintType.ASAP
            d = c.offset if c and c.offset is not None else 0
            if kind is ConstraintType.MSO:
                return d
            if kind is ConstraintType.MFO:
                return d - dur[a]
            bounds = [start] + [_required_start(lk, es, dur) for lk in into[a]]
            if kind is ConstraintType.SNET:
                bounds.append(d)
            if kind is ConstraintType.FNET:
                bounds.append(d - dur[a])
            return max(bounds)

        return _fixpoint(dict.fromkeys(acts, start), step)

    def backward(finish: int) -> dict[str, int]:
        def step(a: str, lf: dict[str, int]) -> int:
            c = acts[a].constraint
            kind = c.type if c else ConstraintType.ASAP
            d = c.offset if c and c.offset is not None else 0
            if kind is ConstraintType.MSO:
                return d + dur[a]
            if kind is ConstraintType.MFO:
                return d
            bounds = [finish] + [_latest_finish(lk, lf, dur) for lk in out[a]]
            if kind is ConstraintType.SNLT:
                bounds.append(d + dur[a])
            if kind is ConstraintType.FNLT:
                bounds.append(d)
            if acts[a].deadline is not None:
                bounds.append(acts[a].deadline)
            return min(bounds)

        return _fixpoint(dict.fromkeys(acts, finish), step)

    if net.schedule_from == "finish":
        assert net.finish is not None
        finish = net.finish
        lf = backward(finish)
        start = min([finish] + [lf[a] - dur[a] for a in acts])
        es = forward(start)
    else:
        start = net.start
        es = forward(start)
        finish = (
            net.finish if net.finish is not None else max([start] + [es[a] + dur[a] for a in acts])
        )
        lf = backward(finish)

    def free(a: str, es: dict[str, int], own_start: int) -> int:
        local = {**es, a: own_start}
        return min(
            [finish - own_start - dur[a]]
            + [es[lk.successor] - _required_start(lk, local, dur) for lk in out[a]]
        )

    es0 = dict(es)
    alap = {
        a for a in acts if acts[a].constraint and acts[a].constraint.type is ConstraintType.ALAP
    }

    def shift(a: str, current: dict[str, int]) -> int:
        if a not in alap:
            return es0[a]
        room = min(free(a, current, es0[a]), lf[a] - dur[a] - es0[a])
        return es0[a] + max(0, room)

    es = _fixpoint(dict(es0), shift)
    tf = {a: lf[a] - dur[a] - es[a] for a in acts}
    ff = {a: min(free(a, es, es[a]), tf[a]) for a in acts}
    return Reference(
        start=start,
        finish=finish,
        early_start=es,
        early_finish={a: es[a] + dur[a] for a in acts},
        late_start={a: lf[a] - dur[a] for a in acts},
        late_finish=lf,
        total_float=tf,
        free_float=ff,
    )
