"""Reads of execution: a person's tasks across projects, a plan's progress against its baseline,
timesheets, the PMs' approval queue, actual costs and the budget against them.

Each read runs a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from pmo.controls.models import BudgetLine, CostCategory
from pmo.core.errors import NotFound
from pmo.planning.models import Baseline, BaselineTask, Task
from pmo.planning.services import schedule_for
from pmo.projects.models import Project, Stage
from pmo.projects.policies import require_internal, visible_projects
from pmo.resources.models import Assignment, ResourceRate

from .models import DAYS, ActualCost, LineState, TaskComment, TimeCategory, Timesheet, TimesheetLine
from .services import TIMESHEET_NOT_FOUND, _check_monday, _may_see_sheet, week_of

CENT = Decimal("0.01")
UPCOMING_DAYS = 28


# --- my work ------------------------------------------------------------------------------------


@dataclass
class MyTask:
    task: Task
    assignment: Assignment
    bucket: str  # overdue, today, week, upcoming, later

    @property
    def project(self) -> Project:
        return self.task.project


BUCKETS = [
    ("overdue", "Overdue"),
    ("today", "Today"),
    ("week", "This week"),
    ("upcoming", "Upcoming (next four weeks)"),
    ("later", "Later"),
]


def _bucket(task: Task, today: dt.date) -> str:
    start, finish = task.early_start, task.early_finish
    if finish and finish < today:
        return "overdue"
    if start and start <= today:
        return "today"
    end_of_week = week_of(today) + dt.timedelta(days=6)
    if start and start <= end_of_week:
        return "week"
    if start and start <= today + dt.timedelta(days=UPCOMING_DAYS):
        return "upcoming"
    return "later"


def my_tasks(*, actor: Any, today: dt.date) -> list[MyTask]:
    """The unfinished tasks `actor` is assigned to on visible projects, in date order (1 query)."""
    assignments = (
        Assignment.objects.filter(
            resource__user=actor,
            task__project__in=visible_projects(actor),
            task__actual_finish__isnull=True,
        )
        .exclude(task__project__stage=Stage.CLOSED)
        .select_related("task", "task__project")
        .order_by("task__early_finish", "task__project__code", "task__position")
    )
    return [MyTask(a.task, a, _bucket(a.task, today)) for a in assignments]


def my_work_groups(*, actor: Any, today: dt.date) -> list[tuple[str, str, list[MyTask]]]:
    tasks = my_tasks(actor=actor, today=today)
    return [(key, label, [t for t in tasks if t.bucket == key]) for key, label in BUCKETS]


def task_comments(*, task_ids: list[int]) -> dict[int, list[TaskComment]]:
    comments: dict[int, list[TaskComment]] = defaultdict(list)
    for c in TaskComment.objects.filter(task_id__in=task_ids).select_related("author"):
        comments[c.task_id].append(c)
    return comments


def comment_list(*, actor: Any, project: Project, task_id: int) -> QuerySet[TaskComment]:
    require_internal(actor, project)
    if not Task.objects.filter(project=project, pk=task_id).exists():
        raise NotFound(f"Task {task_id} not found in this project.")
    return TaskComment.objects.filter(task_id=task_id).select_related("author")


# --- progress against the baseline --------------------------------------------------------------


@dataclass
class ProgressRow:
    task: Task
    baseline: BaselineTask | None

    @property
    def start_variance(self) -> int | None:
        if self.baseline is None or not self.baseline.start or not self.task.early_start:
            return None
        return (self.task.early_start - self.baseline.start).days

    @property
    def finish_variance(self) -> int | None:
        if self.baseline is None or not self.baseline.finish or not self.task.early_finish:
            return None
        return (self.task.early_finish - self.baseline.finish).days

    @property
    def status(self) -> str:
        t = self.task
        if t.actual_finish:
            return "complete"
        if t.actual_start:
            return "in progress"
        return "not started"


@dataclass
class ProgressView:
    project: Project
    schedule: Any
    baseline: Baseline | None
    rows: list[ProgressRow]
    percent_complete: float  #: duration-weighted over the tasks that are not summaries
    planned_percent: float | None  #: the baseline's work due by the status date (calendar days)

    def _progress_until(self, task: Task) -> dt.date:
        """Where an unfinished task's actual bar ends: the status date, else today (never
        past its current finish)."""
        until = self.schedule.status_date or timezone.localdate()
        return min(until, task.early_finish) if task.early_finish else until

    @property
    def chart(self) -> dict[str, Any]:
        """Baseline, current and actual bars per task for ECharts (days from the plan's start)."""
        origin = self.schedule.start
        rows = [r for r in self.rows if not r.task.is_summary]

        def span(a: dt.date | None, b: dt.date | None) -> list[int] | None:
            if not a or not b:
                return None
            return [(a - origin).days, (b - origin).days + 1]

        return {
            "origin": origin.isoformat(),
            "status": (self.schedule.status_date - origin).days
            if self.schedule.status_date
            else None,
            "tasks": [f"{r.task.wbs} {r.task.name}" for r in rows],
            "baseline": [
                span(r.baseline.start, r.baseline.finish) if r.baseline else None for r in rows
            ],
            "current": [span(r.task.early_start, r.task.early_finish) for r in rows],
            "actual": [
                span(r.task.actual_start, r.task.actual_finish or self._progress_until(r.task))
                if r.task.actual_start
                else None
                for r in rows
            ],
            "percent": [r.task.percent_complete for r in rows],
        }


def _weighted_percent(tasks: list[Task]) -> float:
    leaves = [t for t in tasks if not t.is_summary]
    total = sum(max(t.duration, 1) for t in leaves)
    if not total:
        return 0.0
    return round(sum(max(t.duration, 1) * t.percent_complete for t in leaves) / total, 1)


def _planned_percent(rows: list[ProgressRow], status: dt.date | None) -> float | None:
    if status is None:
        return None
    weights = 0.0
    done = 0.0
    for row in rows:
        b = row.baseline
        if row.task.is_summary or b is None or not b.start or not b.finish:
            continue
        w = max(b.duration, 1)
        weights += w
        if status >= b.finish:
            done += w
        elif status >= b.start:
            span = (b.finish - b.start).days + 1
            done += w * ((status - b.start).days + 1) / span
    return round(100 * done / weights, 1) if weights else None


def progress_view(*, actor: Any, project: Project) -> ProgressView:
    """Every task with its progress, current dates and its current baseline's dates."""
    require_internal(actor, project)
    schedule = schedule_for(project)
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    baseline = Baseline.objects.filter(project=project, is_current=True).first()
    by_task: dict[int, BaselineTask] = {}
    if baseline is not None:
        by_task = {
            b.task_id: b for b in BaselineTask.objects.filter(baseline=baseline) if b.task_id
        }
    depth: dict[int, int] = {}
    for t in tasks:
        depth[t.pk] = depth.get(t.parent_id, -1) + 1 if t.parent_id else 0
        t.depth = depth[t.pk]  # type: ignore[attr-defined]
    _roll_up(tasks)
    rows = [ProgressRow(t, by_task.get(t.pk)) for t in _wbs_order(tasks)]
    return ProgressView(
        project=project,
        schedule=schedule,
        baseline=baseline,
        rows=rows,
        percent_complete=_weighted_percent(tasks),
        planned_percent=_planned_percent(rows, schedule.status_date),
    )


def _wbs_order(tasks: list[Task]) -> list[Task]:
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)
    out: list[Task] = []

    def walk(parent: int | None) -> None:
        for t in children.get(parent, []):
            out.append(t)
            walk(t.pk)

    walk(None)
    return out


