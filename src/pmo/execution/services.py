"""Writes of execution: progress on tasks, comments, timesheets and actual costs.

Progress lives here rather than in pmo.planning because who may enter it depends on the
resource pool (a team member updates only the tasks they are assigned to), and planning must
not depend on resources. Each write checks who may act, validates, writes in one transaction,
audits, and reschedules the plan when progress moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import STALE_VERSION, Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.planning.models import Schedule, Task
from pmo.planning.services import schedule_for, schedule_recompute
from pmo.projects.models import Project
from pmo.projects.policies import access_project, check_open, require, require_internal
from pmo.resources.models import Assignment, Resource

from .models import DAYS, ActualCost, LineState, TaskComment, TimeCategory, Timesheet, TimesheetLine

TASK_NOT_FOUND = "Task {id} not found in this project."
NOT_ASSIGNED = "You may update only the tasks you are assigned to; '{task}' is not one of them."
SUMMARY_PROGRESS = "'{task}' is a summary: its progress comes from its subtasks."
FINISH_BEFORE_START = "The actual finish ({finish}) is before the actual start ({start})."
FINISH_WITHOUT_START = "Give the actual start as well as the actual finish."
DONE_WITHOUT_FINISH = "A task 100 % complete needs its actual finish."
FINISH_NOT_DONE = "A task with an actual finish is 100 % complete; set % complete to 100."
STARTED_WITHOUT_START = "A task {percent} % complete has started: give its actual start."
IN_FUTURE = "The {what} ({day}) is in the future; actual dates are today or earlier."
BEFORE_PLAN = "The actual start ({day}) is before the plan's start ({plan}); move the plan first."
REMAINING_ON_DONE = "A finished task has no remaining duration or work."
STATUS_BEFORE_PLAN = "The status date ({day}) is before the plan's start ({plan})."
COMMENT_EMPTY = "Write something in the comment."
MAY_NOT_COMMENT = "You may not comment on tasks of project {code}."

NOT_MONDAY = "A timesheet week starts on a Monday; {day} is a {weekday}."
TIMESHEET_NOT_FOUND = "Timesheet {id} not found."
LINE_NOT_FOUND = "Timesheet line {id} not found."
HOURS_SHAPE = "Give hours for the seven days, Monday to Sunday."
HOURS_RANGE = "Hours on a day are between 0 and 24; {day} has {hours}."
DAY_OVER = "{day} has {hours} hours in all; a day has at most 24."
NOT_YOUR_TASK = "'{task}' is not one of your assignments; book time on your own tasks."
CATEGORY_WITH_TASK = "Non-project time ({category}) names no task."
TASK_NEEDED = "Project time names the task it was spent on."
UNKNOWN_CATEGORY = "Unknown time category '{category}'; use one of: {allowed}."
DUPLICATE_LINE = "The week has two lines for {what}; put the hours on one line."
NO_RESOURCE = "You are not in the resource pool; ask the PMO to add you before booking time."
LOCKED = "The {state} line for {what} cannot change; {hint}"
NOTHING_TO_SUBMIT = "There is nothing to submit: add hours first."
NOT_SUBMITTED = "No submitted lines of project {code} in this timesheet to decide."
RETURN_NEEDS_COMMENT = "Say what must change when returning a timesheet."
UNKNOWN_DECISION = "Unknown decision '{decision}'; expected 'approve' or 'return'."
OWN_TIMESHEET = "You cannot approve your own time; the PMO decides it."
NOT_OWN_TIMESHEET = "Only {person} edits this timesheet."
CORRECT_ONLY_APPROVED = "Only an approved line is corrected; change a draft line directly."
CORRECTION_ZERO = "The correction changes no hours."
CORRECTION_REASON = "Say why the approved hours are corrected."
COST_NOT_FOUND = "Cost {id} not found in this project."
COST_FUTURE = "The cost's date ({day}) is in the future; record costs once incurred."

PROGRESS_FIELDS = {
    "percent_complete",
    "actual_start",
    "actual_finish",
    "remaining_duration",
    "remaining_work_hours",
}
COST_FIELDS = {"kind", "category", "date", "amount", "vendor", "reference", "description"}
EDIT_PROGRESS = "update progress"
EDIT_COSTS = "record actual costs"
DECIDE_TIME = "decide timesheets"


def _check_version(obj: Any, version: int | None, thing: str) -> None:
    """Refuse a write based on a stale read before judging its content (version 0: read
    before anything was saved)."""
    if version is not None and version != obj.version and not (version == 0 and obj.version == 1):
        raise Conflict(STALE_VERSION.format(thing=thing, expected=version, current=obj.version))


# --- progress -----------------------------------------------------------------------------------


def is_assigned(user: Any, task_id: int) -> bool:
    return Assignment.objects.filter(task_id=task_id, resource__user=user).exists()


def _progress_task(actor: User, project_id: int, task_id: int) -> tuple[Project, Task]:
    project = access_project(actor, project_id, for_update=True)
    perms = require_internal(actor, project)
    task = project_row(Task, project=project, pk=task_id, missing=TASK_NOT_FOUND)
    if not perms.edit:
        require(perms.relation == "member", action=EDIT_PROGRESS, project=project)
        if not is_assigned(actor, task.pk):
            raise Forbidden(NOT_ASSIGNED.format(task=task.name))
    if task.is_summary:
        raise ValidationFailed(SUMMARY_PROGRESS.format(task=task.name))
    return project, task


def check_progress(task: Task, schedule: Schedule, today: dt.date) -> None:
    """The rules progress obeys, with the message a person can act on."""
    start, finish, percent = task.actual_start, task.actual_finish, task.percent_complete
    if finish and not start:
        raise ValidationFailed(FINISH_WITHOUT_START, extra={"field": "actual_start"})
    if start and finish and finish < start:
        raise ValidationFailed(FINISH_BEFORE_START.format(finish=finish, start=start))
    for what, day in (("actual start", start), ("actual finish", finish)):
        if day and day > today:
            raise ValidationFailed(IN_FUTURE.format(what=what, day=day))
    if start and start < schedule.start:
        raise ValidationFailed(BEFORE_PLAN.format(day=start, plan=schedule.start))
    if percent == 100 and not finish:
        raise ValidationFailed(DONE_WITHOUT_FINISH, extra={"field": "actual_finish"})
    if finish and percent != 100:
        raise ValidationFailed(FINISH_NOT_DONE, extra={"field": "percent_complete"})
    if percent and not start:
        raise ValidationFailed(STARTED_WITHOUT_START.format(percent=percent))
    if finish and (task.remaining_duration or task.remaining_work_hours):
        raise ValidationFailed(REMAINING_ON_DONE)


@transaction.atomic
def progress_update(
    *, actor: User, project_id: int, task_id: int, version: int | None, data: Mapping[str, Any]
) -> Task:
    """Record progress on a task and reschedule the plan from it.

    Setting 100 % with no finish given finishes the task today; an actual finish alone sets
    100 %; a % complete above 0 without a start starts the task today. Anything else that
    contradicts itself is refused.
    """
    project, task = _record_progress(actor, project_id, task_id, version, data)
    schedule_recompute(project=project)
    task.refresh_from_db()
    return task


@transaction.atomic
def progress_update_many(
    *, actor: User, project_id: int, updates: Sequence[Mapping[str, Any]]
) -> list[Task]:
    """Record progress on several tasks of one project (each ``{"task_id", "version", "data"}``,
    under the rules of `progress_update`) and reschedule the plan once. One refused update
    refuses them all."""
    recorded = [
        _record_progress(actor, project_id, u.get("task_id"), u.get("version"), u.get("data", {}))
        for u in updates
    ]
    if not recorded:
        return []
    schedule_recompute(project=recorded[0][0])
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=[task.pk for _, task in recorded])}
    return [tasks[task.pk] for _, task in recorded]


def _record_progress(
    actor: User, project_id: int, task_id: Any, version: int | None, data: Mapping[str, Any]
) -> tuple[Project, Task]:
    """Check and write one task's progress; the caller reschedules."""
    project, task = _progress_task(actor, project_id, task_id)
    only_fields(data, PROGRESS_FIELDS)
    _check_version(task, version, "The task")
    values = dict(data)
    today = timezone.localdate()
    start = values.get("actual_start", task.actual_start)
    finishing = values.get("percent_complete") == 100 and "actual_finish" not in values
    if finishing and not task.actual_finish:
        values["actual_finish"] = today
        if start is None and "actual_start" not in values:
            values["actual_start"] = today
    if values.get("actual_finish") and "percent_complete" not in values:
        values["percent_complete"] = 100
    if (
        data.get("percent_complete")
        and start is None
        and "actual_start" not in values
        and not values.get("actual_finish")
    ):
        values["actual_start"] = today
    if values.get("actual_finish") or values.get("percent_complete") == 100:
        values.setdefault("remaining_duration", None)
        values.setdefault("remaining_work_hours", None)
    for field, value in values.items():
        setattr(task, field, value)
    schedule = schedule_for(project)
    check_progress(task, schedule, today)
    task.refresh_from_db(fields=list(values))  # compare and write through the versioned update
    versioned_update(
        task,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing="The task",
    )
    return project, task


