"""The schedule impact of a change request, computed in memory: nothing is written.

A change proposes a short, explicit list of edits to the plan:

- ``{"kind": "duration", "task_id": 12, "duration": 8}``: a task takes longer or shorter;
- ``{"kind": "constraint", "task_id": 12, "constraint_type": "SNET",
  "constraint_date": "2026-05-04"}``;
- ``{"kind": "new_task", "name": "Security review", "duration": 3, "predecessor_ids": [12],
  "successor_ids": [14]}``: new work, linked finish-to-start to existing tasks.

The preview schedules the plan as it stands and with the edits, through the planning adapters,
and reports what moves and the new finish. A fingerprint of the plan's inputs tells a decision
whether the plan changed since the preview.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from pmo.core.errors import ValidationFailed
from pmo.engine import CycleError, EngineError
from pmo.planning.adapters import plan_schedule
from pmo.planning.models import ConstraintType, Dependency, DependencyType, Task
from pmo.planning.services import PlanLink, PlanRow, _task_calendars, plan_clock, schedule_for
from pmo.projects.models import Project

EDIT_KINDS = ("duration", "constraint", "new_task")
NOT_A_LIST = "The edits must be a list of objects, each with a 'kind'."
UNKNOWN_EDIT = "Edit {n}: unknown kind '{kind}'; expected one of duration, constraint, new_task."
EDIT_FIELDS = "Edit {n} ({kind}) takes {fields}."
TASK_MISSING = "Edit {n}: task {id} is not in this project."
SUMMARY_TASK = "Edit {n}: '{name}' is a summary task; change the tasks under it."
BAD_DURATION = "Edit {n}: the duration must be a whole number of working days from 0 to 10000."
BAD_CONSTRAINT = "Edit {n}: unknown constraint '{value}'."
NEEDS_DATE = "Edit {n}: the constraint '{value}' needs a date (YYYY-MM-DD)."
NO_DATE = "Edit {n}: the constraint '{value}' takes no date."
BAD_DATE = "Edit {n}: '{value}' is not a date (YYYY-MM-DD)."
NEEDS_NAME = "Edit {n}: a new task needs a name."
NOT_SCHEDULABLE = "With these edits the plan cannot be scheduled: {reason}."
NO_EDITS = "A change request with no schedule edits has no schedule impact."

FIELDS = {
    "duration": {"kind", "task_id", "duration"},
    "constraint": {"kind", "task_id", "constraint_type", "constraint_date"},
    "new_task": {"kind", "name", "duration", "predecessor_ids", "successor_ids"},
}
DATED = {c for c in ConstraintType.values if c not in (ConstraintType.ASAP, ConstraintType.ALAP)}


def _plan(project: Project) -> tuple[Any, list[PlanRow], list[PlanLink]]:
    schedule = schedule_for(project)
    tasks = [
        PlanRow(*values)
        for values in Task.objects.filter(project=project)
        .order_by("position", "pk")
        .values_list(*PlanRow.__slots__)
    ]
    links = [
        PlanLink(*values)
        for values in Dependency.objects.filter(project=project)
        .order_by("pk")  # the model's ordering would join tasks and projects for nothing
        .values_list(*PlanLink._fields)
    ]
    return schedule, tasks, links


def fingerprint(schedule: Any, tasks: Sequence[PlanRow], links: Sequence[PlanLink]) -> str:
    """A digest of everything scheduling reads: equal fingerprints schedule alike."""
    inputs = (
        schedule.start,
        schedule.calendar_id,
        schedule.status_date,
        [
            (t.pk, t.parent_id, t.duration, t.constraint_type, t.constraint_date, t.calendar_id)
            + (t.percent_complete, t.actual_start, t.actual_finish, t.remaining_duration)
            for t in sorted(tasks, key=lambda t: t.pk)
        ],
        sorted(links),
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def _date(n: int, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(BAD_DATE.format(n=n, value=value)) from None


def _duration(n: int, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10000:
        raise ValidationFailed(BAD_DURATION.format(n=n))
    return value


def clean_edits(edits: Any, tasks: Sequence[PlanRow]) -> list[dict[str, Any]]:
    """The edits, checked against the plan and normalised (dates as ISO text)."""
    if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
        raise ValidationFailed(NOT_A_LIST)
    by_id = {t.pk: t for t in tasks}

    def task(n: int, pk: Any, *, leaf: bool = True) -> PlanRow:
        row = by_id.get(pk) if isinstance(pk, int) else None
        if row is None:
            raise ValidationFailed(TASK_MISSING.format(n=n, id=pk))
        if leaf and row.is_summary:
            raise ValidationFailed(SUMMARY_TASK.format(n=n, name=row.name))
        return row

    cleaned = []
    for n, edit in enumerate(edits, start=1):
        kind = edit.get("kind")
        if kind not in FIELDS:
            raise ValidationFailed(UNKNOWN_EDIT.format(n=n, kind=kind))
        if set(edit) - FIELDS[kind]:
            raise ValidationFailed(
                EDIT_FIELDS.format(n=n, kind=kind, fields=", ".join(sorted(FIELDS[kind])))
            )
        if kind == "duration":
            task(n, edit.get("task_id"))
            cleaned.append(
                {
                    "kind": kind,
                    "task_id": edit["task_id"],
                    "duration": _duration(n, edit.get("duration")),
                }
            )
        elif kind == "constraint":
            task(n, edit.get("task_id"))
            value = edit.get("constraint_type")
            if value not in ConstraintType.values:
                raise ValidationFailed(BAD_CONSTRAINT.format(n=n, value=value))
            day = edit.get("constraint_date")
            if value in DATED and not day:
                raise ValidationFailed(NEEDS_DATE.format(n=n, value=value))
            if value not in DATED and day:
                raise ValidationFailed(NO_DATE.format(n=n, value=value))
            cleaned.append(
                {
                    "kind": kind,
                    "task_id": edit["task_id"],
                    "constraint_type": value,
                    "constraint_date": _date(n, day).isoformat() if day else None,
                }
            )
        else:
            name = str(edit.get("name") or "").strip()
            if not name:
                raise ValidationFailed(NEEDS_NAME.format(n=n))
            links = {}
            for field in ("predecessor_ids", "successor_ids"):
                ids = edit.get(field) or []
                if not isinstance(ids, list):
                    raise ValidationFailed(EDIT_FIELDS.format(n=n, kind=kind, fields=field))
                links[field] = [task(n, pk, leaf=False).pk for pk in ids]
            cleaned.append(
                {
                    "kind": kind,
                    "name": name[:255],
                    "duration": _duration(n, edit.get("duration", 1)),
                    **links,
                }
            )
    return cleaned


def _apply(
    edits: Sequence[dict[str, Any]], tasks: list[PlanRow], links: list[PlanLink]
) -> tuple[list[PlanRow], list[PlanLink]]:
    rows = {t.pk: dataclasses.replace(t) for t in tasks}
    new_links = list(links)
    position = max((t.position for t in tasks), default=0)
    for n, edit in enumerate(edits, start=1):
        if edit["kind"] == "duration":
            rows[edit["task_id"]].duration = edit["duration"]
        elif edit["kind"] == "constraint":
            row = rows[edit["task_id"]]
            row.constraint_type = edit["constraint_type"]
            day = edit["constraint_date"]
            row.constraint_date = dt.date.fromisoformat(day) if day else None
        else:
            position += 10
            pk = -n  # an id no stored task has
            rows[pk] = PlanRow(
                pk, None, position, edit["name"], edit["duration"], ConstraintType.ASAP,
                None, None, "", False, None, None, None, None, None, None, False, None, 0,
                None, None, None,
            )  # fmt: skip
            new_links += [
                PlanLink(p, pk, DependencyType.FS, 0, None) for p in edit["predecessor_ids"]
            ]
            new_links += [
                PlanLink(pk, s, DependencyType.FS, 0, None) for s in edit["successor_ids"]
            ]
    return list(rows.values()), new_links


def _run(schedule: Any, tasks: list[PlanRow], links: list[PlanLink]) -> Any:
    try:
        return plan_schedule(tasks, links, plan_clock(schedule), _task_calendars(tasks, schedule))
    except CycleError as exc:
        names = {str(t.pk): t.name for t in tasks}
        cycle = " → ".join(f"'{names.get(i, i)}'" for i in exc.cycle)
        raise ValidationFailed(NOT_SCHEDULABLE.format(reason=f"a loop of links {cycle}")) from exc
    except EngineError as exc:
        raise ValidationFailed(NOT_SCHEDULABLE.format(reason=str(exc))) from exc


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def preview(project: Project, edits: Any) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """(cleaned edits, the impact, the plan's fingerprint): the impact lists the tasks whose
    dates move, the finish before and after, and the working days added."""
    schedule, tasks, links = _plan(project)
    if not edits:
        raise ValidationFailed(NO_EDITS)
    cleaned = clean_edits(edits, tasks)
    stamp = fingerprint(schedule, tasks, links)
    if not tasks:
        raise ValidationFailed(NOT_SCHEDULABLE.format(reason="the plan has no tasks"))
    before = _run(schedule, tasks, links)
    changed_tasks, changed_links = _apply(cleaned, tasks, links)
    after = _run(schedule, changed_tasks, changed_links)
    names = {t.pk: (t.name, t.wbs) for t in changed_tasks}
    moved = []
    for pk, values in after.values.items():
        old = before.values.get(pk)
        start, finish = values.get("early_start"), values.get("early_finish")
        if old is not None and (old.get("early_start"), old.get("early_finish")) == (start, finish):
            continue
        name, wbs = names[pk]
        moved.append(
            {
                "task_id": pk if pk > 0 else None,
                "name": name,
                "wbs": wbs or ("new" if pk < 0 else ""),
                "start_before": _iso(old.get("early_start")) if old else None,
                "finish_before": _iso(old.get("early_finish")) if old else None,
                "start_after": _iso(start),
                "finish_after": _iso(finish),
                "critical": bool(values.get("is_critical")),
            }
        )
    moved.sort(key=lambda m: (m["start_after"] or "", m["name"]))
    impact = {
        "finish_before": _iso(before.finish),
        "finish_after": _iso(after.finish),
        "duration_before": before.duration,
        "duration_after": after.duration,
        "added_days": after.duration - before.duration,
        "moved": moved,
    }
    return cleaned, impact, stamp


def plan_fingerprint(project: Project) -> str:
    return fingerprint(*_plan(project))
