"""Fixtures for the controls tests: a scheduled plan to link risks to, and a second project."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.planning import services as planning
from pmo.projects.models import Project
from pmo.projects.services import project_create, stakeholder_create

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def tasks(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    """Design (3 days, 300) then Build (30 days, 4,000) from Monday 1 March 2027."""
    pm = people["manager"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    design = planning.task_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "Design", "duration": 3, "planned_cost": "300"},
    )
    build = planning.task_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "Build", "duration": 30, "planned_cost": "4000"},
    )
    planning.dependency_create(
        actor=pm, project_id=project.pk, predecessor_id=design.pk, successor_id=build.pk
    )
    design.refresh_from_db()
    build.refresh_from_db()
    return {"design": design, "build": build}


@pytest.fixture
def other_project(people: dict[str, Any]) -> Project:
    """PRJ-002, also managed by `manager`, with one task and one stakeholder."""
    pm = people["manager"]
    other = project_create(actor=pm, code="PRJ-002", name="Warehouse")
    planning.schedule_update(actor=pm, project_id=other.pk, version=None, data={"start": MONDAY})
    planning.task_create(actor=pm, project_id=other.pk, data={"name": "Elsewhere", "duration": 1})
    stakeholder_create(actor=pm, project_id=other.pk, data={"name": "Other board"})
    return other


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    """`api_as("manager")` is a client with that person's API token; "anonymous" has none."""
    from django.test import Client

    from pmo.accounts.services import api_token_create

    def as_(who: str) -> Client:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_


@pytest.fixture
def add_rows(project: Project, people: dict[str, Any]) -> Any:
    """`add_rows(n)`: n more rows of each kind, linked to tasks, stakeholders and people."""
    from pmo.controls import services

    pm = people["manager"]
    added = iter(range(10_000))

    def add(n: int) -> None:
        stakeholder = stakeholder_create(actor=pm, project_id=project.pk, data={"name": "Board"})
        task_ids = list(project.tasks.values_list("pk", flat=True))
        for _ in range(n):
            i = next(added)
            services.risk_create(
                actor=pm,
                project_id=project.pk,
                data={"title": f"r{i}", "owner_id": pm.pk, "task_ids": task_ids},
            )
            services.budget_line_create(
                actor=pm,
                project_id=project.pk,
                data={"category": "labour", "period": dt.date(2027, 1 + i, 1), "amount": 10},
            )
            services.quality_item_create(
                actor=pm,
                project_id=project.pk,
                data={"deliverable": f"d{i}", "acceptance_criteria": "ok", "reviewer_id": pm.pk},
            )
            services.communication_item_create(
                actor=pm,
                project_id=project.pk,
                data={
                    "information": f"c{i}",
                    "owner_id": pm.pk,
                    "stakeholder_ids": [stakeholder.pk],
                },
            )

    return add