@transaction.atomic
def status_date_set(
    *, actor: User, project_id: int, version: int | None, status_date: dt.date | None
) -> Schedule:
    """The PM moves the status date; remaining work is rescheduled after it."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=EDIT_PROGRESS, project=project)
    schedule = schedule_for(project)
    if status_date and status_date < schedule.start:
        raise ValidationFailed(STATUS_BEFORE_PLAN.format(day=status_date, plan=schedule.start))
    versioned_update(
        schedule,
        actor=actor,
        data={"status_date": status_date},
        expected_version=version,
        project_id=project.pk,
        thing="The schedule",
    )
    return schedule_recompute(project=project)


@transaction.atomic
def comment_add(*, actor: User, project_id: int, task_id: int, body: str) -> TaskComment:
    project = access_project(actor, project_id, for_update=True)  # a closed project takes none
    perms = require_internal(actor, project)
    if perms.relation == "viewer":
        raise Forbidden(MAY_NOT_COMMENT.format(code=project.code))
    task = project_row(Task, project=project, pk=task_id, missing=TASK_NOT_FOUND)
    if not body.strip():
        raise ValidationFailed(COMMENT_EMPTY, extra={"field": "body"})
    comment = TaskComment.objects.create(task=task, author=actor, body=body.strip())
    audit_record(actor=actor, action="create", obj=comment, project_id=project.pk)
    people = set(
        User.objects.filter(resource__assignments__task=task, is_active=True).exclude(pk=actor.pk)
    )
    if project.manager and project.manager != actor:
        people.add(project.manager)
    notify(
        users=people,
        subject=f"[{project.code}] Comment on '{task.name}'",
        body=f"{actor.get_full_name() or actor.username} wrote:\n\n{comment.body}",
    )
    return comment


# --- timesheets ---------------------------------------------------------------------------------


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _check_monday(day: dt.date) -> None:
    if day.weekday() != 0:
        raise ValidationFailed(NOT_MONDAY.format(day=day, weekday=day.strftime("%A")))


def timesheet_for(person: User, week_start: dt.date, *, for_update: bool = False) -> Timesheet:
    """The person's timesheet for the week, created empty when missing."""
    _check_monday(week_start)
    sheet, _ = Timesheet.objects.get_or_create(person=person, week_start=week_start)
    if for_update:
        sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    return sheet


