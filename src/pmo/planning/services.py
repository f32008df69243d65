"""Writes on a project's plan. Every change to tasks, links, calendars or the schedule start
reschedules the whole network through the engine inside the same transaction, so the stored
dates, floats and critical flags are never stale, and a change that would make the network
invalid (a cycle, say) is refused with nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify, tasks_moved
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.engine import CycleError, EngineError
from pmo.engine.calendar import Calendar as EngineCalendar
from pmo.projects.models import Project, Stage
from pmo.projects.policies import access_project, require, require_internal

from .adapters import SCHEDULED_FIELDS, PlanClock, engine_calendar, plan_schedule
from .models import (
    MAX_BASELINES,
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    ConstraintType,
    Dependency,
    DependencyType,
    PlanState,
    Schedule,
    Task,
)

TASK_NOT_FOUND = "Task {id} not found in this project."
DEPENDENCY_NOT_FOUND = "Dependency {id} not found in this project."
BASELINE_NOT_FOUND = "Baseline {id} not found in this project."
CALENDAR_NOT_FOUND = "Calendar {id} not found."
CYCLE = "This change would make a loop of dependencies: {names}."
PARENT_LOOP = "A task cannot be placed under itself or one of its own subtasks."
CONSTRAINT_NEEDS_DATE = "The constraint '{label}' needs a date."
CONSTRAINT_NO_DATE = "The constraint '{label}' takes no date."
DEPENDENCY_EXISTS = "'{pred}' is already linked to '{succ}'."
DEPENDENCY_SELF = "A task cannot depend on itself."
SUMMARY_LINK = "'{a}' cannot be linked to '{b}': one is a summary of the other."
DEPENDENCY_BOTH_LAGS = "Give either a lag in days or a lag as a percentage, not both."
BASELINES_FULL = "All {n} baselines are in use; replace one by giving its number."
PLAN_NOT_EDITABLE = "The plan is {state}; {hint}"
PLAN_EMPTY = "The plan has no tasks yet; add tasks before submitting it."
PLAN_NOT_SUBMITTED = "The plan is {state}; only a submitted plan is decided."
PLAN_RETURN_NEEDS_COMMENT = "Say what must change when returning a plan."
PLAN_DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'approve' or 'return'."
DEFAULT_CALENDAR_ADMIN = "Only the PMO changes the organisation's default calendar."
INVALID_SCHEDULE = "The plan cannot be scheduled: {reason}."

TASK_EDITABLE = {
    "name",
    "duration",
    "work_hours",
    "planned_cost",
    "constraint_type",
    "constraint_date",
    "deadline",
    "notes",
    "parent_id",
    "position",
    "calendar_id",
}
DEPENDENCY_EDITABLE = {"type", "lag", "lag_percent"}


# --- the schedule -------------------------------------------------------------------------------


def calendar_default() -> Calendar:
    """The organisation's default calendar, created (Monday–Friday, 8 hours) when missing."""
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = Calendar.objects.create(
            name="Standard", is_default=True, working_weekdays=[0, 1, 2, 3, 4], hours_per_day=8
        )
    return calendar


def schedule_for(project: Project) -> Schedule:
    """The project's schedule row, created on first use from the project's planned start."""
    existing = Schedule.objects.filter(project=project).select_related("calendar").first()
    if existing is not None:
        return existing
    start = project.planned_start or timezone.localdate()
    return Schedule.objects.create(project=project, start=start, calendar=calendar_default())


def plan_clock(schedule: Schedule) -> PlanClock:
    calendar = schedule.calendar
    exceptions = list(CalendarException.objects.filter(calendar=calendar)) if calendar else []
    return PlanClock(
        calendar=engine_calendar(calendar, exceptions),
        start=schedule.start,
        status_date=schedule.status_date,
    )


def _task_calendars(
    tasks: Sequence[PlanRow], schedule: Schedule
) -> dict[int, tuple[EngineCalendar, int]] | None:
    """Engine calendars of the tasks that work on a calendar other than the plan's."""
    ids = {t.calendar_id for t in tasks if t.calendar_id and t.calendar_id != schedule.calendar_id}
    if not ids:
        return None
    calendars = Calendar.objects.filter(pk__in=ids).prefetch_related("exceptions")
    return {
        c.pk: (engine_calendar(c, list(c.exceptions.all())), c.hours_per_day * 60)
        for c in calendars
    }


