"""MS Project XML (MSPDI): read and write tasks, WBS, links, constraints, calendars,
resources, assignments and baselines.

Parsing goes through defusedxml with DTDs refused, so external entities and entity expansion
("billion laughs") never run. The engine's time unit for MSPDI files is the minute of working
time of the project calendar; offsets count from the project ``StartDate``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only to build output; parsing is defusedxml
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pmo.engine.calendar import STANDARD_WEEK, Calendar, Period
from pmo.engine.cpm import ScheduleResult
from pmo.engine.errors import EngineError
from pmo.engine.network import (
    Activity,
    Constraint,
    ConstraintType,
    Link,
    LinkType,
    Network,
    Resource,
)
from pmo.interop.errors import InteropError
from pmo.interop.plan import PlanFile

__all__ = [
    "Assignment",
    "Baseline",
    "MspdiProject",
    "TaskInfo",
    "parse_mspdi",
    "read_mspdi",
    "to_mspdi",
    "write_mspdi",
]

NS = "http://schemas.microsoft.com/project"
_Q = "{" + NS + "}"
_LINK_TYPES = {"0": LinkType.FF, "1": LinkType.FS, "2": LinkType.SF, "3": LinkType.SS}
_LINK_CODES = {v: k for k, v in _LINK_TYPES.items()}
_CONSTRAINTS = [
    ConstraintType.ASAP,
    ConstraintType.ALAP,
    ConstraintType.MSO,
    ConstraintType.MFO,
    ConstraintType.SNET,
    ConstraintType.SNLT,
    ConstraintType.FNET,
    ConstraintType.FNLT,
]
_PERCENT_LAG_FORMATS = {"19", "20"}
_FINISH_KINDS = (ConstraintType.MFO, ConstraintType.FNET, ConstraintType.FNLT)
_DURATION = re.compile(r"^-?PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")


@dataclass(frozen=True)
class Baseline:
    """One baseline of a task (``number`` 0 is "Baseline", 1-10 "Baseline1".."Baseline10")."""

    number: int
    start: dt.datetime | None
    finish: dt.datetime | None
    duration: int | None  #: working minutes


@dataclass(frozen=True)
class TaskInfo:
    """What MSPDI says of a task beyond the network: its place in the outline and baselines."""

    uid: str
    outline_number: str = ""
    outline_level: int = 1
    wbs: str = ""
    milestone: bool = False
    summary: bool = False
    baselines: tuple[Baseline, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """A resource assigned to a task with ``units`` (1.0 = full time)."""

    task: str
    resource: str
    units: float = 1.0


@dataclass(frozen=True)
class MspdiProject:
    """A project read from MSPDI: the plan plus outline, baselines, resources, assignments."""

    plan: PlanFile
    tasks: dict[str, TaskInfo] = field(default_factory=dict)
    resource_names: dict[str, str] = field(default_factory=dict)
    assignments: tuple[Assignment, ...] = ()


def _text(element: ET.Element, tag: str, default: str = "") -> str:
    child = element.find(_Q + tag)
    return default if child is None or child.text is None else child.text.strip()


def _minutes(value: str, where: str) -> int:
    match = _DURATION.match(value)
    if not match:
        raise InteropError(f"{where}: not an MSPDI duration: {value!r}")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = round(hours * 60 + minutes + seconds / 60)
    return -total if value.startswith("-") else total


def _duration_text(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def _datetime(value: str, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise InteropError(f"{where}: not a datetime: {value!r}") from None


def _clock(value: str) -> int:
    hours, minutes, *_ = value.split(":")
    total = int(hours) * 60 + int(minutes)
    return total or (24 * 60 if value.startswith("00:00") else 0)


def _periods(element: ET.Element) -> tuple[Period, ...]:
    periods = []
    for wt in element.iter(_Q + "WorkingTime"):
        start, end = _text(wt, "FromTime"), _text(wt, "ToTime")
        if start and end:
            a, b = _clock(start), _clock(end)
            periods.append((0 if a == 24 * 60 else a, b))
    return tuple(periods)


def _calendar(element: ET.Element, base: Calendar | None) -> Calendar:
    week: list[Sequence[Period]] = list(base.week if base else STANDARD_WEEK)
    exceptions: dict[dt.date, Sequence[Period]] = dict(base.exceptions) if base else {}

    def add_exception(holder: ET.Element, working: bool) -> None:
        period = holder.find(_Q + "TimePeriod")
        if period is None:
            return
        first = _datetime(_text(period, "FromDate"), "Calendar exception").date()
        last = _datetime(_text(period, "ToDate"), "Calendar exception").date()
        periods = _periods(holder) if working else ()
        while first <= last:
            exceptions[first] = periods
            first += dt.timedelta(days=1)

    for day in element.iter(_Q + "WeekDay"):
        kind = int(_text(day, "DayType", "-1"))
        working = _text(day, "DayWorking") == "1"
        if 1 <= kind <= 7:  # MSPDI: 1 = Sunday ... 7 = Saturday
            week[(kind + 5) % 7] = _periods(day) if working else ()
        elif kind == 0:
            add_exception(day, working)
    for exception in element.iter(_Q + "Exception"):
        add_exception(exception, _text(exception, "DayWorking") == "1")
    name = _text(element, "Name") or _text(element, "UID")
    try:
        return Calendar(week=week, exceptions=exceptions, name=name)
    except EngineError as error:
        raise InteropError(str(error)) from None


def read_mspdi(path: str | Path) -> MspdiProject:
    """Read an MSPDI file; see `parse_mspdi`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InteropError(error.strerror or str(error), source=str(path)) from None
    return parse_mspdi(data, source=str(path))


