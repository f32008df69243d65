"""The controls over the API: the permission matrix of every operation, and what they answer."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo.controls import services

API = "/api/v1"
ROLES = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]


def read(ok: int = 200) -> list[int]:
    return [401, 404, 404, ok, ok, ok, ok, ok]


def write(ok: int) -> list[int]:
    return [401, 404, 404, 403, 403, 403, ok, ok]


@pytest.fixture
def rows(project, people):
    """One row of each kind, made by the manager, keyed by operation prefix."""
    pm, pid = people["manager"], project.pk
    return {
        "risk": services.risk_create(actor=pm, project_id=pid, data={"title": "Strike"}),
        "budget_line": services.budget_line_create(
            actor=pm,
            project_id=pid,
            data={"category": "labour", "period": dt.date(2027, 3, 1), "amount": 100},
        ),
        "quality_item": services.quality_item_create(
            actor=pm, project_id=pid, data={"deliverable": "Portal", "acceptance_criteria": "UAT"}
        ),
        "communication_item": services.communication_item_create(
            actor=pm, project_id=pid, data={"information": "Newsletter"}
        ),
    }


PATHS = {
    "risk": "risks",
    "budget_line": "budget-lines",
    "quality_item": "quality-items",
    "communication_item": "communication-items",
}
BODIES = {
    "risk": {"title": "Flood", "probability": 4, "impact": 5, "strategy": "transfer"},
    "budget_line": {"category": "materials", "period": "2027-04-15", "amount": "250.00"},
    "quality_item": {"deliverable": "Docs", "acceptance_criteria": "Reviewed by ops"},
    "communication_item": {"information": "Steering committee", "channel": "meeting"},
}
PATCHES = {
    "risk": {"impact": 1},
    "budget_line": {"amount": "90"},
    "quality_item": {"status": "accepted"},
    "communication_item": {"frequency": "weekly"},
}

# operation: (method, path under the project given the rows, body or None, codes in ROLES order)
MATRIX: dict[str, tuple] = {
    "risk_heat_map": ("get", lambda r: "risks/heat-map", None, read()),
    "budget_summary": ("get", lambda r: "budget/summary", None, read()),
}
for _name, _path in PATHS.items():
    MATRIX |= {
        f"{_name}_list": ("get", lambda r, p=_path: p, None, read()),
        f"{_name}_create": ("post", lambda r, p=_path: p, BODIES[_name], write(201)),
        f"{_name}_get": ("get", lambda r, p=_path, n=_name: f"{p}/{r[n].pk}", None, read()),
        f"{_name}_update": (
            "patch",
            lambda r, p=_path, n=_name: f"{p}/{r[n].pk}",
            {"version": 1, **PATCHES[_name]},
            write(200),
        ),
        f"{_name}_delete": (
            "delete",
            lambda r, p=_path, n=_name: f"{p}/{r[n].pk}",
            None,
            write(204),
        ),
    }

CASES = [
    pytest.param(op, who, spec[3][i], id=f"{op}-{who}")
    for op, spec in MATRIX.items()
    for i, who in enumerate(ROLES)
]


def test_matrix_covers_every_controls_operation():
    from pmo.api.controls import router

    operations = {
        op.operation_id
        for path_view in router.path_operations.values()
        for op in path_view.operations
    }
    assert operations == set(MATRIX)


@pytest.mark.parametrize(("operation", "who", "expected"), CASES)
def test_permission_matrix(operation, who, expected, api_as, project, rows):
    method, path, body, _ = MATRIX[operation]
    url = f"{API}/projects/{project.pk}/{path(rows)}"
    client = api_as(who)
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_risk_round_trip(api_as, project, people, tasks):
    client = api_as("manager")
    base = f"{API}/projects/{project.pk}/risks"
    created = _post(
        client,
        base,
        {
            "title": "Key supplier fails",
            "kind": "threat",
            "probability": 4,
            "impact": 5,
            "cost_impact": "12000.00",
            "schedule_impact_days": 10,
            "owner_id": people["member"].pk,
            "strategy": "mitigate",
            "task_ids": [tasks["build"].pk],
        },
    )
    assert created.status_code == 201, created.content
    risk = created.json()
    assert (risk["number"], risk["score"], risk["owner"]["username"]) == (1, 20, "member")
    assert risk["tasks"] == [{"id": tasks["build"].pk, "wbs": "2", "name": "Build"}]
    assert risk["cost_impact"] == "12000.00"
    changed = client.patch(
        f"{base}/{risk['id']}",
        {"version": 1, "probability": 2, "task_ids": []},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["score"], changed.json()["tasks"], changed.json()["version"]) == (
        10,
        [],
        2,  # fields and links change in one new version
    )
    stale = client.patch(
        f"{base}/{risk['id']}", {"version": 1, "impact": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Risk R-1 was changed by someone else")


def test_a_refused_strategy_answers_422_with_the_message(api_as, project):
    response = _post(
        api_as("manager"),
        f"{API}/projects/{project.pk}/risks",
        {"title": "Bulk discount", "kind": "opportunity", "strategy": "avoid"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "strategy: 'avoid' is not a response to opportunities; "
        "use one of: exploit, enhance, share, accept, escalate."
    )


def test_the_register_is_filtered_and_paginated(api_as, project, people):
    for n in range(3):
        services.risk_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"title": f"r{n}", "kind": "opportunity" if n else "threat", "impact": n + 1},
        )
    client = api_as("member")
    base = f"{API}/projects/{project.pk}/risks"
    page = client.get(base, {"kind": "opportunity", "limit": 1}).json()
    assert page["count"] == 2
    assert [r["title"] for r in page["items"]] == ["r2"]
    heat = client.get(f"{base}/heat-map", {"kind": "opportunity"}).json()
    assert heat["total"] == 2
    assert heat["rows"][2][2] == {
        "probability": 3,
        "impact": 3,
        "score": 9,
        "level": "medium",
        "count": 1,
        "risk_ids": [page["items"][0]["id"]],
    }


def test_the_budget_summary_answers_months_rows_and_totals(api_as, project, people, tasks):
    services.budget_line_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"category": "labour", "period": dt.date(2027, 3, 9), "amount": "1000"},
    )
    summary = api_as("viewer").get(f"{API}/projects/{project.pk}/budget/summary").json()
    assert summary["months"] == ["2027-03-01", "2027-04-01"]
    assert summary["budget"]["amounts"] == ["1000.00", "0.00"]
    assert summary["budget"]["cumulative"] == ["1000.00", "1000.00"]
    assert summary["tasks"]["amounts"] == ["2966.67", "1333.33"]
    assert summary["task_cost_total"] == "4300.00"
    assert [row["key"] for row in summary["categories"]] == [
        "labour",
        "materials",
        "contracts",
        "other",
    ]


def test_the_communication_plan_names_its_audience_and_what_is_overdue(api_as, project, people):
    from pmo.projects.services import stakeholder_create

    board = stakeholder_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Board"}
    )
    client = api_as("manager")
    created = _post(
        client,
        f"{API}/projects/{project.pk}/communication-items",
        {"information": "Status report", "stakeholder_ids": [board.pk], "next_due": "2020-01-06"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["audience"] == [{"id": board.pk, "name": "Board"}]
    assert created.json()["is_overdue"] is True
    listed = client.get(f"{API}/projects/{project.pk}/communication-items").json()
    assert [(i["information"], i["is_overdue"]) for i in listed["items"]] == [
        ("Status report", True)
    ]
