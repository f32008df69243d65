"""The Closing tab, the client's acceptance page, the vendor register and the downloads."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.closure import services
from pmo.closure.models import DeliverableState, SignOff

from .conftest import close, finish_contract

pytestmark = pytest.mark.django_db


def test_closing_tab_shows_the_path_to_the_pm_and_is_hidden_from_the_client(
    closing, people, client
):
    project = closing["project"]
    client.force_login(people["manager"])
    page = client.get(f"/projects/{project.pk}/closing/")
    assert page.status_code == 200
    html = page.content.decode()
    for title in (
        "Deliverables &amp; sign-off",
        "Release of resources",
        "Contracts &amp; vendor assessment",
        "Post-implementation review",
        "Archive",
        "Kept <strong>7 years</strong>".lower()[:4],
    ):
        assert title in html
    client.force_login(people["client"])
    assert client.get(f"/projects/{project.pk}/closing/").status_code == 404


def test_the_pm_walks_the_path_on_the_page(closing, people, client):
    project = closing["project"]
    url = f"/projects/{project.pk}/closing/"
    client.force_login(people["manager"])
    client.post(url, {"action": "acceptance_request"})
    client.force_login(people["client"])
    page = client.get(f"/projects/{project.pk}/closing/acceptance/")
    assert "Portal" in page.content.decode() and "Runbook" not in page.content.decode()
    client.post(
        f"/projects/{project.pk}/closing/acceptance/",
        {"deliverable": [closing["portal"].pk], "decision": "accept"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert SignOff.objects.get().ip_address == "192.0.2.10"
    client.force_login(people["sponsor"])
    client.post(
        f"/projects/{project.pk}/closing/acceptance/",
        {"deliverable": [closing["runbook"].pk], "decision": "accept"},
    )
    client.force_login(people["manager"])
    contract = closing["contract"].pk
    client.post(
        url,
        {
            "action": "invoice",
            "target": contract,
            "date": "2026-06-30",
            "amount": "12000",
            "reference": "INV-1",
            "is_final": "on",
        },
    )
    client.post(
        url,
        {
            "action": "contract_close",
            "target": contract,
            "obligations_met": "yes",
            "closure_date": "2026-07-01",
        },
    )
    client.post(
        url,
        {
            "action": "assess",
            "target": contract,
            "quality": 4,
            "timeliness": 4,
            "cost": 4,
            "communication": 5,
        },
    )
    client.post(url, {"action": "release"})
    client.post(url, {"action": "review_refresh"})
    client.post(
        url,
        {
            "action": "lesson",
            "category": "procurement",
            "what_happened": "Hosting signed late.",
            "recommendation": "Start procurement in planning.",
            "tags": "procurement, hosting",
        },
    )
    response = client.post(url, {"action": "close"}, follow=True)
    assert "Project closed." in response.content.decode()
    project.refresh_from_db()
    assert project.stage == "closed"
    html = client.get(url).content.decode()
    assert "This project is closed and read-only." in html
    assert "Close the project" not in html
    refused = client.post(url, {"action": "release"}, follow=True)
    assert "PRJ-001 is closed and read-only" in refused.content.decode()


def test_a_rejection_without_comment_is_explained(closing, people, client):
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    client.force_login(people["client"])
    response = client.post(
        f"/projects/{project.pk}/closing/acceptance/",
        {"deliverable": [closing["portal"].pk], "decision": "reject"},
        follow=True,
    )
    assert services.REJECT_NEEDS_COMMENT in response.content.decode()
    closing["portal"].refresh_from_db()
    assert closing["portal"].state == DeliverableState.REQUESTED


def test_reopen_from_the_page_by_a_pmo_admin(closing, people, client):
    project = close(closing, people)
    client.force_login(people["pmo_admin"])
    url = f"/projects/{project.pk}/closing/"
    assert "Reopen the project" in client.get(url).content.decode()
    client.post(url, {"action": "reopen", "reason": "Warranty claim"})
    project.refresh_from_db()
    assert project.stage == "closing"


def test_archive_and_report_downloads(closing, people, client):
    project = close(closing, people)
    archive = project.archives.get()
    client.force_login(people["sponsor"])
    response = client.get(f"/projects/{project.pk}/closing/archives/{archive.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    client.force_login(people["member"])
    url = f"/projects/{project.pk}/closing/archives/{archive.pk}/download/"
    assert client.get(url).status_code == 404
    report = client.get(f"/projects/{project.pk}/closing/final-report.pdf")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")


def test_vendor_register_and_history(closing, people, client):
    finish_contract(closing, people)
    client.force_login(people["member"])
    html = client.get("/vendors/").content.decode()
    assert "Acme Hosting" in html and "Add a vendor" not in html
    detail = client.get(f"/vendors/{closing['vendor'].pk}/").content.decode()
    assert "C-1 Hosting" in detail and "<strong>4.0</strong>" in detail
    client.force_login(people["manager"])
    response = client.post("/vendors/", {"name": "Globex"}, follow=True)
    assert "Globex added to the vendor register." in response.content.decode()
    client.force_login(people["client"])
    assert client.get("/vendors/").status_code == 403


def test_closing_page_takes_the_same_queries_as_rows_grow(
    closing, people, client, django_assert_max_num_queries: Any
):
    project = closing["project"]
    finish_contract(closing, people)
    client.force_login(people["manager"])
    url = f"/projects/{project.pk}/closing/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(3):
        services.deliverable_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"name": f"D{n}", "acceptance_criteria": "ok"},
        )
        vendor = services.vendor_create(actor=people["manager"], data={"name": f"V{n}"})
        services.contract_create(
            actor=people["manager"],
            project_id=project.pk,
            data={
                "vendor_id": vendor.pk,
                "reference": f"K{n}",
                "title": "t",
                "value": 1,
                "start": "2026-03-02",
                "end": "2026-03-09",
            },
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)
