"""Execution over the API: progress and comments on tasks, my work, timesheets with their
approval, actual costs and the budget against them.

Each operation translates: it parses, calls one service or selector and shapes the answer.
Rules live in pmo.execution.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from pmo.execution import selectors, services
from pmo.execution.models import CostKind
from pmo.projects.policies import access_project

from .pagination import Pagination
from .schemas import MAX_DB_INT, Id, PathId, Text, Version, patch_data, problems

router = Router(tags=["execution"])

PLAN = "/projects/{project_id}"
Percent = Annotated[int, Field(ge=0, le=100)]
Days = Annotated[int, Field(ge=0, le=100_000)]
Hours = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
DayHours = Annotated[Decimal, Field(ge=0, le=24, max_digits=4, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
TaskId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
CostId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
TimesheetId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
LineId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]


# --- schemas ------------------------------------------------------------------------------------


class ProgressPatch(Schema):
    version: Version
    percent_complete: Percent | None = None
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    remaining_duration: Days | None = Field(
        None, description="Working days still needed; empty: the duration not yet complete."
    )
    remaining_work_hours: Hours | None = None


class TaskProgressOut(Schema):
    id: int
    project_id: int
    wbs: str
    name: str
    duration: int
    is_summary: bool
    percent_complete: int
    actual_start: dt.date | None
    actual_finish: dt.date | None
    remaining_duration: int | None
    remaining_work_hours: Decimal | None
    early_start: dt.date | None
    early_finish: dt.date | None
    version: int


class ProgressRowOut(Schema):
    task: TaskProgressOut
    status: str
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    start_variance: int | None = Field(description="Calendar days later than the baseline.")
    finish_variance: int | None

    @staticmethod
    def resolve_baseline_start(obj: Any) -> dt.date | None:
        return obj.baseline.start if obj.baseline else None

    @staticmethod
    def resolve_baseline_finish(obj: Any) -> dt.date | None:
        return obj.baseline.finish if obj.baseline else None


class ProgressOut(Schema):
    status_date: dt.date | None
    schedule_version: int
    finish: dt.date | None
    baseline: str | None
    baseline_finish: dt.date | None
    percent_complete: float
    planned_percent: float | None = Field(
        description="What the current baseline says should be done by the status date."
    )
    rows: list[ProgressRowOut]


class StatusDateIn(Schema):
    version: Version
    status_date: dt.date | None


class CommentIn(Schema):
    body: Text = Field(max_length=5000)


class CommentOut(Schema):
    id: int
    task_id: int
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author) if obj.author else "—"


class MyTaskOut(Schema):
    bucket: Literal["overdue", "today", "week", "upcoming", "later"]
    project_id: int
    project_code: str
    task: TaskProgressOut
    work_hours: Decimal = Field(description="The assignment's work.")


class LineIn(Schema):
    task_id: Id | None = None
    category: Literal["project", "admin", "leave", "training"] = "project"
    hours: list[DayHours] = Field(min_length=7, max_length=7)


class TimesheetIn(Schema):
    version: Version | None = Field(
        None, description="The `version` you read; empty for a week not yet saved."
    )
    lines: list[LineIn] = Field(max_length=200)


class LineOut(Schema):
    id: int
    category: str
    project_id: int | None
    task_id: int | None
    task_name: str | None
    hours: list[float]
    total: float
    state: str
    corrects_id: int | None
    reason: str
    comment: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_task_name(obj: Any) -> str | None:
        return obj.task.name if obj.task_id else None


class TimesheetOut(Schema):
    id: int | None = Field(description="Empty for a week with nothing saved yet.")
    person: str
    week_start: dt.date
    submitted_at: dt.datetime | None
    version: int
    lines: list[LineOut]


class DecisionIn(Schema):
    project_id: Id
    decision: Literal["approve", "return"]
    comment: Text = Field("", max_length=2000)


class CorrectionIn(Schema):
    hours: list[DayHours] = Field(min_length=7, max_length=7)
    reason: Text = Field(max_length=300)


class ApprovalOut(Schema):
    timesheet_id: int
    person: str
    week_start: dt.date
    project_id: int
    project_code: str
    total: float
    lines: list[LineOut]


class CostIn(Schema):
    kind: Literal["expense", "invoice"] = CostKind.EXPENSE.value
    category: Literal["labour", "materials", "contracts", "other"]
    date: dt.date
    amount: Money
    vendor: Text = Field("", max_length=200)
    reference: Text = Field("", max_length=100)
    description: Text = Field(max_length=300, min_length=1)


class CostPatch(Schema):
    version: Version
    kind: Literal["expense", "invoice"] | None = None
    category: Literal["labour", "materials", "contracts", "other"] | None = None
    date: dt.date | None = None
    amount: Money | None = None
    vendor: Text | None = Field(None, max_length=200)
    reference: Text | None = Field(None, max_length=100)
    description: Text | None = Field(None, max_length=300, min_length=1)


class CostOut(Schema):
    id: int
    kind: str
    category: str
    date: dt.date
    amount: Decimal
    vendor: str
    reference: str
    description: str
    version: int


class BudgetActualOut(Schema):
    period: dt.date
    category: str
    budget: Decimal
    actual: Decimal
    variance: Decimal


class BudgetVsActualOut(Schema):
    budget_total: Decimal
    actual_total: Decimal
    labour_cost: Decimal = Field(description="Approved hours × the rate in force each day.")
    labour_hours: Decimal
    rows: list[BudgetActualOut]


# --- my work and progress -----------------------------------------------------------------------


@router.get("/me/work", response={200: list[MyTaskOut]}, operation_id="my_work")
def my_work(request: HttpRequest) -> Any:
    """My unfinished tasks across projects: overdue, today, this week, upcoming, later."""
    tasks = selectors.my_tasks(actor=request.auth, today=timezone.localdate())
    return [
        {
            "bucket": t.bucket,
            "project_id": t.project.pk,
            "project_code": t.project.code,
            "task": t.task,
            "work_hours": t.assignment.work_hours,
        }
        for t in tasks
    ]


@router.get(
    PLAN + "/progress", response={200: ProgressOut, **problems(404)}, operation_id="progress_get"
)
def progress_get(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    view = selectors.progress_view(actor=request.auth, project=project)
    return {
        "status_date": view.schedule.status_date,
        "schedule_version": view.schedule.version,
        "finish": view.schedule.finish,
        "baseline": view.baseline.name if view.baseline else None,
        "baseline_finish": view.baseline.finish if view.baseline else None,
        "percent_complete": view.percent_complete,
        "planned_percent": view.planned_percent,
        "rows": view.rows,
    }


@router.put(
    PLAN + "/progress/status-date",
    response={200: ProgressOut, **problems(403, 404, 409, 422)},
    operation_id="status_date_set",
)
def status_date_set(request: HttpRequest, project_id: PathId, payload: StatusDateIn) -> Any:
    services.status_date_set(
        actor=request.auth,
        project_id=project_id,
        version=payload.version,
        status_date=payload.status_date,
    )
    return progress_get(request, project_id)


@router.patch(
    PLAN + "/tasks/{task_id}/progress",
    response={200: TaskProgressOut, **problems(403, 404, 409, 422)},
    operation_id="progress_update",
)
def progress_update(
    request: HttpRequest, project_id: PathId, task_id: TaskId, payload: ProgressPatch
) -> Any:
    return services.progress_update(
        actor=request.auth,
        project_id=project_id,
        task_id=task_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.get(
    PLAN + "/tasks/{task_id}/comments",
    response={200: list[CommentOut], **problems(404, 422)},
    operation_id="comment_list",
)
@paginate(Pagination)
def comment_list(request: HttpRequest, project_id: PathId, task_id: TaskId) -> Any:
    project = access_project(request.auth, project_id)
    return selectors.comment_list(actor=request.auth, project=project, task_id=task_id)


@router.post(
    PLAN + "/tasks/{task_id}/comments",
    response={201: CommentOut, **problems(403, 404, 422)},
    operation_id="comment_add",
)
def comment_add(
    request: HttpRequest, project_id: PathId, task_id: TaskId, payload: CommentIn
) -> Any:
    return 201, services.comment_add(
        actor=request.auth, project_id=project_id, task_id=task_id, body=payload.body
    )


# --- timesheets ---------------------------------------------------------------------------------


def _sheet_out(actor: Any, sheet: Any) -> dict[str, Any]:
    return {
        "id": sheet.pk,
        "person": str(sheet.person),
        "week_start": sheet.week_start,
        "submitted_at": sheet.submitted_at,
        "version": sheet.version,
        "lines": selectors.timesheet_lines(actor=actor, sheet=sheet),
    }


@router.get(
    "/timesheets/week/{week_start}",
    response={200: TimesheetOut, **problems(422)},
    operation_id="timesheet_week",
)
def timesheet_week(request: HttpRequest, week_start: dt.date) -> Any:
    """My timesheet for the week starting on this Monday (version 0: nothing saved yet)."""
    sheet = selectors.week_sheet(actor=request.auth, week_start=week_start)
    return _sheet_out(request.auth, sheet)


@router.put(
    "/timesheets/week/{week_start}",
    response={200: TimesheetOut, **problems(409, 422)},
    operation_id="timesheet_save",
)
def timesheet_save(request: HttpRequest, week_start: dt.date, payload: TimesheetIn) -> Any:
    """Save my week's editable lines; submitted and approved lines stay as they are."""
    lines = [
        {
            **({"task_id": line.task_id} if line.task_id else {}),
            "category": line.category,
            "hours": [float(h) for h in line.hours],
        }
        for line in payload.lines
    ]
    sheet = services.timesheet_save(
        actor=request.auth, week_start=week_start, version=payload.version, lines=lines
    )
    return _sheet_out(request.auth, sheet)


