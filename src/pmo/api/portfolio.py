"""Portfolio management over the API: portfolios and goals, intake requests and their workflow,
scoring models, assessments and rankings, selection scenarios.

Each operation translates: it parses, calls one service or selector and shapes the answer.
Rules live in pmo.portfolio.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pmo.core.errors import NotFound, ValidationFailed
from pmo.portfolio import adapters, selectors, services
from pmo.portfolio.models import MAX_PERIODS, RequestState, RiskLevel, ValueBasis
from pmo.portfolio.policies import require_portfolio_reader

from .pagination import Pagination
from .schemas import MAX_DB_INT, Id, Text, UserRef, Version, patch_data, problems

router = Router(tags=["portfolio"])

ObjectId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
Amount = Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100)]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Years = Annotated[list[Amount], Field(max_length=MAX_PERIODS)]
BAD_WEIGHTS = "weights must read 'criterion id:weight,…' with weights of 0 or more."


# --- schemas ------------------------------------------------------------------------------------


class PortfolioIn(Schema):
    name: Text = Field(max_length=120)
    description: Text = ""
    owner_id: Id | None = None
    discount_rate: Rate = Decimal("8.00")


class PortfolioPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=120)
    description: Text | None = None
    owner_id: Id | None = None
    discount_rate: Rate | None = None


class PortfolioOut(Schema):
    id: int
    name: str
    description: str
    owner: UserRef | None
    discount_rate: Decimal
    version: int


class GoalIn(Schema):
    name: Text = Field(max_length=150)
    description: Text = ""
    is_active: bool = True


class GoalPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=150)
    description: Text | None = None
    is_active: bool | None = None


class GoalOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    version: int


class RequestIn(Schema):
    title: Text = Field(max_length=200)
    sponsor_id: Id | None = None
    portfolio_id: Id | None = None
    problem: Text = ""
    objectives: Text = Field("", description="One objective a line.")
    target_start: dt.date | None = None
    target_finish: dt.date | None = None
    risk_level: RiskLevel = RiskLevel.MEDIUM
    mandatory: bool = False
    approval_probability: Percent = 50
    goal_ids: list[Id] = Field(default_factory=list)
    requires_ids: list[Id] = Field(default_factory=list, description="Requests this one needs.")
    excludes_ids: list[Id] = Field(default_factory=list, description="Alternatives to this one.")
    requires_project_ids: list[Id] = Field(default_factory=list)
    costs: Years = Field(default_factory=list, description="Cost per year from the start.")
    benefits: Years = Field(default_factory=list, description="Benefit per year from the start.")
    demand: dict[str, Years] = Field(
        default_factory=dict, description="Job role id → hours per year from the start."
    )


class RequestPatch(Schema):
    version: Version
    title: Text | None = Field(None, max_length=200)
    sponsor_id: Id | None = None
    portfolio_id: Id | None = None
    problem: Text | None = None
    objectives: Text | None = None
    target_start: dt.date | None = None
    target_finish: dt.date | None = None
    risk_level: RiskLevel | None = None
    mandatory: bool | None = None
    approval_probability: Percent | None = None
    goal_ids: list[Id] | None = None
    requires_ids: list[Id] | None = None
    excludes_ids: list[Id] | None = None
    requires_project_ids: list[Id] | None = None
    costs: Years | None = None
    benefits: Years | None = None
    demand: dict[str, Years] | None = None


class Ref(Schema):
    id: int
    name: str


class RequestRef(Schema):
    id: int
    code: str
    title: str
    state: RequestState


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class FinanceOut(Schema):
    total_cost: Decimal
    total_benefit: Decimal
    npv: Decimal = Field(description="At the portfolio's discount rate, year 0 undiscounted.")
    roi: Decimal | None = Field(description="Percent; empty without cost.")
    payback_years: Decimal | None = Field(description="Empty when never repaid.")


class RequestOut(Schema):
    id: int
    code: str
    title: str
    state: RequestState
    requester: UserRef
    sponsor: UserRef | None
    portfolio: Ref | None
    problem: str
    objectives: str
    goals: list[Ref]
    target_start: dt.date | None
    target_finish: dt.date | None
    risk_level: RiskLevel
    mandatory: bool
    approval_probability: int
    requires: list[RequestRef]
    excludes: list[RequestRef]
    requires_projects: list[ProjectRef]
    costs: list[Decimal]
    benefits: list[Decimal]
    demand: dict[str, list[Decimal]] = Field(description="Job role name → hours per year.")
    finance: FinanceOut
    attachments: list[AttachmentOut]
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_comment: str
    project: ProjectRef | None
    version: int

    @staticmethod
    def resolve_goals(obj: Any) -> list[Any]:
        return list(obj.goals.all())

    @staticmethod
    def resolve_requires(obj: Any) -> list[Any]:
        return list(obj.requires.all())

    @staticmethod
    def resolve_excludes(obj: Any) -> list[Any]:
        return list(obj.excludes.all())

    @staticmethod
    def resolve_requires_projects(obj: Any) -> list[Any]:
        return list(obj.requires_projects.all())

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_costs(obj: Any) -> list[Decimal]:
        return selectors.request_costs(obj)

    @staticmethod
    def resolve_benefits(obj: Any) -> list[Decimal]:
        return selectors.request_benefits(obj)

    @staticmethod
    def resolve_demand(obj: Any) -> dict[str, list[Decimal]]:
        return selectors.request_demand(obj)

    @staticmethod
    def resolve_finance(obj: Any) -> Any:
        return selectors.request_finance(obj)


class RequestFilters(Schema):
    state: RequestState | None = None
    portfolio: Id | None = None
    search: Text = ""


class ActionIn(Schema):
    version: Version | None = None


class DecisionIn(Schema):
    version: Version | None = None
    decision: Literal["approve", "reject", "defer"]
    comment: Text = ""


class ConvertIn(Schema):
    version: Version | None = None
    code: Text = Field(max_length=20, examples=["PRJ-042"])
    manager_id: Id
    name: Text = Field("", max_length=200, description="Empty: the request's title.")


class ComparableOut(Schema):
    project: ProjectRef
    baseline_days: int
    actual_days: int
    baseline_cost: Decimal
    actual_cost: Decimal
    duration_ratio: float
    cost_ratio: float | None


class ReferenceClassOut(Schema):
    band: str = Field(description="Size band by first-baseline cost.")
    scope: str = Field(description="The request's portfolio when it has enough, else every one.")
    enough: bool
    message: str
    estimate_days: int | None
    estimate_cost: Decimal | None
    duration: dict[str, float] = Field(description="P50 and P80 days for this request.")
    cost: dict[str, float] = Field(description="P50 and P80 cost for this request.")
    duration_overrun: dict[str, float]
    cost_overrun: dict[str, float]
    projects: list[ComparableOut]


class CriterionIn(Schema):
    id: Id | None = Field(None, description="An existing criterion, when changing a model.")
    name: Text = Field(max_length=120)
    description: Text = ""
    weight: Annotated[Decimal, Field(ge=0, lt=10_000, max_digits=6, decimal_places=2)] = Decimal(1)
    scale_max: Annotated[int, Field(ge=2, le=10)] = 5
    levels: list[Text] = Field(default_factory=list, description="What each score means.")


class ScoringModelIn(Schema):
    name: Text = Field(max_length=120)
    description: Text = ""
    is_active: bool = True
    criteria: list[CriterionIn]


class ScoringModelPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=120)
    description: Text | None = None
    is_active: bool | None = None
    criteria: list[CriterionIn] | None = None


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    scale_max: int
    levels: list[str]


class ScoringModelOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    criteria: list[CriterionOut]
    version: int

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class AssessmentIn(Schema):
    version: Version | None = None
    model_id: Id
    scores: dict[str, int] = Field(description="Criterion id → score from 1 to its scale.")
    comment: Text = ""


class AssessmentOut(Schema):
    id: int
    model: Ref
    assessor: UserRef
    scores: dict[str, int]
    comment: str
    version: int


class RankedOut(Schema):
    request: RequestRef
    means: dict[str, float] = Field(description="Criterion id → mean of the assessors' scores.")
    assessors: int
    total: float | None = Field(description="0 to 100 under the weights asked for.")
    rank: int | None
    base_total: float | None = Field(description="Under the model's own weights.")
    base_rank: int | None
    movement: int | None = Field(description="Places gained against the model's own weights.")


class CandidateIn(Schema):
    request_id: Id
    earliest_start: Annotated[int, Field(ge=0, lt=MAX_PERIODS)] = 0
    latest_start: Annotated[int, Field(ge=0, lt=MAX_PERIODS)] | None = None


class ScenarioIn(Schema):
    portfolio_id: Id
    name: Text = Field(max_length=150)
    description: Text = ""
    first_year: Annotated[int, Field(ge=2000, le=2200)]
    periods: Annotated[int, Field(ge=1, le=MAX_PERIODS)] = 3
    value_basis: ValueBasis = ValueBasis.SCORE
    scoring_model_id: Id | None = None
    budget: Years = Field(description="Money available per year.")
    capacity: dict[str, Years] = Field(
        default_factory=dict,
        description="Job role name → hours per year; empty: the pool's free capacity.",
    )
    candidates: list[CandidateIn] | None = Field(
        None, description="Empty: every open request of the portfolio."
    )


class ScenarioPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=150)
    description: Text | None = None
    first_year: Annotated[int, Field(ge=2000, le=2200)] | None = None
    periods: Annotated[int, Field(ge=1, le=MAX_PERIODS)] | None = None
    value_basis: ValueBasis | None = None
    scoring_model_id: Id | None = None
    budget: Years | None = None
    capacity: dict[str, Years] | None = None
    candidates: list[CandidateIn] | None = None


class CandidateOut(Schema):
    request: RequestRef
    earliest_start: int
    latest_start: int


class ProfileOut(Schema):
    value: float
    ids: list[str]
    starts: dict[str, int]
    cost: list[float]
    total_cost: float
    budget: list[float]
    demand: dict[str, list[float]]
    capacity: dict[str, list[float]]
    load: dict[str, list[float]] = Field(description="Running projects' demand.")
    utilisation: dict[str, list[float | None]] = Field(
        description="Percent of capacity used by running projects and the selection."
    )


class ResultsOut(Schema):
    status: Literal["optimal", "feasible", "infeasible", "no_solution"]
    objective: float | None
    bound: float | None
    gap: float | None = Field(description="Relative: (bound - objective) / objective.")
    message: str = Field(description="Why an infeasible scenario has no selection.")
    seconds: float | None
    optimal: ProfileOut
    greedy: ProfileOut
    value_gained: float
    gain_percent: float | None
    only_optimal: list[str]
    only_greedy: list[str]
    left_out: dict[str, str]
    frontier: list[dict[str, float]]


class ScenarioOut(Schema):
    id: int
    portfolio: Ref
    name: str
    description: str
    first_year: int
    periods: int
    value_basis: ValueBasis
    scoring_model: Ref | None
    budget: list[Decimal]
    capacity: dict[str, list[Decimal]]
    state: str
    run_at: dt.datetime | None
    candidates: list[CandidateOut]
    results: ResultsOut | None
    version: int

    @staticmethod
    def resolve_candidates(obj: Any) -> list[Any]:
        return list(obj.candidates.select_related("request").order_by("request__number"))

    @staticmethod
    def resolve_results(obj: Any) -> Any:
        return selectors.scenario_results(obj)


class ScenarioSummaryOut(Schema):
    id: int
    portfolio: Ref
    name: str
    first_year: int
    periods: int
    value_basis: ValueBasis
    state: str
    run_at: dt.datetime | None
    candidate_count: int
    version: int


class RunIn(Schema):
    time_limit: Annotated[float, Field(gt=0, le=60)] = 10.0


class CapacityOut(Schema):
    years: list[int]
    supply: dict[str, list[float]]
    load: dict[str, list[float]] = Field(description="Running projects' assignments.")
    free: dict[str, list[float]]
    pending: dict[str, list[float]] = Field(
        description="Requests awaiting a decision, weighted by their approval probability."
    )


class CompareOut(Schema):
    a: ScenarioOut
    b: ScenarioOut


# --- portfolios and goals -----------------------------------------------------------------------


@router.get("/portfolios", response={200: list[PortfolioOut]}, operation_id="portfolio_list")
@paginate(Pagination)
def portfolio_list(request: HttpRequest) -> Any:
    return selectors.portfolio_list()


@router.post(
    "/portfolios",
    response={201: PortfolioOut, **problems(403, 422)},
    operation_id="portfolio_create",
)
def portfolio_create(request: HttpRequest, payload: PortfolioIn) -> Any:
    return 201, services.portfolio_create(actor=request.auth, data=payload.model_dump())


# Before /portfolios/{portfolio_id}.
@router.get(
    "/portfolios/capacity",
    response={200: CapacityOut, **problems(403)},
    operation_id="portfolio_capacity",
)
def portfolio_capacity(
    request: HttpRequest,
    first_year: Annotated[int, Query(ge=2000, le=2200)],
    periods: Annotated[int, Query(ge=1, le=MAX_PERIODS)] = 3,
) -> Any:
    """Hours per job role and year: the pool's supply, running projects' load, what is free."""
    require_portfolio_reader(request.auth)
    return adapters.pool_capacity(first_year, periods)


@router.patch(
    "/portfolios/{portfolio_id}",
    response={200: PortfolioOut, **problems(403, 404, 409, 422)},
    operation_id="portfolio_update",
)
def portfolio_update(request: HttpRequest, portfolio_id: ObjectId, payload: PortfolioPatch) -> Any:
    return services.portfolio_update(
        actor=request.auth,
        portfolio_id=portfolio_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.get("/goals", response={200: list[GoalOut]}, operation_id="goal_list")
@paginate(Pagination)
def goal_list(request: HttpRequest) -> Any:
    return selectors.goal_list()


@router.post("/goals", response={201: GoalOut, **problems(403, 422)}, operation_id="goal_create")
def goal_create(request: HttpRequest, payload: GoalIn) -> Any:
    return 201, services.goal_create(actor=request.auth, data=payload.model_dump())


@router.patch(
    "/goals/{goal_id}",
    response={200: GoalOut, **problems(403, 404, 409, 422)},
    operation_id="goal_update",
)
def goal_update(request: HttpRequest, goal_id: ObjectId, payload: GoalPatch) -> Any:
    return services.goal_update(
        actor=request.auth, goal_id=goal_id, version=payload.version, data=patch_data(payload)
    )


# --- intake requests ----------------------------------------------------------------------------


def _request(request: HttpRequest, request_id: int) -> Any:
    return selectors.request_get(actor=request.auth, request_id=request_id)


@router.get("/intake", response={200: list[RequestOut]}, operation_id="intake_list")
@paginate(Pagination)
def intake_list(request: HttpRequest, filters: Query[RequestFilters]) -> Any:
    return selectors.request_list(
        actor=request.auth,
        state=filters.state or "",
        portfolio_id=filters.portfolio,
        search=filters.search,
    )


@router.post(
    "/intake", response={201: RequestOut, **problems(403, 422)}, operation_id="intake_create"
)
def intake_create(request: HttpRequest, payload: RequestIn) -> Any:
    created = services.request_create(actor=request.auth, data=payload.model_dump())
    return 201, _request(request, created.pk)


@router.get(
    "/intake/{request_id}", response={200: RequestOut, **problems(404)}, operation_id="intake_get"
)
def intake_get(request: HttpRequest, request_id: ObjectId) -> Any:
    return _request(request, request_id)


@router.patch(
    "/intake/{request_id}",
    response={200: RequestOut, **problems(403, 404, 409, 422)},
    operation_id="intake_update",
)
def intake_update(request: HttpRequest, request_id: ObjectId, payload: RequestPatch) -> Any:
    services.request_update(
        actor=request.auth, request_id=request_id, version=payload.version, data=patch_data(payload)
    )
    return _request(request, request_id)


@router.post(
    "/intake/{request_id}/submit",
    response={200: RequestOut, **problems(403, 404, 409, 422)},
    operation_id="intake_submit",
)
def intake_submit(
    request: HttpRequest, request_id: ObjectId, payload: ActionIn | None = None
) -> Any:
    services.request_submit(
        actor=request.auth, request_id=request_id, version=payload.version if payload else None
    )
    return _request(request, request_id)


@router.post(
    "/intake/{request_id}/assess",
    response={200: RequestOut, **problems(403, 404, 409)},
    operation_id="intake_assess",
)
def intake_assess(
    request: HttpRequest, request_id: ObjectId, payload: ActionIn | None = None
) -> Any:
    services.request_assess(
        actor=request.auth, request_id=request_id, version=payload.version if payload else None
    )
    return _request(request, request_id)


@router.post(
    "/intake/{request_id}/decide",
    response={200: RequestOut, **problems(403, 404, 409, 422)},
    operation_id="intake_decide",
)
def intake_decide(request: HttpRequest, request_id: ObjectId, payload: DecisionIn) -> Any:
    services.request_decide(
        actor=request.auth,
        request_id=request_id,
        version=payload.version,
        decision=payload.decision,
        comment=payload.comment,
    )
    return _request(request, request_id)


@router.post(
    "/intake/{request_id}/convert",
    response={201: ProjectRef, **problems(403, 404, 409, 422)},
    operation_id="intake_convert",
)
def intake_convert(request: HttpRequest, request_id: ObjectId, payload: ConvertIn) -> Any:
    project = services.request_convert(
        actor=request.auth,
        request_id=request_id,
        version=payload.version,
        code=payload.code,
        manager_id=payload.manager_id,
        name=payload.name,
    )
    return 201, project


@router.get(
    "/intake/{request_id}/reference-class",
    response={200: ReferenceClassOut, **problems(404)},
    operation_id="intake_reference_class",
)
def intake_reference_class(request: HttpRequest, request_id: ObjectId) -> Any:
    ref = selectors.reference_class(_request(request, request_id))
    return {
        **{k: getattr(ref, k) for k in ReferenceClassOut.model_fields if k != "projects"},
        "projects": [
            {
                "project": c.project,
                "baseline_days": c.baseline_days,
                "actual_days": c.actual_days,
                "baseline_cost": c.baseline_cost,
                "actual_cost": c.actual_cost,
                "duration_ratio": c.duration_ratio,
                "cost_ratio": c.cost_ratio,
            }
            for c in ref.projects
        ],
    }


@router.post(
    "/intake/{request_id}/attachments",
    response={201: AttachmentOut, **problems(403, 404, 422)},
    operation_id="intake_attachment_add",
)
def intake_attachment_add(
    request: HttpRequest, request_id: ObjectId, file: File[UploadedFile]
) -> Any:
    return 201, services.attachment_add(actor=request.auth, request_id=request_id, upload=file)


@router.get(
    "/intake/{request_id}/attachments/{attachment_id}",
    response=problems(404),
    operation_id="intake_attachment_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The attached file.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def intake_attachment_download(
    request: HttpRequest, request_id: ObjectId, attachment_id: ObjectId
) -> Any:
    stored = _request(request, request_id).attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise NotFound(services.ATTACHMENT_NOT_FOUND.format(id=attachment_id))
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise NotFound(services.ATTACHMENT_NOT_FOUND.format(id=attachment_id)) from None
    return FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )


@router.delete(
    "/intake/{request_id}/attachments/{attachment_id}",
    response={204: None, **problems(403, 404)},
    operation_id="intake_attachment_delete",
)
def intake_attachment_delete(
    request: HttpRequest, request_id: ObjectId, attachment_id: ObjectId
) -> Any:
    services.attachment_delete(
        actor=request.auth, request_id=request_id, attachment_id=attachment_id
    )
    return 204, None


@router.get(
    "/intake/{request_id}/assessments",
    response={200: list[AssessmentOut], **problems(403, 404)},
    operation_id="intake_assessment_list",
)
def intake_assessment_list(request: HttpRequest, request_id: ObjectId) -> Any:
    require_portfolio_reader(request.auth)
    return selectors.assessments_of(_request(request, request_id))


@router.put(
    "/intake/{request_id}/assessments",
    response={200: AssessmentOut, **problems(403, 404, 409, 422)},
    operation_id="intake_assessment_save",
)
def intake_assessment_save(
    request: HttpRequest, request_id: ObjectId, payload: AssessmentIn
) -> Any:
    """Your scores of the request on a model: created, or replaced (send the `version`)."""
    return services.assessment_save(
        actor=request.auth,
        request_id=request_id,
        model_id=payload.model_id,
        scores=payload.scores,
        comment=payload.comment,
        version=payload.version,
    )


# --- scoring models -----------------------------------------------------------------------------


@router.get(
    "/scoring-models", response={200: list[ScoringModelOut]}, operation_id="scoring_model_list"
)
@paginate(Pagination)
def scoring_model_list(request: HttpRequest) -> Any:
    return selectors.scoring_models()


@router.post(
    "/scoring-models",
    response={201: ScoringModelOut, **problems(403, 422)},
    operation_id="scoring_model_create",
)
def scoring_model_create(request: HttpRequest, payload: ScoringModelIn) -> Any:
    model = services.scoring_model_create(actor=request.auth, data=payload.model_dump())
    return 201, selectors.scoring_model_get(model.pk)


@router.patch(
    "/scoring-models/{model_id}",
    response={200: ScoringModelOut, **problems(403, 404, 409, 422)},
    operation_id="scoring_model_update",
)
def scoring_model_update(
    request: HttpRequest, model_id: ObjectId, payload: ScoringModelPatch
) -> Any:
    services.scoring_model_update(
        actor=request.auth, model_id=model_id, version=payload.version, data=patch_data(payload)
    )
    return selectors.scoring_model_get(model_id)


def parse_weights(text: str) -> dict[str, float]:
    """'12:3,13:1' → {"12": 3.0, "13": 1.0}."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition(":")
        try:
            weight = float(value)
            int(key)
        except ValueError:
            raise ValidationFailed(BAD_WEIGHTS) from None
        if not 0 <= weight < 10_000:
            raise ValidationFailed(BAD_WEIGHTS)
        weights[key.strip()] = weight
    return weights


