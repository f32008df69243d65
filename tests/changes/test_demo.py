"""The demo: executing projects have change requests and issues, one escalated; inboxes filled."""

from __future__ import annotations

from pmo.changes.models import ChangeRequest, Escalation, Issue
from pmo.core.models import Notification
from pmo.projects.models import Project, Stage


def test_demo_has_changes_issues_and_inbox_notifications(db, demo_data, mailoutbox):
    executing = Project.objects.filter(stage=Stage.EXECUTION)
    assert executing.exists()
    statuses = set(ChangeRequest.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending", "rejected"}
    assert ChangeRequest.objects.filter(status="pending").exclude(preview={}).exists()
    assert Issue.objects.filter(escalation=Escalation.ESCALATED).exists()
    assert Issue.objects.filter(escalation=Escalation.ANSWERED).exists() or executing.count() < 2
    for username in ("admin", "pm", "dev"):
        assert Notification.objects.filter(recipient__username=username).exists(), username
    for change in ChangeRequest.objects.filter(status="pending").select_related("project"):
        assert Notification.objects.filter(recipient=change.project.sponsor).exists()
    assert mailoutbox == []
