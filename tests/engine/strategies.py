"""Hypothesis strategies for random project networks (shared by engine and interop tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import strategies as st

from pmo.engine.calendar import Calendar
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


#: Three calendars on whole hours: a 5-day 8-hour week, a 4-day 10-hour week, round the clock.
FIVE_BY_EIGHT = Calendar(unit=60, name="5x8")
FOUR_BY_TEN = Calendar(week=[((420, 720), (780, 1080))] * 4 + [(), (), ()], unit=60, name="4x10")
ROUND_THE_CLOCK = Calendar(week=[((0, 1440),)] * 7, unit=60, name="24x7")
CALENDARS = (FIVE_BY_EIGHT, FOUR_BY_TEN, ROUND_THE_CLOCK)
MONDAY = dt.datetime(2025, 1, 6)


@st.composite
def calendars(draw: st.DrawFn, base: Calendar | None = None, unit: int = 60) -> Calendar:
    """One of `CALENDARS` with up to three holidays or short days near January 2025."""
    base = base or draw(st.sampled_from(CALENDARS))
    exceptions = {}
    for _ in range(draw(st.integers(0, 3))):
        day = MONDAY.date() + dt.timedelta(days=draw(st.integers(-10, 40)))
        exceptions[day] = draw(st.sampled_from([(), ((480, 720),), ((600, 1200),)]))
    return Calendar(week=base.week, exceptions=exceptions, unit=unit, name=base.name)


@st.composite
def origins(draw: st.DrawFn) -> dt.datetime:
    """A whole hour in the week of Monday 6 January 2025."""
    return MONDAY + dt.timedelta(hours=draw(st.integers(0, 7 * 24 - 1)))


@st.composite
def calendar_networks(
    draw: st.DrawFn, max_activities: int = 8
) -> tuple[Network, dict[str, Calendar], Calendar, dt.datetime]:
    """A random network whose activities use the three calendars (with holidays) or none,
    the calendars by name, a project calendar and an origin."""
    net = draw(networks(max_activities=max_activities))
    named = {c.name: draw(calendars(c)) for c in CALENDARS}
    choices = [None, *named]
    activities = [replace(a, calendar=draw(st.sampled_from(choices))) for a in net.activities]
    network = Network(
        activities, net.links, start=net.start, finish=net.finish, schedule_from=net.schedule_from
    )
    return network, named, draw(calendars()), draw(origins())
