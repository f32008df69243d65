"""The person behind a resource hears when they are assigned, their work changes, or they are
taken off a task; placeholders tell nobody and nobody is told of their own change."""

from __future__ import annotations

from typing import Any

from pmo.core.models import Notification, NotificationKind
from pmo.resources import services


def _inbox(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_assignee_hears_of_assignment_work_change_and_removal(project, people, tasks, pool):
    pm, ada = people["manager"], people["member"]
    a = services.assignment_create(
        actor=pm,
        project_id=project.pk,
        data={"task_id": tasks["design"].pk, "resource_id": pool["ada"].pk, "units": 0.5},
    )
    services.assignment_update(
        actor=pm,
        project_id=project.pk,
        assignment_id=a.pk,
        version=a.version,
        data={"work_hours": 30},
    )
    services.assignment_delete(actor=pm, project_id=project.pk, assignment_id=a.pk)
    inbox = _inbox(ada)
    assert [n.kind for n in inbox] == [NotificationKind.TASK_CHANGED] * 3
    code = project.code
    assert inbox[0].subject == f"[{code}] You were assigned to {tasks['design'].wbs} Design"
    assert inbox[0].body.startswith("0.5 units, 20 hours of work")
    assert inbox[1].subject == f"[{code}] Your work on {tasks['design'].wbs} Design changed"
    assert inbox[1].body == "Units 0.5 → 0.5; work 20 → 30 hours."
    assert inbox[2].subject == f"[{code}] You were taken off {tasks['design'].wbs} Design"


def test_an_unchanged_save_a_placeholder_or_ones_own_change_tells_nobody(
    project, people, tasks, pool
):
    pm = people["manager"]
    a = services.assignment_create(
        actor=pm,
        project_id=project.pk,
        data={"task_id": tasks["design"].pk, "resource_id": pool["dev"].pk},
    )
    services.assignment_update(
        actor=pm, project_id=project.pk, assignment_id=a.pk, version=a.version, data={"units": 1}
    )
    assert Notification.objects.count() == 0
    # the PM assigns themselves through a resource of their own: no message to oneself
    me = services.resource_create(
        actor=people["pmo_admin"],
        data={"name": "The PM", "role_id": pool["role"].pk, "user_id": pm.pk},
    )
    services.assignment_create(
        actor=pm,
        project_id=project.pk,
        data={"task_id": tasks["build"].pk, "resource_id": me.pk},
    )
    assert Notification.objects.count() == 0