@router.get(
    "/scoring-models/{model_id}/ranking",
    response={200: list[RankedOut], **problems(403, 404, 422)},
    operation_id="scoring_ranking",
)
def scoring_ranking(
    request: HttpRequest,
    model_id: ObjectId,
    weights: Annotated[str, Query(max_length=2000, description="'criterion id:weight,…'")] = "",
    portfolio: Annotated[int, Query(ge=1, le=MAX_DB_INT)] | None = None,
) -> Any:
    """Requests under consideration ranked by total, under other weights if given, without
    saving them; `movement` says how far each moved against the model's own weights."""
    require_portfolio_reader(request.auth)
    model = selectors.scoring_model_get(model_id)
    return selectors.ranking(
        actor=request.auth, model=model, weights=parse_weights(weights), portfolio_id=portfolio
    )


# --- scenarios ----------------------------------------------------------------------------------


def _scenario(request: HttpRequest, scenario_id: int) -> Any:
    return selectors.scenario_get(actor=request.auth, scenario_id=scenario_id)


@router.get(
    "/scenarios",
    response={200: list[ScenarioSummaryOut], **problems(403)},
    operation_id="scenario_list",
)
@paginate(Pagination)
def scenario_list(request: HttpRequest, portfolio: Id | None = None) -> Any:
    return selectors.scenario_list(actor=request.auth, portfolio_id=portfolio)


