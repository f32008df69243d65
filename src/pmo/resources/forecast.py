"""The capacity forecast: supply (people × calendars × availability) against demand (the
assignments of running projects) per role, person or department, per week or month, with the
people and tasks behind a cell, and a what-if sandbox (hires, delayed or dropped projects)
computed by `pmo.engine.capacity.scenario` in memory only: nothing is ever written.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden, ValidationFailed
from pmo.engine.capacity import (
    CapacityError,
    CapacityResult,
    Demand,
    Periods,
    Person,
    capacity_forecast,
    scenario,
)
from pmo.planning.models import Calendar, CalendarException
from pmo.projects.models import Project, Stage, Status

from .adapters import capacity_inputs
from .models import Assignment, JobRole, Resource

FORECAST_ROLES = {OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST, OrgRole.EXECUTIVE}
FORECAST_FORBIDDEN = "Only the PMO and executives see the capacity forecast."
GROUPS = ("role", "person", "department")
KINDS = {"week": 104, "month": 24}
BAD_GROUP = "Group the forecast by role, person or department, not '{value}'."
BAD_KIND = "Forecast per week or month, not '{value}'."
BAD_COUNT = "Forecast between 1 and {max} {kind}s, not {value}."
UNKNOWN_ROLE = "No job role '{role}' in the pool."
BAD_HIRES = "Hire between 1 and 100 people at a time, not {value}."
NOT_RUNNING = "Project {id} is not a running project with assignments."
BAD_DELAY = "Delay a project by 1 to 104 weeks, not {value}."
UNKNOWN_CELL = "No row '{group}' or period '{period}' in this forecast."
NO_DEPARTMENT = "(no department)"


@dataclass(frozen=True)
class Hire:
    role: str
    count: int
    start: dt.date


@dataclass(frozen=True)
class WhatIf:
    """A sandbox: people to hire, projects to delay (weeks) or drop. Never written."""

    hires: tuple[Hire, ...] = ()
    delays: dict[int, int] = field(default_factory=dict)
    drops: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hires or self.delays or self.drops)


@dataclass(frozen=True)
class ForecastRow:
    key: str  #: the group as the drill-down names it
    label: str
    supply: list[float]
    demand: list[float]
    utilisation: list[float | None]
    over: list[bool]


@dataclass(frozen=True)
class Forecast:
    group_by: str
    kind: str
    pipeline: bool
    periods: list[str]
    starts: list[dt.date]
    rows: list[ForecastRow]
    what_if: WhatIf
    result: CapacityResult = field(repr=False)
    names: dict[str, str] = field(repr=False)
    tasks: dict[str, tuple[str, str]] = field(repr=False)  #: assignment id -> (project, task)

    @property
    def over_cells(self) -> int:
        return sum(sum(row.over) for row in self.rows)


@dataclass(frozen=True)
class CellPerson:
    name: str
    supply: float
    demand: float


@dataclass(frozen=True)
class CellTask:
    project: str
    task: str
    person: str
    hours: float


@dataclass(frozen=True)
class ForecastCell:
    label: str
    period: str
    supply: float
    demand: float
    utilisation: float | None
    people: list[CellPerson]
    tasks: list[CellTask]


def may_see_forecast(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and (
        actor.is_superuser or actor.org_role in FORECAST_ROLES
    )


def running_projects() -> Any:
    return Project.objects.exclude(stage=Stage.CLOSED).exclude(status=Status.CANCELLED)


def _check(group_by: str, kind: str, count: int) -> None:
    if group_by not in GROUPS:
        raise ValidationFailed(BAD_GROUP.format(value=group_by))
    if kind not in KINDS:
        raise ValidationFailed(BAD_KIND.format(value=kind))
    if not 1 <= count <= KINDS[kind]:
        raise ValidationFailed(BAD_COUNT.format(max=KINDS[kind], kind=kind, value=count))


def _hires(what_if: WhatIf) -> tuple[list[Person], dict[str, str]]:
    roles = {r.name: r for r in JobRole.objects.filter(name__in={h.role for h in what_if.hires})}
    people, names = [], {}
    number = 0
    for hire in what_if.hires:
        if hire.role not in roles:
            raise ValidationFailed(UNKNOWN_ROLE.format(role=hire.role))
        if not 1 <= hire.count <= 100:
            raise ValidationFailed(BAD_HIRES.format(value=hire.count))
        for _ in range(hire.count):
            number += 1
            pid = f"hire-{number}"
            people.append(Person(pid, hire.role, "", employed_from=hire.start))
            names[pid] = f"New {hire.role} {number} (what-if)"
    return people, names


PIPELINE_STATES = ("submitted", "in_assessment", "approved")


def pipeline_demands(
    first: dt.date, last: dt.date
) -> tuple[list[Demand], dict[str, tuple[str, str]]]:
    """Intake requests not yet decided (or approved, not yet a project) ask for their roles'
    hours, year by year from their target start, weighted by their approval probability (an
    approved request counts in full). Two queries."""
    from pmo.portfolio.models import RequestDemand

    rows = (
        RequestDemand.objects.filter(
            request__state__in=PIPELINE_STATES,
            request__project__isnull=True,
            request__target_start__isnull=False,
            request__target_start__lte=last,
        )
        .select_related("request", "role")
        .order_by("pk")
    )
    demands, labels = [], {}
    for row in rows:
        request = row.request
        start = request.target_start + dt.timedelta(days=365 * row.period)
        finish = start + dt.timedelta(days=364)
        if request.target_finish and request.target_finish >= start:
            finish = min(finish, request.target_finish)
        if finish < first or start > last or not row.hours:
            continue
        weight = 1.0 if request.state == "approved" else request.approval_probability / 100
        key = f"request-{row.pk}"
        demands.append(
            Demand(key, None, row.role.name, f"request-{request.pk}", start, finish,
                   hours=float(row.hours), weight=weight)
        )  # fmt: skip
        labels[key] = (
            f"REQ-{request.number} {request.title}",
            f"{row.role.name}, year {row.period + 1} ({weight:.0%} likely)",
        )
    return demands, labels


def capacity_forecast_table(
    *,
    actor: Any,
    start: dt.date,
    count: int = 12,
    kind: str = "month",
    group_by: str = "role",
    what_if: WhatIf | None = None,
    pipeline: bool = True,
) -> Forecast:
    """Supply against demand hours per group and period (seven queries), optionally with the
    pipeline of intake requests and in a what-if sandbox."""
    if not may_see_forecast(actor):
        raise Forbidden(FORECAST_FORBIDDEN)
    _check(group_by, kind, count)
    what_if = what_if or WhatIf()
    periods = Periods(start, count, kind)  # type: ignore[arg-type]
    first, last = periods.bounds[0], periods.bounds[-1] - dt.timedelta(days=1)
    resources = list(
        Resource.objects.select_related("role").prefetch_related("exceptions").order_by("pk")
    )
    # Delayed projects may move work into the horizon: read their whole plans.
    moved = set(what_if.delays)
    assignments = list(
        Assignment.objects.select_related("task__project", "resource__role")
        .filter(task__project__in=running_projects(), task__is_summary=False)
        .filter(
            Q(task__early_start__lte=last, task__early_finish__gte=first)
            | Q(task__project_id__in=moved)
        )
        .order_by("pk")
    )
    calendar_ids = {r.calendar_id for r in resources if r.calendar_id}
    calendars = list(
        Calendar.objects.filter(Q(is_default=True) | Q(pk__in=calendar_ids)).prefetch_related(
            Prefetch("exceptions", queryset=CalendarException.objects.order_by("date"))
        )
    )
    inputs = capacity_inputs(resources, assignments, calendars)
    names = {str(r.pk): r.name for r in resources}
    people, demands = inputs.people, inputs.demands
    requests: dict[str, tuple[str, str]] = {}
    if pipeline:
        extra, requests = pipeline_demands(first, last)
        demands = (*demands, *extra)
    if what_if:
        running = {d.project for d in inputs.demands}
        for pid in [*what_if.delays, *what_if.drops]:
            if str(pid) not in running:
                raise ValidationFailed(NOT_RUNNING.format(id=pid))
        for weeks in what_if.delays.values():
            if not 1 <= weeks <= 104:
                raise ValidationFailed(BAD_DELAY.format(value=weeks))
        hires, hire_names = _hires(what_if)
        names |= hire_names
        try:
            people, demands = scenario(
                people,
                demands,
                add_people=hires,
                delay={str(p): weeks * 7 for p, weeks in what_if.delays.items()},
                drop={str(p) for p in what_if.drops},
            )
        except CapacityError as exc:
            raise ValidationFailed(str(exc)) from exc
    fields = {"role": ("role",), "person": ("person", "role"), "department": ("department",)}
    result = capacity_forecast(
        people,
        demands,
        periods,
        inputs.calendars,
        group_by=fields[group_by],
        default_calendar=inputs.default_calendar,
    )
    rows = []
    util, over = result.utilisation, result.over_allocated
    for i, group in enumerate(result.groups):
        rows.append(
            ForecastRow(
                key="|".join(g or "" for g in group),
                label=_label(group_by, group, names),
                supply=[round(float(x), 2) for x in result.supply[i]],
                demand=[round(float(x), 2) for x in result.demand[i]],
                utilisation=[
                    round(float(u), 3) if math.isfinite(u) else None for u in util[i].tolist()
                ],
                over=[bool(x) for x in over[i]],
            )
        )
    rows.sort(key=lambda r: (r.label.lower(), r.key))
    tasks = {
        str(a.pk): (f"{a.task.project.code} {a.task.project.name}", a.task.name)
        for a in assignments
    } | requests
    return Forecast(
        group_by=group_by,
        kind=kind,
        pipeline=pipeline,
        periods=list(periods.labels),
        starts=list(periods.bounds[:-1]),
        rows=rows,
        what_if=what_if,
        result=result,
        names=names,
        tasks=tasks,
    )


def _label(group_by: str, group: tuple[Any, ...], names: dict[str, str]) -> str:
    if group_by == "person":
        person, role = group
        return names.get(person, person) if person else f"{role} (unnamed)"
    return group[0] or NO_DEPARTMENT


def forecast_cell(forecast: Forecast, key: str, period: str) -> ForecastCell:
    """The people and tasks behind one cell of the forecast."""
    row = next((r for r in forecast.rows if r.key == key), None)
    if row is None or period not in forecast.periods:
        raise ValidationFailed(UNKNOWN_CELL.format(group=key, period=period))
    group = next(g for g in forecast.result.groups if "|".join(x or "" for x in g) == key)
    cell = forecast.result.drill_down(group, period)
    names = forecast.names
    return ForecastCell(
        label=row.label,
        period=period,
        supply=round(cell.supply, 2),
        demand=round(cell.demand, 2),
        utilisation=round(cell.utilisation, 3) if cell.utilisation is not None else None,
        people=[
            CellPerson(names.get(p.person, p.person), round(p.supply, 2), round(p.demand, 2))
            for p in cell.people
        ],
        tasks=sorted(
            (
                CellTask(
                    *forecast.tasks.get(d.demand, ("", d.demand)),
                    person=names.get(d.person, "(unnamed)") if d.person else "(unnamed)",
                    hours=round(d.hours, 2),
                )
                for d in cell.demands
            ),
            key=lambda t: (-t.hours, t.project, t.task),
        ),
    )


def forecast_rows(forecast: Forecast) -> list[list[Any]]:
    """The table as exported: one line per group and period."""
    head = [forecast.group_by.capitalize(), "Period", "Starts", "Supply h", "Demand h",
            "Utilisation", "Over-allocated"]  # fmt: skip
    lines: list[list[Any]] = [head]
    for row in forecast.rows:
        for j, period in enumerate(forecast.periods):
            lines.append(
                [row.label, period, forecast.starts[j], row.supply[j], row.demand[j],
                 row.utilisation[j], "yes" if row.over[j] else "no"]
            )  # fmt: skip
    return lines
