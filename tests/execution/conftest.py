"""Fixtures for execution: a plan under way since Monday 5 October 2026 (Design 5 days, then
Build 10 days), Ada (the `member`) assigned to both at 80/h (90/h from 19 October)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.planning import services as planning
from pmo.projects.models import Project
from pmo.resources import services as resources

START = dt.date(2026, 10, 5)  # a Monday, in the past


@pytest.fixture
def plan(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    pm, admin = people["manager"], people["pmo_admin"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": START})
    design = planning.task_create(
        actor=pm, project_id=project.pk, data={"name": "Design", "duration": 5}
    )
    build = planning.task_create(
        actor=pm, project_id=project.pk, data={"name": "Build", "duration": 10}
    )
    planning.dependency_create(
        actor=pm, project_id=project.pk, predecessor_id=design.pk, successor_id=build.pk
    )
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    ada = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": people["member"].pk}
    )
    resources.resource_rate_create(
        actor=admin, resource_id=ada.pk, data={"effective_from": START, "hourly_rate": 80}
    )
    resources.resource_rate_create(
        actor=admin,
        resource_id=ada.pk,
        data={"effective_from": dt.date(2026, 10, 19), "hourly_rate": 90},
    )
    for task in (design, build):
        resources.assignment_create(
            actor=pm, project_id=project.pk, data={"task_id": task.pk, "resource_id": ada.pk}
        )
    design.refresh_from_db()
    build.refresh_from_db()
    return {"design": design, "build": build, "ada": ada, "role": role, "project": project}


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
