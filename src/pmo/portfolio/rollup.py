"""Figures of many projects at once, for programs, the portfolio dashboard and the reports.

Every function here takes a queryset of projects (already narrowed to what the reader sees) and
answers with a fixed number of queries, whatever the number of projects: each figure is
aggregated in the database over a subquery of the projects, or read in one pass.

Definitions (the same on the pages, in the exports and in the executive pack):

- budget: the project's budget lines; actual: approved timesheet hours at the rate in force on
  each day plus recorded costs (expenses and invoices), as on the project's cost page;
- percent complete: the tasks' percent complete weighted by planned cost (by duration when no
  task has a cost); earned value = budget × percent complete;
  estimate at completion (EAC) = actual + (budget − earned value);
- high risks: open threats scoring 10 or more (probability × impact, high or severe);
- slipped milestones: milestones of the current baseline finishing (or forecast to finish)
  after their baseline date;
- value: the net present value of the business case (the approved intake request's estimated
  benefits minus costs, at its portfolio's discount rate); projects that did not come through
  intake have no business case and no value.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from pmo.changes.models import Escalation, Issue, IssueStatus
from pmo.controls.models import BudgetLine, RiskKind, RiskStatus
from pmo.controls.models import Risk as RiskRow
from pmo.core.models import AuditEntry
from pmo.execution.models import ActualCost, LineState, TimesheetLine
from pmo.planning.models import Baseline, BaselineTask, Task
from pmo.projects.models import Health, Project, Stage, Status
from pmo.resources.models import ResourceRate

from .finance import net_flows, npv
from .models import EstimateKind, IntakeRequest, RequestEstimate

ZERO = Decimal(0)
CENT = Decimal("0.01")
HIGH_RISK_SCORE = 10
HEALTH_RANK = {Health.GREEN.value: 0, Health.AMBER.value: 1, Health.RED.value: 2}

# Where a project is in its life, for the dashboard's "pending, underway, finished".
PHASES = (
    ("pending", "Pending", (Stage.INITIATION.value, Stage.PLANNING.value)),
    ("underway", "Underway", (Stage.EXECUTION.value, Stage.CLOSING.value)),
    ("finished", "Finished", (Stage.CLOSED.value,)),
)


@dataclass
class ProjectFigures:
    id: int
    code: str
    name: str
    stage: str
    status: str
    health: str
    portfolio_id: int | None
    portfolio: str
    program_id: int | None
    program: str
    manager: str
    start: dt.date | None
    finish: dt.date | None
    baseline_finish: dt.date | None = None
    budget: Decimal = ZERO
    actual: Decimal = ZERO
    percent_complete: float = 0.0
    open_risks: int = 0
    high_risks: int = 0
    top_risk_score: int = 0
    slipped_milestones: int = 0
    escalated_issues: int = 0
    value: Decimal | None = None
    previous_health: str | None = None

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def health_label(self) -> str:
        return Health(self.health).label

    @property
    def phase(self) -> str:
        return next(key for key, _label, stages in PHASES if self.stage in stages)

    @property
    def earned_value(self) -> Decimal:
        return (self.budget * Decimal(str(self.percent_complete)) / 100).quantize(CENT)

    @property
    def eac(self) -> Decimal:
        return (self.actual + max(self.budget - self.earned_value, ZERO)).quantize(CENT)

    @property
    def variance(self) -> Decimal:
        """Budget minus actual: negative once the project has spent more than its budget."""
        return self.budget - self.actual

    @property
    def trend(self) -> str:
        """better, worse or steady: the health against its value before the last change."""
        if self.previous_health is None or self.previous_health == self.health:
            return "steady"
        before = HEALTH_RANK.get(self.previous_health, 0)
        return "better" if HEALTH_RANK[self.health] < before else "worse"


def _sub(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.order_by().values("pk")


def _by_project(rows: Any, key: str = "project") -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in rows}


def actual_costs(projects: QuerySet[Project]) -> dict[int, Decimal]:
    """Actual cost per project (three queries): approved hours at the rate in force each day,
    or the job role's default rate before any rate, plus recorded costs."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    for row in (
        ActualCost.objects.filter(project__in=_sub(projects))
        .values("project")
        .annotate(total=Sum("amount"))
    ):
        out[row["project"]] += row["total"] or ZERO
    lines = list(
        TimesheetLine.objects.filter(
            project__in=_sub(projects), state=LineState.APPROVED, resource__isnull=False
        ).values_list(
            "project_id",
            "resource_id",
            "timesheet__week_start",
            "hours",
            "resource__role__default_rate",
        )
    )
    rates: dict[int, tuple[list[dt.date], list[Decimal]]] = {}
    resource_ids = {line[1] for line in lines}
    if resource_ids:
        for rid, day, rate in (
            ResourceRate.objects.filter(resource_id__in=resource_ids)
            .order_by("resource_id", "effective_from")
            .values_list("resource_id", "effective_from", "hourly_rate")
        ):
            days, values = rates.setdefault(rid, ([], []))
            days.append(day)
            values.append(rate)
    # Integer hundredths (hours and rates carry two decimals), rounded half to even at the cent
    # on each day like the project's cost page (Decimal.quantize), without Decimal in the loop.
    cents: dict[int, int] = defaultdict(int)
    rate_cents = {
        rid: (days, [int(v * 100) for v in values]) for rid, (days, values) in rates.items()
    }
    for project_id, resource_id, week_start, hours, default_rate in lines:
        days, values = rate_cents.get(resource_id, ([], []))
        default = int(default_rate * 100)
        # one rate for the whole week unless a new rate starts inside it
        first = bisect.bisect_right(days, week_start) - 1
        last = bisect.bisect_right(days, week_start + dt.timedelta(days=6)) - 1
        total = 0
        for i, h in enumerate(hours or []):
            hundredths = _hundredths(h)
            if not hundredths:
                continue
            at = (
                first
                if first == last
                else bisect.bisect_right(days, week_start + dt.timedelta(days=i)) - 1
            )
            rate = values[at] if at >= 0 else default
            total += _cents(hundredths * rate)
        cents[project_id] += total
    for project_id, total in cents.items():
        out[project_id] += Decimal(total) / 100
    return dict(out)


