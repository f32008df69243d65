"""Earned value and status reports over the API.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.monitoring.services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden
from pmo.monitoring import selectors, services
from pmo.monitoring.models import Frequency, Rag, ReportState
from pmo.monitoring.reports import status_report_pdf
from pmo.portfolio.models import ProgramProject
from pmo.projects.models import Project, ProjectType
from pmo.projects.policies import access_project, require_internal

from .schemas import Id, PathId, Text, UserRef, Version, patch_data, problems

router = Router(tags=["monitoring"])

NOT_FOR_CLIENTS = "Status reporting is internal to the organisation."

BINARY = {
    "responses": {
        200: {
            "description": "The PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class IndicatorsOut(Schema):
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    eac_cpi: float | None
    eac_cpi_spi: float | None
    eac_bottom_up: float | None
    etc: float | None
    vac: float | None
    tcpi_bac: float | None
    tcpi_eac: float | None


class EarnedScheduleOut(Schema):
    es: float
    at: float
    pd: float
    spi_t: float | None
    sv_t: float
    ieac_t: float | None


class PeriodOut(Schema):
    period: dt.date
    pv: float
    pv_cumulative: float
    ac: float | None
    ac_cumulative: float | None
    ev_cumulative: float | None


class ForecastPoint(Schema):
    date: dt.date
    value: float


class EvmOut(Schema):
    project_id: int
    status_date: dt.date
    measured: bool = Field(description="False while the project has no costed baseline.")
    indicators: IndicatorsOut | None
    earned_schedule: EarnedScheduleOut | None = Field(description="In days from the start.")
    forecast_finish: dt.date | None
    periods: list[PeriodOut]
    forecast: list[ForecastPoint] = Field(description="The EAC line: AC now to EAC at finish.")


class SnapshotOut(Schema):
    id: int
    status_date: dt.date
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    spi: float | None
    cpi: float | None
    eac: Decimal | None
    spi_t: float | None
    sv_t: float | None
    forecast_finish: dt.date | None
    recorded_by: UserRef | None
    report_id: int | None


class SnapshotIn(Schema):
    status_date: dt.date | None = None


class RollupRowOut(Schema):
    project_id: int
    project_code: str
    status_date: dt.date
    indicators: IndicatorsOut | None
    earned_schedule: EarnedScheduleOut | None
    forecast_finish: dt.date | None


class RollupOut(Schema):
    projects: list[RollupRowOut]
    total: IndicatorsOut | None


class RollupFilters(Schema):
    portfolio_id: Id | None = None
    program_id: Id | None = None


class CadenceIn(Schema):
    portfolio_id: Id | None = None
    project_type: ProjectType | None = None
    frequency: Frequency
    day_due: Annotated[int, Field(ge=0, le=28)]
    starts_on: dt.date | None = None
    active: bool = True


class CadencePatch(Schema):
    version: Version
    frequency: Frequency | None = None
    day_due: Annotated[int, Field(ge=0, le=28)] | None = None
    starts_on: dt.date | None = None
    active: bool | None = None


class CadenceOut(Schema):
    id: int
    portfolio_id: int | None
    project_type: str
    frequency: Frequency
    day_due: int
    starts_on: dt.date
    active: bool
    version: int


class Flag(Schema):
    rule: str
    dimension: str
    reason: str


RagValue = Rag | Literal[""]


class ReportOut(Schema):
    id: int
    project_id: int
    due_date: dt.date
    state: ReportState
    rag_schedule: str
    rag_cost: str
    rag_scope: str
    rag_risk: str
    rag_resources: str
    rag_overall: str
    accomplishments: str
    next_steps: str
    decisions_needed: str
    indicators: dict[str, Any] = Field(
        description="Frozen at submission; computed live while the report is due or returned."
    )
    flags: list[Flag]
    submitted_by: UserRef | None
    submitted_at: dt.datetime | None
    reviewed_by: UserRef | None
    reviewed_at: dt.datetime | None
    review_comment: str
    version: int

    @staticmethod
    def resolve_indicators(obj: Any) -> dict[str, Any]:
        return selectors.report_indicators(obj)


class ReportListOut(ReportOut):
    indicators: dict[str, Any] = Field(
        description="As frozen at submission; empty while the report is due or returned "
        "(read the report itself for the live indicators)."
    )

    @staticmethod
    def resolve_indicators(obj: Any) -> dict[str, Any]:
        return dict(obj.indicators)


class ReportPatch(Schema):
    version: Version | None = None
    rag_schedule: RagValue | None = None
    rag_cost: RagValue | None = None
    rag_scope: RagValue | None = None
    rag_risk: RagValue | None = None
    rag_resources: RagValue | None = None
    rag_overall: RagValue | None = None
    accomplishments: Text | None = None
    next_steps: Text | None = None
    decisions_needed: Text | None = None


class ReviewIn(Schema):
    decision: Literal["reviewed", "returned"]
    comment: Text = ""
    version: Version | None = None


class LateOut(Schema):
    project_id: int
    project_code: str
    due_date: dt.date
    report_id: int | None
    state: str
    days_late: int


def _project(request: HttpRequest, project_id: int) -> Project:
    project = access_project(request.auth, project_id)
    require_internal(request.auth, project)
    return project


def _report(request: HttpRequest, project_id: int, report_id: int) -> Any:
    project = _project(request, project_id)
    return selectors.report_get(actor=request.auth, project=project, report_id=report_id)


def _indicators(i: Any) -> dict[str, Any] | None:
    if i is None:
        return None
    return {k: getattr(i, k) for k in IndicatorsOut.model_fields}


def _schedule(s: Any) -> dict[str, Any] | None:
    if s is None:
        return None
    return {k: getattr(s, k) for k in EarnedScheduleOut.model_fields}


# --- earned value ------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/earned-value",
    response={200: EvmOut, **problems(404, 422)},
    operation_id="earned_value_get",
)
def earned_value_get(
    request: HttpRequest, project_id: PathId, status_date: Query[dt.date | None] = None
) -> Any:
    """PV, EV and AC per month, the indicators and earned schedule at the status date (the
    project's, or `status_date` for what-if), and the EAC forecast line."""
    evm = selectors.project_evm(
        actor=request.auth, project=_project(request, project_id), status_date=status_date
    )
    return {
        "project_id": project_id,
        "status_date": evm.status_date,
        "measured": evm.measured,
        "indicators": _indicators(evm.indicators),
        "earned_schedule": _schedule(evm.schedule),
        "forecast_finish": evm.forecast_finish,
        "periods": evm.series,
        "forecast": evm.forecast,
    }


@router.get(
    "/projects/{project_id}/earned-value/snapshots",
    response={200: list[SnapshotOut], **problems(404)},
    operation_id="earned_value_snapshot_list",
)
def earned_value_snapshot_list(request: HttpRequest, project_id: PathId) -> Any:
    """The indicators as recorded at each status date, oldest first."""
    return selectors.snapshot_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/earned-value/snapshots",
    response={201: SnapshotOut, **problems(403, 404, 422)},
    operation_id="earned_value_snapshot_record",
)
def earned_value_snapshot_record(
    request: HttpRequest, project_id: PathId, payload: SnapshotIn
) -> Any:
    """Record the status date: the project's, or `status_date`; the same date again replaces."""
    snapshot = services.snapshot_record(
        actor=request.auth, project_id=project_id, status_date=payload.status_date
    )
    return 201, snapshot


