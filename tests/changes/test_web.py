"""The Changes, Issues and Inbox pages."""

from __future__ import annotations

import pytest
from django.test import Client

from pmo.changes.models import ChangeRequest, ChangeStatus, Issue
from pmo.core.models import Notification
from pmo.planning.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_raise_preview_and_approve_through_the_pages(project, people, plan):
    pm = client_for(people["manager"])
    url = f"/projects/{project.pk}/changes/new/"
    assert pm.get(url).status_code == 200
    r = pm.post(url, {"title": "Longer build", "description": "SSO", "edit_kind": "duration",
                      "task": plan["Build"].pk, "duration": 30})  # fmt: skip
    cr = ChangeRequest.objects.get()
    assert r.status_code == 302
    page = pm.get(f"/projects/{project.pk}/changes/{cr.pk}/").content.decode()
    assert cr.preview["finish_after"] in page and "Approve and apply" not in page  # above limits
    sponsor = client_for(people["sponsor"])
    page = sponsor.get(f"/projects/{project.pk}/changes/{cr.pk}/").content.decode()
    assert "Approve and apply" in page
    sponsor.post(
        f"/projects/{project.pk}/changes/{cr.pk}/", {"action": "approve", "version": cr.version}
    )
    cr.refresh_from_db()
    assert (
        cr.status == ChangeStatus.APPROVED and Task.objects.get(pk=plan["Build"].pk).duration == 30
    )
    log = pm.get(f"/projects/{project.pk}/changes/").content.decode()
    assert "CR-1" in log and "Approved and applied" in log
    member = client_for(people["member"])
    inbox = member.get("/inbox/").content.decode()
    assert "The dates of" in inbox
    assert member.get("/inbox/count/").content.decode().startswith("Inbox (")
    note = Notification.objects.filter(recipient=people["member"]).first()
    r = member.post("/inbox/", {"action": "open", "id": note.pk})
    assert r.status_code == 302 and r["Location"] == note.link
    assert (
        client_for(people["manager"]).post("/inbox/", {"action": "read", "id": note.pk}).status_code
        == 404
    )


def test_bad_edit_is_a_form_error(project, people, plan):
    pm = client_for(people["manager"])
    r = pm.post(f"/projects/{project.pk}/changes/new/",
                {"title": "X", "description": "Y", "edit_kind": "constraint",
                 "task": plan["Test"].pk, "constraint_type": "SNET"})  # fmt: skip
    assert r.status_code == 200 and "needs a date" in r.content.decode()
    assert not ChangeRequest.objects.exists()


def test_issue_log_escalation_and_response(project, people, plan):
    pm = client_for(people["manager"])
    r = pm.post(f"/projects/{project.pk}/issues/new/",
                {"title": "Vendor late", "priority": "high", "status": "open",
                 "task_ids": [plan["Build"].pk]})  # fmt: skip
    issue = Issue.objects.get()
    assert r.status_code == 302
    pm.post(
        f"/projects/{project.pk}/issues/{issue.pk}/", {"action": "escalate", "ask": "Call them"}
    )
    desk = client_for(people["pmo_admin"])
    page = desk.get(f"/projects/{project.pk}/issues/{issue.pk}/").content.decode()
    assert "Record the response" in page
    desk.post(
        f"/projects/{project.pk}/issues/{issue.pk}/", {"action": "respond", "response": "Done"}
    )
    issue.refresh_from_db()
    assert issue.pmo_response == "Done"
    assert "Vendor late" in pm.get(f"/projects/{project.pk}/issues/").content.decode()
    assert (
        client_for(people["member"]).get(f"/projects/{project.pk}/issues/new/").status_code == 403
    )
    assert client_for(people["client"]).get(f"/projects/{project.pk}/issues/").status_code == 404
    assert client_for(people["outsider"]).get(f"/projects/{project.pk}/changes/").status_code == 404


def test_escalations_appear_on_the_pmo_desk(project, people, plan):
    pm = client_for(people["manager"])
    pm.post(f"/projects/{project.pk}/issues/new/",
            {"title": "Vendor late", "priority": "high", "status": "open"})  # fmt: skip
    issue = Issue.objects.get()
    desk = client_for(people["pmo_admin"])
    assert "No escalations waiting" in desk.get("/pmo/").content.decode()
    escalate = {"action": "escalate", "ask": "Call them"}
    pm.post(f"/projects/{project.pk}/issues/{issue.pk}/", escalate)
    page = desk.get("/pmo/").content.decode()
    assert "I-1 Vendor late" in page and "Call them" in page


@pytest.mark.parametrize("what", ["changes", "issues"])
def test_log_pages_take_constant_queries(project, people, plan, what):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pmo.changes import services

    pm = client_for(people["manager"])
    url = f"/projects/{project.pk}/{what}/"

    def add() -> None:
        if what == "changes":
            services.change_create(
                actor=people["manager"], project_id=project.pk,
                data={"title": "T", "description": "D", "edits": [
                    {"kind": "duration", "task_id": plan["Build"].pk, "duration": 12}]},
            )  # fmt: skip
        else:
            issue = services.issue_create(
                actor=people["manager"], project_id=project.pk,
                data={"title": "I", "owner_id": people["member"].pk,
                      "task_ids": [plan["Build"].pk]},
            )  # fmt: skip
            assert issue.pk

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert pm.get(url).status_code == 200
        return len(ctx.captured_queries)

    add()
    count()
    one = count()
    for _ in range(4):
        add()
    assert count() == one
