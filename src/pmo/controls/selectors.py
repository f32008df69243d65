"""Reads on a project's controls, shaped for the register tables, the heat map and the budget
chart. Each costs a constant number of queries however many rows the project has."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    F,
    Model,
    Prefetch,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from pmo.core.errors import NotFound
from pmo.planning.models import Task
from pmo.projects.models import Project
from pmo.projects.policies import require_internal
from pmo.resources.selectors import project_labour_by_month

from .models import BudgetLine, CommunicationItem, CostCategory, QualityItem, Risk, RiskStatus
from .services import (
    BUDGET_LINE_NOT_FOUND,
    COMMUNICATION_ITEM_NOT_FOUND,
    QUALITY_ITEM_NOT_FOUND,
    RISK_NOT_FOUND,
)

SCALE = range(1, 6)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
M = TypeVar("M", bound=Model)


def _one(qs: QuerySet[M], pk: Any, message: str) -> M:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message.format(id=pk))
    return obj


# --- risks --------------------------------------------------------------------------------------


def risk_list(*, actor: Any, project: Project, kind: str = "", status: str = "") -> QuerySet[Risk]:
    """The register, highest score first, with owners and linked tasks (three queries)."""
    require_internal(actor, project)
    qs = Risk.objects.filter(project=project)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("owner")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.only("pk", "wbs", "name").order_by("position"))
        )
        .order_by((F("probability") * F("impact")).desc(), "number")
    )


def risk_get(*, actor: Any, project: Project, risk_id: Any) -> Risk:
    return _one(risk_list(actor=actor, project=project), risk_id, RISK_NOT_FOUND)


@dataclass(frozen=True)
class HeatCell:
    probability: int
    impact: int
    risk_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.risk_ids)

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def level(self) -> str:
        """low (1–4), medium (5–9), high (10–14) or severe (15–25): the colour of the cell."""
        if self.score >= 15:
            return "severe"
        if self.score >= 10:
            return "high"
        if self.score >= 5:
            return "medium"
        return "low"


@dataclass(frozen=True)
class HeatMap:
    """A 5×5 probability × impact grid; rows run from probability 5 down to 1 as drawn."""

    rows: list[list[HeatCell]]

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.rows for cell in row)


def risk_heat_map(
    *, actor: Any, project: Project, kind: str = "", include_closed: bool = False
) -> HeatMap:
    """How many risks sit in each cell of the grid, and which (two queries)."""
    require_internal(actor, project)
    qs = Risk.objects.filter(project=project)
    if kind:
        qs = qs.filter(kind=kind)
    if not include_closed:
        qs = qs.exclude(status=RiskStatus.CLOSED)
    cells: dict[tuple[int, int], list[int]] = {(p, i): [] for p in SCALE for i in SCALE}
    for pk, probability, impact in qs.order_by("number").values_list("pk", "probability", "impact"):
        cells[(probability, impact)].append(pk)
    return HeatMap(
        rows=[
            [HeatCell(probability=p, impact=i, risk_ids=cells[(p, i)]) for i in SCALE]
            for p in reversed(SCALE)
        ]
    )


# --- budget -------------------------------------------------------------------------------------


def budget_line_list(*, actor: Any, project: Project) -> QuerySet[BudgetLine]:
    require_internal(actor, project)
    return BudgetLine.objects.filter(project=project).order_by("period", "category", "pk")


def budget_line_get(*, actor: Any, project: Project, budget_line_id: Any) -> BudgetLine:
    qs = budget_line_list(actor=actor, project=project)
    return _one(qs, budget_line_id, BUDGET_LINE_NOT_FOUND)


@dataclass(frozen=True)
class BudgetRow:
    key: str
    label: str
    amounts: list[Decimal]  # one per month of the summary

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def cumulative(self) -> list[Decimal]:
        running, out = ZERO, []
        for amount in self.amounts:
            running += amount
            out.append(running)
        return out


@dataclass(frozen=True)
class BudgetSummary:
    """Budget lines by category and month beside the tasks' planned cost, time-phased.

    `tasks` spreads each task's planned cost over its early start to early finish in proportion
    to the calendar days in each month; `unscheduled_task_cost` holds the cost of tasks without
    dates. Summary tasks are left out: their children carry the cost.
    """

    months: list[dt.date]
    categories: list[BudgetRow]
    budget: BudgetRow
    tasks: BudgetRow
    unscheduled_task_cost: Decimal
    #: Labour cost from assignments (work × rate in force), time-phased over the task dates.
    labour: BudgetRow | None = None
    unscheduled_labour_cost: Decimal = ZERO

    @property
    def task_cost_total(self) -> Decimal:
        return self.tasks.total + self.unscheduled_task_cost


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _spread(cost: Decimal, start: dt.date, finish: dt.date) -> dict[dt.date, Decimal]:
    """`cost` over the months of start..finish (inclusive) by calendar days, to the cent;
    the last month takes the rounding remainder so the parts add up exactly."""
    finish = max(start, finish)
    days = (finish - start).days + 1
    parts: dict[dt.date, Decimal] = {}
    for month in _month_range(start, finish):
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        overlap = (min(finish + dt.timedelta(days=1), next_month) - max(start, month)).days
        parts[month] = (cost * overlap / days).quantize(CENT)
    last = max(parts)
    parts[last] += cost - sum(parts.values(), Decimal(0))
    return parts


def budget_summary(*, actor: Any, project: Project) -> BudgetSummary:
    """The budget by category × month with totals, the tasks' cost and the labour cost of
    assignments (five queries)."""
    require_internal(actor, project)
    lines = (
        BudgetLine.objects.filter(project=project)
        .values_list("category", "period")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    by_cell: dict[tuple[str, dt.date], Decimal] = {(c, p): a.quantize(CENT) for c, p, a in lines}
    tasks = Task.objects.filter(
        project=project, is_summary=False, planned_cost__isnull=False
    ).values_list("planned_cost", "early_start", "early_finish")
    phased: dict[dt.date, Decimal] = {}
    unscheduled = ZERO
    for cost, start, finish in tasks:
        if start is None:
            unscheduled += cost
            continue
        for month, part in _spread(cost, start, finish or start).items():
            phased[month] = phased.get(month, ZERO) + part
    labour = project_labour_by_month(project=project)
    known = [p for _, p in by_cell] + list(phased) + list(labour.months)
    months = _month_range(min(known), max(known)) if known else []
    categories = [
        BudgetRow(
            key=category.value,
            label=category.label,
            amounts=[by_cell.get((category.value, m), ZERO) for m in months],
        )
        for category in CostCategory
    ]
    return BudgetSummary(
        months=months,
        categories=categories,
        budget=BudgetRow(
            key="budget",
            label="Budget",
            amounts=[sum((row.amounts[i] for row in categories), ZERO) for i in range(len(months))],
        ),
        tasks=BudgetRow(
            key="tasks",
            label="Planned cost of tasks",
            amounts=[phased.get(m, ZERO) for m in months],
        ),
        unscheduled_task_cost=unscheduled,
        labour=BudgetRow(
            key="labour",
            label="Labour cost of assignments",
            amounts=[labour.months.get(m, ZERO) for m in months],
        ),
        unscheduled_labour_cost=labour.unscheduled,
    )


# --- quality and communication ------------------------------------------------------------------


def quality_items(*, actor: Any, project: Project) -> QuerySet[QualityItem]:
    require_internal(actor, project)
    return (
        QualityItem.objects.filter(project=project)
        .select_related("reviewer")
        .order_by(F("due_date").asc(nulls_last=True), "deliverable", "pk")
    )


def quality_item_get(*, actor: Any, project: Project, quality_item_id: Any) -> QualityItem:
    qs = quality_items(actor=actor, project=project)
    return _one(qs, quality_item_id, QUALITY_ITEM_NOT_FOUND)


def communication_items(
    *, actor: Any, project: Project, today: dt.date | None = None
) -> QuerySet[CommunicationItem]:
    """The plan, soonest due first, each with `is_overdue` (due before `today`)."""
    require_internal(actor, project)
    today = today or timezone.localdate()
    return (
        CommunicationItem.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related("audience")
        .annotate(
            is_overdue=Case(
                When(next_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(F("next_due").asc(nulls_last=True), "information", "pk")
    )


def communication_item_get(
    *, actor: Any, project: Project, communication_item_id: Any
) -> CommunicationItem:
    qs = communication_items(actor=actor, project=project)
    return _one(qs, communication_item_id, COMMUNICATION_ITEM_NOT_FOUND)