@router.get(
    "/earned-value/rollup",
    response={200: RollupOut, **problems(422)},
    operation_id="earned_value_rollup",
)
def earned_value_rollup(request: HttpRequest, filters: Query[RollupFilters]) -> Any:
    """Roll-up of the projects you see (of a portfolio or a program): amounts summed, ratios
    recomputed from the sums. Projects without a costed baseline are listed, not counted."""
    qs = Project.objects.all()
    if filters.portfolio_id:
        qs = qs.filter(portfolio_id=filters.portfolio_id)
    if filters.program_id:
        qs = qs.filter(
            pk__in=ProgramProject.objects.filter(program_id=filters.program_id).values("project_id")
        )
    rollup = selectors.evm_rollup(actor=request.auth, projects=qs)
    return {
        "projects": [
            {
                "project_id": r.project.pk,
                "project_code": r.project.code,
                "status_date": r.status_date,
                "indicators": _indicators(r.indicators),
                "earned_schedule": _schedule(r.schedule),
                "forecast_finish": r.forecast_finish,
            }
            for r in rollup.rows
        ],
        "total": _indicators(rollup.total),
    }


# --- cadences ----------------------------------------------------------------------------------


@router.get(
    "/reporting-cadences",
    response={200: list[CadenceOut], **problems(403)},
    operation_id="cadence_list",
)
def cadence_list(request: HttpRequest) -> Any:
    """How often each portfolio's (or project type's) projects report; internal to the
    organisation (external clients are refused)."""
    if getattr(request.auth, "org_role", "") == OrgRole.EXTERNAL_CLIENT:
        raise Forbidden(NOT_FOR_CLIENTS)
    return selectors.cadence_list()