def _hours(value: Any, week_start: dt.date) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != DAYS:
        raise ValidationFailed(HOURS_SHAPE, extra={"field": "hours"})
    hours = []
    for offset, raw in enumerate(value):
        day = week_start + dt.timedelta(days=offset)
        try:
            h = Decimal(str(raw if raw not in (None, "") else 0))
        except InvalidOperation:
            raise ValidationFailed(HOURS_RANGE.format(day=f"{day:%a %d %b}", hours=raw)) from None
        if not h.is_finite() or h < 0 or h > 24:
            raise ValidationFailed(HOURS_RANGE.format(day=f"{day:%a %d %b}", hours=raw))
        hours.append(float(h.quantize(Decimal("0.01"))))
    return hours


def _line_label(line: TimesheetLine) -> str:
    if line.task_id:
        return f"'{line.task.name}'"
    return TimeCategory(line.category).label.lower()


def _own_resource(person: User) -> Resource:
    resource = Resource.objects.filter(user=person).first()
    if resource is None:
        raise ValidationFailed(NO_RESOURCE)
    return resource


def _check_day_totals(sheet: Timesheet) -> None:
    totals = [0.0] * DAYS
    for hours in TimesheetLine.objects.filter(timesheet=sheet).values_list("hours", flat=True):
        for i, h in enumerate(hours):
            totals[i] += float(h)
    for i, total in enumerate(totals):
        if total > 24:
            day = sheet.week_start + dt.timedelta(days=i)
            raise ValidationFailed(DAY_OVER.format(day=f"{day:%a %d %b}", hours=round(total, 2)))


