"""Net present value, ROI and payback of a request, on worked examples."""

from __future__ import annotations

from decimal import Decimal

from pmo.portfolio.finance import finance, net_flows, npv, payback_years, roi


def test_textbook_example_invest_1000_then_600_for_two_years_at_10_percent() -> None:
    # -1000 + 600/1.1 + 600/1.21 = -1000 + 545.45 + 495.87 = 41.32
    result = finance([1000], [0, 600, 600], 10)
    assert result.npv == Decimal("41.32")
    assert result.total_cost == Decimal(1000)
    assert result.total_benefit == Decimal(1200)
    assert result.roi == Decimal("20.0")
    # 400 still owed after year 1 is repaid by two thirds of year 2's 600
    assert result.payback_years == Decimal("1.67")


def test_npv_at_zero_rate_is_the_plain_sum() -> None:
    assert npv([-500, 200, 200, 200], 0) == Decimal("100.00")


def test_costs_and_benefits_of_unequal_length_are_netted_per_year() -> None:
    assert net_flows([100, 50], [0, 0, 300]) == [Decimal(-100), Decimal(-50), Decimal(300)]


def test_payback_never_reached_and_nothing_owed() -> None:
    assert payback_years([-1000, 100, 100]) is None
    assert payback_years([0, 100]) == Decimal("0.00")


def test_payback_counts_the_last_time_money_is_owed() -> None:
    # year 0 breaks even, year 1 borrows 100, year 2 repays it with half of its 200
    assert payback_years([0, -100, 200]) == Decimal("1.50")


def test_roi_without_cost_is_undefined() -> None:
    assert roi(Decimal(0), Decimal(10)) is None
    assert roi(Decimal(200), Decimal(100)) == Decimal("-50.0")
