"""Rows of the pool and of assignments as the capacity engine's inputs (and nothing more)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pmo.engine.calendar import Calendar as EngineCalendar
from pmo.engine.capacity import Demand, Person
from pmo.planning.adapters import DAY_STARTS, engine_calendar
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
