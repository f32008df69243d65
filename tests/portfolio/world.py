"""A small portfolio of projects with money, risks, issues and milestones, built straight in the
database (fast) for the program and dashboard tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pmo.changes.models import Escalation, Issue
from pmo.controls.models import BudgetLine, CostCategory, Risk
from pmo.execution.models import ActualCost, LineState, Timesheet, TimesheetLine
from pmo.planning.models import Baseline, BaselineTask, Task
from pmo.portfolio.models import Portfolio
from pmo.projects.models import Health, Project, Stage
from pmo.resources.models import JobRole, Resource, ResourceRate

MONDAY = dt.date(2026, 3, 2)


def build_projects(
    n: int, *, manager: Any, portfolio: Portfolio | None = None, prefix: str = "P"
) -> list[Project]:
    """`n` projects: the i-th has a budget of 1000·(i+1), an expense of 500·(i+1), 10 approved
    hours at 50 an hour (80 before the rate), an open threat 4×(i%5+1), every third an escalated
    issue, every second a milestone three days late against the current baseline."""
    healths = [Health.GREEN, Health.AMBER, Health.RED]
    stages = [Stage.INITIATION, Stage.EXECUTION, Stage.EXECUTION, Stage.CLOSED]
    projects = Project.objects.bulk_create(
        Project(
            code=f"{prefix}-{i:04d}",
            name=f"Project {i}",
            manager=manager,
            portfolio=portfolio,
            health=healths[i % 3],
            stage=stages[i % 4],
            planned_start=dt.date(2026, 1, 1) + dt.timedelta(days=7 * i),
            planned_finish=dt.date(2026, 6, 30) + dt.timedelta(days=7 * i),
        )
        for i in range(n)
    )
    role, _ = JobRole.objects.get_or_create(name="Builder", defaults={"default_rate": 80})
    resource = Resource.objects.create(name=f"Builder {prefix}", role=role)
    ResourceRate.objects.create(resource=resource, effective_from=MONDAY, hourly_rate=50)
    sheet, _ = Timesheet.objects.get_or_create(person=manager, week_start=MONDAY)
    BudgetLine.objects.bulk_create(
        BudgetLine(
            project=p, category=CostCategory.LABOUR, period=dt.date(2026, 3, 1),
            amount=Decimal(1000 * (i + 1)),
        )
        for i, p in enumerate(projects)
    )  # fmt: skip
    ActualCost.objects.bulk_create(
        ActualCost(
            project=p, category=CostCategory.MATERIALS, date=dt.date(2026, 3, 5),
            amount=Decimal(500 * (i + 1)), description="Parts",
        )
        for i, p in enumerate(projects)
    )  # fmt: skip
    work = Task.objects.bulk_create(Task(project=p, name="Build", duration=5) for p in projects)
    TimesheetLine.objects.bulk_create(
        TimesheetLine(
            timesheet=sheet, project=p, task=w, resource=resource, hours=[5, 5, 0, 0, 0, 0, 0],
            state=LineState.APPROVED,
        )
        for p, w in zip(projects, work, strict=True)
    )  # fmt: skip
    Risk.objects.bulk_create(
        Risk(project=p, number=1, title=f"Supplier late {i}", probability=4, impact=i % 5 + 1)
        for i, p in enumerate(projects)
    )
    Issue.objects.bulk_create(
        Issue(
            project=p, number=1, title="Permit refused", escalation=Escalation.ESCALATED,
            escalation_ask="Talk to the council",
            escalated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        )
        for i, p in enumerate(projects)
        if i % 3 == 0
    )  # fmt: skip
    tasks = Task.objects.bulk_create(
        Task(
            project=p, name="Go-live", duration=0, early_start=dt.date(2026, 5, 4),
            early_finish=dt.date(2026, 5, 4),
        )
        for i, p in enumerate(projects)
        if i % 2 == 0
    )  # fmt: skip
    baselines = Baseline.objects.bulk_create(
        Baseline(project_id=t.project_id, number=0, name="Approved", is_current=True,
                 finish=dt.date(2026, 5, 1))
        for t in tasks
    )  # fmt: skip
    BaselineTask.objects.bulk_create(
        BaselineTask(baseline=b, task=t, name=t.name, start=dt.date(2026, 5, 1),
                     finish=dt.date(2026, 5, 1), duration=0)
        for b, t in zip(baselines, tasks, strict=True)
    )  # fmt: skip
    return projects
