"""Schedule and cost risk analysis over the API: uncertainty on tasks, quantified risks,
correlations and Monte Carlo runs.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.riskanalysis.services. A run is created with 202: it runs in the background; poll it for
its progress and results.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from pmo.riskanalysis import selectors, services
from pmo.riskanalysis.models import DistributionKind, Response, RunState

from .pagination import Pagination
from .schemas import MAX_DB_INT, Id, PathId, UserRef, Version, problems

router = Router(tags=["risk analysis"])

Number = Annotated[float, Field(allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class DistributionIn(Schema):
    """A distribution: triangular and PERT take min, mode and max; uniform min and max;
    lognormal mean and sd; fixed a value."""

    kind: DistributionKind
    min: Number | None = None
    mode: Number | None = None
    max: Number | None = None
    mean: Number | None = None
    sd: Number | None = None
    value: Number | None = None


class UncertaintyIn(DistributionIn):
    version: Version | None = None


class UncertaintyOut(Schema):
    task_id: int
    task_name: str
    kind: str
    min: float | None = Field(None, alias="minimum")
    mode: float | None = Field(None, alias="most_likely")
    max: float | None = Field(None, alias="maximum")
    mean: float | None
    sd: float | None
    text: str
    version: int

    @staticmethod
    def resolve_task_name(obj: Any) -> str:
        return str(obj.task.name)


class FillIn(Schema):
    percent: Annotated[float, Field(ge=1, le=500, allow_inf_nan=False)]
    kind: Literal["triangular", "pert", "uniform"] = "triangular"


class FillOut(Schema):
    filled: int


class RiskImpactIn(Schema):
    task_ids: list[Id] | None = None
    probability: Probability | None = None
    duration: DistributionIn | None = None
    cost: DistributionIn | None = None
    post_probability: Probability | None = None
    post_duration: DistributionIn | None = None
    post_cost: DistributionIn | None = None
    response_cost: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    version: Version | None = None


class TaskRef(Schema):
    id: int
    wbs: str
    name: str


class RiskImpactOut(Schema):
    risk_id: int
    risk_number: int
    risk_title: str
    tasks: list[TaskRef]
    probability: float
    duration: dict[str, Any]
    cost: dict[str, Any]
    post_probability: float | None
    post_duration: dict[str, Any] | None
    post_cost: dict[str, Any] | None
    response_cost: Decimal
    version: int

    @staticmethod
    def resolve_risk_number(obj: Any) -> int:
        return int(obj.risk.number)

    @staticmethod
    def resolve_risk_title(obj: Any) -> str:
        return str(obj.risk.title)

    @staticmethod
    def resolve_tasks(obj: Any) -> list[dict[str, Any]]:
        return [{"id": t.pk, "wbs": t.wbs, "name": t.name} for t in obj.tasks.all()]


class CorrelationIn(Schema):
    first_id: Id
    second_id: Id
    coefficient: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)]


class CorrelationOut(Schema):
    id: int
    first: TaskRef
    second: TaskRef
    coefficient: float


class RunIn(Schema):
    iterations: Annotated[int, Field(ge=100, le=100_000)] = 5000
    seed: Annotated[int, Field(ge=0, le=MAX_DB_INT)] | None = None
    target_date: dt.date | None = None
    response: Response = Response.PRE


class RunOut(Schema):
    id: int
    number: int
    created_by: UserRef | None
    created_at: dt.datetime
    iterations: int
    seed: int | None
    target_date: dt.date | None
    response: Response
    state: RunState
    progress: int
    error: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class RunDetailOut(RunOut):
    results: dict[str, Any]


def _dump(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True, exclude={"version"})


def _project(request: HttpRequest, project_id: int) -> Any:
    return selectors.readable_project(request.auth, project_id)


# --- uncertainty -------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/uncertainties",
    response={200: list[UncertaintyOut], **problems(404, 422)},
    operation_id="uncertainty_list",
)
@paginate(Pagination)
def uncertainty_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.uncertainty_list(project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/uncertainties/fill",
    response={200: FillOut, **problems(403, 404, 409, 422)},
    operation_id="uncertainty_fill",
)
def uncertainty_fill(request: HttpRequest, project_id: PathId, payload: FillIn) -> Any:
    """Every task with a duration and no distribution gets ±percent around its duration."""
    filled = services.uncertainty_fill(
        actor=request.auth, project_id=project_id, percent=payload.percent, kind=payload.kind
    )
    return {"filled": filled}


@router.put(
    "/projects/{project_id}/uncertainties/{task_id}",
    response={200: UncertaintyOut, **problems(403, 404, 409, 422)},
    operation_id="uncertainty_set",
)
def uncertainty_set(
    request: HttpRequest, project_id: PathId, task_id: PathId, payload: UncertaintyIn
) -> Any:
    """Give a task's duration (working days) a distribution, or replace it."""
    return services.uncertainty_set(
        actor=request.auth,
        project_id=project_id,
        task_id=task_id,
        data=_dump(payload),
        version=payload.version,
    )


