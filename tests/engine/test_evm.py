"""Earned value and earned schedule: published examples, zero guards, the baseline spread over
dates and periods, and properties of earned schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo.engine.evm import (
    ActualCost,
    BaselineTask,
    EvmError,
    Status,
    analyse,
    earned_schedule,
    indicators,
    planned_value,
    rollup,
)

MONDAY = dt.date(2026, 3, 2)
DAY = dt.timedelta(days=1)


# --------------------------------------------------------------------------- published examples


def test_pra_toy_project_pv_ev_ac_spi_cpi() -> None:
    """PRA (Project Risk Analysis) R package, P. Govan, reference pages `pv`, `ev`, `ac`,
    `spi` and `cpi` (version 0.3.0, paulgovan.github.io/PRA/reference/): BAC 100,000 with a
    cumulative schedule of 10 %, 20 %, 40 %, 70 %, 100 % per period; at period 3 the project is
    35 % complete with cumulative actual costs 9,000, 18,000, 36,000. Published: SPI 0.875,
    CPI 0.9722222."""
    bac = 100_000
    pv = 0.4 * bac  # pv(bac, schedule, 3)
    ev = 0.35 * bac  # ev(bac, 0.35)
    ac = 36_000  # ac(actual_costs, 3)
    result = indicators(bac, pv, ev, ac)
    assert result.spi == pytest.approx(0.875)
    assert round(result.cpi, 7) == 0.9722222
    assert result.sv == -5_000 and result.cv == -1_000


def test_pra_eac_typical_and_combined_and_tcpi() -> None:
    """PRA R package, reference pages `eac` and `tcpi` (version 0.3.0): BAC 100,000, EV 35,000,
    AC 63,000. Published: EAC (typical, CPI 0.83) 120,481.9; EAC (atypical) AC + BAC − EV =
    128,000; TCPI to meet BAC 1.76; TCPI to meet EAC 120,482: 1.13."""
    # EAC by CPI with CPI = 0.83 exactly: EV / AC = 0.83.
    typical = indicators(100_000, pv=40_000, ev=35_000, ac=35_000 / 0.83)
    assert round(typical.eac_cpi, 1) == 120_481.9
    # TCPI to BAC, and to a bottom-up EAC of 120,482 (ETC = EAC − AC).
    result = indicators(100_000, pv=40_000, ev=35_000, ac=63_000, etc=120_482 - 63_000)
    assert round(result.tcpi_bac, 2) == 1.76
    assert round(result.tcpi_eac, 2) == 1.13
    assert result.eac_bottom_up == 120_482 and result.etc == 57_482
    assert result.vac == 100_000 - 120_482
    # The "atypical" EAC is the bottom-up one with ETC = BAC − EV.
    atypical = indicators(100_000, pv=40_000, ev=35_000, ac=63_000, etc=100_000 - 35_000)
    assert atypical.eac_bottom_up == 128_000
    # EAC by CPI × SPI, from the same figures (SPI 0.875 as in the `eac` page).
    combined = indicators(100_000, pv=40_000, ev=35_000, ac=63_000)
    assert combined.spi == 0.875
    assert combined.eac_cpi_spi == pytest.approx(63_000 + 65_000 / ((35 / 63) * 0.875))


def test_microsoft_project_spi_field_example_on_a_baseline() -> None:
    """Microsoft Support, "SPI fields" (Microsoft Project), Example: a four-day task with a
    budget of $100; after two days BCWS is $50; after two days of actual work 60 percent is
    complete at a cost of $60, so BCWP is $60 and SPI = BCWP / BCWS = 1.2 (and CPI 1.0)."""
    task = BaselineTask("Task", 100, MONDAY, MONDAY + 3 * DAY)
    status = Status(MONDAY + DAY, {"Task": 0.6})
    report = analyse([task], [ActualCost(MONDAY + DAY, 60, "Task")], [status]).statuses[0]
    assert report.indicators.pv == 50 and report.indicators.ev == 60
    assert report.indicators.spi == pytest.approx(1.2)
    assert report.indicators.cpi == pytest.approx(1.0)


def test_lipke_earned_schedule_figure_structure() -> None:
    """W. Lipke, "Schedule is Different", The Measurable News, March 2003, and its summary
    figure "Earned Schedule Concept" (earnedschedule.com): all PV through May has been earned
    and part of June, at the end of July, so ES = 5 + (EV − PV(May)) / (PV(June) − PV(May))
    and AT = 7. The figure gives no amounts; this monthly PV curve is ours, the relations are
    the figure's: SPI(t) = ES / AT, SV(t) = ES − AT, IEAC(t) = PD / SPI(t)."""
    pv = [10, 25, 45, 70, 100, 140, 180, 215, 240, 250]  # Jan … Oct, cumulative
    ev = 120  # between PV(May) = 100 and PV(June) = 140
    es = earned_schedule(pv, ev, at=7)
    assert es.es == pytest.approx(5 + (120 - 100) / (140 - 100))  # 5.5 months
    assert es.spi_t == pytest.approx(5.5 / 7)
    assert es.sv_t == pytest.approx(-1.5)
    assert es.pd == 10
    assert es.ieac_t == pytest.approx(10 / (5.5 / 7))  # 12.7 months


