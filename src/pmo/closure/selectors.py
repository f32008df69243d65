"""Reads of closing a project: the closing checklist, deliverables (as the client sees them),
sign-offs, contracts, the vendor register with its history, the release report and the PIR."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Prefetch, QuerySet, Sum
from django.utils import timezone

from pmo.core.errors import Forbidden, NotFound
from pmo.projects.models import CharterState, CharterVersion, Project, Stage
from pmo.projects.policies import permissions_or_404, require_internal

from .models import (
    Benefit,
    BenefitMeasurement,
    BudgetReturn,
    Contract,
    ContractInvoice,
    ContractStatus,
    Deliverable,
    DeliverableState,
    PostImplementationReview,
    ProjectArchive,
    Reopening,
    ResourceRelease,
    ReviewState,
    SignOff,
    Vendor,
    VendorAssessment,
)

VENDOR_NOT_FOUND = "Vendor {id} not found."
SIGN_OFF_NOT_FOUND = "Sign-off {id} not found in this project."
ARCHIVE_NOT_FOUND = "Archive {id} not found in this project."
VENDORS_INTERNAL = "The vendor register is for the organisation's own staff."
ARCHIVE_READERS = ("pmo", "manager", "sponsor")


def deliverable_list(*, actor: Any, project: Project) -> QuerySet[Deliverable]:
    """The project's deliverables; an external client sees only those shared with them."""
    perms = permissions_or_404(actor, project)
    qs = Deliverable.objects.filter(project=project).select_related("decided_by")
    if not perms.view_internal:
        qs = qs.filter(shared_with_client=True).exclude(state=DeliverableState.DRAFT)
    return qs.order_by("name")


def sign_off_list(*, actor: Any, project: Project) -> QuerySet[SignOff]:
    """Sign-off records; a client sees the ones they signed themselves."""
    perms = permissions_or_404(actor, project)
    qs = SignOff.objects.filter(project=project).prefetch_related("deliverables")
    if not perms.view_internal:
        qs = qs.filter(signed_by=actor)
    return qs.order_by("-signed_at", "-pk")


def sign_off_get(*, actor: Any, project: Project, sign_off_id: Any) -> SignOff:
    row = sign_off_list(actor=actor, project=project).filter(pk=sign_off_id).first()
    if row is None:
        raise NotFound(SIGN_OFF_NOT_FOUND.format(id=sign_off_id))
    return row


def contract_list(*, actor: Any, project: Project) -> QuerySet[Contract]:
    require_internal(actor, project)
    invoices = ContractInvoice.objects.select_related("cost").order_by("cost__date", "pk")
    return (
        Contract.objects.filter(project=project)
        .select_related("vendor", "assessment")
        .prefetch_related(Prefetch("invoices", queryset=invoices), "closure_documents")
        .annotate(invoiced=Sum("invoices__cost__amount"))
        .order_by("reference")
    )


