"""Writes on a project's controls: budget lines, risks, quality items and communications.

Every function checks the policy (only those who edit the project change its controls),
validates, writes in one transaction and audits. Links to tasks and stakeholders must stay
inside the project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import NotFound, ValidationFailed
from pmo.core.models import VersionedModel
from pmo.core.services import full_clean, only_fields, versioned_update
from pmo.planning.models import Task
from pmo.projects.models import Project, Stakeholder
from pmo.projects.policies import access_project, require, require_internal

from .models import BudgetLine, CommunicationItem, QualityItem, Risk

UNKNOWN_USER = "No active user with id {id}."
NOT_A_LIST = "{field} must be a list of ids."
TASKS_ELSEWHERE = "These tasks are not in this project: {ids}."
STAKEHOLDERS_ELSEWHERE = "These stakeholders are not in this project: {ids}."
PERIOD_INVALID = "'{value}' is not a date; give the month as YYYY-MM-01."
RISK_NOT_FOUND = "Risk {id} not found in this project."
BUDGET_LINE_NOT_FOUND = "Budget line {id} not found in this project."
QUALITY_ITEM_NOT_FOUND = "Quality item {id} not found in this project."
COMMUNICATION_ITEM_NOT_FOUND = "Communication item {id} not found in this project."

EDIT_BUDGET = "edit the budget"
EDIT_RISKS = "edit the risk register"
EDIT_QUALITY = "edit the quality plan"
EDIT_COMMUNICATION = "edit the communication plan"

BUDGET_LINE_EDITABLE = {"category", "period", "amount", "description"}
RISK_EDITABLE = {
    "kind",
    "title",
    "cause",
    "event",
    "effect",
    "category",
    "probability",
    "impact",
    "cost_impact",
    "schedule_impact_days",
    "owner_id",
    "strategy",
    "response_actions",
    "trigger",
    "status",
    "review_date",
    "task_ids",
}
QUALITY_ITEM_EDITABLE = {
    "deliverable",
    "acceptance_criteria",
    "quality_standards",
    "review_method",
    "reviewer_id",
    "due_date",
    "status",
}
COMMUNICATION_ITEM_EDITABLE = {
    "information",
    "stakeholder_ids",
    "audience_description",
    "frequency",
    "channel",
    "owner_id",
    "next_due",
}
USER_FIELDS = ("owner_id", "reviewer_id")

M = TypeVar("M", bound=VersionedModel)


# --- shared steps -------------------------------------------------------------------------------


def _editable_project(actor: User, project_id: int, *, action: str) -> Project:
    """The project, locked for the change, if `actor` may edit it; not found if not internal."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=action, project=project)
    return project


def _check_fields(data: Mapping[str, Any], allowed: set[str]) -> None:
    only_fields(data, allowed)
    for field in USER_FIELDS:
        user_id = data.get(field)
        if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
            raise ValidationFailed(UNKNOWN_USER.format(id=user_id))


def _in_project(
    project: Project, model: type[models.Model], ids: Any, *, field: str, message: str
) -> list[models.Model]:
    """The rows of `model` with these ids, all of which must belong to `project`."""
    if not isinstance(ids, list | tuple | set) or not all(isinstance(i, int) for i in ids):
        raise ValidationFailed(NOT_A_LIST.format(field=field))
    found = list(model._default_manager.filter(project=project, pk__in=ids))
    missing = sorted(set(ids) - {row.pk for row in found})
    if missing:
        raise ValidationFailed(message.format(ids=", ".join(map(str, missing))))
    return found


def _split_links(
    project: Project, data: Mapping[str, Any], links: Mapping[str, tuple[str, Any, str]]
) -> tuple[dict[str, Any], dict[str, list[models.Model]]]:
    """Plain field values, and the validated rows for each many-to-many link given."""
    values = {k: v for k, v in data.items() if k not in links}
    rows = {
        relation: _in_project(project, model, data[key], field=key, message=message)
        for key, (relation, model, message) in links.items()
        if key in data
    }
    return values, rows


