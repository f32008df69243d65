"""What goes in and out of the planning API: the schedule, tasks, links, baselines, calendars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from pmo.planning.models import ConstraintType, DependencyType, PlanState

from .schemas import Id, Text, UserRef, Version

# Bounds that keep every computed date inside the calendar (year 9999) for any sane plan.
MAX_DAYS = 100_000
Days = Annotated[int, Field(ge=0, le=MAX_DAYS, description="Working days; 0 for a milestone.")]
Lag = Annotated[
    int, Field(ge=-MAX_DAYS, le=MAX_DAYS, description="Working days; negative for a lead.")
]
LagPercent = Annotated[
    float, Field(ge=-1000, le=1000, description="Lag as a percentage of the predecessor.")
]
Hours = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")]


class CalendarRef(Schema):
    id: int
    name: str


class BaselineRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    name: str


class PlanTaskRef(Schema):
    id: int
    wbs: str
    name: str


# --- schedule -----------------------------------------------------------------------------------


class ScheduleOut(Schema):
    start: dt.date
    finish: dt.date | None
    duration: int | None = Field(description="Working days from start to finish.")
    calendar: CalendarRef | None
    computed_at: dt.datetime | None
    plan_state: PlanState
    plan_submitted_at: dt.datetime | None
    plan_decided_by: UserRef | None
    plan_decided_at: dt.datetime | None
    plan_comment: str
    version: int


class SchedulePatch(Schema):
    version: Version
    start: dt.date | None = None
    calendar_id: Id | None = None


class PlanDecisionIn(Schema):
    decision: Literal["approve", "return"]
    comment: Text = ""


# --- tasks --------------------------------------------------------------------------------------


class TaskFields(Schema):
    """What a new task may say about itself, over the API and in an import."""

    name: Text = Field(max_length=255)
    duration: Days = 1
    work_hours: Hours | None = None
    planned_cost: Money | None = None
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: dt.date | None = None
    deadline: dt.date | None = None
    notes: Text = ""


class TaskIn(TaskFields):
    parent_id: Id | None = None
    calendar_id: Id | None = Field(None, description="A calendar of its own; none: the plan's.")
    position: int | None = Field(
        None, ge=0, le=2**31 - 1, description="Order in the plan; at the end when left out."
    )


class TaskPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=255)
    duration: Days | None = None
    work_hours: Hours | None = None
    planned_cost: Money | None = None
    constraint_type: ConstraintType | None = None
    constraint_date: dt.date | None = None
    deadline: dt.date | None = None
    notes: Text | None = None
    parent_id: Id | None = Field(None, description="`null` moves the task to the top level.")
    position: int | None = Field(None, ge=0, le=2**31 - 1)
    calendar_id: Id | None = Field(
        None, description="`null`: the task works on the plan's calendar."
    )


class TaskOut(Schema):
    id: int
    wbs: str
    name: str
    parent_id: int | None
    position: int
    duration: int
    work_hours: Decimal | None
    planned_cost: Decimal | None
    constraint_type: ConstraintType
    constraint_date: dt.date | None
    deadline: dt.date | None
    calendar_id: int | None
    notes: str
    is_summary: bool
    is_milestone: bool
    early_start: dt.date | None
    early_finish: dt.date | None
    late_start: dt.date | None
    late_finish: dt.date | None
    total_float: int | None
    free_float: int | None
    is_critical: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# --- links --------------------------------------------------------------------------------------


class LinkKind(Schema):
    type: DependencyType = DependencyType.FS
    lag: Lag = 0
    lag_percent: LagPercent | None = None


class DependencyIn(LinkKind):
    predecessor_id: Id
    successor_id: Id


class DependencyPatch(Schema):
    type: DependencyType | None = None
    lag: Lag | None = None
    lag_percent: LagPercent | None = None


class DependencyOut(Schema):
    id: int
    predecessor: PlanTaskRef
    successor: PlanTaskRef
    type: DependencyType
    lag: int
    lag_percent: float | None
    created_at: dt.datetime


# --- whole plans --------------------------------------------------------------------------------


class PlanImportTask(TaskFields):
    key: Text = Field(max_length=100, description="Unique within the import; links refer to it.")
    parent: Text | None = Field(None, description="The key of the summary task above it.")


class PlanImportLink(LinkKind):
    predecessor: Text = Field(description="The key of the task before.")
    successor: Text = Field(description="The key of the task after.")


class PlanImportIn(Schema):
    start: dt.date | None = None
    tasks: list[PlanImportTask]
    links: list[PlanImportLink] = []


# --- Gantt --------------------------------------------------------------------------------------
# These document the answer; the endpoint sends the selector's JSON-ready dict without
# validating it again (on 5,000 tasks that would cost as much as the read), so a test checks
# that the two agree, and `extra="forbid"` makes any field added to the selector fail it.


class GanttProject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    code: str
    name: str


class GanttTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    version: int
    wbs: str
    name: str
    parent: int | None
    duration: int
    summary: bool
    milestone: bool
    start: dt.date | None
    finish: dt.date | None
    late_start: dt.date | None
    late_finish: dt.date | None
    total_float: int | None
    critical: bool
    dependencies: list[int] = Field(description="The ids of this task's predecessors.")
    baseline_start: dt.date | None
    baseline_finish: dt.date | None


class GanttLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    predecessor_id: int
    successor_id: int
    type: DependencyType
    lag: int


class GanttOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: GanttProject
    start: dt.date | None
    finish: dt.date | None
    today: dt.date
    baseline: BaselineRef | None = Field(description="The current baseline, if any.")
    tasks: list[GanttTask]
    links: list[GanttLink]


# --- baselines and variance ---------------------------------------------------------------------


class BaselineIn(Schema):
    name: Text = Field("", max_length=100)
    number: int | None = Field(
        None, ge=0, le=10, description="Replace this baseline; the next free number if left out."
    )


class BaselineOut(Schema):
    id: int
    number: int
    name: str
    is_current: bool
    captured_by: UserRef | None
    start: dt.date | None
    finish: dt.date | None
    created_at: dt.datetime


class TaskVarianceOut(Schema):
    task: PlanTaskRef
    start: dt.date | None
    finish: dt.date | None
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    start_variance_days: int | None = Field(description="Working days; positive means later.")
    finish_variance_days: int | None = Field(description="Working days; positive means later.")
    duration_variance_days: int | None
    work_variance_hours: Decimal | None
    cost_variance: Decimal | None


class VarianceOut(Schema):
    baseline: BaselineOut | None = Field(description="The current baseline, if any.")
    finish: dt.date | None = Field(description="The schedule's finish.")
    baseline_finish: dt.date | None
    finish_variance_days: int | None = Field(
        description="Schedule finish against the current baseline's, in working days."
    )
    work_variance_hours: Decimal | None = Field(
        description="Over the tasks that are not summaries."
    )
    cost_variance: Decimal | None = Field(description="Over the tasks that are not summaries.")
    tasks: list[TaskVarianceOut]


# --- calendars ----------------------------------------------------------------------------------


class CalendarIn(Schema):
    name: Text = Field(max_length=100)
    working_weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    hours_per_day: int = Field(8, ge=1, le=24)
    project_id: Id | None = Field(None, description="Left out: an organisation calendar (PMO).")


class CalendarExceptionIn(Schema):
    date: dt.date
    name: Text = Field(max_length=100)
    working_hours: int = Field(0, ge=0, le=24, description="0 for a holiday.")


class CalendarExceptionOut(Schema):
    id: int
    date: dt.date
    name: str
    working_hours: int


class CalendarOut(Schema):
    id: int
    name: str
    project_id: int | None
    is_default: bool
    working_weekdays: list[int]
    hours_per_day: int
    exceptions: list[CalendarExceptionOut]
    version: int

    @staticmethod
    def resolve_exceptions(obj: Any) -> list[Any]:
        return list(obj.exceptions.all())