@router.get(
    "/timesheets/approvals",
    response={200: list[ApprovalOut]},
    operation_id="timesheet_approvals",
)
def timesheet_approvals(request: HttpRequest) -> Any:
    """Submitted time waiting for my decision, by week, person and project."""
    return [
        {
            "timesheet_id": a.sheet.pk,
            "person": str(a.sheet.person),
            "week_start": a.sheet.week_start,
            "project_id": a.project.pk,
            "project_code": a.project.code,
            "total": a.total,
            "lines": a.lines,
        }
        for a in selectors.approval_queue(actor=request.auth)
    ]


@router.get(
    "/timesheets/{timesheet_id}",
    response={200: TimesheetOut, **problems(404)},
    operation_id="timesheet_get",
)
def timesheet_get(request: HttpRequest, timesheet_id: TimesheetId) -> Any:
    sheet = selectors.timesheet_get(actor=request.auth, timesheet_id=timesheet_id)
    return _sheet_out(request.auth, sheet)


class SubmitIn(Schema):
    version: Version | None = None


@router.post(
    "/timesheets/{timesheet_id}/submit",
    response={200: TimesheetOut, **problems(403, 404, 409, 422)},
    operation_id="timesheet_submit",
)
def timesheet_submit(request: HttpRequest, timesheet_id: TimesheetId, payload: SubmitIn) -> Any:
    sheet = services.timesheet_submit(
        actor=request.auth, timesheet_id=timesheet_id, version=payload.version
    )
    return _sheet_out(request.auth, sheet)


