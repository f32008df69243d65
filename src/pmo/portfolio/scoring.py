"""Combining assessors' scores into a normalised total and a ranking: pure functions.

A criterion scored 1 to `scale_max` counts (mean - 1) / (scale_max - 1) of its weight, so the
lowest score on every criterion totals 0 and the highest 100, whatever the scales.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean


@dataclass(frozen=True)
class Scale:
    key: str
    weight: float
    scale_max: int


def mean_scores(assessments: Sequence[Mapping[str, int]], keys: Sequence[str]) -> dict[str, float]:
    """Per criterion, the mean of the assessors who scored it."""
    means = {}
    for key in keys:
        given = [a[key] for a in assessments if key in a]
        if given:
            means[key] = fmean(given)
    return means


def normalised_total(means: Mapping[str, float], scales: Sequence[Scale]) -> float | None:
    """0 to 100 over the criteria with weight; None when nobody scored them all.

    >>> normalised_total({"a": 5, "b": 1}, [Scale("a", 3, 5), Scale("b", 1, 5)])
    75.0
    """
    weighted = [s for s in scales if s.weight > 0]
    if not weighted or any(s.key not in means for s in weighted):
        return None
    total_weight = sum(s.weight for s in weighted)
    points = sum(s.weight * (means[s.key] - 1) / (s.scale_max - 1) for s in weighted)
    return round(100 * points / total_weight, 2)


def rank(totals: Mapping[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) by total, highest first; unscored ids are not ranked."""
    scored = sorted(((t, k) for k, t in totals.items() if t is not None), key=lambda x: -x[0])
    ranks: dict[int, int] = {}
    for position, (total, key) in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        ranks[key] = ranks[previous[1]] if previous and previous[0] == total else position
    return ranks
