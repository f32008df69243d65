"""Working calendars: conversion both ways, exceptions, units."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo.engine.calendar import STANDARD_WEEK, Calendar
from pmo.engine.errors import CalendarError

MONDAY = dt.datetime(2025, 1, 6, 8, 0)


def test_hour_units_skip_lunch_nights_and_weekends() -> None:
    cal = Calendar(unit=60)
    got = cal.to_datetime([0, 4, 8, 40], MONDAY).tolist()
    assert got == [
        dt.datetime(2025, 1, 6, 8),
        dt.datetime(2025, 1, 6, 13),
        dt.datetime(2025, 1, 7, 8),
        dt.datetime(2025, 1, 13, 8),
    ]
    assert cal.to_datetime([4, 8], MONDAY, edge="finish").tolist() == [
        dt.datetime(2025, 1, 6, 12),
        dt.datetime(2025, 1, 6, 17),
    ]


def test_short_day_and_holiday_exceptions() -> None:
    cal = Calendar(
        unit=60,
        exceptions={dt.date(2025, 1, 7): ((480, 600),), dt.date(2025, 1, 8): ()},
    )
    assert cal.minutes_on(dt.date(2025, 1, 7)) == 120
    assert cal.to_datetime([10, 11], MONDAY).tolist() == [
        dt.datetime(2025, 1, 9, 8),
        dt.datetime(2025, 1, 9, 9),
    ]


def test_aware_origin_keeps_its_zone() -> None:
    origin = MONDAY.replace(tzinfo=ZoneInfo("Europe/Paris"))
    stamp = Calendar(unit=60).to_datetime([9], origin)[0]
    assert stamp == dt.datetime(2025, 1, 7, 9, tzinfo=ZoneInfo("Europe/Paris"))


def test_malformed_calendars_are_refused() -> None:
    with pytest.raises(CalendarError, match="no working time"):
        Calendar(week=[()] * 7)
    with pytest.raises(CalendarError, match="increasing, disjoint"):
        Calendar(week=[((600, 500),)] + [()] * 6)


week_days = st.lists(
    st.sampled_from([(), ((480, 720), (780, 1020)), ((0, 1440),), ((600, 660),)]),
    min_size=7,
    max_size=7,
).filter(any)


@settings(max_examples=60, deadline=None)
@given(
    week=week_days,
    holidays=st.sets(st.integers(0, 60), max_size=10),
    unit=st.sampled_from([1, 15, 60]),
    offsets=st.lists(st.integers(-300, 3000), min_size=1, max_size=30),
)
def test_offsets_round_trip_through_datetimes(
    week: list[tuple[tuple[int, int], ...]], holidays: set[int], unit: int, offsets: list[int]
) -> None:
    cal = Calendar(
        week=week,
        exceptions={MONDAY.date() + dt.timedelta(days=d): () for d in holidays if d},
        unit=unit,
    )
    origin = MONDAY.replace(hour=0)
    stamps = cal.to_datetime(offsets, origin)
    back = cal.to_offset(stamps.tolist(), origin)
    assert back.tolist() == offsets
    assert np.all(np.diff(np.asarray(sorted(offsets))) >= 0)
    finishes = cal.to_datetime(offsets, origin, edge="finish")
    assert cal.to_offset(finishes.tolist(), origin).tolist() == offsets


def test_standard_week_is_forty_hours() -> None:
    assert sum(b - a for day in STANDARD_WEEK for a, b in day) == 40 * 60