def _hundredths(hours: Any) -> int:
    """Hours as an integer number of hundredths, rounded half to even like quantize(0.01)."""
    if isinstance(hours, int):
        return hours * 100
    return int(Decimal(str(hours)).quantize(CENT) * 100)


def _cents(ten_thousandths: int) -> int:
    """Ten-thousandths (hundredths of hours × hundredths of money) to cents, half to even."""
    q, r = divmod(ten_thousandths, 100)
    if r > 50 or (r == 50 and q % 2):
        q += 1
    return q


def business_case_values(projects: QuerySet[Project]) -> dict[int, Decimal]:
    """NPV of the intake request each project came from (two queries)."""
    requests = {
        pk: (project_id, rate)
        for pk, project_id, rate in IntakeRequest.objects.filter(
            project__in=_sub(projects)
        ).values_list("pk", "project_id", "portfolio__discount_rate")
    }
    if not requests:
        return {}
    flows: dict[int, dict[str, list[Decimal]]] = {
        pk: {EstimateKind.COST: [], EstimateKind.BENEFIT: []} for pk in requests
    }
    for request_id, kind, period, amount in RequestEstimate.objects.filter(
        request_id__in=list(requests)
    ).values_list("request_id", "kind", "period", "amount"):
        years = flows[request_id][kind]
        years.extend([ZERO] * (period + 1 - len(years)))
        years[period] = amount
    return {
        project_id: npv(
            net_flows(flows[pk][EstimateKind.COST], flows[pk][EstimateKind.BENEFIT]),
            rate if rate is not None else Decimal("8.00"),
        )
        for pk, (project_id, rate) in requests.items()
    }


def previous_health(projects: QuerySet[Project]) -> dict[int, str]:
    """Each project's health before its last change of health, from the audit trail (one
    query)."""
    out: dict[int, str] = {}
    entries = (
        AuditEntry.objects.filter(
            object_type="projects.project",
            project_id__in=_sub(projects),
            changes__has_key="health",
        )
        .order_by("project_id", "-at", "-pk")
        .values_list("project_id", "changes")
    )
    for project_id, changes in entries:
        if project_id in out:
            continue
        old = changes["health"][0] if isinstance(changes.get("health"), list) else None
        if old in HEALTH_RANK:
            out[project_id] = old
    return out


