"""Rows to engine inputs and engine results back to rows: the planning context's only door to
`pmo.engine`. Durations are working days; the engine's unit is one working day of the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pmo.engine import Activity, Constraint, Link, Network, ScheduleResult, schedule
from pmo.engine.calendar import Calendar as EngineCalendar
from pmo.engine.calendar_cpm import CalendarScheduleResult, schedule_calendars

from .models import Calendar, ConstraintType

DAY_STARTS = 8 * 60  # working days start at 08:00; only whole days matter to the plan
FINISH_CONSTRAINTS = {ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO}


def engine_calendar(calendar: Calendar | None, exceptions: Sequence[Any] = ()) -> EngineCalendar:
    """The engine's calendar for a plan calendar (Monday–Friday, 8 hours when there is none)."""
    hours = calendar.hours_per_day if calendar else 8
    weekdays = set(calendar.working_weekdays) if calendar else {0, 1, 2, 3, 4}
    day = ((DAY_STARTS, DAY_STARTS + hours * 60),)
    week = [day if d in weekdays else () for d in range(7)]
    special = {
        e.date: (
            ((DAY_STARTS, DAY_STARTS + min(e.working_hours, hours) * 60),)
            if e.working_hours
            else ()
        )
        for e in exceptions
    }
    name = calendar.name if calendar else "Standard"
    return EngineCalendar(week=week, exceptions=special, unit=hours * 60, name=name)


@dataclass(frozen=True)
class PlanClock:
    """Converts between plan dates and the engine's working-day offsets."""

    calendar: EngineCalendar
    start: dt.date
    status_date: dt.date | None = None

    @property
    def origin(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time()) + dt.timedelta(minutes=DAY_STARTS)

    def start_offsets(self, days: Sequence[dt.date]) -> list[int]:
        """Offsets of the start of each day's work."""
        moments = [
            dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=DAY_STARTS) for d in days
        ]
        return self.calendar.to_offset(moments, self.origin, rounding="floor").tolist()

    def finish_offsets(self, days: Sequence[dt.date]) -> list[int]:
        """Offsets of the end of each day's work."""
        moments = [dt.datetime.combine(d, dt.time(23, 59)) for d in days]
        return self.calendar.to_offset(moments, self.origin, rounding="ceil").tolist()

    def start_dates(self, offsets: Sequence[int]) -> list[dt.date]:
        return [m.date() for m in self.calendar.to_datetime(offsets, self.origin, edge="start")]

    def finish_dates(self, offsets: Sequence[int]) -> list[dt.date]:
        """Dates on which work ending at each offset finishes (offset 0: the start day)."""
        moments = self.calendar.to_datetime(offsets, self.origin, edge="finish")
        first = self.start_dates([0])[0]
        return [m.date() if o > 0 else first for m, o in zip(moments, offsets, strict=True)]


@dataclass(frozen=True)
class Progressed:
    """How progress changes one task for the engine: a fixed start and/or a new duration."""

    duration: int
    start: int | None = None  #: offset the task must start on (it has started)
    not_before: int | None = None  #: offset it may not start before (the status date)