def _renumber(tasks: Sequence[PlanRow]) -> None:
    """WBS codes (1, 1.1, 1.2, 2 …) and summary flags from the parent links and positions."""
    children: dict[int | None, list[PlanRow]] = {}
    for task in sorted(tasks, key=lambda t: (t.position, t.pk)):
        children.setdefault(task.parent_id, []).append(task)

    def walk(parent_id: int | None, prefix: str) -> None:
        for number, task in enumerate(children.get(parent_id, []), start=1):
            task.wbs = f"{prefix}{number}"
            task.is_summary = task.pk in children
            walk(task.pk, f"{task.wbs}.")

    walk(None, "")


def _task_names(tasks: Sequence[PlanRow], ids: tuple[str, ...]) -> str:
    names = {str(t.pk): t.name for t in tasks}
    return " → ".join(f"'{names.get(i, i)}'" for i in ids)


def schedule_recompute(*, project: Project) -> Schedule:
    """Renumber the WBS and reschedule the plan; writes only the rows whose values changed.

    Call inside the transaction of the change that caused it. Raises ValidationFailed (and so
    rolls the change back) when the network cannot be scheduled.
    """
    schedule = schedule_for(project)
    tasks = [
        PlanRow(*values)
        for values in Task.objects.filter(project=project)
        .order_by("position", "pk")
        .values_list(*PlanRow.__slots__)
    ]
    links = [
        PlanLink(*values)
        # by key: the model's ordering would join the tasks and projects again for nothing
        for values in Dependency.objects.filter(project=project)
        .order_by("pk")
        .values_list(*PlanLink._fields)
    ]
    before = {
        t.pk: (t.wbs, t.is_summary, *[getattr(t, f) for f in SCHEDULED_FIELDS]) for t in tasks
    }
    _renumber(tasks)
    clock = plan_clock(schedule)
    finish: dt.date | None = None
    duration: int | None = None
    if tasks:
        try:
            plan = plan_schedule(tasks, links, clock, _task_calendars(tasks, schedule))
        except CycleError as exc:
            raise ValidationFailed(CYCLE.format(names=_task_names(tasks, exc.cycle))) from exc
        except EngineError as exc:
            raise ValidationFailed(INVALID_SCHEDULE.format(reason=str(exc))) from exc
        for task in tasks:
            for name, value in plan.values[task.pk].items():
                setattr(task, name, value)
        finish, duration = plan.finish, plan.duration
    changed = [
        t
        for t in tasks
        if before[t.pk] != (t.wbs, t.is_summary, *[getattr(t, f) for f in SCHEDULED_FIELDS])
    ]
    if changed:
        _write_scheduled(changed)
        tasks_moved(
            project,
            {
                t.pk: (before[t.pk][2], before[t.pk][3], t.early_start, t.early_finish)
                for t in changed
                if (before[t.pk][2], before[t.pk][3]) != (t.early_start, t.early_finish)
                and before[t.pk][2] is not None
            },
        )
    Schedule.objects.filter(pk=schedule.pk).update(
        finish=finish, duration=duration, computed_at=timezone.now()
    )
    schedule.finish, schedule.duration = finish, duration
    return schedule


@dataclass(slots=True)
class PlanRow:
    """The columns of a task that scheduling reads and writes: rows, not model instances,
    because building 5,000 model instances costs more than the whole CPM."""

    pk: int
    parent_id: int | None
    position: int
    name: str
    duration: int
    constraint_type: str
    constraint_date: dt.date | None
    deadline: dt.date | None
    wbs: str
    is_summary: bool
    early_start: dt.date | None
    early_finish: dt.date | None
    late_start: dt.date | None
    late_finish: dt.date | None
    total_float: int | None
    free_float: int | None
    is_critical: bool
    calendar_id: int | None
    percent_complete: int
    actual_start: dt.date | None
    actual_finish: dt.date | None
    remaining_duration: int | None


class PlanLink(NamedTuple):
    predecessor_id: int
    successor_id: int
    type: str
    lag: int
    lag_percent: float | None


