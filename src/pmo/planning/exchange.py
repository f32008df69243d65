"""MS Project XML (MSPDI) to and from a plan: the conversion between the file's working minutes
and pmo's working days, with a fidelity report of what was taken and what was left and why.

Pure conversion over `pmo.interop.mspdi`; the services do the reading of rows and the writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pmo.engine import Activity, Constraint, Link, Network, schedule
from pmo.engine.calendar import Calendar as EngineCalendar
from pmo.interop.mspdi import Baseline as FileBaseline
from pmo.interop.mspdi import MspdiProject, TaskInfo, parse_mspdi, to_mspdi
from pmo.interop.plan import PlanFile

from .adapters import DAY_STARTS, FINISH_CONSTRAINTS, PlanClock

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass
class CalendarSpec:
    name: str
    working_weekdays: list[int]
    hours_per_day: int
    exceptions: list[tuple[dt.date, int]]  # (date, working hours)


@dataclass
class ImportPreview:
    """What an import would create, and the fidelity report shown before it is confirmed."""

    name: str
    start: dt.date
    calendar: CalendarSpec
    tasks: list[dict[str, Any]]
    links: list[dict[str, Any]]
    baselines: dict[int, list[tuple[str, dt.date | None, dt.date | None, int | None]]]
    imported: list[str] = field(default_factory=list)
    adjusted: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Tasks, summary tasks, milestones and links the import would create."""
        parents = {t["parent"] for t in self.tasks if t.get("parent") is not None}
        milestones = sum(1 for t in self.tasks if t["duration"] == 0 and t["key"] not in parents)
        return {
            "tasks": len(self.tasks),
            "summary_tasks": len(parents),
            "milestones": milestones,
            "links": len(self.links),
        }


def _calendar_spec(calendar: EngineCalendar, name: str) -> tuple[CalendarSpec, list[str]]:
    notes = []
    minutes = [sum(b - a for a, b in day) for day in calendar.week]
    working = [d for d, m in enumerate(minutes) if m]
    common = Counter(m for m in minutes if m).most_common(1)[0][0]
    hours = max(1, round(common / 60))
    for d in working:
        if minutes[d] != common:
            notes.append(
                f"{WEEKDAY_NAMES[d]} has {minutes[d] / 60:g} working hours in the file; pmo's "
                f"calendar gives every working day {hours} hours."
            )
    exceptions = sorted(
        (day, min(hours, round(sum(b - a for a, b in periods) / 60)))
        for day, periods in calendar.exceptions.items()
    )
    return CalendarSpec(name or "Imported calendar", working, hours, exceptions), notes


def mspdi_preview(data: bytes, *, source: str) -> ImportPreview:
    """Read an MSPDI file into plan rows in working days; raises `InteropError` for a bad file."""
    project = parse_mspdi(data, source=source)
    plan = project.plan
    file_calendar = plan.calendar or EngineCalendar()
    origin = plan.origin or dt.datetime(2000, 1, 3, 8)
    spec, adjusted = _calendar_spec(file_calendar, f"{plan.name or source} calendar")
    minutes_per_day = spec.hours_per_day * 60

    def days(minutes: int, what: str) -> int:
        whole = round(minutes / minutes_per_day)
        if whole * minutes_per_day != minutes:
            adjusted.append(f"{what}: {minutes / 60:g} hours rounded to {whole} working days.")
        return whole

    def date_of(offset: int, edge: str) -> dt.date:
        moment = file_calendar.to_datetime([offset], origin, edge=edge)[0]  # type: ignore[arg-type]
        return moment.date()

    network = plan.network
    names = {a.id: a.name for a in network.activities}
    parents = {a.parent for a in network.activities if a.parent}
    tasks: list[dict[str, Any]] = []
    ignored: list[str] = []
    task_calendars = 0
    for a in network.activities:
        task: dict[str, Any] = {"key": a.id, "name": a.name or f"Task {a.id}", "parent": a.parent}
        task["duration"] = 0 if a.id in parents else days(a.duration, f"'{a.name}'")
        c = a.constraint
        if c is not None and a.id not in parents:
            task["constraint_type"] = c.type.value
            if c.offset is not None:
                edge = "finish" if c.type.value in FINISH_CONSTRAINTS else "start"
                task["constraint_date"] = date_of(c.offset, edge)
        if a.deadline is not None:
            task["deadline"] = date_of(a.deadline, "finish")
        if a.calendar is not None:
            task_calendars += 1
        tasks.append(task)
    links = []
    for k in network.links:
        link: dict[str, Any] = {
            "predecessor": k.predecessor,
            "successor": k.successor,
            "type": k.type.value,
        }
        if k.lag_percent is not None:
            link["lag_percent"] = k.lag_percent
        elif k.lag:
            what = f"lag of the link '{names[k.predecessor]}' → '{names[k.successor]}'"
            link["lag"] = days(k.lag, what)
        links.append(link)
    baselines: dict[int, list[tuple[str, dt.date | None, dt.date | None, int | None]]] = {}
    for uid, info in project.tasks.items():
        for b in info.baselines:
            baselines.setdefault(b.number, []).append(
                (
                    uid,
                    b.start.date() if b.start else None,
                    b.finish.date() if b.finish else None,
                    round(b.duration / minutes_per_day) if b.duration is not None else None,
                )
            )
    baselines = {n: rows for n, rows in baselines.items() if 0 <= n <= 10}
    milestones = sum(1 for t in tasks if t["duration"] == 0 and t["key"] not in parents)
    by_type = Counter(k["type"] for k in links)
    constrained = sum(1 for t in tasks if t.get("constraint_type") not in (None, "ASAP"))
    imported = [
        f"{len(tasks)} tasks: {len(parents)} summary tasks, {milestones} milestones.",
        f"{len(links)} dependencies: "
        + (", ".join(f"{n} {t}" for t, n in sorted(by_type.items())) or "none")
        + ".",
        f"{constrained} date constraints, {sum(1 for t in tasks if 'deadline' in t)} deadlines.",
        f"Calendar '{spec.name}': {', '.join(WEEKDAY_NAMES[d] for d in spec.working_weekdays)}, "
        f"{spec.hours_per_day} hours a day, {len(spec.exceptions)} exceptions.",
        f"{len(baselines)} baselines.",
    ]
    if task_calendars:
        ignored.append(
            f"Task calendars on {task_calendars} tasks: pmo schedules a plan on its project "
            "calendar."
        )
    if network.resources or project.assignments:
        ignored.append(
            f"{len(network.resources)} resources and {len(project.assignments)} assignments: "
            "resources are managed in pmo's resource pool."
        )
    if network.schedule_from == "finish":
        ignored.append("Scheduling from the project finish: pmo schedules from the start date.")
    return ImportPreview(
        name=plan.name,
        start=origin.date(),
        calendar=spec,
        tasks=tasks,
        links=links,
        baselines=baselines,
        imported=imported,
        adjusted=adjusted,
        ignored=ignored,
    )


