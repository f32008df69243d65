"""The capacity forecast API: permission matrices, drill-down, what-if that writes nothing."""

from __future__ import annotations

import pytest

from pmo.planning.models import Task
from pmo.resources import services
from pmo.resources.models import Assignment, Resource

API = "/api/v1"
ROLES = ["anonymous", "outsider", "client", "member", "sponsor", "manager", "pmo_analyst",
         "pmo_admin"]  # fmt: skip
PMO_AND_EXECUTIVES = [401, 403, 403, 403, 200, 403, 200, 200]
Q = "start=2027-03-01&kind=week&count=2"


@pytest.fixture
def booked(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    return tasks


def _matrix(api_as, call):
    return [call(api_as(who)).status_code for who in ROLES]


def test_forecast_matrix_and_answer(api_as, booked):
    url = f"{API}/capacity/forecast?{Q}"
    assert _matrix(api_as, lambda c: c.get(url)) == PMO_AND_EXECUTIVES
    body = api_as("pmo_analyst").get(url + "&group_by=person").json()
    assert body["periods"] == ["2027-W09", "2027-W10"] and body["over_cells"] == 1
    assert body["rows"][0]["label"] == "Ada" and body["rows"][0]["utilisation"] == [2.0, 0.0]
    bad = api_as("pmo_analyst").get(f"{API}/capacity/forecast?start=2027-03-01&group_by=team")
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"


def test_cell_matrix_and_answer(api_as, booked):
    url = f"{API}/capacity/forecast/cell?{Q}&cell=Developer&period=2027-W09"
    assert _matrix(api_as, lambda c: c.get(url)) == PMO_AND_EXECUTIVES
    body = api_as("pmo_admin").get(url).json()
    assert body["demand"] == 80.0 and {t["task"] for t in body["tasks"]} == {"Design", "Build"}
    missing = api_as("pmo_admin").get(url.replace("2027-W09", "2031-W01"))
    assert missing.status_code == 422


def test_what_if_matrix_writes_nothing(api_as, booked, project):
    url = f"{API}/capacity/what-if"
    body = {
        "start": "2027-03-01",
        "kind": "week",
        "count": 2,
        "hires": [{"role": "Developer", "count": 1, "start": "2027-03-01"}],
        "delays": {str(project.pk): 1},
    }

    def state():
        return (
            list(Task.objects.values_list("pk", "version", "early_start", "early_finish")),
            list(Assignment.objects.values_list("pk", "version", "work_hours")),
            Resource.objects.count(),
        )

    before = state()
    got = _matrix(api_as, lambda c: c.post(url, body, content_type="application/json"))
    assert got == PMO_AND_EXECUTIVES
    answer = api_as("pmo_admin").post(url, body, content_type="application/json").json()
    assert answer["rows"][0]["supply"] == [80.0, 80.0]
    assert answer["rows"][0]["demand"] == [0.0, 80.0]
    assert state() == before
    body["drops"] = [999999]
    response = api_as("pmo_admin").post(url, body, content_type="application/json")
    assert response.status_code == 422 and "not a running project" in response.json()["detail"]
