"""Change control and the issue log over the API.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.changes.services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from pmo.changes import selectors, services
from pmo.changes.models import ChangeStatus, Escalation, IssuePriority, IssueStatus
from pmo.projects.policies import access_project

from .pagination import Pagination
from .schemas import Id, PathId, Text, UserRef, Version, patch_data, problems

router = Router(tags=["changes"])

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]


class Edit(Schema):
    kind: Literal["duration", "constraint", "new_task"]
    task_id: Id | None = None
    duration: Annotated[int, Field(ge=0, le=10000)] | None = None
    constraint_type: str | None = None
    constraint_date: dt.date | None = None
    name: Text | None = None
    predecessor_ids: list[Id] | None = None
    successor_ids: list[Id] | None = None


class ChangeIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(min_length=1)]
    reason: Text = ""
    impact_scope: Text = ""
    impact_cost: Money = Decimal(0)
    impact_quality: Text = ""
    impact_risk: Text = ""
    edits: list[Edit] = []
    capture_baseline: bool = False


class ChangeOut(Schema):
    id: int
    number: int
    title: str
    description: str
    reason: str
    requester: UserRef | None
    impact_scope: str
    impact_cost: Decimal
    impact_quality: str
    impact_risk: str
    edits: list[dict[str, Any]]
    capture_baseline: bool
    preview: dict[str, Any]
    added_days: int
    status: ChangeStatus
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_comment: str
    baseline_id: int | None
    created_at: dt.datetime
    version: int


class DecisionIn(Schema):
    decision: Literal["approve", "reject"]
    comment: Text = ""
    version: Version | None = None


class ThresholdsIn(Schema):
    max_days: Annotated[int, Field(ge=0, le=100000)]
    max_cost: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class ThresholdsOut(Schema):
    max_days: int
    max_cost: Decimal
    project_specific: bool


class Ref(Schema):
    id: int
    name: str


class IssueIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Text = ""
    priority: IssuePriority = IssuePriority.MEDIUM
    owner_id: Id | None = None
    due_date: dt.date | None = None
    status: IssueStatus = IssueStatus.OPEN
    resolution: Text = ""
    task_ids: list[Id] = []
    risk_ids: list[Id] = []


class IssuePatch(Schema):
    version: Version
    title: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    description: Text | None = None
    priority: IssuePriority | None = None
    owner_id: Id | None = None
    due_date: dt.date | None = None
    status: IssueStatus | None = None
    resolution: Text | None = None
    task_ids: list[Id] | None = None
    risk_ids: list[Id] | None = None


class IssueOut(Schema):
    id: int
    number: int
    title: str
    description: str
    priority: IssuePriority
    owner: UserRef | None
    due_date: dt.date | None
    status: IssueStatus
    resolution: str
    tasks: list[Ref]
    risk_ids: list[int]
    escalation: Escalation
    escalation_ask: str
    escalated_by: UserRef | None
    escalated_at: dt.datetime | None
    pmo_response: str
    responded_by: UserRef | None
    responded_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_tasks(obj: Any) -> list[dict[str, Any]]:
        return [{"id": t.pk, "name": t.name} for t in obj.linked_tasks]

    @staticmethod
    def resolve_risk_ids(obj: Any) -> list[int]:
        return [r.pk for r in obj.linked_risks]


class EscalateIn(Schema):
    ask: Annotated[Text, Field(min_length=1)]
    version: Version | None = None


class RespondIn(Schema):
    response: Annotated[Text, Field(min_length=1)]
    version: Version | None = None


class QueueOut(IssueOut):
    project_id: int
    project_code: str

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.project.code)


def _project(request: HttpRequest, project_id: int) -> Any:
    return access_project(request.auth, project_id)


def _change(request: HttpRequest, project_id: int, change_id: int) -> Any:
    project = _project(request, project_id)
    return selectors.change_get(actor=request.auth, project=project, change_id=change_id)


def _issue(request: HttpRequest, project_id: int, issue_id: int) -> Any:
    project = _project(request, project_id)
    return selectors.issue_get(actor=request.auth, project=project, issue_id=issue_id)


# --- change requests ---------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/changes",
    response={200: list[ChangeOut], **problems(404, 422)},
    operation_id="change_list",
)
@paginate(Pagination)
def change_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.change_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/changes",
    response={201: ChangeOut, **problems(403, 404, 409, 422)},
    operation_id="change_create",
)
def change_create(request: HttpRequest, project_id: PathId, payload: ChangeIn) -> Any:
    """Raise a change request; the engine previews its schedule impact (nothing is written)."""
    data = payload.model_dump()
    data["edits"] = [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in e.items() if v is not None}
        for e in data["edits"]
    ]
    change = services.change_create(actor=request.auth, project_id=project_id, data=data)
    return 201, _change(request, project_id, change.pk)


@router.get(
    "/projects/{project_id}/changes/{change_id}",
    response={200: ChangeOut, **problems(404)},
    operation_id="change_get",
)
def change_get(request: HttpRequest, project_id: PathId, change_id: PathId) -> Any:
    return _change(request, project_id, change_id)


@router.post(
    "/projects/{project_id}/changes/{change_id}/preview",
    response={200: ChangeOut, **problems(404, 409, 422)},
    operation_id="change_preview_refresh",
)
def change_preview_refresh(request: HttpRequest, project_id: PathId, change_id: PathId) -> Any:
    """Re-compute the preview against the plan as it stands now."""
    services.change_refresh_preview(actor=request.auth, project_id=project_id, change_id=change_id)
    return _change(request, project_id, change_id)


@router.post(
    "/projects/{project_id}/changes/{change_id}/decision",
    response={200: ChangeOut, **problems(403, 404, 409, 422)},
    operation_id="change_decide",
)
def change_decide(
    request: HttpRequest, project_id: PathId, change_id: PathId, payload: DecisionIn
) -> Any:
    """Approve (applies the edits in one transaction) or reject. A plan changed since the
    preview answers 409: refresh the preview and decide again."""
    services.change_decide(
        actor=request.auth,
        project_id=project_id,
        change_id=change_id,
        decision=payload.decision,
        comment=payload.comment,
        version=payload.version,
    )
    return _change(request, project_id, change_id)


@router.post(
    "/projects/{project_id}/changes/{change_id}/withdraw",
    response={200: ChangeOut, **problems(403, 404, 409)},
    operation_id="change_withdraw",
)
def change_withdraw(request: HttpRequest, project_id: PathId, change_id: PathId) -> Any:
    services.change_withdraw(actor=request.auth, project_id=project_id, change_id=change_id)
    return _change(request, project_id, change_id)


@router.get(
    "/projects/{project_id}/change-thresholds",
    response={200: ThresholdsOut, **problems(404)},
    operation_id="change_thresholds_get",
)
def change_thresholds_get(request: HttpRequest, project_id: PathId) -> Any:
    project = _project(request, project_id)
    selectors.change_list(actor=request.auth, project=project)  # internal only
    days, cost, own = services.thresholds(project)
    return {"max_days": days, "max_cost": cost, "project_specific": own}


@router.put(
    "/projects/{project_id}/change-thresholds",
    response={200: ThresholdsOut, **problems(403, 404, 422)},
    operation_id="change_thresholds_set",
)
def change_thresholds_set(request: HttpRequest, project_id: PathId, payload: ThresholdsIn) -> Any:
    """The PMO sets how big a change the PM may approve alone on this project."""
    row = services.thresholds_set(
        actor=request.auth,
        project_id=project_id,
        max_days=payload.max_days,
        max_cost=payload.max_cost,
    )
    return {"max_days": row.max_days, "max_cost": row.max_cost, "project_specific": True}


# --- issues ------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/issues",
    response={200: list[IssueOut], **problems(404, 422)},
    operation_id="issue_list",
)
@paginate(Pagination)
def issue_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.issue_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    "/projects/{project_id}/issues",
    response={201: IssueOut, **problems(403, 404, 422)},
    operation_id="issue_create",
)
def issue_create(request: HttpRequest, project_id: PathId, payload: IssueIn) -> Any:
    issue = services.issue_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump()
    )
    return 201, _issue(request, project_id, issue.pk)


@router.get(
    "/projects/{project_id}/issues/{issue_id}",
    response={200: IssueOut, **problems(404)},
    operation_id="issue_get",
)
def issue_get(request: HttpRequest, project_id: PathId, issue_id: PathId) -> Any:
    return _issue(request, project_id, issue_id)


@router.patch(
    "/projects/{project_id}/issues/{issue_id}",
    response={200: IssueOut, **problems(403, 404, 409, 422)},
    operation_id="issue_update",
)
def issue_update(
    request: HttpRequest, project_id: PathId, issue_id: PathId, payload: IssuePatch
) -> Any:
    services.issue_update(
        actor=request.auth,
        project_id=project_id,
        issue_id=issue_id,
        version=payload.version,
        data=patch_data(payload),
    )
    return _issue(request, project_id, issue_id)


@router.post(
    "/projects/{project_id}/issues/{issue_id}/escalate",
    response={200: IssueOut, **problems(403, 404, 409, 422)},
    operation_id="issue_escalate",
)
def issue_escalate(
    request: HttpRequest, project_id: PathId, issue_id: PathId, payload: EscalateIn
) -> Any:
    """The PM escalates the issue to the PMO with an ask; it joins the PMO's queue."""
    services.issue_escalate(
        actor=request.auth,
        project_id=project_id,
        issue_id=issue_id,
        ask=payload.ask,
        version=payload.version,
    )
    return _issue(request, project_id, issue_id)


@router.post(
    "/projects/{project_id}/issues/{issue_id}/response",
    response={200: IssueOut, **problems(403, 404, 409, 422)},
    operation_id="issue_respond",
)
def issue_respond(
    request: HttpRequest, project_id: PathId, issue_id: PathId, payload: RespondIn
) -> Any:
    """The PMO answers an escalated issue; the PM is told."""
    services.issue_respond(
        actor=request.auth,
        project_id=project_id,
        issue_id=issue_id,
        response=payload.response,
        version=payload.version,
    )
    return _issue(request, project_id, issue_id)


@router.get(
    "/escalations",
    response={200: list[QueueOut], **problems(422)},
    operation_id="escalation_queue",
)
@paginate(Pagination)
def escalation_queue(request: HttpRequest) -> Any:
    """Issues escalated to the PMO and not yet answered (empty for anyone else)."""
    return selectors.escalation_queue(actor=request.auth)