def mspdi_export(
    *,
    name: str,
    clock: PlanClock,
    tasks: Sequence[Any],
    links: Sequence[Any],
    baseline: dict[int, tuple[dt.date | None, dt.date | None, int]] | None = None,
) -> bytes:
    """MSPDI XML of a plan (tasks and links as model rows), with its current baseline as 0."""
    calendar = dataclasses.replace(clock.calendar, unit=1)
    per_day = clock.calendar.unit
    origin = clock.origin
    starts = {t.pk: t.constraint_date for t in tasks if t.constraint_date}
    start_offsets = dict(
        zip(
            starts,
            calendar.to_offset(
                [
                    dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=DAY_STARTS)
                    for d in starts.values()
                ],
                origin,
            ).tolist(),
            strict=True,
        )
    )
    finish_offsets = dict(
        zip(
            starts,
            calendar.to_offset(
                [dt.datetime.combine(d, dt.time(23, 59)) for d in starts.values()],
                origin,
                rounding="ceil",
            ).tolist(),
            strict=True,
        )
    )
    parents = {t.parent_id for t in tasks if t.parent_id}
    activities = []
    for t in tasks:
        constraint = None
        if t.constraint_type == "ALAP":
            constraint = Constraint("ALAP")
        elif t.constraint_type != "ASAP" and t.pk in starts:
            offsets = finish_offsets if t.constraint_type in FINISH_CONSTRAINTS else start_offsets
            constraint = Constraint(t.constraint_type, offsets[t.pk])
        activities.append(
            Activity(
                str(t.pk),
                0 if t.pk in parents else t.duration * per_day,
                name=t.name,
                constraint=constraint,
                parent=str(t.parent_id) if t.parent_id else None,
            )
        )
    network = Network(
        activities,
        [
            Link(
                str(k.predecessor_id),
                str(k.successor_id),
                k.type,
                lag=0 if k.lag_percent is not None else k.lag * per_day,
                lag_percent=k.lag_percent,
            )
            for k in links
        ],
    )

    def moment(day: dt.date | None, end: bool) -> dt.datetime | None:
        if day is None:
            return None
        minutes = DAY_STARTS + (per_day if end else 0)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)

    infos = {
        str(t.pk): TaskInfo(
            str(t.pk),
            outline_number=t.wbs,
            outline_level=t.wbs.count(".") + 1,
            wbs=t.wbs,
            milestone=t.duration == 0 and t.pk not in parents,
            summary=t.pk in parents,
            baselines=(
                (FileBaseline(0, moment(b[0], False), moment(b[1], True), b[2] * per_day),)
                if baseline and (b := baseline.get(t.pk))
                else ()
            ),
        )
        for t in tasks
    }
    project = MspdiProject(PlanFile(network, origin, calendar, {"1": calendar}, name), infos)
    return to_mspdi(project, schedule(network))
