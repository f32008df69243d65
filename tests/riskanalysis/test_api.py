"""The risk analysis over the API: who may do what, answers, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pmo.riskanalysis import services
from pmo.riskanalysis.models import SimulationRun

pytestmark = pytest.mark.django_db

ROLES = ("pmo_admin", "sponsor", "manager", "member", "viewer", "client", "outsider", "anonymous")
READ = (200, 200, 200, 200, 200, 404, 404, 401)
TRI = {"kind": "triangular", "min": 8, "mode": 10, "max": 14}

# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("uncertainty_list", "get", lambda c: f"/projects/{c['p']}/uncertainties", None, READ),
    ("uncertainty_set", "put", lambda c: f"/projects/{c['p']}/uncertainties/{c['build']}",
     lambda c: TRI, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("uncertainty_delete", "delete", lambda c: f"/projects/{c['p']}/uncertainties/{c['design']}",
     None, (204, 403, 204, 403, 403, 404, 404, 401)),
    ("uncertainty_fill", "post", lambda c: f"/projects/{c['p']}/uncertainties/fill",
     lambda c: {"percent": 20}, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("risk_impact_list", "get", lambda c: f"/projects/{c['p']}/risk-impacts", None, READ),
    ("risk_impact_set", "put", lambda c: f"/projects/{c['p']}/risk-impacts/{c['risk']}",
     lambda c: {"probability": 0.4}, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("risk_impact_delete", "delete", lambda c: f"/projects/{c['p']}/risk-impacts/{c['risk']}",
     None, (204, 403, 204, 403, 403, 404, 404, 401)),
    ("correlation_list", "get", lambda c: f"/projects/{c['p']}/correlations", None, READ),
    ("correlation_set", "put", lambda c: f"/projects/{c['p']}/correlations",
     lambda c: {"first_id": c["build"], "second_id": c["test"], "coefficient": 0.3},
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("correlation_delete", "delete",
     lambda c: f"/projects/{c['p']}/correlations/{c['correlation']}", None,
     (204, 403, 204, 403, 403, 404, 404, 401)),
    ("simulation_list", "get", lambda c: f"/projects/{c['p']}/simulations", None, READ),
    ("simulation_start", "post", lambda c: f"/projects/{c['p']}/simulations",
     lambda c: {"iterations": 200, "seed": 1}, (202, 403, 202, 403, 403, 404, 404, 401)),
    ("simulation_get", "get", lambda c: f"/projects/{c['p']}/simulations/{c['run']}", None, READ),
]  # fmt: skip


@pytest.fixture
def ctx(project, people, plan, risk) -> dict[str, Any]:
    pm = people["manager"]
    services.uncertainty_set(actor=pm, project_id=project.pk, task_id=plan["Design"].pk, data=TRI)
    services.risk_impact_set(actor=pm, project_id=project.pk, risk_id=risk.pk, data={})
    correlation = services.correlation_set(
        actor=pm,
        project_id=project.pk,
        first_id=plan["Design"].pk,
        second_id=plan["Build"].pk,
        coefficient=0.5,
    )
    run = SimulationRun.objects.create(project=project, number=1, iterations=100, state="done")
    return {
        "p": project.pk,
        "design": plan["Design"].pk,
        "build": plan["Build"].pk,
        "test": plan["Test"].pk,
        "risk": risk.pk,
        "correlation": correlation.pk,
        "run": run.pk,
    }


@pytest.mark.parametrize("case", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(case, ctx, api_as):
    """Every role on one set of rows: each request runs in a savepoint rolled back after it, so
    one role's write does not change what the next role finds."""
    name, method, url, body, expected = case
    clients = {role: api_as(role) for role in ROLES}
    path = "/api/v1" + url(ctx)
    for role, want in zip(ROLES, expected, strict=True):
        with transaction.atomic():
            client = clients[role]
            if body:
                response = getattr(client, method)(path, body(ctx), content_type="application/json")
            else:
                response = getattr(client, method)(path)
            transaction.set_rollback(True)
        assert response.status_code == want, (name, role, response.content)
        if want >= 400:
            assert response["Content-Type"] == "application/problem+json"


