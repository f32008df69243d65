"""Status reporting end to end: the PM reads the Performance tab of a project whose indicators
are red, submits an all-green status report anyway, and the PMO finds it flagged as a
watermelon on the status reports page, with the reasons, and returns it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from tests.monitoring.conftest import START, arrange

from pmo.accounts.models import OrgRole
from pmo.monitoring import services
from pmo.monitoring.models import ReportState, StatusReport
from pmo.projects.services import project_create

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_green_report_on_a_red_project_is_flagged_for_the_pmo(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    person("olga", "Olga", OrgRole.PMO_ANALYST)
    root = person("root", "Root", OrgRole.PMO_ADMIN)
    project = project_create(actor=pia, code="MON-001", name="Customer portal")
    arrange(project, pia)
    services.cadence_create(
        actor=root,
        data={"project_type": "other", "frequency": "monthly", "day_due": 28, "starts_on": START},
    )
    DOCS_IMG.mkdir(parents=True, exist_ok=True)

    pm = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/projects/{project.pk}/performance/")
    expect(pm.locator("#s-curve canvas")).to_have_count(1)
    expect(pm.locator('#evm-table tr[data-key="cpi"]')).to_contain_text("0.75")
    pm.click("#record-status")
    expect(pm.locator(".message-success")).to_contain_text("Earned value recorded for 30 Jan 2026")
    pm.wait_for_timeout(400)
    shutil.copy(shot(pm, "performance-s-curve"), DOCS_IMG / "performance-s-curve.png")

    # The oldest due report opens pre-filled; the PM declares everything green.
    pm.click("text=Status reports")
    pm.locator("#reports tbody tr a").last.click()
    expect(pm.locator("#indicators")).to_contain_text("CPI")
    for field in ("schedule", "cost", "scope", "risk", "resources", "overall"):
        pm.select_option(f"select[name=rag_{field}]", "green")
    pm.fill("textarea[name=accomplishments]", "Design signed off; build on track.")
    pm.click("button[value=submit]")
    expect(pm.locator(".message-success")).to_contain_text("It is flagged")
    expect(pm.locator("#report-state")).to_have_text("Submitted")

    # The PMO sees the report flagged, with the reasons, and returns it.
    pmo = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(pmo, "olga")
    pmo.goto(f"{base}/status-reports/")
    flagged = pmo.locator("#flagged tbody tr")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("MON-001")
    expect(flagged).to_contain_text("Declared schedule green while SPI is")
    expect(flagged).to_contain_text("Declared cost green while CPI is 0.75")
    expect(pmo.locator("#not-reported")).to_contain_text("MON-001")  # later months still due
    shutil.copy(shot(pmo, "status-reports-pmo"), DOCS_IMG / "status-reports-pmo.png")
    flagged.locator("a").first.click()
    expect(pmo.locator("#flags")).to_contain_text("W2")
    pmo.fill("#comment", "Schedule and cost are red: rate them honestly and add a recovery plan.")
    pmo.click("button[value=returned]")
    expect(pmo.locator(".message-success")).to_contain_text("returned to the project manager")
    report = StatusReport.objects.get(project=project, state=ReportState.RETURNED)
    assert report.flags and report.review_comment.startswith("Schedule and cost are red")
