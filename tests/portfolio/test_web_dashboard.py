"""The dashboard, drill-down, program and executive pack pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.portfolio import services
from pmo.portfolio.models import PackState, Program, ReportPack

from .world import build_projects

pytestmark = pytest.mark.django_db


def _as(people: dict[str, Any], who: str) -> Client:
    client = Client()
    client.force_login(people[who])
    return client


@pytest.mark.parametrize(
    ("who", "status"), [("pmo_analyst", 200), ("sponsor", 200), ("manager", 403), ("client", 403)]
)
def test_dashboard_and_reports_are_for_the_pmo_and_executives(
    people: dict[str, Any], who: str, status: int
) -> None:
    client = _as(people, who)
    for name in ("portfolio_dashboard", "portfolio_drill_down", "report_pack_list"):
        assert client.get(reverse(name)).status_code == status, name
    assert client.get(reverse("portfolio_export_csv", args=["risks"])).status_code == status


def test_dashboard_page_queries_do_not_grow(people: dict[str, Any], portfolio: Any) -> None:
    client = _as(people, "pmo_admin")
    build_projects(5, manager=people["manager"], portfolio=portfolio, prefix="A")
    client.get(reverse("portfolio_dashboard"))
    with CaptureQueriesContext(connection) as few:
        r = client.get(reverse("portfolio_dashboard"))
    assert r.status_code == 200
    build_projects(30, manager=people["manager"], portfolio=portfolio, prefix="B")
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse("portfolio_dashboard"))
    assert len(few) == len(many)
    body = r.content.decode()
    assert 'data-figure="flag-high_risks"' in body and "A-0000" in body


def test_drill_down_shows_the_projects_behind_a_figure(
    people: dict[str, Any], portfolio: Any
) -> None:
    build_projects(6, manager=people["manager"], portfolio=portfolio)
    r = _as(people, "pmo_admin").get(reverse("portfolio_drill_down") + "?flag=escalated")
    body = r.content.decode()
    assert "2 projects: with escalated issues" in body
    assert "P-0000" in body and "P-0003" in body and "P-0001" not in body
    # a nonsense filter is ignored, not an error
    assert (
        _as(people, "pmo_admin").get(reverse("portfolio_drill_down") + "?stage=x").status_code
        == 200
    )


def test_pmo_builds_a_program_through_the_pages(people: dict[str, Any], project: Any) -> None:
    client = _as(people, "pmo_admin")
    r = client.post(
        reverse("program_create"),
        {
            "name": "Digital front door",
            "objectives": "One login\nOne app",
            "manager": people["manager"].pk,
        },
    )
    program = Program.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("program_detail", args=[program.pk])
    r = client.post(reverse("program_projects_add", args=[program.pk]), {"project": [project.pk]})
    page = client.get(reverse("program_detail", args=[program.pk])).content.decode()
    assert "PRJ-001" in page and "One login" in page
    assert "Digital front door" in client.get(reverse("program_list")).content.decode()
    client.post(reverse("program_project_remove", args=[program.pk, project.pk]))
    assert not program.links.exists()
    # the program manager sees the page but may not change it
    manager = _as(people, "manager")
    assert manager.get(reverse("program_detail", args=[program.pk])).status_code == 200
    assert manager.get(reverse("program_edit", args=[program.pk])).status_code == 403
    r = client.post(reverse("program_delete", args=[program.pk]), {"version": "1"})
    assert Program.objects.exists()  # stale version: refused with a message
    r = client.post(reverse("program_delete", args=[program.pk]))
    assert not Program.objects.exists()


def test_pack_is_generated_listed_and_downloaded(
    people: dict[str, Any], portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    build_projects(3, manager=people["manager"], portfolio=portfolio)
    client = _as(people, "sponsor")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("report_pack_list"), {"title": "Board, March"})
    assert r.status_code == 302
    pack = ReportPack.objects.get()
    assert pack.state == PackState.DONE and pack.requested_by == people["sponsor"]
    listing = client.get(reverse("report_pack_list")).content.decode()
    assert "Board, March" in listing and "Download PDF" in listing
    pdf = client.get(reverse("report_pack_download", args=[pack.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    # the PMO sees every pack
    assert (
        _as(people, "pmo_analyst").get(reverse("report_pack_download", args=[pack.pk])).status_code
        == 200
    )


def test_running_pack_list_polls_itself(people: dict[str, Any]) -> None:
    ReportPack.objects.create(
        title="Busy", requested_by=people["pmo_admin"], state="running", progress=40
    )
    body = _as(people, "pmo_admin").get(reverse("report_pack_list")).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="40"' in body


def test_program_form_shows_service_errors(people: dict[str, Any]) -> None:
    services.program_create(actor=people["pmo_admin"], data={"name": "Taken"})
    r = _as(people, "pmo_admin").post(reverse("program_create"), {"name": "taken"})
    assert r.status_code == 200 and "already exists" in r.content.decode()