def test_matrix_covers_every_operation():
    from pmo.api import riskanalysis

    operations = {
        op.operation_id
        for view in riskanalysis.router.path_operations.values()
        for op in view.operations
    }
    assert operations == {m[0] for m in MATRIX}


def test_run_answers_202_then_progress_and_results(
    ctx, api_as, people, django_capture_on_commit_callbacks
):
    services.uncertainty_set(actor=people["manager"], project_id=ctx["p"], task_id=ctx["build"],
                             data=TRI)  # fmt: skip
    client = api_as("manager")
    url = f"/api/v1/projects/{ctx['p']}/simulations"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"iterations": 500, "seed": 3}, content_type="application/json")
    assert r.status_code == 202
    run = r.json()
    assert run["number"] == 2 and run["seed"] == 3
    detail = client.get(f"{url}/{run['id']}").json()
    assert detail["state"] == "done" and detail["progress"] == 100
    results = detail["results"]
    assert set(results["finish"]) >= {"p10", "p50", "p80", "p90", "mean"}
    assert results["histogram"]["counts"] and results["tornado"]
    listed = client.get(url).json()["items"]
    assert [x["number"] for x in listed] == [2, 1] and "results" not in listed[0]


@pytest.mark.parametrize(
    ("method", "url", "body", "detail"),
    [
        ("put", "/uncertainties/{build}", {"kind": "pert", "min": 3, "mode": 1, "max": 2},
         "Task 'Build': PERT distribution needs min <= mode <= max, got min 3.0, mode 1.0, "
         "max 2.0"),
        ("put", "/uncertainties/{build}", {"kind": "lognormal", "mean": 4},
         "Task 'Build': the Lognormal needs sd"),
        ("put", "/risk-impacts/{risk}", {"task_ids": [999999]}, "Task 999999 not found in this "
         "project."),
        ("put", "/uncertainties/{design}", {**TRI, "version": 9},
         "The uncertainty of 'Design' was changed by someone else (version 1, you had 9); "
         "reload."),
    ],
)  # fmt: skip
def test_bad_input_answers_a_precise_problem(ctx, api_as, method, url, body, detail):
    path = f"/api/v1/projects/{ctx['p']}" + url.format(**ctx)
    r = getattr(api_as("manager"), method)(path, body, content_type="application/json")
    assert r.status_code in (404, 409, 422)
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["detail"] == detail


@pytest.mark.parametrize("what", ["uncertainties", "risk-impacts", "correlations", "simulations"])
def test_lists_take_constant_queries(project, people, plan, api_as, what):
    from pmo.controls import services as controls
    from pmo.planning import services as planning

    pm = people["manager"]
    client = api_as("manager")
    url = f"/api/v1/projects/{project.pk}/{what}"
    tasks = list(plan.values())

    def add(i: int) -> None:
        task = planning.task_create(
            actor=pm, project_id=project.pk, data={"name": f"T{i}", "duration": 3}
        )
        tasks.append(task)
        if what == "uncertainties":
            services.uncertainty_set(actor=pm, project_id=project.pk, task_id=task.pk, data=TRI)
        elif what == "risk-impacts":
            risk = controls.risk_create(actor=pm, project_id=project.pk, data={"title": f"R{i}"})
            services.risk_impact_set(actor=pm, project_id=project.pk, risk_id=risk.pk,
                                     data={"task_ids": [task.pk, tasks[0].pk]})  # fmt: skip
        elif what == "correlations":
            services.correlation_set(actor=pm, project_id=project.pk, first_id=tasks[0].pk,
                                     second_id=task.pk, coefficient=0.2)  # fmt: skip
        else:
            SimulationRun.objects.create(project=project, number=i, iterations=100, created_by=pm)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    add(1)
    count()  # the first call of a token records its use
    one = count()
    for i in range(2, 6):
        add(i)
    assert count() == one
