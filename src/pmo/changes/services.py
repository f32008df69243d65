"""Writes of change control and the issue log.

Change requests: anyone inside the project raises one; its schedule impact is previewed by the
engine (nothing written); the PM decides a change within the project's thresholds, the sponsor
or the PMO one above them. An approved change is applied in the same transaction through the
planning services, optionally with a new baseline. If the plan changed since the preview, the
decision is refused (409) until the preview is refreshed: nobody approves numbers they did not see.

Issues: the PM's team logs them; the PM escalates one to the PMO with an ask; the PMO answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pmo.accounts.models import User
from pmo.controls.models import Risk
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, Forbidden, ValidationFailed
from pmo.core.models import NotificationKind
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects.models import Project
from pmo.projects.policies import access_project, is_pmo, require, require_internal

from . import impact
from .models import ChangeRequest, ChangeStatus, ChangeThresholds, Escalation, Issue, IssueStatus

CHANGE_NOT_FOUND = "Change request {id} not found in this project."
ISSUE_NOT_FOUND = "Issue {id} not found in this project."
NOT_PENDING = "CR-{n} is {status}; only a pending change request is {what}."
PLAN_MOVED = (
    "The plan changed since the preview of CR-{n} (the finish then: {finish}); "
    "refresh the preview and decide on the new numbers."
)
ABOVE_LIMITS = (
    "CR-{n} adds {days} working day(s) and {cost} in cost, above the project manager's limits "
    "({max_days} days, {max_cost}); the sponsor or the PMO decides it."
)
DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'approve' or 'reject'."
REJECT_NEEDS_COMMENT = "Say why the change is rejected."
NO_MANAGER = "The project has no manager to apply the change; name one first."
BAD_COST = "'{value}' is not an amount."
UNKNOWN_USER = "No active user with id {id}."
NOT_A_LIST = "{field} must be a list of ids."
ELSEWHERE = "These {what} are not in this project: {ids}."
ALREADY_ESCALATED = "I-{n} is already escalated to the PMO."
NOT_ESCALATED = "I-{n} is not escalated to the PMO; there is nothing to answer."
CLOSED_ISSUE = "I-{n} is {status}; reopen it before escalating."
ASK_NEEDED = "Say what you ask of the PMO."
RESPONSE_NEEDED = "Write the PMO's response."
RESOLUTION_NEEDED = "Say how the issue was resolved."

CHANGE_FIELDS = {
    "title",
    "description",
    "reason",
    "impact_scope",
    "impact_cost",
    "impact_quality",
    "impact_risk",
    "edits",
    "capture_baseline",
}
ISSUE_FIELDS = {
    "title",
    "description",
    "priority",
    "owner_id",
    "due_date",
    "status",
    "resolution",
    "task_ids",
    "risk_ids",
}


# --- thresholds --------------------------------------------------------------------------------


def thresholds(project: Project) -> tuple[int, Decimal, bool]:
    """(max days, max cost, set for this project?): the PM's limits, else the organisation's."""
    row = ChangeThresholds.objects.filter(project=project).first()
    if row is not None:
        return row.max_days, row.max_cost, True
    return (
        int(settings.PMO_CHANGE_PM_MAX_DAYS),
        Decimal(str(settings.PMO_CHANGE_PM_MAX_COST)),
        False,
    )


@transaction.atomic
def thresholds_set(
    *, actor: User, project_id: int, max_days: int, max_cost: Any
) -> ChangeThresholds:
    """The PMO sets a project's limits for the PM's approval alone."""
    project = access_project(actor, project_id, for_update=True)
    require_internal(actor, project)
    require(is_pmo(actor), action="set the change thresholds", project=project)
    row = ChangeThresholds.objects.filter(project=project).first()
    data = {"max_days": max_days, "max_cost": _amount(max_cost)}
    if row is None:
        row = ChangeThresholds(project=project, **data)
        full_clean(row)
        row.save()
        audit_record(
            actor=actor,
            action="create",
            obj=row,
            project_id=project.pk,
            changes={k: [None, str(v)] for k, v in data.items()},
        )
        return row
    return versioned_update(
        row,
        actor=actor,
        data=data,
        expected_version=None,
        project_id=project.pk,
        thing="The change thresholds",
    )


def needs_sponsor(project: Project, change: ChangeRequest) -> bool:
    max_days, max_cost, _ = thresholds(project)
    return change.added_days > max_days or change.impact_cost > max_cost


def may_decide(actor: Any, project: Project, change: ChangeRequest) -> bool:
    if is_pmo(actor) or project.sponsor_id == actor.pk:
        return True
    return project.manager_id == actor.pk and not needs_sponsor(project, change)


# --- change requests ---------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise ValidationFailed(BAD_COST.format(value=value)) from None


def _change(project: Project, pk: Any) -> ChangeRequest:
    return project_row(ChangeRequest, project=project, pk=pk, missing=CHANGE_NOT_FOUND)


def _link(project: Project, kind: str, pk: int) -> str:
    return f"/projects/{project.pk}/{kind}/{pk}/"


def _deciders(project: Project, change: ChangeRequest) -> list[Any]:
    if needs_sponsor(project, change):
        return [project.sponsor or None]
    return [project.manager]


@transaction.atomic
def change_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> ChangeRequest:
    """Raise a change request; its schedule impact is previewed at once (nothing written)."""
    project = access_project(actor, project_id, for_update=True)
    require_internal(actor, project)
    only_fields(data, CHANGE_FIELDS)
    values = dict(data)
    edits = values.pop("edits", [])
    values["impact_cost"] = _amount(values.get("impact_cost"))
    change = ChangeRequest(project=project, requester=actor, **values)
    if edits:
        change.edits, change.preview, change.preview_fingerprint = impact.preview(project, edits)
        change.added_days = change.preview["added_days"]
    last = ChangeRequest.objects.filter(project=project).aggregate(n=Max("number"))["n"]
    change.number = (last or 0) + 1
    full_clean(change)
    change.save()
    audit_record(
        actor=actor,
        action="create",
        obj=change,
        project_id=project.pk,
        changes={k: [None, v] for k, v in snapshot(change, [*values, "added_days"]).items()},
    )
    finish = change.preview.get("finish_after")
    notify(
        users=[u for u in _deciders(project, change) if u is not None and u.pk != actor.pk],
        subject=f"[{project.code}] CR-{change.number} awaits your decision: {change.title}",
        body=f"{actor} raised a change request on {project}."
        + (
            f" With it the plan finishes on {finish} (+{change.added_days} working days)."
            if finish
            else ""
        ),
        kind=NotificationKind.CHANGE_REQUEST,
        link=_link(project, "changes", change.pk),
    )
    return change


@transaction.atomic
def change_refresh_preview(*, actor: User, project_id: int, change_id: int) -> ChangeRequest:
    """Re-compute the preview of a pending change against the plan as it stands now."""
    project = access_project(actor, project_id, for_update=True)
    require_internal(actor, project)
    change = _change(project, change_id)
    if change.status != ChangeStatus.PENDING:
        raise Conflict(
            NOT_PENDING.format(
                n=change.number, status=change.get_status_display().lower(), what="previewed"
            )
        )
    if not change.edits:
        return change
    _, preview, stamp = impact.preview(project, change.edits)
    return versioned_update(
        change,
        actor=actor,
        data={
            "preview": preview,
            "preview_fingerprint": stamp,
            "added_days": preview["added_days"],
        },
        expected_version=None,
        project_id=project.pk,
        thing=f"CR-{change.number}",
    )


def _apply(project: Project, change: ChangeRequest, applier: User) -> None:
    """Make the change's edits through the planning services (each reschedules the plan)."""
    for edit in change.edits:
        if edit["kind"] == "duration":
            planning.task_update(
                actor=applier,
                project_id=project.pk,
                task_id=edit["task_id"],
                version=None,
                data={"duration": edit["duration"]},
            )
        elif edit["kind"] == "constraint":
            day = edit["constraint_date"]
            planning.task_update(
                actor=applier,
                project_id=project.pk,
                task_id=edit["task_id"],
                version=None,
                data={
                    "constraint_type": edit["constraint_type"],
                    "constraint_date": dt.date.fromisoformat(day) if day else None,
                },
            )
        else:
            task = planning.task_create(
                actor=applier,
                project_id=project.pk,
                data={
                    "name": edit["name"],
                    "duration": edit["duration"],
                    "notes": f"Added by CR-{change.number}.",
                },
            )
            for pk in edit["predecessor_ids"]:
                planning.dependency_create(
                    actor=applier, project_id=project.pk, predecessor_id=pk, successor_id=task.pk
                )
            for pk in edit["successor_ids"]:
                planning.dependency_create(
                    actor=applier, project_id=project.pk, predecessor_id=task.pk, successor_id=pk
                )


