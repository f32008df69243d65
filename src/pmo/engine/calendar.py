"""Working calendars: working hours per weekday, exceptions, and the conversion between
working-time offsets (the engine's integers) and datetimes, vectorised with numpy.

An offset counts working-time units (``unit`` minutes each) from an origin datetime. A start
offset that falls on the end of a working period maps to the start of the next one; a finish
offset maps to the end of the period it completes (``edge="finish"``), as planners expect:
a one-day task that starts Monday 08:00 finishes Monday 17:00, not Tuesday 08:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import CalendarError

__all__ = ["STANDARD_WEEK", "Calendar", "Period"]

Period = tuple[int, int]  #: working period as (start, end) minutes after midnight
IntArray = npt.NDArray[np.int64]

_DAY = 24 * 60
_MAX_DAYS = 366 * 200  # refuse to search further than two centuries for working time

#: Monday to Friday 08:00-12:00 and 13:00-17:00 (MS Project's standard calendar).
STANDARD_WEEK: tuple[tuple[Period, ...], ...] = (((480, 720), (780, 1020)),) * 5 + ((), ())


def _check_periods(periods: Iterable[Period], what: str) -> tuple[Period, ...]:
    checked = tuple((int(a), int(b)) for a, b in periods)
    last = 0
    for a, b in checked:
        if not (last <= a < b <= _DAY):
            raise CalendarError(
                f"{what}: working periods must be increasing, disjoint and within the day, "
                f"got {list(checked)}"
            )
        last = b
    return checked


@dataclass(frozen=True)
class Calendar:
    """A working calendar.

    Parameters
    ----------
    week : seven sequences of (start, end) minute pairs
        Working periods of Monday ... Sunday.
    exceptions : mapping of date to periods
        Days that differ from the week: ``()`` for a holiday, shorter periods for a short day.
    unit : int
        Minutes per working-time unit (1: minutes, 60: hours, 480: eight-hour days).
    name : str
        For messages and files.

    Examples
    --------
    >>> cal = Calendar(unit=60, exceptions={dt.date(2025, 1, 1): ()})
    >>> origin = dt.datetime(2024, 12, 31, 8, 0)
    >>> cal.to_datetime([0, 8, 9], origin).tolist()  # 1 Jan is a holiday
    [datetime.datetime(2024, 12, 31, 8, 0), datetime.datetime(2025, 1, 2, 8, 0), datetime.datetime(2025, 1, 2, 9, 0)]
    >>> cal.to_datetime([8], origin, edge="finish").tolist()
    [datetime.datetime(2024, 12, 31, 17, 0)]
    >>> cal.to_offset([dt.datetime(2025, 1, 2, 10, 30)], origin).tolist()
    [10]
    """  # noqa: E501

    week: Sequence[Sequence[Period]] = STANDARD_WEEK
    exceptions: Mapping[dt.date, Sequence[Period]] = field(default_factory=dict)
    unit: int = 1
    name: str = "Standard"

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise CalendarError(
                f"Calendar {self.name!r}: the week needs 7 days, got {len(self.week)}"
            )
        week = tuple(_check_periods(day, f"Calendar {self.name!r}") for day in self.week)
        if not any(week):
            raise CalendarError(f"Calendar {self.name!r} has no working time in its week")
        object.__setattr__(self, "week", week)
        object.__setattr__(
            self,
            "exceptions",
            {
                day: _check_periods(periods, f"Calendar {self.name!r} on {day}")
                for day, periods in self.exceptions.items()
            },
        )
        if not isinstance(self.unit, int) or self.unit <= 0:
            raise CalendarError(f"Calendar {self.name!r}: unit must be a positive integer")

    def periods_on(self, day: dt.date) -> tuple[Period, ...]:
        """Working periods of one day.

        Examples
        --------
        >>> Calendar().periods_on(dt.date(2025, 1, 4))  # a Saturday
        ()
        """
        periods = self.exceptions.get(day)
        return tuple(periods) if periods is not None else tuple(self.week[day.weekday()])

    def minutes_on(self, day: dt.date) -> int:
        """Working minutes of one day."""
        return sum(b - a for a, b in self.periods_on(day))

    @cached_property
    def _tables(self) -> dict[dt.date, tuple[IntArray, IntArray, IntArray]]:
        return {}

    def _table(self, first: dt.date, days: int) -> tuple[IntArray, IntArray, IntArray]:
        """Working periods from ``first`` for ``days`` days: starts, ends (minutes after
        ``first`` 00:00) and the working minutes before each period."""
        cached = self._tables.get(first)
        if cached is not None and cached[0].size and cached[1][-1] >= days * _DAY:
            return cached
        if days > _MAX_DAYS:
            raise CalendarError(f"Calendar {self.name!r}: no working time within {_MAX_DAYS} days")
        starts: list[int] = []
        ends: list[int] = []
        for k in range(days):
            base = k * _DAY
            for a, b in self.periods_on(first + dt.timedelta(days=k)):
                starts.append(base + a)
                ends.append(base + b)
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
        before = np.concatenate(([0], np.cumsum(e - s)[:-1])).astype(np.int64)
        self._tables[first] = (s, e, before)
        return s, e, before

    def to_datetime(
        self,
        offsets: Iterable[int] | npt.ArrayLike,
        origin: dt.datetime,
        *,
        edge: Literal["start", "finish"] = "start",
    ) -> npt.NDArray[np.object_]:
        """Datetimes of working-time offsets counted from ``origin`` (vectorised).

        ``origin`` may be aware; the results carry its ``tzinfo`` and are computed in its
        wall-clock time. Negative offsets count backward from the origin.
        """
        w = np.asarray(offsets, dtype=np.int64).ravel() * self.unit
        if w.size == 0:
            return np.empty(0, dtype=object)
        weekly = sum(b - a for day in self.week for a, b in day)
        back = 7 * (int(max(0, -w.min())) // weekly + 1) if w.min() < 0 else 0
        ahead = 7 * (int(max(0, w.max())) // weekly + 2)
        while True:
            first = origin.date() - dt.timedelta(days=back)
            at = (origin.replace(tzinfo=None) - dt.datetime.combine(first, dt.time())) // (
                dt.timedelta(minutes=1)
            )
            s, e, before = self._table(first, back + ahead)
            target = w + self._worked(np.asarray([at], dtype=np.int64), s, e, before)[0]
            total = int(before[-1] + e[-1] - s[-1]) if s.size else 0
            # A finish offset y is the end of working minute y - 1: it must be in the table.
            lowest = 1 if edge == "finish" else 0
            if s.size and target.min() >= lowest and target.max() < total:
                break
            if back + ahead > _MAX_DAYS:
                raise CalendarError(f"Calendar {self.name!r}: offsets out of range")
            back, ahead = (2 * back + 7 if target.min() < lowest else back), 2 * ahead
        side: Literal["left", "right"] = "right" if edge == "start" else "left"
        k = np.searchsorted(before, target, side=side) - 1
        k = np.clip(k, 0, len(s) - 1)
        minutes = s[k] + (target - before[k])
        base = np.datetime64(first, "m")
        stamps = (base + minutes.astype("timedelta64[m]")).astype(dt.datetime)
        tz = origin.tzinfo
        return np.asarray([t.replace(tzinfo=tz) for t in stamps], dtype=object)

    def to_offset(
        self,
        moments: Iterable[dt.datetime],
        origin: dt.datetime,
        *,
        rounding: Literal["floor", "ceil"] = "floor",
    ) -> IntArray:
        """Working-time offsets of datetimes from ``origin`` (vectorised).

        A moment outside working time counts the working time before it; a moment inside a
        unit is rounded down (``"floor"``) or up (``"ceil"``) to whole units.
        """
        items = list(moments)
        if not items:
            return np.zeros(0, dtype=np.int64)
        naive = [m.astimezone(origin.tzinfo).replace(tzinfo=None) if m.tzinfo else m for m in items]
        o = origin.replace(tzinfo=None)
        first = min([*naive, o]).date()
        stamps = np.asarray(naive, dtype="datetime64[m]")
        base = np.datetime64(first, "m")
        minutes = (stamps - base).astype(np.int64)
        at = np.asarray([(np.datetime64(o, "m") - base).astype(np.int64)], dtype=np.int64)
        days = int(max(minutes.max(), at[0]) // _DAY) + 2
        s, e, before = self._table(first, days)
        worked = self._worked(minutes, s, e, before) - self._worked(at, s, e, before)[0]
        if rounding == "floor":
            return np.asarray(np.floor_divide(worked, self.unit), dtype=np.int64)
        return np.asarray(-np.floor_divide(-worked, self.unit), dtype=np.int64)

    @staticmethod
    def _worked(minutes: IntArray, s: IntArray, e: IntArray, before: IntArray) -> IntArray:
        """Working minutes between the table's first day 00:00 and each minute."""
        if s.size == 0:  # no working time in the table's days
            return np.zeros(minutes.shape, dtype=np.int64)
        k = np.searchsorted(s, minutes, side="right") - 1
        inside = np.where(
            k >= 0, np.minimum(minutes - s[np.maximum(k, 0)], (e - s)[np.maximum(k, 0)]), 0
        )
        return np.where(k >= 0, before[np.maximum(k, 0)] + inside, 0).astype(np.int64)
