"""Writes on the resource pool (PMO only) and on assignments (those who edit the project).

Every function checks who may act, validates, writes in one transaction and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Forbidden, NotFound, ValidationFailed
from pmo.core.services import full_clean, only_fields, versioned_update
from pmo.planning.models import Calendar, Schedule, Task
from pmo.projects.policies import access_project, is_pmo, require, require_internal

from .models import Assignment, JobRole, Resource, ResourceException, ResourceRate

PMO_ONLY = "Only the PMO may edit the resource pool."
RESOURCE_NOT_FOUND = "Resource {id} not found."
ROLE_NOT_FOUND = "Job role {id} not found."
RATE_NOT_FOUND = "Rate {id} not found for this resource."
EXCEPTION_NOT_FOUND = "Exception {id} not found for this resource."
ASSIGNMENT_NOT_FOUND = "Assignment {id} not found in this project."
TASK_ELSEWHERE = "Task {id} is not in this project."
ALREADY_ASSIGNED = "{resource} is already assigned to this task."
RESOURCE_IN_USE = "{resource} has assignments; remove them before deleting the resource."
UNKNOWN_USER = "No active user with id {id}."

EDIT_ASSIGNMENTS = "edit assignments"

ROLE_EDITABLE = {"name", "default_rate"}
RESOURCE_EDITABLE = {
    "name",
    "user_id",
    "role_id",
    "department",
    "calendar_id",
    "availability",
    "employed_from",
    "employed_to",
    "is_placeholder",
}
RATE_EDITABLE = {"effective_from", "hourly_rate"}
EXCEPTION_EDITABLE = {"date", "hours", "name"}
ASSIGNMENT_CREATE = {"task_id", "resource_id", "units", "work_hours"}
ASSIGNMENT_EDITABLE = {"units", "work_hours"}


# --- shared steps -------------------------------------------------------------------------------


def _require_pmo(actor: User) -> None:
    if not is_pmo(actor):
        raise Forbidden(PMO_ONLY)


def _check_links(data: Mapping[str, Any]) -> None:
    user_id = data.get("user_id")
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        raise ValidationFailed(UNKNOWN_USER.format(id=user_id))
    role_id = data.get("role_id")
    if role_id is not None and not JobRole.objects.filter(pk=role_id).exists():
        raise ValidationFailed(ROLE_NOT_FOUND.format(id=role_id))


def _created(
    obj: Any, *, actor: User, data: Mapping[str, Any], project_id: int | None = None
) -> Any:
    full_clean(obj)
    obj.save()
    changes = {k: [None, v] for k, v in snapshot(obj, data.keys()).items()}
    audit_record(actor=actor, action="create", obj=obj, project_id=project_id, changes=changes)
    return obj


def _resource(resource_id: Any) -> Resource:
    obj = Resource.objects.filter(pk=resource_id).first() if resource_id else None
    if obj is None:
        raise NotFound(RESOURCE_NOT_FOUND.format(id=resource_id))
    return obj


# --- job roles and the pool ---------------------------------------------------------------------


@transaction.atomic
def job_role_create(*, actor: User, data: Mapping[str, Any]) -> JobRole:
    _require_pmo(actor)
    only_fields(data, ROLE_EDITABLE)
    return _created(JobRole(**data), actor=actor, data=data)


@transaction.atomic
def resource_create(*, actor: User, data: Mapping[str, Any]) -> Resource:
    _require_pmo(actor)
    only_fields(data, RESOURCE_EDITABLE)
    _check_links(data)
    return _created(Resource(**data), actor=actor, data=data)


@transaction.atomic
def resource_update(
    *, actor: User, resource_id: int, version: int | None, data: Mapping[str, Any]
) -> Resource:
    _require_pmo(actor)
    only_fields(data, RESOURCE_EDITABLE)
    _check_links(data)
    resource = _resource(resource_id)
    return versioned_update(
        resource,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=None,
        thing="The resource",
    )


@transaction.atomic
def resource_delete(*, actor: User, resource_id: int) -> None:
    _require_pmo(actor)
    resource = _resource(resource_id)
    if resource.assignments.exists():
        raise ValidationFailed(RESOURCE_IN_USE.format(resource=resource))
    audit_record(actor=actor, action="delete", obj=resource)
    resource.delete()


@transaction.atomic
def resource_rate_create(*, actor: User, resource_id: int, data: Mapping[str, Any]) -> ResourceRate:
    _require_pmo(actor)
    only_fields(data, RATE_EDITABLE)
    resource = _resource(resource_id)
    return _created(ResourceRate(resource=resource, **data), actor=actor, data=data)


@transaction.atomic
def resource_rate_delete(*, actor: User, resource_id: int, rate_id: int) -> None:
    _require_pmo(actor)
    rate = ResourceRate.objects.filter(resource_id=resource_id, pk=rate_id).first()
    if rate is None:
        raise NotFound(RATE_NOT_FOUND.format(id=rate_id))
    audit_record(actor=actor, action="delete", obj=rate)
    rate.delete()


@transaction.atomic
def resource_exception_create(
    *, actor: User, resource_id: int, data: Mapping[str, Any]
) -> ResourceException:
    _require_pmo(actor)
    only_fields(data, EXCEPTION_EDITABLE)
    resource = _resource(resource_id)
    return _created(ResourceException(resource=resource, **data), actor=actor, data=data)


@transaction.atomic
def resource_exception_delete(*, actor: User, resource_id: int, exception_id: int) -> None:
    _require_pmo(actor)
    row = ResourceException.objects.filter(resource_id=resource_id, pk=exception_id).first()
    if row is None:
        raise NotFound(EXCEPTION_NOT_FOUND.format(id=exception_id))
    audit_record(actor=actor, action="delete", obj=row)
    row.delete()


# --- assignments --------------------------------------------------------------------------------


def plan_hours_per_day(project_id: int) -> int:
    """Working hours a day of the plan's calendar (the organisation default, else 8)."""
    schedule = Schedule.objects.select_related("calendar").filter(project_id=project_id).first()
    calendar = schedule.calendar if schedule and schedule.calendar else None
    if calendar is None:
        calendar = Calendar.objects.filter(is_default=True).first()
    return calendar.hours_per_day if calendar else 8


