"""Closing a project over the API: deliverables and the client's sign-off, vendors and contracts,
the release of resources, the post-implementation review and benefits, close, reopen, archive.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.closure.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from pmo.closure import selectors, services
from pmo.closure.models import ContractStatus, DeliverableState, ReviewState, SignOffDecision
from pmo.closure.reports import final_report_pdf
from pmo.core.errors import NotFound
from pmo.projects.models import Stage
from pmo.projects.policies import access_project, require_internal

from .pagination import Pagination
from .schemas import Id, PathId, Text, UserRef, Version, patch_data, problems

router = Router(tags=["closing"])

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
Score = Annotated[int, Field(ge=1, le=5)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
ARCHIVE_FILE_MISSING = "The file of archive {id} is missing from storage."
BINARY = {
    "responses": {
        200: {
            "description": "The file.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


def _project(request: HttpRequest, project_id: int) -> Any:
    return access_project(request.auth, project_id)


# --- closing overview ---------------------------------------------------------------------------


class StepOut(Schema):
    key: str
    title: str
    done: bool
    detail: str


class CheckOut(Schema):
    key: str
    label: str
    met: bool
    detail: str


class ClosingOut(Schema):
    stage: Stage
    steps: list[StepOut]
    checks: list[CheckOut]
    may_close: bool
    retention_years: int


@router.get(
    "/projects/{project_id}/closing",
    response={200: ClosingOut, **problems(404)},
    operation_id="closing_get",
)
def closing_get(request: HttpRequest, project_id: PathId) -> Any:
    """The closing path with the status of each step, and the closing gate's criteria."""
    overview = selectors.closing_overview(actor=request.auth, project=_project(request, project_id))
    return {
        "stage": overview.project.stage,
        "steps": [vars(s) for s in overview.steps],
        "checks": [
            dict(zip(("key", "label", "met", "detail"), c, strict=True)) for c in overview.checks
        ],
        "may_close": overview.may_close,
        "retention_years": services.retention_years(),
    }


# --- deliverables and sign-off ------------------------------------------------------------------


class DeliverableIn(Schema):
    name: Name
    description: Text = ""
    acceptance_criteria: Annotated[Text, Field(min_length=1)]
    shared_with_client: bool = True


class DeliverablePatch(Schema):
    version: Version
    name: Name | None = None
    description: Text | None = None
    acceptance_criteria: Annotated[Text, Field(min_length=1)] | None = None
    shared_with_client: bool | None = None


class DeliverableOut(Schema):
    id: int
    name: str
    description: str
    acceptance_criteria: str
    shared_with_client: bool
    state: DeliverableState
    requested_at: dt.datetime | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    comment: str
    version: int


class AcceptanceRequestIn(Schema):
    deliverable_ids: list[Id] | None = Field(
        None, description="Default: every deliverable not yet requested or reworked."
    )


class DecisionIn(Schema):
    deliverable_ids: Annotated[list[Id], Field(min_length=1)]
    decision: Literal["accept", "reject"]
    comment: Text = ""


class SignOffOut(Schema):
    id: int
    decision: SignOffDecision
    signed_by: UserRef
    signer_name: str
    role: str
    signed_at: dt.datetime
    ip_address: str | None
    comment: str
    content: dict[str, Any]
    digest: str = Field(description="SHA-256 of the canonical JSON of `content`.")


@router.get(
    "/projects/{project_id}/deliverables",
    response={200: list[DeliverableOut], **problems(404, 422)},
    operation_id="deliverable_list",
)
@paginate(Pagination)
def deliverable_list(request: HttpRequest, project_id: PathId) -> Any:
    """The project's deliverables; an external client sees those shared with them once asked."""
    return selectors.deliverable_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/deliverables",
    response={201: DeliverableOut, **problems(403, 404, 422)},
    operation_id="deliverable_create",
)
def deliverable_create(request: HttpRequest, project_id: PathId, payload: DeliverableIn) -> Any:
    return 201, services.deliverable_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump()
    )


