"""Closing end to end: the PM asks for acceptance, the external client accepts on their page
(the sign-off keeps who, when, from where and a digest), the PM closes the contract with its
final invoice and assesses the vendor, releases the resources, writes the review with a lesson,
and closes the project, which becomes read-only with its archive ready to download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.closure import services as closure
from pmo.closure.models import SignOff
from pmo.controls import services as controls
from pmo.planning import services as planning
from pmo.projects import services as projects
from pmo.projects.models import Project, ProjectRole
from pmo.resources import services as resources
from pmo.resources.models import Assignment

START = dt.date(2026, 3, 2)
CHARTER = {
    "purpose": "Let customers serve themselves online.",
    "problem": "Call centre volume grows 20% a year.",
    "objectives": [{"objective": "Cut calls", "measure": "monthly calls", "target": "-30%"}],
    "scope_in": "Portal.",
    "deliverables": ["Portal", "Training"],
    "success_criteria": ["Calls down"],
    "milestones": [{"name": "Go-live", "date": "2026-06-30"}],
    "budget_estimate": "50000",
}


def _project_in_closing(pia: Any, sam: Any, cleo: Any, ada: Any, admin: Any) -> Project:
    project = projects.project_create(
        actor=pia, code="CLO-001", name="Customer portal", sponsor_id=sam.pk
    )
    projects.member_add(actor=pia, project_id=project.pk, user_id=cleo.pk, role=ProjectRole.CLIENT)
    projects.member_add(actor=pia, project_id=project.pk, user_id=ada.pk, role=ProjectRole.MEMBER)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": START})
    task = planning.task_create(
        actor=pia, project_id=project.pk, data={"name": "Hypercare", "duration": 10}
    )
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    ada_resource = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": ada.pk}
    )
    resources.assignment_create(
        actor=pia,
        project_id=project.pk,
        data={"task_id": task.pk, "resource_id": ada_resource.pk, "work_hours": 80},
    )
    controls.budget_line_create(
        actor=pia,
        project_id=project.pk,
        data={"category": "contracts", "period": START, "amount": "30000"},
    )
    projects.charter_update(actor=pia, project_id=project.pk, version=None, data=CHARTER)
    projects.charter_submit(actor=pia, project_id=project.pk, version=None)
    projects.charter_decide(actor=sam, project_id=project.pk, version=None, decision="approve")
    for stage in ("planning", "execution", "closing"):
        projects.project_stage_advance(actor=pia, project_id=project.pk, to_stage=stage)
    vendor = closure.vendor_create(actor=pia, data={"name": "Acme Hosting"})
    closure.contract_create(
        actor=pia,
        project_id=project.pk,
        data={
            "vendor_id": vendor.pk,
            "reference": "C-1",
            "title": "Portal hosting",
            "value": "12000",
            "start": START,
            "end": dt.date(2026, 9, 30),
        },
    )
    for name, criteria in (
        ("Portal in production", "Customers order and pay online."),
        ("Trained service desk", "Every agent passed the portal course."),
    ):
        closure.deliverable_create(
            actor=pia,
            project_id=project.pk,
            data={"name": name, "acceptance_criteria": criteria},
        )
    return project


def _act(page: Page, action: str) -> Any:
    return page.locator(f"form:has(input[name=action][value={action}])")


def test_whole_closing_path_with_client_sign_off(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    sam = person("sam", "Sam", OrgRole.EXECUTIVE)
    cleo = person("cleo", "Cleo", OrgRole.EXTERNAL_CLIENT, last="Client")
    ada = person("ada", "Ada", OrgRole.TEAM_MEMBER)
    admin = person("root", "Root", OrgRole.PMO_ADMIN)
    project = _project_in_closing(pia, sam, cleo, ada, admin)
    closing_url = f"{base}/projects/{project.pk}/closing/"

    pm = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(pm, "pia")
    pm.goto(closing_url)
    _act(pm, "acceptance_request").get_by_role("button").click()
    expect(pm.locator(".messages")).to_contain_text("Acceptance requested")

    client = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(client, "cleo")
    client.goto(f"{base}/projects/{project.pk}/")
    expect(client.get_by_role("link", name="Closing")).to_have_count(0)
    client.get_by_role("link", name="Acceptance").click()
    expect(client.locator("h2")).to_have_text("Acceptance of deliverables")
    expect(client.locator("table").first).to_contain_text("Portal in production")
    client.fill("textarea[name=comment]", "Both work as agreed.")
    shot(client, "closing-client-acceptance")
    client.get_by_role("button", name="Accept the chosen deliverables").click()
    expect(client.locator(".messages")).to_contain_text("Accepted: recorded with sign-off")
    sign_off = SignOff.objects.get()
    assert sign_off.signed_by == cleo and sign_off.ip_address == "127.0.0.1"
    assert sign_off.digest == closure.digest_of(sign_off.content)
    assert client.goto(closing_url).status == 404  # the client sees nothing else

    pm.goto(closing_url)
    invoice = _act(pm, "invoice")
    invoice.locator("input[name=date]").fill("2026-06-30")
    invoice.locator("input[name=amount]").fill("12000")
    invoice.locator("input[name=reference]").fill("INV-77")
    invoice.locator("input[name=is_final]").check()
    invoice.get_by_role("button", name="Record invoice").click()
    expect(pm.locator(".messages")).to_contain_text("Invoice recorded")
    closing = _act(pm, "contract_close")
    closing.locator("select[name=obligations_met]").select_option("yes")
    closing.locator("input[name=closure_date]").fill("2026-07-01")
    closing.get_by_role("button", name="Close contract").click()
    expect(pm.locator(".messages")).to_contain_text("Contract closed.")
    assess = _act(pm, "assess")
    assess.locator("select[name=timeliness]").select_option("3")
    assess.locator("textarea[name=comments]").fill("Solid hosting; slow first setup.")
    assess.get_by_role("button", name="Assess Acme Hosting").click()
    expect(pm.locator(".messages")).to_contain_text("Vendor assessed")

    _act(pm, "release").get_by_role("button").click()
    expect(pm.locator("#release")).to_contain_text("80.00 hours")
    assert not Assignment.objects.filter(task__project=project).exists()

    _act(pm, "review_refresh").get_by_role("button").click()
    review = _act(pm, "review_update")
    review.locator("input[name=achieved_0]").fill("-22%")
    review.locator("select[name=met_0]").select_option("no")
    review.locator("textarea[name=summary]").fill("Live on time; calls fell less than hoped.")
    review.get_by_role("button", name="Save the review").click()
    expect(pm.locator(".messages")).to_contain_text("Review saved.")
    lesson = _act(pm, "lesson")
    lesson.locator("select[name=category]").select_option("procurement")
    lesson.locator("textarea[name=what_happened]").fill("Hosting was signed two weeks late.")
    lesson.locator("textarea[name=recommendation]").fill("Start procurement during planning.")
    lesson.get_by_role("button", name="Send to the lessons repository").click()
    expect(pm.locator(".messages")).to_contain_text("Lesson sent")
    _act(pm, "review_finalise").get_by_role("button").click()
    expect(pm.locator(".messages")).to_contain_text("Review final.")
    shot(pm, "closing-path")

    _act(pm, "close").get_by_role("button", name="Close the project").click()
    expect(pm.locator(".messages")).to_contain_text("Project closed.")
    expect(pm.locator(".missing")).to_contain_text("closed and read-only")
    project.refresh_from_db()
    assert project.stage == "closed"
    with pm.expect_download() as download:
        pm.locator("#archive").get_by_role("link", name="Download").click()
    assert download.value.suggested_filename.startswith("CLO-001-archive-")
    shot(pm, "closing-closed")

    pm.goto(f"{base}/vendors/")
    pm.get_by_role("link", name="Acme Hosting").click()
    expect(pm.locator("table").first).to_contain_text("C-1 Portal hosting")
    shot(pm, "vendor-history")
