"""Reads of change control and the issue log."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from pmo.core.errors import NotFound
from pmo.projects.models import Project
from pmo.projects.policies import is_pmo, require_internal, visible_projects

from .models import ChangeRequest, Escalation, Issue

CHANGE_NOT_FOUND = "Change request {id} not found in this project."
ISSUE_NOT_FOUND = "Issue {id} not found in this project."


def change_list(*, actor: Any, project: Project) -> QuerySet[ChangeRequest]:
    require_internal(actor, project)
    return ChangeRequest.objects.filter(project=project).select_related(
        "requester", "decided_by", "baseline"
    )


def change_get(*, actor: Any, project: Project, change_id: int) -> ChangeRequest:
    row = change_list(actor=actor, project=project).filter(pk=change_id).first()
    if row is None:
        raise NotFound(CHANGE_NOT_FOUND.format(id=change_id))
    return row


def issue_list(*, actor: Any, project: Project) -> QuerySet[Issue]:
    require_internal(actor, project)
    return (
        Issue.objects.filter(project=project)
        .select_related("owner", "escalated_by", "responded_by")
        .prefetch_related(
            Prefetch("tasks", to_attr="linked_tasks"), Prefetch("risks", to_attr="linked_risks")
        )
    )


def issue_get(*, actor: Any, project: Project, issue_id: int) -> Issue:
    row = issue_list(actor=actor, project=project).filter(pk=issue_id).first()
    if row is None:
        raise NotFound(ISSUE_NOT_FOUND.format(id=issue_id))
    return row


def escalation_queue(*, actor: Any) -> QuerySet[Issue]:
    """Issues escalated to the PMO and not yet answered, oldest first (the PMO's queue)."""
    if not is_pmo(actor):
        return Issue.objects.none()
    return (
        Issue.objects.filter(escalation=Escalation.ESCALATED, project__in=visible_projects(actor))
        .select_related("project", "owner", "escalated_by", "responded_by")
        .prefetch_related(
            Prefetch("tasks", to_attr="linked_tasks"), Prefetch("risks", to_attr="linked_risks")
        )
        .order_by("escalated_at", "pk")
    )