def _write_scheduled(tasks: list[PlanRow]) -> None:
    """Store the computed columns of `tasks`.

    Much faster than `bulk_update` (which builds a CASE expression per row and column): a
    change at the head of a 5,000-task network moves every task after it. PostgreSQL gets one
    UPDATE joined to arrays of the new values; SQLite one prepared UPDATE run for every row.
    """
    fields = ["wbs", "is_summary", *SCHEDULED_FIELDS]
    meta = Task._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = [quote(meta.get_field(f).column) for f in fields]
    if connection.vendor == "postgresql":
        types = {
            "wbs": "text",
            "is_summary": "boolean",
            "total_float": "integer",
            "free_float": "integer",
            "is_critical": "boolean",
        }
        arrays = ", ".join(f"%s::{types.get(f, 'date')}[]" for f in fields)
        names = ", ".join(f"v{i}" for i in range(len(fields)))
        sets = ", ".join(f"{c} = v.v{i}" for i, c in enumerate(columns))
        sql = (
            f"UPDATE {table} AS t SET {sets} FROM unnest(%s::bigint[], {arrays}) "  # noqa: S608
            f"AS v(id, {names}) WHERE t.{pk} = v.id"
        )
        params = [[t.pk for t in tasks], *([getattr(t, f) for t in tasks] for f in fields)]
        import psycopg

        connection.ensure_connection()
        # Server-side binding: the arrays travel as parameters instead of being quoted into
        # the SQL text, as Django's client-side cursors would.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params)
        return
    assignments = ", ".join(f"{c} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 - names from the model
    date_fields = {f for f in fields if f.startswith(("early", "late"))}
    adapt = connection.ops.adapt_datefield_value
    rows = [
        [*(adapt(getattr(t, f)) if f in date_fields else getattr(t, f) for f in fields), t.pk]
        for t in tasks
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _editable_plan(actor: User, project_id: int) -> tuple[Project, Schedule]:
    """The project, locked for the change, if the actor may edit its plan and it is not frozen."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="change the plan", project=project)
    schedule = schedule_for(project)
    if schedule.plan_state == PlanState.SUBMITTED:
        raise Conflict(
            PLAN_NOT_EDITABLE.format(
                state="submitted for approval", hint="wait for the sponsor's decision."
            )
        )
    return project, schedule


def _reopen_if_approved(schedule: Schedule, actor: User) -> None:
    """While the project is being planned, changing an approved plan makes it a draft again
    (its baseline stays as approved). Once under way, the approved plan stands and changes
    show as variance against its baseline."""
    under_way = schedule.project.stage not in (Stage.INITIATION, Stage.PLANNING)
    if schedule.plan_state in (PlanState.APPROVED, PlanState.RETURNED) and not under_way:
        Schedule.objects.filter(pk=schedule.pk).update(plan_state=PlanState.DRAFT)
        schedule.plan_state = PlanState.DRAFT


@transaction.atomic
def schedule_update(
    *, actor: User, project_id: int, version: int | None, data: Mapping[str, Any]
) -> Schedule:
    """Change the plan's start date or calendar, and reschedule."""
    project, schedule = _editable_plan(actor, project_id)
    only_fields(data, {"start", "calendar_id"})
    if data.get("calendar_id") is not None:
        _calendar_usable(project, data["calendar_id"])
    versioned_update(
        schedule,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=project.pk,
        thing="The schedule",
    )
    _reopen_if_approved(schedule, actor)
    return schedule_recompute(project=project)


# --- tasks --------------------------------------------------------------------------------------


def _task(project: Project, task_id: Any) -> Task:
    return project_row(Task, project=project, pk=task_id, missing=TASK_NOT_FOUND)


def _check_task_fields(project: Project, task: Task | None, data: Mapping[str, Any]) -> None:
    kind = data.get("constraint_type", task.constraint_type if task else ConstraintType.ASAP)
    date = data.get("constraint_date", task.constraint_date if task else None)
    label = ConstraintType(kind).label if kind in ConstraintType.values else kind
    if kind in (ConstraintType.ASAP, ConstraintType.ALAP):
        if date is not None and "constraint_date" in data:
            raise ValidationFailed(CONSTRAINT_NO_DATE.format(label=label))
    elif kind in ConstraintType.values and date is None:
        raise ValidationFailed(CONSTRAINT_NEEDS_DATE.format(label=label))
    if data.get("calendar_id") is not None:
        _calendar_usable(project, data["calendar_id"])
    parent_id = data.get("parent_id")
    if parent_id is not None:
        chain = _ancestors(_task(project, parent_id), include_self=True)
        if task is not None and task.pk in {t.pk for t in chain}:
            raise ValidationFailed(PARENT_LOOP)
        if task is not None:
            linked = (
                Dependency.objects.filter(
                    Q(predecessor=task, successor__in=chain)
                    | Q(successor=task, predecessor__in=chain)
                )
                .select_related("predecessor", "successor")
                .first()
            )
            if linked is not None:
                raise ValidationFailed(
                    SUMMARY_LINK.format(a=linked.predecessor.name, b=linked.successor.name)
                )


def _ancestors(task: Task, *, include_self: bool = False) -> list[Task]:
    chain = [task] if include_self else []
    current = task.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


@transaction.atomic
def task_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Task:
    """Add a task (at the end, or at `position`), renumber the WBS and reschedule."""
    project, schedule = _editable_plan(actor, project_id)
    only_fields(data, TASK_EDITABLE)
    _check_task_fields(project, None, data)
    values = dict(data)
    if values.get("constraint_type") in (ConstraintType.ASAP, ConstraintType.ALAP):
        values["constraint_date"] = None
    if "position" not in values:
        last = Task.objects.filter(project=project).aggregate(p=Max("position"))["p"]
        values["position"] = 0 if last is None else last + 10
    task = Task(project=project, **values)
    full_clean(task, exclude=["parent"])
    task.save()
    audit_record(
        actor=actor,
        action="create",
        obj=task,
        project_id=project.pk,
        changes={k: [None, v] for k, v in snapshot(task, data.keys()).items()},
    )
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_update(
    *, actor: User, project_id: int, task_id: int, version: int | None, data: Mapping[str, Any]
) -> Task:
    project, schedule = _editable_plan(actor, project_id)
    only_fields(data, TASK_EDITABLE)
    task = _task(project, task_id)
    _check_task_fields(project, task, data)
    values = dict(data)
    if values.get("constraint_type") in (ConstraintType.ASAP, ConstraintType.ALAP):
        values["constraint_date"] = None
    versioned_update(
        task,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing=f"Task '{task.name}'",
        exclude_from_clean=["parent"],
    )
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_delete(*, actor: User, project_id: int, task_id: int) -> None:
    """Remove a task with its subtasks and links, and reschedule."""
    project, schedule = _editable_plan(actor, project_id)
    task = _task(project, task_id)
    audit_record(actor=actor, action="delete", obj=task, project_id=project.pk)
    task.delete()
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)


# --- dependencies -------------------------------------------------------------------------------


def _check_lags(data: Mapping[str, Any]) -> None:
    if data.get("lag") and data.get("lag_percent") is not None:
        raise ValidationFailed(DEPENDENCY_BOTH_LAGS)


@transaction.atomic
def dependency_create(
    *,
    actor: User,
    project_id: int,
    predecessor_id: int,
    successor_id: int,
    type: str = DependencyType.FS,
    lag: int = 0,
    lag_percent: float | None = None,
) -> Dependency:
    project, schedule = _editable_plan(actor, project_id)
    predecessor, successor = _task(project, predecessor_id), _task(project, successor_id)
    if predecessor.pk == successor.pk:
        raise ValidationFailed(DEPENDENCY_SELF)
    if predecessor in _ancestors(successor) or successor in _ancestors(predecessor):
        raise ValidationFailed(SUMMARY_LINK.format(a=predecessor.name, b=successor.name))
    if type not in DependencyType.values:
        raise ValidationFailed(f"Unknown dependency type '{type}'; expected FS, SS, FF or SF.")
    _check_lags({"lag": lag, "lag_percent": lag_percent})
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationFailed(DEPENDENCY_EXISTS.format(pred=predecessor.name, succ=successor.name))
    dependency = Dependency.objects.create(
        project=project,
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag=lag,
        lag_percent=lag_percent,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=dependency,
        project_id=project.pk,
        note=f"{predecessor.name} → {successor.name} ({type}{lag:+d}d)",
    )
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)
    return dependency