@router.post(
    "/scenarios", response={201: ScenarioOut, **problems(403, 422)}, operation_id="scenario_create"
)
def scenario_create(request: HttpRequest, payload: ScenarioIn) -> Any:
    data = payload.model_dump()
    if data["candidates"] is None:
        data.pop("candidates")
    scenario = services.scenario_create(actor=request.auth, data=data)
    return 201, _scenario(request, scenario.pk)


# Before /scenarios/{scenario_id}.
@router.get(
    "/scenarios/compare",
    response={200: CompareOut, **problems(403, 404)},
    operation_id="scenario_compare",
)
def scenario_compare(
    request: HttpRequest,
    a: Annotated[int, Query(ge=1, le=MAX_DB_INT)],
    b: Annotated[int, Query(ge=1, le=MAX_DB_INT)],
) -> Any:
    return {"a": _scenario(request, a), "b": _scenario(request, b)}


@router.get(
    "/scenarios/{scenario_id}",
    response={200: ScenarioOut, **problems(403, 404)},
    operation_id="scenario_get",
)
def scenario_get(request: HttpRequest, scenario_id: ObjectId) -> Any:
    return _scenario(request, scenario_id)


@router.patch(
    "/scenarios/{scenario_id}",
    response={200: ScenarioOut, **problems(403, 404, 409, 422)},
    operation_id="scenario_update",
)
def scenario_update(request: HttpRequest, scenario_id: ObjectId, payload: ScenarioPatch) -> Any:
    services.scenario_update(
        actor=request.auth,
        scenario_id=scenario_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _scenario(request, scenario_id)


@router.delete(
    "/scenarios/{scenario_id}",
    response={204: None, **problems(403, 404)},
    operation_id="scenario_delete",
)
def scenario_delete(request: HttpRequest, scenario_id: ObjectId) -> Any:
    services.scenario_delete(actor=request.auth, scenario_id=scenario_id)
    return 204, None


@router.post(
    "/scenarios/{scenario_id}/run",
    response={200: ScenarioOut, **problems(403, 404, 409, 422)},
    operation_id="scenario_run",
)
def scenario_run(request: HttpRequest, scenario_id: ObjectId, payload: RunIn | None = None) -> Any:
    """Solve the scenario: the optimal selection (proven, or with its gap at the time limit),
    the greedy one beside it and the efficient frontier; the results are kept."""
    services.scenario_run(
        actor=request.auth,
        scenario_id=scenario_id,
        time_limit=payload.time_limit if payload else 10.0,
    )
    return _scenario(request, scenario_id)


class CopyIn(Schema):
    name: Text = Field("", max_length=150, description="Empty: the name followed by (copy).")


@router.post(
    "/scenarios/{scenario_id}/copy",
    response={201: ScenarioOut, **problems(403, 404, 422)},
    operation_id="scenario_copy",
)
def scenario_copy(
    request: HttpRequest, scenario_id: ObjectId, payload: CopyIn | None = None
) -> Any:
    """A new draft with the scenario's constraints and candidates, to change and run again."""
    copy = services.scenario_copy(
        actor=request.auth, scenario_id=scenario_id, name=payload.name if payload else ""
    )
    return 201, _scenario(request, copy.pk)


@router.post(
    "/scenarios/{scenario_id}/approve",
    response={200: ScenarioOut, **problems(403, 404, 409)},
    operation_id="scenario_approve",
)
def scenario_approve(
    request: HttpRequest, scenario_id: ObjectId, payload: ActionIn | None = None
) -> Any:
    """Approve the scenario and every request of its optimal selection, in one transaction."""
    services.scenario_approve(
        actor=request.auth, scenario_id=scenario_id, version=payload.version if payload else None
    )
    return _scenario(request, scenario_id)


# --- programs -----------------------------------------------------------------------------------


class ProgramIn(Schema):
    name: Text = Field(max_length=150, min_length=1)
    portfolio_id: Id | None = None
    manager_id: Id | None = None
    description: Text = ""
    objectives: Text = ""


class ProgramPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=150, min_length=1)
    portfolio_id: Id | None = None
    manager_id: Id | None = None
    description: Text | None = None
    objectives: Text | None = None


