"""The levelling API: permission matrices of every operation, a stale preview (409), problems."""

from __future__ import annotations

import pytest

from pmo.resources import services
from pmo.resources.models import LevelingRun

API = "/api/v1"
ROLES = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]
EDITORS = [401, 404, 404, 403, 403, 403, 200, 200]
READERS = [401, 404, 404, 200, 200, 200, 200, 200]


@pytest.fixture
def clash(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    return tasks


def _preview(project, people):
    return services.leveling_preview(actor=people["manager"], project_id=project.pk)


def _accepted(project, people):
    result = _preview(project, people)
    return services.leveling_accept(
        actor=people["manager"],
        project_id=project.pk,
        signature=result.signature,
        starts=result.starts,
        reason="matrix",
    )


def test_preview_matrix_and_shape(api_as, project, clash):
    url = f"{API}/projects/{project.pk}/leveling/preview"
    got = [api_as(who).get(url).status_code for who in ROLES]
    assert got == EDITORS
    body = api_as("manager").get(url + "?within_slack=false").json()
    assert body["status"] == "optimal" and body["acceptable"]
    assert body["histogram"]["peak_before"] == 2.0 and body["histogram"]["peak_after"] == 1.0
    assert list(body["starts"].values()) == ["2027-03-08"]
    assert api_as("manager").get(url + "?within_slack=true").json()["status"] == "infeasible"


def test_accept_matrix(api_as, project, people, clash):
    url = f"{API}/projects/{project.pk}/leveling/runs"
    got = []
    for who in ROLES:
        result = _preview(project, people)
        body = {"signature": result.signature, "starts": result.starts, "reason": "Ada twice"}
        got.append(api_as(who).post(url, body, content_type="application/json").status_code)
        for run in LevelingRun.objects.filter(cleared_at__isnull=True):
            services.leveling_clear(actor=people["manager"], project_id=project.pk, run_id=run.pk)
    assert got == [401, 404, 404, 403, 403, 403, 201, 201]


def test_accept_refuses_a_stale_preview_and_bad_input(api_as, project, people, clash):
    url = f"{API}/projects/{project.pk}/leveling/runs"
    client = api_as("manager")
    result = _preview(project, people)
    body = {"signature": result.signature, "starts": result.starts, "reason": " "}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body["starts"] = {"1": "not a date"}
    assert client.post(url, body, content_type="application/json").status_code == 422
    body = {"signature": "0" * 32, "starts": result.starts, "reason": "Ada twice"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 409
    assert "changed since" in response.json()["detail"]
    assert not LevelingRun.objects.exists()


def test_run_list_and_clear_matrices(api_as, project, people, clash):
    run = _accepted(project, people)
    url = f"{API}/projects/{project.pk}/leveling/runs"
    assert [api_as(who).get(url).status_code for who in ROLES] == READERS
    items = api_as("manager").get(url).json()["items"]
    assert items[0]["moves"][0]["start_before"] == "2027-03-01"
    assert items[0]["moves"][0]["previous_constraint_type"] == "ASAP"
    clear = f"{url}/{run.pk}/clear"
    got = [api_as(who).post(clear).status_code for who in ROLES]
    # the manager clears it; the PMO then finds it already cleared
    assert got == [401, 404, 404, 403, 403, 403, 200, 409]
    assert api_as("manager").post(f"{url}/999999/clear").status_code == 404


def test_the_run_list_costs_the_same_queries_for_one_run_or_three(api_as, project, people, clash):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/leveling/runs"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    run = _accepted(project, people)
    count()  # the token's first use is recorded once
    one = count()
    for _ in range(2):
        services.leveling_clear(actor=people["manager"], project_id=project.pk, run_id=run.pk)
        run = _accepted(project, people)
    assert LevelingRun.objects.count() == 3
    assert count() == one