def default_work_hours(task: Task, units: Decimal) -> Decimal:
    """Task duration × hours a day of the plan calendar × units."""
    hours = Decimal(task.duration * plan_hours_per_day(task.project_id)) * Decimal(units)
    return hours.quantize(Decimal("0.01"))


def _editable_project_id(actor: User, project_id: int) -> int:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=EDIT_ASSIGNMENTS, project=project)
    return project.pk


def _assignment(project_id: int, assignment_id: Any) -> Assignment:
    obj = (
        Assignment.objects.select_related("task", "resource")
        .filter(task__project_id=project_id, pk=assignment_id)
        .first()
        if assignment_id
        else None
    )
    if obj is None:
        raise NotFound(ASSIGNMENT_NOT_FOUND.format(id=assignment_id))
    return obj


@transaction.atomic
def assignment_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Assignment:
    pk = _editable_project_id(actor, project_id)
    only_fields(data, ASSIGNMENT_CREATE)
    task = Task.objects.filter(project_id=pk, pk=data.get("task_id")).first()
    if task is None:
        raise ValidationFailed(TASK_ELSEWHERE.format(id=data.get("task_id")))
    resource = Resource.objects.filter(pk=data.get("resource_id")).first()
    if resource is None:
        raise ValidationFailed(RESOURCE_NOT_FOUND.format(id=data.get("resource_id")))
    if Assignment.objects.filter(task=task, resource=resource).exists():
        raise ValidationFailed(ALREADY_ASSIGNED.format(resource=resource))
    values = dict(data)
    units = Decimal(str(values.get("units", 1)))
    values["units"] = units
    if values.get("work_hours") is None:
        values["work_hours"] = default_work_hours(task, units)
    return _created(Assignment(**values), actor=actor, data=values, project_id=pk)


@transaction.atomic
def assignment_update(
    *,
    actor: User,
    project_id: int,
    assignment_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> Assignment:
    pk = _editable_project_id(actor, project_id)
    only_fields(data, ASSIGNMENT_EDITABLE)
    assignment = _assignment(pk, assignment_id)
    values = dict(data)
    if "units" in values and "work_hours" not in values:
        # Work follows the units unless it is given.
        values["work_hours"] = default_work_hours(assignment.task, Decimal(str(values["units"])))
    return versioned_update(
        assignment,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=pk,
        thing="The assignment",
    )


@transaction.atomic
def assignment_delete(*, actor: User, project_id: int, assignment_id: int) -> None:
    pk = _editable_project_id(actor, project_id)
    assignment = _assignment(pk, assignment_id)
    audit_record(actor=actor, action="delete", obj=assignment, project_id=pk)
    assignment.delete()


# --- cost ---------------------------------------------------------------------------------------


def rate_on(resource: Resource, day: dt.date | None) -> Decimal:
    """The hourly rate in force on `day`: the latest effective on or before it; else the role's."""
    rates = ResourceRate.objects.filter(resource=resource)
    if day is not None:
        rates = rates.filter(effective_from__lte=day)
    rate = rates.order_by("-effective_from").values_list("hourly_rate", flat=True).first()
    return rate if rate is not None else resource.role.default_rate


def assignment_labour_cost(assignment: Assignment) -> Decimal:
    """Work × the rate in force at the task's start."""
    rate = rate_on(assignment.resource, assignment.task.early_start)
    return (assignment.work_hours * rate).quantize(Decimal("0.01"))