class RollupOut(Schema):
    projects: int
    start: dt.date | None
    finish: dt.date | None
    baseline_finish: dt.date | None
    finish_slip_days: int | None
    budget: Decimal
    actual: Decimal
    earned_value: Decimal
    eac: Decimal = Field(description="Estimate at completion: actual + (budget − earned value).")
    percent_complete: float
    open_risks: int
    high_risks: int
    slipped_milestones: int
    escalated_issues: int
    health: dict[str, int] = Field(description="Running projects by health.")
    overall_health: str = Field(description="The worst health of the running projects.")


class PortfolioRef(Schema):
    id: int
    name: str


class ProgramOut(Schema):
    id: int
    name: str
    portfolio: PortfolioRef | None
    manager: UserRef | None
    description: str
    objectives: str
    version: int


class ProgramSummaryOut(ProgramOut):
    rollup: RollupOut


class ProjectFiguresOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    status: str
    health: str
    trend: str | None = None
    portfolio_id: int | None
    portfolio: str
    program_id: int | None
    program: str
    manager: str
    start: dt.date | None
    finish: dt.date | None
    baseline_finish: dt.date | None
    budget: Decimal
    actual: Decimal
    percent_complete: float
    earned_value: Decimal
    eac: Decimal
    open_risks: int
    high_risks: int
    top_risk_score: int
    slipped_milestones: int
    escalated_issues: int
    value: Decimal | None = Field(description="NPV of the business case; null without one.")