def _roll_up(tasks: list[Task]) -> None:
    """Summaries show the duration-weighted % complete and the actual dates of their subtasks."""
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)

    def visit(task: Task) -> tuple[float, float]:
        kids = children.get(task.pk)
        if not kids:
            w = float(max(task.duration, 1))
            return w, w * task.percent_complete
        totals = [visit(k) for k in kids]
        weight = sum(w for w, _ in totals)
        task.percent_complete = round(sum(d for _, d in totals) / weight) if weight else 0
        starts = [k.actual_start for k in kids if k.actual_start]
        task.actual_start = min(starts) if starts else None
        done = all(k.actual_finish for k in kids)
        task.actual_finish = max(k.actual_finish for k in kids) if done else None  # type: ignore[type-var]
        return weight, sum(d for _, d in totals)

    for root in children.get(None, []):
        visit(root)


# --- timesheets ---------------------------------------------------------------------------------


@dataclass
class GridRow:
    key: str  #: "task-<id>" or the category
    label: str
    project: Project | None
    task: Task | None
    line: TimesheetLine | None
    hours: list[float]
    corrections: list[TimesheetLine] = field(default_factory=list)
    typed: list[str] | None = None  #: what was typed on a page the service refused

    @property
    def cells(self) -> list[Any]:
        return self.typed if self.typed is not None else self.hours

    @property
    def editable(self) -> bool:
        return self.line is None or self.line.state in (LineState.DRAFT, LineState.RETURNED)

    @property
    def total(self) -> float:
        return round(sum(self.hours), 2)