def parse_mspdi(data: bytes | str, *, source: str = "<input>") -> MspdiProject:
    """Parse MSPDI XML.

    Examples
    --------
    >>> project = parse_mspdi(SAMPLE)
    >>> [(a.id, a.duration, a.parent) for a in project.plan.network.activities]
    [('1', 0, None), ('2', 960, '1'), ('3', 0, '1')]
    >>> project.plan.network.links[0]
    Link(predecessor='2', successor='3', type=<LinkType.FS: 'FS'>, lag=480, lag_percent=None)
    >>> parse_mspdi("<Project><Tasks>", source="p.xml")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.xml:1:17: malformed XML: no element found
    >>> bomb = '<!DOCTYPE p [<!ENTITY a "aa">]><Project>&a;</Project>'
    >>> parse_mspdi(bomb, source="p.xml")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.xml: refused: the file declares a DTD or entities...
    """
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except ET.ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        raise InteropError(
            f"malformed XML: {message}", source=source, line=line, column=column + 1
        ) from None
    except DefusedXmlException as error:
        raise InteropError(
            "refused: the file declares a DTD or entities, which MSPDI never needs "
            f"({type(error).__name__})",
            source=source,
        ) from None
    if root.tag not in (_Q + "Project", "Project"):
        raise InteropError(f"not an MSPDI file: root element is {root.tag!r}", source=source)
    if root.tag == "Project":  # no namespace: read it anyway
        for element in root.iter():
            element.tag = _Q + element.tag
    try:
        return _project(root, source)
    except InteropError as error:
        if error.source is None:
            raise InteropError(str(error).removeprefix("<input>: "), source=source) from None
        raise
    except EngineError as error:
        raise InteropError(str(error), source=source) from None