class TopRiskOut(Schema):
    project_id: int
    project_code: str
    number: int
    title: str
    score: int
    owner: UserRef | None

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.project.code)

    @staticmethod
    def resolve_score(obj: Any) -> int:
        return int(obj.rank)


class EscalatedIssueOut(Schema):
    project_id: int
    project_code: str
    number: int
    title: str
    priority: str
    escalated_at: dt.datetime | None
    escalation_ask: str

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.project.code)


class ProgramDetailOut(ProgramOut):
    rollup: RollupOut
    projects: list[ProjectFiguresOut]
    top_risks: list[TopRiskOut]
    hidden_projects: int = Field(description="Projects of the program the reader does not see.")


class ProgramProjectsIn(Schema):
    project_ids: list[Id] = Field(min_length=1, max_length=500)


class CountOut(Schema):
    key: str
    label: str
    n: int


class BudgetLineOut(Schema):
    id: int | None
    name: str
    budget: Decimal
    actual: Decimal
    eac: Decimal


class BubbleOut(Schema):
    id: int
    code: str
    name: str
    value: float
    risk: int
    cost: float
    health: str


class RoadmapOut(Schema):
    id: int
    code: str
    name: str
    group: str
    start: dt.date
    finish: dt.date
    health: str


class DashboardOut(Schema):
    rollup: RollupOut
    by_stage: list[CountOut]
    by_status: list[CountOut]
    by_health: list[CountOut]
    by_phase: list[CountOut] = Field(description="Pending, underway and finished.")
    flags: list[CountOut]
    compliance_average: float | None
    budget_by_portfolio: list[BudgetLineOut]
    top_risks: list[TopRiskOut]
    escalated_issues: list[EscalatedIssueOut]
    bubbles: list[BubbleOut]
    roadmap: list[RoadmapOut]


