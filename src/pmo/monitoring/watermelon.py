"""Watermelon rules: a status report whose declared RAG is greener than its indicators (green
outside, red inside) is flagged for the PMO, with the reasons.

Each rule names the dimension it guards. It fires when that dimension **or** the overall RAG is
declared green while the indicator says otherwise:

==== ============ =======================================================================
rule dimension    fires when
==== ============ =======================================================================
W1   schedule     SPI < 0.90, or SPI(t) < 0.90
W2   cost         CPI < 0.90
W3   schedule     a milestone finishes (or is forecast to finish) after its baseline date
W4   risk         an open high or severe threat (score ≥ 10) is past its review date
W5   overall      overall is green while any dimension is declared red
==== ============ =======================================================================

Indicators that cannot be computed (no baseline yet, no cost booked) never fire a rule.
The thresholds are module constants so a PMO that wants other numbers changes them in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SPI_THRESHOLD = 0.90
CPI_THRESHOLD = 0.90
GREEN, RED = "green", "red"
DIMENSIONS = ("schedule", "cost", "scope", "risk", "resources")


@dataclass(frozen=True)
class Flag:
    rule: str
    dimension: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "dimension": self.dimension, "reason": self.reason}


def _green(rag: Mapping[str, str], dimension: str) -> str | None:
    """Which declared green makes a rule on ``dimension`` fire, if any."""
    if rag.get(dimension) == GREEN:
        return dimension
    if rag.get("overall") == GREEN:
        return "overall"
    return None


def watermelon_flags(rag: Mapping[str, str], indicators: Mapping[str, Any]) -> list[Flag]:
    """The rules a report breaks: ``rag`` maps dimension (and ``overall``) to green/amber/red;
    ``indicators`` are the report's computed indicators.

    >>> watermelon_flags({"overall": "green"}, {"spi": 0.8})[0].reason
    'Declared overall green while SPI is 0.80 (below 0.90).'
    >>> watermelon_flags({"overall": "amber", "schedule": "amber"}, {"spi": 0.8})
    []
    """
    flags: list[Flag] = []
    spi, spi_t, cpi = indicators.get("spi"), indicators.get("spi_t"), indicators.get("cpi")
    if (who := _green(rag, "schedule")) is not None:
        if spi is not None and spi < SPI_THRESHOLD:
            flags.append(
                Flag("W1", who, f"Declared {who} green while SPI is {spi:.2f} (below 0.90).")
            )
        elif spi_t is not None and spi_t < SPI_THRESHOLD:
            flags.append(
                Flag("W1", who, f"Declared {who} green while SPI(t) is {spi_t:.2f} (below 0.90).")
            )
    if (who := _green(rag, "cost")) is not None and cpi is not None and cpi < CPI_THRESHOLD:
        flags.append(Flag("W2", who, f"Declared {who} green while CPI is {cpi:.2f} (below 0.90)."))
    slipped = int(indicators.get("milestones_slipped") or 0)
    if (who := _green(rag, "schedule")) is not None and slipped:
        flags.append(
            Flag(
                "W3",
                who,
                f"Declared {who} green while {slipped} milestone(s) slipped past the baseline.",
            )
        )
    overdue = int(indicators.get("overdue_high_risks") or 0)
    if (who := _green(rag, "risk")) is not None and overdue:
        flags.append(
            Flag(
                "W4",
                who,
                f"Declared {who} green while {overdue} high risk(s) are overdue for review.",
            )
        )
    red = [d for d in DIMENSIONS if rag.get(d) == RED]
    if rag.get("overall") == GREEN and red:
        flags.append(
            Flag("W5", "overall", f"Declared overall green while {', '.join(red)} is red.")
        )
    return flags