@transaction.atomic
def timesheet_save(
    *,
    actor: User,
    week_start: dt.date,
    version: int | None,
    lines: Sequence[Mapping[str, Any]],
) -> Timesheet:
    """Save the editable lines of the actor's week: each item names a task (project time) or a
    non-project category, with seven days of hours. Lines left out are removed if still
    editable; submitted and approved lines stay as they are and may not be given again.
    """
    sheet = timesheet_for(actor, week_start, for_update=True)
    _check_version(sheet, version, "The timesheet")
    existing = list(
        sheet.lines.select_related("task__project").filter(corrects__isnull=True).order_by("pk")
    )
    editable = {
        (ln.task_id or ln.category): ln
        for ln in existing
        if ln.state in (LineState.DRAFT, LineState.RETURNED)
    }
    locked = {
        (ln.task_id or ln.category): ln
        for ln in existing
        if ln.state in (LineState.SUBMITTED, LineState.APPROVED)
    }
    seen: set[Any] = set()
    resource: Resource | None = None
    changes: dict[str, Any] = {}
    for item in lines:
        only_fields(item, {"task_id", "category", "hours"})
        category = item.get("category") or TimeCategory.PROJECT
        if category not in TimeCategory.values:
            raise ValidationFailed(
                UNKNOWN_CATEGORY.format(category=category, allowed=", ".join(TimeCategory.values))
            )
        task_id = item.get("task_id")
        if category != TimeCategory.PROJECT and task_id:
            raise ValidationFailed(CATEGORY_WITH_TASK.format(category=category))
        if category == TimeCategory.PROJECT and not task_id:
            raise ValidationFailed(TASK_NEEDED)
        hours = _hours(item.get("hours"), week_start)
        key = task_id or category
        if key in seen:
            raise ValidationFailed(DUPLICATE_LINE.format(what=key))
        seen.add(key)
        if key in locked:
            line = locked[key]
            if line.hours != hours:
                raise Conflict(
                    LOCKED.format(
                        state=line.get_state_display().lower(),
                        what=_line_label(line),
                        hint="wait for the PM's decision."
                        if line.state == LineState.SUBMITTED
                        else "record a correction instead.",
                    )
                )
            continue
        line = editable.get(key)
        if line is None:
            task = None
            if task_id:
                resource = resource or _own_resource(actor)
                task = (
                    Task.objects.filter(pk=task_id, assignments__resource=resource)
                    .select_related("project")
                    .first()
                )
                if task is None:
                    name = Task.objects.filter(pk=task_id).values_list("name", flat=True).first()
                    raise ValidationFailed(NOT_YOUR_TASK.format(task=name or task_id))
                check_open(task.project)  # a closed project takes no more time
            line = TimesheetLine(
                timesheet=sheet,
                category=category,
                task=task,
                project=task.project if task else None,
                resource=resource if task else None,
                hours=hours,
            )
            full_clean(line, exclude=["timesheet"])
            line.save()
            changes[str(key)] = [None, hours]
        elif line.hours != hours:
            if line.task is not None:
                check_open(line.task.project)
            changes[str(key)] = [line.hours, hours]
            line.hours = hours
            line.state = LineState.DRAFT
            line.save(update_fields=["hours", "state", "updated_at"])
    for key, line in editable.items():
        if key not in seen:
            changes[str(key)] = [line.hours, None]
            line.delete()
    _check_day_totals(sheet)
    if changes:
        sheet.version += 1
        sheet.save(update_fields=["version", "updated_at"])
        audit_record(actor=actor, action="update", obj=sheet, changes=changes)
    return sheet