def _project(root: ET.Element, source: str) -> MspdiProject:
    calendars_by_uid: dict[str, Calendar] = {}
    raw = {_text(c, "UID"): c for c in root.iter(_Q + "Calendar")}

    def calendar(uid: str) -> Calendar:
        if uid not in calendars_by_uid:
            element = raw[uid]
            base_uid = _text(element, "BaseCalendarUID", "-1")
            base = calendar(base_uid) if base_uid in raw and base_uid != uid else None
            calendars_by_uid[uid] = _calendar(element, base)
        return calendars_by_uid[uid]

    for uid in raw:
        calendar(uid)
    project_calendar = calendars_by_uid.get(_text(root, "CalendarUID", "1")) or Calendar()
    start_text = _text(root, "StartDate")
    origin = _datetime(start_text, "StartDate") if start_text else dt.datetime(2000, 1, 3, 8)

    def offset(value: str, where: str, rounding: str = "floor") -> int:
        moment = _datetime(value, where)
        return int(project_calendar.to_offset([moment], origin, rounding=rounding)[0])  # type: ignore[arg-type]

    activities: list[Activity] = []
    infos: dict[str, TaskInfo] = {}
    links: list[Link] = []
    parents: list[tuple[int, str]] = []  # outline stack of (level, uid)
    for task in root.iter(_Q + "Task"):
        uid = _text(task, "UID")
        where = f"Task UID {uid}"
        level = int(_text(task, "OutlineLevel", "1") or 1)
        if level == 0 or _text(task, "IsNull") == "1":
            continue  # the project summary task, or an empty row
        while parents and parents[-1][0] >= level:
            parents.pop()
        parent = parents[-1][1] if parents else None
        parents.append((level, uid))
        summary = _text(task, "Summary") == "1"
        duration = _minutes(_text(task, "Duration", "PT0H0M0S"), where)
        kind = _CONSTRAINTS[int(_text(task, "ConstraintType", "0") or 0)]
        constraint = None
        if kind is not ConstraintType.ASAP:
            date = _text(task, "ConstraintDate")
            at = None
            if kind not in (ConstraintType.ALAP,):
                if not date:
                    raise InteropError(f"{where}: constraint {kind} without a ConstraintDate")
                at = offset(
                    date,
                    where,
                    "ceil"
                    if kind in (ConstraintType.MFO, ConstraintType.FNET, ConstraintType.FNLT)
                    else "floor",
                )
            constraint = Constraint(kind, at)
        deadline_text = _text(task, "Deadline")
        calendar_uid = _text(task, "CalendarUID", "-1")
        activities.append(
            Activity(
                uid,
                0 if summary else duration,
                name=_text(task, "Name"),
                constraint=None if summary and kind is ConstraintType.ASAP else constraint,
                deadline=offset(deadline_text, where, "ceil") if deadline_text else None,
                parent=parent,
                calendar=calendar_uid if calendar_uid in raw else None,
            )
        )
        baselines = []
        for b in task.findall(_Q + "Baseline"):
            bd = _text(b, "Duration")
            baselines.append(
                Baseline(
                    int(_text(b, "Number", "0")),
                    _datetime(_text(b, "Start"), where) if _text(b, "Start") else None,
                    _datetime(_text(b, "Finish"), where) if _text(b, "Finish") else None,
                    _minutes(bd, where) if bd else None,
                )
            )
        infos[uid] = TaskInfo(
            uid,
            _text(task, "OutlineNumber"),
            level,
            _text(task, "WBS"),
            _text(task, "Milestone") == "1",
            summary,
            tuple(baselines),
        )
        for pl in task.findall(_Q + "PredecessorLink"):
            link_type = _LINK_TYPES.get(_text(pl, "Type", "1"))
            if link_type is None:
                raise InteropError(f"{where}: unknown link type {_text(pl, 'Type')!r}")
            lag = int(float(_text(pl, "LinkLag", "0") or 0))
            if _text(pl, "LagFormat") in _PERCENT_LAG_FORMATS:
                links.append(
                    Link(_text(pl, "PredecessorUID"), uid, link_type, lag_percent=lag / 10)
                )
            else:
                links.append(Link(_text(pl, "PredecessorUID"), uid, link_type, round(lag / 10)))
    resources = []
    names = {}
    for r in root.iter(_Q + "Resource"):
        uid = _text(r, "UID")
        if uid == "0" or _text(r, "IsNull") == "1":
            continue
        resources.append(
            Resource(uid, float(_text(r, "MaxUnits", "1") or 1), name=_text(r, "Name"))
        )
        names[uid] = _text(r, "Name")
    known = {a.id for a in activities}
    assignments = []
    demands: dict[str, dict[str, float]] = {}
    for a in root.iter(_Q + "Assignment"):
        task_uid, resource_uid = _text(a, "TaskUID"), _text(a, "ResourceUID")
        if task_uid not in known or resource_uid not in names:
            continue  # unassigned placeholders (resource -65535) and the project summary task
        units = float(_text(a, "Units", "1") or 1)
        assignments.append(Assignment(task_uid, resource_uid, units))
        demands.setdefault(task_uid, {})[resource_uid] = units
    activities = [
        Activity(
            a.id, a.duration, a.name, a.constraint, a.deadline, a.parent, a.calendar, demands[a.id]
        )
        if a.id in demands
        else a
        for a in activities
    ]
    finish = None
    schedule_from = "start"
    if _text(root, "ScheduleFromStart", "1") == "0":
        schedule_from = "finish"
        finish = offset(_text(root, "FinishDate"), "FinishDate", "ceil")
    network = Network(activities, links, resources, finish=finish, schedule_from=schedule_from)  # type: ignore[arg-type]
    plan = PlanFile(
        network, origin, project_calendar, dict(calendars_by_uid), _text(root, "Name"), source
    )
    return MspdiProject(plan, infos, names, tuple(assignments))