def _dependency(project: Project, dependency_id: int) -> Dependency:
    return project_row(Dependency, project=project, pk=dependency_id, missing=DEPENDENCY_NOT_FOUND)


@transaction.atomic
def dependency_update(
    *, actor: User, project_id: int, dependency_id: int, data: Mapping[str, Any]
) -> Dependency:
    project, schedule = _editable_plan(actor, project_id)
    only_fields(data, DEPENDENCY_EDITABLE)
    dependency = _dependency(project, dependency_id)
    merged = {"lag": dependency.lag, "lag_percent": dependency.lag_percent, **data}
    _check_lags(merged)
    before = snapshot(dependency, data.keys())
    for name, value in data.items():
        setattr(dependency, name, value)
    full_clean(dependency)
    dependency.save()
    audit_record(
        actor=actor,
        action="update",
        obj=dependency,
        project_id=project.pk,
        changes={k: [before[k], v] for k, v in snapshot(dependency, data.keys()).items()},
    )
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)
    return dependency


@transaction.atomic
def dependency_delete(*, actor: User, project_id: int, dependency_id: int) -> None:
    project, schedule = _editable_plan(actor, project_id)
    dependency = _dependency(project, dependency_id)
    audit_record(actor=actor, action="delete", obj=dependency, project_id=project.pk)
    dependency.delete()
    _reopen_if_approved(schedule, actor)
    schedule_recompute(project=project)


