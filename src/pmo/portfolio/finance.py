"""Money over time for a request: net present value, return on investment and payback.

Pure functions over lists of yearly amounts in the textbook convention: period 0 is "year 0",
the moment the request starts (its money is not discounted), period t falls t years later and is
discounted by `(1 + rate) ** t`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Amounts = Sequence[Decimal | float | int]


@dataclass(frozen=True)
class Finance:
    total_cost: Decimal
    total_benefit: Decimal
    npv: Decimal
    roi: Decimal | None  # percent; None without cost
    payback_years: Decimal | None  # None when the benefits never repay the cost


def _padded(values: Amounts, n: int) -> list[Decimal]:
    return [Decimal(str(v)) for v in values] + [Decimal(0)] * (n - len(values))


def net_flows(costs: Amounts, benefits: Amounts) -> list[Decimal]:
    """Benefit minus cost per period."""
    n = max(len(costs), len(benefits))
    return [b - c for c, b in zip(_padded(costs, n), _padded(benefits, n), strict=True)]


def npv(flows: Amounts, rate_percent: Decimal | float) -> Decimal:
    """Net present value of yearly `flows` at `rate_percent` a year, to the cent.

    >>> npv([-1000, 600, 600], 10)
    Decimal('41.32')
    """
    rate = Decimal(str(rate_percent)) / 100
    total = sum((Decimal(str(f)) / (1 + rate) ** t for t, f in enumerate(flows)), start=Decimal(0))
    return total.quantize(Decimal("0.01"))


def roi(total_cost: Decimal, total_benefit: Decimal) -> Decimal | None:
    """(benefit - cost) / cost in percent, one decimal; None without cost."""
    if not total_cost:
        return None
    return ((total_benefit - total_cost) / total_cost * 100).quantize(Decimal("0.1"))


def payback_years(flows: Amounts) -> Decimal | None:
    """Years from year 0 until the cumulative net flow is no longer negative, interpolating
    linearly within the year that repays it; None if it never is, 0 if nothing is ever owed.

    >>> payback_years([-1000, 600, 600])
    Decimal('1.67')
    """
    values = [Decimal(str(f)) for f in flows]
    cumulative, running = [], Decimal(0)
    for flow in values:
        running += flow
        cumulative.append(running)
    owed = [t for t, c in enumerate(cumulative) if c < 0]
    if not owed:
        return Decimal("0.00")
    last = owed[-1]
    if last == len(values) - 1:
        return None
    # At year `last` the cumulative flow is still owed; year last + 1 repays it evenly.
    return (Decimal(last) + (-cumulative[last] / values[last + 1])).quantize(Decimal("0.01"))


def finance(costs: Amounts, benefits: Amounts, rate_percent: Decimal | float) -> Finance:
    flows = net_flows(costs, benefits)
    total_cost = sum((Decimal(str(c)) for c in costs), start=Decimal(0))
    total_benefit = sum((Decimal(str(b)) for b in benefits), start=Decimal(0))
    return Finance(
        total_cost=total_cost,
        total_benefit=total_benefit,
        npv=npv(flows, rate_percent),
        roi=roi(total_cost, total_benefit),
        payback_years=payback_years(flows),
    )