def _sub(parent: ET.Element, tag: str, text: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def _write_periods(parent: ET.Element, periods: Sequence[Period]) -> None:
    times = ET.SubElement(parent, "WorkingTimes")
    for a, b in periods:
        wt = ET.SubElement(times, "WorkingTime")
        _sub(wt, "FromTime", f"{a // 60:02d}:{a % 60:02d}:00")
        _sub(wt, "ToTime", f"{b // 60 % 24:02d}:{b % 60:02d}:00")


def _write_calendar(parent: ET.Element, uid: str, calendar: Calendar) -> None:
    element = ET.SubElement(parent, "Calendar")
    _sub(element, "UID", uid)
    _sub(element, "Name", calendar.name)
    _sub(element, "IsBaseCalendar", 1)
    days = ET.SubElement(element, "WeekDays")
    for kind in range(1, 8):
        periods = calendar.week[(kind + 5) % 7]
        day = ET.SubElement(days, "WeekDay")
        _sub(day, "DayType", kind)
        _sub(day, "DayWorking", 1 if periods else 0)
        if periods:
            _write_periods(day, periods)
    exceptions = ET.SubElement(element, "Exceptions")
    for date, periods in sorted(calendar.exceptions.items()):
        exception = ET.SubElement(exceptions, "Exception")
        period = ET.SubElement(exception, "TimePeriod")
        _sub(period, "FromDate", dt.datetime.combine(date, dt.time()).isoformat())
        _sub(period, "ToDate", dt.datetime.combine(date, dt.time(23, 59)).isoformat())
        _sub(exception, "DayWorking", 1 if periods else 0)
        if periods:
            _write_periods(exception, periods)


def to_mspdi(project: MspdiProject, result: ScheduleResult | None = None) -> bytes:
    """MSPDI XML of a project; with a schedule result, task Start/Finish are its early dates.

    Examples
    --------
    >>> project = parse_mspdi(SAMPLE)
    >>> parse_mspdi(to_mspdi(project)).plan.network == project.plan.network
    True
    """
    plan = project.plan
    network = plan.network
    calendar = plan.calendar or Calendar()
    origin = plan.origin or dt.datetime(2000, 1, 3, 8)
    cal_uids = dict(plan.calendars) or {"1": calendar}
    project_cal_uid = next((u for u, c in cal_uids.items() if c == calendar), "1")
    cal_uids.setdefault(project_cal_uid, calendar)

    def stamp(offsets: Sequence[int], edge: str = "start") -> list[str]:
        return [
            t.replace(tzinfo=None).isoformat()
            for t in calendar.to_datetime(list(offsets), origin, edge=edge).tolist()  # type: ignore[arg-type]
        ]

    ET.register_namespace("", NS)
    root = ET.Element("Project", xmlns=NS)
    _sub(root, "Name", plan.name)
    _sub(root, "ScheduleFromStart", 0 if network.schedule_from == "finish" else 1)
    _sub(root, "StartDate", origin.replace(tzinfo=None).isoformat())
    if network.finish is not None:
        _sub(root, "FinishDate", stamp([network.finish], "finish")[0])
    _sub(root, "CalendarUID", project_cal_uid)
    _sub(root, "MinutesPerDay", 480)
    calendars = ET.SubElement(root, "Calendars")
    for uid, cal in cal_uids.items():
        _write_calendar(calendars, uid, cal)
    tasks = ET.SubElement(root, "Tasks")
    children: dict[str | None, list[Activity]] = {}
    for a in network.activities:
        children.setdefault(a.parent, []).append(a)
    preds: dict[str, list[Link]] = {}
    for k in network.links:
        preds.setdefault(k.successor, []).append(k)
    row = result.index if result is not None else {}

    def emit(activity: Activity, outline: str, level: int, task_id: int) -> int:
        info = project.tasks.get(activity.id, TaskInfo(activity.id))
        task = ET.SubElement(tasks, "Task")
        _sub(task, "UID", activity.id)
        _sub(task, "ID", task_id)
        _sub(task, "Name", activity.name)
        wbs = info.wbs if activity.id in project.tasks else outline
        if wbs:
            _sub(task, "WBS", wbs)
        _sub(task, "OutlineNumber", outline)
        _sub(task, "OutlineLevel", level)
        summary = activity.id in children
        _sub(task, "Duration", _duration_text(activity.duration))
        _sub(task, "DurationFormat", 7)
        _sub(
            task,
            "Milestone",
            1 if info.milestone or (activity.duration == 0 and not summary) else 0,
        )
        _sub(task, "Summary", 1 if summary else 0)
        if result is not None:
            r = row[activity.id]
            _sub(task, "Start", stamp([int(result.early_start[r])])[0])
            _sub(task, "Finish", stamp([int(result.early_finish[r])], "finish")[0])
        c = activity.constraint
        _sub(task, "ConstraintType", _CONSTRAINTS.index(c.type) if c else 0)
        if c is not None and c.offset is not None:
            edge = (
                "finish"
                if c.type in (ConstraintType.MFO, ConstraintType.FNET, ConstraintType.FNLT)
                else "start"
            )
            _sub(task, "ConstraintDate", stamp([c.offset], edge)[0])
        if activity.deadline is not None:
            _sub(task, "Deadline", stamp([activity.deadline], "finish")[0])
        _sub(task, "CalendarUID", activity.calendar or -1)
        for k in preds.get(activity.id, []):
            pl = ET.SubElement(task, "PredecessorLink")
            _sub(pl, "PredecessorUID", k.predecessor)
            _sub(pl, "Type", _LINK_CODES[k.type])
            if k.lag_percent is not None:
                _sub(pl, "LinkLag", round(k.lag_percent * 10))
                _sub(pl, "LagFormat", 19)
            else:
                _sub(pl, "LinkLag", k.lag * 10)
                _sub(pl, "LagFormat", 7)
        for b in info.baselines:
            base = ET.SubElement(task, "Baseline")
            _sub(base, "Number", b.number)
            if b.start is not None:
                _sub(base, "Start", b.start.isoformat())
            if b.finish is not None:
                _sub(base, "Finish", b.finish.isoformat())
            if b.duration is not None:
                _sub(base, "Duration", _duration_text(b.duration))
        task_id += 1
        for number, child in enumerate(children.get(activity.id, []), start=1):
            task_id = emit(child, f"{outline}.{number}", level + 1, task_id)
        return task_id

    next_id = 1
    for number, top in enumerate(children.get(None, []), start=1):
        next_id = emit(top, str(number), 1, next_id)
    resources = ET.SubElement(root, "Resources")
    for r in network.resources:
        element = ET.SubElement(resources, "Resource")
        _sub(element, "UID", r.id)
        _sub(element, "Name", project.resource_names.get(r.id, r.name))
        _sub(element, "MaxUnits", f"{r.capacity:.2f}")
    assignments = ET.SubElement(root, "Assignments")
    listed = project.assignments or tuple(
        Assignment(a.id, res, units) for a in network.activities for res, units in a.demands.items()
    )
    for number, assignment in enumerate(listed, start=1):
        element = ET.SubElement(assignments, "Assignment")
        _sub(element, "UID", number)
        _sub(element, "TaskUID", assignment.task)
        _sub(element, "ResourceUID", assignment.resource)
        _sub(element, "Units", f"{assignment.units:g}")
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_mspdi(
    project: MspdiProject, path: str | Path, result: ScheduleResult | None = None
) -> None:
    """Write MSPDI XML to ``path``; see `to_mspdi`."""
    Path(path).write_bytes(to_mspdi(project, result))


SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>Sample</Name><StartDate>2025-01-06T08:00:00</StartDate><CalendarUID>1</CalendarUID>
  <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
  </Calendar></Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Sample</Name><OutlineLevel>0</OutlineLevel></Task>
    <Task><UID>1</UID><ID>1</ID><Name>Phase</Name><OutlineLevel>1</OutlineLevel>
      <Summary>1</Summary><Duration>PT16H0M0S</Duration></Task>
    <Task><UID>2</UID><ID>2</ID><Name>Build</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT16H0M0S</Duration></Task>
    <Task><UID>3</UID><ID>3</ID><Name>Done</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT0H0M0S</Duration><Milestone>1</Milestone>
      <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type>
        <LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
  </Tasks>
</Project>
"""