@transaction.atomic
def change_decide(
    *,
    actor: User,
    project_id: int,
    change_id: int,
    decision: str,
    comment: str = "",
    version: int | None = None,
) -> ChangeRequest:
    """Approve (apply the edits, optionally capture a baseline) or reject a pending change."""
    project = access_project(actor, project_id, for_update=True)
    require_internal(actor, project)
    change = _change(project, change_id)
    if decision not in ("approve", "reject"):
        raise ValidationFailed(DECISION_UNKNOWN.format(decision=decision))
    if change.status != ChangeStatus.PENDING:
        raise Conflict(
            NOT_PENDING.format(
                n=change.number, status=change.get_status_display().lower(), what="decided"
            )
        )
    if not may_decide(actor, project, change):
        if project.manager_id == actor.pk:
            max_days, max_cost, _ = thresholds(project)
            raise Forbidden(
                ABOVE_LIMITS.format(
                    n=change.number,
                    days=change.added_days,
                    cost=change.impact_cost,
                    max_days=max_days,
                    max_cost=max_cost,
                )
            )
        require(False, action="decide on change requests", project=project)
    if decision == "reject" and not comment.strip():
        raise ValidationFailed(REJECT_NEEDS_COMMENT)
    baseline = None
    if decision == "approve":
        if change.edits and impact.plan_fingerprint(project) != change.preview_fingerprint:
            raise Conflict(
                PLAN_MOVED.format(n=change.number, finish=change.preview.get("finish_after"))
            )
        applier = actor if require_internal(actor, project).edit else project.manager
        if applier is None:
            raise Conflict(NO_MANAGER)
        _apply(project, change, applier)
        if change.capture_baseline:
            baseline = planning.baseline_capture(
                actor=applier, project_id=project.pk, name=f"After CR-{change.number}"
            )
    versioned_update(
        change,
        actor=actor,
        data={
            "status": ChangeStatus.APPROVED if decision == "approve" else ChangeStatus.REJECTED,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_comment": comment.strip(),
            "baseline": baseline,
        },
        expected_version=version,
        project_id=project.pk,
        thing=f"CR-{change.number}",
    )
    verb = "approved and applied" if decision == "approve" else "rejected"
    notify(
        users=[
            u
            for u in (change.requester, project.manager, project.sponsor)
            if u and u.pk != actor.pk
        ],
        subject=f"[{project.code}] CR-{change.number} {verb}: {change.title}",
        body=f"{actor} {verb} the change request."
        + (f" {comment.strip()}" if comment.strip() else ""),
        kind=NotificationKind.CHANGE_REQUEST,
        link=_link(project, "changes", change.pk),
    )
    return change


