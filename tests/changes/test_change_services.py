from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pmo.changes import services
from pmo.changes.models import ChangeStatus
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import Notification, NotificationKind
from pmo.planning import services as planning
from pmo.planning.models import Baseline, Schedule, Task

pytestmark = pytest.mark.django_db(transaction=True)


def raise_cr(project: Any, who: Any, edits: list[dict[str, Any]], **kw: Any) -> Any:
    data = {"title": "Longer build", "description": "Add SSO", "edits": edits, **kw}
    return services.change_create(actor=who, project_id=project.pk, data=data)


def test_preview_shows_what_moves_and_the_new_finish_and_writes_nothing(project, people, plan):
    finish = Schedule.objects.get(project=project).finish
    cr = raise_cr(
        project,
        people["manager"],
        [{"kind": "duration", "task_id": plan["Build"].pk, "duration": 13}],
    )
    assert cr.preview["finish_before"] == finish.isoformat()
    assert cr.added_days == 3
    assert dt.date.fromisoformat(cr.preview["finish_after"]) > finish
    moved = {m["name"] for m in cr.preview["moved"]}
    assert moved == {"Build", "Test"}
    assert Task.objects.get(pk=plan["Build"].pk).duration == 10
    assert Schedule.objects.get(project=project).finish == finish


def test_new_task_edit_is_previewed_linked(project, people, plan):
    cr = raise_cr(
        project,
        people["member"],
        [{"kind": "new_task", "name": "Security review", "duration": 2,
          "predecessor_ids": [plan["Build"].pk], "successor_ids": [plan["Test"].pk]}],
    )  # fmt: skip
    assert cr.added_days == 2
    assert any(m["name"] == "Security review" and m["wbs"] == "new" for m in cr.preview["moved"])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"kind": "teleport"}, "unknown kind"),
        ({"kind": "duration", "task_id": 999999, "duration": 3}, "not in this project"),
        ({"kind": "duration", "task_id": None, "duration": -1}, "not in this project"),
        ({"kind": "constraint", "task_id": "x", "constraint_type": "SNET"}, "not in this project"),
        ({"kind": "new_task", "name": " ", "duration": 1}, "needs a name"),
    ],
)
def test_bad_edits_are_refused(project, people, plan, edit, message):
    with pytest.raises(ValidationFailed, match=message):
        raise_cr(project, people["manager"], [edit])


def test_constraint_needs_a_date(project, people, plan):
    edit = {"kind": "constraint", "task_id": plan["Test"].pk, "constraint_type": "SNET"}
    with pytest.raises(ValidationFailed, match="needs a date"):
        raise_cr(project, people["manager"], [edit])


def test_pm_approves_a_small_change_which_is_applied_with_a_baseline(project, people, plan):
    cr = raise_cr(
        project,
        people["member"],
        [{"kind": "duration", "task_id": plan["Build"].pk, "duration": 12}],
        capture_baseline=True,
    )
    done = services.change_decide(
        actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
    )
    assert done.status == ChangeStatus.APPROVED
    assert Task.objects.get(pk=plan["Build"].pk).duration == 12
    assert Schedule.objects.get(project=project).finish.isoformat() == cr.preview["finish_after"]
    assert Baseline.objects.get(project=project, is_current=True).name == "After CR-1"
    told = Notification.objects.filter(
        kind=NotificationKind.CHANGE_REQUEST, recipient=people["member"]
    )
    assert told.filter(subject__contains="approved").exists()


def test_above_limits_the_pm_may_not_decide_the_sponsor_does(project, people, plan):
    cr = raise_cr(
        project,
        people["manager"],
        [{"kind": "duration", "task_id": plan["Build"].pk, "duration": 30}],
    )
    assert Notification.objects.filter(
        recipient=people["sponsor"], subject__contains="CR-1"
    ).exists()
    with pytest.raises(Forbidden, match="above the project manager's limits"):
        services.change_decide(
            actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
        )
    services.change_decide(
        actor=people["sponsor"], project_id=project.pk, change_id=cr.pk, decision="approve"
    )
    assert Task.objects.get(pk=plan["Build"].pk).duration == 30


def test_cost_above_the_project_threshold_needs_the_sponsor(project, people, plan):
    services.thresholds_set(
        actor=people["pmo_admin"], project_id=project.pk, max_days=10, max_cost=100
    )
    cr = raise_cr(project, people["manager"], [], impact_cost=Decimal("500"))
    with pytest.raises(Forbidden):
        services.change_decide(
            actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
        )
    with pytest.raises(Forbidden):
        services.thresholds_set(
            actor=people["manager"], project_id=project.pk, max_days=99, max_cost=1
        )


def test_a_plan_changed_since_the_preview_is_refused_until_refreshed(project, people, plan):
    cr = raise_cr(
        project,
        people["manager"],
        [{"kind": "duration", "task_id": plan["Build"].pk, "duration": 11}],
    )
    planning.task_update(
        actor=people["manager"], project_id=project.pk, task_id=plan["Design"].pk,
        version=None, data={"duration": 8},
    )  # fmt: skip
    with pytest.raises(Conflict, match="changed since the preview"):
        services.change_decide(
            actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
        )
    assert Task.objects.get(pk=plan["Build"].pk).duration == 10
    fresh = services.change_refresh_preview(
        actor=people["manager"], project_id=project.pk, change_id=cr.pk
    )
    assert fresh.preview["finish_after"] != cr.preview["finish_after"]
    services.change_decide(
        actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
    )


def test_reject_needs_a_reason_and_decided_twice_conflicts(project, people, plan):
    cr = raise_cr(project, people["member"], [])
    with pytest.raises(ValidationFailed, match="why"):
        services.change_decide(
            actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="reject"
        )
    services.change_decide(
        actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="reject",
        comment="Out of scope",
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.change_decide(
            actor=people["manager"], project_id=project.pk, change_id=cr.pk, decision="approve"
        )


def test_members_and_clients_may_not_decide_outsiders_do_not_see(project, people, plan):
    cr = raise_cr(project, people["manager"], [])
    with pytest.raises(Forbidden):
        services.change_decide(
            actor=people["member"], project_id=project.pk, change_id=cr.pk, decision="approve"
        )
    for who in ("client", "outsider"):
        with pytest.raises(NotFound):
            services.change_decide(
                actor=people[who], project_id=project.pk, change_id=cr.pk, decision="approve"
            )


def test_assignee_is_told_when_their_task_moves(project, people, plan):
    Notification.objects.all().delete()
    planning.task_update(
        actor=people["manager"], project_id=project.pk, task_id=plan["Design"].pk,
        version=None, data={"duration": 7},
    )  # fmt: skip
    note = Notification.objects.get(recipient=people["member"], kind=NotificationKind.TASK_CHANGED)
    assert "Build" in note.body
    assert not Notification.objects.filter(
        recipient=people["manager"], kind="task_changed"
    ).exists()
