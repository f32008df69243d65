"""Scheduling with per-activity calendars: the reference, `schedule`, and MS Project cases."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_calendar_schedule
from strategies import (
    FIVE_BY_EIGHT,
    FOUR_BY_TEN,
    ROUND_THE_CLOCK,
    calendar_networks,
    calendars,
    networks,
    origins,
)

from pmo.engine.calendar import Calendar
from pmo.engine.calendar_cpm import CalendarScheduleResult, schedule_calendars
from pmo.engine.cpm import schedule
from pmo.engine.errors import CalendarError, CycleError
from pmo.engine.network import Activity, Constraint, ConstraintType, Link, LinkType, Network

DATES = ("early_start", "early_finish", "late_start", "late_finish")
FRIDAY = dt.datetime(2025, 1, 10, 8, 0)
CALS = {c.name: c for c in (FIVE_BY_EIGHT, FOUR_BY_TEN, ROUND_THE_CLOCK)}


def _stamp(origin: dt.datetime, minutes: int) -> np.datetime64:
    return np.datetime64(origin, "m") + np.timedelta64(minutes, "m")


def _column(result: CalendarScheduleResult, values: object) -> dict[str, object]:
    return dict(zip(result.ids, np.asarray(values).tolist(), strict=True))


@settings(max_examples=250, deadline=None)
@given(calendar_networks())
def test_calendar_schedule_matches_the_reference(
    case: tuple[Network, dict[str, Calendar], Calendar, dt.datetime],
) -> None:
    net, named, project, origin = case
    got = schedule_calendars(net, named, project, origin)
    want = reference_calendar_schedule(net, named, project, origin)
    assert got.start == origin + dt.timedelta(minutes=want.start)
    assert got.finish == origin + dt.timedelta(minutes=want.finish)
    for column in DATES:
        assert _column(got, got.offsets[column]) == getattr(want, column), column
        assert _column(got, getattr(got, column)) == {
            a: _stamp(origin, t).astype(dt.datetime) for a, t in want.moments[column].items()
        }, column
    assert _column(got, got.total_float) == want.total_float
    assert _column(got, got.free_float) == want.free_float
    assert got.critical.tolist() == [want.total_float[a] <= 0 for a in got.ids]


@settings(max_examples=200, deadline=None)
@given(networks(), st.sampled_from([1, 60, 480]), st.data())
def test_without_activity_calendars_it_is_schedule_through_the_project_calendar(
    net: Network, unit: int, data: st.DataObject
) -> None:
    project = data.draw(calendars(unit=unit))
    origin = data.draw(origins())
    got = schedule_calendars(net, {}, project, origin)
    want = schedule(net)
    for column in DATES:
        edge = "start" if column.endswith("start") else "finish"
        assert got.offsets[column].tolist() == (getattr(want, column) * unit).tolist()
        stamps = project.to_datetime(getattr(want, column), origin, edge=edge)  # type: ignore[arg-type]
        assert getattr(got, column).astype(dt.datetime).tolist() == stamps.tolist(), column
    assert got.total_float.tolist() == (want.total_float * unit).tolist()
    assert got.free_float.tolist() == (want.free_float * unit).tolist()
    assert got.critical.tolist() == want.critical.tolist()
    assert got.critical_path == want.critical_path
    assert (got.start_offset, got.finish_offset) == (want.start * unit, want.finish * unit)


@settings(max_examples=100, deadline=None)
@given(calendar_networks())
def test_unconstrained_floats_are_non_negative(
    case: tuple[Network, dict[str, Calendar], Calendar, dt.datetime],
) -> None:
    net, named, project, origin = case
    bare = Network(
        [Activity(a.id, a.duration, calendar=a.calendar) for a in net.activities], net.links
    )
    result = schedule_calendars(bare, named, project, origin)
    assert (result.total_float >= 0).all()
    assert (result.free_float >= 0).all()
    assert (result.early_start <= result.late_start).all()


def test_a_round_the_clock_task_works_through_the_weekend() -> None:
    net = Network(
        [Activity("A", 8), Activity("B", 24, calendar="24x7"), Activity("C", 8)],
        [Link("A", "B"), Link("B", "C")],
    )
    result = schedule_calendars(net, CALS, FIVE_BY_EIGHT, FRIDAY)
    rows = {r["id"]: r for r in result.records()}
    assert rows["A"]["early_finish"] == dt.datetime(2025, 1, 10, 17)
    assert rows["B"]["early_start"] == dt.datetime(2025, 1, 10, 17)  # no wait for Monday
    assert rows["B"]["early_finish"] == dt.datetime(2025, 1, 11, 17)
    assert rows["C"]["early_start"] == dt.datetime(2025, 1, 13, 8)  # next working moment
    assert rows["C"]["early_finish"] == dt.datetime(2025, 1, 13, 17)
    assert result.critical_path == ("A", "B", "C")
    # B may finish as late as Monday 08:00: 39 hours of its round-the-clock calendar.
    assert result.total_float.tolist() == [0, 39 * 60, 0]
    assert result.activity("B")["late_finish"] == dt.datetime(2025, 1, 13, 8)


def test_a_standard_task_after_a_four_day_week_task_and_floats_in_own_calendar() -> None:
    # 4x10 works Mon-Thu 07-12, 13-18: 20 hours from Monday 07:00 end Tuesday 18:00.
    net = Network(
        [
            Activity("long", 40),
            Activity("crew", 20, calendar="4x10"),
            Activity("end", 0),
        ],
        [Link("long", "end"), Link("crew", "end")],
    )
    monday = dt.datetime(2025, 1, 6, 7)
    result = schedule_calendars(net, CALS, FIVE_BY_EIGHT, monday)
    row = result.activity("crew")
    assert row["early_start"] == dt.datetime(2025, 1, 6, 8)  # the project starts at 08:00
    # 9 hours on Monday, 10 on Tuesday, the last one Wednesday 07:00-08:00.
    assert row["early_finish"] == dt.datetime(2025, 1, 8, 8)
    # Project finishes Friday 17:00; crew's latest finish is Thursday 18:00 (its last
    # working moment before); its float counts its own working hours Tuesday..Thursday.
    assert row["late_finish"] == dt.datetime(2025, 1, 9, 18)
    # Wednesday 08:00-18:00 less the lunch hour, and Thursday: 9 + 10 hours of 4x10.
    assert row["total_float"] == 19 * 60


def test_lags_count_in_the_project_calendar() -> None:
    net = Network(
        [Activity("A", 1, calendar="24x7"), Activity("B", 1, calendar="24x7")],
        [Link("A", "B", lag=2)],
    )
    # A runs Friday 16:00-17:00; two hours of the standard week later is Monday 10:00.
    friday = dt.datetime(2025, 1, 10, 16)
    result = schedule_calendars(net, CALS, FIVE_BY_EIGHT, friday)
    assert result.activity("B")["early_start"] == dt.datetime(2025, 1, 13, 10)


def test_constraints_are_moments_read_in_the_activity_calendar() -> None:
    # SNET offset 8 on the standard week = Monday 08:00 (start edge of Friday 17:00).
    net = Network(
        [
            Activity("A", 2, calendar="24x7", constraint=Constraint(ConstraintType.SNET, 8)),
            Activity("B", 2, calendar="24x7", constraint=Constraint(ConstraintType.FNLT, 8)),
        ]
    )
    result = schedule_calendars(net, CALS, FIVE_BY_EIGHT, FRIDAY)
    assert result.activity("A")["early_start"] == dt.datetime(2025, 1, 13, 8)
    # FNLT offset 8 = Friday 17:00 (finish edge): B must finish by then.
    assert result.activity("B")["late_finish"] == dt.datetime(2025, 1, 10, 17)


def test_summaries_roll_up_and_aware_origins_keep_their_zone() -> None:
    zone = ZoneInfo("Europe/Paris")
    net = Network(
        [
            Activity("S", 0),
            Activity("A", 8, parent="S", calendar="24x7"),
            Activity("B", 8, parent="S"),
        ],
        [Link("A", "B")],
    )
    result = schedule_calendars(net, CALS, FIVE_BY_EIGHT, FRIDAY.replace(tzinfo=zone))
    row = result.activity("S")
    assert row["early_start"] == dt.datetime(2025, 1, 10, 8, tzinfo=zone)
    assert row["early_finish"] == dt.datetime(2025, 1, 13, 16, tzinfo=zone)
    assert result.finish == dt.datetime(2025, 1, 13, 16, tzinfo=zone)
    assert result.to_dict()["activities"][0]["early_start"] == "2025-01-10T08:00:00+01:00"


def test_errors() -> None:
    with pytest.raises(CalendarError, match="names calendar 'x'"):
        schedule_calendars(Network([Activity("A", 1, calendar="x")]), {}, FIVE_BY_EIGHT, FRIDAY)
    cyclic = Network([Activity("A", 1), Activity("B", 1)], [Link("A", "B"), Link("B", "A")])
    with pytest.raises(CycleError):
        schedule_calendars(cyclic, {}, FIVE_BY_EIGHT, FRIDAY)


def test_a_long_project_grows_the_horizon() -> None:
    # One hour a week: the first guess of the horizon is far too short.
    sparse = Calendar(week=[((480, 540),)] + [()] * 6, name="sparse")
    net = Network(
        [Activity("A", 2), Activity("B", 100, calendar="sparse")], [Link("A", "B", LinkType.SS)]
    )
    result = schedule_calendars(net, {"sparse": sparse}, FIVE_BY_EIGHT, FRIDAY)
    assert result.activity("B")["early_finish"] == dt.datetime(2025, 1, 13, 9) + dt.timedelta(
        weeks=99
    )
