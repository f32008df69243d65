"""What goes in and out of the API: explicit fields only, so nothing leaks by accident.

`…In` creates, `…Patch` changes (with the `version` that was read), `…Out` answers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Form, Path, Query, Schema
from pydantic import AfterValidator

from pmo.projects.models import (
    Engagement,
    Health,
    ProjectRole,
    ProjectSize,
    ProjectType,
    RiskLevel,
    Stage,
    Status,
)

# Database integers are signed 64-bit; a larger number must be refused, not overflow in the driver.
MAX_DB_INT = 2**63 - 1
NUL_IN_TEXT = "Text may not contain NUL characters."


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; refuse it here as invalid input rather than fail later.
    if "\x00" in value:
        raise ValueError(NUL_IN_TEXT)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
QueryId = Annotated[int, Query(ge=1, le=MAX_DB_INT)]
Text = Annotated[str, AfterValidator(_no_nul)]
FormText = Annotated[str, Form()]
Version = Annotated[
    int, Field(ge=1, le=MAX_DB_INT, description="The `version` you read; a stale one answers 409.")
]


class Problem(Schema):
    """An RFC 7807 problem: every error the API answers has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: Any = None


def problems(*codes: int) -> dict[int, type[Problem]]:
    """Error answers to document on an operation, besides its success answer."""
    return dict.fromkeys((401, *codes), Problem)


# --- shared references --------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class PortfolioRef(Schema):
    id: int
    name: str


# --- accounts -----------------------------------------------------------------------------------


class MeOut(UserRef):
    email: str
    org_role: str
    job_title: str
    organisation: str
    is_pmo: bool


class ApiTokenIn(Schema):
    name: Text = Field(max_length=80)


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again.")


# --- projects -----------------------------------------------------------------------------------


class ProjectFilters(Schema):
    search: Text = ""
    stage: Stage | None = None
    status: Status | None = None
    health: Health | None = None
    portfolio: Id | None = None
    project_type: ProjectType | None = None


class ProjectIn(Schema):
    code: Text = Field(max_length=20, examples=["PRJ-042"])
    name: Text = Field(max_length=200)
    description: Text = ""
    portfolio_id: Id | None = None
    sponsor_id: Id | None = None
    manager_id: Id | None = None
    planned_start: dt.date | None = None
    planned_finish: dt.date | None = None
    project_type: ProjectType = ProjectType.OTHER
    size: ProjectSize = ProjectSize.MEDIUM
    risk_level: RiskLevel = RiskLevel.MEDIUM


class ProjectPatch(Schema):
    version: Version
    name: Text | None = None
    description: Text | None = None
    portfolio_id: Id | None = None
    sponsor_id: Id | None = None
    manager_id: Id | None = None
    status: Status | None = None
    health: Health | None = None
    project_type: ProjectType | None = None
    size: ProjectSize | None = None
    risk_level: RiskLevel | None = None
    planned_start: dt.date | None = None
    planned_finish: dt.date | None = None
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    description: str
    portfolio: PortfolioRef | None
    sponsor: UserRef | None
    manager: UserRef | None
    stage: Stage
    status: Status
    health: Health
    project_type: ProjectType
    size: ProjectSize
    risk_level: RiskLevel
    planned_start: dt.date | None
    planned_finish: dt.date | None
    actual_start: dt.date | None
    actual_finish: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class StageAdvanceIn(Schema):
    to_stage: Stage
    version: Version | None = None
    override_reason: Text = Field(
        "",
        description="A PMO admin moving a project on without a passed gate gives the reason "
        "(kept in the audit trail); leave empty otherwise.",
    )


class MemberIn(Schema):
    user_id: Id
    role: ProjectRole = ProjectRole.MEMBER


class MemberOut(Schema):
    user: UserRef
    role: ProjectRole
    created_at: dt.datetime


# --- charter ------------------------------------------------------------------------------------