@router.post(
    "/timesheets/{timesheet_id}/decision",
    response={200: TimesheetOut, **problems(403, 404, 409, 422)},
    operation_id="timesheet_decide",
)
def timesheet_decide(request: HttpRequest, timesheet_id: TimesheetId, payload: DecisionIn) -> Any:
    """The project's PM approves or returns the week's submitted lines of that project."""
    sheet = services.timesheet_decide(
        actor=request.auth,
        timesheet_id=timesheet_id,
        project_id=payload.project_id,
        decision=payload.decision,
        comment=payload.comment,
    )
    return _sheet_out(request.auth, sheet)


@router.post(
    "/timesheet-lines/{line_id}/correction",
    response={201: LineOut, **problems(403, 404, 409, 422)},
    operation_id="timesheet_correct",
)
def timesheet_correct(request: HttpRequest, line_id: LineId, payload: CorrectionIn) -> Any:
    """Correct an approved line: a new line with the difference, to be approved again."""
    return 201, services.timesheet_correct(
        actor=request.auth,
        line_id=line_id,
        hours=[float(h) for h in payload.hours],
        reason=payload.reason,
    )


# --- costs --------------------------------------------------------------------------------------


@router.get(
    PLAN + "/costs", response={200: list[CostOut], **problems(404, 422)}, operation_id="cost_list"
)
@paginate(Pagination)
def cost_list(request: HttpRequest, project_id: PathId) -> Any:
    project = access_project(request.auth, project_id)
    return selectors.cost_list(actor=request.auth, project=project)


@router.post(
    PLAN + "/costs",
    response={201: CostOut, **problems(403, 404, 422)},
    operation_id="cost_create",
)
def cost_create(request: HttpRequest, project_id: PathId, payload: CostIn) -> Any:
    return 201, services.cost_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump()
    )


@router.patch(
    PLAN + "/costs/{cost_id}",
    response={200: CostOut, **problems(403, 404, 409, 422)},
    operation_id="cost_update",
)
def cost_update(
    request: HttpRequest, project_id: PathId, cost_id: CostId, payload: CostPatch
) -> Any:
    return services.cost_update(
        actor=request.auth,
        project_id=project_id,
        cost_id=cost_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.delete(
    PLAN + "/costs/{cost_id}",
    response={204: None, **problems(403, 404)},
    operation_id="cost_delete",
)
def cost_delete(request: HttpRequest, project_id: PathId, cost_id: CostId) -> Any:
    services.cost_delete(actor=request.auth, project_id=project_id, cost_id=cost_id)
    return 204, None


@router.get(
    PLAN + "/budget-vs-actual",
    response={200: BudgetVsActualOut, **problems(404)},
    operation_id="budget_vs_actual",
)
def budget_vs_actual(request: HttpRequest, project_id: PathId) -> Any:
    """Budget and actual cost per category and month."""
    project = access_project(request.auth, project_id)
    summary = selectors.budget_vs_actual(actor=request.auth, project=project)
    return {
        "budget_total": summary.budget_total,
        "actual_total": summary.actual_total,
        "labour_cost": summary.labour_cost,
        "labour_hours": summary.labour_hours,
        "rows": summary.rows,
    }
