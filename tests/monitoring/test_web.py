"""The Performance tab, the status report pages, the PMO's overview, roll-up and cadences."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pmo.monitoring.models import EvmSnapshot, ReportingCadence, ReportState, StatusReport

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_performance_tab_shows_the_s_curve_indicators_and_records_a_status_date(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    project = measured["project"]
    url = f"/projects/{project.pk}/performance/"
    page = client_for(people["member"]).get(url).content.decode()
    assert 'id="s-curve"' in page and "Cost performance index (CPI = EV / AC)" in page
    assert 'id="record-status"' not in page  # a member reads, the PM records
    assert client_for(people["client"]).get(url).status_code == 404
    pm = client_for(people["manager"])
    assert 'id="record-status"' in pm.get(url).content.decode()
    assert pm.post(url).status_code == 302
    assert EvmSnapshot.objects.filter(project=project).count() == 1
    assert "30 Jan 2026" in pm.get(url).content.decode()  # the history row


def test_the_pm_submits_a_green_report_and_the_pmo_sees_it_flagged(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    project = measured["project"]
    pm = client_for(people["manager"])
    listing = pm.get(f"/projects/{project.pk}/status-reports/")
    assert (
        listing.status_code == 200 and "Weekly reports, due on Friday" in listing.content.decode()
    )
    report = StatusReport.objects.filter(project=project).order_by("-due_date").first()
    url = f"/projects/{project.pk}/status-reports/{report.pk}/"
    page = pm.get(url).content.decode()
    assert "Submit to the PMO" in page and 'id="indicators"' in page
    # Missing RAG: refused on the form, nothing submitted.
    r = pm.post(url, {"action": "submit", "version": report.version, "rag_overall": "green"})
    assert "Rate schedule, cost, scope, risk, resources before submitting." in r.content.decode()
    green = {f"rag_{d}": "green" for d in ("schedule", "cost", "scope", "risk", "resources")}
    r = pm.post(
        url,
        {**green, "rag_overall": "green", "action": "submit", "version": report.version,
         "accomplishments": "All good."},
    )  # fmt: skip
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.flags
    pmo = client_for(people["pmo_admin"])
    overview = pmo.get("/status-reports/").content.decode()
    assert "Declared schedule green while SPI is" in overview
    detail = pmo.get(url).content.decode()
    assert "Mark reviewed" in detail and "Flagged" in detail
    r = pmo.post(url, {"action": "returned", "comment": "", "version": report.version})
    assert "Say what the project manager should rework." in r.content.decode()
    pmo.post(url, {"action": "returned", "comment": "Be honest.", "version": report.version})
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert pm.get(f"{url}print/").status_code == 200
    pdf = pm.get(f"{url}pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client_for(people["client"]).get(url).status_code == 404


def test_roll_up_rules_and_cadences_pages(measured: dict[str, Any], people: dict[str, Any]) -> None:
    pmo = client_for(people["pmo_admin"])
    rollup = pmo.get("/performance/").content.decode()
    assert "Not in a portfolio" in rollup and "PRJ-001" in rollup
    assert "W5" in pmo.get("/status-reports/rules/").content.decode()
    r = pmo.post(
        "/status-reports/cadences/",
        {"project_type": "it", "frequency": "monthly", "day_due": 5, "starts_on": "2026-01-01"},
    )
    assert r.status_code == 302 and ReportingCadence.objects.count() == 1
    r = pmo.post(
        "/status-reports/cadences/",
        {"project_type": "it", "frequency": "weekly", "day_due": 1, "starts_on": "2026-01-01"},
    )
    assert "already a cadence for Project type: IT and digital" in r.content.decode()
    pm = client_for(people["manager"])
    r = pm.post("/status-reports/cadences/", {"delete": ReportingCadence.objects.get().pk})
    assert r.status_code == 403 and ReportingCadence.objects.count() == 1
    pmo.post("/status-reports/cadences/", {"delete": ReportingCadence.objects.get().pk})
    assert ReportingCadence.objects.count() == 0
    client = client_for(people["client"])
    for url in ("/status-reports/", "/performance/", "/status-reports/cadences/"):
        assert client.get(url).status_code == 404