def _ids(rows: Iterable[models.Model]) -> list[int]:
    return sorted(row.pk for row in rows)


def _link_ids(obj: models.Model, relation: str) -> list[int]:
    return sorted(getattr(obj, relation).values_list("pk", flat=True))


def _create(
    obj: M,
    *,
    actor: User,
    data: Mapping[str, Any],
    links: Mapping[str, list[models.Model]] | None = None,
) -> M:
    full_clean(obj)
    obj.save()
    changes = {k: [None, v] for k, v in snapshot(obj, data.keys()).items()}
    for relation, rows in (links or {}).items():
        getattr(obj, relation).set(rows)
        changes[relation] = [None, _ids(rows)]
    audit_record(actor=actor, action="create", obj=obj, project_id=obj.project_id, changes=changes)
    return obj


def _update(
    obj: M,
    *,
    actor: User,
    version: int | None,
    data: Mapping[str, Any],
    thing: str,
    links: Mapping[str, list[models.Model]] | None = None,
) -> M:
    """A versioned update of the fields, then of the links; a change to links alone also
    counts as a new version, so that stale editors of the links are refused too."""
    start_version = obj.version
    versioned_update(
        obj,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=obj.project_id,
        thing=thing,
    )
    changes: dict[str, list[Any]] = {}
    for relation, rows in (links or {}).items():
        before, after = _link_ids(obj, relation), _ids(rows)
        if before != after:
            getattr(obj, relation).set(rows)
            changes[relation] = [before, after]
    if not changes:
        return obj
    if obj.version == start_version:
        type(obj)._default_manager.filter(pk=obj.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        obj.version += 1
    audit_record(actor=actor, action="update", obj=obj, project_id=obj.project_id, changes=changes)
    return obj


def _get(model: type[M], project: Project, pk: Any, message: str) -> M:
    obj = model._default_manager.filter(project=project, pk=pk).first() if pk else None
    if obj is None:
        raise NotFound(message.format(id=pk))
    return obj


def _delete(obj: models.Model, *, actor: User, project: Project) -> None:
    audit_record(actor=actor, action="delete", obj=obj, project_id=project.pk)
    obj.delete()


def _month(data: Mapping[str, Any]) -> dict[str, Any]:
    """Budget periods are months: any day of a month stands for its first day."""
    values = dict(data)
    period = values.get("period")
    if isinstance(period, str):
        try:
            period = dt.date.fromisoformat(period)
        except ValueError:
            raise ValidationFailed(PERIOD_INVALID.format(value=period)) from None
    if isinstance(period, dt.date):
        values["period"] = period.replace(day=1)
    return values


# --- budget -------------------------------------------------------------------------------------


@transaction.atomic
def budget_line_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> BudgetLine:
    project = _editable_project(actor, project_id, action=EDIT_BUDGET)
    _check_fields(data, BUDGET_LINE_EDITABLE)
    values = _month(data)
    return _create(BudgetLine(project=project, **values), actor=actor, data=values)


@transaction.atomic
def budget_line_update(
    *,
    actor: User,
    project_id: int,
    budget_line_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> BudgetLine:
    project = _editable_project(actor, project_id, action=EDIT_BUDGET)
    _check_fields(data, BUDGET_LINE_EDITABLE)
    line = _get(BudgetLine, project, budget_line_id, BUDGET_LINE_NOT_FOUND)
    return _update(line, actor=actor, version=version, data=_month(data), thing="The budget line")


@transaction.atomic
def budget_line_delete(*, actor: User, project_id: int, budget_line_id: int) -> None:
    project = _editable_project(actor, project_id, action=EDIT_BUDGET)
    _delete(
        _get(BudgetLine, project, budget_line_id, BUDGET_LINE_NOT_FOUND),
        actor=actor,
        project=project,
    )


# --- risks --------------------------------------------------------------------------------------

RISK_LINKS = {"task_ids": ("tasks", Task, TASKS_ELSEWHERE)}


@transaction.atomic
def risk_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Risk:
    """Add a risk to the register with the next number of the project (R-1, R-2 …)."""
    project = _editable_project(actor, project_id, action=EDIT_RISKS)
    _check_fields(data, RISK_EDITABLE)
    values, links = _split_links(project, data, RISK_LINKS)
    last = Risk.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    risk = Risk(project=project, number=last + 1, **values)
    return _create(risk, actor=actor, data=values, links=links)


@transaction.atomic
def risk_update(
    *, actor: User, project_id: int, risk_id: int, version: int | None, data: Mapping[str, Any]
) -> Risk:
    project = _editable_project(actor, project_id, action=EDIT_RISKS)
    _check_fields(data, RISK_EDITABLE)
    risk = _get(Risk, project, risk_id, RISK_NOT_FOUND)
    values, links = _split_links(project, data, RISK_LINKS)
    return _update(
        risk, actor=actor, version=version, data=values, thing=f"Risk R-{risk.number}", links=links
    )


@transaction.atomic
def risk_delete(*, actor: User, project_id: int, risk_id: int) -> None:
    project = _editable_project(actor, project_id, action=EDIT_RISKS)
    _delete(_get(Risk, project, risk_id, RISK_NOT_FOUND), actor=actor, project=project)


# --- quality ------------------------------------------------------------------------------------


@transaction.atomic
def quality_item_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> QualityItem:
    project = _editable_project(actor, project_id, action=EDIT_QUALITY)
    _check_fields(data, QUALITY_ITEM_EDITABLE)
    return _create(QualityItem(project=project, **data), actor=actor, data=data)


@transaction.atomic
def quality_item_update(
    *,
    actor: User,
    project_id: int,
    quality_item_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> QualityItem:
    project = _editable_project(actor, project_id, action=EDIT_QUALITY)
    _check_fields(data, QUALITY_ITEM_EDITABLE)
    item = _get(QualityItem, project, quality_item_id, QUALITY_ITEM_NOT_FOUND)
    return _update(item, actor=actor, version=version, data=data, thing="The quality item")


@transaction.atomic
def quality_item_delete(*, actor: User, project_id: int, quality_item_id: int) -> None:
    project = _editable_project(actor, project_id, action=EDIT_QUALITY)
    _delete(
        _get(QualityItem, project, quality_item_id, QUALITY_ITEM_NOT_FOUND),
        actor=actor,
        project=project,
    )


# --- communication ------------------------------------------------------------------------------

COMMUNICATION_LINKS = {"stakeholder_ids": ("audience", Stakeholder, STAKEHOLDERS_ELSEWHERE)}


@transaction.atomic
def communication_item_create(
    *, actor: User, project_id: int, data: Mapping[str, Any]
) -> CommunicationItem:
    project = _editable_project(actor, project_id, action=EDIT_COMMUNICATION)
    _check_fields(data, COMMUNICATION_ITEM_EDITABLE)
    values, links = _split_links(project, data, COMMUNICATION_LINKS)
    item = CommunicationItem(project=project, **values)
    return _create(item, actor=actor, data=values, links=links)


@transaction.atomic
def communication_item_update(
    *,
    actor: User,
    project_id: int,
    communication_item_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> CommunicationItem:
    project = _editable_project(actor, project_id, action=EDIT_COMMUNICATION)
    _check_fields(data, COMMUNICATION_ITEM_EDITABLE)
    item = _get(CommunicationItem, project, communication_item_id, COMMUNICATION_ITEM_NOT_FOUND)
    values, links = _split_links(project, data, COMMUNICATION_LINKS)
    return _update(
        item, actor=actor, version=version, data=values, thing="The communication", links=links
    )


@transaction.atomic
def communication_item_delete(*, actor: User, project_id: int, communication_item_id: int) -> None:
    project = _editable_project(actor, project_id, action=EDIT_COMMUNICATION)
    _delete(
        _get(CommunicationItem, project, communication_item_id, COMMUNICATION_ITEM_NOT_FOUND),
        actor=actor,
        project=project,
    )