@transaction.atomic
def change_withdraw(*, actor: User, project_id: int, change_id: int) -> ChangeRequest:
    project = access_project(actor, project_id, for_update=True)
    perms = require_internal(actor, project)
    change = _change(project, change_id)
    require(
        perms.edit or change.requester_id == actor.pk,
        action="withdraw this change request",
        project=project,
    )
    if change.status != ChangeStatus.PENDING:
        raise Conflict(
            NOT_PENDING.format(
                n=change.number, status=change.get_status_display().lower(), what="withdrawn"
            )
        )
    return versioned_update(
        change,
        actor=actor,
        data={"status": ChangeStatus.WITHDRAWN, "decided_by": actor, "decided_at": timezone.now()},
        expected_version=None,
        project_id=project.pk,
        thing=f"CR-{change.number}",
    )


# --- issues ------------------------------------------------------------------------------------


def _issue(project: Project, pk: Any) -> Issue:
    return project_row(Issue, project=project, pk=pk, missing=ISSUE_NOT_FOUND)


def _ids_in(project: Project, model: Any, ids: Any, *, field: str, what: str) -> list[Any]:
    if not isinstance(ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ValidationFailed(NOT_A_LIST.format(field=field))
    rows = list(model.objects.filter(project=project, pk__in=ids))
    missing = sorted(set(ids) - {r.pk for r in rows})
    if missing:
        raise ValidationFailed(ELSEWHERE.format(what=what, ids=", ".join(map(str, missing))))
    return rows


def _issue_values(
    project: Project, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    only_fields(data, ISSUE_FIELDS)
    values = {k: v for k, v in data.items() if k not in ("task_ids", "risk_ids")}
    owner_id = values.get("owner_id")
    if owner_id is not None and not User.objects.filter(pk=owner_id, is_active=True).exists():
        raise ValidationFailed(UNKNOWN_USER.format(id=owner_id))
    links = {}
    if "task_ids" in data:
        links["tasks"] = _ids_in(project, Task, data["task_ids"], field="task_ids", what="tasks")
    if "risk_ids" in data:
        links["risks"] = _ids_in(project, Risk, data["risk_ids"], field="risk_ids", what="risks")
    return values, links


def _check_resolution(issue: Issue) -> None:
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) and not issue.resolution.strip():
        raise ValidationFailed(RESOLUTION_NEEDED)


def _editable(actor: User, project_id: int) -> Project:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="edit the issue log", project=project)
    return project


