"""Fixtures for the resources tests: a scheduled plan, a job role and two people of the pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.planning import services as planning
from pmo.projects.models import Project
from pmo.resources import services

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def tasks(project: Project, people: dict[str, Any]) -> dict[str, Any]:
    """Design (5 days) and Build (5 days), both from Monday 1 March 2027, in parallel."""
    pm = people["manager"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    design = planning.task_create(
        actor=pm, project_id=project.pk, data={"name": "Design", "duration": 5}
    )
    build = planning.task_create(
        actor=pm, project_id=project.pk, data={"name": "Build", "duration": 5}
    )
    design.refresh_from_db()
    build.refresh_from_db()
    return {"design": design, "build": build}


@pytest.fixture
def pool(people: dict[str, Any]) -> dict[str, Any]:
    """Role 'Developer' (default 50/h); Ada (a person, 80/h from 2027) and a placeholder."""
    admin = people["pmo_admin"]
    role = services.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    ada = services.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": people["member"].pk}
    )
    services.resource_rate_create(
        actor=admin,
        resource_id=ada.pk,
        data={"effective_from": dt.date(2027, 1, 1), "hourly_rate": 80},
    )
    dev = services.resource_create(
        actor=admin, data={"name": "Developer (TBD)", "role_id": role.pk, "is_placeholder": True}
    )
    return {"role": role, "ada": ada, "dev": dev}


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
