"""A project's controls over the API: risk register and heat map, budget lines and summary,
quality plan, communication plan.

Each operation translates: it parses, calls one service or selector (after the `access_project`
gatekeeper) and shapes the answer. Rules live in pmo.controls.services.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from pmo.controls import selectors, services
from pmo.controls.models import (
    Channel,
    CostCategory,
    Frequency,
    QualityStatus,
    ResponseStrategy,
    ReviewMethod,
    RiskCategory,
    RiskKind,
    RiskStatus,
)
from pmo.projects.policies import access_project

from .pagination import Pagination
from .schemas import MAX_DB_INT, Id, PathId, Text, UserRef, Version, patch_data, problems

router = Router(tags=["risks"])

Score = Annotated[int, Field(ge=1, le=5, description="1 (very low) to 5 (very high).")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Days = Annotated[int, Field(ge=0, le=2**31 - 1)]
Strategy = ResponseStrategy | Literal[""]
_WRITES = ("create", "update", "delete")


# --- schemas ------------------------------------------------------------------------------------


class TaskRef(Schema):
    id: int
    wbs: str
    name: str


class StakeholderRef(Schema):
    id: int
    name: str


class RiskFilters(Schema):
    kind: RiskKind | None = None
    status: RiskStatus | None = None


class RiskIn(Schema):
    title: Text = Field(max_length=200)
    kind: RiskKind = RiskKind.THREAT
    cause: Text = ""
    event: Text = ""
    effect: Text = ""
    category: RiskCategory = RiskCategory.TECHNICAL
    probability: Score = 3
    impact: Score = 3
    cost_impact: Money | None = None
    schedule_impact_days: Days | None = None
    owner_id: Id | None = None
    strategy: Strategy = Field(
        "",
        description="Threats: avoid, mitigate, transfer, accept, "
        "escalate. Opportunities: exploit, enhance, share, accept, escalate.",
    )
    response_actions: Text = ""
    trigger: Text = ""
    status: RiskStatus = RiskStatus.OPEN
    review_date: dt.date | None = None
    task_ids: list[Id] = Field(default_factory=list, description="Tasks of the same project.")


class RiskPatch(Schema):
    version: Version
    title: Text | None = Field(None, max_length=200)
    kind: RiskKind | None = None
    cause: Text | None = None
    event: Text | None = None
    effect: Text | None = None
    category: RiskCategory | None = None
    probability: Score | None = None
    impact: Score | None = None
    cost_impact: Money | None = None
    schedule_impact_days: Days | None = None
    owner_id: Id | None = None
    strategy: Strategy | None = None
    response_actions: Text | None = None
    trigger: Text | None = None
    status: RiskStatus | None = None
    review_date: dt.date | None = None
    task_ids: list[Id] | None = None


class RiskOut(Schema):
    id: int
    number: int
    kind: RiskKind
    title: str
    cause: str
    event: str
    effect: str
    category: RiskCategory
    probability: int
    impact: int
    score: int = Field(description="Probability × impact, 1 to 25.")
    cost_impact: Decimal | None
    schedule_impact_days: int | None
    owner: UserRef | None
    strategy: Strategy
    response_actions: str
    trigger: str
    status: RiskStatus
    review_date: dt.date | None
    tasks: list[TaskRef]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class HeatCellOut(Schema):
    probability: int
    impact: int
    score: int
    level: Literal["low", "medium", "high", "severe"]
    count: int
    risk_ids: list[int]


class HeatMapOut(Schema):
    rows: list[list[HeatCellOut]] = Field(
        description="Probability 5 (first row) down to 1; in each row impact 1 to 5."
    )
    total: int


class BudgetLineIn(Schema):
    category: CostCategory
    period: dt.date = Field(description="Any day of the month; stored as its first day.")
    amount: Money
    description: Text = Field("", max_length=200)


class BudgetLinePatch(Schema):
    version: Version
    category: CostCategory | None = None
    period: dt.date | None = None
    amount: Money | None = None
    description: Text | None = Field(None, max_length=200)


class BudgetLineOut(Schema):
    id: int
    category: CostCategory
    period: dt.date
    amount: Decimal
    description: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class BudgetRowOut(Schema):
    key: str
    label: str
    amounts: list[Decimal] = Field(description="One per month of `months`.")
    cumulative: list[Decimal]
    total: Decimal


class BudgetSummaryOut(Schema):
    months: list[dt.date] = Field(description="First day of each month, without gaps.")
    categories: list[BudgetRowOut]
    budget: BudgetRowOut = Field(description="All budget lines.")
    tasks: BudgetRowOut = Field(
        description="Planned cost of the tasks, spread over their early dates by calendar days."
    )
    unscheduled_task_cost: Decimal
    task_cost_total: Decimal


class QualityItemIn(Schema):
    deliverable: Text = Field(max_length=200)
    acceptance_criteria: Text
    quality_standards: Text = ""
    review_method: ReviewMethod = ReviewMethod.INSPECTION
    reviewer_id: Id | None = None
    due_date: dt.date | None = None
    status: QualityStatus = QualityStatus.PLANNED


class QualityItemPatch(Schema):
    version: Version
    deliverable: Text | None = Field(None, max_length=200)
    acceptance_criteria: Text | None = None
    quality_standards: Text | None = None
    review_method: ReviewMethod | None = None
    reviewer_id: Id | None = None
    due_date: dt.date | None = None
    status: QualityStatus | None = None


class QualityItemOut(Schema):
    id: int
    deliverable: str
    acceptance_criteria: str
    quality_standards: str
    review_method: ReviewMethod
    reviewer: UserRef | None
    due_date: dt.date | None
    status: QualityStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CommunicationItemIn(Schema):
    information: Text = Field(max_length=200)
    stakeholder_ids: list[Id] = Field(
        default_factory=list, description="The audience: stakeholders of the same project."
    )
    audience_description: Text = Field("", max_length=200)
    frequency: Frequency = Frequency.MONTHLY
    channel: Channel = Channel.EMAIL
    owner_id: Id | None = None
    next_due: dt.date | None = None


class CommunicationItemPatch(Schema):
    version: Version
    information: Text | None = Field(None, max_length=200)
    stakeholder_ids: list[Id] | None = None
    audience_description: Text | None = Field(None, max_length=200)
    frequency: Frequency | None = None
    channel: Channel | None = None
    owner_id: Id | None = None
    next_due: dt.date | None = None


class CommunicationItemOut(Schema):
    id: int
    information: str
    audience: list[StakeholderRef]
    audience_description: str
    frequency: Frequency
    channel: Channel
    owner: UserRef | None
    next_due: dt.date | None
    is_overdue: bool = Field(description="Due before today.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_is_overdue(obj: Any) -> bool:
        # rows from the selector carry the annotation; a row just written is compared here
        overdue = getattr(obj, "is_overdue", None)
        if overdue is None:
            return obj.next_due is not None and obj.next_due < timezone.localdate()
        return bool(overdue)


# --- operations ---------------------------------------------------------------------------------


def _project(request: HttpRequest, project_id: int) -> Any:
    return access_project(request.auth, project_id)


def _operation(name: str, verb: str, tag: str) -> dict[str, Any]:
    operation_id = f"{name}_{verb}"
    return {
        "operation_id": operation_id,
        "summary": operation_id.replace("_", " ").title(),
        "tags": [tag],
    }


def _rows(
    *,
    path: str,
    name: str,
    tag: str,
    payload_in: type[Schema],
    payload_patch: type[Schema],
    out: type[Schema],
    list_selector: Callable[..., Any] | None,
    get_selector: Callable[..., Any],
) -> None:
    """List, create, get, change and delete one kind of row of a project.

    The operations are `<name>_list`, `<name>_create`, … and call the service or selector of
    the same name with `<name>_id`.
    """
    id_name = f"{name}_id"
    ItemId = Annotated[int, Path(ge=1, le=MAX_DB_INT, alias=id_name)]
    collection, item = "/{project_id}/" + path, "/{project_id}/" + path + "/{" + id_name + "}"
    create, update, delete = (getattr(services, f"{name}_{verb}") for verb in _WRITES)

    if list_selector is not None:

        @router.get(
            collection,
            response={200: list[out], **problems(404, 422)},
            **_operation(name, "list", tag),
        )
        @paginate(Pagination)
        def rows(request: HttpRequest, project_id: PathId) -> Any:
            return list_selector(actor=request.auth, project=_project(request, project_id))

    @router.post(
        collection,
        response={201: out, **problems(403, 404, 422)},
        **_operation(name, "create", tag),
    )
    def row_create(request: HttpRequest, project_id: PathId, payload: payload_in) -> Any:
        data = payload.model_dump()
        return 201, create(actor=request.auth, project_id=project_id, data=data)

    @router.get(item, response={200: out, **problems(404)}, **_operation(name, "get", tag))
    def row_get(request: HttpRequest, project_id: PathId, item_id: ItemId) -> Any:
        project = _project(request, project_id)
        return get_selector(actor=request.auth, project=project, **{id_name: item_id})

    @router.patch(
        item,
        response={200: out, **problems(403, 404, 409, 422)},
        **_operation(name, "update", tag),
    )
    def row_update(
        request: HttpRequest,
        project_id: PathId,
        item_id: ItemId,
        payload: payload_patch,
    ) -> Any:
        return update(
            actor=request.auth,
            project_id=project_id,
            version=payload.version,
            data=patch_data(payload),
            **{id_name: item_id},
        )

    @router.delete(
        item,
        response={204: None, **problems(403, 404)},
        **_operation(name, "delete", tag),
    )
    def row_delete(request: HttpRequest, project_id: PathId, item_id: ItemId) -> Any:
        delete(actor=request.auth, project_id=project_id, **{id_name: item_id})
        return 204, None


# The register has filters and a heat map; both come before /risks/{risk_id}.
@router.get(
    "/{project_id}/risks",
    response={200: list[RiskOut], **problems(404, 422)},
    operation_id="risk_list",
)
@paginate(Pagination)
def risk_list(request: HttpRequest, project_id: PathId, filters: Query[RiskFilters]) -> Any:
    return selectors.risk_list(
        actor=request.auth,
        project=_project(request, project_id),
        kind=filters.kind or "",
        status=filters.status or "",
    )


@router.get(
    "/{project_id}/risks/heat-map",
    response={200: HeatMapOut, **problems(404, 422)},
    operation_id="risk_heat_map",
)
def risk_heat_map(
    request: HttpRequest,
    project_id: PathId,
    kind: RiskKind | None = None,
    include_closed: bool = False,
) -> Any:
    return selectors.risk_heat_map(
        actor=request.auth,
        project=_project(request, project_id),
        kind=kind or "",
        include_closed=include_closed,
    )


_rows(
    path="risks",
    name="risk",
    tag="risks",
    payload_in=RiskIn,
    payload_patch=RiskPatch,
    out=RiskOut,
    list_selector=None,
    get_selector=selectors.risk_get,
)


@router.get(
    "/{project_id}/budget/summary",
    response={200: BudgetSummaryOut, **problems(404)},
    operation_id="budget_summary",
    tags=["budget"],
)
def budget_summary(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.budget_summary(actor=request.auth, project=_project(request, project_id))


_rows(
    path="budget-lines",
    name="budget_line",
    tag="budget",
    payload_in=BudgetLineIn,
    payload_patch=BudgetLinePatch,
    out=BudgetLineOut,
    list_selector=selectors.budget_line_list,
    get_selector=selectors.budget_line_get,
)
_rows(
    path="quality-items",
    name="quality_item",
    tag="quality",
    payload_in=QualityItemIn,
    payload_patch=QualityItemPatch,
    out=QualityItemOut,
    list_selector=selectors.quality_items,
    get_selector=selectors.quality_item_get,
)
_rows(
    path="communication-items",
    name="communication_item",
    tag="communication",
    payload_in=CommunicationItemIn,
    payload_patch=CommunicationItemPatch,
    out=CommunicationItemOut,
    list_selector=selectors.communication_items,
    get_selector=selectors.communication_item_get,
)
