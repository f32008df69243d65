"""What a reader hands back: the network plus what converts its offsets to datetimes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmo.engine.calendar import Calendar
from pmo.engine.cpm import ScheduleResult
from pmo.engine.network import Network

__all__ = ["PlanFile", "result_table"]


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