@router.delete(
    "/projects/{project_id}/uncertainties/{task_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="uncertainty_delete",
)
def uncertainty_delete(request: HttpRequest, project_id: PathId, task_id: PathId) -> Any:
    services.uncertainty_delete(actor=request.auth, project_id=project_id, task_id=task_id)
    return 204, None


# --- quantified risks --------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/risk-impacts",
    response={200: list[RiskImpactOut], **problems(404, 422)},
    operation_id="risk_impact_list",
)
@paginate(Pagination)
def risk_impact_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.risk_impact_list(project=_project(request, project_id))


@router.put(
    "/projects/{project_id}/risk-impacts/{risk_id}",
    response={200: RiskImpactOut, **problems(403, 404, 409, 422)},
    operation_id="risk_impact_set",
)
def risk_impact_set(
    request: HttpRequest, project_id: PathId, risk_id: PathId, payload: RiskImpactIn
) -> Any:
    """Quantify a register risk (a first quantification starts from the register's estimates);
    `post_probability` null means no response is planned."""
    row = services.risk_impact_set(
        actor=request.auth,
        project_id=project_id,
        risk_id=risk_id,
        data=_dump(payload),
        version=payload.version,
    )
    return selectors.risk_impact_list(project=row.risk.project).get(pk=row.pk)


@router.delete(
    "/projects/{project_id}/risk-impacts/{risk_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="risk_impact_delete",
)
def risk_impact_delete(request: HttpRequest, project_id: PathId, risk_id: PathId) -> Any:
    services.risk_impact_delete(actor=request.auth, project_id=project_id, risk_id=risk_id)
    return 204, None


# --- correlations ------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/correlations",
    response={200: list[CorrelationOut], **problems(404, 422)},
    operation_id="correlation_list",
)
@paginate(Pagination)
def correlation_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.correlation_list(project=_project(request, project_id))


@router.put(
    "/projects/{project_id}/correlations",
    response={200: CorrelationOut, **problems(403, 404, 409, 422)},
    operation_id="correlation_set",
)
def correlation_set(request: HttpRequest, project_id: PathId, payload: CorrelationIn) -> Any:
    """Correlate two tasks' durations, or change the coefficient of a pair."""
    return services.correlation_set(
        actor=request.auth, project_id=project_id, **payload.model_dump()
    )


@router.delete(
    "/projects/{project_id}/correlations/{correlation_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="correlation_delete",
)
def correlation_delete(request: HttpRequest, project_id: PathId, correlation_id: PathId) -> Any:
    services.correlation_delete(
        actor=request.auth, project_id=project_id, correlation_id=correlation_id
    )
    return 204, None


# --- runs --------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/simulations",
    response={200: list[RunOut], **problems(404, 422)},
    operation_id="simulation_list",
)
@paginate(Pagination)
def simulation_list(request: HttpRequest, project_id: PathId) -> Any:
    """Runs, newest first, without their results."""
    return selectors.run_list(project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/simulations",
    response={202: RunOut, **problems(403, 404, 409, 422)},
    operation_id="simulation_start",
)
def simulation_start(request: HttpRequest, project_id: PathId, payload: RunIn) -> Any:
    """Queue a Monte Carlo run of the plan as it is now; poll the run for progress."""
    data = payload.model_dump(exclude_unset=True)
    run = services.run_start(actor=request.auth, project_id=project_id, data=data)
    run.refresh_from_db()
    return 202, run


@router.get(
    "/projects/{project_id}/simulations/{run_id}",
    response={200: RunDetailOut, **problems(404)},
    operation_id="simulation_get",
)
def simulation_get(request: HttpRequest, project_id: PathId, run_id: PathId) -> Any:
    """A run's state and progress; once done, its results (percentiles of the finish date and
    cost, histogram, cumulative curve, criticality, tornado)."""
    return selectors.run_get(project=_project(request, project_id), run_id=run_id)
