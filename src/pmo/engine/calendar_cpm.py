"""Critical path passes with per-activity calendars (MS Project semantics).

`schedule` runs every activity on one integer working-time scale. `schedule_calendars` instead
works on the real timeline: each activity works only in the working time of its own calendar
(`Activity.calendar`, else the project calendar), so a 24-hour machine run and an 8-hour crew
task can follow each other over a weekend. See docs/engine/calendars.md for the rules:

* the network's integers (durations, lags, constraint offsets, deadlines, start, finish) are
  in units of the project calendar (``project_calendar.unit`` minutes);
* an activity starts at the next working moment of its calendar at or after what drives it;
  its finish is its start plus its duration counted in its calendar's working time;
* lags are counted in the project calendar's working time (MS Project's default);
* constraints, deadlines and the project start and finish are moments: their offsets are read
  through the project calendar (start edge for start constraints and the project start,
  finish edge for finish constraints, deadlines and the project finish), then each moment is
  compared in the constrained activity's own working time;
* floats are in working minutes of the activity's own calendar (MS Project's total slack).

Times inside are minutes from the origin ("moments") and working minutes of one calendar from
the origin ("offsets"); each calendar is compiled once into a table of working periods over the
horizon the project needs, and the compiled passes convert through it by binary search.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from pmo.engine.calendar import Calendar
from pmo.engine.cpm import _cycle, _driving_path, _rows, schedule
from pmo.engine.errors import CalendarError
from pmo.engine.network import NO_BOUND, ConstraintType, Network

__all__ = ["CALENDAR_COLUMNS", "CalendarScheduleResult", "schedule_calendars", "warm_up_calendars"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
StampArray = npt.NDArray[np.datetime64]

_DAY = 24 * 60
_MAX_DAYS = 366 * 200  # as in pmo.engine.calendar: two centuries at the most

#: The per-activity columns of a `CalendarScheduleResult`, in the order of its records.
CALENDAR_COLUMNS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
)
_DATES = CALENDAR_COLUMNS[:4]


@dataclass(frozen=True, eq=False)
class CalendarScheduleResult:
    """The schedule of a network on calendars: one row per activity, in the network's order.

    Dates are numpy ``datetime64[m]`` arrays in the origin's wall-clock time (starts at the
    moment work begins, finishes at the moment it ends); ``offsets[column]`` gives the same
    dates as working minutes of the activity's own calendar counted from the origin (a summary
    activity's in the project calendar). Floats are working minutes of the activity's own
    calendar. ``start_offset``/``finish_offset`` are working minutes of the project calendar.
    """

    ids: tuple[str, ...]
    calendars: tuple[str | None, ...]  #: each activity's calendar name (None: the project's)
    origin: dt.datetime
    early_start: StampArray
    early_finish: StampArray
    late_start: StampArray
    late_finish: StampArray
    offsets: Mapping[str, IntArray]
    total_float: IntArray
    free_float: IntArray
    critical: BoolArray
    start: dt.datetime
    finish: dt.datetime
    start_offset: int
    finish_offset: int
    critical_path: tuple[str, ...]

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each activity id."""
        return {activity_id: row for row, activity_id in enumerate(self.ids)}

    def activity(self, activity_id: str) -> dict[str, Any]:
        """One activity's row as plain Python values (datetimes carry the origin's tzinfo).

        Examples
        --------
        >>> from pmo.engine.network import Activity
        >>> net = Network([Activity("A", 8, calendar="24h")])
        >>> week = Calendar(unit=60)
        >>> always = Calendar(week=[((0, 1440),)] * 7, name="24h")
        >>> friday = dt.datetime(2025, 1, 10, 12, 0)  # lunch: the project starts at 13:00
        >>> row = schedule_calendars(net, {"24h": always}, week, friday).activity("A")
        >>> row["early_start"], row["early_finish"], row["total_float"]
        (datetime.datetime(2025, 1, 10, 13, 0), datetime.datetime(2025, 1, 10, 21, 0), 0)
        """
        return self.records([self.index[activity_id]])[0]

    def records(self, rows: list[int] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (``datetime``, ``int``, ``bool``, ``str``)."""
        selected = slice(None) if rows is None else rows
        tz = self.origin.tzinfo
        ids = list(self.ids) if rows is None else [self.ids[r] for r in rows]
        columns: dict[str, list[Any]] = {}
        for name in _DATES:
            stamps = getattr(self, name)[selected].astype("datetime64[m]").astype(dt.datetime)
            columns[name] = [s.replace(tzinfo=tz) for s in stamps.tolist()]
        for name in CALENDAR_COLUMNS[4:]:
            columns[name] = getattr(self, name)[selected].tolist()
        return _rows(ids, columns)

    def to_dict(self) -> dict[str, Any]:
        """The whole result as JSON-ready values: ISO datetimes, floats in working minutes."""
        records = self.records()
        for record in records:
            for name in _DATES:
                record[name] = record[name].isoformat()
        return {
            "start": self.start.isoformat(),
            "finish": self.finish.isoformat(),
            "duration_minutes": self.finish_offset - self.start_offset,
            "critical_path": list(self.critical_path),
            "activities": records,
        }


@dataclass(frozen=True)
class _Tables:
    """Working periods of every calendar over one horizon, concatenated (see the kernel)."""

    starts: IntArray
    ends: IntArray
    before: IntArray
    ptr: IntArray
    lo: IntArray
    hi: IntArray

    @classmethod
    def build(
        cls, calendars: Sequence[Calendar], origin: dt.datetime, back: int, ahead: int
    ) -> _Tables:
        first = origin.date() - dt.timedelta(days=back)
        at = back * _DAY + origin.hour * 60 + origin.minute  # the origin, from `first` 00:00
        days = [first + dt.timedelta(days=k) for k in range(back + ahead + 1)]
        starts: list[IntArray] = []
        ends: list[IntArray] = []
        befores: list[IntArray] = []
        for calendar in calendars:
            s_list: list[int] = []
            e_list: list[int] = []
            for k, day in enumerate(days):
                for a, b in calendar.periods_on(day):
                    s_list.append(k * _DAY + a - at)
                    e_list.append(k * _DAY + b - at)
            s = np.asarray(s_list, dtype=np.int64)
            e = np.asarray(e_list, dtype=np.int64)
            before = np.concatenate(([0], np.cumsum(e - s)[:-1])).astype(np.int64)
            k0 = int(np.searchsorted(s, 0, side="right")) - 1
            if k0 >= 0:
                before -= before[k0] + min(-int(s[k0]), int(e[k0] - s[k0]))
            starts.append(s)
            ends.append(e)
            befores.append(before)
        ptr = np.zeros(len(calendars) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in starts], out=ptr[1:])
        span = len(days) * _DAY
        return cls(
            np.concatenate(starts),
            np.concatenate(ends),
            np.concatenate(befores),
            ptr,
            np.full(len(calendars), -at, dtype=np.int64),
            np.full(len(calendars), span - at, dtype=np.int64),
        )

    def work(self, c: int, moments: IntArray) -> IntArray:
        """Working minutes of calendar ``c`` between the origin and each moment (numpy)."""
        a, b = int(self.ptr[c]), int(self.ptr[c + 1])
        s, e, before = self.starts[a:b], self.ends[a:b], self.before[a:b]
        k = np.searchsorted(s, moments, side="right") - 1
        kk = np.maximum(k, 0)
        inside = np.minimum(moments - s[kk], (e - s)[kk])
        worked: IntArray = np.where(k >= 0, before[kk] + inside, before[0]).astype(np.int64)
        return worked


def _kernel() -> Any:
    from pmo.engine import _calendar_kernel

    return _calendar_kernel


def _weekly(calendar: Calendar) -> int:
    return sum(b - a for day in calendar.week for a, b in day)


def schedule_calendars(
    network: Network,
    calendars: Mapping[str, Calendar],
    project_calendar: Calendar,
    origin: dt.datetime,
) -> CalendarScheduleResult:
    """Schedule a network with each activity on its own calendar (MS Project semantics).

    Parameters
    ----------
    network : Network
        Its integers are in units of the project calendar (``project_calendar.unit``
        minutes): an activity's duration counts in its own calendar's working time, a lag in
        the project calendar's, and constraint, deadline, start and finish offsets are moments
        read through the project calendar. The other calendars' ``unit`` is not used.
    calendars : mapping of str to Calendar
        The calendars that activities name in ``Activity.calendar``; an activity without one
        works on ``project_calendar``.
    project_calendar : Calendar
        The project calendar: lags, the project start and finish and constraint offsets.
    origin : datetime
        Moment of offset 0 (seconds are ignored). Aware datetimes are scheduled in their
        wall-clock time and the results carry their ``tzinfo``.

    Returns
    -------
    CalendarScheduleResult
        Dates as ``datetime64[m]`` arrays and working-minute offsets, floats in each
        activity's working minutes, critical flags, the project start and finish, one
        critical path. When no activity has a calendar of its own, the dates are those of
        `schedule` converted by ``project_calendar.to_datetime`` and the offsets and floats
        those of `schedule` times the unit.

    Raises
    ------
    CalendarError
        If an activity names a calendar that is not in ``calendars``, or the project needs
        more than two centuries.
    CycleError
        If the links form a cycle.

    Examples
    --------
    A standard-week design task, then a 24-hour test rig run over the weekend, then a
    report in the standard week; the rig's three-hour lag counts in the standard week:

    >>> from pmo.engine.network import Activity, Link
    >>> week = Calendar(unit=60)  # Mon-Fri 08-12, 13-17; hours
    >>> rig = Calendar(week=[((0, 1440),)] * 7, name="24/7")
    >>> net = Network(
    ...     [Activity("design", 4), Activity("run", 30, calendar="24/7"), Activity("report", 4)],
    ...     [Link("design", "run"), Link("run", "report", lag=3)],
    ... )
    >>> result = schedule_calendars(net, {"24/7": rig}, week, dt.datetime(2025, 1, 10, 8))
    >>> [str(d) for d in result.early_finish]
    ['2025-01-10T12:00', '2025-01-11T18:00', '2025-01-13T16:00']
    >>> result.finish, result.critical_path
    (datetime.datetime(2025, 1, 13, 16, 0), ('design', 'run', 'report'))
    >>> schedule_calendars(Network([Activity("A", 1, calendar="night")]), {}, week,
    ...                    dt.datetime(2025, 1, 10, 8))
    Traceback (most recent call last):
    ...
    pmo.engine.errors.CalendarError: Activity 'A' names calendar 'night', which is not given
    """
    compiled = network.compiled
    activities = network.activities
    names: list[str] = []
    slot: dict[str, int] = {}
    cal = np.zeros(len(compiled.leaves), dtype=np.int64)
    for row, position in enumerate(compiled.leaves.tolist()):
        name = activities[position].calendar
        if name is None:
            continue
        if name not in calendars:
            raise CalendarError(
                f"Activity {activities[position].id!r} names calendar {name!r}, which is not given"
            )
        if name not in slot:
            slot[name] = len(names) + 1
            names.append(name)
        cal[row] = slot[name]
    table_calendars = [project_calendar, *(calendars[name] for name in names)]
    unit = project_calendar.unit
    plain = schedule(network)  # finds cycles, and sizes the horizon below
    origin = origin.replace(second=0, microsecond=0)

    starts = compiled.constraint_offset * unit
    kind = compiled.constraint
    deadline = np.where(compiled.deadline == NO_BOUND, NO_BOUND, compiled.deadline * unit)
    target = -NO_BOUND if network.finish is None else network.finish * unit
    back, ahead = _horizon(network, plain.early_start, plain.late_finish, table_calendars)
    kernel = _kernel()
    while True:
        tables = _Tables.build(table_calendars, origin, back, ahead)
        flag, reached, order, es, lf, tf, ff, driver, m0, mf, stamps = kernel.cpm(
            compiled.duration * unit, cal, compiled.out_ptr, compiled.out_succ,
            compiled.out_type, compiled.out_lag * unit, kind, starts, starts, deadline,
            network.start * unit, target, network.schedule_from == "finish",
            tables.starts, tables.ends, tables.before, tables.ptr, tables.lo, tables.hi,
        )  # fmt: skip
        if reached < len(compiled.leaves):  # pragma: no cover - schedule() raised already
            raise _cycle(compiled, network, order, reached)
        if not flag[0]:
            break
        back, ahead = 2 * back + 7, 2 * ahead + 7
        if back + ahead > _MAX_DAYS:
            raise CalendarError(f"The project needs more than {_MAX_DAYS} days of calendars")
    leaf_path = _driving_path(order, stamps[1], driver)
    ids = tuple(a.id for a in activities)
    path = tuple(ids[int(compiled.leaves[i])] for i in leaf_path)
    dur = compiled.duration * unit
    leaf_offsets = (es, es + dur, lf - dur, lf)
    n = len(ids)
    columns = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    offsets = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    floats = [np.zeros(n, dtype=np.int64) for _ in range(2)]
    for k in range(4):
        columns[k][compiled.leaves] = stamps[k]
        offsets[k][compiled.leaves] = leaf_offsets[k]
    floats[0][compiled.leaves] = tf
    floats[1][compiled.leaves] = ff
    for position, rows in compiled.summaries:
        for k, roll in enumerate((np.min, np.max, np.min, np.max)):
            columns[k][position] = roll(stamps[k][rows]) if len(rows) else int(m0)
        for k in range(2):
            floats[k][position] = int(np.min((tf, ff)[k][rows])) if len(rows) else 0
    if compiled.summaries:
        summary_rows = np.asarray([p for p, _ in compiled.summaries], dtype=np.int64)
        for k in range(4):
            offsets[k][summary_rows] = tables.work(0, columns[k][summary_rows])
    base = np.datetime64(origin.replace(tzinfo=None), "m")
    stamp_columns = [base + c.astype("timedelta64[m]") for c in columns]
    start_offset, finish_offset = tables.work(0, np.asarray([m0, mf], dtype=np.int64)).tolist()
    return CalendarScheduleResult(
        ids=ids,
        calendars=tuple(a.calendar for a in activities),
        origin=origin,
        early_start=stamp_columns[0],
        early_finish=stamp_columns[1],
        late_start=stamp_columns[2],
        late_finish=stamp_columns[3],
        offsets=dict(zip(_DATES, offsets, strict=True)),
        total_float=floats[0],
        free_float=floats[1],
        critical=floats[0] <= 0,
        start=origin + dt.timedelta(minutes=int(m0)),
        finish=origin + dt.timedelta(minutes=int(mf)),
        start_offset=int(start_offset),
        finish_offset=int(finish_offset),
        critical_path=path,
    )


def _horizon(
    network: Network, early_start: IntArray, late_finish: IntArray, calendars: Sequence[Calendar]
) -> tuple[int, int]:
    """Days before and after the origin that the tables should cover at first: the span of the
    single-calendar schedule, stretched for the calendar with the least weekly working time."""
    c = network.compiled
    unit = calendars[0].unit
    values = [network.start, 0]
    if network.finish is not None:
        values.append(network.finish)
    for array in (early_start, late_finish, c.constraint_offset, c.duration):
        if array.size:
            values += [int(array.min()), int(array.max())]
    per_day = min(_weekly(calendar) for calendar in calendars) / 7
    lags = int(np.abs(c.out_lag).max()) if c.out_lag.size else 0

    def days(work: int) -> int:
        return math.ceil((work * unit + lags * unit) / per_day) + 14

    return days(max(0, -min(values))), days(max(values) - min(0, min(values)))


def warm_up_calendars() -> float:
    """Compile the calendar kernels now; returns the seconds it took.

    Examples
    --------
    >>> warm_up_calendars() >= 0.0
    True
    """
    from pmo.engine.network import Activity, Constraint, Link, LinkType

    began = time.perf_counter()
    activities = [
        Activity("A", 2, calendar="x"),
        Activity("B", 2, constraint=Constraint(ConstraintType.SNET, 1)),
        Activity("C", 2, constraint=Constraint(ConstraintType.ALAP), deadline=9),
    ]
    links = [Link("A", x, kind, lag=-1) for x, kind in zip("BC", LinkType, strict=False)]
    for schedule_from in ("start", "finish"):
        schedule_calendars(
            Network(activities, links, finish=20, schedule_from=schedule_from),
            {"x": Calendar(name="x")},
            Calendar(unit=60),
            dt.datetime(2025, 1, 6, 8),
        )
    return time.perf_counter() - began
