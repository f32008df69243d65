"""Hypothesis strategies for random project networks (shared by engine and interop tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from pmo.engine.network import Activity, Constraint, ConstraintType, Link, LinkType, Network


@st.composite
def networks(
    draw: st.DrawFn,
    max_activities: int = 12,
    constraints: bool = True,
    lags: bool = True,
) -> Network:
    """A random acyclic network with every link type, lags (negative too) and constraints."""
    n = draw(st.integers(min_value=0, max_value=max_activities))
    names = [f"A{i}" for i in range(n)]
    durations = [draw(st.integers(0, 9)) for _ in range(n)]
    links: list[Link] = []
    seen: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 3 * n))):
        if n < 2:
            break
        i = draw(st.integers(0, n - 2))
        j = draw(st.integers(i + 1, n - 1))
        if (i, j) in seen:
            continue
        seen.add((i, j))
        kind = draw(st.sampled_from(list(LinkType)))
        if lags and draw(st.booleans()):
            if draw(st.integers(0, 4)) == 0:
                links.append(
                    Link(names[i], names[j], kind, lag_percent=draw(st.integers(-100, 150)))
                )
            else:
                links.append(Link(names[i], names[j], kind, lag=draw(st.integers(-6, 6))))
        else:
            links.append(Link(names[i], names[j], kind))
    activities = []
    for i in range(n):
        constraint = None
        deadline = None
        if constraints and draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from(list(ConstraintType)))
            offset = None
            if kind not in (ConstraintType.ASAP, ConstraintType.ALAP):
                offset = draw(st.integers(-5, 40))
            constraint = Constraint(kind, offset)
        if constraints and draw(st.integers(0, 6)) == 0:
            deadline = draw(st.integers(0, 40))
        activities.append(
            Activity(names[i], durations[i], constraint=constraint, deadline=deadline)
        )
    order = draw(st.permutations(range(n)))
    activities = [activities[k] for k in order]
    start = draw(st.integers(-3, 5))
    schedule_from = "start"
    finish = None
    if constraints and draw(st.integers(0, 3)) == 0:
        finish = draw(st.integers(0, 60))
        schedule_from = draw(st.sampled_from(["start", "finish"]))
    return Network(activities, links, start=start, finish=finish, schedule_from=schedule_from)
