"""A small, obviously correct critical path method to test the engine against.

Every pass is a fixpoint iteration straight from the definitions in docs/engine/cpm.md: no
topological order, no arrays, no cleverness. Leaf activities only (no summaries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pmo.engine.calendar import Calendar
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


# --- Calendars -------------------------------------------------------------------------------
#
# Straight from docs/engine/calendars.md, minute by minute: every minute is working time of a
# calendar or not, W(t) counts the working minutes between the origin and minute t, a start
# offset x is the minute where working minute x begins and a finish offset y the end of
# working minute y - 1. Forward requirements are written as the rules say; every backward
# bound and every free float is found by searching for the latest value that still satisfies
# the forward rule (bisection: the rules are monotone).


class Timeline:
    """One calendar, minute by minute, over ``[-horizon, horizon)`` minutes around the origin."""

    def __init__(self, calendar: Calendar, origin: dt.datetime, horizon: int) -> None:
        first = origin - dt.timedelta(minutes=horizon)
        day0 = dt.datetime.combine(first.date(), dt.time())
        days = (2 * horizon) // 1440 + 2
        minutes = np.zeros(days * 1440, dtype=bool)
        for k in range(days):
            for a, b in calendar.periods_on(day0.date() + dt.timedelta(days=k)):
                minutes[k * 1440 + a : k * 1440 + b] = True
        skip = int((first - day0).total_seconds() // 60)
        self.working = minutes[skip : skip + 2 * horizon]  # minute t is working[t + horizon]
        counts = np.concatenate(([0], np.cumsum(self.working)))
        self.counts = counts - counts[horizon]  # W(t) = counts[t + horizon]
        self.ticks = np.flatnonzero(self.working) - horizon  # working minute x starts at ...
        self.zero = int(self.counts[horizon + self.ticks[0]])  # ... ticks[x - zero]
        self.horizon = horizon
        self.first = self.zero
        self.last = self.zero + len(self.ticks) - 1

    def work(self, t: int) -> int:
        assert -self.horizon <= t <= self.horizon, "widen the reference horizon"
        return int(self.counts[t + self.horizon])

    def start_of(self, x: int) -> int:
        assert self.first <= x <= self.last, "widen the reference horizon"
        return int(self.ticks[x - self.zero])

    def finish_of(self, y: int) -> int:
        return self.start_of(y - 1) + 1


def _latest(ok: Callable[[int], bool], lo: int, hi: int) -> int:
    """The largest v in [lo, hi] with ok(v), for ok true up to some point and false after."""
    assert ok(lo) and not ok(hi), "widen the reference horizon"
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


@dataclass
class CalendarReference:
    start: int  #: minute
    finish: int  #: minute
    early_start: dict[str, int]  #: offsets in the activity's calendar (working minutes)
    early_finish: dict[str, int]
    late_start: dict[str, int]
    late_finish: dict[str, int]
    total_float: dict[str, int]
    free_float: dict[str, int]
    moments: dict[str, dict[str, int]]  #: column -> activity -> minute


def reference_calendar_schedule(
    net: Network,
    calendars: dict[str, Calendar],
    project: Calendar,
    origin: dt.datetime,
    horizon: int = 8 * 7 * 1440,
) -> CalendarReference:
    """Leaf activities only; the network's integers are in units of ``project.unit`` minutes,
    results in minutes."""
    u = project.unit
    lines = {name: Timeline(c, origin, horizon) for name, c in calendars.items()}
    p_line = Timeline(project, origin, horizon)
    acts = {a.id: a for a in net.activities}
    line = {a: lines[acts[a].calendar] if acts[a].calendar else p_line for a in acts}  # type: ignore[index]
    dur = {a.id: a.duration * u for a in net.activities}
    into = {a: [lk for lk in net.links if lk.successor == a] for a in acts}
    out = {a: [lk for lk in net.links if lk.predecessor == a] for a in acts}

    def moment(a: str) -> int | None:
        """The constraint's moment: its offset read through the project calendar."""
        c = acts[a].constraint
        if c is None or c.offset is None:
            return None
        if c.type in (ConstraintType.SNET, ConstraintType.SNLT, ConstraintType.MSO):
            return p_line.start_of(c.offset * u)
        return p_line.finish_of(c.offset * u)

    def lagged(m: int, lag: int) -> int:
        return m if lag == 0 else p_line.finish_of(p_line.work(m) + lag)

    def required(link: Link, es_p: int) -> int:
        """Earliest start offset of link.successor, the predecessor starting at offset es_p."""
        p, s = link.predecessor, link.successor
        if link.type in (LinkType.FS, LinkType.FF):
            point = line[p].finish_of(es_p + dur[p])
        else:
            point = line[p].start_of(es_p)
        w = line[s].work(lagged(point, link.lag_for(dur[p] // u) * u))
        return w if link.type in (LinkType.FS, LinkType.SS) else w - dur[s]

    def forward(m0: int) -> dict[str, int]:
        def step(a: str, es: dict[str, int]) -> int:
            c = acts[a].constraint
            kind = c.type if c else ConstraintType.ASAP
            m = moment(a)
            if kind is ConstraintType.MSO:
                return line[a].work(m)  # type: ignore[arg-type]
            if kind is ConstraintType.MFO:
                return line[a].work(m) - dur[a]  # type: ignore[arg-type]
            bounds = [line[a].work(m0)] + [required(lk, es[lk.predecessor]) for lk in into[a]]
            if kind is ConstraintType.SNET:
                bounds.append(line[a].work(m))  # type: ignore[arg-type]
            if kind is ConstraintType.FNET:
                bounds.append(line[a].work(m) - dur[a])  # type: ignore[arg-type]
            return max(bounds)

        return _fixpoint({a: line[a].work(m0) for a in acts}, step)

    def room(a: str) -> tuple[int, int]:
        """Start offsets of ``a`` searched: its dates within half the horizon of the origin."""
        return line[a].work(-horizon // 2), line[a].work(horizon // 2) - dur[a]

    def latest_finish(link: Link, late_start_s: int) -> int:
        """Latest finish offset of link.predecessor whose requirement keeps the successor's
        start offset at most late_start_s."""
        lo, hi = room(link.predecessor)
        ok = lambda x: required(link, x) <= late_start_s  # noqa: E731
        return _latest(ok, lo, hi) + dur[link.predecessor]

    def backward(mf: int) -> dict[str, int]:
        def step(a: str, lf: dict[str, int]) -> int:
            c = acts[a].constraint
            kind = c.type if c else ConstraintType.ASAP
            m = moment(a)
            if kind is ConstraintType.MSO:
                return line[a].work(m) + dur[a]  # type: ignore[arg-type]
            if kind is ConstraintType.MFO:
                return line[a].work(m)  # type: ignore[arg-type]
            bounds = [line[a].work(mf)]
            for lk in out[a]:
                bounds.append(latest_finish(lk, lf[lk.successor] - dur[lk.successor]))
            if kind is ConstraintType.SNLT:
                bounds.append(line[a].work(m) + dur[a])  # type: ignore[arg-type]
            if kind is ConstraintType.FNLT:
                bounds.append(line[a].work(m))  # type: ignore[arg-type]
            if acts[a].deadline is not None:
                bounds.append(line[a].work(p_line.finish_of(acts[a].deadline * u)))
            return min(bounds)

        return _fixpoint({a: line[a].work(mf) for a in acts}, step)

    if net.schedule_from == "finish":
        assert net.finish is not None
        mf = p_line.finish_of(net.finish * u)
        lf = backward(mf)
        m0 = min([mf] + [line[a].start_of(lf[a] - dur[a]) for a in acts])
        es = forward(m0)
    else:
        m0 = p_line.start_of(net.start * u)
        es = forward(m0)
        if net.finish is not None:
            mf = p_line.finish_of(net.finish * u)
        else:
            ends = [line[a].finish_of(es[a] + dur[a]) for a in acts]
            mf = max([p_line.finish_of(net.start * u), *ends])
        lf = backward(mf)

    def free(a: str, es: dict[str, int], own_start: int) -> int:
        """How far ``a`` (starting at own_start) can slip without moving any successor's early
        date or finishing after the project."""

        def ok(delta: int) -> bool:
            x = own_start + delta
            if line[a].finish_of(x + dur[a]) > mf:
                return False
            for lk in out[a]:
                s = lk.successor
                if required(lk, x) > es[s]:
                    return False
            return True

        lo, hi = room(a)
        return _latest(ok, lo - own_start, hi - own_start)

    es0 = dict(es)
    alap = {
        a for a in acts if acts[a].constraint and acts[a].constraint.type is ConstraintType.ALAP
    }

    def shift(a: str, current: dict[str, int]) -> int:
        if a not in alap:
            return es0[a]
        return es0[a] + max(0, min(free(a, current, es0[a]), lf[a] - dur[a] - es0[a]))

    es = _fixpoint(dict(es0), shift)
    tf = {a: lf[a] - dur[a] - es[a] for a in acts}
    ff = {a: min(free(a, es, es[a]), tf[a]) for a in acts}
    ef = {a: es[a] + dur[a] for a in acts}
    ls = {a: lf[a] - dur[a] for a in acts}
    return CalendarReference(
        start=m0,
        finish=mf,
        early_start=es,
        early_finish=ef,
        late_start=ls,
        late_finish=lf,
        total_float=tf,
        free_float=ff,
        moments={
            "early_start": {a: line[a].start_of(es[a]) for a in acts},
            "early_finish": {a: line[a].finish_of(ef[a]) for a in acts},
            "late_start": {a: line[a].start_of(ls[a]) for a in acts},
            "late_finish": {a: line[a].finish_of(lf[a]) for a in acts},
        },
    )