# --- calendars ----------------------------------------------------------------------------------


def _calendar_usable(project: Project, calendar_id: int) -> Calendar:
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None or (calendar.project_id not in (None, project.pk)):
        raise ValidationFailed(CALENDAR_NOT_FOUND.format(id=calendar_id))
    return calendar


def _check_calendar_editor(actor: User, calendar: Calendar) -> Project | None:
    if calendar.project_id is None:
        if not actor.is_pmo:
            raise Forbidden(DEFAULT_CALENDAR_ADMIN)
        return None
    project = access_project(actor, calendar.project_id)
    require(require_internal(actor, project).edit, action="change calendars", project=project)
    return project


def _reschedule_users_of(calendar: Calendar) -> None:
    """Reschedule every plan on this calendar, or with a task on it."""
    users = Schedule.objects.filter(
        Q(calendar=calendar) | Q(project__tasks__calendar=calendar)
    ).distinct()
    for schedule in users.select_related("project"):
        schedule_recompute(project=schedule.project)


@transaction.atomic
def calendar_create(
    *,
    actor: User,
    name: str,
    working_weekdays: list[int],
    hours_per_day: int = 8,
    project_id: int | None = None,
) -> Calendar:
    calendar = Calendar(
        name=name.strip(),
        working_weekdays=sorted(set(working_weekdays)),
        hours_per_day=hours_per_day,
        project_id=project_id,
    )
    _check_calendar_editor(actor, calendar)
    if not calendar.working_weekdays or not set(calendar.working_weekdays) <= set(range(7)):
        raise ValidationFailed("Choose at least one working weekday (0 = Monday … 6 = Sunday).")
    full_clean(calendar)
    calendar.save()
    audit_record(actor=actor, action="create", obj=calendar, project_id=project_id)
    return calendar


@transaction.atomic
def calendar_exception_add(
    *, actor: User, calendar_id: int, date: dt.date, name: str, working_hours: int = 0
) -> CalendarException:
    """A holiday (0 hours) or shortened day; every plan on this calendar is rescheduled."""
    calendar = Calendar.objects.select_for_update().filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(CALENDAR_NOT_FOUND.format(id=calendar_id))
    project = _check_calendar_editor(actor, calendar)
    exception, _ = CalendarException.objects.update_or_create(
        calendar=calendar,
        date=date,
        defaults={"name": name.strip()[:100], "working_hours": working_hours},
    )
    full_clean(exception)
    audit_record(
        actor=actor, action="create", obj=exception, project_id=project.pk if project else None
    )
    _reschedule_users_of(calendar)
    return exception


@transaction.atomic
def calendar_exception_delete(*, actor: User, exception_id: int) -> None:
    exception = CalendarException.objects.select_related("calendar").filter(pk=exception_id).first()
    if exception is None:
        raise NotFound("Calendar exception not found.")
    project = _check_calendar_editor(actor, exception.calendar)
    audit_record(
        actor=actor, action="delete", obj=exception, project_id=project.pk if project else None
    )
    exception.delete()
    _reschedule_users_of(exception.calendar)


# --- baselines ----------------------------------------------------------------------------------