@router.patch(
    "/projects/{project_id}/deliverables/{deliverable_id}",
    response={200: DeliverableOut, **problems(403, 404, 409, 422)},
    operation_id="deliverable_update",
)
def deliverable_update(
    request: HttpRequest, project_id: PathId, deliverable_id: PathId, payload: DeliverablePatch
) -> Any:
    return services.deliverable_update(
        actor=request.auth,
        project_id=project_id,
        deliverable_id=deliverable_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.delete(
    "/projects/{project_id}/deliverables/{deliverable_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="deliverable_delete",
)
def deliverable_delete(request: HttpRequest, project_id: PathId, deliverable_id: PathId) -> Any:
    services.deliverable_delete(
        actor=request.auth, project_id=project_id, deliverable_id=deliverable_id
    )
    return 204, None


@router.post(
    "/projects/{project_id}/acceptance-requests",
    response={200: list[DeliverableOut], **problems(403, 404, 409, 422)},
    operation_id="acceptance_request",
)
def acceptance_request(
    request: HttpRequest, project_id: PathId, payload: AcceptanceRequestIn
) -> Any:
    """Ask the client (and the sponsor) to accept deliverables; they are notified."""
    return services.acceptance_request(
        actor=request.auth, project_id=project_id, deliverable_ids=payload.deliverable_ids
    )


@router.post(
    "/projects/{project_id}/sign-offs",
    response={201: SignOffOut, **problems(403, 404, 409, 422)},
    operation_id="deliverables_decide",
)
def deliverables_decide(request: HttpRequest, project_id: PathId, payload: DecisionIn) -> Any:
    """The client or the sponsor accepts or rejects deliverables; the answer is the immutable
    sign-off record (who, role, when, from where, digest of what was decided)."""
    return 201, services.deliverables_decide(
        actor=request.auth,
        project_id=project_id,
        deliverable_ids=payload.deliverable_ids,
        decision=payload.decision,
        comment=payload.comment,
        ip=services.request_ip(request.META),
    )


@router.get(
    "/projects/{project_id}/sign-offs",
    response={200: list[SignOffOut], **problems(404, 422)},
    operation_id="sign_off_list",
)
@paginate(Pagination)
def sign_off_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.sign_off_list(actor=request.auth, project=_project(request, project_id))


@router.get(
    "/projects/{project_id}/sign-offs/{sign_off_id}",
    response={200: SignOffOut, **problems(404)},
    operation_id="sign_off_get",
)
def sign_off_get(request: HttpRequest, project_id: PathId, sign_off_id: PathId) -> Any:
    return selectors.sign_off_get(
        actor=request.auth, project=_project(request, project_id), sign_off_id=sign_off_id
    )


# --- vendors ------------------------------------------------------------------------------------


class VendorIn(Schema):
    name: Name
    contact_name: Text = ""
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[Text, Field(max_length=40)] = ""
    notes: Text = ""


class VendorPatch(Schema):
    version: Version
    name: Name | None = None
    contact_name: Text | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[Text, Field(max_length=40)] | None = None
    notes: Text | None = None


class VendorOut(Schema):
    id: int
    name: str
    contact_name: str
    email: str
    phone: str
    notes: str
    contract_count: int = 0
    assessment_count: int = 0
    avg_quality: float | None = None
    avg_timeliness: float | None = None
    avg_cost: float | None = None
    avg_communication: float | None = None
    version: int


class AssessmentOut(Schema):
    id: int
    contract_id: int
    contract_reference: str
    project_code: str
    quality: int
    timeliness: int
    cost: int
    communication: int
    score: float
    comments: str
    created_at: dt.datetime

    @staticmethod
    def resolve_contract_reference(obj: Any) -> str:
        return str(obj.contract.reference)

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.contract.project.code)


class VendorDetailOut(VendorOut):
    history: list[AssessmentOut]


@router.get(
    "/vendors", response={200: list[VendorOut], **problems(403, 422)}, operation_id="vendor_list"
)
@paginate(Pagination)
def vendor_list(request: HttpRequest) -> Any:
    """The vendor register with each vendor's average assessment scores."""
    return selectors.vendor_list(actor=request.auth)


@router.post(
    "/vendors", response={201: VendorOut, **problems(403, 422)}, operation_id="vendor_create"
)
def vendor_create(request: HttpRequest, payload: VendorIn) -> Any:
    vendor = services.vendor_create(actor=request.auth, data=payload.model_dump())
    return 201, selectors.vendor_get(actor=request.auth, vendor_id=vendor.pk)