Phase = Literal["pending", "underway", "finished"]
Flag = Literal[
    "over_budget", "high_risks", "slipped", "escalated", "no_value", "late_report", "non_compliant"
]


class DashboardScope(Schema):
    portfolio: Id | None = None
    program: Id | None = None


class DrillDown(DashboardScope):
    stage: Literal["initiation", "planning", "execution", "closing", "closed"] | None = None
    status: Literal["active", "on_hold", "cancelled"] | None = None
    health: Literal["green", "amber", "red"] | None = None
    phase: Phase | None = None
    flag: Flag | None = None


class ReportPackIn(Schema):
    portfolio_id: Id | None = None
    title: Text = Field("", max_length=200)


class ReportPackOut(Schema):
    id: int
    title: str
    portfolio: PortfolioRef | None
    requested_by: UserRef
    state: str
    progress: int
    step: str
    size: int
    project_count: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    download: str | None

    @staticmethod
    def resolve_download(obj: Any) -> str | None:
        return f"/api/v1/report-packs/{obj.pk}/file" if obj.file else None


def _program_detail(request: HttpRequest, program: Any) -> Any:
    r = selectors.program_rollup(actor=request.auth, program=program)
    program.rollup = r.totals
    program.projects = r.projects
    program.top_risks = r.top_risks
    program.hidden_projects = r.hidden
    return program