@transaction.atomic
def issue_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Issue:
    project = _editable(actor, project_id)
    values, links = _issue_values(project, data)
    last = Issue.objects.filter(project=project).aggregate(n=Max("number"))["n"]
    issue = Issue(project=project, number=(last or 0) + 1, **values)
    _check_resolution(issue)
    full_clean(issue)
    issue.save()
    for relation, rows in links.items():
        getattr(issue, relation).set(rows)
    audit_record(
        actor=actor,
        action="create",
        obj=issue,
        project_id=project.pk,
        changes={k: [None, v] for k, v in snapshot(issue, values.keys()).items()},
    )
    if issue.owner_id and issue.owner_id != actor.pk:
        notify(
            users=[issue.owner],
            subject=f"[{project.code}] I-{issue.number} is yours: {issue.title}",
            body=f"{actor} logged the issue and made you its owner"
            + (f"; due {issue.due_date}." if issue.due_date else "."),
            kind=NotificationKind.ISSUE,
            link=_link(project, "issues", issue.pk),
        )
    return issue


@transaction.atomic
def issue_update(
    *, actor: User, project_id: int, issue_id: int, version: int | None, data: Mapping[str, Any]
) -> Issue:
    project = _editable(actor, project_id)
    issue = _issue(project, issue_id)
    old_owner = issue.owner_id
    values, links = _issue_values(project, data)
    start = issue.version
    versioned_update(
        issue,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing=f"I-{issue.number}",
    )
    _check_resolution(issue)
    changes = {}
    for relation, rows in links.items():
        before = sorted(getattr(issue, relation).values_list("pk", flat=True))
        after = sorted(r.pk for r in rows)
        if before != after:
            getattr(issue, relation).set(rows)
            changes[relation] = [before, after]
    if changes:
        if issue.version == start:
            Issue.objects.filter(pk=issue.pk, version=start).update(version=start + 1)
            issue.version = start + 1
        audit_record(
            actor=actor, action="update", obj=issue, project_id=project.pk, changes=changes
        )
    if issue.owner_id and issue.owner_id != old_owner and issue.owner_id != actor.pk:
        notify(
            users=[issue.owner],
            subject=f"[{project.code}] I-{issue.number} is yours: {issue.title}",
            body=f"{actor} made you the owner of this issue.",
            kind=NotificationKind.ISSUE,
            link=_link(project, "issues", issue.pk),
        )
    return issue


def _pmo_people() -> list[User]:
    from pmo.accounts.models import OrgRole

    return list(
        User.objects.filter(is_active=True, org_role__in=[OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST])
    )


@transaction.atomic
def issue_escalate(
    *, actor: User, project_id: int, issue_id: int, ask: str, version: int | None = None
) -> Issue:
    """The PM escalates an open issue to the PMO with an ask; it appears in the PMO's queue."""
    project = _editable(actor, project_id)
    issue = _issue(project, issue_id)
    if issue.escalation == Escalation.ESCALATED:
        raise Conflict(ALREADY_ESCALATED.format(n=issue.number))
    if not issue.is_open:
        raise Conflict(
            CLOSED_ISSUE.format(n=issue.number, status=issue.get_status_display().lower())
        )
    if not ask.strip():
        raise ValidationFailed(ASK_NEEDED)
    versioned_update(
        issue,
        actor=actor,
        expected_version=version,
        project_id=project.pk,
        thing=f"I-{issue.number}",
        data={
            "escalation": Escalation.ESCALATED,
            "escalation_ask": ask.strip(),
            "escalated_by": actor,
            "escalated_at": timezone.now(),
            "pmo_response": "",
            "responded_by": None,
            "responded_at": None,
        },
    )
    notify(
        users=_pmo_people(),
        subject=f"[{project.code}] Escalated: I-{issue.number} {issue.title}",
        body=f"{actor} asks: {ask.strip()}",
        kind=NotificationKind.ISSUE,
        link=_link(project, "issues", issue.pk),
    )
    return issue


@transaction.atomic
def issue_respond(
    *, actor: User, project_id: int, issue_id: int, response: str, version: int | None = None
) -> Issue:
    """The PMO answers an escalated issue; the PM (and the issue's owner) are told."""
    project = access_project(actor, project_id, for_update=True)
    require_internal(actor, project)
    require(is_pmo(actor), action="answer escalations", project=project)
    issue = _issue(project, issue_id)
    if issue.escalation != Escalation.ESCALATED:
        raise Conflict(NOT_ESCALATED.format(n=issue.number))
    if not response.strip():
        raise ValidationFailed(RESPONSE_NEEDED)
    versioned_update(
        issue,
        actor=actor,
        expected_version=version,
        project_id=project.pk,
        thing=f"I-{issue.number}",
        data={
            "escalation": Escalation.ANSWERED,
            "pmo_response": response.strip(),
            "responded_by": actor,
            "responded_at": timezone.now(),
        },
    )
    notify(
        users=[
            u for u in (project.manager, issue.escalated_by, issue.owner) if u and u.pk != actor.pk
        ],
        subject=f"[{project.code}] The PMO answered I-{issue.number} {issue.title}",
        body=f"{actor}: {response.strip()}",
        kind=NotificationKind.ISSUE,
        link=_link(project, "issues", issue.pk),
    )
    return issue