# --------------------------------------------------------------------------- zeros and edges


def test_no_planned_value_and_no_actual_cost_give_none_not_a_division_by_zero() -> None:
    result = indicators(1000, pv=0, ev=0, ac=0)
    assert result.spi is None and result.cpi is None
    assert result.eac_cpi is None and result.eac_cpi_spi is None
    assert result.etc is None and result.vac is None and result.tcpi_eac is None
    assert result.tcpi_bac == 1.0  # all of the work, all of the money left
    # Work earned but no cost booked yet: no CPI, hence no EAC by CPI.
    assert indicators(1000, pv=100, ev=100, ac=0).eac_cpi is None
    # Spent the whole budget: no TCPI to BAC.
    assert indicators(1000, pv=500, ev=400, ac=1000).tcpi_bac is None
    # Nothing earned yet: CPI is 0, and an EAC by CPI does not exist.
    zero = indicators(1000, pv=100, ev=0, ac=50)
    assert zero.cpi == 0 and zero.eac_cpi is None and zero.spi == 0
    schedule = earned_schedule([100, 200], ev=0, at=0)
    assert schedule.es == 0 and schedule.spi_t is None and schedule.ieac_t is None


def test_earned_schedule_at_completion_and_on_plateaus() -> None:
    # A late project that is finally complete: ES = PD, SPI(t) < 1 although SPI = 1.
    late = earned_schedule([25, 50, 75, 100], ev=100, at=6)
    assert late.es == 4 and late.spi_t == pytest.approx(4 / 6) and late.sv_t == -2
    # PV flat in period 3 (a holiday month): EV that reached it counts the plateau as earned.
    flat = earned_schedule([40, 80, 80, 120], ev=80, at=2)
    assert flat.es == 3
    # PD is where PV reaches BAC even if the curve runs on.
    assert earned_schedule([50, 100, 100], ev=100, at=2).pd == 2


def test_malformed_inputs_are_refused() -> None:
    with pytest.raises(EvmError, match="pv_cumulative must not decrease"):
        earned_schedule([10, 5], ev=1, at=1)
    with pytest.raises(EvmError, match="BAC must be >= 0"):
        indicators(-1, 0, 0, 0)
    with pytest.raises(EvmError, match="finishes .* before it starts"):
        BaselineTask("A", 1, MONDAY, MONDAY - DAY)
    with pytest.raises(EvmError, match="profile must be one of linear, front, back"):
        BaselineTask("A", 1, MONDAY, MONDAY, profile="s-curve")  # type: ignore[arg-type]
    with pytest.raises(EvmError, match="complete must be between 0 and 1"):
        Status(MONDAY, {"A": 1.5})
    task = BaselineTask("A", 10, MONDAY, MONDAY)
    with pytest.raises(EvmError, match="names task 'B', not in the baseline"):
        analyse([task], statuses=[Status(MONDAY, {"B": 0.5})])
    with pytest.raises(EvmError, match="two statuses on"):
        analyse([task], statuses=[Status(MONDAY, {}), Status(MONDAY, {"A": 1})])
    with pytest.raises(EvmError, match="appears twice"):
        analyse([task, task])


def test_a_roll_up_sums_the_amounts_and_recomputes_the_ratios() -> None:
    late = indicators(100, pv=80, ev=40, ac=60, etc=70)
    early = indicators(900, pv=100, ev=180, ac=150, etc=700)
    program = rollup([late, early])
    assert (program.bac, program.pv, program.ev, program.ac) == (1000, 180, 220, 210)
    assert program.spi == pytest.approx(220 / 180) and program.cpi == pytest.approx(220 / 210)
    assert program.eac_bottom_up == 210 + 770
    # One project without a bottom-up estimate: no bottom-up EAC for the program.
    assert rollup([late, indicators(900, pv=100, ev=180, ac=150)]).eac_bottom_up is None
    assert rollup([]).spi is None


# --------------------------------------------------------------------------- baseline over time


