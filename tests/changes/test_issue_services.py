from __future__ import annotations

import pytest

from pmo.changes import services
from pmo.changes.models import Escalation
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_issue_escalated_and_answered(project, people, plan):
    pm = people["manager"]
    issue = services.issue_create(
        actor=pm, project_id=project.pk,
        data={"title": "Vendor late", "priority": "high", "owner_id": people["member"].pk,
              "task_ids": [plan["Build"].pk]},
    )  # fmt: skip
    assert issue.number == 1 and list(issue.tasks.all()) == [plan["Build"]]
    assert Notification.objects.filter(recipient=people["member"], kind="issue").exists()
    with pytest.raises(ValidationFailed):
        services.issue_escalate(actor=pm, project_id=project.pk, issue_id=issue.pk, ask=" ")
    services.issue_escalate(
        actor=pm, project_id=project.pk, issue_id=issue.pk, ask="Call the vendor"
    )
    assert Notification.objects.filter(
        recipient=people["pmo_admin"], subject__contains="Escalated"
    ).exists()
    with pytest.raises(Conflict):
        services.issue_escalate(actor=pm, project_id=project.pk, issue_id=issue.pk, ask="Again")
    with pytest.raises(Forbidden):
        services.issue_respond(actor=pm, project_id=project.pk, issue_id=issue.pk, response="ok")
    done = services.issue_respond(
        actor=people["pmo_analyst"], project_id=project.pk, issue_id=issue.pk, response="Done"
    )
    assert done.escalation == Escalation.ANSWERED and done.pmo_response == "Done"
    assert Notification.objects.filter(recipient=pm, subject__contains="answered").exists()


def test_issue_edit_rules(project, people, plan):
    pm = people["manager"]
    issue = services.issue_create(actor=pm, project_id=project.pk, data={"title": "Slow tests"})
    with pytest.raises(ValidationFailed, match="resolved"):
        services.issue_update(
            actor=pm,
            project_id=project.pk,
            issue_id=issue.pk,
            version=1,
            data={"status": "resolved"},
        )
    with pytest.raises(ValidationFailed, match="not in this project"):
        services.issue_update(
            actor=pm, project_id=project.pk, issue_id=issue.pk, version=1, data={"risk_ids": [9999]}
        )
    services.issue_update(
        actor=pm, project_id=project.pk, issue_id=issue.pk, version=1,
        data={"status": "resolved", "resolution": "Parallel runner"},
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.issue_update(
            actor=pm, project_id=project.pk, issue_id=issue.pk, version=1, data={"title": "x"}
        )
    with pytest.raises(Forbidden):
        services.issue_create(actor=people["member"], project_id=project.pk, data={"title": "x"})
    with pytest.raises(NotFound):
        services.issue_create(actor=people["outsider"], project_id=project.pk, data={"title": "x"})
