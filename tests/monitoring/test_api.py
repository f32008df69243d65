"""Earned value, cadences and status reports over the API: who may do what, answers, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pmo.monitoring import services
from pmo.monitoring.models import StatusReport

pytestmark = pytest.mark.django_db

ROLES = ("pmo_admin", "sponsor", "manager", "member", "viewer", "client", "outsider", "anonymous")
INSIDE = (200, 200, 200, 200, 200, 404, 404, 401)
EVERYONE = (200, 200, 200, 200, 200, 200, 200, 401)
GREEN = {f"rag_{d}": "green" for d in ("schedule", "cost", "scope", "risk", "resources", "overall")}

# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("earned_value_get", "get", lambda c: f"/projects/{c['p']}/earned-value", None, INSIDE),
    ("earned_value_snapshot_list", "get", lambda c: f"/projects/{c['p']}/earned-value/snapshots",
     None, INSIDE),
    ("earned_value_snapshot_record", "post",
     lambda c: f"/projects/{c['p']}/earned-value/snapshots", lambda c: {},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("earned_value_rollup", "get", lambda c: "/earned-value/rollup", None, EVERYONE),
    ("cadence_list", "get", lambda c: "/reporting-cadences", None,
     (200, 200, 200, 200, 200, 403, 200, 401)),
    ("cadence_create", "post", lambda c: "/reporting-cadences",
     lambda c: {"project_type": "it", "frequency": "monthly", "day_due": 3},
     (201, 403, 403, 403, 403, 403, 403, 401)),
    ("cadence_update", "patch", lambda c: f"/reporting-cadences/{c['cadence']}",
     lambda c: {"version": 1, "day_due": 3}, (200, 403, 403, 403, 403, 403, 403, 401)),
    ("cadence_delete", "delete", lambda c: f"/reporting-cadences/{c['cadence']}", None,
     (204, 403, 403, 403, 403, 403, 403, 401)),
    ("status_report_list", "get", lambda c: f"/projects/{c['p']}/status-reports", None, INSIDE),
    ("status_report_get", "get", lambda c: f"/projects/{c['p']}/status-reports/{c['r']}", None,
     INSIDE),
    ("status_report_update", "patch", lambda c: f"/projects/{c['p']}/status-reports/{c['r']}",
     lambda c: {"rag_cost": "amber"}, (200, 403, 200, 403, 403, 404, 404, 401)),
    ("status_report_submit", "post",
     lambda c: f"/projects/{c['p']}/status-reports/{c['r']}/submit", lambda c: GREEN,
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("status_report_review", "post",
     lambda c: f"/projects/{c['p']}/status-reports/{c['submitted']}/review",
     lambda c: {"decision": "reviewed"}, (200, 403, 403, 403, 403, 404, 404, 401)),
    ("status_report_late_list", "get", lambda c: "/status-reports/late", None, EVERYONE),
]  # fmt: skip


@pytest.fixture
def ctx(measured: dict[str, Any], cadence: Any, people: dict[str, Any]) -> dict[str, Any]:
    project = measured["project"]
    services.reports_open_due(projects=[project])
    reports = list(StatusReport.objects.filter(project=project).order_by("-due_date"))
    services.report_submit(
        actor=people["manager"], project_id=project.pk, report_id=reports[1].pk, data=GREEN
    )
    return {"p": project.pk, "r": reports[0].pk, "submitted": reports[1].pk, "cadence": cadence.pk}


def test_permission_matrix(ctx: dict[str, Any], api_as: Any) -> None:
    """Every operation for every role, each call rolled back so the next starts afresh."""
    failures = []
    clients = {role: api_as(role) for role in ROLES}
    for name, method, url, body, expected in MATRIX:
        for role, want in zip(ROLES, expected, strict=True):
            with transaction.atomic():
                client = clients[role]
                path = "/api/v1" + url(ctx)
                if body is not None:
                    response = getattr(client, method)(
                        path, body(ctx), content_type="application/json"
                    )
                else:
                    response = getattr(client, method)(path)
                transaction.set_rollback(True)
            if response.status_code != want:
                failures.append((name, role, want, response.status_code, response.content[:200]))
            elif want >= 400:
                assert response["Content-Type"] == "application/problem+json"
    assert failures == []


def test_earned_value_answers_the_series_and_the_indicators(
    ctx: dict[str, Any], api_as: Any
) -> None:
    body = api_as("member").get(f"/api/v1/projects/{ctx['p']}/earned-value").json()
    assert body["measured"] and body["status_date"] == "2026-01-30"
    assert body["indicators"]["cpi"] == pytest.approx(0.75)
    assert body["earned_schedule"]["spi_t"] < 1
    assert body["periods"][0]["period"] == "2026-01-01"
    assert body["periods"][0]["ev_cumulative"] == pytest.approx(15_000)
    what_if = api_as("member").get(
        f"/api/v1/projects/{ctx['p']}/earned-value", {"status_date": "2026-01-16"}
    )
    assert what_if.json()["indicators"]["pv"] == pytest.approx(10_000)
    bad = api_as("member").get(
        f"/api/v1/projects/{ctx['p']}/earned-value", {"status_date": "30/01/2026"}
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    rollup = api_as("pmo_admin").get("/api/v1/earned-value/rollup").json()
    assert rollup["total"]["bac"] == 40_000 and rollup["projects"][0]["project_code"] == "PRJ-001"
    snapshots = api_as("manager").get(f"/api/v1/projects/{ctx['p']}/earned-value/snapshots").json()
    assert [s["status_date"] for s in snapshots] == ["2026-01-30"]  # recorded at submission


def test_report_answers_flags_and_bad_input(ctx: dict[str, Any], api_as: Any) -> None:
    pm = api_as("manager")
    base = f"/api/v1/projects/{ctx['p']}/status-reports"
    submitted = pm.get(f"{base}/{ctx['submitted']}").json()
    assert submitted["state"] == "submitted"
    assert [f["rule"] for f in submitted["flags"]] == ["W1", "W2", "W3"]
    assert submitted["indicators"]["cpi"] == pytest.approx(0.75)
    r = pm.patch(f"{base}/{ctx['r']}", {"rag_cost": "purple"}, content_type="application/json")
    assert r.status_code == 422
    r = pm.post(f"{base}/{ctx['r']}/submit", {"rag_cost": "red"}, content_type="application/json")
    assert (
        r.status_code == 422
        and "Rate schedule, scope, risk, resources, overall" in r.json()["detail"]
    )
    r = pm.patch(f"{base}/{ctx['r']}", {"version": 42}, content_type="application/json")
    assert r.status_code == 409
    r = api_as("pmo_admin").post(
        f"{base}/{ctx['submitted']}/review",
        {"decision": "returned"},
        content_type="application/json",
    )
    assert r.status_code == 422
    r = api_as("pmo_admin").post(
        "/api/v1/reporting-cadences",
        {"project_type": "other", "frequency": "weekly", "day_due": 2},
        content_type="application/json",
    )
    assert r.status_code == 409
    r = api_as("pmo_admin").post(
        "/api/v1/reporting-cadences",
        {"project_type": "it", "frequency": "weekly", "day_due": 9},
        content_type="application/json",
    )
    assert r.status_code == 422
    late = api_as("pmo_admin").get("/api/v1/status-reports/late").json()
    assert late and all(row["project_code"] == "PRJ-001" for row in late)


def test_the_pdf_is_a_pdf_for_the_team_and_nothing_for_the_client(
    ctx: dict[str, Any], api_as: Any
) -> None:
    url = f"/api/v1/projects/{ctx['p']}/status-reports/{ctx['submitted']}/pdf"
    r = api_as("member").get(url)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "PRJ-001-status-" in r["Content-Disposition"]
    assert api_as("client").get(url).status_code == 404


def test_report_list_takes_constant_queries(
    ctx: dict[str, Any], api_as: Any, people: dict[str, Any]
) -> None:
    client = api_as("manager")
    url = f"/api/v1/projects/{ctx['p']}/status-reports"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first call with a new token also stamps its first use
    before = count()
    project = StatusReport.objects.get(pk=ctx["r"]).project
    import datetime as dt

    StatusReport.objects.bulk_create(
        StatusReport(project=project, due_date=dt.date(2025, 1, 1) + dt.timedelta(days=k))
        for k in range(5)
    )
    assert count() == before


def test_roll_up_of_a_program_and_of_a_portfolio(
    ctx: dict[str, Any], api_as: Any, people: dict[str, Any]
) -> None:
    from pmo.portfolio.models import Portfolio, Program, ProgramProject
    from pmo.projects.models import Project

    project = Project.objects.get(pk=ctx["p"])
    program = Program.objects.create(name="Front door", manager=people["manager"])
    other = Program.objects.create(name="Back office", manager=people["manager"])
    ProgramProject.objects.create(program=program, project=project)
    admin = api_as("pmo_admin")
    got = admin.get("/api/v1/earned-value/rollup", {"program_id": program.pk}).json()
    assert [p["project_code"] for p in got["projects"]] == ["PRJ-001"]
    assert got["total"]["cpi"] == pytest.approx(0.75)
    empty = admin.get("/api/v1/earned-value/rollup", {"program_id": other.pk}).json()
    assert empty == {"projects": [], "total": None}
    portfolio = Portfolio.objects.create(name="Digital")
    assert admin.get("/api/v1/earned-value/rollup", {"portfolio_id": portfolio.pk}).json() == {
        "projects": [],
        "total": None,
    }
