"""Reads on the pool shaped for the usage heat map and the labour budget. Each costs a constant
number of queries however many people, tasks and assignments there are."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden, NotFound, ValidationFailed
from pmo.engine.capacity import Periods, capacity_forecast
from pmo.planning.models import Calendar, CalendarException
from pmo.projects.models import Project
from pmo.projects.policies import require_internal

from .adapters import capacity_inputs
from .models import Assignment, LevelingRun, Resource, ResourceRate
from .services import ASSIGNMENT_NOT_FOUND, RESOURCE_NOT_FOUND

USAGE_ROLES = {
    OrgRole.PMO_ADMIN,
    OrgRole.PMO_ANALYST,
    OrgRole.EXECUTIVE,
    OrgRole.PROJECT_MANAGER,
}
USAGE_FORBIDDEN = "Only the PMO, executives and project managers see resource usage."
POOL_FORBIDDEN = "Only the PMO, executives and project managers see the resource pool."
BAD_GROUP = "Group usage by 'person' or 'role', not '{value}'."
BAD_WEEKS = "Show between 1 and {max} weeks, not {value}."
MAX_WEEKS = 104
PLACEHOLDER_ROW = "{role} (unnamed)"
CENT = Decimal("0.01")

GroupBy = Literal["person", "role"]


@dataclass(frozen=True)
class UsageCell:
    supply: float
    demand: float
    utilisation: float | None
    over_allocated: bool


@dataclass(frozen=True)
class UsageRow:
    key: str
    label: str
    cells: tuple[UsageCell, ...]


@dataclass(frozen=True)
class Usage:
    group_by: str
    start: dt.date
    weeks: tuple[str, ...]
    starts: tuple[dt.date, ...]
    rows: tuple[UsageRow, ...]

    @property
    def over_allocated(self) -> list[tuple[str, str]]:
        """(row label, week) of every over-allocated cell."""
        return [
            (row.label, week)
            for row in self.rows
            for week, cell in zip(self.weeks, row.cells, strict=True)
            if cell.over_allocated
        ]


def may_see_usage(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and (
        actor.is_superuser or actor.org_role in USAGE_ROLES
    )


def _pool(actor: Any) -> QuerySet[Resource]:
    if not may_see_usage(actor):
        raise Forbidden(POOL_FORBIDDEN)
    return Resource.objects.select_related("role").prefetch_related(
        "skills", Prefetch("rates", queryset=ResourceRate.objects.order_by("effective_from"))
    )


def resource_list(*, actor: Any) -> QuerySet[Resource]:
    return _pool(actor).order_by("name", "pk")


def resource_get(*, actor: Any, resource_id: int) -> Resource:
    resource = _pool(actor).filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(RESOURCE_NOT_FOUND.format(id=resource_id))
    return resource


def assignment_list(*, actor: Any, project: Project) -> QuerySet[Assignment]:
    require_internal(actor, project)
    return (
        Assignment.objects.filter(task__project=project)
        .select_related("task", "resource__role")
        .prefetch_related(
            Prefetch("resource__rates", queryset=ResourceRate.objects.order_by("effective_from"))
        )
        .order_by("task__position", "task_id", "resource__name", "pk")
    )


def assignment_get(*, actor: Any, project: Project, assignment_id: int) -> Assignment:
    assignment = assignment_list(actor=actor, project=project).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND.format(id=assignment_id))
    return assignment


def labour_cost(assignment: Assignment) -> Decimal:
    """Work × rate at the task's start; expects the resource's rates prefetched in date order."""
    resource = assignment.resource
    rate = _rate_on(
        list(resource.rates.all()), resource.role.default_rate, assignment.task.early_start
    )
    return (assignment.work_hours * rate).quantize(CENT)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def resource_usage(*, actor: Any, start: dt.date, weeks: int, group_by: str = "person") -> Usage:
    """Supply and demand hours per person (or role) and week, from the Monday of `start`."""
    if not may_see_usage(actor):
        raise Forbidden(USAGE_FORBIDDEN)
    if group_by not in ("person", "role"):
        raise ValidationFailed(BAD_GROUP.format(value=group_by))
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(BAD_WEEKS.format(max=MAX_WEEKS, value=weeks))
    periods = Periods(_monday(start), weeks)
    first, last = periods.bounds[0], periods.bounds[-1] - dt.timedelta(days=1)
    resources = list(
        Resource.objects.select_related("role").prefetch_related("exceptions").order_by("pk")
    )
    assignments = list(
        Assignment.objects.select_related("task", "resource__role")
        .filter(task__early_start__lte=last, task__early_finish__gte=first)
        .order_by("pk")
    )
    calendar_ids = {r.calendar_id for r in resources if r.calendar_id}
    calendars = list(
        Calendar.objects.filter(Q(is_default=True) | Q(pk__in=calendar_ids)).prefetch_related(
            Prefetch("exceptions", queryset=CalendarException.objects.order_by("date"))
        )
    )
    inputs = capacity_inputs(resources, assignments, calendars)
    result = capacity_forecast(
        inputs.people,
        inputs.demands,
        periods,
        inputs.calendars,
        # By person, placeholders' work shows on a row per role.
        group_by=("person", "role") if group_by == "person" else ("role",),
        default_calendar=inputs.default_calendar,
    )
    names = {str(r.pk): r.name for r in resources}
    util = result.utilisation
    over = result.over_allocated
    rows = []
    for i, group in enumerate(result.groups):
        cells = tuple(
            UsageCell(
                supply=float(result.supply[i, j]),
                demand=float(result.demand[i, j]),
                utilisation=float(util[i, j]) if math.isfinite(util[i, j]) else None,
                over_allocated=bool(over[i, j]),
            )
            for j in range(weeks)
        )
        person, role = group if group_by == "person" else (None, group[0])
        if person is not None:
            key, label = f"person-{person}", names[person]
        else:
            key = f"role-{role}"
            label = role if group_by == "role" else PLACEHOLDER_ROW.format(role=role)
        rows.append(UsageRow(key=key, label=label, cells=cells))
    rows.sort(key=lambda row: (row.label.lower(), row.key))
    return Usage(
        group_by=group_by,
        start=periods.start,
        weeks=periods.labels,
        starts=periods.bounds[:-1],
        rows=tuple(rows),
    )


def _rate_on(rates: list[ResourceRate], default: Decimal, day: dt.date | None) -> Decimal:
    """`rates` sorted by date: the latest in force on `day`, else the role's default."""
    rate = default
    for row in rates:
        if day is not None and row.effective_from > day:
            break
        rate = row.hourly_rate
    return rate


