"""A project under way, measured against its baseline: Design (10 days, 10,000) done, Build
(20 days, 20,000) a quarter done, Test (10 days, 10,000) not started, and the Go-live
milestone; the status date is the end of Build's second week (PV 20,000), so EV is 15,000
and, with 20,000 spent, both SPI and CPI are 0.75 — a red project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pmo.execution import services as execution
from pmo.monitoring import services
from pmo.planning import services as planning
from pmo.projects.models import Project, Stage

START = dt.date(2026, 1, 5)  # a Monday
STATUS = dt.date(2026, 1, 30)  # Friday of week 4: Design done (10 days) + 10 days of Build


@pytest.fixture
def measured(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    return arrange(project, people["manager"])


def arrange(project: Project, pm: Any) -> dict[str, Any]:
    """Plan, baseline, progress, status date and cost of the red project described above."""
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": START})
    tasks = {}
    previous = None
    for name, days, cost in (
        ("Design", 10, 10_000),
        ("Build", 20, 20_000),
        ("Test", 10, 10_000),
        ("Go-live", 0, None),
    ):
        tasks[name] = planning.task_create(
            actor=pm,
            project_id=project.pk,
            data={"name": name, "duration": days, "planned_cost": cost},
        )
        if previous is not None:
            planning.dependency_create(
                actor=pm,
                project_id=project.pk,
                predecessor_id=previous.pk,
                successor_id=tasks[name].pk,
            )
        previous = tasks[name]
    planning.baseline_capture(actor=pm, project_id=project.pk, name="Approved plan")
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.EXECUTION, actual_start=START, planned_start=START
    )
    project.refresh_from_db()
    execution.progress_update(
        actor=pm,
        project_id=project.pk,
        task_id=tasks["Design"].pk,
        version=None,
        data={"actual_start": START, "actual_finish": dt.date(2026, 1, 16)},
    )
    execution.progress_update(
        actor=pm,
        project_id=project.pk,
        task_id=tasks["Build"].pk,
        version=None,
        data={"actual_start": dt.date(2026, 1, 19), "percent_complete": 25},
    )
    execution.status_date_set(actor=pm, project_id=project.pk, version=None, status_date=STATUS)
    execution.cost_create(
        actor=pm,
        project_id=project.pk,
        data={
            "kind": "invoice",
            "category": "contracts",
            "date": dt.date(2026, 1, 20),
            "amount": Decimal("20000.00"),
            "vendor": "Northwind",
            "description": "Design and build work",
        },
    )
    return {"project": project, "tasks": tasks}


@pytest.fixture
def cadence(people: dict[str, Any]) -> Any:
    """Weekly reports due on Fridays for IT projects, from the project's start."""
    return services.cadence_create(
        actor=people["pmo_admin"],
        data={"project_type": "other", "frequency": "weekly", "day_due": 4, "starts_on": START},
    )


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    """`api_as("manager")` is a client with that person's API token; "anonymous" has none."""
    from django.test import Client

    from pmo.accounts.services import api_token_create

    def as_(who: str) -> Any:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_
