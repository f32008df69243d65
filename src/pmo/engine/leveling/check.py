"""An independent check of a levelled schedule: links with their lags, and capacities at every
time, computed from the network's own numbers (not the levelling's scaled arrays)."""

from __future__ import annotations

from collections.abc import Mapping

from pmo.engine.leveling.problem import FixedLoads
from pmo.engine.network import LinkType, Network

__all__ = ["violations"]

_TOLERANCE = 1e-9


def violations(
    network: Network, starts: Mapping[str, int], *, fixed_loads: FixedLoads | None = None
) -> list[str]:
    """What a schedule breaks: one line per violated link or overloaded resource and time.

    Summary activities are skipped (their links bind their leaves, as in levelling), as are
    links touching them; ``starts`` needs every leaf.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, Network, Resource
    >>> net = Network([Activity("A", 2, demands={"R": 1}), Activity("B", 1, demands={"R": 1})],
    ...               [Link("A", "B", LinkType.SS, lag=1)], [Resource("R", 1)])
    >>> violations(net, {"A": 0, "B": 2})
    []
    >>> violations(net, {"A": 0, "B": 1})
    ['R over capacity at 1: 2 > 1']
    >>> violations(net, {"A": 1, "B": 1})
    ['link A -> B (SS, lag 1): B starts at 1, needs 2', 'R over capacity at 1: 2 > 1']
    """
    summaries = {a.parent for a in network.activities if a.parent is not None}
    duration = {a.id: a.duration for a in network.activities}
    problems: list[str] = []
    for link in network.links:
        p, s = link.predecessor, link.successor
        if p in summaries or s in summaries:
            continue
        lag = link.lag_for(duration[p])
        pred_time = starts[p] + (duration[p] if link.type in (LinkType.FS, LinkType.FF) else 0)
        succ_time = starts[s] + (duration[s] if link.type in (LinkType.FF, LinkType.SF) else 0)
        if succ_time < pred_time + lag:
            edge = "starts" if link.type in (LinkType.FS, LinkType.SS) else "finishes"
            problems.append(
                f"link {p} -> {s} ({link.type}, lag {lag}): {s} {edge} at {succ_time}, "
                f"needs {pred_time + lag}"
            )
    for resource in network.resources:
        events: dict[int, float] = {}
        for a in network.activities:
            units = a.demands.get(resource.id, 0)
            if a.id in summaries or not units or not a.duration:
                continue
            events[starts[a.id]] = events.get(starts[a.id], 0.0) + units
            end = starts[a.id] + a.duration
            events[end] = events.get(end, 0.0) - units
        for begin, end, units in (fixed_loads or {}).get(resource.id, ()):
            if end > begin and units > 0:
                events[begin] = events.get(begin, 0.0) + units
                events[end] = events.get(end, 0.0) - units
        load = 0.0
        fixed = [(b, e, u) for b, e, u in (fixed_loads or {}).get(resource.id, ())]
        for time in sorted(events):
            load += events[time]
            # a fixed load alone over capacity is not this schedule's doing
            allowed = max(resource.capacity, sum(u for b, e, u in fixed if b <= time < e))
            if load > allowed + _TOLERANCE:
                problems.append(
                    f"{resource.id} over capacity at {time}: {load:g} > {resource.capacity:g}"
                )
    return problems
