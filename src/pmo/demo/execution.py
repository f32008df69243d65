"""Demo execution: projects under way have progress up to a status date, approved timesheets for
the past weeks, expenses and vendor invoices; all through the services, as people would."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from pmo.accounts.models import User
from pmo.execution import services
from pmo.planning.models import Dependency, Task
from pmo.planning.services import schedule_for
from pmo.projects.models import Project, Stage
from pmo.resources.models import Assignment

WEEKS_OF_TIME = 6
HOURS_A_DAY = Decimal(8)
COSTS = [
    ("invoice", "contracts", Decimal("4800.00"), "Northwind Consulting", "Specialist review"),
    ("expense", "materials", Decimal("1250.40"), "Office Depot", "Workshop materials"),
    ("invoice", "other", Decimal("2199.00"), "CloudHost Ltd", "Test environment hosting"),
]


def _last_working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def demo_execution(people: dict[str, User], today: dt.date) -> None:
    status = _last_working_day_before(today)
    projects = Project.objects.filter(stage=Stage.EXECUTION).select_related("manager")
    for project in projects:
        _progress(project, status)
        _costs(project, status)
    _timesheets(people, status)


def _progress(project: Project, status: dt.date) -> None:
    """Tasks planned to finish by the status date are done (every fourth a day late); tasks
    planned to be under way are done in proportion to the time elapsed.

    Progress goes in rounds, as a PM records it: the tasks due to have started whose
    predecessors are not themselves waiting for progress, then the plan reschedules (a late
    finish pushes its successors) and the next round follows."""
    pm = project.manager
    plan_start = schedule_for(project).start
    done = 0
    while True:
        due = list(
            Task.objects.filter(
                project=project,
                is_summary=False,
                actual_start__isnull=True,
                early_start__lte=status,
                early_start__gte=plan_start,
            ).order_by("early_start", "position")
        )
        if not due:
            break
        waiting = {t.pk for t in due}
        blocked = set(
            Dependency.objects.filter(successor_id__in=waiting, predecessor_id__in=waiting)
            .order_by()
            .values_list("successor_id", flat=True)
        )
        updates = []
        for task in due:
            if task.pk in blocked:
                continue
            data: dict[str, Any] = {"actual_start": task.early_start}
            if task.early_finish and task.early_finish < status:
                finish = task.early_finish
                if done % 4 == 3 and finish + dt.timedelta(days=1) < status:
                    finish += dt.timedelta(days=1)
                data.update(actual_finish=finish, percent_complete=100)
            else:
                span = max((task.early_finish - task.early_start).days + 1, 1)
                elapsed = (status - task.early_start).days + 1
                data["percent_complete"] = max(5, min(95, round(100 * elapsed / span / 5) * 5))
            updates.append({"task_id": task.pk, "version": None, "data": data})
            done += 1
        services.progress_update_many(actor=pm, project_id=project.pk, updates=updates)
    services.status_date_set(actor=pm, project_id=project.pk, version=None, status_date=status)


def _costs(project: Project, status: dt.date) -> None:
    for i, (kind, category, amount, vendor, text) in enumerate(COSTS):
        day = status - dt.timedelta(days=9 + 17 * i)
        services.cost_create(
            actor=project.manager,
            project_id=project.pk,
            data={
                "kind": kind,
                "category": category,
                "date": day,
                "amount": amount,
                "vendor": vendor,
                "reference": f"{project.code}-{i + 1:03d}" if kind == "invoice" else "",
                "description": text,
            },
        )


def _timesheets(people: dict[str, User], status: dt.date) -> None:
    """Each person books their assigned tasks' working days in the past weeks, submits, and
    the projects' managers approve (the PMO approves a manager's own time)."""
    this_week = services.week_of(status)
    weeks = [this_week - dt.timedelta(weeks=n) for n in range(WEEKS_OF_TIME, 0, -1)]
    assignments = (
        Assignment.objects.filter(
            resource__user__isnull=False,
            task__project__stage=Stage.EXECUTION,
            task__actual_start__isnull=False,
        )
        .select_related("task", "task__project__manager", "resource__user")
        .order_by("resource__user_id", "task__project__code", "task__position")
    )
    by_person: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_person[a.resource.user_id].append(a)  # type: ignore[index]
    admin = people["admin"]
    for items in by_person.values():
        person = items[0].resource.user
        assert person is not None
        for n, week in enumerate(weeks):
            lines = _week_lines(items, week, leave=(n == 1 and person.pk % 3 == 0))
            if not lines:
                continue
            sheet = services.timesheet_save(
                actor=person, week_start=week, version=None, lines=lines
            )
            services.timesheet_submit(actor=person, timesheet_id=sheet.pk, version=None)
            for project in {a.task.project for a in items}:
                if not sheet.lines.filter(project=project).exists():
                    continue
                actor = admin if project.manager_id == person.pk else project.manager
                services.timesheet_decide(
                    actor=actor, timesheet_id=sheet.pk, project_id=project.pk, decision="approve"
                )


def _week_lines(items: list[Assignment], week: dt.date, *, leave: bool) -> list[dict[str, Any]]:
    free = [HOURS_A_DAY] * 5 + [Decimal(0)] * 2
    lines: list[dict[str, Any]] = []
    if leave:
        lines.append({"category": "leave", "hours": [8, 0, 0, 0, 0, 0, 0]})
        free[0] = Decimal(0)
    for a in items:
        task = a.task
        start = task.actual_start
        finish = task.actual_finish or task.early_finish
        if start is None or finish is None:
            continue
        hours = []
        for i in range(7):
            day = week + dt.timedelta(days=i)
            wanted = HOURS_A_DAY * a.units if start <= day <= finish else Decimal(0)
            h = min(wanted, free[i])
            free[i] -= h
            hours.append(float(h))
        if any(hours):
            lines.append({"task_id": task.pk, "hours": hours})
    return lines