def _capture(project: Project, *, actor: User | None, number: int | None, name: str) -> Baseline:
    used = set(Baseline.objects.filter(project=project).values_list("number", flat=True))
    if number is None:
        free = [n for n in range(MAX_BASELINES) if n not in used]
        if not free:
            raise ValidationFailed(BASELINES_FULL.format(n=MAX_BASELINES))
        number = free[0]
    if not 0 <= number < MAX_BASELINES:
        raise ValidationFailed(f"Baseline numbers go from 0 to {MAX_BASELINES - 1}.")
    schedule = schedule_recompute(project=project)
    Baseline.objects.filter(project=project, number=number).delete()
    Baseline.objects.filter(project=project, is_current=True).update(is_current=False)
    baseline = Baseline.objects.create(
        project=project,
        number=number,
        name=name.strip()[:100] or f"Baseline {number}",
        is_current=True,
        captured_by=actor,
        start=schedule.start,
        finish=schedule.finish,
    )
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task_id=t.pk,
                name=t.name,
                start=t.early_start,
                finish=t.early_finish,
                duration=t.duration,
                work_hours=t.work_hours,
                cost=t.planned_cost,
            )
            for t in Task.objects.filter(project=project).only(
                "pk",
                "name",
                "early_start",
                "early_finish",
                "duration",
                "work_hours",
                "planned_cost",
            )
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=baseline,
        project_id=project.pk,
        note=f"Baseline {number} captured",
    )
    return baseline


