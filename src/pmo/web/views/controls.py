"""A project's controls: the risk register with its heat map, the budget with its time-phased
chart, the quality plan and the communication plan."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pmo.controls import selectors
from pmo.controls.models import KIND_PLURAL, RiskKind

from .common import page, project_and_permissions


def _render(request: HttpRequest, project_id: int, template: str, build: Any) -> HttpResponse:
    """A page hidden from external clients, with what `build(project)` adds to the context."""
    project, perms = project_and_permissions(request, project_id, internal=True)
    context = {"project": project, "can": perms, **build(project)}
    return render(request, f"web/controls/{template}.html", context)


@page("GET")
def risk_register(request: HttpRequest, project_id: int) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in RiskKind.values else ""
    return _render(
        request,
        project_id,
        "risks",
        lambda project: {
            "risks": list(selectors.risk_list(actor=request.user, project=project, kind=kind)),
            "heat_map": selectors.risk_heat_map(actor=request.user, project=project, kind=kind),
            "kind": kind,
            "kinds": [(k, KIND_PLURAL[k].capitalize()) for k in RiskKind.values],
        },
    )


def _chart(summary: selectors.BudgetSummary) -> dict[str, Any]:
    """The budget summary as plain numbers for the time-phased chart."""

    def numbers(values: list[Any]) -> list[float]:
        return [float(v) for v in values]

    return {
        "months": [f"{m:%b %Y}" for m in summary.months],
        "categories": [
            {"name": row.label, "data": numbers(row.amounts)} for row in summary.categories
        ],
        "budget_cumulative": numbers(summary.budget.cumulative),
        "tasks_cumulative": numbers(summary.tasks.cumulative),
    }


@page("GET")
def budget_overview(request: HttpRequest, project_id: int) -> HttpResponse:
    def build(project: Any) -> dict[str, Any]:
        summary = selectors.budget_summary(actor=request.user, project=project)
        return {"summary": summary, "chart": _chart(summary)}

    return _render(request, project_id, "budget", build)


@page("GET")
def quality_plan(request: HttpRequest, project_id: int) -> HttpResponse:
    return _render(
        request,
        project_id,
        "quality",
        lambda project: {
            "items": list(selectors.quality_items(actor=request.user, project=project))
        },
    )


@page("GET")
def communication_plan(request: HttpRequest, project_id: int) -> HttpResponse:
    return _render(
        request,
        project_id,
        "communication",
        lambda project: {
            "items": list(selectors.communication_items(actor=request.user, project=project))
        },
    )
