"""Watermelon rules and cadence due dates: pure functions, no database."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from pmo.monitoring import cadence, watermelon
from pmo.monitoring.cadence import due_dates
from pmo.monitoring.watermelon import watermelon_flags

RED_INSIDE = {
    "spi": 0.75,
    "spi_t": 0.79,
    "cpi": 0.75,
    "milestones_slipped": 1,
    "overdue_high_risks": 2,
}
ALL_GREEN = dict.fromkeys(("schedule", "cost", "scope", "risk", "resources", "overall"), "green")


@pytest.mark.parametrize(
    ("rag", "indicators", "rules"),
    [
        (ALL_GREEN, RED_INSIDE, ["W1", "W2", "W3", "W4"]),
        # Honest reds and ambers are not watermelons.
        (
            {**ALL_GREEN, "schedule": "red", "cost": "red", "risk": "amber", "overall": "red"},
            RED_INSIDE,
            [],
        ),
        # Overall green covers every dimension, and clashes with a declared red.
        ({"overall": "green", "scope": "red"}, {"cpi": 0.8}, ["W2", "W5"]),
        # SPI(t) catches a late project whose SPI recovered near the end.
        ({"schedule": "green"}, {"spi": 0.98, "spi_t": 0.85}, ["W1"]),
        # At the threshold is not below it; unmeasurable indicators never fire.
        (ALL_GREEN, {"spi": 0.9, "cpi": 0.9}, []),
        (ALL_GREEN, {"spi": None, "cpi": None, "spi_t": None}, []),
    ],
)
def test_watermelon_rules(
    rag: dict[str, str], indicators: dict[str, object], rules: list[str]
) -> None:
    assert [f.rule for f in watermelon_flags(rag, indicators)] == rules


def test_a_flag_says_which_green_and_which_number() -> None:
    flags = watermelon_flags({"cost": "green", "overall": "amber"}, {"cpi": 0.75})
    assert [f.as_dict() for f in flags] == [
        {
            "rule": "W2",
            "dimension": "cost",
            "reason": "Declared cost green while CPI is 0.75 (below 0.90).",
        }
    ]


@pytest.mark.parametrize(
    ("frequency", "day", "start", "until", "expected"),
    [
        ("weekly", 0, dt.date(2026, 3, 2), dt.date(2026, 3, 16), [2, 9, 16]),
        ("fortnightly", 4, dt.date(2026, 3, 1), dt.date(2026, 3, 31), [6, 20]),
        ("monthly", 28, dt.date(2026, 3, 1), dt.date(2026, 3, 27), []),
        ("weekly", 4, dt.date(2026, 3, 31), dt.date(2026, 3, 1), []),
    ],
)
def test_due_dates(
    frequency: str, day: int, start: dt.date, until: dt.date, expected: list[int]
) -> None:
    assert [d.day for d in due_dates(frequency, day, start, until)] == expected


def test_monthly_due_dates_cross_the_year() -> None:
    got = due_dates("monthly", 1, dt.date(2026, 11, 15), dt.date(2027, 2, 1))
    assert got == [dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]


def test_examples_in_the_docstrings_run() -> None:
    for module in (cadence, watermelon):
        assert doctest.testmod(module).failed == 0