def test_front_and_back_loaded_profiles() -> None:
    ten_days = [
        BaselineTask(p, 100, MONDAY, MONDAY + 9 * DAY, profile=p)
        for p in ("linear", "front", "back")
    ]
    halfway = MONDAY + 4 * DAY  # five of ten days
    assert [planned_value([t], halfway) for t in ten_days] == pytest.approx([50, 75, 25])
    assert [planned_value([t], MONDAY + 9 * DAY) for t in ten_days] == [100, 100, 100]
    assert [planned_value([t], MONDAY - DAY) for t in ten_days] == [0, 0, 0]


def test_time_phased_curves_per_month() -> None:
    tasks = [
        BaselineTask("Design", 300, dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        BaselineTask("Build", 600, dt.date(2026, 2, 1), dt.date(2026, 3, 31)),
        BaselineTask("Launch", 100, dt.date(2026, 3, 31), dt.date(2026, 3, 31)),
    ]
    costs = [
        ActualCost(dt.date(2026, 1, 20), 200, "Design"),
        ActualCost(dt.date(2026, 1, 31), 150, "Design"),
        ActualCost(dt.date(2026, 2, 15), 250, "Build"),
        ActualCost(dt.date(2026, 2, 20), 40),  # project-level cost
    ]
    statuses = [
        Status(dt.date(2026, 1, 31), {"Design": 1.0}),
        Status(dt.date(2026, 2, 28), {"Design": 1.0, "Build": 0.4}, etc=420),
    ]
    result = analyse(tasks, costs, statuses)
    assert result.bac == 1000 and result.start == dt.date(2026, 1, 1)
    assert [r.start.month for r in result.periods] == [1, 2, 3]
    feb_share = 600 * 28 / 59  # Build spreads over 59 days, 28 of them in February
    assert [r.pv for r in result.periods] == pytest.approx([300, feb_share, 700 - feb_share])
    assert [r.pv_cumulative for r in result.periods][-1] == pytest.approx(1000)
    assert [r.ac for r in result.periods] == [350, 290, 0]
    assert [r.ev_cumulative for r in result.periods] == [300, 300 + 240, None]
    january, february = result.statuses
    assert january.indicators.cpi == pytest.approx(300 / 350)
    assert january.schedule.es == pytest.approx(31) and january.schedule.at == 31
    feb = february.indicators
    assert feb.ev == 540 and feb.ac == 640
    assert feb.eac_bottom_up == 640 + 420 and feb.etc == 420
    assert feb.pv == pytest.approx(300 + feb_share)
    # Behind plan: ES falls short of the 59 days elapsed, and the forecast finish moves out.
    assert february.schedule.es < 59 and february.schedule.spi_t < 1
    assert february.forecast_finish > result.finish


# --------------------------------------------------------------------------- properties


increments = st.lists(st.floats(0.5, 1000, allow_nan=False), min_size=1, max_size=24)


def _cumulative(steps: list[float]) -> list[float]:
    out, total = [], 0.0
    for s in steps:
        total += s
        out.append(total)
    return out


@settings(max_examples=200, deadline=None)
@given(increments, st.data())
def test_spi_t_is_one_when_ev_follows_pv_exactly(steps: list[float], data: st.DataObject) -> None:
    pv = _cumulative(steps)
    k = data.draw(st.integers(1, len(pv)))
    schedule = earned_schedule(pv, ev=pv[k - 1], at=k)
    assert schedule.es == pytest.approx(k)
    assert schedule.spi_t == pytest.approx(1.0) and schedule.sv_t == pytest.approx(0, abs=1e-9)
    assert schedule.ieac_t == pytest.approx(len(pv))


@settings(max_examples=200, deadline=None)
@given(st.floats(1, 1e7), st.floats(0.01, 1), st.floats(0.01, 1))
def test_eac_by_cpi_is_bac_when_cpi_is_one(bac: float, done: float, planned: float) -> None:
    ev = bac * done
    result = indicators(bac, pv=bac * planned, ev=ev, ac=ev)
    assert result.cpi == pytest.approx(1.0)
    assert result.eac_cpi == pytest.approx(bac)
    assert result.vac == pytest.approx(0, abs=1e-6 * bac)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=24), st.data())
def test_es_is_monotone_in_ev(steps: list[float], data: st.DataObject) -> None:
    pv = _cumulative(steps)
    low = data.draw(st.floats(0, pv[-1]))
    high = data.draw(st.floats(low, pv[-1]))
    assert earned_schedule(pv, low, at=1).es <= earned_schedule(pv, high, at=1).es + 1e-9
