"""Writes of performance and status reporting.

Cadences are the PMO's. Due reports are opened by the daily job (and lazily when a page loads)
and the PM is told; the PM rates schedule, cost, scope, risk and resources plus overall, writes
the narrative and submits: the computed indicators and the watermelon flags are frozen into the
report and an earned value snapshot is recorded for the status date. The PMO reviews (with a
comment) or returns the report for rework.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.audit import audit_record
from pmo.core.errors import Conflict, Forbidden, ValidationFailed
from pmo.core.models import NotificationKind
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.projects.models import Project
from pmo.projects.policies import access_project, is_pmo, require, require_internal

from . import adapters, selectors
from .models import (
    RAG_DIMENSIONS,
    EvmSnapshot,
    Rag,
    ReportingCadence,
    ReportState,
    StatusReport,
)
from .watermelon import watermelon_flags

ONLY_PMO_CADENCE = "Only the PMO sets reporting cadences."
ONLY_PMO_REVIEW = "Only the PMO reviews status reports."
NOT_OPEN = "The status report due {due} is {state}; only a due or returned report is edited."
NOT_SUBMITTED = "The status report due {due} is {state}; only a submitted report is reviewed."
RAG_MISSING = "Rate {dims} before submitting."
RETURN_NEEDS_COMMENT = "Say what the project manager should rework."
DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'reviewed' or 'returned'."
NO_BASELINE = (
    "Project {code} has no costed baseline yet; capture a baseline to measure earned value."
)
NOT_DUE = "No status report is due on {due} for project {code}."
DUPLICATE_CADENCE = "There is already a cadence for {target}; change that one instead."
FUTURE_STATUS = "The status date {day} is in the future."

REPORT_FIELDS = frozenset(
    {
        *(f"rag_{d}" for d in RAG_DIMENSIONS),
        "rag_overall",
        "accomplishments",
        "next_steps",
        "decisions_needed",
    }
)
CADENCE_FIELDS = frozenset(
    {"portfolio_id", "project_type", "frequency", "day_due", "starts_on", "active"}
)


def _link(project: Project, report: StatusReport) -> str:
    return f"/projects/{project.pk}/status-reports/{report.pk}/"


def _pmo_people() -> list[User]:
    return list(
        User.objects.filter(is_active=True, org_role__in=[OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST])
    )


# --- cadences ----------------------------------------------------------------------------------


def _check_pmo(actor: Any, message: str) -> None:
    if not is_pmo(actor):
        raise Forbidden(message)


def _save_cadence(cadence: ReportingCadence) -> None:
    full_clean(cadence, validate_constraints=False)
    try:
        with transaction.atomic():
            cadence.save()
    except IntegrityError:
        raise Conflict(DUPLICATE_CADENCE.format(target=cadence.target_label)) from None


@transaction.atomic
def cadence_create(*, actor: User, data: Mapping[str, Any]) -> ReportingCadence:
    _check_pmo(actor, ONLY_PMO_CADENCE)
    only_fields(data, CADENCE_FIELDS)
    values = dict(data)
    values.setdefault("starts_on", timezone.localdate())
    values["project_type"] = values.get("project_type") or ""
    cadence = ReportingCadence(**values)
    _save_cadence(cadence)
    audit_record(actor=actor, action="create", obj=cadence, note=str(cadence))
    return cadence


@transaction.atomic
def cadence_update(
    *, actor: User, cadence_id: int, version: int | None, data: Mapping[str, Any]
) -> ReportingCadence:
    _check_pmo(actor, ONLY_PMO_CADENCE)
    only_fields(data, CADENCE_FIELDS)
    cadence = selectors.cadence_get(cadence_id)
    values = dict(data)
    if "project_type" in values:
        values["project_type"] = values["project_type"] or ""
    try:
        with transaction.atomic():
            versioned_update(
                cadence,
                actor=actor,
                data=values,
                expected_version=version,
                project_id=None,
                thing="The cadence",
            )
    except IntegrityError:
        raise Conflict(DUPLICATE_CADENCE.format(target=cadence.target_label)) from None
    return cadence


@transaction.atomic
def cadence_delete(*, actor: User, cadence_id: int) -> str:
    """Delete a cadence (reports already opened stay); returns what it was."""
    _check_pmo(actor, ONLY_PMO_CADENCE)
    cadence = selectors.cadence_get(cadence_id)
    label = str(cadence)
    audit_record(actor=actor, action="delete", obj=cadence, note=label)
    cadence.delete()
    return label


# --- due reports -------------------------------------------------------------------------------


@transaction.atomic
def reports_open_due(
    *, projects: Iterable[Project] | None = None, today: dt.date | None = None
) -> list[StatusReport]:
    """Open the status reports that have fallen due (idempotent) and tell each PM once, for
    the newest. Called by the daily job and when report pages load."""
    today = today or timezone.localdate()
    qs = selectors.reporting_projects().select_related("manager")
    if projects is not None:
        qs = qs.filter(pk__in=[p.pk for p in projects])
    items = list(qs)
    cadences = selectors.cadences_for(items)
    existing = set(
        StatusReport.objects.filter(project__in=items).values_list("project_id", "due_date")
    )
    created: list[StatusReport] = []
    for project in items:
        cadence = cadences.get(project.pk)
        if cadence is None:
            continue
        new = [
            StatusReport(project=project, due_date=day)
            for day in selectors.due_dates_for(project, cadence, today)
            if (project.pk, day) not in existing
        ]
        if not new:
            continue
        rows = StatusReport.objects.bulk_create(new, ignore_conflicts=True)
        created.extend(rows)
        newest = StatusReport.objects.get(project=project, due_date=max(r.due_date for r in new))
        if project.manager is not None:
            notify(
                users=[project.manager],
                subject=f"[{project.code}] Status report due {newest.due_date:%d %b %Y}",
                body=(
                    f"The {cadence.get_frequency_display().lower()} status report of "
                    f"{project.code} {project.name} is due; it opens pre-filled with the "
                    "project's indicators."
                ),
                kind=NotificationKind.STATUS_REPORT,
                link=_link(project, newest),
            )
    return created


# --- writing, submitting and reviewing ---------------------------------------------------------


def _editable(actor: User, project_id: int) -> Project:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="write status reports", project=project)
    return project


def _report(project: Project, report_id: int, *, lock: bool = True) -> StatusReport:
    report = project_row(
        StatusReport, project=project, pk=report_id, missing=selectors.REPORT_NOT_FOUND
    )
    if lock:
        report = StatusReport.objects.select_for_update().get(pk=report.pk)
    report.project = project
    return report


def _clean_report_data(data: Mapping[str, Any]) -> dict[str, Any]:
    only_fields(data, REPORT_FIELDS)
    values = {}
    for key, value in data.items():
        if key.startswith("rag_"):
            value = value or ""
            if value and value not in Rag.values:
                raise ValidationFailed(
                    f"{key}: '{value}' is not a RAG status; expected green, amber or red.",
                    extra={"errors": {key: ["Expected green, amber or red."]}},
                )
        else:
            value = (value or "").strip()
        values[key] = value
    return values


@transaction.atomic
def report_update(
    *, actor: User, project_id: int, report_id: int, version: int | None, data: Mapping[str, Any]
) -> StatusReport:
    """The PM writes the report: RAG per dimension and overall, and the narrative."""
    project = _editable(actor, project_id)
    report = _report(project, report_id)
    if not report.is_open:
        raise Conflict(
            NOT_OPEN.format(due=report.due_date, state=report.get_state_display().lower())
        )
    versioned_update(
        report,
        actor=actor,
        data=_clean_report_data(data),
        expected_version=version,
        project_id=project.pk,
        thing=f"The status report due {report.due_date}",
    )
    return report


@transaction.atomic
def report_submit(
    *,
    actor: User,
    project_id: int,
    report_id: int,
    version: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> StatusReport:
    """Submit (after applying `data`, if given): every RAG must be set; the indicators and the
    watermelon flags are frozen into the report; an EVM snapshot is recorded; the PMO is told."""
    project = _editable(actor, project_id)
    report = _report(project, report_id)
    if not report.is_open:
        raise Conflict(
            NOT_OPEN.format(due=report.due_date, state=report.get_state_display().lower())
        )
    values = _clean_report_data(data or {})
    for key, value in values.items():
        setattr(report, key, value)
    missing = [d for d in (*RAG_DIMENSIONS, "overall") if not getattr(report, f"rag_{d}")]
    if missing:
        raise ValidationFailed(
            RAG_MISSING.format(dims=", ".join(missing)),
            extra={"errors": {f"rag_{d}": ["Choose green, amber or red."] for d in missing}},
        )
    indicators = selectors.project_indicators(project)
    rag = dict(report.rags)
    flags = [f.as_dict() for f in watermelon_flags(rag, indicators)]
    versioned_update(
        report,
        actor=actor,
        data={
            **values,
            "state": ReportState.SUBMITTED,
            "indicators": indicators,
            "flags": flags,
            "submitted_by": actor,
            "submitted_at": timezone.now(),
            "review_comment": report.review_comment,
        },
        expected_version=version,
        project_id=project.pk,
        thing=f"The status report due {report.due_date}",
    )
    if indicators.get("has_baseline"):
        _record(project, actor=actor, report=report)
    subject = f"[{project.code}] Status report submitted (due {report.due_date:%d %b %Y})"
    if flags:
        subject += " — flagged"
    notify(
        users=_pmo_people(),
        subject=subject,
        body="\n".join(
            [f"{actor} submitted the status report; overall {report.rag_overall}."]
            + [f["reason"] for f in flags]
        ),
        kind=NotificationKind.STATUS_REPORT,
        link=_link(project, report),
    )
    return report


@transaction.atomic
def report_review(
    *,
    actor: User,
    project_id: int,
    report_id: int,
    decision: str,
    comment: str = "",
    version: int | None = None,
) -> StatusReport:
    """The PMO marks a submitted report reviewed (with an optional comment) or returns it for
    rework (with a comment); the PM is told."""
    project = access_project(actor, project_id, for_update=True, closed_ok=True)
    require_internal(actor, project)
    _check_pmo(actor, ONLY_PMO_REVIEW)
    if decision not in (ReportState.REVIEWED, ReportState.RETURNED):
        raise ValidationFailed(DECISION_UNKNOWN.format(decision=decision))
    report = _report(project, report_id)
    if report.state != ReportState.SUBMITTED:
        raise Conflict(
            NOT_SUBMITTED.format(due=report.due_date, state=report.get_state_display().lower())
        )
    comment = (comment or "").strip()
    if decision == ReportState.RETURNED and not comment:
        raise ValidationFailed(
            RETURN_NEEDS_COMMENT, extra={"errors": {"comment": [RETURN_NEEDS_COMMENT]}}
        )
    versioned_update(
        report,
        actor=actor,
        data={
            "state": decision,
            "review_comment": comment,
            "reviewed_by": actor,
            "reviewed_at": timezone.now(),
        },
        expected_version=version,
        project_id=project.pk,
        thing=f"The status report due {report.due_date}",
    )
    verb = "reviewed" if decision == ReportState.REVIEWED else "returned for rework"
    notify(
        users=[report.submitted_by or project.manager],
        subject=f"[{project.code}] Status report due {report.due_date:%d %b %Y} {verb}",
        body=f"{actor}: {comment}" if comment else f"{actor} reviewed the report.",
        kind=NotificationKind.STATUS_REPORT,
        link=_link(project, report),
    )
    return report


# --- earned value snapshots --------------------------------------------------------------------


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _record(
    project: Project,
    *,
    actor: User | None,
    report: StatusReport | None = None,
    status_date: dt.date | None = None,
) -> EvmSnapshot:
    data = adapters.evm_inputs([project])[project.pk]
    if status_date is not None:
        data.status_date = status_date
    result = adapters.analyse(data)
    if result is None:
        raise ValidationFailed(NO_BASELINE.format(code=project.code))
    status = result.statuses[-1]
    i, s = status.indicators, status.schedule
    values = {
        "bac": _money(i.bac),
        "pv": _money(i.pv),
        "ev": _money(i.ev),
        "ac": _money(i.ac),
        "spi": i.spi,
        "cpi": i.cpi,
        "eac": _money(i.eac),
        "spi_t": s.spi_t,
        "sv_t": s.sv_t,
        "forecast_finish": status.forecast_finish,
        "recorded_by": actor,
    }
    if report is not None:
        values["report"] = report
    snapshot, created = EvmSnapshot.objects.update_or_create(
        project=project, status_date=data.status_date, defaults=values
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=snapshot,
        project_id=project.pk,
        note=f"Earned value recorded for {data.status_date}",
    )
    return snapshot


@transaction.atomic
def snapshot_record(
    *, actor: User, project_id: int, status_date: dt.date | None = None
) -> EvmSnapshot:
    """Record the earned value at the project's status date (or `status_date`, not in the
    future); recording the same date again replaces it."""
    project = _editable(actor, project_id)
    if status_date is not None and status_date > timezone.localdate():
        raise ValidationFailed(FUTURE_STATUS.format(day=status_date))
    return _record(project, actor=actor, status_date=status_date)