class CharterObjective(Schema):
    objective: Text = ""
    measure: Text = ""
    target: Text = ""


class CharterMilestone(Schema):
    name: Text = ""
    date: Text = Field("", description="YYYY-MM-DD")


class CharterContent(Schema):
    purpose: str
    problem: str
    desired_results: str
    benefits: str
    scope_in: str
    scope_out: str
    objectives: list[CharterObjective]
    deliverables: list[str]
    success_criteria: list[str]
    assumptions: list[str]
    constraints: list[str]
    obstacles: list[str]
    milestones: list[CharterMilestone]
    budget_estimate: Decimal | None


class CharterSummaryOut(Schema):
    number: int
    state: str
    change_summary: str
    version: int
    submitted_by: UserRef | None
    submitted_at: dt.datetime | None
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_comment: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CharterOut(CharterSummaryOut, CharterContent):
    pass


class CharterPatch(Schema):
    version: Version
    purpose: Text | None = None
    problem: Text | None = None
    desired_results: Text | None = None
    benefits: Text | None = None
    scope_in: Text | None = None
    scope_out: Text | None = None
    objectives: list[CharterObjective] | None = None
    deliverables: list[Text] | None = None
    success_criteria: list[Text] | None = None
    assumptions: list[Text] | None = None
    constraints: list[Text] | None = None
    obstacles: list[Text] | None = None
    milestones: list[CharterMilestone] | None = None
    budget_estimate: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    change_summary: Text | None = Field(None, max_length=300)


class CharterActionIn(Schema):
    version: Version | None = None


class CharterDecisionIn(Schema):
    decision: Literal["approve", "return"]
    comment: Text = ""
    version: Version | None = None


class CharterReviseIn(Schema):
    change_summary: Text = Field("", max_length=300)


class CharterFieldChange(Schema):
    field: str
    label: str
    old: Any
    new: Any


class CharterCompareOut(Schema):
    a: int
    b: int
    changes: list[CharterFieldChange]


# --- stakeholders -------------------------------------------------------------------------------


class StakeholderIn(Schema):
    name: Text = Field(max_length=150)
    is_internal: bool = True
    organisation: Text = ""
    role: Text = ""
    email: Text = ""
    phone: Text = ""
    interest: int = Field(3, ge=1, le=5)
    influence: int = Field(3, ge=1, le=5)
    current_engagement: Engagement = Engagement.NEUTRAL
    desired_engagement: Engagement = Engagement.SUPPORTIVE
    communication_preference: Text = ""
    notes: Text = ""


class StakeholderPatch(Schema):
    version: Version
    name: Text | None = Field(None, max_length=150)
    is_internal: bool | None = None
    organisation: Text | None = None
    role: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    interest: int | None = Field(None, ge=1, le=5)
    influence: int | None = Field(None, ge=1, le=5)
    current_engagement: Engagement | None = None
    desired_engagement: Engagement | None = None
    communication_preference: Text | None = None
    notes: Text | None = None


class StakeholderOut(Schema):
    id: int
    name: str
    is_internal: bool
    organisation: str
    role: str
    email: str
    phone: str
    interest: int
    influence: int
    grid_quadrant: str
    current_engagement: Engagement
    desired_engagement: Engagement
    communication_preference: str
    notes: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# --- documents ----------------------------------------------------------------------------------


class DocumentFileOut(Schema):
    document_id: int
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    uploaded_at: dt.datetime
    comment: str


class DocumentOut(Schema):
    id: int
    title: str
    description: str
    shared_with_client: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    files: list[DocumentFileOut] = Field(description="Every uploaded version, newest first.")

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())


# --- audit --------------------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: UserRef | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    note: str


def patch_data(payload: Schema) -> dict[str, Any]:
    """The fields a PATCH body actually sent, without its `version`, as plain values."""
    return payload.model_dump(exclude_unset=True, exclude={"version"})