def _sheet_own(actor: User, timesheet_id: int, *, for_update: bool = True) -> Timesheet:
    qs = Timesheet.objects.filter(pk=timesheet_id)
    if for_update:
        qs = qs.select_for_update()
    sheet = qs.first()
    if sheet is None:
        raise NotFound(TIMESHEET_NOT_FOUND.format(id=timesheet_id))
    if sheet.person_id != actor.pk:
        if _may_see_sheet(actor, sheet):
            raise Forbidden(NOT_OWN_TIMESHEET.format(person=sheet.person))
        raise NotFound(TIMESHEET_NOT_FOUND.format(id=timesheet_id))
    return sheet


def _may_see_sheet(actor: User, sheet: Timesheet) -> bool:
    """The person, the PMO, and the PMs of projects the sheet has lines on."""
    if sheet.person_id == actor.pk or actor.is_pmo:
        return True
    return TimesheetLine.objects.filter(timesheet=sheet, project__manager=actor).exists()


@transaction.atomic
def timesheet_submit(*, actor: User, timesheet_id: int, version: int | None) -> Timesheet:
    """Send the week's draft and returned lines to the PMs; non-project time is accepted."""
    sheet = _sheet_own(actor, timesheet_id)
    _check_version(sheet, version, "The timesheet")
    lines = list(
        sheet.lines.filter(state__in=[LineState.DRAFT, LineState.RETURNED]).select_related(
            "project__manager"
        )
    )
    lines = [ln for ln in lines if any(float(h) for h in ln.hours)]
    if not lines:
        raise ValidationFailed(NOTHING_TO_SUBMIT)
    now = timezone.now()
    managers = set()
    for line in lines:
        if line.project_id:
            check_open(line.project)
            line.state = LineState.SUBMITTED
            managers.add(line.project.manager)
        else:
            line.state, line.decided_at = LineState.APPROVED, now
        line.comment = ""
        line.save(update_fields=["state", "decided_at", "comment", "updated_at"])
    sheet.lines.filter(state__in=[LineState.DRAFT, LineState.RETURNED]).delete()  # empty lines
    sheet.submitted_at = now
    sheet.version += 1
    sheet.save(update_fields=["submitted_at", "version", "updated_at"])
    audit_record(
        actor=actor, action="transition", obj=sheet, changes={"state": ["draft", "submitted"]}
    )
    notify(
        users=managers,
        subject=f"Timesheet to approve: {actor} week of {sheet.week_start:%d %b %Y}",
        body=f"{actor} submitted their time for the week of {sheet.week_start:%d %b %Y}.",
    )
    return sheet


@transaction.atomic
def timesheet_decide(
    *,
    actor: User,
    timesheet_id: int,
    project_id: int,
    decision: str,
    comment: str = "",
) -> Timesheet:
    """The project's PM approves or returns the submitted lines of their project in a week.

    A week with time on several projects is decided project by project: each PM decides only
    their own project's lines, and the week is approved once every line is.
    """
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=DECIDE_TIME, project=project)
    sheet = Timesheet.objects.select_for_update().filter(pk=timesheet_id).first()
    if sheet is None or not (
        sheet.person_id == actor.pk or sheet.lines.filter(project=project).exists()
    ):
        raise NotFound(TIMESHEET_NOT_FOUND.format(id=timesheet_id))
    if sheet.person_id == actor.pk and not actor.is_pmo:
        raise Forbidden(OWN_TIMESHEET)
    if decision not in ("approve", "return"):
        raise ValidationFailed(UNKNOWN_DECISION.format(decision=decision))
    if decision == "return" and not comment.strip():
        raise ValidationFailed(RETURN_NEEDS_COMMENT, extra={"field": "comment"})
    lines = list(sheet.lines.filter(project=project, state=LineState.SUBMITTED))
    if not lines:
        raise Conflict(NOT_SUBMITTED.format(code=project.code))
    state = LineState.APPROVED if decision == "approve" else LineState.RETURNED
    now = timezone.now()
    for line in lines:
        line.state, line.decided_by, line.decided_at = state, actor, now
        line.comment = comment.strip()
        line.save(update_fields=["state", "decided_by", "decided_at", "comment", "updated_at"])
    sheet.version += 1
    sheet.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="transition",
        obj=sheet,
        project_id=project.pk,
        changes={"state": ["submitted", state.value], "lines": [ln.pk for ln in lines]},
        note=comment.strip(),
    )
    verb = "approved" if state == LineState.APPROVED else "returned"
    notify(
        users=[sheet.person],
        subject=f"[{project.code}] Your time for the week of {sheet.week_start:%d %b} was {verb}",
        body=comment.strip() or f"{actor} {verb} your time on {project.name}.",
    )
    return sheet