@router.get(
    "/vendors/{vendor_id}",
    response={200: VendorDetailOut, **problems(403, 404)},
    operation_id="vendor_get",
)
def vendor_get(request: HttpRequest, vendor_id: PathId) -> Any:
    """A vendor with the history of its assessments, newest first."""
    vendor = selectors.vendor_get(actor=request.auth, vendor_id=vendor_id)
    vendor.history = list(selectors.vendor_history(actor=request.auth, vendor=vendor))
    return vendor


@router.patch(
    "/vendors/{vendor_id}",
    response={200: VendorOut, **problems(403, 404, 409, 422)},
    operation_id="vendor_update",
)
def vendor_update(request: HttpRequest, vendor_id: PathId, payload: VendorPatch) -> Any:
    services.vendor_update(
        actor=request.auth, vendor_id=vendor_id, version=payload.version, data=patch_data(payload)
    )
    return selectors.vendor_get(actor=request.auth, vendor_id=vendor_id)


# --- contracts ----------------------------------------------------------------------------------


class ContractIn(Schema):
    vendor_id: Id
    reference: Annotated[Text, Field(min_length=1, max_length=60)]
    title: Name
    value: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    start: dt.date
    end: dt.date
    deliverables: Text = ""
    status: Literal["draft", "active"] = "active"


class ContractPatch(Schema):
    version: Version
    vendor_id: Id | None = None
    reference: Annotated[Text, Field(min_length=1, max_length=60)] | None = None
    title: Name | None = None
    value: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    deliverables: Text | None = None
    status: Literal["draft", "active"] | None = None


class InvoiceIn(Schema):
    date: dt.date
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    reference: Annotated[Text, Field(min_length=1, max_length=100)]
    description: Annotated[Text, Field(max_length=300)] = ""
    is_final: bool = False


class InvoiceOut(Schema):
    id: int
    cost_id: int
    date: dt.date
    amount: Decimal
    reference: str
    is_final: bool

    @staticmethod
    def resolve_date(obj: Any) -> dt.date:
        return obj.cost.date  # type: ignore[no-any-return]

    @staticmethod
    def resolve_amount(obj: Any) -> Decimal:
        return obj.cost.amount  # type: ignore[no-any-return]

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return str(obj.cost.reference)


class ClosureIn(Schema):
    version: Version | None = None
    obligations_met: bool
    closure_date: dt.date
    notes: Text = ""
    document_ids: list[Id] = []


class AssessmentIn(Schema):
    quality: Score
    timeliness: Score
    cost: Score
    communication: Score
    comments: Text = ""


class ContractOut(Schema):
    id: int
    vendor: dict[str, Any]
    reference: str
    title: str
    value: Decimal
    start: dt.date
    end: dt.date
    deliverables: str
    status: ContractStatus
    invoiced: Decimal
    invoices: list[InvoiceOut]
    obligations_met: bool | None
    closure_date: dt.date | None
    closure_notes: str
    closure_document_ids: list[int]
    assessment: AssessmentOut | None
    version: int

    @staticmethod
    def resolve_vendor(obj: Any) -> dict[str, Any]:
        return {"id": obj.vendor_id, "name": obj.vendor.name}

    @staticmethod
    def resolve_invoiced(obj: Any) -> Decimal:
        return sum((i.cost.amount for i in obj.invoices.all()), Decimal(0))

    @staticmethod
    def resolve_closure_document_ids(obj: Any) -> list[int]:
        return [d.pk for d in obj.closure_documents.all()]

    @staticmethod
    def resolve_assessment(obj: Any) -> Any:
        return getattr(obj, "assessment", None)


def _contract(request: HttpRequest, project_id: int, contract_id: int) -> Any:
    row = (
        selectors.contract_list(actor=request.auth, project=_project(request, project_id))
        .select_related("project")
        .filter(pk=contract_id)
        .first()
    )
    if row is None:
        raise NotFound(services.CONTRACT_NOT_FOUND.format(id=contract_id))
    return row


@router.get(
    "/projects/{project_id}/contracts",
    response={200: list[ContractOut], **problems(404, 422)},
    operation_id="contract_list",
)
@paginate(Pagination)
def contract_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.contract_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/contracts",
    response={201: ContractOut, **problems(403, 404, 422)},
    operation_id="contract_create",
)
def contract_create(request: HttpRequest, project_id: PathId, payload: ContractIn) -> Any:
    contract = services.contract_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump()
    )
    return 201, _contract(request, project_id, contract.pk)


