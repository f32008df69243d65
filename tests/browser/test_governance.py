"""Stage gates end to end: a PMO admin defines a four-gate methodology, a PM creates a project
from a template, tries to advance without meeting the criteria and is shown exactly what is
missing, completes them, requests the review, the PMO approves and the stage advances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.governance import services as gov
from pmo.governance.models import GateReview, Methodology
from pmo.projects import services as projects
from pmo.projects.models import Project

START = dt.date(2027, 3, 1)
CHARTER = {
    "purpose": "Let partners order through an API.",
    "problem": "Partners send orders by e-mail.",
    "objectives": [{"objective": "Automate orders", "measure": "share via API", "target": "80%"}],
    "scope_in": "Order API, onboarding of five partners.",
    "deliverables": ["API"],
    "success_criteria": ["Five partners live"],
    "milestones": [{"name": "Go-live", "date": "2027-06-30"}],
    "budget_estimate": "120000",
}


def _add_criterion(page: Page, stage: str, kind: str, *, key: str = "", label: str = "") -> None:
    section = page.locator(f"#stage-{stage}")
    section.locator("summary", has_text="Add a criterion").click()
    section.locator("select[name=kind]").select_option(kind)
    if key:
        section.locator("select[name=key]").select_option(key)
    if label:
        section.locator("input[name=label]").fill(label)
    section.get_by_role("button", name="Add criterion").click()
    expect(page.locator(".messages")).to_contain_text("added")


def test_four_gates_template_missing_criteria_review_and_advance(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    person("root", "Amira", OrgRole.PMO_ADMIN, last="Haddad")
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER, last="Rossi")
    sam = person("sam", "Sam", OrgRole.EXECUTIVE, last="Okafor")

    # the PMO admin defines a four-gate methodology and publishes it
    admin = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(admin, "root")
    admin.goto(f"{base}/governance/")
    admin.fill("input[name=name]", "Four gates")
    admin.get_by_role("button", name="Create methodology").click()
    expect(admin.locator("h1")).to_contain_text("Four gates v1")
    _add_criterion(admin, "initiation", "automatic", key="charter_approved")
    _add_criterion(admin, "initiation", "manual", label="Business case signed")
    _add_criterion(admin, "planning", "automatic", key="baseline_exists")
    _add_criterion(admin, "execution", "automatic", key="timesheets_approved")
    _add_criterion(admin, "closing", "manual", label="Operations sign-off")
    admin.select_option("select[name=effect]", "skip_criterion")
    admin.select_option("select[name=target]", label="Planning: Baseline captured")
    admin.select_option("select[name=sizes]", "small")
    admin.fill("input[name=reason]", "Small projects plan on a page; no baseline needed.")
    admin.get_by_role("button", name="Add rule").click()
    expect(admin.locator("#tailoring")).to_contain_text("for size small")
    admin.get_by_role("button", name="Publish this version").click()
    expect(admin.locator(".messages")).to_contain_text("published")
    shot(admin, "governance-methodology")
    methodology = Methodology.objects.get(name="Four gates")
    template = gov.template_create(
        actor=methodology.created_by,
        data={
            "name": "API delivery", "methodology_id": methodology.pk, "project_type": "it",
            "tasks": [{"key": "D", "name": "Design", "duration": 5},
                      {"key": "B", "name": "Build", "duration": 15},
                      {"key": "G", "name": "Go-live", "duration": 0}],
            "links": [{"predecessor": "D", "successor": "B"},
                      {"predecessor": "B", "successor": "G"}],
            "risks": [{"title": "Partner readiness", "probability": 3, "impact": 3}],
        },
    )  # fmt: skip

    # the PM creates a project from the template; the engine schedules its plan
    pm = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/governance/templates/{template.pk}/use/")
    pm.fill("input[name=code]", "API-001")
    pm.fill("input[name=name]", "Partner order API")
    pm.fill("input[name=start]", START.isoformat())
    pm.select_option("select[name=sponsor_id]", str(sam.pk))
    pm.get_by_role("button", name="Create the project").click()
    expect(pm.locator(".messages")).to_contain_text("created from 'API delivery'")
    project = Project.objects.get(code="API-001")
    assert project.tasks.get(name="Go-live").early_start == dt.date(2027, 3, 26)

    # advancing without the criteria: refused, with exactly what is missing
    pm.get_by_role("button", name="Advance to Planning").click()
    message = pm.locator(".messages")
    expect(message).to_contain_text("API-001 leaves initiation only through a passed Initiation")
    expect(message).to_contain_text(
        "Charter approved: Charter version 1 is draft; the sponsor has not approved it."
    )
    expect(message).to_contain_text("Business case signed: No evidence recorded yet")
    expect(pm.locator("#gate-criteria li.missing")).to_have_count(2)
    shot(pm, "governance-gate-missing")

    # the PM completes them: the sponsor approves the charter, the PM records the evidence
    projects.charter_update(actor=pia, project_id=project.pk, version=None, data=CHARTER)
    projects.charter_submit(actor=pia, project_id=project.pk, version=None)
    projects.charter_decide(actor=sam, project_id=project.pk, version=None, decision="approve")
    pm.reload()
    case = pm.locator("#gate-criteria li", has_text="Business case signed")
    case.locator("input[name=url]").fill("https://intranet.example.org/cases/api-001")
    case.get_by_role("button", name="Record evidence for Business case signed").click()
    expect(pm.locator(".messages")).to_contain_text("Evidence recorded.")
    expect(pm.locator("#gate-criteria li.met")).to_have_count(2)
    pm.fill("#gate-note", "Charter approved, business case signed.")
    pm.get_by_role("button", name="Request the gate review").click()
    expect(pm.locator("#gate-open-review")).to_contain_text("waiting for the PMO's decision")

    # the PMO approves; the stage advances
    admin.goto(f"{base}/governance/reviews/")
    review = GateReview.objects.get(project=project)
    card = admin.locator(f"#review-{review.pk}")
    expect(card).to_contain_text("Charter version 1 is approved.")
    card.locator("select[name=decision]").select_option("go")
    card.locator("textarea[name=rationale]").fill("Charter and business case in order.")
    shot(admin, "governance-review-queue")
    card.get_by_role("button", name="Record the decision").click()
    expect(admin.locator(".messages")).to_contain_text("API-001 Initiation gate: Go")
    expect(admin.locator(".messages")).to_contain_text("the project is in Planning")
    project.refresh_from_db()
    assert project.stage == "planning"
    pm.reload()
    expect(pm.locator(".badges")).to_contain_text("Planning")
    expect(pm.locator("#gate-panel h2").first).to_have_text("Planning gate")

    gov.compliance_snapshot_take()
    admin.goto(f"{base}/governance/compliance/?project={project.pk}")
    expect(admin.locator("#heatmap")).to_contain_text("API-001")
    shot(admin, "governance-compliance")