@router.get("/programs", response={200: list[ProgramSummaryOut]}, operation_id="program_list")
def program_list(request: HttpRequest) -> Any:
    """Programs the reader sees, each with the roll-up of its projects the reader sees."""
    out = []
    for program, totals in selectors.program_list(actor=request.auth):
        program.rollup = totals
        out.append(program)
    return out


@router.post(
    "/programs",
    response={201: ProgramOut, **problems(403, 409, 422)},
    operation_id="program_create",
)
def program_create(request: HttpRequest, payload: ProgramIn) -> Any:
    return 201, services.program_create(actor=request.auth, data=payload.model_dump())


@router.get(
    "/programs/{program_id}",
    response={200: ProgramDetailOut, **problems(404)},
    operation_id="program_get",
)
def program_get(request: HttpRequest, program_id: ObjectId) -> Any:
    return _program_detail(
        request, selectors.program_get(actor=request.auth, program_id=program_id)
    )


@router.patch(
    "/programs/{program_id}",
    response={200: ProgramOut, **problems(403, 404, 409, 422)},
    operation_id="program_update",
)
def program_update(request: HttpRequest, program_id: ObjectId, payload: ProgramPatch) -> Any:
    return services.program_update(
        actor=request.auth, program_id=program_id, version=payload.version, data=patch_data(payload)
    )


@router.delete(
    "/programs/{program_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="program_delete",
)
def program_delete(
    request: HttpRequest, program_id: ObjectId, version: Annotated[int | None, Query(ge=1)] = None
) -> Any:
    """Dissolve the program; its projects stay, outside any program."""
    services.program_delete(actor=request.auth, program_id=program_id, version=version)
    return 204, None


@router.post(
    "/programs/{program_id}/projects",
    response={200: ProgramDetailOut, **problems(403, 404, 409, 422)},
    operation_id="program_add_projects",
)
def program_add_projects(
    request: HttpRequest, program_id: ObjectId, payload: ProgramProjectsIn
) -> Any:
    services.program_add_projects(
        actor=request.auth, program_id=program_id, project_ids=payload.project_ids
    )
    return program_get(request, program_id)


