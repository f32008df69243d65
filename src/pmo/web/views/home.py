"""Landing pages: my work, the portfolio overview and the PMO desk.

The reads below are shaped for these three screens only; they belong in the contexts' selectors
once another interface needs them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.core.errors import Forbidden
from pmo.core.models import AuditEntry
from pmo.projects.models import CharterState, CharterVersion, Health, Project, Stage
from pmo.projects.policies import is_pmo, visible_projects

from .common import page

PMO_ONLY = "The PMO desk is for PMO admins and analysts."
RECENT_ACTIVITY = 15


@page("GET")
def home(request: HttpRequest) -> HttpResponse:
    return redirect("my_work")


def _my_work(user: Any) -> dict[str, Any]:
    mine = Q(manager=user) | Q(memberships__user=user)
    return {
        "projects": visible_projects(user)
        .filter(mine)
        .distinct()
        .select_related("portfolio", "manager", "sponsor"),
        "awaiting": CharterVersion.objects.filter(
            state=CharterState.SUBMITTED, project__sponsor=user
        ).select_related("project", "submitted_by"),
        "activity": AuditEntry.objects.filter(actor=user)[:RECENT_ACTIVITY],
    }


@page("GET")
def my_work(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home/my_work.html", _my_work(request.user))


def _share(counts: dict[str, int], choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    total = sum(counts.values()) or 1
    return [
        {"key": key, "label": label, "n": counts[key], "percent": round(100 * counts[key] / total)}
        for key, label in choices
        if counts.get(key)
    ]


def _portfolio_summary(user: Any) -> list[dict[str, Any]]:
    """Per portfolio (and 'No portfolio'): project counts by stage and by health."""
    rows = (
        visible_projects(user)
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


@page("GET")
def portfolio(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home/portfolio.html", {"groups": _portfolio_summary(request.user)})


def _pmo_desk() -> dict[str, Any]:
    return {
        "awaiting": CharterVersion.objects.filter(state=CharterState.SUBMITTED)
        .select_related("project", "project__sponsor", "submitted_by")
        .order_by("submitted_at"),
        "unchartered": Project.objects.filter(stage=Stage.INITIATION)
        .exclude(charters__state=CharterState.APPROVED)
        .select_related("manager", "sponsor")
        .order_by("created_at"),
        "by_manager": Project.objects.exclude(stage=Stage.CLOSED)
        .values("manager__id", "manager__first_name", "manager__last_name", "manager__username")
        .annotate(
            total=Count("pk"),
            red=Count("pk", filter=Q(health=Health.RED)),
            amber=Count("pk", filter=Q(health=Health.AMBER)),
        )
        .order_by("-total", "manager__last_name"),
    }


@page("GET")
def pmo_home(request: HttpRequest) -> HttpResponse:
    if not is_pmo(request.user):
        raise Forbidden(PMO_ONLY)
    return render(request, "web/home/pmo.html", _pmo_desk())
