"""Rows of the pool and of assignments as the capacity and levelling engines' inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pmo.engine import Network
from pmo.engine import Resource as EngineResource
from pmo.engine.calendar import Calendar as EngineCalendar
from pmo.engine.capacity import Demand, Person
from pmo.planning.adapters import DAY_STARTS, PlanClock, engine_calendar, network_for
from pmo.planning.models import Calendar

from .models import Assignment, Resource, ResourceException


@dataclass(frozen=True)
class CapacityInputs:
    people: tuple[Person, ...]
    demands: tuple[Demand, ...]
    calendars: dict[str, EngineCalendar]
    default_calendar: str | None


def calendar_key(calendar_id: int) -> str:
    return f"calendar-{calendar_id}"


def person_id(resource: Resource) -> str:
    return str(resource.pk)


def engine_exceptions(
    rows: Iterable[ResourceException],
) -> dict[dt.date, tuple[tuple[int, int], ...]]:
    """Personal days off (no periods) and part days (one period from the start of the day)."""
    return {
        row.date: ((DAY_STARTS, DAY_STARTS + int(row.hours * 60)),) if row.hours else ()
        for row in rows
    }


def engine_person(resource: Resource) -> Person:
    """A person of the pool; expects `role` selected and `exceptions` prefetched."""
    return Person(
        person_id(resource),
        resource.role.name,
        resource.department,
        calendar=calendar_key(resource.calendar_id) if resource.calendar_id else None,
        availability=resource.availability / 100,
        employed_from=resource.employed_from,
        employed_to=resource.employed_to,
        exceptions=engine_exceptions(resource.exceptions.all()),
    )


def engine_demand(assignment: Assignment) -> Demand | None:
    """The work over the task's early dates; a placeholder's counts on its role.

    None when the task is not scheduled or the assignment has no work.
    """
    task, resource = assignment.task, assignment.resource
    if task.early_start is None or task.early_finish is None or not assignment.work_hours:
        return None
    return Demand(
        str(assignment.pk),
        None if resource.is_placeholder else person_id(resource),
        resource.role.name if resource.is_placeholder else None,
        str(task.project_id),
        task.early_start,
        max(task.early_finish, task.early_start),
        hours=float(assignment.work_hours),
        department=resource.department or None,
    )


def capacity_inputs(
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    calendars: Sequence[Calendar],
) -> CapacityInputs:
    """`calendars` with their `exceptions` prefetched; the default one names the default."""
    demands = (engine_demand(a) for a in assignments)
    default = next((c for c in calendars if c.is_default), None)
    return CapacityInputs(
        people=tuple(engine_person(r) for r in resources if not r.is_placeholder),
        demands=tuple(d for d in demands if d is not None),
        calendars={
            calendar_key(c.pk): engine_calendar(c, list(c.exceptions.all())) for c in calendars
        },
        default_calendar=calendar_key(default.pk) if default else None,
    )


# --- levelling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelingInputs:
    """A project's plan as a levelling network: leaf tasks demand the units of the people
    assigned to them; each person's capacity is their availability; what other projects and
    personal days off take of a person is a fixed load."""

    network: Network
    fixed_loads: dict[str, list[tuple[int, int, float]]]
    capacity: dict[str, float]
    names: dict[str, str]  #: resource key -> person's name
    warnings: tuple[str, ...]


CAPPED = (
    "{person} is asked for {units:g} units on '{task}' but is available {capacity:g}; "
    "levelling counts {capacity:g}."
)


def resource_key(resource_id: int) -> str:
    return f"r{resource_id}"


def leveling_inputs(
    tasks: Sequence[Any],
    links: Sequence[Any],
    clock: PlanClock,
    assignments: Sequence[Assignment],
    elsewhere: Sequence[Assignment],
) -> LevelingInputs:
    """`assignments` are the project's (task and resource with `exceptions` prefetched);
    `elsewhere` the same people's assignments on other projects' scheduled tasks.

    Placeholders are not levelled: they stand for a role, not for someone's time.
    """
    base = network_for(tasks, links, clock)
    people = {a.resource_id: a.resource for a in assignments if not a.resource.is_placeholder}
    capacity = {resource_key(pk): r.availability / 100 for pk, r in people.items()}
    names = {resource_key(pk): r.name for pk, r in people.items()}
    demands: dict[str, dict[str, float]] = {}
    warnings: list[str] = []
    task_names = {str(t.pk): t.name for t in tasks}
    for a in assignments:
        key = resource_key(a.resource_id)
        if a.resource.is_placeholder or not capacity.get(key) or not a.units:
            continue
        units = float(a.units)
        if units > capacity[key]:
            warnings.append(
                CAPPED.format(
                    person=names[key],
                    units=units,
                    task=task_names.get(str(a.task_id), a.task_id),
                    capacity=capacity[key],
                )
            )
            units = capacity[key]
        row = demands.setdefault(str(a.task_id), {})
        row[key] = min(capacity[key], row.get(key, 0.0) + units)
    loads: dict[str, list[tuple[int, int, float]]] = {}
    scheduled = [
        a
        for a in elsewhere
        if a.task.early_start and a.task.early_finish and capacity.get(resource_key(a.resource_id))
    ]
    if scheduled:
        starts = clock.start_offsets([a.task.early_start for a in scheduled])
        ends = clock.finish_offsets([a.task.early_finish for a in scheduled])
        for a, s, e in zip(scheduled, starts, ends, strict=True):
            key = resource_key(a.resource_id)
            if e > max(s, 0):
                units = min(float(a.units), capacity[key])
                loads.setdefault(key, []).append((max(s, 0), e, units))
    joining = [
        (pk, r) for pk, r in people.items() if r.employed_from and r.employed_from > clock.start
    ]
    if joining:
        firsts = clock.start_offsets([r.employed_from for _, r in joining])
        for (pk, _), first in zip(joining, firsts, strict=True):
            key = resource_key(pk)
            if capacity[key] and first > 0:  # not there before they join
                loads.setdefault(key, []).append((0, first, capacity[key]))
    for pk, person in people.items():
        key = resource_key(pk)
        days = [x for x in person.exceptions.all() if x.date >= clock.start]
        if not capacity[key] or not days:
            continue
        offsets = clock.start_offsets([x.date for x in days])
        day_hours = clock.calendar.unit / 60
        for x, offset in zip(days, offsets, strict=True):
            if clock.start_dates([offset])[0] != x.date:
                continue  # not a working day of the plan's calendar
            off = max(0.0, 1 - float(x.hours) / day_hours) * capacity[key]
            if off:
                loads.setdefault(key, []).append((offset, offset + 1, off))
    activities = [
        replace(a, demands=demands.get(a.id, {})) if a.duration else a for a in base.activities
    ]
    network = Network(
        activities,
        base.links,
        [EngineResource(key, cap, name=names[key]) for key, cap in capacity.items() if cap],
    )
    return LevelingInputs(
        network=network,
        fixed_loads=loads,
        capacity=capacity,
        names=names,
        warnings=tuple(warnings),
    )


def daily_load(
    network: Network,
    starts: dict[str, int],
    resource: str,
    fixed: Sequence[tuple[int, int, float]],
    horizon: int,
) -> list[float]:
    """Units of `resource` in use on each working day 0..horizon-1 (this plan plus fixed)."""
    load = [0.0] * horizon
    for start, end, units in fixed:
        for t in range(max(start, 0), min(end, horizon)):
            load[t] += units
    for activity in network.activities:
        units = activity.demands.get(resource) if activity.demands else None
        if not units or activity.id not in starts:
            continue
        s = starts[activity.id]
        for t in range(max(s, 0), min(s + activity.duration, horizon)):
            load[t] += units
    return [round(x, 4) for x in load]
