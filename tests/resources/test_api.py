"""The resources API: the permission matrix of every operation, and what they answer."""

from __future__ import annotations

import pytest

from pmo.resources import services

API = "/api/v1"
ROLES = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]
# The pool is seen by the PMO, executives and project managers (outsider is one), edited by the PMO.
POOL_READ = [401, 200, 403, 403, 403, 200, 200, 200]


def pool_write(ok: int) -> list[int]:
    return [401, 403, 403, 403, 403, 403, 403, ok]


def read(ok: int = 200) -> list[int]:
    return [401, 404, 404, ok, ok, ok, ok, ok]


def write(ok: int) -> list[int]:
    return [401, 404, 404, 403, 403, 403, ok, ok]


@pytest.fixture
def assignment(project, people, tasks, pool):
    return services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": tasks["design"].pk, "resource_id": pool["ada"].pk},
    )


def _version(row):
    row.refresh_from_db()
    return row.version


def _matrix(api_as, expected, call):
    got = [call(api_as(who)).status_code for who in ROLES]
    assert got == expected


def test_pool_reads(api_as, pool):
    ada = pool["ada"].pk
    _matrix(api_as, POOL_READ, lambda c: c.get(f"{API}/resources"))
    _matrix(api_as, POOL_READ, lambda c: c.get(f"{API}/resources/{ada}"))
    _matrix(api_as, POOL_READ, lambda c: c.get(f"{API}/resources/usage?start=2027-03-01&weeks=2"))


def test_pool_writes(api_as, pool):
    role, ada = pool["role"].pk, pool["ada"].pk
    _matrix(
        api_as,
        pool_write(201),
        lambda c: c.post(
            f"{API}/resources", {"name": "Bo", "role_id": role}, content_type="application/json"
        ),
    )
    _matrix(
        api_as,
        pool_write(201),
        lambda c: c.post(
            f"{API}/resources/{ada}/rates",
            {"effective_from": "2028-01-01", "hourly_rate": "90"},
            content_type="application/json",
        ),
    )


def test_pool_patch_is_versioned(api_as, pool):
    ada = pool["ada"].pk
    url = f"{API}/resources/{ada}"
    _matrix(
        api_as,
        pool_write(200),
        lambda c: c.patch(url, {"version": 1, "department": "IT"}, content_type="application/json"),
    )
    stale = api_as("pmo_admin").patch(
        url, {"version": 1, "department": "Ops"}, content_type="application/json"
    )
    assert stale.status_code == 409


def test_assignment_reads_and_writes(api_as, project, tasks, pool, assignment):
    base = f"{API}/projects/{project.pk}/assignments"
    _matrix(api_as, read(), lambda c: c.get(base))
    _matrix(
        api_as,
        write(200),
        lambda c: c.patch(
            f"{base}/{assignment.pk}",
            {"version": _version(assignment), "units": "1"},
            content_type="application/json",
        ),
    )
    body = api_as("manager").get(base).json()
    assert body["items"] == [
        {
            "id": assignment.pk,
            "task_id": tasks["design"].pk,
            "task_name": "Design",
            "resource_id": pool["ada"].pk,
            "resource_name": "Ada",
            "units": "1.00",
            "work_hours": "40.00",
            "labour_cost": "3200.00",
            "version": _version(assignment),
        }
    ]


def test_assignment_create_and_delete(api_as, project, tasks, pool):
    base = f"{API}/projects/{project.pk}/assignments"
    _matrix(
        api_as,
        [401, 404, 404, 403, 403, 403, 201, 422],  # the second create is a duplicate
        lambda c: c.post(
            base,
            {"task_id": tasks["build"].pk, "resource_id": pool["dev"].pk, "units": "0.5"},
            content_type="application/json",
        ),
    )
    created = api_as("manager").get(base).json()["items"][0]
    assert (created["work_hours"], created["labour_cost"]) == ("20.00", "1000.00")
    _matrix(
        api_as,
        write(204)[:-1] + [404],  # deleted by the manager, so gone for the PMO
        lambda c: c.delete(f"{base}/{created['id']}"),
    )


def test_usage_answers_the_heat_map(api_as, project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    body = (
        api_as("pmo_analyst")
        .get(f"{API}/resources/usage?start=2027-03-03&weeks=1&group_by=role")
        .json()
    )
    assert body == {
        "group_by": "role",
        "start": "2027-03-01",
        "weeks": ["2027-W09"],
        "starts": ["2027-03-01"],
        "rows": [
            {
                "key": "role-Developer",
                "label": "Developer",
                "cells": [
                    {"supply": 40.0, "demand": 80.0, "utilisation": 2.0, "over_allocated": True}
                ],
            }
        ],
    }
    bad = api_as("pmo_admin").get(f"{API}/resources/usage?start=2027-03-03&group_by=team")
    assert bad.status_code == 422