def project_figures(
    projects: QuerySet[Project], *, with_trend: bool = False
) -> list[ProjectFigures]:
    """One row of figures per project, in code order (11 queries, 12 with the trend)."""
    rows = list(
        projects.order_by("code").values(
            "pk",
            "code",
            "name",
            "stage",
            "status",
            "health",
            "portfolio_id",
            "portfolio__name",
            "program_link__program_id",
            "program_link__program__name",
            "manager__first_name",
            "manager__last_name",
            "manager__username",
            "planned_start",
            "planned_finish",
            "actual_start",
            "actual_finish",
            "schedule__start",
            "schedule__finish",
        )
    )
    if not rows:
        return []
    sub = _sub(projects)
    budgets = {
        r["project"]: r["total"]
        for r in BudgetLine.objects.filter(project__in=sub)
        .values("project")
        .annotate(total=Sum("amount"))
    }
    actuals = actual_costs(projects)
    score = ExpressionWrapper(F("probability") * F("impact"), output_field=IntegerField())
    risks = _by_project(
        RiskRow.objects.filter(project__in=sub, status=RiskStatus.OPEN, kind=RiskKind.THREAT)
        .annotate(score=score)
        .values("project")
        .annotate(
            n=Count("pk"),
            high=Count("pk", filter=Q(score__gte=HIGH_RISK_SCORE)),
            top=Max("score"),
        )
    )
    money = DecimalField(max_digits=20, decimal_places=4)
    progress = _by_project(
        Task.objects.filter(project__in=sub, is_summary=False)
        .values("project")
        .annotate(
            cost=Sum(Coalesce("planned_cost", Value(ZERO)), output_field=money),
            earned=Sum(
                ExpressionWrapper(
                    Coalesce("planned_cost", Value(ZERO)) * F("percent_complete"),
                    output_field=money,
                )
            ),
            days=Sum("duration"),
            done_days=Sum(
                ExpressionWrapper(F("duration") * F("percent_complete"), output_field=money)
            ),
        )
    )
    slipped = {
        r["baseline__project"]: r["n"]
        for r in BaselineTask.objects.filter(
            baseline__is_current=True,
            baseline__project__in=sub,
            task__duration=0,
            finish__isnull=False,
        )
        .annotate(forecast=Coalesce("task__actual_finish", "task__early_finish"))
        .filter(forecast__gt=F("finish"))
        .values("baseline__project")
        .annotate(n=Count("pk"))
    }
    baseline_finish = dict(
        Baseline.objects.filter(project__in=sub, is_current=True).values_list(
            "project_id", "finish"
        )
    )
    escalated = {
        r["project"]: r["n"]
        for r in Issue.objects.filter(
            project__in=sub,
            escalation=Escalation.ESCALATED,
            status__in=(IssueStatus.OPEN, IssueStatus.IN_PROGRESS),
        )
        .values("project")
        .annotate(n=Count("pk"))
    }
    values = business_case_values(projects)
    before = previous_health(projects) if with_trend else {}
    out: list[ProjectFigures] = []
    for row in rows:
        pk = row["pk"]
        manager = " ".join(
            x for x in (row["manager__first_name"], row["manager__last_name"]) if x
        ) or (row["manager__username"] or "")
        risk = risks.get(pk, {})
        prog = progress.get(pk)
        percent = 0.0
        if prog:
            if prog["cost"]:
                percent = float(prog["earned"] or 0) / float(prog["cost"])
            elif prog["days"]:
                percent = float(prog["done_days"] or 0) / float(prog["days"])
        out.append(
            ProjectFigures(
                id=pk,
                code=row["code"],
                name=row["name"],
                stage=row["stage"],
                status=row["status"],
                health=row["health"],
                portfolio_id=row["portfolio_id"],
                portfolio=row["portfolio__name"] or "",
                program_id=row["program_link__program_id"],
                program=row["program_link__program__name"] or "",
                manager=manager,
                start=row["actual_start"] or row["schedule__start"] or row["planned_start"],
                finish=row["actual_finish"] or row["schedule__finish"] or row["planned_finish"],
                baseline_finish=baseline_finish.get(pk),
                # to the cent, so SQLite and PostgreSQL answer the same digits
                budget=(budgets.get(pk) or ZERO).quantize(CENT),
                actual=actuals.get(pk, ZERO).quantize(CENT),
                percent_complete=round(min(max(percent, 0.0), 100.0), 1),
                open_risks=risk.get("n", 0),
                high_risks=risk.get("high", 0),
                top_risk_score=risk.get("top") or 0,
                slipped_milestones=slipped.get(pk, 0),
                escalated_issues=escalated.get(pk, 0),
                value=values.get(pk),
                previous_health=before.get(pk),
            )
        )
    return out


@dataclass
class Totals:
    """Sums over a set of project figures: a program's roll-up, a portfolio's line."""

    projects: int = 0
    budget: Decimal = ZERO
    actual: Decimal = ZERO
    earned_value: Decimal = ZERO
    eac: Decimal = ZERO
    open_risks: int = 0
    high_risks: int = 0
    slipped_milestones: int = 0
    escalated_issues: int = 0
    start: dt.date | None = None
    finish: dt.date | None = None
    baseline_finish: dt.date | None = None
    health: dict[str, int] = field(default_factory=dict)

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def percent_complete(self) -> float:
        return round(float(self.earned_value / self.budget * 100), 1) if self.budget else 0.0

    @property
    def overall_health(self) -> str:
        """The worst health of the projects still running (green when none runs)."""
        worst = max(
            (HEALTH_RANK[h] for h, n in self.health.items() if n),
            default=0,
        )
        return next(h for h, rank in HEALTH_RANK.items() if rank == worst)

    @property
    def overall_health_label(self) -> str:
        return Health(self.overall_health).label

    @property
    def finish_slip_days(self) -> int | None:
        if self.finish is None or self.baseline_finish is None:
            return None
        return (self.finish - self.baseline_finish).days


def totals(figures: list[ProjectFigures]) -> Totals:
    t = Totals(health={h.value: 0 for h in Health})
    for f in figures:
        t.projects += 1
        t.budget += f.budget
        t.actual += f.actual
        t.earned_value += f.earned_value
        t.eac += f.eac
        t.open_risks += f.open_risks
        t.high_risks += f.high_risks
        t.slipped_milestones += f.slipped_milestones
        t.escalated_issues += f.escalated_issues
        if f.start and (t.start is None or f.start < t.start):
            t.start = f.start
        if f.finish and (t.finish is None or f.finish > t.finish):
            t.finish = f.finish
        if f.baseline_finish and (not t.baseline_finish or f.baseline_finish > t.baseline_finish):
            t.baseline_finish = f.baseline_finish
        if f.stage != Stage.CLOSED and f.status != Status.CANCELLED:
            t.health[f.health] += 1
    return t
