"""When status reports fall due: the due dates a reporting cadence gives between two days."""

from __future__ import annotations

import datetime as dt

WEEKLY, FORTNIGHTLY, MONTHLY = "weekly", "fortnightly", "monthly"


def due_dates(frequency: str, day_due: int, starts_on: dt.date, until: dt.date) -> list[dt.date]:
    """Every due date from ``starts_on`` through ``until`` (both included).

    Weekly: each ``day_due`` weekday (0 = Monday); fortnightly: every other such weekday, the
    first one on or after ``starts_on``; monthly: day ``day_due`` (1–28) of each month.

    >>> due_dates("weekly", 4, dt.date(2026, 3, 1), dt.date(2026, 3, 14))
    [datetime.date(2026, 3, 6), datetime.date(2026, 3, 13)]
    >>> due_dates("monthly", 5, dt.date(2026, 1, 10), dt.date(2026, 3, 5))
    [datetime.date(2026, 2, 5), datetime.date(2026, 3, 5)]
    """
    if until < starts_on:
        return []
    if frequency == MONTHLY:
        out = []
        year, month = starts_on.year, starts_on.month
        while True:
            day = dt.date(year, month, day_due)
            if day > until:
                return out
            if day >= starts_on:
                out.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = 14 if frequency == FORTNIGHTLY else 7
    first = starts_on + dt.timedelta(days=(day_due - starts_on.weekday()) % 7)
    count = (until - first).days // step + 1 if first <= until else 0
    return [first + dt.timedelta(days=step * k) for k in range(count)]


def last_due(frequency: str, day_due: int, starts_on: dt.date, until: dt.date) -> dt.date | None:
    """The latest due date on or before ``until``."""
    lookback = max(starts_on, until - dt.timedelta(days=62))
    if frequency == FORTNIGHTLY:
        lookback = starts_on  # fortnights count from the start
    dates = due_dates(frequency, day_due, lookback, until)
    return dates[-1] if dates else None
