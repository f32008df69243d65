"""A project's controls: the risk register with its heat map, the budget with its time-phased
chart, the quality plan and the communication plan; editors add, change and remove their rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.controls import selectors, services
from pmo.controls.models import KIND_PLURAL, RiskKind

from ..forms_controls import (
    BudgetLineForm,
    CommunicationItemForm,
    ControlForm,
    QualityItemForm,
    RiskForm,
)
from .common import attempt, page, project_and_permissions


def _render(request: HttpRequest, project_id: int, template: str, build: Any) -> HttpResponse:
    """A page hidden from external clients, with what `build(project)` adds to the context."""
    project, perms = project_and_permissions(request, project_id, internal=True)
    context = {"project": project, "can": perms, **build(project)}
    return render(request, f"web/controls/{template}.html", context)


def _scale(value: str) -> int | None:
    """A probability or impact from the query string; anything else filters nothing."""
    return int(value) if value in {"1", "2", "3", "4", "5"} else None


@page("GET")
def risk_register(request: HttpRequest, project_id: int) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in RiskKind.values else ""
    # a heat map cell links here with its probability and impact
    cell = {
        name: value
        for name in ("probability", "impact")
        if (value := _scale(request.GET.get(name, ""))) is not None
    }

    def build(project: Any) -> dict[str, Any]:
        risks = selectors.risk_list(actor=request.user, project=project, kind=kind)
        return {
            "risks": list(risks.filter(**cell)),
            "heat_map": selectors.risk_heat_map(actor=request.user, project=project, kind=kind),
            "kind": kind,
            "cell": cell,
            "kinds": [(k, KIND_PLURAL[k].capitalize()) for k in RiskKind.values],
        }

    return _render(request, project_id, "risks", build)


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
        lines = list(selectors.budget_line_list(actor=request.user, project=project))
        return {"summary": summary, "chart": _chart(summary), "lines": lines}

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


# --- create, edit, delete -----------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    """One kind of controls row, as its create, edit and delete pages need it."""

    noun: str  # "risk", as headings say it
    list_page: str  # the URL name of the page that lists the rows
    form: type[ControlForm]
    action: str  # the refusal's words, as the service says them
    key: str  # the id keyword of the services and selectors
    get: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    removed: str


REGISTERS = {
    "risk": Register(
        noun="risk",
        list_page="risk_register",
        form=RiskForm,
        action=services.EDIT_RISKS,
        key="risk_id",
        get=selectors.risk_get,
        create=services.risk_create,
        update=services.risk_update,
        delete=services.risk_delete,
        removed="Risk removed from the register.",
    ),
    "budget_line": Register(
        noun="budget line",
        list_page="budget_overview",
        form=BudgetLineForm,
        action=services.EDIT_BUDGET,
        key="budget_line_id",
        get=selectors.budget_line_get,
        create=services.budget_line_create,
        update=services.budget_line_update,
        delete=services.budget_line_delete,
        removed="Budget line removed.",
    ),
    "quality_item": Register(
        noun="deliverable",
        list_page="quality_plan",
        form=QualityItemForm,
        action=services.EDIT_QUALITY,
        key="quality_item_id",
        get=selectors.quality_item_get,
        create=services.quality_item_create,
        update=services.quality_item_update,
        delete=services.quality_item_delete,
        removed="Deliverable removed from the quality plan.",
    ),
    "communication_item": Register(
        noun="communication",
        list_page="communication_plan",
        form=CommunicationItemForm,
        action=services.EDIT_COMMUNICATION,
        key="communication_item_id",
        get=selectors.communication_item_get,
        create=services.communication_item_create,
        update=services.communication_item_update,
        delete=services.communication_item_delete,
        removed="Communication removed from the plan.",
    ),
}

# each register's rows live under these paths of the project
REGISTER_PATHS = [
    ("risk", "risks"),
    ("budget_line", "budget/lines"),
    ("quality_item", "quality"),
    ("communication_item", "communication"),
]


def _form_page(request: HttpRequest, project: Any, perms: Any, reg: Register, **extra: Any) -> Any:
    context = {"project": project, "can": perms, "register": reg, **extra}
    return render(request, "web/controls/form.html", context)


@page("GET", "POST")
def control_create(request: HttpRequest, project_id: int, register: str) -> HttpResponse:
    reg = REGISTERS[register]
    project, perms = project_and_permissions(request, project_id, internal=True, edit=reg.action)
    form = reg.form(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: reg.create(actor=request.user, project_id=project.pk, data=form.service_data()),
            form=form,
        )
        if created:
            messages.success(request, f"{created} added.")
            return redirect(reg.list_page, project_id=project.pk)
    return _form_page(request, project, perms, reg, form=form)


@page("GET", "POST")
def control_edit(
    request: HttpRequest, project_id: int, item_id: int, register: str
) -> HttpResponse:
    reg = REGISTERS[register]
    project, perms = project_and_permissions(request, project_id, internal=True, edit=reg.action)
    item = reg.get(actor=request.user, project=project, **{reg.key: item_id})
    form = reg.form(
        request.POST or None, instance=item, initial={"version": item.version}, project=project
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: reg.update(
                actor=request.user,
                project_id=project.pk,
                version=form.cleaned_data["version"],
                data=form.service_data(),
                **{reg.key: item_id},
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"{saved} saved.")
            return redirect(reg.list_page, project_id=project.pk)
    return _form_page(request, project, perms, reg, form=form, item=item)


@page("POST")
def control_delete(
    request: HttpRequest, project_id: int, item_id: int, register: str
) -> HttpResponse:
    reg = REGISTERS[register]
    deleted = attempt(
        request,
        lambda: reg.delete(actor=request.user, project_id=project_id, **{reg.key: item_id}) or True,
    )
    if deleted:
        messages.success(request, reg.removed)
    return redirect(reg.list_page, project_id=project_id)