@dataclass
class TimesheetGrid:
    sheet: Timesheet
    days: list[dt.date]
    rows: list[GridRow]

    @property
    def totals(self) -> list[float]:
        return [round(sum(r.hours[i] for r in self.rows), 2) for i in range(DAYS)]

    @property
    def total(self) -> float:
        return round(sum(self.totals), 2)

    @property
    def state(self) -> str:
        states = {r.line.state for r in self.rows if r.line is not None}
        if not states:
            return "empty"
        for s in (LineState.RETURNED, LineState.DRAFT, LineState.SUBMITTED):
            if s in states:
                return s.value
        return LineState.APPROVED.value

    @property
    def editable(self) -> bool:
        return any(r.editable for r in self.rows)


def timesheet_grid(*, actor: Any, week_start: dt.date) -> TimesheetGrid:
    """The actor's week: a row per line already there, per current assignment on a task that
    is open during the week, and per non-project category (4 queries)."""
    sheet = week_sheet(actor=actor, week_start=week_start)
    week_end = week_start + dt.timedelta(days=DAYS - 1)
    lines = timesheet_lines(actor=actor, sheet=sheet) if sheet.pk else []
    rows: list[GridRow] = []
    by_key: dict[str, GridRow] = {}
    for line in lines:
        if line.corrects_id:
            continue
        key = f"task-{line.task_id}" if line.task_id else line.category
        label = line.task.name if line.task else line.get_category_display()
        row = GridRow(key, label, line.project, line.task, line, [float(h) for h in line.hours])
        rows.append(row)
        by_key[key] = row
    for line in lines:
        if line.corrects_id:
            key = f"task-{line.task_id}" if line.task_id else line.category
            if key in by_key:
                by_key[key].corrections.append(line)
    assignments = (
        Assignment.objects.filter(resource__user=actor, task__is_summary=False)
        .filter(Q(task__early_start__lte=week_end) | Q(task__early_start__isnull=True))
        .filter(Q(task__early_finish__gte=week_start) | Q(task__actual_finish__isnull=True))
        .exclude(task__project__stage=Stage.CLOSED)
        .select_related("task", "task__project")
        .order_by("task__project__code", "task__position")
    )
    for a in assignments:
        key = f"task-{a.task_id}"
        if key not in by_key:
            row = GridRow(key, a.task.name, a.task.project, a.task, None, [0.0] * DAYS)
            rows.append(row)
            by_key[key] = row
    for category in (TimeCategory.ADMIN, TimeCategory.LEAVE, TimeCategory.TRAINING):
        if category.value not in by_key:
            rows.append(GridRow(category.value, category.label, None, None, None, [0.0] * DAYS))
    rows.sort(key=lambda r: (r.project is None, r.project.code if r.project else "", r.key))
    days = [week_start + dt.timedelta(days=i) for i in range(DAYS)]
    return TimesheetGrid(sheet, days, rows)


