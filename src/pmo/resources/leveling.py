"""Levelling a project's plan: load its tasks, links and assignments with what other projects
already take of the same people, run the levelling engine, and shape the preview (the current
against the levelled dates, and the histogram of the most loaded person).

Reads only: accepting a preview is `services.leveling_accept`, which checks the preview's
`signature` so that a plan changed since the preview is refused rather than levelled blind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Prefetch

from pmo.core.errors import ValidationFailed
from pmo.engine import Constraint
from pmo.engine.leveling import LevelingError, level, violations
from pmo.planning.adapters import PlanClock, engine_calendar
from pmo.planning.models import Calendar, Dependency, Schedule, Task
from pmo.planning.services import plan_clock, schedule_for
from pmo.projects.models import Project

from .adapters import LevelingInputs, daily_load, leveling_inputs
from .models import Assignment, ResourceException

TIME_LIMIT = 2.0  # seconds of search after the constructive schedule
NOTHING_TO_LEVEL = "No task of this plan has a person assigned: there is nothing to level."
NOT_LEVELLED = "The plan cannot be levelled: {reason}."


@dataclass(frozen=True)
class PlanSnapshot:
    project: Project
    schedule: Schedule
    tasks: list[Task]
    links: list[Dependency]
    assignments: list[Assignment]
    elsewhere: list[Assignment]
    signature: str


def _signature(
    schedule: Schedule, tasks: list[Task], links: list[Dependency], assignments: list[Assignment]
) -> str:
    """Changes whenever anything the levelling reads of this plan changes."""
    parts: list[Any] = [schedule.pk, schedule.version, schedule.start, schedule.calendar_id]
    parts += [(t.pk, t.version, t.early_start, t.early_finish) for t in tasks]
    parts += [(d.pk, d.predecessor_id, d.successor_id, d.type, d.lag, d.lag_percent) for d in links]
    parts += [(a.pk, a.version) for a in assignments]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def plan_snapshot(project: Project) -> PlanSnapshot:
    """The plan as levelling reads it (six queries)."""
    schedule = schedule_for(project)
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    links = list(Dependency.objects.filter(project=project).order_by("pk"))
    with_days_off = Prefetch(
        "resource__exceptions", queryset=ResourceException.objects.order_by("date")
    )
    assignments = list(
        Assignment.objects.filter(task__project=project)
        .select_related("resource")
        .prefetch_related(with_days_off)
        .order_by("pk")
    )
    people = {a.resource_id for a in assignments if not a.resource.is_placeholder}
    elsewhere = list(
        Assignment.objects.filter(resource_id__in=people, task__is_summary=False)
        .exclude(task__project=project)
        .filter(task__early_start__isnull=False, task__early_finish__gte=schedule.start)
        .select_related("task")
        .order_by("pk")
    )
    return PlanSnapshot(
        project=project,
        schedule=schedule,
        tasks=tasks,
        links=links,
        assignments=assignments,
        elsewhere=elsewhere,
        signature=_signature(schedule, tasks, links, assignments),
    )


@dataclass(frozen=True)
class TaskDates:
    task_id: int
    wbs: str
    name: str
    start: dt.date | None
    finish: dt.date | None
    levelled_start: dt.date
    levelled_finish: dt.date
    project: str = ""  #: the project's code when several plans are levelled together

    @property
    def delay(self) -> int:
        """Calendar days the levelling delays the start."""
        return (self.levelled_start - self.start).days if self.start else 0

    @property
    def moved(self) -> bool:
        return self.delay > 0


@dataclass(frozen=True)
class Histogram:
    """Daily units of one person in use before and after levelling, against their capacity."""

    person: str
    days: list[dt.date]
    before: list[float]
    after: list[float]
    capacity: float

    @property
    def peak_before(self) -> float:
        return max(self.before, default=0.0)

    @property
    def peak_after(self) -> float:
        return max(self.after, default=0.0)


@dataclass(frozen=True)
class OverAllocation:
    """Where one person of the plan is asked for more than their availability, across all
    their projects and net of their days off: the working days, and the ISO weeks whose total
    load exceeds the week's capacity."""

    person: str
    capacity: float
    days: list[tuple[dt.date, float]]  #: (day, units in use)
    weeks: list[tuple[str, float, float]]  #: (ISO week, units·days in use, units·days available)


