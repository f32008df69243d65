"""Support end to end: a PM in initiation finds help for the stage and lessons of a similar past
project on the overview, searches the lessons (with stray search syntax); a new PM ticks an
onboarding item; the PMO admin sees the workload and hands a project to another PM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.core.models import Notification
from pmo.projects.models import Project
from pmo.projects.services import charter_update, project_create, project_update
from pmo.support import services

VIEW = {"width": 1400, "height": 950}


def test_stage_help_lessons_onboarding_and_hand_over(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    ned = person("ned", "Ned", OrgRole.PROJECT_MANAGER, last="Newman")
    root = person("root", "Root", OrgRole.PMO_ADMIN)
    project = project_create(actor=pia, code="INT-001", name="Intranet replacement")
    project_update(actor=pia, project_id=project.pk, version=None, data={"project_type": "it"})
    charter_update(
        actor=pia,
        project_id=project.pk,
        version=None,
        data={"purpose": "Replace the intranet and migrate its content to the new platform."},
    )
    services.article_create(
        actor=root,
        data={
            "title": "Writing a charter the sponsor approves",
            "summary": "What a sponsor looks for.",
            "body": "Each objective has a **measure** and a target.",
            "tags": ["initiation", "charter"],
        },
    )
    past = project_create(actor=pia, code="WEB-001", name="Customer site")
    project_update(actor=pia, project_id=past.pk, version=None, data={"project_type": "it"})
    services.lesson_record(
        actor=pia,
        project_id=past.pk,
        category="technical",
        what_happened="Migrating the content of the old site by hand took three extra weeks.",
        impact="Go-live slipped.",
        recommendation="Audit the content before a replacement and give each section an owner.",
        tags=["content-migration", "replacement"],
    )
    track = services.track_create(
        actor=root,
        name="Induction for new project managers",
        items=[
            {"title": "Meet the head of the PMO", "offset_days": 0},
            {"title": "Shadow a risk workshop", "offset_days": 7},
            {"title": "Run your first weekly status", "offset_days": 40},
        ],
    )
    onboarding = services.onboarding_assign(
        actor=root,
        track_id=track.pk,
        manager_id=ned.pk,
        mentor_id=pia.pk,
        start=timezone.localdate() - dt.timedelta(days=10),
    )

    pm = browser.new_context(viewport=VIEW).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/projects/{project.pk}/")
    expect(pm.locator("#stage-help")).to_contain_text("Writing a charter the sponsor approves")
    panel = pm.locator("#lessons-panel")
    expect(panel).to_contain_text("Audit the content before a replacement")
    expect(panel).to_contain_text("Why suggested: same project type (IT and digital)")
    shot(pm, "support-project-panels")

    pm.get_by_role("link", name="Support", exact=True).click()
    expect(pm.locator("h1")).to_have_text("Support")
    pm.get_by_role("link", name="Lessons learned").click()
    pm.fill("input[name=q]", 'migrat* "content AND')
    pm.get_by_role("button", name="Search").click()
    expect(pm.locator("#lessons")).to_contain_text("Migrating the content of the old site")
    shot(pm, "support-lessons")

    new_pm = browser.new_context(viewport=VIEW).new_page()
    log_in(new_pm, "ned")
    new_pm.goto(f"{base}/support/onboarding/{onboarding.pk}/")
    expect(new_pm.locator("#checklist")).to_contain_text("overdue")
    new_pm.get_by_role("button", name="Tick Meet the head of the PMO").click()
    expect(new_pm.locator(".messages")).to_contain_text("Ticked.")
    expect(new_pm.locator("main")).to_contain_text("1 of 3 done, 1 overdue")
    shot(new_pm, "support-onboarding")

    admin = browser.new_context(viewport=VIEW).new_page()
    log_in(admin, "root")
    admin.goto(f"{base}/support/workload/")
    card = admin.locator("#pm-" + str(pia.pk))
    expect(card).to_contain_text("INT-001")
    row = card.locator("tr", has_text="INT-001")
    row.locator("select[name=manager]").select_option(str(ned.pk))
    row.locator("input[name=reason]").fill("Pia leads the new programme")
    shot(admin, "support-workload")
    row.get_by_role("button", name="Hand over").click()
    expect(admin.locator(".messages")).to_contain_text("Ned Newman now manages INT-001.")
    assert Project.objects.get(pk=project.pk).manager == ned
    assert Notification.objects.filter(recipient=ned, subject__contains="You now manage").exists()
    expect(admin.locator("#pm-" + str(ned.pk))).to_contain_text("INT-001")
