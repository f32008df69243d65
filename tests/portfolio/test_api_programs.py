"""Programs, the dashboard, exports and executive packs over the API: who may do what, answers,
query counts."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.portfolio import services
from pmo.portfolio.models import ReportPack

from .world import build_projects

pytestmark = pytest.mark.django_db

ROLES = ("pmo_admin", "sponsor", "manager", "member", "client", "outsider", "anonymous")

# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("program_list", "get", lambda c: "/programs", None, (200, 200, 200, 200, 200, 200, 401)),
    ("program_create", "post", lambda c: "/programs", lambda c: {"name": "New"},
     (201, 403, 403, 403, 403, 403, 401)),
    ("program_get", "get", lambda c: f"/programs/{c['program']}", None,
     (200, 200, 200, 404, 404, 404, 401)),
    ("program_update", "patch", lambda c: f"/programs/{c['program']}",
     lambda c: {"version": 2, "description": "More"}, (200, 403, 403, 403, 403, 403, 401)),
    ("program_add_projects", "post", lambda c: f"/programs/{c['program']}/projects",
     lambda c: {"project_ids": [c["p"]]}, (200, 403, 403, 403, 403, 403, 401)),
    ("program_remove_project", "delete", lambda c: f"/programs/{c['program']}/projects/{c['in']}",
     None, (204, 403, 403, 403, 403, 403, 401)),
    ("program_delete", "delete", lambda c: f"/programs/{c['program']}", None,
     (204, 403, 403, 403, 403, 403, 401)),
    ("portfolio_dashboard", "get", lambda c: "/portfolio-dashboard", None,
     (200, 200, 403, 403, 403, 403, 401)),
    ("portfolio_dashboard_projects", "get",
     lambda c: "/portfolio-dashboard/projects?flag=high_risks", None,
     (200, 200, 403, 403, 403, 403, 401)),
    ("portfolio_export_xlsx", "get", lambda c: "/portfolio-export.xlsx", None,
     (200, 200, 403, 403, 403, 403, 401)),
    ("portfolio_export_csv", "get", lambda c: "/portfolio-export/risks.csv", None,
     (200, 200, 403, 403, 403, 403, 401)),
    ("report_pack_list", "get", lambda c: "/report-packs", None,
     (200, 200, 403, 403, 403, 403, 401)),
    ("report_pack_create", "post", lambda c: "/report-packs", lambda c: {"title": "Board"},
     (202, 202, 403, 403, 403, 403, 401)),
    ("report_pack_get", "get", lambda c: f"/report-packs/{c['pack']}", None,
     (200, 404, 403, 403, 403, 403, 401)),
    ("report_pack_download", "get", lambda c: f"/report-packs/{c['pack']}/file", None,
     (409, 404, 403, 403, 403, 403, 401)),
    ("report_pack_delete", "delete", lambda c: f"/report-packs/{c['pack']}", None,
     (204, 404, 403, 403, 403, 403, 401)),
]  # fmt: skip


@pytest.fixture
def ctx(people: dict[str, Any], project: Any) -> dict[str, Any]:
    admin = people["pmo_admin"]
    program = services.program_create(
        actor=admin, data={"name": "Branches", "manager_id": people["manager"].pk}
    )
    [inside] = build_projects(1, manager=people["manager"])
    services.program_add_projects(actor=admin, program_id=program.pk, project_ids=[inside.pk])
    pack = ReportPack.objects.create(title="Q1", requested_by=admin, state="failed")
    return {"program": program.pk, "p": project.pk, "in": inside.pk, "pack": pack.pk}


@pytest.mark.parametrize("case", MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(case: Any, ctx: dict[str, Any], api_as: Any) -> None:
    """Every role in turn on one set of rows; the PMO admin, the only one whose writes succeed,
    goes last."""
    name, method, url, body, expected = case
    path = "/api/v1" + url(ctx)
    for role in reversed(ROLES):
        client = api_as(role)
        if body:
            response = getattr(client, method)(path, body(ctx), content_type="application/json")
        else:
            response = getattr(client, method)(path)
        want = expected[ROLES.index(role)]
        assert response.status_code == want, (name, role, response.content)
        if want >= 400:
            assert response["Content-Type"] == "application/problem+json"


def test_program_page_answers_its_roll_up(ctx: dict[str, Any], api_as: Any) -> None:
    body = api_as("pmo_admin").get(f"/api/v1/programs/{ctx['program']}").json()
    assert body["rollup"]["projects"] == 1 and body["rollup"]["budget"] == "1000.00"
    assert [p["code"] for p in body["projects"]] == ["P-0000"]
    assert body["top_risks"][0]["project_code"] == "P-0000"


def test_bad_input_is_a_precise_422_or_409(ctx: dict[str, Any], api_as: Any) -> None:
    admin = api_as("pmo_admin")
    r = admin.post("/api/v1/programs", {"name": ""}, content_type="application/json")
    assert r.status_code == 422
    r = admin.post("/api/v1/programs", {"name": "Branches"}, content_type="application/json")
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    r = admin.post(
        f"/api/v1/programs/{ctx['program']}/projects",
        {"project_ids": [999999]},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"] == "No project with id 999999."
    r = admin.patch(
        f"/api/v1/programs/{ctx['program']}",
        {"version": 99, "name": "X"},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert admin.get("/api/v1/portfolio-export/nothing.csv").status_code == 422
    assert admin.get("/api/v1/portfolio-dashboard/projects?flag=wrong").status_code == 422


def test_pack_is_queued_generated_and_downloaded(
    ctx: dict[str, Any], api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = api_as("pmo_admin")
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post("/api/v1/report-packs", {"title": "Board"}, content_type="application/json")
    assert r.status_code == 202
    pack = admin.get(f"/api/v1/report-packs/{r.json()['id']}").json()
    assert pack["state"] == "done" and pack["progress"] == 100
    pdf = admin.get(pack["download"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_dashboard_endpoint_queries_stay_flat(
    people: dict[str, Any], api_as: Any, django_assert_max_num_queries: Any
) -> None:
    build_projects(40, manager=people["manager"], prefix="Q")
    admin = api_as("pmo_admin")
    with django_assert_max_num_queries(24):
        r = admin.get("/api/v1/portfolio-dashboard")
    assert r.status_code == 200 and r.json()["rollup"]["projects"] == 40


def test_matrix_covers_every_program_dashboard_export_and_pack_operation() -> None:
    from pmo.api import portfolio

    ours = ("program_", "portfolio_dashboard", "portfolio_export", "report_pack_")
    operations = {
        op.operation_id
        for view in portfolio.router.path_operations.values()
        for op in view.operations
        if op.operation_id and op.operation_id.startswith(ours)
    }
    assert operations == {m[0] for m in MATRIX}