@router.patch(
    "/projects/{project_id}/contracts/{contract_id}",
    response={200: ContractOut, **problems(403, 404, 409, 422)},
    operation_id="contract_update",
)
def contract_update(
    request: HttpRequest, project_id: PathId, contract_id: PathId, payload: ContractPatch
) -> Any:
    services.contract_update(
        actor=request.auth,
        project_id=project_id,
        contract_id=contract_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _contract(request, project_id, contract_id)


@router.post(
    "/projects/{project_id}/contracts/{contract_id}/invoices",
    response={201: ContractOut, **problems(403, 404, 409, 422)},
    operation_id="contract_invoice_record",
)
def contract_invoice_record(
    request: HttpRequest, project_id: PathId, contract_id: PathId, payload: InvoiceIn
) -> Any:
    """A vendor invoice against the contract; it is an actual cost of the project."""
    services.contract_invoice_record(
        actor=request.auth, project_id=project_id, contract_id=contract_id, **payload.model_dump()
    )
    return 201, _contract(request, project_id, contract_id)


@router.post(
    "/projects/{project_id}/contracts/{contract_id}/closure",
    response={200: ContractOut, **problems(403, 404, 409, 422)},
    operation_id="contract_close",
)
def contract_close(
    request: HttpRequest, project_id: PathId, contract_id: PathId, payload: ClosureIn
) -> Any:
    """Close the contract: final invoice recorded, obligations met or not, date, documents."""
    services.contract_close(
        actor=request.auth,
        project_id=project_id,
        contract_id=contract_id,
        version=payload.version,
        obligations_met=payload.obligations_met,
        closure_date=payload.closure_date,
        notes=payload.notes,
        document_ids=payload.document_ids,
    )
    return _contract(request, project_id, contract_id)


@router.post(
    "/projects/{project_id}/contracts/{contract_id}/assessment",
    response={201: ContractOut, **problems(403, 404, 409, 422)},
    operation_id="vendor_assess",
)
def vendor_assess(
    request: HttpRequest, project_id: PathId, contract_id: PathId, payload: AssessmentIn
) -> Any:
    """The vendor's scorecard on the closed contract (1 poor – 5 excellent)."""
    services.vendor_assess(
        actor=request.auth,
        project_id=project_id,
        contract_id=contract_id,
        data=payload.model_dump(),
    )
    return 201, _contract(request, project_id, contract_id)


# --- release ------------------------------------------------------------------------------------


class ReleaseOut(Schema):
    released_by: UserRef | None
    released_on: dt.date
    assignments: list[dict[str, Any]]
    hours_released: Decimal
    budget_total: Decimal
    actual_total: Decimal
    budget_returned: Decimal


@router.get(
    "/projects/{project_id}/release",
    response={200: ReleaseOut, **problems(404)},
    operation_id="release_get",
)
def release_get(request: HttpRequest, project_id: PathId) -> Any:
    """The release report."""
    release = selectors.release_get(actor=request.auth, project=_project(request, project_id))
    if release is None:
        raise NotFound("The project's resources have not been released.")
    return release


@router.post(
    "/projects/{project_id}/release",
    response={201: ReleaseOut, **problems(403, 404, 409)},
    operation_id="resources_release",
)
def resources_release(request: HttpRequest, project_id: PathId) -> Any:
    """End the future assignments, return unspent budget to the portfolio; the release report."""
    return 201, services.resources_release(actor=request.auth, project_id=project_id)


# --- review and benefits ------------------------------------------------------------------------


class ReviewOut(Schema):
    facts: dict[str, Any]
    objectives: list[dict[str, Any]]
    summary: str
    went_well: str
    to_improve: str
    state: ReviewState
    lessons_sent: int
    finalised_by: UserRef | None
    finalised_at: dt.datetime | None
    version: int


class ObjectiveJudgement(Schema):
    achieved: Annotated[Text, Field(max_length=300)] = ""
    met: bool | None = None


class ReviewPatch(Schema):
    version: Version
    summary: Text | None = None
    went_well: Text | None = None
    to_improve: Text | None = None
    objectives: list[ObjectiveJudgement] | None = Field(
        None, description="One entry per charter objective, in the charter's order."
    )


class LessonIn(Schema):
    category: Annotated[Text, Field(min_length=1, max_length=100)]
    what_happened: Annotated[Text, Field(min_length=1)]
    impact: Text = ""
    recommendation: Annotated[Text, Field(min_length=1)]
    tags: list[Annotated[Text, Field(max_length=50)]] = []


class VersionIn(Schema):
    version: Version | None = None


def _review(request: HttpRequest, project_id: int) -> Any:
    review = selectors.pir_get(actor=request.auth, project=_project(request, project_id))
    if review is None:
        raise NotFound("The post-implementation review has not been started.")
    return review


@router.get(
    "/projects/{project_id}/review",
    response={200: ReviewOut, **problems(404)},
    operation_id="review_get",
)
def review_get(request: HttpRequest, project_id: PathId) -> Any:
    return _review(request, project_id)


@router.post(
    "/projects/{project_id}/review/refresh",
    response={200: ReviewOut, **problems(403, 404, 409)},
    operation_id="review_refresh",
)
def review_refresh(request: HttpRequest, project_id: PathId) -> Any:
    """Fill the review's facts in from the project's data (keeps the judgements)."""
    return services.pir_refresh(actor=request.auth, project_id=project_id)


@router.patch(
    "/projects/{project_id}/review",
    response={200: ReviewOut, **problems(403, 404, 409, 422)},
    operation_id="review_update",
)
def review_update(request: HttpRequest, project_id: PathId, payload: ReviewPatch) -> Any:
    data = patch_data(payload)
    return services.pir_update(
        actor=request.auth, project_id=project_id, version=payload.version, data=data
    )


@router.post(
    "/projects/{project_id}/review/lessons",
    response={201: dict[str, Any], **problems(403, 404, 409, 422)},
    operation_id="review_lesson_add",
)
def review_lesson_add(request: HttpRequest, project_id: PathId, payload: LessonIn) -> Any:
    """A lesson from the review, straight into the PMO's lessons learned repository."""
    lesson = services.pir_lesson_add(
        actor=request.auth, project_id=project_id, **payload.model_dump()
    )
    return 201, {"id": lesson.pk}


@router.post(
    "/projects/{project_id}/review/finalise",
    response={200: ReviewOut, **problems(403, 404, 409)},
    operation_id="review_finalise",
)
def review_finalise(request: HttpRequest, project_id: PathId, payload: VersionIn) -> Any:
    return services.pir_finalise(actor=request.auth, project_id=project_id, version=payload.version)


class BenefitIn(Schema):
    name: Name
    measure: Name
    planned_value: Money
    planned_by: dt.date
    owner_id: Id | None = None


class BenefitOut(Schema):
    id: int
    name: str
    measure: str
    planned_value: Decimal
    planned_by: dt.date
    owner: UserRef | None
    realised: Decimal | None
    realised_on: dt.date | None
    percent: float | None


class MeasurementIn(Schema):
    date: dt.date
    value: Money
    note: Annotated[Text, Field(max_length=300)] = ""


def _benefit_out(row: Any) -> dict[str, Any]:
    b = row.benefit
    return {
        "id": b.pk,
        "name": b.name,
        "measure": b.measure,
        "planned_value": b.planned_value,
        "planned_by": b.planned_by,
        "owner": b.owner,
        "realised": row.realised,
        "realised_on": row.realised_on,
        "percent": row.percent,
    }


def _benefit(request: HttpRequest, project_id: int, benefit_id: int) -> dict[str, Any]:
    rows = selectors.benefit_rows(actor=request.auth, project=_project(request, project_id))
    for row in rows:
        if row.benefit.pk == benefit_id:
            return _benefit_out(row)
    raise NotFound(services.BENEFIT_NOT_FOUND.format(id=benefit_id))


@router.get(
    "/projects/{project_id}/benefits",
    response={200: list[BenefitOut], **problems(404)},
    operation_id="benefit_list",
)
def benefit_list(request: HttpRequest, project_id: PathId) -> Any:
    """Benefits planned vs realised (latest measurement), tracked after closure too."""
    rows = selectors.benefit_rows(actor=request.auth, project=_project(request, project_id))
    return [_benefit_out(r) for r in rows]


@router.post(
    "/projects/{project_id}/benefits",
    response={201: BenefitOut, **problems(403, 404, 422)},
    operation_id="benefit_create",
)
def benefit_create(request: HttpRequest, project_id: PathId, payload: BenefitIn) -> Any:
    benefit = services.benefit_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump(exclude_none=True)
    )
    return 201, _benefit(request, project_id, benefit.pk)