@router.post(
    "/reporting-cadences",
    response={201: CadenceOut, **problems(403, 409, 422)},
    operation_id="cadence_create",
)
def cadence_create(request: HttpRequest, payload: CadenceIn) -> Any:
    """The PMO sets how often a portfolio's projects (or a project type's) report."""
    data = payload.model_dump(exclude_none=True)
    return 201, services.cadence_create(actor=request.auth, data=data)


@router.patch(
    "/reporting-cadences/{cadence_id}",
    response={200: CadenceOut, **problems(403, 404, 409, 422)},
    operation_id="cadence_update",
)
def cadence_update(request: HttpRequest, cadence_id: PathId, payload: CadencePatch) -> Any:
    return services.cadence_update(
        actor=request.auth,
        cadence_id=cadence_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.delete(
    "/reporting-cadences/{cadence_id}",
    response={204: None, **problems(403, 404)},
    operation_id="cadence_delete",
)
def cadence_delete(request: HttpRequest, cadence_id: PathId) -> Any:
    services.cadence_delete(actor=request.auth, cadence_id=cadence_id)
    return 204, None


# --- status reports ----------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/status-reports",
    response={200: list[ReportListOut], **problems(404)},
    operation_id="status_report_list",
)
def status_report_list(request: HttpRequest, project_id: PathId) -> Any:
    """The project's reports, newest first; reports that fell due are opened first."""
    project = _project(request, project_id)
    services.reports_open_due(projects=[project])
    return selectors.report_list(actor=request.auth, project=project)


@router.get(
    "/projects/{project_id}/status-reports/{report_id}",
    response={200: ReportOut, **problems(404)},
    operation_id="status_report_get",
)
def status_report_get(request: HttpRequest, project_id: PathId, report_id: PathId) -> Any:
    return _report(request, project_id, report_id)


@router.patch(
    "/projects/{project_id}/status-reports/{report_id}",
    response={200: ReportOut, **problems(403, 404, 409, 422)},
    operation_id="status_report_update",
)
def status_report_update(
    request: HttpRequest, project_id: PathId, report_id: PathId, payload: ReportPatch
) -> Any:
    """The PM rates schedule, cost, scope, risk, resources and overall, and writes the text."""
    services.report_update(
        actor=request.auth,
        project_id=project_id,
        report_id=report_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _report(request, project_id, report_id)


@router.post(
    "/projects/{project_id}/status-reports/{report_id}/submit",
    response={200: ReportOut, **problems(403, 404, 409, 422)},
    operation_id="status_report_submit",
)
def status_report_submit(
    request: HttpRequest, project_id: PathId, report_id: PathId, payload: ReportPatch
) -> Any:
    """Submit (with any last changes): indicators and watermelon flags are frozen."""
    services.report_submit(
        actor=request.auth,
        project_id=project_id,
        report_id=report_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _report(request, project_id, report_id)


@router.post(
    "/projects/{project_id}/status-reports/{report_id}/review",
    response={200: ReportOut, **problems(403, 404, 409, 422)},
    operation_id="status_report_review",
)
def status_report_review(
    request: HttpRequest, project_id: PathId, report_id: PathId, payload: ReviewIn
) -> Any:
    """The PMO marks the report reviewed, or returns it for rework with a comment."""
    services.report_review(
        actor=request.auth,
        project_id=project_id,
        report_id=report_id,
        decision=payload.decision,
        comment=payload.comment,
        version=payload.version,
    )
    return _report(request, project_id, report_id)


@router.get(
    "/projects/{project_id}/status-reports/{report_id}/pdf",
    response={200: None, **problems(404)},
    operation_id="status_report_pdf",
    openapi_extra=BINARY,
)
def status_report_pdf_download(request: HttpRequest, project_id: PathId, report_id: PathId) -> Any:
    report = _report(request, project_id, report_id)
    response = HttpResponse(status_report_pdf(report), content_type="application/pdf")
    name = f"{report.project.code}-status-{report.due_date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/status-reports/late",
    response={200: list[LateOut]},
    operation_id="status_report_late_list",
)
def status_report_late_list(request: HttpRequest) -> Any:
    """Reports due and not submitted, on the projects you see from the inside."""
    projects = list(selectors.reporting_projects(selectors.internal_projects(request.auth)))
    code = {p.pk: p.code for p in projects}
    late = selectors.late_reports(projects)
    return [
        {**r.__dict__, "project_code": code[r.project_id]}
        for pk in sorted(late, key=lambda k: code[k])
        for r in late[pk]
    ]