def project_labour_cost(*, project: Project) -> dict[int, Decimal]:
    """Labour cost per task id of the project: work × the rate in force at the task's start."""
    assignments = (
        Assignment.objects.filter(task__project=project)
        .select_related("task", "resource__role")
        .prefetch_related(
            Prefetch("resource__rates", queryset=ResourceRate.objects.order_by("effective_from"))
        )
    )
    costs: dict[int, Decimal] = {}
    for a in assignments:
        rate = _rate_on(
            list(a.resource.rates.all()), a.resource.role.default_rate, a.task.early_start
        )
        costs[a.task_id] = costs.get(a.task_id, Decimal(0)) + (a.work_hours * rate).quantize(CENT)
    return costs


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class LabourPhased:
    """A project's labour cost per month, and the cost of assignments on undated tasks."""

    months: dict[dt.date, Decimal]
    unscheduled: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.months.values(), Decimal(0)) + self.unscheduled


def project_labour_by_month(*, project: Project) -> LabourPhased:
    """Labour cost (work × rate in force) time-phased by month over each task's early dates.

    The work of an assignment is spread over its task's early start to early finish by calendar
    days; each month's part is costed at the rate in force on the first day of that part, so a
    rate change mid-task prices the later months at the new rate. Two queries.
    """
    assignments = (
        Assignment.objects.filter(task__project=project, task__is_summary=False)
        .select_related("task", "resource__role")
        .prefetch_related(
            Prefetch("resource__rates", queryset=ResourceRate.objects.order_by("effective_from"))
        )
    )
    months: dict[dt.date, Decimal] = {}
    unscheduled = Decimal(0)
    for a in assignments:
        rates, default = list(a.resource.rates.all()), a.resource.role.default_rate
        start, finish = a.task.early_start, a.task.early_finish
        if start is None:
            unscheduled += (a.work_hours * _rate_on(rates, default, None)).quantize(CENT)
            continue
        finish = max(start, finish or start)
        days = (finish - start).days + 1
        month = _month_start(start)
        parts: dict[dt.date, Decimal] = {}
        while month <= finish:
            first = max(start, month)
            last = min(finish, _next_month(month) - dt.timedelta(days=1))
            hours = a.work_hours * ((last - first).days + 1) / days
            parts[month] = (hours * _rate_on(rates, default, first)).quantize(CENT)
            month = _next_month(month)
        for key, value in parts.items():
            months[key] = months.get(key, Decimal(0)) + value
    return LabourPhased(months=months, unscheduled=unscheduled)


def leveling_runs(*, actor: Any, project: Project) -> QuerySet[LevelingRun]:
    """The accepted levellings of a project, newest first (one query)."""
    require_internal(actor, project)
    return LevelingRun.objects.filter(project=project).select_related("accepted_by", "cleared_by")