@router.post(
    "/projects/{project_id}/benefits/{benefit_id}/measurements",
    response={201: BenefitOut, **problems(403, 404, 422)},
    operation_id="benefit_measure",
)
def benefit_measure(
    request: HttpRequest, project_id: PathId, benefit_id: PathId, payload: MeasurementIn
) -> Any:
    """What the benefit realised by a date; also once the project is closed."""
    services.benefit_measure(
        actor=request.auth, project_id=project_id, benefit_id=benefit_id, **payload.model_dump()
    )
    return 201, _benefit(request, project_id, benefit_id)


# --- close, reopen, archive ---------------------------------------------------------------------


class ProjectStageOut(Schema):
    id: int
    code: str
    stage: Stage
    version: int


class ReopenIn(Schema):
    reason: Annotated[Text, Field(min_length=1)]


class ArchiveOut(Schema):
    id: int
    size: int
    sha256: str
    records: int
    retain_until: dt.date
    created_at: dt.datetime
    built_by: UserRef | None


@router.post(
    "/projects/{project_id}/close",
    response={200: ProjectStageOut, **problems(403, 404, 409)},
    operation_id="project_close",
)
def project_close(request: HttpRequest, project_id: PathId) -> Any:
    """Close the project once the closing gate's criteria hold and resources are released; it
    becomes read-only and its archive bundle is built."""
    return services.project_close(actor=request.auth, project_id=project_id)