def week_sheet(*, actor: Any, week_start: dt.date) -> Timesheet:
    """The actor's timesheet of the week; an unsaved empty one when nothing is booked yet."""
    _check_monday(week_start)
    sheet = Timesheet.objects.filter(person=actor, week_start=week_start).first()
    return sheet or Timesheet(person=actor, week_start=week_start, version=0)


def timesheet_get(*, actor: Any, timesheet_id: int) -> Timesheet:
    sheet = Timesheet.objects.select_related("person").filter(pk=timesheet_id).first()
    if sheet is None or not _may_see_sheet(actor, sheet):
        raise NotFound(TIMESHEET_NOT_FOUND.format(id=timesheet_id))
    return sheet


def timesheet_lines(*, actor: Any, sheet: Timesheet) -> list[TimesheetLine]:
    """The lines `actor` may see: all for the person and the PMO, their projects' for a PM."""
    if sheet.pk is None:
        return []
    qs = sheet.lines.select_related("task", "project", "decided_by").order_by("pk")
    if sheet.person_id != actor.pk and not actor.is_pmo:
        qs = qs.filter(project__manager=actor)
    return list(qs)


def my_timesheets(*, actor: Any) -> QuerySet[Timesheet]:
    return Timesheet.objects.filter(person=actor).prefetch_related("lines").order_by("-week_start")


@dataclass
class Approval:
    sheet: Timesheet
    project: Project
    lines: list[TimesheetLine]

    @property
    def total(self) -> float:
        return round(sum(ln.total for ln in self.lines), 2)


def approval_queue(*, actor: Any, project: Project | None = None) -> list[Approval]:
    """Submitted lines the actor decides, grouped by week, person and project (1 query)."""
    qs = TimesheetLine.objects.filter(state=LineState.SUBMITTED, project__isnull=False)
    if not actor.is_pmo:
        qs = qs.filter(project__manager=actor).exclude(timesheet__person=actor)
    if project is not None:
        qs = qs.filter(project=project)
    qs = qs.select_related("timesheet__person", "project", "task").order_by(
        "timesheet__week_start", "timesheet__person__username", "project__code", "pk"
    )
    groups: dict[tuple[int, int], Approval] = {}
    for line in qs:
        key = (line.timesheet_id, line.project_id or 0)
        if key not in groups:
            groups[key] = Approval(line.timesheet, line.project, [])  # type: ignore[arg-type]
        groups[key].lines.append(line)
    return list(groups.values())


# --- actual cost --------------------------------------------------------------------------------


def _rate_table(resource_ids: set[int]) -> dict[int, tuple[list[dt.date], list[Decimal]]]:
    table: dict[int, tuple[list[dt.date], list[Decimal]]] = {}
    for r in ResourceRate.objects.filter(resource_id__in=resource_ids).order_by(
        "resource_id", "effective_from"
    ):
        days, rates = table.setdefault(r.resource_id, ([], []))
        days.append(r.effective_from)
        rates.append(r.hourly_rate)
    return table


@dataclass
class LabourCost:
    line: TimesheetLine
    day: dt.date
    hours: Decimal
    rate: Decimal

    @property
    def cost(self) -> Decimal:
        return (self.hours * self.rate).quantize(CENT)


def labour_costs(*, project: Project) -> list[LabourCost]:
    """Approved hours on the project, day by day, at the rate in force that day (2 queries)."""
    lines = list(
        TimesheetLine.objects.filter(project=project, state=LineState.APPROVED)
        .select_related("timesheet", "resource__role", "task")
        .order_by("timesheet__week_start", "pk")
    )
    rates = _rate_table({ln.resource_id for ln in lines if ln.resource_id})
    out: list[LabourCost] = []
    for line in lines:
        if line.resource is None:
            continue
        days, values = rates.get(line.resource_id, ([], []))  # type: ignore[arg-type]
        for i, h in enumerate(line.hours):
            hours = Decimal(str(h)).quantize(CENT)
            if not hours:
                continue
            day = line.timesheet.week_start + dt.timedelta(days=i)
            at = bisect.bisect_right(days, day) - 1
            rate = values[at] if at >= 0 else line.resource.role.default_rate
            out.append(LabourCost(line, day, hours, rate))
    return out