def remaining_days(task: Any) -> int:
    """Working days a started task still needs: as entered, or its duration not yet done."""
    if getattr(task, "remaining_duration", None) is not None:
        return int(task.remaining_duration)
    done = getattr(task, "percent_complete", 0) or 0
    return int(-(-task.duration * (100 - done) // 100))


def progressed(tasks: Sequence[Any], clock: PlanClock) -> dict[int, Progressed]:
    """Progress as MS Project schedules it.

    A finished task keeps its actual dates. A started task starts on its actual start and its
    remaining duration runs after the status date (or after the work already done when there
    is no status date). A task not yet started does not start before the day after the
    status date. Summaries take their dates from their children.
    """
    status = clock.status_date
    started = [t for t in tasks if not t.is_summary and getattr(t, "actual_start", None)]
    result: dict[int, Progressed] = {}
    if started:
        starts = clock.start_offsets([t.actual_start for t in started])
        finished = [t for t in started if t.actual_finish]
        finishes = dict(
            zip(
                (t.pk for t in finished),
                clock.finish_offsets([t.actual_finish for t in finished]),
                strict=True,
            )
        )
        status_end = clock.finish_offsets([status])[0] if status else None
        for task, start in zip(started, starts, strict=True):
            if task.duration == 0:  # a milestone reached on its actual date
                duration = 0
            elif task.pk in finishes:
                duration = max(finishes[task.pk] - start, 0)
            elif status_end is not None:
                duration = max(status_end - start, 0) + remaining_days(task)
            else:
                done = task.duration - min(remaining_days(task), task.duration)
                duration = done + remaining_days(task)
            result[task.pk] = Progressed(duration=duration, start=start)
    if status is not None:
        waiting = [
            t
            for t in tasks
            if not t.is_summary
            and t.pk not in result
            and t.constraint_type in (ConstraintType.ASAP, ConstraintType.SNET)
        ]
        after = clock.start_offsets([status + dt.timedelta(days=1)])[0]
        for task in waiting:
            result[task.pk] = Progressed(duration=task.duration, not_before=after)
    return result


def network_for(tasks: Sequence[Any], links: Sequence[Any], clock: PlanClock) -> Network:
    """The engine network of a plan; task ids become the activities' ids.

    `tasks` and `links` are Task and Dependency rows, or anything with the same attributes.
    Progress (actual dates, remaining duration, the plan's status date) fixes what is done.
    """
    progress = progressed(tasks, clock)
    start_dated = [
        t for t in tasks if t.constraint_date and t.constraint_type not in FINISH_CONSTRAINTS
    ]
    finish_dated = [
        t for t in tasks if t.constraint_date and t.constraint_type in FINISH_CONSTRAINTS
    ]
    with_deadline = [t for t in tasks if t.deadline]
    offsets: dict[tuple[str, int], int] = {}
    for key, group, convert in (
        ("c", start_dated, clock.start_offsets),
        ("c", finish_dated, clock.finish_offsets),
        ("d", with_deadline, clock.finish_offsets),
    ):
        dates = [t.deadline if key == "d" else t.constraint_date for t in group]
        for task, offset in zip(group, convert(dates), strict=True):  # type: ignore[arg-type]
            offsets[(key, task.pk)] = offset
    activities = []
    for t in tasks:
        constraint = None
        duration = t.duration
        if t.constraint_type == ConstraintType.ALAP:
            constraint = Constraint("ALAP")
        elif t.constraint_type != ConstraintType.ASAP and ("c", t.pk) in offsets:
            constraint = Constraint(t.constraint_type, offsets[("c", t.pk)])
        done = progress.get(t.pk)
        if done is not None:
            duration = done.duration
            if done.start is not None:
                constraint = Constraint("MSO", done.start)
            elif done.not_before is not None:
                own = constraint.offset if constraint is not None else None
                constraint = Constraint("SNET", max(done.not_before, own or done.not_before))
        activities.append(
            Activity(
                str(t.pk),
                duration,
                name=t.name,
                constraint=constraint,
                deadline=offsets.get(("d", t.pk)),
                parent=str(t.parent_id) if t.parent_id else None,
                calendar=str(t.calendar_id) if getattr(t, "calendar_id", None) else None,
            )
        )
    engine_links = [
        Link(
            str(d.predecessor_id),
            str(d.successor_id),
            d.type,
            lag=0 if d.lag_percent is not None else d.lag,
            lag_percent=d.lag_percent,
        )
        for d in links
    ]
    return Network(activities, engine_links)


SCHEDULED_FIELDS = [
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
]


def task_values(result: ScheduleResult, clock: PlanClock) -> dict[int, dict[str, Any]]:
    """For each task id, the scheduled field values to store."""
    es = result.early_start.tolist()
    ef = result.early_finish.tolist()
    ls = result.late_start.tolist()
    lf = result.late_finish.tolist()
    es_d, ls_d = clock.start_dates(es), clock.start_dates(ls)
    ef_d, lf_d = clock.finish_dates(ef), clock.finish_dates(lf)
    values: dict[int, dict[str, Any]] = {}
    tf, ff, crit = result.total_float.tolist(), result.free_float.tolist(), result.critical.tolist()
    for row, task_id in enumerate(result.ids):
        milestone = es[row] == ef[row]
        values[int(task_id)] = {
            "early_start": ef_d[row] if milestone else es_d[row],
            "early_finish": ef_d[row],
            "late_start": lf_d[row] if ls[row] == lf[row] else ls_d[row],
            "late_finish": lf_d[row],
            "total_float": tf[row],
            "free_float": ff[row],
            "is_critical": bool(crit[row]),
        }
    return values


def _dates(stamps: Any, *, finish: bool) -> list[dt.date]:
    """Calendar dates of moments; a finish at a moment belongs to the minute before it."""
    moments = np.asarray(stamps, dtype="datetime64[m]")
    if finish:
        moments = moments - np.timedelta64(1, "m")
    return [d.item() for d in moments.astype("datetime64[D]")]


def task_values_on_calendars(
    result: CalendarScheduleResult, minutes_per_day: dict[str | None, int]
) -> dict[int, dict[str, Any]]:
    """Scheduled field values from a schedule with task calendars; floats in each task's days."""
    es, ef = _dates(result.early_start, finish=False), _dates(result.early_finish, finish=True)
    ls, lf = _dates(result.late_start, finish=False), _dates(result.late_finish, finish=True)
    tf, ff = result.total_float.tolist(), result.free_float.tolist()
    crit = result.critical.tolist()
    milestone = (result.early_start == result.early_finish).tolist()
    values: dict[int, dict[str, Any]] = {}
    for row, task_id in enumerate(result.ids):
        day = minutes_per_day.get(result.calendars[row]) or minutes_per_day[None]
        values[int(task_id)] = {
            "early_start": ef[row] if milestone[row] else es[row],
            "early_finish": ef[row],
            "late_start": lf[row] if milestone[row] else ls[row],
            "late_finish": lf[row],
            "total_float": tf[row] // day,
            "free_float": ff[row] // day,
            "is_critical": bool(crit[row]),
        }
    return values


@dataclass(frozen=True)
class PlanResult:
    """What a plan's schedule gives back: the per-task values and the project's dates."""

    values: dict[int, dict[str, Any]]
    finish: dt.date
    duration: int  #: working days of the plan's calendar


def plan_schedule(
    tasks: Sequence[Any],
    links: Sequence[Any],
    clock: PlanClock,
    task_calendars: dict[int, tuple[EngineCalendar, int]] | None = None,
) -> PlanResult:
    """Schedule a plan; raises the engine's errors (a cycle names its tasks by id).

    ``task_calendars`` maps calendar ids that tasks name to (engine calendar, minutes per
    day); without it every task works on the plan's calendar.
    """
    network = network_for(tasks, links, clock)
    if not task_calendars:
        result = schedule(network)
        return PlanResult(
            task_values(result, clock), clock.finish_dates([result.finish])[0], result.duration
        )
    day = clock.calendar.unit
    on_calendars = schedule_calendars(
        network,
        {str(pk): cal for pk, (cal, _) in task_calendars.items()},
        clock.calendar,
        clock.origin,
    )
    per_day: dict[str | None, int] = {None: day}
    per_day.update({str(pk): minutes for pk, (_, minutes) in task_calendars.items()})
    finish = _dates(np.asarray([on_calendars.finish], dtype="datetime64[m]"), finish=True)[0]
    return PlanResult(
        task_values_on_calendars(on_calendars, per_day),
        max(finish, clock.start),
        (on_calendars.finish_offset - on_calendars.start_offset) // day,
    )
