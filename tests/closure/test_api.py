"""Closing over the API: who may do what (the external client sees nothing else), the client's
sign-off with its address, downloads, and lists that take the same queries for one row or many."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pmo.closure import services

from .conftest import close, finish_contract

pytestmark = pytest.mark.django_db

ROLES = ("pmo_admin", "sponsor", "manager", "member", "viewer", "client", "outsider", "anonymous")
API = "/api/v1"


def _deliverable(c: dict[str, Any]) -> int:
    return int(c["portal"].pk)


# (name, method, url(ctx), body(ctx), expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, Any, tuple[int, ...]]] = [
    ("closing_get", "get", lambda c: f"/projects/{c['p']}/closing", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("deliverable_list", "get", lambda c: f"/projects/{c['p']}/deliverables", None,
     (200, 200, 200, 200, 200, 200, 404, 401)),
    ("deliverable_create", "post", lambda c: f"/projects/{c['p']}/deliverables",
     lambda c: {"name": "Manual", "acceptance_criteria": "Read by ops."},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("sign_off_list", "get", lambda c: f"/projects/{c['p']}/sign-offs", None,
     (200, 200, 200, 200, 200, 200, 404, 401)),
    ("deliverables_decide", "post", lambda c: f"/projects/{c['p']}/sign-offs",
     lambda c: {"deliverable_ids": [_deliverable(c)], "decision": "accept"},
     (403, 201, 403, 403, 403, 201, 404, 401)),
    ("contract_list", "get", lambda c: f"/projects/{c['p']}/contracts", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("contract_create", "post", lambda c: f"/projects/{c['p']}/contracts",
     lambda c: {"vendor_id": c["vendor"].pk, "reference": "C-2", "title": "Support",
                "value": "100", "start": "2026-03-02", "end": "2026-04-30"},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("vendor_list", "get", lambda c: "/vendors", None,
     (200, 200, 200, 200, 200, 403, 200, 401)),
    ("vendor_create", "post", lambda c: "/vendors", lambda c: {"name": "Globex"},
     (201, 403, 201, 403, 403, 403, 201, 401)),
    ("release_get", "get", lambda c: f"/projects/{c['p']}/release", None,
     (404, 404, 404, 404, 404, 404, 404, 401)),
    ("resources_release", "post", lambda c: f"/projects/{c['p']}/release", None,
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("review_refresh", "post", lambda c: f"/projects/{c['p']}/review/refresh", None,
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("benefit_list", "get", lambda c: f"/projects/{c['p']}/benefits", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("project_close", "post", lambda c: f"/projects/{c['p']}/close", None,
     (409, 403, 409, 403, 403, 404, 404, 401)),
    ("project_reopen", "post", lambda c: f"/projects/{c['p']}/reopen",
     lambda c: {"reason": "Why not"}, (409, 403, 403, 403, 403, 404, 404, 401)),
    ("archive_list", "get", lambda c: f"/projects/{c['p']}/archives", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("final_report", "get", lambda c: f"/projects/{c['p']}/final-report", None,
     (None, None, None, None, None, 404, 404, 401)),
    ("deliverable_update", "patch", lambda c: f"/projects/{c['p']}/deliverables/{c['portal'].pk}",
     lambda c: {"version": c["portal_v"], "description": "Now with invoices."},
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("deliverable_delete", "delete",
     lambda c: f"/projects/{c['p']}/deliverables/{c['portal'].pk}", None,
     (204, 403, 204, 403, 403, 404, 404, 401)),
    ("acceptance_request", "post", lambda c: f"/projects/{c['p']}/acceptance-requests",
     lambda c: {}, (422, 403, 422, 403, 403, 404, 404, 401)),
    ("sign_off_get", "get", lambda c: f"/projects/{c['p']}/sign-offs/{c['sign_off']}", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("vendor_get", "get", lambda c: f"/vendors/{c['vendor'].pk}", None,
     (200, 200, 200, 200, 200, 403, 200, 401)),
    ("vendor_update", "patch", lambda c: f"/vendors/{c['vendor'].pk}",
     lambda c: {"version": 1, "notes": "Preferred supplier."},
     (200, 403, 200, 403, 403, 403, 200, 401)),
    ("contract_update", "patch", lambda c: f"/projects/{c['p']}/contracts/{c['contract'].pk}",
     lambda c: {"version": c["contract_v"], "title": "Hosting and support"},
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("contract_invoice_record", "post",
     lambda c: f"/projects/{c['p']}/contracts/{c['contract'].pk}/invoices",
     lambda c: {"date": "2026-06-30", "amount": "10", "reference": "X-1"},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("contract_close", "post", lambda c: f"/projects/{c['p']}/contracts/{c['contract'].pk}/closure",
     lambda c: {"obligations_met": True, "closure_date": "2026-07-01"},
     (409, 403, 409, 403, 403, 404, 404, 401)),
    ("vendor_assess", "post",
     lambda c: f"/projects/{c['p']}/contracts/{c['contract'].pk}/assessment",
     lambda c: {"quality": 4, "timeliness": 4, "cost": 4, "communication": 4},
     (409, 403, 409, 403, 403, 404, 404, 401)),
    ("review_get", "get", lambda c: f"/projects/{c['p']}/review", None,
     (200, 200, 200, 200, 200, 404, 404, 401)),
    ("review_update", "patch", lambda c: f"/projects/{c['p']}/review",
     lambda c: {"version": c["pir_v"], "summary": "On time."},
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("review_lesson_add", "post", lambda c: f"/projects/{c['p']}/review/lessons",
     lambda c: {"category": "schedule", "what_happened": "Late.", "recommendation": "Earlier."},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("review_finalise", "post", lambda c: f"/projects/{c['p']}/review/finalise", lambda c: {},
     (200, 403, 200, 403, 403, 404, 404, 401)),
    ("benefit_create", "post", lambda c: f"/projects/{c['p']}/benefits",
     lambda c: {"name": "Fewer calls", "measure": "calls", "planned_value": "10",
                "planned_by": "2027-01-01"},
     (201, 403, 201, 403, 403, 404, 404, 401)),
    ("benefit_measure", "post",
     lambda c: f"/projects/{c['p']}/benefits/{c['benefit']}/measurements",
     lambda c: {"date": "2026-06-01", "value": "5"},
     (201, 201, 201, 403, 403, 404, 404, 401)),
    ("archive_build", "post", lambda c: f"/projects/{c['p']}/archives", None,
     (409, 409, 409, 403, 403, 404, 404, 401)),
    ("archive_download", "get", lambda c: f"/projects/{c['p']}/archives/1/download", None,
     (404, 404, 404, 404, 404, 404, 404, 401)),
]  # fmt: skip


def test_matrix_covers_every_operation():
    from pmo.api import closure

    operations = {
        op.operation_id
        for view in closure.router.path_operations.values()
        for op in view.operations
    }
    assert operations == {m[0] for m in MATRIX}


def test_permission_matrix(closing, people, api_as):
    """Every operation, every role, on one project set up once; each request is rolled back."""
    project, pm = closing["project"], people["manager"]
    services.acceptance_request(actor=pm, project_id=project.pk)
    sign_off = services.deliverables_decide(
        actor=people["sponsor"],
        project_id=project.pk,
        deliverable_ids=[closing["runbook"].pk],
        decision="accept",
    )
    pir = services.pir_refresh(actor=pm, project_id=project.pk)
    benefit = services.benefit_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "B", "measure": "m", "planned_value": 1, "planned_by": dt.date(2027, 1, 1)},
    )
    closing["portal"].refresh_from_db()
    ctx = {
        **closing,
        "p": project.pk,
        "portal_v": closing["portal"].version,
        "contract_v": closing["contract"].version,
        "pir_v": pir.version,
        "sign_off": sign_off.pk,
        "benefit": benefit.pk,
    }
    clients = {role: api_as(role) for role in ROLES}
    wrong = []
    for name, method, url, body, expected in MATRIX:
        for role, status in zip(ROLES, expected, strict=True):
            if status is None:  # slow to answer: checked once below
                continue
            kwargs: dict[str, Any] = {}
            if method != "get":
                kwargs = {
                    "data": json.dumps(body(ctx) if body else {}),
                    "content_type": "application/json",
                }
            sid = transaction.savepoint()
            response = getattr(clients[role], method)(API + url(ctx), **kwargs)
            transaction.savepoint_rollback(sid)
            if response.status_code != status:
                wrong.append((name, role, status, response.status_code, response.content[:200]))
    assert wrong == []


def test_final_report_is_a_pdf_for_the_team(closing, api_as):
    response = api_as("member").get(f"{API}/projects/{closing['project'].pk}/final-report")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_client_signs_off_over_the_api_and_the_address_is_kept(closing, people, api_as):
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    client = api_as("client")
    listed = client.get(f"{API}/projects/{project.pk}/deliverables").json()
    assert [d["name"] for d in listed["items"]] == ["Portal"]
    response = client.post(
        f"{API}/projects/{project.pk}/sign-offs",
        data=json.dumps({"deliverable_ids": [closing["portal"].pk], "decision": "accept"}),
        content_type="application/json",
        headers={"x-forwarded-for": "203.0.113.9"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["ip_address"] == "203.0.113.9"
    assert body["signer_name"] == "Client Tester" and body["role"] == "External client"
    assert body["digest"] == services.digest_of(body["content"])
    response = client.post(
        f"{API}/projects/{project.pk}/sign-offs",
        data=json.dumps({"deliverable_ids": [closing["runbook"].pk], "decision": "accept"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_reject_without_comment_is_a_precise_422(closing, people, api_as):
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    response = api_as("sponsor").post(
        f"{API}/projects/{project.pk}/sign-offs",
        data=json.dumps({"deliverable_ids": [closing["portal"].pk], "decision": "reject"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == services.REJECT_NEEDS_COMMENT


def test_close_reopen_and_download_the_archive(closing, people, api_as):
    project = close(closing, people)
    sponsor = api_as("sponsor")
    archives = sponsor.get(f"{API}/projects/{project.pk}/archives").json()
    assert len(archives) == 1
    download = sponsor.get(f"{API}/projects/{project.pk}/archives/{archives[0]['id']}/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert api_as("member").get(f"{API}/projects/{project.pk}/archives").json() == []
    refused = api_as("manager").post(
        f"{API}/projects/{project.pk}/deliverables",
        data=json.dumps({"name": "More", "acceptance_criteria": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "closed and read-only" in refused.json()["detail"]
    reopened = api_as("pmo_admin").post(
        f"{API}/projects/{project.pk}/reopen",
        data=json.dumps({"reason": "Warranty claim"}),
        content_type="application/json",
    )
    assert reopened.status_code == 200 and reopened.json()["stage"] == "closing"


def test_contract_path_over_the_api(closing, people, api_as):
    project, contract = closing["project"], closing["contract"]
    pm = api_as("manager")
    base = f"{API}/projects/{project.pk}/contracts/{contract.pk}"
    invoice = pm.post(
        f"{base}/invoices",
        data=json.dumps(
            {"date": "2026-06-30", "amount": "500", "reference": "I-1", "is_final": True}
        ),
        content_type="application/json",
    )
    assert invoice.status_code == 201 and invoice.json()["invoiced"] == "500.00"
    closed = pm.post(
        f"{base}/closure",
        data=json.dumps({"obligations_met": True, "closure_date": "2026-07-01"}),
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    scored = pm.post(
        f"{base}/assessment",
        data=json.dumps({"quality": 5, "timeliness": 4, "cost": 3, "communication": 4}),
        content_type="application/json",
    )
    assert scored.status_code == 201 and scored.json()["assessment"]["score"] == 4.0
    vendor = api_as("member").get(f"{API}/vendors/{closing['vendor'].pk}").json()
    assert [h["contract_reference"] for h in vendor["history"]] == ["C-1"]
    bad = pm.post(
        f"{base}/assessment",
        data=json.dumps({"quality": 9, "timeliness": 4, "cost": 3, "communication": 4}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_take_the_same_queries_for_one_row_or_many(closing, people, api_as):
    project, pm = closing["project"], people["manager"]
    finish_contract(closing, people)
    services.benefit_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "B", "measure": "m", "planned_value": 1, "planned_by": dt.date(2027, 1, 1)},
    )
    client = api_as("manager")
    client.get(f"{API}/vendors")  # the token's first use is recorded once
    urls = [
        f"{API}/projects/{project.pk}/deliverables",
        f"{API}/projects/{project.pk}/contracts",
        f"{API}/vendors",
        f"{API}/projects/{project.pk}/benefits",
    ]
    before = [_count(client, u) for u in urls]
    for n in range(4):
        services.deliverable_create(
            actor=pm, project_id=project.pk, data={"name": f"D{n}", "acceptance_criteria": "ok"}
        )
        vendor = services.vendor_create(actor=pm, data={"name": f"V{n}"})
        contract = services.contract_create(
            actor=pm,
            project_id=project.pk,
            data={
                "vendor_id": vendor.pk,
                "reference": f"K{n}",
                "title": "t",
                "value": 1,
                "start": dt.date(2026, 3, 2),
                "end": dt.date(2026, 3, 9),
            },
        )
        services.contract_invoice_record(
            actor=pm,
            project_id=project.pk,
            contract_id=contract.pk,
            date=dt.date(2026, 3, 3),
            amount=1,
            reference="r",
        )
        services.benefit_create(
            actor=pm,
            project_id=project.pk,
            data={
                "name": f"B{n}",
                "measure": "m",
                "planned_value": 1,
                "planned_by": dt.date(2027, 1, 1),
            },
        )
    assert [_count(client, u) for u in urls] == before
