"""Portfolio dashboard end to end: the head of the PMO opens the dashboard, follows a figure to
the projects behind it, opens a program's roll-up, generates the executive pack and downloads
the PDF. The screenshots also illustrate docs/user/portfolio.md."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _arrange(person: Callable[..., Any]) -> dict[str, Any]:
    """Eight projects in two portfolios: budgets and costs, threats of rising score, a program
    of three, one escalated issue."""
    from pmo.changes.models import Escalation, Issue
    from pmo.controls.models import BudgetLine, CostCategory, Risk
    from pmo.execution.models import ActualCost
    from pmo.portfolio import services
    from pmo.portfolio.models import IntakeRequest, RequestEstimate, RequestState
    from pmo.projects.models import Health, Project, Stage

    admin = person("ada", "Ada", OrgRole.PMO_ADMIN, last="Admin")
    pm = person("pia", "Pia", OrgRole.PROJECT_MANAGER, last="Manager")
    digital = services.portfolio_create(actor=admin, data={"name": "Digital"})
    ops = services.portfolio_create(actor=admin, data={"name": "Operations"})
    today = dt.date.today()
    stages = [Stage.EXECUTION, Stage.EXECUTION, Stage.PLANNING, Stage.INITIATION, Stage.CLOSED]
    healths = [Health.GREEN, Health.AMBER, Health.RED, Health.GREEN]
    projects = []
    for i in range(8):
        p = Project.objects.create(
            code=f"{'DIG' if i < 5 else 'OPS'}-{i + 1:03d}",
            name=["Portal", "Mobile app", "Data platform", "Intranet", "Chatbot",
                  "Warehouse", "Procurement", "Energy retrofit"][i],
            portfolio=digital if i < 5 else ops, manager=pm,
            stage=stages[i % 5], health=healths[i % 4],
            planned_start=today + dt.timedelta(days=30 * i - 120),
            planned_finish=today + dt.timedelta(days=30 * i + 120),
        )  # fmt: skip
        BudgetLine.objects.create(
            project=p, category=CostCategory.LABOUR, period=today.replace(day=1),
            amount=Decimal(100_000 + 20_000 * i),
        )  # fmt: skip
        ActualCost.objects.create(
            project=p, category=CostCategory.MATERIALS, date=today,
            amount=Decimal(60_000 + 15_000 * i), description="Work done",
        )  # fmt: skip
        Risk.objects.create(
            project=p, number=1, title=f"Supplier slips ({p.code})", probability=3,
            impact=i % 5 + 1,
        )  # fmt: skip
        projects.append(p)
    # three came through intake: their business case gives them a value on the bubble chart
    for k, (i, cost, benefit) in enumerate(((0, 300, 260), (1, 200, 90), (5, 150, 110))):
        request = IntakeRequest.objects.create(
            number=k + 1, title=projects[i].name, requester=admin, state=RequestState.CONVERTED,
            portfolio=projects[i].portfolio, project=projects[i],
        )  # fmt: skip
        RequestEstimate.objects.create(
            request=request, kind="cost", period=0, amount=Decimal(cost * 1000)
        )
        for year in (1, 2, 3):
            RequestEstimate.objects.create(
                request=request, kind="benefit", period=year, amount=Decimal(benefit * 1000)
            )
    Issue.objects.create(
        project=projects[1], number=1, title="Licence costs doubled",
        escalation=Escalation.ESCALATED, escalation_ask="Approve the extra spend",
        escalated_at=dt.datetime.now(tz=dt.UTC),
    )  # fmt: skip
    program = services.program_create(
        actor=admin,
        data={"name": "Digital front door", "portfolio_id": digital.pk, "manager_id": pm.pk,
              "objectives": "One login for customers\nHalf of requests online"},
    )  # fmt: skip
    services.program_add_projects(
        actor=admin, program_id=program.pk, project_ids=[p.pk for p in projects[:3]]
    )
    return {"program": program, "projects": projects}


def test_dashboard_drill_down_program_and_executive_pack(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    world = _arrange(person)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(page, "ada")

    page.goto(live_server.url + "/portfolio/dashboard/")
    expect(page.locator("h1")).to_have_text("Portfolio")
    expect(page.locator('[data-figure="phase-underway"] b')).to_have_text("4")
    expect(page.locator("#bubble-chart canvas")).to_have_count(1)
    expect(page.locator('[data-figure="flag-no_value"]')).to_have_text("Without a business case")
    expect(page.locator("#roadmap-chart canvas")).to_have_count(1)
    page.wait_for_timeout(600)  # let ECharts finish its entry animation
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot(page, "portfolio-dashboard"), DOCS_IMG / "portfolio-dashboard.png")

    # a figure opens the projects behind it: threats of score 12 and 15 (impact 4 and 5)
    page.click('[data-figure="flag-high_risks"]')
    expect(page.locator("h2").first).to_have_text("2 projects: with open high risks")
    rows = page.locator("#drill-down tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("DIG-004")
    expect(rows.nth(1)).to_contain_text("DIG-005")
    shutil.copy(shot(page, "portfolio-drill-down"), DOCS_IMG / "portfolio-drill-down.png")

    # the program rolls up its three projects
    page.goto(live_server.url + f"/portfolio/programs/{world['program'].pk}/")
    rollup = page.locator("#rollup")
    expect(rollup).to_contain_text("Red")  # the worst of green, amber, red
    expect(rollup).to_contain_text("360,000")  # budget 100k + 120k + 140k
    shutil.copy(shot(page, "program-rollup"), DOCS_IMG / "program-rollup.png")

    # the executive pack: queued, generated in the background, kept, downloaded
    page.goto(live_server.url + "/portfolio/dashboard/")
    page.click("text=Generate executive pack")
    expect(page.locator(".message-success")).to_contain_text("is being generated")
    row = page.locator("tr[data-pack]").first
    expect(row).to_contain_text("Ready", timeout=30_000)
    expect(row).to_contain_text("8")
    shutil.copy(shot(page, "executive-packs"), DOCS_IMG / "executive-packs.png")
    with page.expect_download() as download:
        row.locator("text=Download PDF").click()
    assert download.value.suggested_filename.startswith("executive-pack-")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