@router.post(
    "/projects/{project_id}/reopen",
    response={200: ProjectStageOut, **problems(403, 404, 409, 422)},
    operation_id="project_reopen",
)
def project_reopen(request: HttpRequest, project_id: PathId, payload: ReopenIn) -> Any:
    """PMO admins only: back to closing, with the reason (audited)."""
    return services.project_reopen(actor=request.auth, project_id=project_id, reason=payload.reason)


@router.get(
    "/projects/{project_id}/archives",
    response={200: list[ArchiveOut], **problems(404)},
    operation_id="archive_list",
)
def archive_list(request: HttpRequest, project_id: PathId) -> Any:
    """Archive bundles (the PMO, the PM and the sponsor see them)."""
    return list(selectors.archive_list(actor=request.auth, project=_project(request, project_id)))


@router.post(
    "/projects/{project_id}/archives",
    response={201: ArchiveOut, **problems(403, 404, 409)},
    operation_id="archive_build",
)
def archive_build(request: HttpRequest, project_id: PathId) -> Any:
    """Build a fresh archive bundle of the closed project."""
    return 201, services.archive_build(actor=request.auth, project_id=project_id)


@router.get(
    "/projects/{project_id}/archives/{archive_id}/download",
    response={200: None, **problems(404)},
    operation_id="archive_download",
    openapi_extra=BINARY,
)
def archive_download(request: HttpRequest, project_id: PathId, archive_id: PathId) -> Any:
    """The zip: records.json, tables/*.csv, documents/, final-report.pdf, MANIFEST.txt."""
    archive = selectors.archive_get(
        actor=request.auth, project=_project(request, project_id), archive_id=archive_id
    )
    try:
        handle = archive.file.open("rb")
    except FileNotFoundError:
        raise NotFound(ARCHIVE_FILE_MISSING.format(id=archive_id)) from None
    name = archive.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@router.get(
    "/projects/{project_id}/final-report",
    response={200: None, **problems(404)},
    operation_id="final_report",
    openapi_extra=BINARY,
)
def final_report(request: HttpRequest, project_id: PathId) -> Any:
    """The final report PDF, from the project's data as it stands."""
    project = _project(request, project_id)
    require_internal(request.auth, project)
    response = HttpResponse(
        final_report_pdf(project, actor=request.auth), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-final-report.pdf"'
    return response
