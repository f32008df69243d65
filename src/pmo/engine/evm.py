"""Earned value and earned schedule: planned value from a baseline, earned value from progress,
actual cost from cost records, and the indicators a PMO reads at each status date.

Definitions follow the PMI Practice Standard for Earned Value Management and, for earned
schedule, Lipke, "Schedule is Different" (The Measurable News, 2003); docs/engine/evm.md lists
every formula. Indicators that would divide by zero (no planned value yet, no actual cost yet)
are ``None``, never an error or an infinity.

Two levels of use:

* `indicators` and `earned_schedule` work on plain numbers (a cumulative PV curve per period,
  EV, AC), as textbooks state them;
* `analyse` works on a baseline of tasks with dates, actual cost records and status dates with
  percent complete, and returns the time-phased curves per period and the indicators per status
  date, earned schedule measured in days on the daily PV curve.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import EngineError

__all__ = [
    "PROFILES",
    "ActualCost",
    "BaselineTask",
    "EarnedSchedule",
    "EvmError",
    "EvmResult",
    "Indicators",
    "PeriodRow",
    "Status",
    "StatusReport",
    "analyse",
    "earned_schedule",
    "indicators",
    "planned_value",
    "rollup",
]

Profile = Literal["linear", "front", "back"]
#: How a task's planned cost is spread over its baseline dates.
PROFILES: tuple[Profile, ...] = ("linear", "front", "back")

FloatArray = npt.NDArray[np.float64]

#: Amounts closer than this count as equal (floating-point noise on money).
_EPS = 1e-9


class EvmError(EngineError, ValueError):
    """The baseline, the cost records or the status data are malformed or inconsistent."""


def _finite(value: object, what: str, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EvmError(f"{what} must be a finite number, not {value!r}")
    if minimum is not None and value < minimum:
        raise EvmError(f"{what} must be >= {minimum:g}, not {value!r}")
    return float(value)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if abs(denominator) <= _EPS else numerator / denominator


# --------------------------------------------------------------------------- on numbers


@dataclass(frozen=True, slots=True)
class Indicators:
    """Earned value indicators at one status date.

    ``eac_cpi`` = BAC / CPI; ``eac_cpi_spi`` = AC + (BAC − EV) / (CPI × SPI);
    ``eac_bottom_up`` = AC + the estimate to complete given by the team; ``etc`` = EAC − AC
    with the bottom-up EAC when there is one, else the EAC by CPI; ``vac`` = BAC − that same
    EAC; ``tcpi_bac`` = (BAC − EV) / (BAC − AC); ``tcpi_eac`` = (BAC − EV) / (EAC − AC), again
    with that EAC (by CPI it equals the CPI). ``None`` wherever a denominator is zero.
    """

    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac_cpi: float | None
    eac_cpi_spi: float | None
    eac_bottom_up: float | None
    etc: float | None
    vac: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None

    @property
    def eac(self) -> float | None:
        """The EAC the ETC, VAC and TCPI to EAC use: bottom-up if given, else by CPI."""
        return self.eac_bottom_up if self.eac_bottom_up is not None else self.eac_cpi


def indicators(
    bac: float, pv: float, ev: float, ac: float, *, etc: float | None = None
) -> Indicators:
    """The earned value indicators from BAC, PV, EV and AC (cumulative, at one status date).

    Parameters
    ----------
    etc : float, optional
        The team's own estimate to complete, for the bottom-up EAC.

    Examples
    --------
    >>> i = indicators(100_000, pv=40_000, ev=35_000, ac=36_000)
    >>> i.sv, i.cv, i.spi, round(i.cpi, 7)
    (-5000.0, -1000.0, 0.875, 0.9722222)
    >>> indicators(1000, pv=0, ev=0, ac=0).spi is None
    True
    """
    bac = _finite(bac, "BAC")
    pv = _finite(pv, "PV")
    ev = _finite(ev, "EV")
    ac = _finite(ac, "AC")
    spi = _ratio(ev, pv)
    cpi = _ratio(ev, ac)
    eac_cpi = None if not cpi else bac / cpi
    eac_cpi_spi = None if not cpi or not spi else ac + (bac - ev) / (cpi * spi)
    eac_bottom_up = None if etc is None else ac + _finite(etc, "ETC")
    eac = eac_bottom_up if eac_bottom_up is not None else eac_cpi
    return Indicators(
        bac=bac,
        pv=pv,
        ev=ev,
        ac=ac,
        sv=ev - pv,
        cv=ev - ac,
        spi=spi,
        cpi=cpi,
        eac_cpi=eac_cpi,
        eac_cpi_spi=eac_cpi_spi,
        eac_bottom_up=eac_bottom_up,
        etc=None if eac is None else eac - ac,
        vac=None if eac is None else bac - eac,
        tcpi_bac=_ratio(bac - ev, bac - ac),
        tcpi_eac=None if eac is None else _ratio(bac - ev, eac - ac),
    )


def rollup(parts: Iterable[Indicators]) -> Indicators:
    """Indicators of a program or portfolio: BAC, PV, EV and AC summed over its projects (at
    the same status date), and the ratios recomputed from the sums, never averaged. The
    bottom-up EAC is summed only when every project has one.

    Examples
    --------
    >>> a = indicators(100, pv=50, ev=40, ac=50)
    >>> b = indicators(300, pv=100, ev=120, ac=100)
    >>> r = rollup([a, b])
    >>> r.bac, r.ev, r.spi, r.cpi
    (400.0, 160.0, 1.0666666666666667, 1.0666666666666667)
    """
    items = list(parts)
    etcs = [p.eac_bottom_up - p.ac for p in items if p.eac_bottom_up is not None]
    return indicators(
        sum(p.bac for p in items),
        sum(p.pv for p in items),
        sum(p.ev for p in items),
        sum(p.ac for p in items),
        etc=sum(etcs) if items and len(etcs) == len(items) else None,
    )


@dataclass(frozen=True, slots=True)
class EarnedSchedule:
    """Earned schedule at one status date, in the periods of the PV curve.

    ``es``: the time at which the current EV was planned to be earned; ``at``: actual time;
    ``pd``: planned duration; ``spi_t`` = ES / AT; ``sv_t`` = ES − AT; ``ieac_t`` = PD / SPI(t),
    the forecast duration counted from the start (``None`` while SPI(t) is undefined or 0).
    """

    es: float
    at: float
    pd: float
    spi_t: float | None
    sv_t: float
    ieac_t: float | None


def earned_schedule(
    pv_cumulative: Sequence[float], ev: float, at: float, *, pd: float | None = None
) -> EarnedSchedule:
    """Lipke's earned schedule: ES = C + (EV − PV_C) / (PV_C+1 − PV_C), where C is the
    number of whole periods whose cumulative PV the EV has reached.

    Parameters
    ----------
    pv_cumulative : sequence of float
        Cumulative PV at the end of periods 1..n (0 at the start is implied); non-decreasing.
    ev : float
        Cumulative EV at the status date.
    at : float
        Actual time: periods elapsed from the start to the status date.
    pd : float, optional
        Planned duration; by default the first period at which PV reaches its final value.

    Examples
    --------
    >>> es = earned_schedule([10, 30, 60, 80, 100], ev=45, at=4)
    >>> es.es, es.spi_t, es.sv_t, es.ieac_t
    (2.5, 0.625, -1.5, 8.0)
    """
    values = [0.0]
    for k, v in enumerate(pv_cumulative):
        v = _finite(v, f"pv_cumulative[{k}]")
        if v < values[-1] - _EPS:
            raise EvmError(f"pv_cumulative must not decrease (period {k + 1}: {v:g})")
        values.append(max(v, values[-1]))
    if len(values) < 2:
        raise EvmError("pv_cumulative needs at least one period")
    ev = _finite(ev, "EV")
    at = _finite(at, "AT")
    n = len(values) - 1
    if pd is None:
        pd = float(next(k for k, v in enumerate(values) if v >= values[-1] - _EPS))
    else:
        pd = _finite(pd, "PD")
    c = bisect.bisect_right(values, ev + _EPS) - 1
    if c >= n:
        es = float(n)
    else:
        es = c + (ev - values[c]) / (values[c + 1] - values[c])
        es = max(float(c), es)
    es = min(es, pd) if ev >= values[-1] - _EPS else es
    spi_t = _ratio(es, at)
    return EarnedSchedule(
        es=es,
        at=at,
        pd=pd,
        spi_t=spi_t,
        sv_t=es - at,
        ieac_t=None if not spi_t else pd / spi_t,
    )


# --------------------------------------------------------------------------- on a baseline


@dataclass(frozen=True, slots=True)
class BaselineTask:
    """A task of the baseline: its planned cost (budget) spread over its baseline dates.

    ``finish`` is the last working day (inclusive); a milestone has ``finish == start``.
    ``profile`` spreads the budget linearly, front-loaded (density falling linearly to zero)
    or back-loaded (rising from zero).
    """

    id: str
    budget: float
    start: dt.date
    finish: dt.date
    profile: Profile = "linear"

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise EvmError(f"task id must be a non-empty string, not {self.id!r}")
        object.__setattr__(self, "budget", _finite(self.budget, f"task {self.id!r} budget"))
        if not isinstance(self.start, dt.date) or not isinstance(self.finish, dt.date):
            raise EvmError(f"task {self.id!r} start and finish must be dates")
        if self.finish < self.start:
            raise EvmError(
                f"task {self.id!r} finishes ({self.finish}) before it starts ({self.start})"
            )
        if self.profile not in PROFILES:
            raise EvmError(
                f"task {self.id!r} profile must be one of {', '.join(PROFILES)}, "
                f"not {self.profile!r}"
            )


@dataclass(frozen=True, slots=True)
class ActualCost:
    """Money spent on ``date`` (on a task, or on the project when ``task`` is None)."""

    date: dt.date
    amount: float
    task: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "amount", _finite(self.amount, f"actual cost on {self.date}", minimum=None)
        )


@dataclass(frozen=True, slots=True)
class Status:
    """Progress at a status date: the fraction complete (0 to 1) per task id, and optionally
    the team's estimate to complete for a bottom-up EAC. Tasks not listed are at 0."""

    date: dt.date
    complete: Mapping[str, float]
    etc: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.date, dt.date):
            raise EvmError(f"status date must be a date, not {self.date!r}")
        complete = {}
        for task, fraction in self.complete.items():
            value = _finite(fraction, f"status {self.date}: task {task!r} complete")
            if value > 1:
                raise EvmError(
                    f"status {self.date}: task {task!r} complete must be between 0 and 1, "
                    f"not {fraction!r}"
                )
            complete[task] = value
        object.__setattr__(self, "complete", complete)
        if self.etc is not None:
            object.__setattr__(self, "etc", _finite(self.etc, f"status {self.date}: ETC"))


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One reporting period [start, end) of the time-phased curves.

    ``pv`` and ``ac`` are the amounts within the period, ``*_cumulative`` at its end.
    ``ev_cumulative`` is the EV of the last status date within or before the period (None
    before the first status and after the last one).
    """

    start: dt.date
    end: dt.date
    pv: float
    ac: float
    pv_cumulative: float
    ac_cumulative: float
    ev_cumulative: float | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Indicators at one status date; earned schedule in days from the baseline start."""

    date: dt.date
    indicators: Indicators
    schedule: EarnedSchedule
    forecast_finish: dt.date | None


