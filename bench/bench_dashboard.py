"""Portfolio dashboard speed: N projects (default 1,000) with plans, budgets, actuals and risks.

Builds the portfolio in bulk (per project: 12 monthly budget lines, 4 recorded costs, 4 weeks of
approved timesheet hours, 10 tasks with a milestone, a current baseline, 6 risks, 2 issues, one
in five projects converted from an intake request with its estimates, one in ten in a program),
then times the server side of the dashboard page (`GET /portfolio/dashboard/`, HTML with its
chart data) and of the API (`GET /api/v1/portfolio-dashboard`) through Django's test client:
the median of `--repeat` requests, and the queries of one. Beside the same at N/10 projects, to
show the query count does not grow. Run on SQLite with `make bench-dashboard`, on PostgreSQL with
`scripts/with-postgres.sh uv run python bench/bench_dashboard.py` (it uses DATABASE_URL when
set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.base")
os.environ.setdefault("PMO_VAR_DIR", tempfile.mkdtemp(prefix="pmo-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")


def setup_database() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    # the page links its CSS and scripts: serve them as they are, without collectstatic
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", "--no-input", "-v", "0")


def build(n: int, prefix: str, seed: int = 7) -> Any:
    """`n` projects with everything the dashboard reads; returns the PMO user who reads it."""
    from pmo.accounts.models import OrgRole, User
    from pmo.accounts.services import user_create
    from pmo.changes.models import Escalation, Issue, IssuePriority
    from pmo.controls.models import BudgetLine, CostCategory, Risk, RiskStatus
    from pmo.execution.models import ActualCost, LineState, Timesheet, TimesheetLine
    from pmo.planning.models import Baseline, BaselineTask, Task
    from pmo.portfolio.models import (
        EstimateKind,
        IntakeRequest,
        Portfolio,
        Program,
        ProgramProject,
        RequestEstimate,
        RequestState,
    )
    from pmo.projects.models import Health, Project, Stage
    from pmo.resources.models import JobRole, Resource, ResourceRate

    rng = random.Random(seed)
    pmo = User.objects.filter(username="bench-pmo").first() or user_create(
        username="bench-pmo", password=None, org_role=OrgRole.PMO_ADMIN
    )
    pm = User.objects.filter(username="bench-pm").first() or user_create(
        username="bench-pm", password=None, org_role=OrgRole.PROJECT_MANAGER
    )
    portfolios = [
        Portfolio.objects.get_or_create(name=f"{prefix} portfolio {k}")[0] for k in range(4)
    ]
    role, _ = JobRole.objects.get_or_create(name="Engineer", defaults={"default_rate": 90})
    resources = Resource.objects.bulk_create(
        Resource(name=f"{prefix} engineer {k}", role=role) for k in range(20)
    )
    ResourceRate.objects.bulk_create(
        ResourceRate(resource=r, effective_from=dt.date(2026, 1, 1), hourly_rate=95)
        for r in resources
    )
    start = dt.date(2026, 1, 5)
    projects = Project.objects.bulk_create(
        Project(
            code=f"{prefix}-{i:05d}",
            name=f"Benchmark project {i}",
            manager=pm,
            portfolio=portfolios[i % 4],
            stage=rng.choice(Stage.values),
            health=rng.choice(Health.values),
            planned_start=start + dt.timedelta(days=rng.randrange(0, 700)),
            planned_finish=None,
        )
        for i in range(n)
    )
    for p in projects:
        p.planned_finish = p.planned_start + dt.timedelta(days=rng.randrange(60, 600))
    Project.objects.bulk_update(projects, ["planned_finish"], batch_size=500)
    BudgetLine.objects.bulk_create(
        (
            BudgetLine(
                project=p, category=rng.choice(CostCategory.values),
                period=dt.date(2026, m, 1), amount=Decimal(rng.randrange(1000, 50000)),
            )
            for p in projects
            for m in range(1, 13)
        ),
        batch_size=2000,
    )  # fmt: skip
    ActualCost.objects.bulk_create(
        (
            ActualCost(
                project=p, category=CostCategory.MATERIALS, date=dt.date(2026, m, 10),
                amount=Decimal(rng.randrange(500, 20000)), description="Bench cost",
            )
            for p in projects
            for m in range(1, 5)
        ),
        batch_size=2000,
    )  # fmt: skip
    tasks: list[Task] = []
    for p in projects:
        for k in range(10):
            day = p.planned_start + dt.timedelta(days=14 * k)
            tasks.append(
                Task(
                    project=p, name=f"Task {k}", position=k, duration=0 if k == 9 else 10,
                    planned_cost=Decimal(5000), percent_complete=rng.choice([0, 25, 50, 100]),
                    early_start=day, early_finish=day + dt.timedelta(days=9 if k < 9 else 0),
                )
            )  # fmt: skip
    tasks = Task.objects.bulk_create(tasks, batch_size=2000)
    weeks = [dt.date(2026, 3, 2) + dt.timedelta(days=7 * w) for w in range(4)]
    sheets = {
        (r.pk, w): Timesheet.objects.create(person=pmo if k % 2 else pm, week_start=w)
        if not Timesheet.objects.filter(person=pmo if k % 2 else pm, week_start=w).exists()
        else Timesheet.objects.get(person=pmo if k % 2 else pm, week_start=w)
        for k, r in enumerate(resources[:2])
        for w in weeks
    }
    sheet_list = list(sheets.values())
    TimesheetLine.objects.bulk_create(
        (
            TimesheetLine(
                timesheet=sheet_list[(i + w) % len(sheet_list)], project_id=t.project_id, task=t,
                resource=resources[i % len(resources)], hours=[8, 8, 4, 0, 0, 0, 0],
                state=LineState.APPROVED,
            )
            for i, t in enumerate(tasks[::10])
            for w in range(4)
        ),
        batch_size=2000,
    )  # fmt: skip
    baselines = Baseline.objects.bulk_create(
        Baseline(project=p, number=0, name="Approved", is_current=True, finish=p.planned_finish)
        for p in projects
    )
    by_project = {b.project_id: b for b in baselines}
    BaselineTask.objects.bulk_create(
        (
            BaselineTask(
                baseline=by_project[t.project_id], task=t, name=t.name, duration=t.duration,
                start=t.early_start, finish=t.early_finish - dt.timedelta(days=rng.choice([0, 5])),
            )
            for t in tasks
        ),
        batch_size=2000,
    )  # fmt: skip
    Risk.objects.bulk_create(
        (
            Risk(
                project=p, number=k + 1, title=f"Risk {k}", probability=rng.randrange(1, 6),
                impact=rng.randrange(1, 6), owner=pm,
                status=RiskStatus.OPEN if k < 4 else RiskStatus.CLOSED,
            )
            for p in projects
            for k in range(6)
        ),
        batch_size=2000,
    )  # fmt: skip
    Issue.objects.bulk_create(
        (
            Issue(
                project=p, number=k + 1, title=f"Issue {k}", priority=IssuePriority.HIGH,
                escalation=Escalation.ESCALATED if (i + k) % 7 == 0 else Escalation.NONE,
                escalated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            )
            for i, p in enumerate(projects)
            for k in range(2)
        ),
        batch_size=2000,
    )  # fmt: skip
    top = IntakeRequest.objects.order_by("-number").values_list("number", flat=True).first() or 0
    requests = IntakeRequest.objects.bulk_create(
        IntakeRequest(
            number=top + i + 1, title=p.name, requester=pm, portfolio=p.portfolio,
            state=RequestState.CONVERTED, project=p,
        )
        for i, p in enumerate(projects[::5])
    )  # fmt: skip
    RequestEstimate.objects.bulk_create(
        (
            RequestEstimate(
                request=r, kind=kind, period=y,
                amount=Decimal(rng.randrange(10_000, 200_000)),
            )
            for r in requests
            for kind in EstimateKind.values
            for y in range(3)
        ),
        batch_size=2000,
    )  # fmt: skip
    programs = Program.objects.bulk_create(
        Program(name=f"{prefix} program {k}", portfolio=portfolios[k % 4])
        for k in range(max(1, n // 100))
    )
    ProgramProject.objects.bulk_create(
        ProgramProject(program=programs[i % len(programs)], project=p)
        for i, p in enumerate(projects[::10])
    )
    return pmo


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU milliseconds of `fn`, and the queries of one call.

    CPU time is this process's (SQLite runs in it; a PostgreSQL server's own work is not
    counted): on a shared machine it shows what the request costs without the wait for a core.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm caches
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return statistics.median(wall), statistics.median(cpu), len(ctx.captured_queries)


def scenario(pmo: Any, repeat: int) -> dict[str, Any]:
    from django.test import Client

    from pmo.projects.models import Project

    client = Client(headers={"host": "localhost"})
    client.force_login(pmo)

    def page() -> None:
        response = client.get("/portfolio/dashboard/")
        assert response.status_code == 200, response.content[:300]

    def api() -> None:
        response = client.get("/api/v1/portfolio-dashboard")
        assert response.status_code == 200, response.content[:300]

    return {
        "projects": Project.objects.count(),
        "page": measure(page, repeat),
        "api": measure(api, repeat),
        "bytes": len(client.get("/portfolio/dashboard/").content),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    setup_database()
    from django.db import connection

    print(
        f"database: {connection.vendor}; median of {args.repeat} requests; test client, no socket"
    )
    print(
        f"{'projects':>8} | {'page: wall ms, CPU ms (queries)':>32} | "
        f"{'API: wall ms, CPU ms (queries)':>32} | {'build s':>7}",
        flush=True,
    )
    small = max(10, args.projects // 10)
    # the same database grows from the small portfolio to the large one
    for label, more in (("A", small), ("B", args.projects - small)):
        built = time.perf_counter()
        pmo = build(more, label)
        built = time.perf_counter() - built
        r = scenario(pmo, args.repeat)
        page, api = (f"{r[k][0]:7.1f}, {r[k][1]:7.1f} ({r[k][2]:>3})" for k in ("page", "api"))
        print(f"{r['projects']:>8} | {page:>32} | {api:>32} | {built:7.1f}", flush=True)
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
