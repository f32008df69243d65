"""Reads on portfolios."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from pmo.projects.models import Health, Stage
from pmo.projects.policies import visible_projects

from .models import Portfolio


def portfolio_list() -> QuerySet[Portfolio]:
    return Portfolio.objects.all()


def _share(counts: dict[str, int], choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    total = sum(counts.values()) or 1
    return [
        {"key": key, "label": label, "n": counts[key], "percent": round(100 * counts[key] / total)}
        for key, label in choices
        if counts.get(key)
    ]


def portfolio_summary(*, actor: Any) -> list[dict[str, Any]]:
    """Per portfolio (and 'No portfolio'): project counts by stage and by health."""
    rows = (
        visible_projects(actor)
        .values("portfolio_id", "portfolio__name", "stage", "health")
        .annotate(n=Count("pk"))
        .order_by("portfolio__name")
    )
    groups: dict[Any, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["portfolio_id"],
            {
                "name": row["portfolio__name"] or "No portfolio",
                "id": row["portfolio_id"],
                "stages": {},
                "health": {},
                "total": 0,
            },
        )
        group["stages"][row["stage"]] = group["stages"].get(row["stage"], 0) + row["n"]
        group["health"][row["health"]] = group["health"].get(row["health"], 0) + row["n"]
        group["total"] += row["n"]
    return [
        {
            **g,
            "stages": _share(g["stages"], Stage.choices),
            "health": _share(g["health"], Health.choices),
        }
        for g in groups.values()
    ]
