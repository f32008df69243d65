"""Capacity forecast: supply of working hours (people × calendars × availability) against the
demand of assignments and pipeline requests, by person, role or department, per week or month.

Everything is computed on whole days with cumulative sums over the horizon (numpy), so the
hours of a person or a demand in a period are a difference of two array lookups.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from pmo.engine.calendar import Calendar, Period, _check_periods
from pmo.engine.errors import EngineError

__all__ = [
    "GROUP_FIELDS",
    "CapacityError",
    "CapacityResult",
    "Cell",
    "Demand",
    "DemandHours",
    "Periods",
    "Person",
    "PersonHours",
    "capacity_forecast",
    "scenario",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
GroupKey = tuple[str | None, ...]

#: What a forecast can be grouped by, alone or combined (``("department", "role")``).
GROUP_FIELDS = ("person", "role", "department")

#: Demand hours may exceed supply by this much before a cell counts as over-allocated; it
#: absorbs floating-point noise of the spreading, nothing a planner would notice.
_TOLERANCE_HOURS = 1e-6

_ALWAYS = dt.date.min


class CapacityError(EngineError, ValueError):
    """The inputs of a capacity forecast or a what-if scenario are malformed or inconsistent."""


def _check_fraction(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise CapacityError(f"{what} must be a number between 0 and 1, not {value!r}")
    return float(value)


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise CapacityError(f"{what} must be a non-empty string, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who supplies working hours.

    Parameters
    ----------
    id : str
        Unique id.
    role, department : str
        What the forecast groups by.
    calendar : str or None
        Name of the person's working calendar; ``None`` for the forecast's default calendar.
    availability : float or sequence of (date, fraction)
        Share of the calendar's hours the person gives to project work. A number holds for
        ever; a sequence changes the share on each date, and the person is fully available
        (1.0) before its first date.
    employed_from, employed_to : date or None
        First and last day of employment (both inclusive); ``None`` for no bound.
    exceptions : mapping of date to periods
        The person's own days that differ from the calendar: ``()`` for a day off, shorter
        periods for a part day (minutes after midnight, as in `Calendar`).

    Examples
    --------
    >>> Person("ana", "Developer", availability=[(dt.date(2025, 3, 1), 0.5)]).availability
    ((datetime.date(2025, 3, 1), 0.5),)
    >>> Person("bob", "Developer", availability=1.5)
    Traceback (most recent call last):
    ...
    pmo.engine.capacity.CapacityError: Person 'bob' availability must be a number between 0 and 1, not 1.5
    """  # noqa: E501

    id: str
    role: str
    department: str = ""
    calendar: str | None = None
    availability: float | Sequence[tuple[dt.date, float]] = 1.0
    employed_from: dt.date | None = None
    employed_to: dt.date | None = None
    exceptions: Mapping[dt.date, Sequence[Period]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_text(self.id, "Person id")
        _check_text(self.role, f"Person {self.id!r} role")
        what = f"Person {self.id!r} availability"
        steps: tuple[tuple[dt.date, float], ...]
        if isinstance(self.availability, int | float):
            steps = ((_ALWAYS, _check_fraction(self.availability, what)),)
        else:
            steps = tuple((day, _check_fraction(share, what)) for day, share in self.availability)
            if any(a[0] >= b[0] for a, b in zip(steps, steps[1:], strict=False)):
                raise CapacityError(f"{what}: dates must be strictly increasing")
            steps = steps or ((_ALWAYS, 1.0),)
        object.__setattr__(self, "availability", steps)
        if (
            self.employed_from is not None
            and self.employed_to is not None
            and self.employed_to < self.employed_from
        ):
            raise CapacityError(f"Person {self.id!r} leaves before joining")
        object.__setattr__(
            self,
            "exceptions",
            {
                day: _check_periods(periods, f"Person {self.id!r} on {day}")
                for day, periods in self.exceptions.items()
            },
        )


@dataclass(frozen=True, slots=True)
class Demand:
    """Work that needs someone's hours: an assignment, or a placeholder for a role.

    Parameters
    ----------
    id : str
        Unique id (shown in the drill-down).
    person : str or None
        The person assigned; ``None`` for a placeholder, which counts on its ``role``.
    role : str or None
        The role a placeholder needs (required when ``person`` is ``None``; ignored
        otherwise: a named person's work counts where the person counts).
    project : str
        The project, for drill-down and what-if scenarios.
    start, finish : date
        First and last day of the work (both inclusive).
    hours : float or None
        Total hours, spread evenly over the working days of the span in the person's
        calendar (the role's calendar for a placeholder).
    units : float or None
        Instead of ``hours``: the share of each working day (1.0 = full time, 0.5 = half).
    weight : float
        Probability that the work happens: 1.0 for committed work, the approval probability
        for a pipeline request. Demand hours are multiplied by it.
    department : str or None
        The department a placeholder counts on when grouping by department.

    Examples
    --------
    >>> d = Demand("d1", None, "Analyst", "P1", dt.date(2025, 1, 6), dt.date(2025, 1, 10), 20)
    >>> d.person, d.role, d.hours, d.weight
    (None, 'Analyst', 20.0, 1.0)
    >>> Demand("d2", "ana", None, "P1", dt.date(2025, 1, 6), dt.date(2025, 1, 10))
    Traceback (most recent call last):
    ...
    pmo.engine.capacity.CapacityError: Demand 'd2' needs either hours or units
    """

    id: str
    person: str | None
    role: str | None
    project: str
    start: dt.date
    finish: dt.date
    hours: float | None = None
    units: float | None = None
    weight: float = 1.0
    department: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.id, "Demand id")
        _check_text(self.project, f"Demand {self.id!r} project")
        if self.person is None and not self.role:
            raise CapacityError(f"Demand {self.id!r} names neither a person nor a role")
        if self.finish < self.start:
            raise CapacityError(f"Demand {self.id!r} finishes before it starts")
        if (self.hours is None) == (self.units is None):
            raise CapacityError(f"Demand {self.id!r} needs either hours or units")
        for name in ("hours", "units"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise CapacityError(f"Demand {self.id!r} {name} must be a number >= 0")
            object.__setattr__(self, name, float(value))
        object.__setattr__(
            self, "weight", _check_fraction(self.weight, f"Demand {self.id!r} weight")
        )


@dataclass(frozen=True, slots=True)
class Periods:
    """The forecast's columns: ``count`` ISO weeks (Monday to Sunday) or calendar months.

    ``start`` moves back to the Monday of its week or the first day of its month.

    Examples
    --------
    >>> p = Periods(dt.date(2025, 1, 8), 2)
    >>> p.start, p.labels
    (datetime.date(2025, 1, 6), ('2025-W02', '2025-W03'))
    >>> Periods(dt.date(2025, 11, 15), 3, "month").bounds[-1]
    datetime.date(2026, 2, 1)
    """

    start: dt.date
    count: int
    kind: Literal["week", "month"] = "week"

    def __post_init__(self) -> None:
        if self.kind not in ("week", "month"):
            raise CapacityError(f"Periods kind must be 'week' or 'month', not {self.kind!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise CapacityError(f"Periods count must be a positive integer, not {self.count!r}")
        if self.kind == "week":
            start = self.start - dt.timedelta(days=self.start.weekday())
        else:
            start = self.start.replace(day=1)
        object.__setattr__(self, "start", start)

    @property
    def bounds(self) -> tuple[dt.date, ...]:
        """The ``count + 1`` first days of the periods and of the day after the last one."""
        if self.kind == "week":
            return tuple(self.start + dt.timedelta(weeks=k) for k in range(self.count + 1))
        months = self.start.year * 12 + self.start.month - 1
        return tuple(
            dt.date((months + k) // 12, (months + k) % 12 + 1, 1) for k in range(self.count + 1)
        )

    @property
    def labels(self) -> tuple[str, ...]:
        """``2025-W02`` (ISO week) or ``2025-01`` (month) for each period."""
        if self.kind == "week":
            return tuple(
                f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in self.bounds[:-1]
            )
        return tuple(f"{d.year}-{d.month:02d}" for d in self.bounds[:-1])


class PersonHours(NamedTuple):
    """One person behind a cell: supply and demand hours in the period."""

    person: str
    supply: float
    demand: float


class DemandHours(NamedTuple):
    """One demand behind a cell: its (weighted) hours in the period."""

    demand: str
    project: str
    person: str | None
    hours: float


class Cell(NamedTuple):
    """A heat-map cell with the people and demands behind it (`CapacityResult.drill_down`)."""

    group: GroupKey
    period: str
    supply: float
    demand: float
    utilisation: float | None
    people: tuple[PersonHours, ...]
    demands: tuple[DemandHours, ...]


@dataclass(frozen=True)
class CapacityResult:
    """Supply and demand hours per group (rows) and period (columns).

    ``supply``, ``demand`` and ``utilisation`` are numpy ``float64`` arrays of shape
    ``(len(groups), periods.count)``. ``utilisation`` is ``demand / supply``: ``inf`` where
    there is demand but no supply, ``nan`` where there is neither; `to_dict` turns both into
    ``None`` (``over_allocated`` tells them apart). `drill_down` and `to_dict` give plain
    Python values.
    """

    group_by: tuple[str, ...]
    groups: tuple[GroupKey, ...]
    periods: Periods
    supply: FloatArray
    demand: FloatArray
    threshold: float
    # Behind the cells, for the drill-down.
    _people: tuple[Person, ...] = field(repr=False)
    _person_group: IntArray = field(repr=False)
    _person_supply: FloatArray = field(repr=False)
    _demands: tuple[Demand, ...] = field(repr=False)
    _demand_person: IntArray = field(repr=False)
    _segment_demand: IntArray = field(repr=False)
    _segment_group: IntArray = field(repr=False)
    _segment_period: IntArray = field(repr=False)
    _segment_hours: FloatArray = field(repr=False)

    @property
    def utilisation(self) -> FloatArray:
        """Demand over supply (``inf`` with no supply, ``nan`` with neither)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.demand / self.supply, dtype=np.float64)

    @property
    def over_allocated(self) -> BoolArray:
        """Cells whose demand exceeds ``threshold`` times their supply."""
        return np.asarray(
            self.demand - self.threshold * self.supply > _TOLERANCE_HOURS, dtype=np.bool_
        )

    def group_index(self, group: GroupKey | str) -> int:
        """Row of a group; a single-field group may be given as a plain string."""
        key = group if isinstance(group, tuple) else (group,)
        try:
            return self.groups.index(key)
        except ValueError:
            raise CapacityError(f"No group {key!r} in the forecast") from None

    def _period_index(self, period: int | str) -> int:
        if isinstance(period, str):
            if period not in self.periods.labels:
                raise CapacityError(f"No period {period!r} in the forecast")
            return self.periods.labels.index(period)
        if not 0 <= period < self.periods.count:
            raise CapacityError(f"Period {period} is outside 0..{self.periods.count - 1}")
        return int(period)

    def drill_down(self, group: GroupKey | str, period: int | str) -> Cell:
        """The people and demands behind one cell, with their hours in the period.

        Parameters
        ----------
        group : tuple or str
            A key of `groups` (a plain string when grouping by one field).
        period : int or str
            Column index or label (``"2025-W02"``, ``"2025-01"``).

        Examples
        --------
        >>> people = [Person("ana", "Dev"), Person("bob", "Dev")]
        >>> demands = [Demand("d1", "ana", None, "P1", dt.date(2025, 1, 6),
        ...                   dt.date(2025, 1, 10), 50)]
        >>> result = capacity_forecast(people, demands, Periods(dt.date(2025, 1, 6), 1), {})
        >>> cell = result.drill_down("Dev", 0)
        >>> cell.supply, cell.demand, cell.utilisation
        (80.0, 50.0, 0.625)
        >>> cell.people
        (PersonHours(person='ana', supply=40.0, demand=50.0), PersonHours(person='bob', supply=40.0, demand=0.0))
        >>> cell.demands
        (DemandHours(demand='d1', project='P1', person='ana', hours=50.0),)
        """  # noqa: E501
        g = self.group_index(group)
        p = self._period_index(period)
        rows = np.flatnonzero((self._segment_group == g) & (self._segment_period == p))
        hours = self._segment_hours[rows]
        items = self._segment_demand[rows]
        keep = hours > 0
        per_person: dict[int, float] = {}
        demands = []
        for item, h in zip(items[keep].tolist(), hours[keep].tolist(), strict=True):
            demand = self._demands[item]
            who = int(self._demand_person[item])
            if who >= 0:
                per_person[who] = per_person.get(who, 0.0) + h
            demands.append(DemandHours(demand.id, demand.project, demand.person, h))
        people = tuple(
            PersonHours(
                self._people[i].id, float(self._person_supply[i, p]), per_person.get(i, 0.0)
            )
            for i in np.flatnonzero(self._person_group == g).tolist()
        )
        supply = float(self.supply[g, p])
        utilisation = float(self.utilisation[g, p])
        return Cell(
            self.groups[g],
            self.periods.labels[p],
            supply,
            float(self.demand[g, p]),
            utilisation if supply > 0 else None,
            people,
            tuple(demands),
        )

    def to_dict(self) -> dict[str, object]:
        """The heat map as JSON-ready plain Python values (``None`` utilisation: no supply).

        Examples
        --------
        >>> result = capacity_forecast([Person("ana", "Dev")], [],
        ...                            Periods(dt.date(2025, 1, 6), 2), {})
        >>> out = result.to_dict()
        >>> out["periods"], out["groups"], out["supply"], out["utilisation"]
        (['2025-W02', '2025-W03'], [['Dev']], [[40.0, 40.0]], [[0.0, 0.0]])
        """
        util = self.utilisation
        return {
            "group_by": list(self.group_by),
            "periods": list(self.periods.labels),
            "starts": [d.isoformat() for d in self.periods.bounds[:-1]],
            "groups": [list(g) for g in self.groups],
            "supply": self.supply.tolist(),
            "demand": self.demand.tolist(),
            "utilisation": [[u if np.isfinite(u) else None for u in row] for row in util.tolist()],
            "over_allocated": self.over_allocated.tolist(),
        }


class _Horizon:
    """Day tables of the calendars in use over the days ``lo <= ordinal < lo + days``.

    ``minutes[r]`` and ``workdays[r]`` are cumulative (length ``days + 1``) per calendar row;
    people's own exceptions are kept apart as sorted cumulative corrections keyed by
    ``person * days + day`` so that a range sum for a person is two binary searches.
    """

    def __init__(self, calendars: Sequence[Calendar], lo: int, days: int) -> None:
        self.lo = lo
        self.days = days
        ordinals = np.arange(lo, lo + days, dtype=np.int64)
        weekday = (ordinals + 6) % 7  # ordinal 1 (1 Jan of year 1) is a Monday
        minutes = np.zeros((len(calendars), days), dtype=np.int64)
        for row, cal in enumerate(calendars):
            week = np.asarray([sum(e - s for s, e in cal.week[w]) for w in range(7)], np.int64)
            minutes[row] = week[weekday]
            for day in cal.exceptions:
                k = day.toordinal() - lo
                if 0 <= k < days:
                    minutes[row, k] = cal.minutes_on(day)
        self.daily = minutes
        zero = np.zeros((len(calendars), 1), dtype=np.int64)
        self.minutes: IntArray = np.concatenate((zero, np.cumsum(minutes, axis=1)), axis=1)
        self.workdays: IntArray = np.concatenate((zero, np.cumsum(minutes > 0, axis=1)), axis=1)
        self._keys = np.zeros(0, dtype=np.int64)
        self._minutes_fix = np.zeros(1, dtype=np.int64)
        self._workdays_fix = np.zeros(1, dtype=np.int64)

    def personal(self, rows: Sequence[int], exceptions: Sequence[Mapping[dt.date, int]]) -> None:
        """Register each person's own day minutes (person ``i`` on calendar row ``rows[i]``)."""
        keys: list[int] = []
        d_min: list[int] = []
        d_work: list[int] = []
        for i, (row, days) in enumerate(zip(rows, exceptions, strict=True)):
            for day, mins in days.items():
                k = day.toordinal() - self.lo
                if 0 <= k < self.days:
                    base = int(self.daily[row, k])
                    keys.append(i * self.days + k)
                    d_min.append(mins - base)
                    d_work.append(int(mins > 0) - int(base > 0))
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self._keys = np.asarray(keys, dtype=np.int64)[order]
        zero = np.zeros(1, dtype=np.int64)
        self._minutes_fix = np.concatenate((zero, np.cumsum(np.asarray(d_min, np.int64)[order])))
        self._workdays_fix = np.concatenate((zero, np.cumsum(np.asarray(d_work, np.int64)[order])))

    def between(
        self, row: IntArray, person: IntArray, a: IntArray, b: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Working minutes and working days on days ``a <= k < b`` (``person`` -1: none)."""
        i = np.searchsorted(self._keys, person * self.days + a)
        j = np.searchsorted(self._keys, person * self.days + b)
        own = person >= 0
        minutes = self.minutes[row, b] - self.minutes[row, a]
        workdays = self.workdays[row, b] - self.workdays[row, a]
        return (
            np.asarray(minutes + np.where(own, self._minutes_fix[j] - self._minutes_fix[i], 0)),
            np.asarray(workdays + np.where(own, self._workdays_fix[j] - self._workdays_fix[i], 0)),
        )


def _split(
    bounds: IntArray, a: IntArray, b: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cut day ranges ``[a, b)`` at the period bounds: (item, period, start, end) per piece.

    Ranges are clipped to the horizon first; empty ones give no piece.
    """
    a = np.maximum(a, bounds[0])
    b = np.minimum(b, bounds[-1])
    items = np.flatnonzero(a < b)
    a, b = a[items], b[items]
    first = np.searchsorted(bounds, a, side="right") - 1
    last = np.searchsorted(bounds, b - 1, side="right") - 1
    counts = last - first + 1
    item = np.repeat(np.arange(len(items)), counts)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    period = first[item] + (np.arange(int(counts.sum()), dtype=np.int64) - offsets[item])
    start = np.maximum(a[item], bounds[period])
    end = np.minimum(b[item], bounds[period + 1])
    return items[item], period, start, end


def _cells(cell: IntArray, hours: FloatArray, rows: int, columns: int) -> FloatArray:
    """Sum of the hours falling in each cell (``row * columns + column``) of a matrix."""
    total = np.bincount(cell, weights=hours, minlength=rows * columns)
    return np.asarray(total, dtype=np.float64).reshape(rows, columns)


def _availability(person: Person) -> list[tuple[dt.date, float]]:
    share = person.availability
    return [(_ALWAYS, float(share))] if isinstance(share, int | float) else list(share)


def _sort_key(group: GroupKey) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in group)


def capacity_forecast(
    people: Sequence[Person],
    demands: Sequence[Demand],
    periods: Periods,
    calendars: Mapping[str, Calendar],
    *,
    group_by: Sequence[str] = ("role",),
    role_calendars: Mapping[str, str] | None = None,
    default_calendar: str | None = None,
    threshold: float = 1.0,
) -> CapacityResult:
    """Supply and demand hours per group and period.

    Supply of a person in a period = working hours of their calendar (with their own
    exceptions) on the days they are employed, times their availability on each day. Demand
    spreads evenly over the working days of its span (or takes ``units`` of each working
    day's hours), times its ``weight``; the hours of a span outside the horizon are not
    counted. See ``docs/engine/capacity.md``.

    Parameters
    ----------
    people, demands : sequences of `Person` and `Demand`
    periods : Periods
        The columns: weeks or months from a start date.
    calendars : mapping of name to `Calendar`
        The calendars people and roles name. Hours per day come from the calendar's working
        periods; its ``unit`` plays no part.
    group_by : sequence of "person", "role", "department"
        The rows: one group per distinct combination (``("department", "role")``).
    role_calendars : mapping of role to calendar name, optional
        The calendar a placeholder of each role works on (default calendar otherwise).
    default_calendar : str, optional
        Name of the calendar of people and roles that name none; the standard
        Monday-to-Friday 8-hour week if not given.
    threshold : float
        A cell is over-allocated when its demand exceeds ``threshold`` times its supply.

    Returns
    -------
    CapacityResult

    Examples
    --------
    >>> cal = Calendar(exceptions={dt.date(2025, 1, 1): ()}, name="FR")
    >>> people = [Person("ana", "Dev", "IT", "FR"), Person("bob", "PM", "PMO", "FR", 0.5)]
    >>> demands = [
    ...     Demand("d1", "ana", None, "P1", dt.date(2024, 12, 30), dt.date(2025, 1, 10), 72),
    ...     Demand("d2", None, "PM", "P2", dt.date(2025, 1, 6), dt.date(2025, 1, 17),
    ...            units=0.5, weight=0.4),
    ... ]
    >>> result = capacity_forecast(people, demands, Periods(dt.date(2024, 12, 30), 3),
    ...                            {"FR": cal})
    >>> result.groups, result.periods.labels
    ((('Dev',), ('PM',)), ('2025-W01', '2025-W02', '2025-W03'))
    >>> result.supply.tolist()
    [[32.0, 40.0, 40.0], [16.0, 20.0, 20.0]]
    >>> result.demand.tolist()  # 72 h over 9 working days; 40 % of half-time
    [[32.0, 40.0, 0.0], [0.0, 8.0, 8.0]]
    >>> result.utilisation.round(2).tolist()
    [[1.0, 1.0, 0.0], [0.0, 0.4, 0.4]]
    """
    group_by = tuple(group_by)
    if not group_by or len(set(group_by)) != len(group_by) or set(group_by) - set(GROUP_FIELDS):
        raise CapacityError(
            f"group_by must be distinct fields among {GROUP_FIELDS}, not {group_by!r}"
        )
    people = tuple(people)
    demands = tuple(demands)
    role_calendars = dict(role_calendars or {})

    # Calendars: one table row per calendar in use (None = the default).
    def resolve(name: str | None, what: str) -> str | None:
        name = default_calendar if name is None else name
        if name is not None and name not in calendars:
            raise CapacityError(f"{what} names an unknown calendar {name!r}")
        return name

    resolve(default_calendar, "default_calendar")
    rows: dict[str | None, int] = {}

    def row_of(name: str | None, what: str) -> int:
        return rows.setdefault(resolve(name, what), len(rows))

    person_index: dict[str, int] = {}
    person_row = np.zeros(len(people), dtype=np.int64)
    for i, person in enumerate(people):
        if person_index.setdefault(person.id, i) != i:
            raise CapacityError(f"Duplicate person id {person.id!r}")
        person_row[i] = row_of(person.calendar, f"Person {person.id!r}")

    n = len(demands)
    demand_person = np.full(n, -1, dtype=np.int64)
    demand_row = np.zeros(n, dtype=np.int64)
    seen: set[str] = set()
    for k, demand in enumerate(demands):
        if demand.id in seen:
            raise CapacityError(f"Duplicate demand id {demand.id!r}")
        seen.add(demand.id)
        if demand.person is None:
            assert demand.role is not None  # Demand checks it
            demand_row[k] = row_of(role_calendars.get(demand.role), f"Role {demand.role!r}")
            continue
        who = person_index.get(demand.person)
        if who is None:
            raise CapacityError(f"Demand {demand.id!r} names an unknown person {demand.person!r}")
        demand_person[k] = who
        demand_row[k] = person_row[who]

    # Days: the horizon and every demand's whole span (to count its working days).
    bounds_dates = periods.bounds
    starts = np.fromiter((d.start.toordinal() for d in demands), np.int64, n)
    ends = np.fromiter((d.finish.toordinal() for d in demands), np.int64, n) + 1
    lo = min(bounds_dates[0].toordinal(), int(starts.min(initial=2**62)))
    hi = max(bounds_dates[-1].toordinal(), int(ends.max(initial=0)))
    table = [calendars[name] if name is not None else Calendar() for name in rows]
    horizon = _Horizon(table, lo, hi - lo)
    horizon.personal(
        person_row.tolist(),
        [{day: sum(b - a for a, b in ps) for day, ps in p.exceptions.items()} for p in people],
    )
    bounds = np.asarray([d.toordinal() - lo for d in bounds_dates], dtype=np.int64)
    starts -= lo
    ends -= lo

    # Supply: one piece per person and stretch of constant availability while employed.
    s_person: list[int] = []
    s_from: list[int] = []
    s_to: list[int] = []
    s_share: list[float] = []
    for i, person in enumerate(people):
        joined = person.employed_from.toordinal() - lo if person.employed_from else -(2**40)
        left = person.employed_to.toordinal() + 1 - lo if person.employed_to else 2**40
        steps = _availability(person)
        if steps[0][0] != _ALWAYS:
            steps.insert(0, (_ALWAYS, 1.0))
        for s, (day, share) in enumerate(steps):
            since = day.toordinal() - lo if day != _ALWAYS else -(2**40)
            until = steps[s + 1][0].toordinal() - lo if s + 1 < len(steps) else 2**40
            s_person.append(i)
            s_from.append(max(since, joined))
            s_to.append(min(until, left))
            s_share.append(share)
    sp = np.asarray(s_person, dtype=np.int64)
    item, period, cut_from, cut_to = _split(
        bounds, np.asarray(s_from, dtype=np.int64), np.asarray(s_to, dtype=np.int64)
    )
    minutes, _ = horizon.between(person_row[sp[item]], sp[item], cut_from, cut_to)
    hours = minutes * np.asarray(s_share, dtype=np.float64)[item] / 60.0
    count = periods.count
    person_supply = _cells(sp[item] * count + period, hours, len(people), count)

    # Demand: hours per working day of the whole span (per calendar day if it has none),
    # or units of each working day's hours; cut at the period bounds.
    is_units = np.fromiter((d.units is not None for d in demands), np.bool_, n)
    amount = np.fromiter(
        ((d.units if d.units is not None else d.hours or 0.0) * d.weight for d in demands),
        np.float64,
        n,
    )
    _, span_workdays = horizon.between(demand_row, demand_person, starts, ends)
    by_day = (span_workdays == 0) & ~is_units
    per_unit = np.where(
        is_units,
        amount / 60.0,
        amount / np.where(by_day, ends - starts, np.maximum(span_workdays, 1)),
    )
    item, period, cut_from, cut_to = _split(bounds, starts, ends)
    minutes, workdays = horizon.between(demand_row[item], demand_person[item], cut_from, cut_to)
    calendar_days = cut_to - cut_from
    basis = np.where(is_units[item], minutes, np.where(by_day[item], calendar_days, workdays))
    seg_hours = per_unit[item] * basis

    # Groups: every combination present among people and placeholders.
    def key(person: Person | None, demand: Demand | None) -> GroupKey:
        values = {
            "person": person.id if person else None,
            "role": person.role if person else demand.role if demand else None,
            "department": person.department if person else demand.department if demand else None,
        }
        return tuple(values[f] for f in group_by)

    person_keys = [key(p, None) for p in people]
    placeholder_keys = {k: key(None, d) for k, d in enumerate(demands) if d.person is None}
    groups = tuple(sorted(set(person_keys) | set(placeholder_keys.values()), key=_sort_key))
    group_index = {g: r for r, g in enumerate(groups)}
    person_group = np.fromiter((group_index[k] for k in person_keys), np.int64, len(people))
    demand_group = person_group[np.maximum(demand_person, 0)] if len(people) else demand_person
    demand_group = demand_group.copy()
    for k, g in placeholder_keys.items():
        demand_group[k] = group_index[g]
    seg_group = demand_group[item]

    supply = np.zeros((len(groups), count), dtype=np.float64)
    np.add.at(supply, person_group, person_supply)
    demand_hours = _cells(seg_group * count + period, seg_hours, len(groups), count)
    return CapacityResult(
        group_by=group_by,
        groups=groups,
        periods=periods,
        supply=supply,
        demand=demand_hours,
        threshold=float(threshold),
        _people=people,
        _person_group=person_group,
        _person_supply=person_supply,
        _demands=demands,
        _demand_person=demand_person,
        _segment_demand=item,
        _segment_group=seg_group,
        _segment_period=period,
        _segment_hours=seg_hours,
    )


def scenario(
    people: Iterable[Person],
    demands: Iterable[Demand],
    *,
    add_people: Iterable[Person] = (),
    delay: Mapping[str, int] | None = None,
    drop: Iterable[str] = (),
) -> tuple[tuple[Person, ...], tuple[Demand, ...]]:
    """A what-if copy of the inputs: hires added, projects delayed or dropped.

    Pure: the given people and demands are not changed (they are frozen); the result shares
    the unchanged objects and holds new ones for delayed demands.

    Parameters
    ----------
    people, demands : iterables of `Person` and `Demand`
        The base inputs.
    add_people : iterable of `Person`
        Hires (their ids must be new).
    delay : mapping of project to days
        Calendar days to move each project's demands by (negative: earlier). The hours of a
        delayed demand stay the same; they spread over the working days of the new span.
    drop : iterable of project
        Projects whose demands are removed (dropping wins over delaying).

    Returns
    -------
    people, demands : tuples
        Ready for `capacity_forecast`.

    Examples
    --------
    >>> people = [Person("ana", "Dev")]
    >>> demands = [Demand("d1", "ana", None, "P1", dt.date(2025, 1, 6), dt.date(2025, 1, 10), 8),
    ...            Demand("d2", "ana", None, "P2", dt.date(2025, 1, 6), dt.date(2025, 1, 10), 8)]
    >>> new_people, new_demands = scenario(people, demands, add_people=[Person("cy", "Dev")],
    ...                                    delay={"P1": 7}, drop={"P2"})
    >>> [p.id for p in new_people], [(d.id, d.start.isoformat()) for d in new_demands]
    (['ana', 'cy'], [('d1', '2025-01-13')])
    >>> scenario(people, demands, drop={"P9"})
    Traceback (most recent call last):
    ...
    pmo.engine.capacity.CapacityError: Unknown project(s) in the scenario: 'P9'
    """
    base_people = tuple(people)
    base_demands = tuple(demands)
    delay = dict(delay or {})
    dropped = set(drop)
    unknown = (set(delay) | dropped) - {d.project for d in base_demands}
    if unknown:
        raise CapacityError(
            "Unknown project(s) in the scenario: " + ", ".join(map(repr, sorted(unknown)))
        )
    for project, days in delay.items():
        if isinstance(days, bool) or not isinstance(days, int):
            raise CapacityError(f"Delay of {project!r} must be whole days, not {days!r}")
    hires = tuple(add_people)
    counts = Counter(p.id for p in base_people + hires)
    duplicated = sorted(i for i, c in counts.items() if c > 1)
    if duplicated:
        raise CapacityError("Duplicate person id(s): " + ", ".join(map(repr, duplicated)))
    out: list[Demand] = []
    for d in base_demands:
        if d.project in dropped:
            continue
        shift = delay.get(d.project, 0)
        if shift:
            step = dt.timedelta(days=shift)
            d = replace(d, start=d.start + step, finish=d.finish + step)
        out.append(d)
    return base_people + hires, tuple(out)
