"""A plan Design (5 d) → Build (10 d) → Test (5 d) with planned costs, and a register risk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.controls import services as controls
from pmo.planning import services as planning
from pmo.projects.models import Project

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def plan(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    pm = people["manager"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    tasks = {
        name: planning.task_create(
            actor=pm,
            project_id=project.pk,
            data={"name": name, "duration": days, "planned_cost": cost},
        )
        for name, days, cost in (("Design", 5, 5000), ("Build", 10, 20000), ("Test", 5, 5000))
    }
    for a, b in (("Design", "Build"), ("Build", "Test")):
        planning.dependency_create(
            actor=pm, project_id=project.pk, predecessor_id=tasks[a].pk, successor_id=tasks[b].pk
        )
    for t in tasks.values():
        t.refresh_from_db()
    return tasks


@pytest.fixture
def risk(project: Project, people: dict[str, Any], plan: dict[str, Any]) -> Any:
    return controls.risk_create(
        actor=people["manager"],
        project_id=project.pk,
        data={
            "title": "Vendor API late",
            "probability": 4,
            "impact": 3,
            "schedule_impact_days": 4,
            "cost_impact": 3000,
            "task_ids": [plan["Build"].pk],
        },
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
