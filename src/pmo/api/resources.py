"""The resource pool, its rates, assignments per project and usage across projects over the API.

Each operation translates: it parses, calls one service or selector and shapes the answer.
Rules live in pmo.resources.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from pmo.projects.policies import access_project
from pmo.resources import forecast, selectors, services

from .pagination import Pagination
from .schemas import MAX_DB_INT, Id, PathId, Text, Version, patch_data, problems

router = Router(tags=["resources"])

Rate = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Percent = Annotated[int, Field(ge=0, le=100)]
Units = Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
ResourceId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
AssignmentId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


# --- schemas ------------------------------------------------------------------------------------


class RoleRef(Schema):
    id: int
    name: str
    default_rate: Decimal


class RateIn(Schema):
    effective_from: dt.date
    hourly_rate: Rate


class RateOut(Schema):
    id: int
    effective_from: dt.date
    hourly_rate: Decimal


class ResourceIn(Schema):
    name: Text = Field(max_length=200)
    role_id: Id
    user_id: Id | None = None
    department: Text = Field("", max_length=100)
    availability: Percent = 100
    employed_from: dt.date | None = None
    employed_to: dt.date | None = None
    is_placeholder: bool = False


class ResourcePatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=200)
    role_id: Id | None = None
    user_id: Id | None = None
    department: Text | None = Field(None, max_length=100)
    availability: Percent | None = None
    employed_from: dt.date | None = None
    employed_to: dt.date | None = None
    is_placeholder: bool | None = None


class ResourceOut(Schema):
    id: int
    name: str
    role: RoleRef
    user_id: int | None
    department: str
    skills: list[str]
    availability: int
    employed_from: dt.date | None
    employed_to: dt.date | None
    is_placeholder: bool
    rates: list[RateOut]
    version: int

    @staticmethod
    def resolve_skills(obj: Any) -> list[str]:
        return [skill.name for skill in obj.skills.all()]

    @staticmethod
    def resolve_rates(obj: Any) -> list[Any]:
        return list(obj.rates.all())


class AssignmentIn(Schema):
    task_id: Id
    resource_id: Id
    units: Units = Decimal(1)
    work_hours: Hours | None = Field(
        None, description="Empty: task duration × hours a day of the plan calendar × units."
    )


class AssignmentPatch(Schema):
    version: Version
    units: Units | None = None
    work_hours: Hours | None = None


class AssignmentOut(Schema):
    id: int
    task_id: int
    task_name: str = Field(alias="task.name")
    resource_id: int
    resource_name: str = Field(alias="resource.name")
    units: Decimal
    work_hours: Decimal
    labour_cost: Decimal = Field(description="Work × the rate in force at the task's start.")
    version: int

    @staticmethod
    def resolve_labour_cost(obj: Any) -> Decimal:
        return selectors.labour_cost(obj)


class UsageCellOut(Schema):
    supply: float
    demand: float
    utilisation: float | None = Field(description="Demand / supply; empty with no supply.")
    over_allocated: bool


class UsageRowOut(Schema):
    key: str
    label: str
    cells: list[UsageCellOut]


class UsageOut(Schema):
    group_by: str
    start: dt.date
    weeks: list[str]
    starts: list[dt.date]
    rows: list[UsageRowOut]


# --- the pool -----------------------------------------------------------------------------------


@router.get(
    "/resources", response={200: list[ResourceOut], **problems(403)}, operation_id="resource_list"
)
@paginate(Pagination)
def resource_list(request: HttpRequest) -> Any:
    return selectors.resource_list(actor=request.auth)


@router.post(
    "/resources", response={201: ResourceOut, **problems(403, 422)}, operation_id="resource_create"
)
def resource_create(request: HttpRequest, payload: ResourceIn) -> Any:
    resource = services.resource_create(actor=request.auth, data=payload.model_dump())
    return 201, selectors.resource_get(actor=request.auth, resource_id=resource.pk)


# Before /resources/{resource_id}.
@router.get(
    "/resources/usage",
    response={200: UsageOut, **problems(403, 422)},
    operation_id="resource_usage",
)
def resource_usage(
    request: HttpRequest,
    start: dt.date,
    weeks: Annotated[int, Query(ge=1, le=selectors.MAX_WEEKS)] = 12,
    group_by: Literal["person", "role"] = "person",
) -> Any:
    return selectors.resource_usage(actor=request.auth, start=start, weeks=weeks, group_by=group_by)


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceOut, **problems(403, 404)},
    operation_id="resource_get",
)
def resource_get(request: HttpRequest, resource_id: ResourceId) -> Any:
    return selectors.resource_get(actor=request.auth, resource_id=resource_id)


@router.patch(
    "/resources/{resource_id}",
    response={200: ResourceOut, **problems(403, 404, 409, 422)},
    operation_id="resource_update",
)
def resource_update(request: HttpRequest, resource_id: ResourceId, payload: ResourcePatch) -> Any:
    services.resource_update(
        actor=request.auth,
        resource_id=resource_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return selectors.resource_get(actor=request.auth, resource_id=resource_id)


@router.post(
    "/resources/{resource_id}/rates",
    response={201: RateOut, **problems(403, 404, 422)},
    operation_id="resource_rate_create",
)
def resource_rate_create(request: HttpRequest, resource_id: ResourceId, payload: RateIn) -> Any:
    data = payload.model_dump()
    return 201, services.resource_rate_create(
        actor=request.auth, resource_id=resource_id, data=data
    )


# --- assignments --------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/assignments",
    response={200: list[AssignmentOut], **problems(404, 422)},
    operation_id="assignment_list",
)
@paginate(Pagination)
def assignment_list(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    return selectors.assignment_list(actor=request.auth, project=project)


@router.post(
    "/projects/{project_id}/assignments",
    response={201: AssignmentOut, **problems(403, 404, 422)},
    operation_id="assignment_create",
)
def assignment_create(request: HttpRequest, project_id: PathId, payload: AssignmentIn) -> Any:
    data = payload.model_dump(exclude_none=True)
    assignment = services.assignment_create(actor=request.auth, project_id=project_id, data=data)
    project = access_project(request.auth, project_id)
    return 201, selectors.assignment_get(
        actor=request.auth, project=project, assignment_id=assignment.pk
    )


@router.patch(
    "/projects/{project_id}/assignments/{assignment_id}",
    response={200: AssignmentOut, **problems(403, 404, 409, 422)},
    operation_id="assignment_update",
)
def assignment_update(
    request: HttpRequest, project_id: PathId, assignment_id: AssignmentId, payload: AssignmentPatch
) -> Any:
    services.assignment_update(
        actor=request.auth,
        project_id=project_id,
        assignment_id=assignment_id,
        version=payload.version,
        data=patch_data(payload),
    )
    project = access_project(request.auth, project_id)
    return selectors.assignment_get(
        actor=request.auth, project=project, assignment_id=assignment_id
    )


@router.delete(
    "/projects/{project_id}/assignments/{assignment_id}",
    response={204: None, **problems(403, 404)},
    operation_id="assignment_delete",
)
def assignment_delete(request: HttpRequest, project_id: PathId, assignment_id: AssignmentId) -> Any:
    services.assignment_delete(
        actor=request.auth, project_id=project_id, assignment_id=assignment_id
    )
    return 204, None


# --- levelling ----------------------------------------------------------------------------------

RunId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


class LevelledTaskOut(Schema):
    task_id: int
    wbs: str
    name: str
    start: dt.date | None = Field(description="The current (early) start.")
    finish: dt.date | None
    levelled_start: dt.date
    levelled_finish: dt.date
    delay: int = Field(description="Calendar days the levelling delays the start.")
    moved: bool


class HistogramOut(Schema):
    person: str
    days: list[dt.date]
    before: list[float]
    after: list[float]
    capacity: float
    peak_before: float
    peak_after: float


class LevelingPreviewOut(Schema):
    signature: str = Field(description="Send it back to accept; a changed plan refuses (409).")
    within_slack: bool
    status: str = Field(description="optimal, feasible, heuristic or infeasible.")
    message: str
    finish_before: dt.date | None
    finish_after: dt.date | None
    over_capacity_before: int = Field(description="Person-days over capacity now.")
    over_capacity_after: int
    acceptable: bool
    starts: dict[str, dt.date] = Field(description="Levelled start of each delayed task.")
    tasks: list[LevelledTaskOut]
    histogram: HistogramOut | None
    warnings: list[str]


class LevelingAcceptIn(Schema):
    signature: Text = Field(max_length=64)
    starts: dict[str, dt.date]
    reason: Text = Field(max_length=2000)
    within_slack: bool = False


class LevelingMoveOut(Schema):
    task_id: int
    name: str
    start_before: dt.date = Field(alias="from", description="The task's start before.")
    start_after: dt.date = Field(alias="to", description="Its levelled start (the SNET date).")
    previous_constraint_type: str
    previous_constraint_date: dt.date | None


class LevelingRunOut(Schema):
    id: int
    created_at: dt.datetime
    accepted_by_id: int | None
    reason: str
    within_slack: bool
    finish_before: dt.date | None
    finish_after: dt.date | None
    moves: list[LevelingMoveOut]
    cleared_at: dt.datetime | None
    cleared_by_id: int | None


@router.get(
    "/projects/{project_id}/leveling/preview",
    response={200: LevelingPreviewOut, **problems(403, 404, 422)},
    operation_id="leveling_preview",
)
def leveling_preview(request: HttpRequest, project_id: PathId, within_slack: bool = False) -> Any:
    return services.leveling_preview(
        actor=request.auth, project_id=project_id, within_slack=within_slack
    )


@router.post(
    "/projects/{project_id}/leveling/runs",
    response={201: LevelingRunOut, **problems(403, 404, 409, 422)},
    operation_id="leveling_accept",
)
def leveling_accept(request: HttpRequest, project_id: PathId, payload: LevelingAcceptIn) -> Any:
    return 201, services.leveling_accept(
        actor=request.auth,
        project_id=project_id,
        signature=payload.signature,
        starts=payload.starts,
        reason=payload.reason,
        within_slack=payload.within_slack,
    )


@router.get(
    "/projects/{project_id}/leveling/runs",
    response={200: list[LevelingRunOut], **problems(404, 422)},
    operation_id="leveling_run_list",
)
@paginate(Pagination)
def leveling_run_list(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    return selectors.leveling_runs(actor=request.auth, project=project)


@router.post(
    "/projects/{project_id}/leveling/runs/{run_id}/clear",
    response={200: LevelingRunOut, **problems(403, 404, 409)},
    operation_id="leveling_clear",
)
def leveling_clear(request: HttpRequest, project_id: PathId, run_id: RunId) -> Any:
    return services.leveling_clear(actor=request.auth, project_id=project_id, run_id=run_id)


# --- capacity forecast --------------------------------------------------------------------------

GroupBy = Literal["role", "person", "department"]
Kind = Literal["week", "month"]
Count = Annotated[int, Query(ge=1, le=104)]


class ForecastRowOut(Schema):
    key: str = Field(description="Names the row for the drill-down.")
    label: str
    supply: list[float]
    demand: list[float]
    utilisation: list[float | None] = Field(description="Demand / supply; empty with no supply.")
    over: list[bool]


class ForecastOut(Schema):
    group_by: str
    kind: str
    pipeline: bool
    periods: list[str]
    starts: list[dt.date]
    rows: list[ForecastRowOut]
    over_cells: int


class CellPersonOut(Schema):
    name: str
    supply: float
    demand: float


class CellTaskOut(Schema):
    project: str
    task: str
    person: str
    hours: float


class ForecastCellOut(Schema):
    label: str
    period: str
    supply: float
    demand: float
    utilisation: float | None
    people: list[CellPersonOut]
    tasks: list[CellTaskOut]


class HireIn(Schema):
    role: Text = Field(max_length=100)
    count: Annotated[int, Field(ge=1, le=100)] = 1
    start: dt.date


class WhatIfIn(Schema):
    start: dt.date
    count: Annotated[int, Field(ge=1, le=104)] = 12
    kind: Kind = "month"
    group_by: GroupBy = "role"
    hires: list[HireIn] = []
    delays: dict[int, Annotated[int, Field(ge=1, le=104)]] = Field(
        {}, description="Project id → weeks to delay it by."
    )
    drops: list[Id] = Field([], description="Ids of projects to leave out.")
    pipeline: bool = Field(True, description="Count intake requests, weighted.")


@router.get(
    "/capacity/forecast",
    response={200: ForecastOut, **problems(403, 422)},
    operation_id="capacity_forecast",
)
def capacity_forecast(
    request: HttpRequest,
    start: dt.date,
    count: Count = 12,
    kind: Kind = "month",
    group_by: GroupBy = "role",
    pipeline: bool = True,
) -> Any:
    return forecast.capacity_forecast_table(
        actor=request.auth,
        start=start,
        count=count,
        kind=kind,
        group_by=group_by,
        pipeline=pipeline,
    )


@router.get(
    "/capacity/forecast/cell",
    response={200: ForecastCellOut, **problems(403, 422)},
    operation_id="capacity_forecast_cell",
)
def capacity_forecast_cell(
    request: HttpRequest,
    start: dt.date,
    cell: Annotated[str, Query(max_length=300, description="A row's key.")],
    period: Annotated[str, Query(max_length=10, description="2027-W09 or 2027-03.")],
    count: Count = 12,
    kind: Kind = "month",
    group_by: GroupBy = "role",
    pipeline: bool = True,
) -> Any:
    table = forecast.capacity_forecast_table(
        actor=request.auth,
        start=start,
        count=count,
        kind=kind,
        group_by=group_by,
        pipeline=pipeline,
    )
    return forecast.forecast_cell(table, cell, period)


@router.post(
    "/capacity/what-if",
    response={200: ForecastOut, **problems(403, 422)},
    operation_id="capacity_what_if",
)
def capacity_what_if(request: HttpRequest, payload: WhatIfIn) -> Any:
    """The forecast with hires added and projects delayed or dropped; nothing is written."""
    what_if = forecast.WhatIf(
        hires=tuple(forecast.Hire(h.role, h.count, h.start) for h in payload.hires),
        delays=dict(payload.delays),
        drops=tuple(payload.drops),
    )
    return forecast.capacity_forecast_table(
        actor=request.auth,
        start=payload.start,
        count=payload.count,
        kind=payload.kind,
        group_by=payload.group_by,
        what_if=what_if,
        pipeline=payload.pipeline,
    )


# --- levelling several projects together --------------------------------------------------------


class LevelledTaskTogetherOut(LevelledTaskOut):
    project: str = Field(description="The project's code.")


class LevelingTogetherPreviewOut(LevelingPreviewOut):
    tasks: list[LevelledTaskTogetherOut]  # type: ignore[assignment]
    project_ids: list[int]

    @staticmethod
    def resolve_project_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.projects]


class LevelingTogetherIn(Schema):
    project_ids: list[Id] = Field(min_length=2, max_length=20)
    priorities: dict[int, Annotated[int, Field(ge=0, le=1000)]] = Field(
        {}, description="Project id → priority; higher goes first."
    )


class LevelingTogetherAcceptIn(Schema):
    project_ids: list[Id] = Field(min_length=2, max_length=20)
    signature: Text = Field(max_length=64)
    starts: dict[str, dt.date]
    reason: Text = Field(max_length=2000)


@router.post(
    "/capacity/leveling/preview",
    response={200: LevelingTogetherPreviewOut, **problems(403, 404, 422)},
    operation_id="leveling_together_preview",
)
def leveling_together_preview(request: HttpRequest, payload: LevelingTogetherIn) -> Any:
    """Level several projects that share people in one engine call; nothing is written."""
    return services.leveling_preview_together(
        actor=request.auth, project_ids=payload.project_ids, priorities=payload.priorities
    )


@router.post(
    "/capacity/leveling/runs",
    response={201: list[LevelingRunOut], **problems(403, 404, 409, 422)},
    operation_id="leveling_together_accept",
)
def leveling_together_accept(request: HttpRequest, payload: LevelingTogetherAcceptIn) -> Any:
    return 201, services.leveling_accept_together(
        actor=request.auth,
        project_ids=payload.project_ids,
        signature=payload.signature,
        starts=payload.starts,
        reason=payload.reason,
    )