@dataclass(frozen=True)
class LevelingPreview:
    project: Project | None  #: None when several plans are levelled together
    signature: str
    within_slack: bool
    status: str
    message: str
    finish_before: dt.date | None
    finish_after: dt.date | None
    tasks: list[TaskDates]
    histogram: Histogram | None
    over_capacity_before: int  #: person-days over capacity in the current plan
    over_capacity_after: int
    warnings: tuple[str, ...] = ()
    projects: list[Project] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    over_allocations: list[OverAllocation] = field(default_factory=list)

    @property
    def moved(self) -> list[TaskDates]:
        return [t for t in self.tasks if t.moved]

    @property
    def acceptable(self) -> bool:
        return self.status != "infeasible" and bool(self.moved)

    @property
    def starts(self) -> dict[str, str]:
        """The levelled start of every delayed task, as the accept form posts it back."""
        return {str(t.task_id): t.levelled_start.isoformat() for t in self.moved}


def _over_days(inputs: LevelingInputs, starts: dict[str, int], horizon: int) -> int:
    count = 0
    for key, capacity in inputs.capacity.items():
        load = daily_load(inputs.network, starts, key, inputs.fixed_loads.get(key, ()), horizon)
        count += sum(1 for x in load if x > capacity + 1e-9)
    return count


def _over_allocations(
    inputs: LevelingInputs, starts: dict[str, int], days: list[dt.date]
) -> list[OverAllocation]:
    out = []
    for key in sorted(inputs.capacity, key=lambda k: inputs.names[k].lower()):
        capacity = inputs.capacity[key]
        load = daily_load(inputs.network, starts, key, inputs.fixed_loads.get(key, ()), len(days))
        over_days = [(d, x) for d, x in zip(days, load, strict=True) if x > capacity + 1e-9]
        weeks: dict[str, list[float]] = {}
        for d, x in zip(days, load, strict=True):
            year, week, _ = d.isocalendar()
            cell = weeks.setdefault(f"{year}-W{week:02d}", [0.0, 0.0])
            cell[0] += x
            cell[1] += capacity
        over_weeks = [(w, round(u, 2), round(c, 2)) for w, (u, c) in weeks.items() if u > c + 1e-9]
        if over_days or over_weeks:
            out.append(OverAllocation(inputs.names[key], capacity, over_days, over_weeks))
    return out


def preview(snapshot: PlanSnapshot, *, within_slack: bool) -> LevelingPreview:
    """Level the plan in memory; nothing is written."""
    return _preview([snapshot], plan_clock(snapshot.schedule), within_slack=within_slack)


def preview_together(
    snapshots: list[PlanSnapshot], *, priorities: dict[int, int] | None = None
) -> LevelingPreview:
    """Level several plans that share people in one engine call over their union; nothing is
    written. Each plan keeps its own start; `priorities` (project id -> whole number, higher
    first) decide who goes first among schedules of the same finish."""
    starts = [s.schedule.start for s in snapshots]
    default = Calendar.objects.filter(is_default=True).first()
    exceptions = list(default.exceptions.all()) if default else []
    clock = PlanClock(calendar=engine_calendar(default, exceptions), start=min(starts))
    return _preview(snapshots, clock, within_slack=False, priorities=priorities or {})


