"""Execution end to end: a team member updates progress on their task from My work and books
time on their assignment; the PM approves the week; the budget-vs-actual page shows the labour
cost at the member's rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.execution.models import LineState, TimesheetLine
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects.models import ProjectRole
from pmo.projects.services import member_add, project_create
from pmo.resources import services as resources

START = dt.date(2026, 10, 5)  # a Monday in the past
WEEK = dt.date(2026, 10, 12)


def test_member_books_time_and_progress_and_the_pm_approves(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    sam = person("sam", "Sam", OrgRole.EXECUTIVE)
    ada = person("ada", "Ada", OrgRole.TEAM_MEMBER)
    admin = person("root", "Root", OrgRole.PMO_ADMIN)
    project = project_create(actor=pia, code="EXE-001", name="Portal build", sponsor_id=sam.pk)
    member_add(actor=pia, project_id=project.pk, user_id=ada.pk, role=ProjectRole.MEMBER)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": START})
    build = planning.task_create(
        actor=pia, project_id=project.pk, data={"name": "Build", "duration": 10}
    )
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    resource = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": ada.pk}
    )
    resources.resource_rate_create(
        actor=admin, resource_id=resource.pk, data={"effective_from": START, "hourly_rate": 80}
    )
    resources.assignment_create(
        actor=pia, project_id=project.pk, data={"task_id": build.pk, "resource_id": resource.pk}
    )

    member = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(member, "ada")
    card = member.locator(f"#task-{build.pk}")
    expect(card).to_contain_text("Build")
    card.locator("input[name=percent_complete]").fill("40")
    card.locator("input[name=actual_start]").fill("2026-10-05")
    card.locator("button:has-text('Save progress')").click()
    expect(member.locator(f"#task-{build.pk}")).to_contain_text("Saved; the plan is rescheduled.")
    expect(member.locator(f"#task-{build.pk}")).to_contain_text("40 % complete")
    member.locator(f"#task-{build.pk} summary").click()
    member.fill(f"#comment-{build.pk}", "Halfway through the API layer.")
    member.locator(f"#task-{build.pk} button:has-text('Add comment')").click()
    expect(member.locator(f"#task-{build.pk} .comments")).to_contain_text("Halfway through")
    shot(member, "execution-my-work")
    assert Task.objects.get(pk=build.pk).percent_complete == 40

    member.goto(f"{base}/timesheets/{WEEK.isoformat()}/")
    for day in range(5):
        member.fill(f"input[name='h-task-{build.pk}-{day}']", "8")
    member.fill("input[name='h-training-4']", "0")
    member.click("button:has-text('Submit for approval')")
    expect(member.locator(".message-success")).to_contain_text("Timesheet submitted")
    expect(member.locator("table.timesheet")).to_contain_text("Submitted")
    shot(member, "execution-timesheet")

    pm = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/timesheets/approvals/")
    expect(pm.locator("section.card")).to_contain_text("Ada Tester")
    expect(pm.locator("section.card")).to_contain_text("EXE-001 · 40 h")
    shot(pm, "execution-approvals")
    pm.click("button:has-text('Approve')")
    expect(pm.locator(".message-success")).to_contain_text("Time approved.")
    assert TimesheetLine.objects.get(task=build).state == LineState.APPROVED

    pm.goto(f"{base}/projects/{project.pk}/")
    pm.click("nav.tabs >> text=Costs")
    expect(pm.locator("#labour-cost")).to_have_text("3,200.00")
    shot(pm, "execution-budget-vs-actual")
    pm.click("nav.tabs >> text=Progress")
    expect(pm.locator("table.data")).to_contain_text("In progress")
    expect(pm.locator("#progress-chart canvas")).to_have_count(1)
    shot(pm, "execution-progress")