@transaction.atomic
def baseline_capture(
    *, actor: User, project_id: int, name: str, number: int | None = None
) -> Baseline:
    """Save the current plan as a baseline (the next free number, or replace `number`)."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="capture baselines", project=project)
    return _capture(project, actor=actor, number=number, name=name)


@transaction.atomic
def baseline_set_current(*, actor: User, project_id: int, baseline_id: int) -> Baseline:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="choose the baseline", project=project)
    baseline = project_row(Baseline, project=project, pk=baseline_id, missing=BASELINE_NOT_FOUND)
    Baseline.objects.filter(project=project, is_current=True).update(is_current=False)
    Baseline.objects.filter(pk=baseline.pk).update(is_current=True)
    baseline.is_current = True
    audit_record(
        actor=actor,
        action="update",
        obj=baseline,
        project_id=project.pk,
        changes={"is_current": [False, True]},
    )
    return baseline


@transaction.atomic
def baseline_delete(*, actor: User, project_id: int, baseline_id: int) -> None:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="delete baselines", project=project)
    baseline = project_row(Baseline, project=project, pk=baseline_id, missing=BASELINE_NOT_FOUND)
    audit_record(actor=actor, action="delete", obj=baseline, project_id=project.pk)
    baseline.delete()


# --- plan approval ------------------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, actor: User, project_id: int) -> Schedule:
    project, schedule = _editable_plan(actor, project_id)
    if not Task.objects.filter(project=project).exists():
        raise ValidationFailed(PLAN_EMPTY)
    if project.sponsor is None:
        raise ValidationFailed("The project has no sponsor to approve the plan; name one first.")
    schedule = schedule_recompute(project=project)
    Schedule.objects.filter(pk=schedule.pk).update(
        plan_state=PlanState.SUBMITTED, plan_submitted_at=timezone.now(), plan_comment=""
    )
    schedule.refresh_from_db()
    audit_record(
        actor=actor,
        action="transition",
        obj=schedule,
        project_id=project.pk,
        changes={"plan_state": [PlanState.DRAFT, PlanState.SUBMITTED]},
    )
    notify(
        users=[project.sponsor],
        subject=f"[{project.code}] The plan awaits your approval",
        body=f"{actor} submitted the plan of {project} (finish {schedule.finish}) for approval.",
    )
    return schedule


@transaction.atomic
def plan_decide(*, actor: User, project_id: int, decision: str, comment: str = "") -> Schedule:
    """The sponsor approves the plan (which captures a baseline) or returns it with comments."""
    project = access_project(actor, project_id, for_update=True)
    perms = require_internal(actor, project)
    require(perms.decide_charter, action="decide on the plan", project=project)
    if decision not in ("approve", "return"):
        raise ValidationFailed(PLAN_DECISION_UNKNOWN.format(decision=decision))
    schedule = schedule_for(project)
    if schedule.plan_state != PlanState.SUBMITTED:
        raise Conflict(PLAN_NOT_SUBMITTED.format(state=schedule.get_plan_state_display().lower()))
    if decision == "return" and not comment.strip():
        raise ValidationFailed(PLAN_RETURN_NEEDS_COMMENT)
    state = PlanState.APPROVED if decision == "approve" else PlanState.RETURNED
    Schedule.objects.filter(pk=schedule.pk).update(
        plan_state=state,
        plan_decided_by=actor,
        plan_decided_at=timezone.now(),
        plan_comment=comment.strip(),
    )
    schedule.refresh_from_db()
    audit_record(
        actor=actor,
        action="transition",
        obj=schedule,
        project_id=project.pk,
        changes={"plan_state": [PlanState.SUBMITTED, state]},
        note=comment.strip()[:200],
    )
    if state == PlanState.APPROVED:
        approved = timezone.localdate().isoformat()
        _capture(project, actor=actor, number=None, name=f"Approved plan {approved}")
    notify(
        users=[project.manager],
        subject=f"[{project.code}] Plan {schedule.get_plan_state_display().lower()}",
        body=f"{actor} decided: {schedule.get_plan_state_display()}.\n\n{comment}".strip(),
    )
    return schedule


# --- whole plans --------------------------------------------------------------------------------

PLAN_NOT_EMPTY = (
    "The project already has a plan of {n} tasks; importing adds to an empty plan only."
)
IMPORT_UNKNOWN_KEY = "Unknown task '{key}' in {where}."
IMPORT_DUPLICATE_KEY = "Task key '{key}' appears twice."


@transaction.atomic
def plan_import(
    *,
    actor: User,
    project_id: int,
    tasks: list[Mapping[str, Any]],
    links: list[Mapping[str, Any]],
    start: dt.date | None = None,
) -> Schedule:
    """Create a whole plan in one transaction and schedule it once.

    `tasks` are dicts with a `key` (unique within the import), optional `parent` (another
    key), and any of the editable task fields; `links` have `predecessor`, `successor` (keys),
    `type`, `lag` and `lag_percent`. Used by file imports and templates; refuses a project that
    already has tasks, and writes nothing when anything is invalid.
    """
    project, schedule = _editable_plan(actor, project_id)
    existing = Task.objects.filter(project=project).count()
    if existing:
        raise ValidationFailed(PLAN_NOT_EMPTY.format(n=existing))
    if start is not None:
        Schedule.objects.filter(pk=schedule.pk).update(start=start)
    keys: dict[str, Task] = {}
    rows: list[Task] = []
    for position, spec in enumerate(tasks):
        key = str(spec["key"])
        if key in keys:
            raise ValidationFailed(IMPORT_DUPLICATE_KEY.format(key=key))
        values = {k: v for k, v in spec.items() if k in TASK_EDITABLE - {"parent_id", "position"}}
        task = Task(project=project, position=position * 10, **values)
        _check_task_fields(project, None, values)
        full_clean(task, exclude=["parent"])
        keys[key] = task
        rows.append(task)
    Task.objects.bulk_create(rows, batch_size=500)
    if not rows or rows[0].pk is None:  # backends that return no ids
        rows = list(Task.objects.filter(project=project).order_by("position"))
        keys = {str(spec["key"]): row for spec, row in zip(tasks, rows, strict=True)}
    with_parent = []
    for spec in tasks:
        if spec.get("parent") is not None:
            parent = keys.get(str(spec["parent"]))
            if parent is None:
                raise ValidationFailed(
                    IMPORT_UNKNOWN_KEY.format(
                        key=spec["parent"], where=f"the parent of '{spec['key']}'"
                    )
                )
            child = keys[str(spec["key"])]
            child.parent_id = parent.pk
            with_parent.append(child)
    Task.objects.bulk_update(with_parent, ["parent"], batch_size=500)
    dependencies = []
    seen: set[tuple[int, int]] = set()
    for link in links:
        ends = []
        for end in ("predecessor", "successor"):
            task = keys.get(str(link[end]))
            if task is None:
                where = f"a link from '{link['predecessor']}' to '{link['successor']}'"
                raise ValidationFailed(IMPORT_UNKNOWN_KEY.format(key=link[end], where=where))
            ends.append(task)
        if ends[0].pk == ends[1].pk or (ends[0].pk, ends[1].pk) in seen:
            continue
        seen.add((ends[0].pk, ends[1].pk))
        _check_lags(link)
        kind = link.get("type", DependencyType.FS)
        if kind not in DependencyType.values:
            raise ValidationFailed(f"Unknown dependency type '{kind}'; expected FS, SS, FF or SF.")
        dependencies.append(
            Dependency(
                project=project,
                predecessor=ends[0],
                successor=ends[1],
                type=kind,
                lag=int(link.get("lag") or 0),
                lag_percent=link.get("lag_percent"),
            )
        )
    Dependency.objects.bulk_create(dependencies, batch_size=500)
    audit_record(
        actor=actor,
        action="create",
        obj=project,
        project_id=project.pk,
        note=f"Plan imported: {len(rows)} tasks, {len(dependencies)} links",
    )
    _reopen_if_approved(schedule, actor)
    return schedule_recompute(project=project)


# --- MS Project files ---------------------------------------------------------------------------

MSPDI_UNREADABLE = "The file could not be read as MS Project XML: {reason}"


def plan_import_preview(*, actor: User, project_id: int, data: bytes, filename: str) -> Any:
    """Read an MSPDI file and report what an import would create; writes nothing."""
    from pmo.interop.errors import InteropError

    from .exchange import mspdi_preview

    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action="import a plan", project=project)
    try:
        return mspdi_preview(data, source=filename or "upload.xml")
    except (InteropError, EngineError) as exc:
        raise ValidationFailed(MSPDI_UNREADABLE.format(reason=str(exc))) from exc


@transaction.atomic
def plan_import_mspdi(*, actor: User, project_id: int, data: bytes, filename: str) -> Schedule:
    """Create the plan from an MSPDI file: its calendar, tasks, links and baselines, in one
    transaction; a bad file or an invalid network changes nothing."""
    preview = plan_import_preview(actor=actor, project_id=project_id, data=data, filename=filename)
    project, schedule = _editable_plan(actor, project_id)
    if Task.objects.filter(project=project).exists():
        raise ValidationFailed(
            PLAN_NOT_EMPTY.format(n=Task.objects.filter(project=project).count())
        )
    spec = preview.calendar
    calendar = Calendar.objects.create(
        name=spec.name[:100],
        project=project,
        working_weekdays=spec.working_weekdays,
        hours_per_day=spec.hours_per_day,
    )
    CalendarException.objects.bulk_create(
        CalendarException(
            calendar=calendar,
            date=day,
            working_hours=hours,
            name="Holiday" if hours == 0 else "Short day",
        )
        for day, hours in spec.exceptions
    )
    Schedule.objects.filter(pk=schedule.pk).update(calendar=calendar)
    schedule = plan_import(
        actor=actor,
        project_id=project.pk,
        tasks=preview.tasks,
        links=preview.links,
        start=preview.start,
    )
    ids = dict(
        zip(
            [str(t["key"]) for t in preview.tasks],
            Task.objects.filter(project=project).order_by("position").values_list("pk", flat=True),
            strict=True,
        )
    )
    names = {str(t["key"]): t["name"] for t in preview.tasks}
    for number, rows in sorted(preview.baselines.items()):
        baseline = Baseline.objects.create(
            project=project,
            number=number,
            name=f"Imported baseline {number}",
            captured_by=actor,
            start=min((r[1] for r in rows if r[1]), default=None),
            finish=max((r[2] for r in rows if r[2]), default=None),
        )
        BaselineTask.objects.bulk_create(
            BaselineTask(
                baseline=baseline,
                task_id=ids[key],
                name=names[key],
                start=start,
                finish=finish,
                duration=duration or 0,
            )
            for key, start, finish, duration in rows
            if key in ids
        )
    if preview.baselines:
        first = Baseline.objects.filter(project=project).order_by("number").first()
        Baseline.objects.filter(pk=first.pk).update(is_current=True)  # type: ignore[union-attr]
    audit_record(
        actor=actor,
        action="create",
        obj=schedule,
        project_id=project.pk,
        note=f"Imported from {filename}"[:200],
    )
    return schedule


def plan_export_mspdi(*, actor: User, project_id: int) -> tuple[str, bytes]:
    """The plan as an MS Project XML file: (file name, bytes)."""
    from .exchange import mspdi_export

    project = access_project(actor, project_id)
    require_internal(actor, project)
    schedule = schedule_for(project)
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    links = list(Dependency.objects.filter(project=project).order_by("pk"))
    current = Baseline.objects.filter(project=project, is_current=True).first()
    baseline = (
        {
            b.task_id: (b.start, b.finish, b.duration)
            for b in BaselineTask.objects.filter(baseline=current, task__isnull=False)
        }
        if current
        else None
    )
    data = mspdi_export(
        name=project.name, clock=plan_clock(schedule), tasks=tasks, links=links, baseline=baseline
    )
    return f"{project.code}.xml", data