def together_signature(snapshots: list[PlanSnapshot]) -> str:
    joined = "|".join(f"{s.project.pk}:{s.signature}" for s in snapshots)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def _preview(
    snapshots: list[PlanSnapshot],
    clock: PlanClock,
    *,
    within_slack: bool,
    priorities: dict[int, int] | None = None,
) -> LevelingPreview:
    together = len(snapshots) > 1
    selected = {s.project.pk for s in snapshots}
    tasks = [t for s in snapshots for t in s.tasks]
    links = [d for s in snapshots for d in s.links]
    assignments = [a for s in snapshots for a in s.assignments]
    elsewhere = list(
        {
            a.pk: a for s in snapshots for a in s.elsewhere if a.task.project_id not in selected
        }.values()
    )
    leaves = [t for t in tasks if not t.is_summary]
    if not any(not a.resource.is_placeholder for a in assignments) or not leaves:
        raise ValidationFailed(NOTHING_TO_LEVEL)
    inputs = leveling_inputs(tasks, links, clock, assignments, elsewhere)
    task_priority: dict[str, int] = {}
    if together:
        # each plan starts no earlier than its own start, as it does on its own
        first = dict(
            zip(
                (s.project.pk for s in snapshots),
                clock.start_offsets([s.schedule.start for s in snapshots]),
                strict=True,
            )
        )
        activities = []
        for activity, task in zip(inputs.network.activities, tasks, strict=True):
            if activity.constraint is None and first[task.project_id] > 0:
                activity = replace(activity, constraint=Constraint("SNET", first[task.project_id]))
            activities.append(activity)
        inputs = replace(inputs, network=replace(inputs.network, activities=activities))
        task_priority = {
            str(t.pk): max(0, int((priorities or {}).get(t.project_id, 0)))
            for t in leaves
            if (priorities or {}).get(t.project_id)
        }
    try:
        result = level(
            inputs.network,
            time_limit=TIME_LIMIT,
            threads=1,
            seed=0,
            mode="within_slack" if within_slack else "shortest",
            fixed_loads=inputs.fixed_loads,
            priorities=task_priority or None,
        )
    except LevelingError as exc:
        raise ValidationFailed(NOT_LEVELLED.format(reason=exc)) from exc
    row = result.index
    dated = [t for t in leaves if t.early_start]
    now = dict(
        zip(
            (str(t.pk) for t in dated),
            clock.start_offsets([t.early_start for t in dated]),  # type: ignore[misc]
            strict=True,
        )
    )
    after = {str(t.pk): int(result.starts[row[str(t.pk)]]) for t in leaves}
    ends = [int(result.finishes[row[str(t.pk)]]) for t in leaves]
    levelled_starts = clock.start_dates([after[str(t.pk)] for t in leaves])
    levelled_finishes = clock.finish_dates(ends)
    codes = {snap.project.pk: snap.project.code for snap in snapshots}
    finishes = [snap.schedule.finish for snap in snapshots]
    rows = []
    for t, s, f in zip(leaves, levelled_starts, levelled_finishes, strict=True):
        if t.duration == 0:
            s = f  # a milestone sits at the end of its day, as the plan shows it
        rows.append(
            TaskDates(
                t.pk, t.wbs, t.name, t.early_start, t.early_finish, s, f,
                project=codes[t.project_id] if together else "",
            )
        )  # fmt: skip
    horizon = max([*ends, *(now[k] + 1 for k in now), 1]) + 1
    histogram = None
    if inputs.capacity:

        def excess(key: str) -> tuple[float, float]:
            load = daily_load(inputs.network, now, key, inputs.fixed_loads.get(key, ()), horizon)
            peak = max(load, default=0.0)
            return (peak - inputs.capacity[key], sum(load))

        key = max(sorted(inputs.capacity), key=excess)
        fixed = inputs.fixed_loads.get(key, ())
        histogram = Histogram(
            person=inputs.names[key],
            days=clock.start_dates(list(range(horizon))),
            before=daily_load(inputs.network, now, key, fixed, horizon),
            after=daily_load(inputs.network, after, key, fixed, horizon),
            capacity=inputs.capacity[key],
        )
    problems = (
        violations(inputs.network, after, fixed_loads=inputs.fixed_loads)
        if result.status != "infeasible"
        else []
    )
    return LevelingPreview(
        project=None if together else snapshots[0].project,
        signature=together_signature(snapshots) if together else snapshots[0].signature,
        within_slack=within_slack,
        status=result.status,
        message=result.message,
        finish_before=max((f for f in finishes if f), default=None),
        finish_after=clock.finish_dates([result.finish])[0] if leaves else None,
        tasks=rows,
        histogram=histogram,
        over_capacity_before=_over_days(inputs, now, horizon),
        over_capacity_after=_over_days(inputs, after, horizon),
        warnings=inputs.warnings,
        projects=[snap.project for snap in snapshots],
        problems=problems,
        over_allocations=_over_allocations(inputs, now, clock.start_dates(list(range(horizon)))),
    )
