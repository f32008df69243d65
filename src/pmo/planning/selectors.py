"""Reads on a plan, shaped for the Gantt chart, the task table and the variance report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from pmo.projects.models import Project
from pmo.projects.policies import require_internal

from .models import Baseline, BaselineTask, Calendar, Dependency, Task
from .services import plan_clock, schedule_for


def task_list(*, actor: Any, project: Project) -> QuerySet[Task]:
    require_internal(actor, project)
    return (
        Task.objects.filter(project=project).select_related("calendar").order_by("position", "pk")
    )


def dependency_list(*, actor: Any, project: Project) -> QuerySet[Dependency]:
    require_internal(actor, project)
    return Dependency.objects.filter(project=project).select_related("predecessor", "successor")


def baseline_list(*, actor: Any, project: Project) -> QuerySet[Baseline]:
    require_internal(actor, project)
    return Baseline.objects.filter(project=project).select_related("captured_by")


def calendar_list(*, project: Project | None = None) -> QuerySet[Calendar]:
    qs = Calendar.objects.filter(project__isnull=True)
    if project is not None:
        qs = Calendar.objects.filter(project__isnull=True) | Calendar.objects.filter(
            project=project
        )
    return qs.prefetch_related("exceptions")


@dataclass(frozen=True)
class TaskVariance:
    """A task against the current baseline; day variances in working days, + means later."""

    task: Task
    baseline: BaselineTask | None
    start_days: int | None
    finish_days: int | None
    duration_days: int | None
    work_hours: Decimal | None
    cost: Decimal | None


def _current_baseline(project: Project) -> Baseline | None:
    return Baseline.objects.filter(project=project, is_current=True).first()


def plan_variance(*, actor: Any, project: Project) -> tuple[Baseline | None, list[TaskVariance]]:
    """Each task beside its current-baseline values, with the variances (three queries)."""
    tasks = list(task_list(actor=actor, project=project))
    baseline = _current_baseline(project)
    rows = (
        {b.task_id: b for b in BaselineTask.objects.filter(baseline=baseline)} if baseline else {}
    )
    clock = plan_clock(schedule_for(project))
    starts: list[dt.date] = []
    finishes: list[dt.date] = []
    for task in tasks:
        b = rows.get(task.pk)
        if b and b.start and b.finish and task.early_start and task.early_finish:
            starts += [b.start, task.early_start]
            finishes += [b.finish, task.early_finish]
    start_offsets = iter(clock.start_offsets(starts))
    finish_offsets = iter(clock.finish_offsets(finishes))
    result = []
    for task in tasks:
        b = rows.get(task.pk)
        start_days = finish_days = None
        if b and b.start and b.finish and task.early_start and task.early_finish:
            base_s, cur_s = next(start_offsets), next(start_offsets)
            base_f, cur_f = next(finish_offsets), next(finish_offsets)
            start_days, finish_days = cur_s - base_s, cur_f - base_f
        result.append(
            TaskVariance(
                task=task,
                baseline=b,
                start_days=start_days,
                finish_days=finish_days,
                duration_days=task.duration - b.duration if b else None,
                work_hours=_difference(task.work_hours, b.work_hours if b else None),
                cost=_difference(task.planned_cost, b.cost if b else None),
            )
        )
    return baseline, result


def _difference(current: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    if current is None and baseline is None:
        return None
    return (current or Decimal(0)) - (baseline or Decimal(0))


def gantt_data(*, actor: Any, project: Project) -> dict[str, Any]:
    """Everything the Gantt chart draws, as JSON-ready values (a constant number of queries)."""
    schedule = schedule_for(project)
    tasks = list(task_list(actor=actor, project=project))
    links = list(
        Dependency.objects.filter(project=project)
        .order_by("pk")
        .values("id", "predecessor_id", "successor_id", "type", "lag")
    )
    baseline = _current_baseline(project)
    base = (
        {
            row["task_id"]: row
            for row in BaselineTask.objects.filter(baseline=baseline).values(
                "task_id", "start", "finish"
            )
        }
        if baseline
        else {}
    )
    deps: dict[int, list[int]] = {}
    for link in links:
        deps.setdefault(link["successor_id"], []).append(link["predecessor_id"])

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "start": iso(schedule.start),
        "finish": iso(schedule.finish),
        "today": timezone.localdate().isoformat(),
        "baseline": {"id": baseline.pk, "name": baseline.name} if baseline else None,
        "tasks": [
            {
                "id": t.pk,
                "version": t.version,
                "wbs": t.wbs,
                "name": t.name,
                "parent": t.parent_id,
                "duration": t.duration,
                "summary": t.is_summary,
                "milestone": t.is_milestone,
                "start": iso(t.early_start),
                "finish": iso(t.early_finish),
                "late_start": iso(t.late_start),
                "late_finish": iso(t.late_finish),
                "total_float": t.total_float,
                "critical": t.is_critical,
                "dependencies": deps.get(t.pk, []),
                "baseline_start": iso(base[t.pk]["start"]) if t.pk in base else None,
                "baseline_finish": iso(base[t.pk]["finish"]) if t.pk in base else None,
            }
            for t in tasks
        ],
        "links": links,
    }


@dataclass(frozen=True)
class ProjectVariance:
    """The plan against its current baseline: per task, and for the project as a whole.

    Days are working days, + means later; work and cost add up the tasks that are not
    summaries (a summary would count its subtasks twice), None when no task has a value.
    """

    baseline: Baseline | None
    finish: dt.date | None
    baseline_finish: dt.date | None
    finish_days: int | None
    work_hours: Decimal | None
    cost: Decimal | None
    rows: list[TaskVariance]


def _total(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def project_variance(*, actor: Any, project: Project) -> ProjectVariance:
    baseline, rows = plan_variance(actor=actor, project=project)
    schedule = schedule_for(project)
    finish_days = None
    if baseline and baseline.finish and schedule.finish:
        base, current = plan_clock(schedule).finish_offsets([baseline.finish, schedule.finish])
        finish_days = current - base
    leaves = [r for r in rows if not r.task.is_summary]
    return ProjectVariance(
        baseline=baseline,
        finish=schedule.finish,
        baseline_finish=baseline.finish if baseline else None,
        finish_days=finish_days,
        work_hours=_total([r.work_hours for r in leaves]),
        cost=_total([r.cost for r in leaves]),
        rows=rows,
    )
