"""Writes on the resource pool (PMO only) and on assignments (those who edit the project).

Every function checks who may act, validates, writes in one transaction and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import NotificationKind
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, versioned_update
from pmo.planning.models import Calendar, ConstraintType, Schedule, Task
from pmo.projects.policies import access_project, is_pmo, require, require_internal

from .models import (
    Assignment,
    JobRole,
    LevelingRun,
    Resource,
    ResourceException,
    ResourceRate,
)

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
        Assignment.objects.select_related("task__project", "resource__user")
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
    assignment = _created(Assignment(**values), actor=actor, data=values, project_id=pk)
    _tell_assignee(
        actor,
        assignment,
        "You were assigned to {task}",
        f"{_n(units)} units, {_n(assignment.work_hours)} hours of work, "
        f"{task.early_start} – {task.early_finish}.",
    )
    return assignment


def _n(value: Any) -> str:
    """A quantity as people write it: 1.5, 40, not 1.50 or 40.00."""
    return f"{Decimal(str(value)).normalize():f}"


def _tell_assignee(actor: User, assignment: Assignment, subject: str, body: str) -> None:
    """The person behind the resource hears of a change to their assignment, unless they made
    it themselves (placeholders and people without a login have no inbox)."""
    user = assignment.resource.user
    if user is None or user.pk == actor.pk:
        return
    task = assignment.task
    notify(
        users=[user],
        subject=f"[{task.project.code}] " + subject.format(task=f"{task.wbs} {task.name}"),
        body=body,
        kind=NotificationKind.TASK_CHANGED,
        link="/my-work/",
    )


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
    before = (Decimal(str(assignment.units)), Decimal(str(assignment.work_hours)))
    assignment = versioned_update(
        assignment,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=pk,
        thing="The assignment",
    )
    after = (Decimal(str(assignment.units)), Decimal(str(assignment.work_hours)))
    if after != before:
        _tell_assignee(
            actor,
            assignment,
            "Your work on {task} changed",
            f"Units {_n(before[0])} → {_n(after[0])}; work {_n(before[1])} → {_n(after[1])} hours.",
        )
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, project_id: int, assignment_id: int) -> None:
    pk = _editable_project_id(actor, project_id)
    assignment = _assignment(pk, assignment_id)
    audit_record(actor=actor, action="delete", obj=assignment, project_id=pk)
    _tell_assignee(
        actor,
        assignment,
        "You were taken off {task}",
        f"Your assignment of {_n(assignment.work_hours)} hours was removed.",
    )
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


# --- levelling ----------------------------------------------------------------------------------

LEVEL = "level resources"
LEVEL_NEEDS_REASON = "Say why the levelled plan is accepted."
LEVEL_STALE = (
    "The plan changed since this levelling was previewed; preview the levelling again "
    "before accepting it."
)
LEVEL_NOTHING = "This levelling delays no task; there is nothing to accept."
LEVEL_BAD_TASK = "Task {id} is not a task of this plan that levelling can move."
LEVEL_EARLIER = "Levelling only delays tasks: '{name}' cannot start before {start}."
LEVEL_STARTED = "'{name}' has started; levelling does not move it."
LEVEL_SUBMITTED = "The plan is submitted for approval; wait for the sponsor's decision."
RUN_NOT_FOUND = "Levelling {id} not found in this project."
RUN_CLEARED = "This levelling was already cleared on {when:%Y-%m-%d %H:%M}."


def _levelable_project(actor: User, project_id: int) -> Any:
    """The project locked for the change, if the actor may edit its plan and it is not frozen."""
    from pmo.planning.models import PlanState

    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=LEVEL, project=project)
    state = Schedule.objects.filter(project=project).values_list("plan_state", flat=True).first()
    if state == PlanState.SUBMITTED:
        raise Conflict(LEVEL_SUBMITTED)
    return project


def leveling_preview(*, actor: User, project_id: int, within_slack: bool = False) -> Any:
    """Level the plan in memory and show the result; nothing is written."""
    from .leveling import plan_snapshot, preview

    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action=LEVEL, project=project)
    return preview(plan_snapshot(project), within_slack=within_slack)


@transaction.atomic
def leveling_accept(
    *,
    actor: User,
    project_id: int,
    signature: str,
    starts: Mapping[str, Any],
    reason: str,
    within_slack: bool = False,
) -> LevelingRun:
    """Apply a previewed levelling: each delayed task gets a *start no earlier than* its
    levelled start (what a levelling delay achieves), the plan is rescheduled, and the run is
    recorded with the constraints it replaced. Refused (409) when the plan changed since."""
    from .leveling import plan_snapshot

    project = _levelable_project(actor, project_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(LEVEL_NEEDS_REASON, extra={"errors": {"reason": LEVEL_NEEDS_REASON}})
    snapshot_ = plan_snapshot(project)
    if signature != snapshot_.signature:
        raise Conflict(LEVEL_STALE)
    tasks = {str(t.pk): t for t in snapshot_.tasks if not t.is_summary}
    for task_id in starts:
        if str(task_id) not in tasks:
            raise ValidationFailed(LEVEL_BAD_TASK.format(id=task_id))
    run = _apply_levelling(actor, snapshot_, starts, reason, within_slack=within_slack)
    if run is None:
        raise ValidationFailed(LEVEL_NOTHING)
    return run


def _apply_levelling(
    actor: User, snapshot_: Any, starts: Mapping[str, Any], reason: str, *, within_slack: bool
) -> LevelingRun | None:
    """Delay the plan's tasks named in `starts` to their levelled starts and record the run;
    None when no task of this plan moves."""
    from pmo.planning.services import schedule_recompute

    project = snapshot_.project
    tasks = {str(t.pk): t for t in snapshot_.tasks if not t.is_summary}
    moves: list[dict[str, Any]] = []
    for task_id, value in starts.items():
        task = tasks.get(str(task_id))
        if task is None:
            continue
        day = value if isinstance(value, dt.date) else _iso_date(value, task_id)
        if task.early_start is None or day < task.early_start:
            raise ValidationFailed(LEVEL_EARLIER.format(name=task.name, start=task.early_start))
        if day == task.early_start:
            continue
        if task.actual_start:
            raise ValidationFailed(LEVEL_STARTED.format(name=task.name))
        moves.append(
            {
                "task_id": task.pk,
                "name": task.name,
                "from": task.early_start.isoformat(),
                "to": day.isoformat(),
                "previous_constraint_type": task.constraint_type,
                "previous_constraint_date": (
                    task.constraint_date.isoformat() if task.constraint_date else None
                ),
            }
        )
    if not moves:
        return None
    finish_before = snapshot_.schedule.finish
    for move in moves:
        task = tasks[str(move["task_id"])]
        Task.objects.filter(pk=task.pk).update(
            constraint_type=ConstraintType.SNET,
            constraint_date=dt.date.fromisoformat(move["to"]),
            version=F("version") + 1,
        )
        audit_record(
            actor=actor,
            action="update",
            obj=task,
            project_id=project.pk,
            changes={
                "constraint_type": [task.constraint_type, ConstraintType.SNET.value],
                "constraint_date": [move["previous_constraint_date"], move["to"]],
            },
            note="resource levelling",
        )
    _reopen_if_approved(snapshot_.schedule, project)
    schedule = schedule_recompute(project=project)
    run = LevelingRun.objects.create(
        project=project,
        accepted_by=actor,
        reason=reason,
        within_slack=within_slack,
        finish_before=finish_before,
        finish_after=schedule.finish,
        moves=moves,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=run,
        project_id=project.pk,
        changes={
            "moved_tasks": [None, len(moves)],
            "finish": [_iso(finish_before), _iso(schedule.finish)],
        },
        note=reason,
    )
    return run


def _reopen_if_approved(schedule: Schedule, project: Any) -> None:
    """As any change to the plan does: while the project is being planned, an approved (or
    returned) plan becomes a draft again; once under way, the approved plan stands."""
    from pmo.planning.models import PlanState
    from pmo.projects.models import Stage

    planning_stages = (Stage.INITIATION, Stage.PLANNING)
    reopen = schedule.plan_state in (PlanState.APPROVED, PlanState.RETURNED)
    if reopen and project.stage in planning_stages:
        Schedule.objects.filter(pk=schedule.pk).update(plan_state=PlanState.DRAFT)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _iso_date(value: Any, task_id: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a date (task {task_id}).") from None


@transaction.atomic
def leveling_clear(*, actor: User, project_id: int, run_id: int) -> LevelingRun:
    """Undo an accepted levelling: every task it delayed gets back the constraint it had, unless
    someone has changed that task's constraint since (that change stands)."""
    from django.utils import timezone

    from pmo.planning.services import schedule_recompute

    project = _levelable_project(actor, project_id)
    run = LevelingRun.objects.select_for_update().filter(project=project, pk=run_id).first()
    if run is None:
        raise NotFound(RUN_NOT_FOUND.format(id=run_id))
    if run.cleared_at is not None:
        raise Conflict(RUN_CLEARED.format(when=run.cleared_at))
    ids = [m["task_id"] for m in run.moves]
    tasks = {t.pk: t for t in Task.objects.filter(project=project, pk__in=ids)}
    restored = 0
    for move in run.moves:
        task = tasks.get(move["task_id"])
        if task is None or (
            task.constraint_type != ConstraintType.SNET
            or task.constraint_date is None
            or task.constraint_date.isoformat() != move["to"]
        ):
            continue
        previous = move["previous_constraint_date"]
        Task.objects.filter(pk=task.pk).update(
            constraint_type=move["previous_constraint_type"],
            constraint_date=dt.date.fromisoformat(previous) if previous else None,
            version=F("version") + 1,
        )
        audit_record(
            actor=actor,
            action="update",
            obj=task,
            project_id=project.pk,
            changes={
                "constraint_type": [task.constraint_type, move["previous_constraint_type"]],
                "constraint_date": [move["to"], previous],
            },
            note="levelling cleared",
        )
        restored += 1
    schedule_recompute(project=project)
    run.cleared_at, run.cleared_by = timezone.now(), actor
    run.save(update_fields=["cleared_at", "cleared_by", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=run,
        project_id=project.pk,
        changes={"cleared_at": [None, run.cleared_at.isoformat()], "restored_tasks": [0, restored]},
    )
    return run


# --- levelling several plans together ------------------------------------------------------------

LEVEL_TOGETHER_PMO = "Only the PMO levels several projects together."
LEVEL_TOGETHER_FEW = "Choose at least two projects to level together."
LEVEL_TOGETHER_MANY = "Level at most {max} projects together."
MAX_TOGETHER = 20


def _together(actor: User, project_ids: list[int], *, for_update: bool) -> list[Any]:
    from .leveling import plan_snapshot

    _require_pmo_to_level(actor)
    ids = sorted(set(project_ids))
    if len(ids) < 2:
        raise ValidationFailed(LEVEL_TOGETHER_FEW)
    if len(ids) > MAX_TOGETHER:
        raise ValidationFailed(LEVEL_TOGETHER_MANY.format(max=MAX_TOGETHER))
    projects = [
        _levelable_project(actor, pk) if for_update else access_project(actor, pk) for pk in ids
    ]
    return [plan_snapshot(p) for p in projects]


def _require_pmo_to_level(actor: User) -> None:
    if not is_pmo(actor):
        raise Forbidden(LEVEL_TOGETHER_PMO)


def leveling_preview_together(
    *, actor: User, project_ids: list[int], priorities: Mapping[int, int] | None = None
) -> Any:
    """Level several projects that share people in one engine call; nothing is written."""
    from .leveling import preview_together

    snapshots = _together(actor, project_ids, for_update=False)
    return preview_together(snapshots, priorities=dict(priorities or {}))


@transaction.atomic
def leveling_accept_together(
    *,
    actor: User,
    project_ids: list[int],
    signature: str,
    starts: Mapping[str, Any],
    reason: str,
) -> list[LevelingRun]:
    """Apply a levelling of several projects: one recorded run per project whose tasks move,
    all in one transaction; refused (409) when any of the plans changed since the preview."""
    from .leveling import together_signature

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(LEVEL_NEEDS_REASON, extra={"errors": {"reason": LEVEL_NEEDS_REASON}})
    snapshots = _together(actor, project_ids, for_update=True)
    if signature != together_signature(snapshots):
        raise Conflict(LEVEL_STALE)
    known = {str(t.pk) for s in snapshots for t in s.tasks if not t.is_summary}
    for task_id in starts:
        if str(task_id) not in known:
            raise ValidationFailed(LEVEL_BAD_TASK.format(id=task_id))
    runs = [
        run
        for s in snapshots
        if (run := _apply_levelling(actor, s, starts, reason, within_slack=False)) is not None
    ]
    if not runs:
        raise ValidationFailed(LEVEL_NOTHING)
    return runs