@transaction.atomic
def timesheet_correct(
    *, actor: User, line_id: int, hours: Sequence[Any], reason: str
) -> TimesheetLine:
    """Correct an approved line: a new line with the difference, submitted for approval again.

    The approved line is never changed; the audit trail names both.
    """
    line = TimesheetLine.objects.select_related("timesheet", "task").filter(pk=line_id).first()
    if line is None:
        raise NotFound(LINE_NOT_FOUND.format(id=line_id))
    sheet = _sheet_own(actor, line.timesheet_id)
    if line.project_id:
        check_open(line.project)
    if line.state != LineState.APPROVED:
        raise Conflict(CORRECT_ONLY_APPROVED)
    if not reason.strip():
        raise ValidationFailed(CORRECTION_REASON, extra={"field": "reason"})
    wanted = _hours(list(hours), sheet.week_start)
    current = [float(h) for h in line.hours]
    for fix in line.corrections.exclude(state=LineState.RETURNED):
        current = [round(a + float(b), 2) for a, b in zip(current, fix.hours, strict=True)]
    delta = [round(w - c, 2) for w, c in zip(wanted, current, strict=True)]
    if not any(delta):
        raise ValidationFailed(CORRECTION_ZERO)
    correction = TimesheetLine.objects.create(
        timesheet=sheet,
        category=line.category,
        project_id=line.project_id,
        task_id=line.task_id,
        resource_id=line.resource_id,
        hours=delta,
        corrects=line,
        reason=reason.strip(),
        state=LineState.SUBMITTED if line.project_id else LineState.APPROVED,
        decided_at=None if line.project_id else timezone.now(),
    )
    _check_day_totals(sheet)
    audit_record(
        actor=actor,
        action="create",
        obj=correction,
        project_id=line.project_id,
        changes={"corrects": [None, line.pk], "hours": [current, wanted]},
        note=reason.strip(),
    )
    return correction


# --- actual costs -------------------------------------------------------------------------------


def _cost_project(actor: User, project_id: int) -> Project:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=EDIT_COSTS, project=project)
    return project


def _check_cost_date(day: Any) -> None:
    if isinstance(day, dt.date) and day > timezone.localdate():
        raise ValidationFailed(COST_FUTURE.format(day=day), extra={"field": "date"})


@transaction.atomic
def cost_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> ActualCost:
    project = _cost_project(actor, project_id)
    only_fields(data, COST_FIELDS)
    _check_cost_date(data.get("date"))
    cost = ActualCost(project=project, recorded_by=actor, **data)
    full_clean(cost)
    cost.save()
    changes = {k: [None, v] for k, v in snapshot(cost, data.keys()).items()}
    audit_record(actor=actor, action="create", obj=cost, project_id=project.pk, changes=changes)
    return cost


@transaction.atomic
def cost_update(
    *,
    actor: User,
    project_id: int,
    cost_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> ActualCost:
    project = _cost_project(actor, project_id)
    only_fields(data, COST_FIELDS)
    _check_cost_date(data.get("date"))
    cost = project_row(ActualCost, project=project, pk=cost_id, missing=COST_NOT_FOUND)
    return versioned_update(
        cost,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=project.pk,
        thing="The cost",
    )


@transaction.atomic
def cost_delete(*, actor: User, project_id: int, cost_id: int) -> None:
    project = _cost_project(actor, project_id)
    cost = project_row(ActualCost, project=project, pk=cost_id, missing=COST_NOT_FOUND)
    audit_record(actor=actor, action="delete", obj=cost, project_id=project.pk)
    cost.delete()
