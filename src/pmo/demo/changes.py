"""Demo change control: executing projects have change requests (approved, pending, rejected)
and issues (one escalated to the PMO and one answered), and the demo people find them in their
inbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pmo.accounts.models import User
from pmo.changes import services
from pmo.core.models import Notification, NotificationKind
from pmo.planning.models import Task
from pmo.projects.models import Project, Stage


def demo_changes(people: dict[str, User], today: dt.date) -> None:
    projects = list(
        Project.objects.filter(stage=Stage.EXECUTION)
        .select_related("manager", "sponsor")
        .order_by("code")
    )
    for index, project in enumerate(projects):
        if project.manager is None:
            continue
        _changes(project)
        _issues(project, people, today, escalate=index == 0, answered=index == 1)
    _inbox(people, today)


def _future_tasks(project: Project) -> list[Task]:
    return list(
        Task.objects.filter(project=project, is_summary=False, actual_start__isnull=True)
        .exclude(duration=0)
        .order_by("early_start", "position")[:3]
    )


def _changes(project: Project) -> None:
    pm, tasks = project.manager, _future_tasks(project)
    if len(tasks) < 2:
        return
    first, second = tasks[0], tasks[1]
    small = services.change_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": f"Two more days for '{first.name}'",
            "description": "The supplier's test environment arrives late; the work needs two "
            "more days.",
            "reason": "Dependency on the supplier",
            "impact_scope": "None",
            "impact_cost": Decimal("1800"),
            "impact_quality": "None",
            "impact_risk": "Lowers the risk of rushed testing",
            "edits": [{"kind": "duration", "task_id": first.pk, "duration": first.duration + 2}],
        },
    )
    services.change_decide(
        actor=pm,
        project_id=project.pk,
        change_id=small.pk,
        decision="approve",
        comment="Within my limits; the buffer absorbs it.",
    )
    services.change_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Add an accessibility audit",
            "description": "An external audit against WCAG 2.2 AA before go-live.",
            "reason": "New regulation applies from next year",
            "impact_scope": "Adds the audit and the fixes it calls for",
            "impact_cost": Decimal("24000"),
            "impact_quality": "Meets the accessibility standard",
            "impact_risk": "Removes a compliance risk",
            "edits": [
                {
                    "kind": "new_task",
                    "name": "Accessibility audit",
                    "duration": 8,
                    "predecessor_ids": [second.pk],
                    "successor_ids": [],
                }
            ],
        },
    )
    rejected = services.change_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Mobile app in this release",
            "description": "The business asks for a native mobile app in the same release.",
            "reason": "Customer request",
            "impact_scope": "A new deliverable",
            "impact_cost": Decimal("120000"),
            "edits": [{"kind": "duration", "task_id": second.pk, "duration": second.duration + 30}],
        },
    )
    decider = project.sponsor or pm
    services.change_decide(
        actor=decider,
        project_id=project.pk,
        change_id=rejected.pk,
        decision="reject",
        comment="Out of the charter's scope; raise it as a project of its own.",
    )


def _issues(
    project: Project, people: dict[str, User], today: dt.date, *, escalate: bool, answered: bool
) -> None:
    pm, tasks = project.manager, _future_tasks(project)
    task_ids = [t.pk for t in tasks[:1]]
    late = services.issue_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Supplier has not delivered the test environment",
            "description": "Promised two weeks ago; testing cannot start without it.",
            "priority": "high",
            "owner_id": pm.pk,
            "due_date": today + dt.timedelta(days=5),
            "task_ids": task_ids,
        },
    )
    services.issue_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Key developer on leave for three weeks",
            "priority": "medium",
            "owner_id": pm.pk,
            "due_date": today - dt.timedelta(days=2),
            "status": "in_progress",
        },
    )
    services.issue_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Meeting room bookings clash with the steering committee",
            "priority": "low",
            "status": "resolved",
            "resolution": "Moved the weekly meeting to Thursdays.",
        },
    )
    if escalate or answered:
        services.issue_escalate(
            actor=pm,
            project_id=project.pk,
            issue_id=late.pk,
            ask="Please raise it with the supplier's account director; our contract lead "
            "has had no answer.",
        )
    if answered:
        services.issue_respond(
            actor=people["admin"],
            project_id=project.pk,
            issue_id=late.pk,
            response="Raised with their account director; delivery promised for Monday.",
        )


def _inbox(people: dict[str, User], today: dt.date) -> None:
    """Inbox rows for the demo people (loaded with emails muted, so nothing is emailed)."""
    from pmo.changes.models import ChangeRequest, ChangeStatus, Issue

    rows = []
    for change in ChangeRequest.objects.select_related("project", "requester", "decided_by"):
        link = f"/projects/{change.project_id}/changes/{change.pk}/"
        code = change.project.code
        if change.status == ChangeStatus.PENDING and change.project.sponsor:
            rows.append((change.project.sponsor, NotificationKind.CHANGE_REQUEST,
                         f"[{code}] CR-{change.number} awaits your decision: {change.title}",
                         f"With it the plan finishes on {change.preview.get('finish_after')} "
                         f"(+{change.added_days} working days).", link))  # fmt: skip
        elif change.requester and change.decided_by and change.requester != change.decided_by:
            rows.append((change.requester, NotificationKind.CHANGE_REQUEST,
                         f"[{code}] CR-{change.number} {change.get_status_display().lower()}",
                         change.decision_comment, link))  # fmt: skip
    for issue in Issue.objects.exclude(escalation="").select_related("project"):
        link = f"/projects/{issue.project_id}/issues/{issue.pk}/"
        rows.append((people["admin"], NotificationKind.ISSUE,
                     f"[{issue.project.code}] Escalated: I-{issue.number} {issue.title}",
                     issue.escalation_ask, link))  # fmt: skip
    for issue in Issue.objects.filter(
        owner__isnull=False, due_date__lt=today, status__in=["open", "in_progress"]
    ).select_related("project", "owner"):
        rows.append((issue.owner, NotificationKind.OVERDUE,
                     f"[{issue.project.code}] Overdue: I-{issue.number} {issue.title}",
                     f"This issue was due on {issue.due_date}.",
                     f"/projects/{issue.project_id}/issues/{issue.pk}/"))  # fmt: skip
    if "dev" in people:
        rows.append((people["dev"], NotificationKind.TASK_CHANGED,
                     "The dates of your tasks changed",
                     "An approved change request moved tasks you are assigned to.",
                     "/my-work/"))  # fmt: skip
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, subject=subject[:200], body=body, link=link)
        for user, kind, subject, body, link in rows
    )