@dataclass(frozen=True, slots=True)
class EvmResult:
    """Earned value of a project: BAC, baseline dates, time-phased curves and status reports."""

    bac: float
    start: dt.date
    finish: dt.date
    periods: tuple[PeriodRow, ...]
    statuses: tuple[StatusReport, ...] = field(default=())


def _cumulative_share(u: FloatArray, profiles: npt.NDArray[np.int64]) -> FloatArray:
    """Share of a budget planned by elapsed fraction ``u`` (0..1) for each profile code."""
    linear = u
    front = 2 * u - u * u
    back = u * u
    shares: FloatArray = np.select([profiles == 0, profiles == 1], [linear, front], back)
    return shares


class _Baseline:
    """The baseline's tasks as arrays, for PV at many dates at once."""

    def __init__(self, tasks: Sequence[BaselineTask]) -> None:
        if not tasks:
            raise EvmError("the baseline has no tasks")
        ids: set[str] = set()
        for t in tasks:
            if not isinstance(t, BaselineTask):
                raise EvmError("tasks must be BaselineTask objects")
            if t.id in ids:
                raise EvmError(f"task {t.id!r} appears twice in the baseline")
            ids.add(t.id)
        self.ids = ids
        self.budget = np.array([t.budget for t in tasks], dtype=float)
        self.first = np.array([t.start.toordinal() for t in tasks], dtype=np.int64)
        self.days = np.array([(t.finish - t.start).days + 1 for t in tasks], dtype=np.int64)
        self.profiles = np.array([PROFILES.index(t.profile) for t in tasks], dtype=np.int64)
        self.start = min(t.start for t in tasks)
        self.finish = max(t.finish for t in tasks)

    def pv_through(self, days: Iterable[int]) -> FloatArray:
        """Cumulative PV through the end of each ordinal day."""
        day = np.asarray(list(days), dtype=np.int64)[:, None]
        u = np.clip((day + 1 - self.first[None, :]) / self.days[None, :], 0.0, 1.0)
        shares = _cumulative_share(u, np.broadcast_to(self.profiles, u.shape))
        total: FloatArray = shares @ self.budget
        return total