@router.delete(
    "/programs/{program_id}/projects/{project_id}",
    response={204: None, **problems(403, 404)},
    operation_id="program_remove_project",
)
def program_remove_project(request: HttpRequest, program_id: ObjectId, project_id: ObjectId) -> Any:
    services.program_remove_project(
        actor=request.auth, program_id=program_id, project_id=project_id
    )
    return 204, None


# --- dashboard, exports and executive packs -----------------------------------------------------


@router.get(
    "/portfolio-dashboard",
    response={200: DashboardOut, **problems(403)},
    operation_id="portfolio_dashboard",
)
def dashboard(request: HttpRequest, scope: Query[DashboardScope]) -> Any:
    """The portfolio dashboard over the projects the reader sees (PMO and executives)."""
    d = selectors.portfolio_dashboard(
        actor=request.auth,
        filters=selectors.DashboardFilter(portfolio_id=scope.portfolio, program_id=scope.program),
    )
    return {
        "rollup": d.totals,
        "by_stage": d.by_stage,
        "by_status": d.by_status,
        "by_health": d.by_health,
        "by_phase": d.by_phase,
        "flags": d.flags,
        "compliance_average": d.compliance_average,
        "budget_by_portfolio": d.budget_by_portfolio,
        "top_risks": d.top_risks,
        "escalated_issues": d.escalated_issues,
        "bubbles": d.bubbles,
        "roadmap": d.roadmap,
    }


@router.get(
    "/portfolio-dashboard/projects",
    response={200: list[ProjectFiguresOut], **problems(403)},
    operation_id="portfolio_dashboard_projects",
)
def dashboard_projects(request: HttpRequest, q: Query[DrillDown]) -> Any:
    """The projects behind a dashboard figure, with their figures."""
    filters = selectors.DashboardFilter(
        portfolio_id=q.portfolio,
        program_id=q.program,
        stage=q.stage or "",
        status=q.status or "",
        health=q.health or "",
        phase=q.phase or "",
        flag=q.flag or "",
    )
    d = selectors.portfolio_dashboard(actor=request.auth, filters=filters, with_trend=True)
    return d.matching(filters)


@router.get(
    "/portfolio-export.xlsx",
    response={200: None, **problems(403)},
    operation_id="portfolio_export_xlsx",
)
def export_xlsx(request: HttpRequest) -> Any:
    """All portfolio data the reader sees as one Excel workbook."""
    from django.http import HttpResponse

    from pmo.portfolio import export

    response = HttpResponse(
        export.workbook(actor=request.auth),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="portfolio.xlsx"'
    return response


@router.get(
    "/portfolio-export/{sheet}.csv",
    response={200: None, **problems(403, 422)},
    operation_id="portfolio_export_csv",
)
def export_csv(
    request: HttpRequest,
    sheet: Literal["projects", "programs", "requests", "scores", "scenarios", "budget", "risks"],
) -> Any:
    """One sheet of the portfolio export as CSV."""
    from django.http import HttpResponse

    from pmo.portfolio import export

    response = HttpResponse(
        export.sheet_csv(actor=request.auth, sheet=sheet), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="portfolio-{sheet}.csv"'
    return response


@router.get(
    "/report-packs",
    response={200: list[ReportPackOut], **problems(403)},
    operation_id="report_pack_list",
)
@paginate(Pagination)
def report_pack_list(request: HttpRequest) -> Any:
    return selectors.report_pack_list(actor=request.auth)


@router.post(
    "/report-packs",
    response={202: ReportPackOut, **problems(403, 422)},
    operation_id="report_pack_create",
)
def report_pack_create(request: HttpRequest, payload: ReportPackIn) -> Any:
    """Queue an executive pack; poll it until its state is `done`, then download its file."""
    pack = services.report_pack_request(
        actor=request.auth, portfolio_id=payload.portfolio_id, title=payload.title
    )
    pack.refresh_from_db()
    return 202, pack


@router.get(
    "/report-packs/{pack_id}",
    response={200: ReportPackOut, **problems(403, 404)},
    operation_id="report_pack_get",
)
def report_pack_get(request: HttpRequest, pack_id: ObjectId) -> Any:
    return selectors.report_pack_get(actor=request.auth, pack_id=pack_id)


@router.get(
    "/report-packs/{pack_id}/file",
    response={200: None, **problems(403, 404, 409)},
    operation_id="report_pack_download",
)
def report_pack_download(request: HttpRequest, pack_id: ObjectId) -> Any:
    pack = selectors.report_pack_get(actor=request.auth, pack_id=pack_id)
    if not pack.file:
        from pmo.core.errors import Conflict

        raise Conflict(services.PACK_NOT_READY.format(state=pack.get_state_display().lower()))
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError:
        raise NotFound(f"The file of executive pack {pack_id} is missing.") from None
    return FileResponse(
        handle, as_attachment=True, filename=pack.filename, content_type="application/pdf"
    )


@router.delete(
    "/report-packs/{pack_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="report_pack_delete",
)
def report_pack_delete(request: HttpRequest, pack_id: ObjectId) -> Any:
    services.report_pack_delete(actor=request.auth, pack_id=pack_id)
    return 204, None