def cost_list(*, actor: Any, project: Project) -> QuerySet[ActualCost]:
    require_internal(actor, project)
    return ActualCost.objects.filter(project=project).select_related("recorded_by")


def cost_get(*, actor: Any, project: Project, cost_id: Any) -> ActualCost:
    cost = cost_list(actor=actor, project=project).filter(pk=cost_id).first() if cost_id else None
    if cost is None:
        raise NotFound(f"Cost {cost_id} not found in this project.")
    return cost


@dataclass
class BudgetActualRow:
    period: dt.date
    category: str
    budget: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def category_label(self) -> str:
        return CostCategory(self.category).label


@dataclass
class BudgetVsActual:
    project: Project
    rows: list[BudgetActualRow]
    periods: list[dt.date]
    labour_hours: Decimal

    def _total(self, attr: str, **match: Any) -> Decimal:
        return sum(
            (
                getattr(r, attr)
                for r in self.rows
                if all(getattr(r, k) == v for k, v in match.items())
            ),
            Decimal(0),
        )

    @property
    def by_category(self) -> list[BudgetActualRow]:
        return [
            BudgetActualRow(
                self.periods[0] if self.periods else dt.date.today(),
                c,
                self._total("budget", category=c),
                self._total("actual", category=c),
            )
            for c in CostCategory.values
        ]

    @property
    def by_period(self) -> list[BudgetActualRow]:
        return [
            BudgetActualRow(p, "", self._total("budget", period=p), self._total("actual", period=p))
            for p in self.periods
        ]

    @property
    def budget_total(self) -> Decimal:
        return self._total("budget")

    @property
    def actual_total(self) -> Decimal:
        return self._total("actual")

    @property
    def labour_cost(self) -> Decimal:
        return self._total("actual", category=CostCategory.LABOUR.value)

    @property
    def chart(self) -> dict[str, Any]:
        return {
            "periods": [f"{p:%Y-%m}" for p in self.periods],
            "budget": [float(r.budget) for r in self.by_period],
            "actual": [float(r.actual) for r in self.by_period],
            "categories": [CostCategory(c).label for c in CostCategory.values],
            "budget_by_category": [float(r.budget) for r in self.by_category],
            "actual_by_category": [float(r.actual) for r in self.by_category],
        }


def budget_vs_actual(*, actor: Any, project: Project) -> BudgetVsActual:
    """Budget and actual cost per category and month; actual = approved labour at the rate in
    force on each day + expenses and invoices (4 queries)."""
    require_internal(actor, project)
    cells: dict[tuple[dt.date, str], BudgetActualRow] = {}

    def cell(day: dt.date, category: str) -> BudgetActualRow:
        period = day.replace(day=1)
        key = (period, category)
        if key not in cells:
            cells[key] = BudgetActualRow(period, category)
        return cells[key]

    for period, category, amount in BudgetLine.objects.filter(project=project).values_list(
        "period", "category", "amount"
    ):
        cell(period, category).budget += amount
    hours = Decimal(0)
    for labour in labour_costs(project=project):
        cell(labour.day, CostCategory.LABOUR.value).actual += labour.cost
        hours += labour.hours
    for day, category, amount in ActualCost.objects.filter(project=project).values_list(
        "date", "category", "amount"
    ):
        cell(day, category).actual += amount
    rows = sorted(cells.values(), key=lambda r: (r.period, CostCategory.values.index(r.category)))
    periods = sorted({r.period for r in rows})
    return BudgetVsActual(project, rows, periods, hours)