def planned_value(tasks: Sequence[BaselineTask], through: dt.date) -> float:
    """Cumulative planned value through the end of day ``through``.

    Examples
    --------
    >>> monday = dt.date(2026, 3, 2)
    >>> task = BaselineTask("Build", 100, monday, monday + dt.timedelta(days=3))
    >>> planned_value([task], monday + dt.timedelta(days=1))
    50.0
    """
    return float(_Baseline(tasks).pv_through([through.toordinal()])[0])


def analyse(
    tasks: Sequence[BaselineTask],
    costs: Sequence[ActualCost] = (),
    statuses: Sequence[Status] = (),
    bounds: Sequence[dt.date] | None = None,
) -> EvmResult:
    """Time-phased PV, EV and AC per period and the indicators at each status date.

    Parameters
    ----------
    tasks : sequence of BaselineTask
        The current baseline.
    costs : sequence of ActualCost
        Actual cost records; a record counts from the end of its day.
    statuses : sequence of Status
        Progress at each status date (any order; one per date).
    bounds : sequence of date, optional
        Period boundaries (increasing; n + 1 dates for n periods, the last exclusive). By
        default one period per calendar month from the baseline start's month to the month of
        the later of the baseline finish and the last status date.

    Earned schedule is measured in days on the daily PV curve: AT counts the days from the
    baseline start through the status date, PD the days of the baseline; the forecast finish
    is the baseline start plus IEAC(t) days (rounded up), the last day of work.

    Examples
    --------
    >>> monday = dt.date(2026, 3, 2)
    >>> tasks = [BaselineTask("Build", 100, monday, monday + dt.timedelta(days=3))]
    >>> status = Status(monday + dt.timedelta(days=1), {"Build": 0.6})
    >>> result = analyse(tasks, [ActualCost(monday, 60)], [status])
    >>> report = result.statuses[0]
    >>> report.indicators.pv, report.indicators.ev, report.indicators.spi
    (50.0, 60.0, 1.2)
    >>> report.schedule.es, report.schedule.at, report.forecast_finish
    (2.4, 2.0, datetime.date(2026, 3, 5))
    """
    baseline = _Baseline(tasks)
    for cost in costs:
        if cost.task is not None and cost.task not in baseline.ids:
            raise EvmError(
                f"actual cost on {cost.date} names task {cost.task!r}, not in the baseline"
            )
    ordered = sorted(statuses, key=lambda s: s.date)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.date == b.date:
            raise EvmError(f"two statuses on {a.date}")
    for s in ordered:
        for task in s.complete:
            if task not in baseline.ids:
                raise EvmError(f"status {s.date} names task {task!r}, not in the baseline")
    if bounds is None:
        last = max([baseline.finish, *(s.date for s in ordered), *(c.date for c in costs)])
        bounds = _months(baseline.start, last)
    bounds = list(bounds)
    if len(bounds) < 2 or any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
        raise EvmError("period bounds must be at least two increasing dates")

    bac = float(baseline.budget.sum())
    budget_of = dict(zip((t.id for t in tasks), baseline.budget.tolist(), strict=True))
    cost_days = np.array([c.date.toordinal() for c in costs], dtype=np.int64)
    cost_amounts = np.array([c.amount for c in costs], dtype=float)
    order = np.argsort(cost_days, kind="stable")
    cost_days, cost_amounts = cost_days[order], cost_amounts[order]
    cost_cum = np.concatenate(([0.0], np.cumsum(cost_amounts)))

    def ac_through(day: int) -> float:
        return float(cost_cum[np.searchsorted(cost_days, day, side="right")])

    # Time-phased curves: values through the last day of each period.
    ends = [b.toordinal() - 1 for b in bounds[1:]]
    pv_cum = baseline.pv_through([bounds[0].toordinal() - 1, *ends])
    ac_cum = [ac_through(bounds[0].toordinal() - 1)] + [ac_through(d) for d in ends]
    ev_by_date = [
        (s.date.toordinal(), sum(budget_of[t] * f for t, f in s.complete.items())) for s in ordered
    ]
    status_days = [d for d, _ in ev_by_date]
    rows = []
    for k in range(len(bounds) - 1):
        ev_cum: float | None = None
        at = bisect.bisect_right(status_days, ends[k]) - 1
        if at >= 0 and (k == 0 or status_days[-1] >= bounds[k].toordinal()):
            ev_cum = float(ev_by_date[at][1])
        rows.append(
            PeriodRow(
                start=bounds[k],
                end=bounds[k + 1],
                pv=float(pv_cum[k + 1] - pv_cum[k]),
                ac=ac_cum[k + 1] - ac_cum[k],
                pv_cumulative=float(pv_cum[k + 1]),
                ac_cumulative=ac_cum[k + 1],
                ev_cumulative=ev_cum,
            )
        )

    # Earned schedule on the daily PV curve of the baseline.
    origin = baseline.start.toordinal()
    pd_days = (baseline.finish - baseline.start).days + 1
    daily = baseline.pv_through(range(origin, origin + pd_days)).tolist()
    reports = []
    for s, (day, ev) in zip(ordered, ev_by_date, strict=True):
        pv = float(baseline.pv_through([day])[0])
        ind = indicators(bac, pv, ev, ac_through(day), etc=s.etc)
        at_days = max(day - origin + 1, 0)
        schedule = earned_schedule(daily, ev, at_days, pd=pd_days)
        finish = None
        if schedule.ieac_t is not None:
            finish = baseline.start + dt.timedelta(days=math.ceil(schedule.ieac_t - 1e-9) - 1)
        reports.append(StatusReport(s.date, ind, schedule, finish))
    return EvmResult(
        bac=bac,
        start=baseline.start,
        finish=baseline.finish,
        periods=tuple(rows),
        statuses=tuple(reports),
    )


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first``'s month to the month after ``last``."""
    bounds = [first.replace(day=1)]
    while bounds[-1] <= last:
        b = bounds[-1]
        bounds.append(dt.date(b.year + b.month // 12, b.month % 12 + 1, 1))
    return bounds
