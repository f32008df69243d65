"""What a reader hands back: the network plus what converts its offsets to datetimes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmo.engine.calendar import Calendar
from pmo.engine.calendar_cpm import CalendarScheduleResult, schedule_calendars
from pmo.engine.cpm import ScheduleResult
from pmo.engine.network import Network

__all__ = ["PlanFile", "calendar_result_table", "result_table", "schedule_on_calendars"]


@dataclass(frozen=True)
class PlanFile:
    """A project read from a file.

    ``origin`` is the datetime of offset 0 (the project start) when the file has dates;
    ``calendar`` converts offsets to datetimes; ``calendars`` holds the named calendars that
    activities refer to.
    """

    network: Network
    origin: dt.datetime | None = None
    calendar: Calendar | None = None
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    name: str = ""
    source: str = "<input>"

    @property
    def uses_calendars(self) -> bool:
        """True when the file has a start datetime and some activity names its own calendar:
        then `schedule_on_calendars` is the schedule that the file means."""
        return self.origin is not None and any(a.calendar for a in self.network.activities)


def schedule_on_calendars(plan: PlanFile) -> CalendarScheduleResult:
    """Schedule a plan with each activity on its calendar (see `pmo.engine.schedule_calendars`).

    Examples
    --------
    >>> from pmo.engine import Activity
    >>> always = Calendar(week=[((0, 1440),)] * 7, name="24/7")
    >>> plan = PlanFile(Network([Activity("A", 30, calendar="24/7")]),
    ...                 dt.datetime(2025, 1, 10, 8), Calendar(unit=60), {"24/7": always})
    >>> plan.uses_calendars, schedule_on_calendars(plan).finish
    (True, datetime.datetime(2025, 1, 11, 14, 0))
    """
    if plan.origin is None:
        raise ValueError("calendar scheduling needs the plan's start datetime")
    return schedule_calendars(
        plan.network, plan.calendars, plan.calendar or Calendar(), plan.origin
    )


def _in_units(minutes: int, unit: int) -> int | float:
    return minutes // unit if minutes % unit == 0 else minutes / unit


def calendar_result_table(plan: PlanFile, result: CalendarScheduleResult) -> dict[str, Any]:
    """The table of ``pmo schedule --json`` for a calendar schedule: ISO datetimes; floats
    in units of the project calendar counted in each activity's own working time.

    Examples
    --------
    >>> from pmo.engine import Activity
    >>> plan = PlanFile(Network([Activity("A", 8)]), dt.datetime(2025, 1, 6, 8), Calendar(unit=60))
    >>> table = calendar_result_table(plan, schedule_on_calendars(plan))
    >>> table["finish"], table["duration"], table["activities"][0]["calendar"]
    ('2025-01-06T17:00:00', 8, None)
    """
    unit = (plan.calendar or Calendar()).unit
    table = result.to_dict()
    del table["duration_minutes"]
    table["duration"] = _in_units(result.finish_offset - result.start_offset, unit)
    for record, calendar in zip(table["activities"], result.calendars, strict=True):
        record["calendar"] = calendar
        for key in ("total_float", "free_float"):
            record[key] = _in_units(record[key], unit)
    return table


def result_table(plan: PlanFile, result: ScheduleResult) -> dict[str, Any]:
    """The per-activity table of ``pmo schedule --json``, in plain JSON types.

    Without an origin the dates are integer offsets; with one they are ISO datetimes (starts
    on the start edge, finishes on the finish edge of working time); floats stay in units.

    Examples
    --------
    >>> from pmo.engine import Activity, Link, Network, schedule
    >>> plan = PlanFile(Network([Activity("A", 2)]))
    >>> result_table(plan, schedule(plan.network))["activities"][0]["early_finish"]
    2
    >>> plan = PlanFile(Network([Activity("A", 8)]), dt.datetime(2025, 1, 6, 8), Calendar(unit=60))
    >>> result_table(plan, schedule(plan.network))["activities"][0]["early_finish"]
    '2025-01-06T17:00:00'
    """
    records = result.records()
    table: dict[str, Any] = {
        "start": result.start,
        "finish": result.finish,
        "duration": result.duration,
        "critical_path": list(result.critical_path),
        "activities": records,
    }
    if plan.origin is None:
        return table
    calendar = plan.calendar or Calendar()
    for key, edge in (
        ("early_start", "start"),
        ("early_finish", "finish"),
        ("late_start", "start"),
        ("late_finish", "finish"),
    ):
        stamps = calendar.to_datetime(getattr(result, key), plan.origin, edge=edge)  # type: ignore[arg-type]
        for record, stamp in zip(records, stamps.tolist(), strict=True):
            record[key] = stamp.isoformat()
    ends = calendar.to_datetime([result.start, result.finish], plan.origin, edge="finish")
    table["start"] = calendar.to_datetime([result.start], plan.origin)[0].isoformat()
    table["finish"] = ends[1].isoformat()
    return table
