"""Gate criteria whose data lives in the initiation, planning, controls and execution contexts.

Budget: there is no separate budget approval in the PMO's records, so "budget approved" reads as
*the budget lines cover the plan's cost* — the budget the PM entered is at least what the plan's
tasks cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from pmo.controls.models import BudgetLine, Risk, RiskStatus
from pmo.execution.models import LineState, TimesheetLine
from pmo.planning.models import Baseline, PlanState, Schedule, Task
from pmo.projects.models import CharterState, CharterVersion

from .criteria import Outcome, automatic_criterion


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


@automatic_criterion(
    "charter_approved",
    "Charter approved",
    "The sponsor approved a version of the project charter.",
)
def charter_approved(project: Any, params: Mapping[str, Any]) -> Outcome:
    approved = (
        CharterVersion.objects.filter(project=project, state=CharterState.APPROVED)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if approved is None:
        latest = CharterVersion.objects.filter(project=project).order_by("-number").first()
        if latest is None:
            return Outcome(False, "The project has no charter yet.")
        return Outcome(
            False,
            f"Charter version {latest.number} is {latest.get_state_display().lower()}; "
            "the sponsor has not approved it.",
        )
    return Outcome(True, f"Charter version {approved} is approved.")


@automatic_criterion(
    "baseline_exists",
    "Baseline captured",
    "The plan has a current baseline to measure progress against.",
)
def baseline_exists(project: Any, params: Mapping[str, Any]) -> Outcome:
    baseline = Baseline.objects.filter(project=project, is_current=True).first()
    if baseline is None:
        return Outcome(False, "The plan has no current baseline; capture one.")
    return Outcome(True, f"Baseline '{baseline.name}' is current.")


@automatic_criterion(
    "plan_approved",
    "Plan approved",
    "The sponsor approved the project plan.",
)
def plan_approved(project: Any, params: Mapping[str, Any]) -> Outcome:
    schedule = Schedule.objects.filter(project=project).first()
    if schedule is None or not Task.objects.filter(project=project).exists():
        return Outcome(False, "The project has no plan yet.")
    if schedule.plan_state != PlanState.APPROVED:
        return Outcome(
            False, f"The plan is {schedule.get_plan_state_display().lower()}, not approved."
        )
    return Outcome(True, "The plan is approved.")


@automatic_criterion(
    "risk_register_reviewed",
    "Risk register reviewed",
    "The risk register has open risks and every one was reviewed within the last N days.",
    defaults={"days": 30},
)
def risk_register_reviewed(project: Any, params: Mapping[str, Any]) -> Outcome:
    days = int(params.get("days", 30))
    today = timezone.localdate()
    since = today - dt.timedelta(days=days)
    risks = list(
        Risk.objects.filter(project=project)
        .exclude(status=RiskStatus.CLOSED)
        .values_list("number", "updated_at", "review_date")
    )
    if not risks:
        if Risk.objects.filter(project=project).exists():
            return Outcome(True, "Every risk of the register is closed.")
        return Outcome(False, "The risk register is empty; identify the project's risks.")
    stale = []
    for number, updated_at, review_date in risks:
        last = timezone.localtime(updated_at).date()
        if review_date is not None and review_date <= today:
            last = max(last, review_date)
        if last < since:
            stale.append(f"R-{number} (last {last.isoformat()})")
    if stale:
        return Outcome(
            False, f"{len(stale)} open risk(s) not reviewed in {days} days: {', '.join(stale)}."
        )
    return Outcome(True, f"All {len(risks)} open risk(s) reviewed in the last {days} days.")


@automatic_criterion(
    "budget_approved",
    "Budget covers the plan",
    "The budget lines add up to at least the planned cost of the plan's tasks.",
)
def budget_approved(project: Any, params: Mapping[str, Any]) -> Outcome:
    budget = BudgetLine.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]
    cost = Task.objects.filter(project=project, is_summary=False).aggregate(s=Sum("planned_cost"))[
        "s"
    ] or Decimal(0)
    if budget is None:
        return Outcome(False, "The project has no budget lines.")
    if budget < cost:
        return Outcome(
            False,
            f"The budget ({_money(budget)}) is {_money(cost - budget)} short of the "
            f"plan's cost ({_money(cost)}).",
        )
    return Outcome(True, f"The budget ({_money(budget)}) covers the plan's cost ({_money(cost)}).")


@automatic_criterion(
    "timesheets_approved",
    "Timesheets approved",
    "No time booked on the project waits for approval (submitted lines older than N days).",
    defaults={"days": 7},
)
def timesheets_approved(project: Any, params: Mapping[str, Any]) -> Outcome:
    days = int(params.get("days", 7))
    cutoff = timezone.now() - dt.timedelta(days=days)
    count = TimesheetLine.objects.filter(
        project=project, state=LineState.SUBMITTED, updated_at__lt=cutoff
    ).count()
    if count:
        return Outcome(
            False, f"{count} timesheet line(s) submitted more than {days} days ago await approval."
        )
    return Outcome(True, f"No timesheet line waits more than {days} days for approval.")
