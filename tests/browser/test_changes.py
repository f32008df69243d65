"""Change control end to end: the PM raises a change whose preview shows the new finish, the
sponsor approves it, and the assignee of a moved task finds the notification in the inbox and
the email in a real SMTP server's mailbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect
from tests.changes.conftest import Mailbox, free_port

from pmo.accounts.models import OrgRole
from pmo.changes.models import ChangeRequest, ChangeStatus
from pmo.planning import services as planning
from pmo.planning.models import Schedule, Task
from pmo.projects.models import ProjectRole
from pmo.projects.services import member_add, project_create
from pmo.resources import services as resources

START = dt.date(2027, 3, 1)


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield box
    finally:
        controller.stop()


def test_pm_raises_sponsor_approves_assignee_is_told(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
    mailbox: Mailbox,
) -> None:
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    sam = person("sam", "Sam", OrgRole.EXECUTIVE)
    ada = person("ada", "Ada", OrgRole.TEAM_MEMBER)
    admin = person("root", "Root", OrgRole.PMO_ADMIN)
    project = project_create(actor=pia, code="CHG-001", name="Portal", sponsor_id=sam.pk)
    member_add(actor=pia, project_id=project.pk, user_id=ada.pk, role=ProjectRole.MEMBER)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": START})
    design = planning.task_create(
        actor=pia, project_id=project.pk, data={"name": "Design", "duration": 5}
    )
    build = planning.task_create(
        actor=pia, project_id=project.pk, data={"name": "Build", "duration": 10}
    )
    planning.dependency_create(
        actor=pia, project_id=project.pk, predecessor_id=design.pk, successor_id=build.pk
    )
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    resource = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": ada.pk}
    )
    resources.assignment_create(
        actor=pia, project_id=project.pk, data={"task_id": build.pk, "resource_id": resource.pk}
    )
    finish_before = Schedule.objects.get(project=project).finish

    pm = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/projects/{project.pk}/changes/")
    pm.get_by_role("link", name="Raise a change request").click()
    pm.fill("input[name=title]", "Longer design")
    pm.fill("textarea[name=description]", "Add single sign-on to the design.")
    pm.select_option("select[name=edit_kind]", "duration")
    pm.select_option("select[name=task]", str(design.pk))
    pm.fill("input[name=duration]", "25")
    pm.get_by_role("button", name="Raise and preview").click()
    change = ChangeRequest.objects.get()
    new_finish = change.preview["finish_after"]
    assert dt.date.fromisoformat(new_finish) > finish_before
    expect(pm.locator("#new-finish")).to_have_text(new_finish)
    expect(pm.locator("#preview")).to_contain_text("Build")
    expect(pm.get_by_role("button", name="Approve and apply")).to_have_count(0)  # above limits
    shot(pm, "change-request-preview")

    sponsor = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(sponsor, "sam")
    sponsor.goto(f"{base}/projects/{project.pk}/changes/{change.pk}/")
    sponsor.get_by_role("button", name="Approve and apply").click()
    expect(sponsor.locator(".messages")).to_contain_text("approved and applied")
    assert Task.objects.get(pk=design.pk).duration == 25
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED

    member = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(member, "ada")
    expect(member.locator("#inbox-link")).to_contain_text("Inbox (")
    member.locator("#inbox-link").click()
    expect(member.locator("#inbox")).to_contain_text("The dates of 1 of your tasks changed")
    expect(member.locator("#inbox")).to_contain_text("Build")
    shot(member, "inbox")
    received = [m for m in mailbox.messages if ada.email in m.rcpt_tos]
    assert received and any(b"The dates of 1 of your tasks changed" in m.content for m in received)