def _internal(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotFound(VENDOR_NOT_FOUND.format(id=""))
    if actor.org_role == "external_client":
        raise Forbidden(VENDORS_INTERNAL)


def vendor_list(*, actor: Any) -> QuerySet[Vendor]:
    """The register with each vendor's contract count and average assessment scores."""
    _internal(actor)
    return Vendor.objects.annotate(
        contract_count=Count("contracts", distinct=True),
        assessment_count=Count("assessments", distinct=True),
        avg_quality=Avg("assessments__quality"),
        avg_timeliness=Avg("assessments__timeliness"),
        avg_cost=Avg("assessments__cost"),
        avg_communication=Avg("assessments__communication"),
    ).order_by("name")


def vendor_get(*, actor: Any, vendor_id: Any) -> Vendor:
    _internal(actor)
    try:
        pk = int(vendor_id)
    except (TypeError, ValueError):
        raise NotFound(VENDOR_NOT_FOUND.format(id=vendor_id)) from None
    vendor = vendor_list(actor=actor).filter(pk=pk).first()
    if vendor is None:
        raise NotFound(VENDOR_NOT_FOUND.format(id=vendor_id))
    return vendor


def vendor_history(*, actor: Any, vendor: Vendor) -> QuerySet[VendorAssessment]:
    """Every assessment of the vendor, newest first, with its contract and project."""
    _internal(actor)
    return (
        VendorAssessment.objects.filter(vendor=vendor)
        .select_related("contract__project", "assessed_by")
        .order_by("-created_at", "-pk")
    )


def vendor_contracts(*, actor: Any, vendor: Vendor) -> QuerySet[Contract]:
    _internal(actor)
    return Contract.objects.filter(vendor=vendor).select_related("project").order_by("-start")


def release_get(*, actor: Any, project: Project) -> ResourceRelease | None:
    require_internal(actor, project)
    return ResourceRelease.objects.filter(project=project).select_related("released_by").first()


def budget_returns(*, actor: Any, project: Project) -> QuerySet[BudgetReturn]:
    require_internal(actor, project)
    return BudgetReturn.objects.filter(project=project).select_related("portfolio")


def portfolio_budget_returned(portfolio_id: int) -> Decimal:
    """Money the portfolio's closed projects gave back (its ledger's total)."""
    total = BudgetReturn.objects.filter(portfolio_id=portfolio_id).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


@dataclass
class BenefitRow:
    benefit: Benefit
    realised: Decimal | None
    realised_on: dt.date | None

    @property
    def percent(self) -> float | None:
        planned = self.benefit.planned_value
        if self.realised is None or not planned:
            return None
        return round(float(self.realised / planned * 100), 1)


def benefit_rows(*, actor: Any, project: Project) -> list[BenefitRow]:
    """Each benefit with its latest realised value (2 queries)."""
    require_internal(actor, project)
    latest = BenefitMeasurement.objects.order_by("-date", "-pk")
    rows = []
    for benefit in (
        Benefit.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related(Prefetch("measurements", queryset=latest))
    ):
        last = next(iter(benefit.measurements.all()), None)
        rows.append(BenefitRow(benefit, last.value if last else None, last.date if last else None))
    return rows


def benefit_measurements(*, actor: Any, project: Project) -> QuerySet[BenefitMeasurement]:
    require_internal(actor, project)
    return BenefitMeasurement.objects.filter(benefit__project=project).select_related(
        "benefit", "recorded_by"
    )


def _approved_charter(project: Project) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(project=project, state=CharterState.APPROVED)
        .order_by("-number")
        .first()
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def pir_facts(*, actor: Any, project: Project) -> dict[str, Any]:
    """The post-implementation review's facts, from the data: planned vs actual dates, cost,
    scope and deliverables, the charter's objectives and the benefits planned vs realised."""
    from pmo.changes.models import ChangeRequest, ChangeStatus
    from pmo.execution.selectors import budget_vs_actual
    from pmo.planning.models import Task

    require_internal(actor, project)
    money = budget_vs_actual(actor=actor, project=project)
    tasks = Task.objects.filter(project=project, is_summary=False)
    charter = _approved_charter(project)
    slip = (
        (project.actual_finish - project.planned_finish).days
        if project.actual_finish and project.planned_finish
        else None
    )
    variance = money.budget_total - money.actual_total
    states = dict(
        Deliverable.objects.filter(project=project)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "as_of": timezone.localdate().isoformat(),
        "dates": {
            "planned_start": _iso(project.planned_start),
            "planned_finish": _iso(project.planned_finish),
            "actual_start": _iso(project.actual_start),
            "actual_finish": _iso(project.actual_finish),
            "finish_slip_days": slip,
        },
        "cost": {
            "budget": str(money.budget_total),
            "actual": str(money.actual_total),
            "variance": str(variance),
            "variance_percent": round(float(variance / money.budget_total * 100), 1)
            if money.budget_total
            else None,
            "labour_hours": str(money.labour_hours),
        },
        "scope": {
            "tasks": tasks.count(),
            "tasks_complete": tasks.filter(percent_complete=100).count(),
            "approved_changes": ChangeRequest.objects.filter(
                project=project, status=ChangeStatus.APPROVED
            ).count(),
            "in_scope": charter.scope_in if charter else "",
        },
        "deliverables": {
            "planned": list(charter.deliverables) if charter else [],
            "total": sum(states.values()),
            "accepted": states.get(DeliverableState.ACCEPTED, 0),
            "rejected": states.get(DeliverableState.REJECTED, 0),
            "pending": states.get(DeliverableState.REQUESTED, 0)
            + states.get(DeliverableState.DRAFT, 0),
        },
        "benefits": [
            {
                "name": row.benefit.name,
                "measure": row.benefit.measure,
                "planned_value": str(row.benefit.planned_value),
                "planned_by": row.benefit.planned_by.isoformat(),
                "realised": str(row.realised) if row.realised is not None else None,
                "realised_on": _iso(row.realised_on),
            }
            for row in benefit_rows(actor=actor, project=project)
        ],
        "objectives": [
            {
                "objective": str(o.get("objective", "")),
                "measure": str(o.get("measure", "")),
                "target": str(o.get("target", "")),
            }
            for o in (charter.objectives if charter else [])
            if isinstance(o, dict)
        ],
    }


def pir_get(*, actor: Any, project: Project) -> PostImplementationReview | None:
    require_internal(actor, project)
    return (
        PostImplementationReview.objects.filter(project=project)
        .select_related("finalised_by")
        .first()
    )


def archive_list(*, actor: Any, project: Project) -> QuerySet[ProjectArchive]:
    perms = require_internal(actor, project)
    qs = ProjectArchive.objects.filter(project=project).select_related("built_by")
    return qs if perms.relation in ARCHIVE_READERS else qs.none()


def archive_get(*, actor: Any, project: Project, archive_id: Any) -> ProjectArchive:
    row = archive_list(actor=actor, project=project).filter(pk=archive_id).first()
    if row is None:
        raise NotFound(ARCHIVE_NOT_FOUND.format(id=archive_id))
    return row


def reopenings(*, actor: Any, project: Project) -> QuerySet[Reopening]:
    require_internal(actor, project)
    return Reopening.objects.filter(project=project).select_related("reopened_by")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    detail: str


@dataclass(frozen=True)
class ClosingOverview:
    project: Project
    steps: list[Step]
    checks: list[tuple[str, str, bool, str]]
    release: ResourceRelease | None
    pir: PostImplementationReview | None

    @property
    def may_close(self) -> bool:
        return self.project.stage == Stage.CLOSING and all(s.done for s in self.steps[:4])


def closing_overview(*, actor: Any, project: Project) -> ClosingOverview:
    """The closing path with the status of each step."""
    from .services import closing_checks

    require_internal(actor, project)
    deliverables = dict(
        Deliverable.objects.filter(project=project)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    total = sum(deliverables.values())
    accepted = deliverables.get(DeliverableState.ACCEPTED, 0)
    contracts = Contract.objects.filter(project=project)
    open_contracts = contracts.exclude(status=ContractStatus.CLOSED).count()
    unassessed = contracts.filter(assessment__isnull=True).count()
    release = release_get(actor=actor, project=project)
    pir = pir_get(actor=actor, project=project)
    archived = ProjectArchive.objects.filter(project=project).exists()
    steps = [
        Step(
            "acceptance",
            "Deliverables & sign-off",
            bool(total) and accepted == total,
            f"{accepted} of {total} accepted" if total else "No deliverables recorded",
        ),
        Step(
            "release",
            "Release of resources",
            release is not None,
            f"Released on {release.released_on}" if release else "Not released yet",
        ),
        Step(
            "contracts",
            "Contracts & vendor assessment",
            open_contracts == 0 and unassessed == 0,
            f"{contracts.count()} contract(s): {open_contracts} open, {unassessed} not assessed",
        ),
        Step(
            "review",
            "Post-implementation review",
            pir is not None and pir.state == ReviewState.FINAL,
            "Final"
            if pir and pir.state == ReviewState.FINAL
            else "Draft"
            if pir
            else "Not started",
        ),
        Step(
            "archive",
            "Archive",
            archived,
            "Archive bundle built" if archived else "Built when the project closes",
        ),
    ]
    return ClosingOverview(project, steps, closing_checks(project), release, pir)


def open_work_hours(project: Project) -> Decimal:
    """Hours of work still assigned on the project's unfinished tasks."""
    from pmo.resources.models import Assignment

    total = (
        Assignment.objects.filter(task__project=project, task__percent_complete__lt=100)
        .annotate(left=F("work_hours") * (100 - F("task__percent_complete")) / 100)
        .aggregate(s=Sum("left"))["s"]
    )
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))
