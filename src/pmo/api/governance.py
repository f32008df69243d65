"""Governance over the API: methodologies and their versions, templates, a project's gates,
gate reviews and their decisions, conditions, compliance.

Each operation parses, calls one service or selector and shapes the answer; the rules live in
pmo.governance.services.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from pmo.core.errors import Forbidden, NotFound
from pmo.governance import criteria, gates, selectors, services
from pmo.governance.models import (
    CriterionKind,
    Decision,
    EvidenceKind,
    ReviewState,
    TailoringEffect,
    VersionState,
)
from pmo.projects.models import ProjectSize, ProjectType, RiskLevel, Stage
from pmo.projects.policies import access_project, is_pmo, permissions_or_404

from .schemas import Id, PathId, Text, UserRef, Version, problems

router = Router(tags=["governance"])

Name = Annotated[Text, Field(min_length=1, max_length=150)]


class CheckOut(Schema):
    key: str
    label: str
    description: str
    defaults: dict[str, Any]


class CriterionOut(Schema):
    id: int
    kind: CriterionKind
    key: str
    label: str
    description: str
    params: dict[str, Any]
    weight: int


class StageOut(Schema):
    id: int
    stage: Stage
    guidance: str
    guidance_html: str
    deliverables: list[str]
    checklist: list[str]
    has_gate: bool
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_guidance_html(obj: Any) -> str:
        return selectors.render_guidance(obj.guidance)

    @staticmethod
    def resolve_criteria(obj: Any) -> list[Any]:
        return list(obj.criteria.all())


class RuleOut(Schema):
    id: int
    effect: TailoringEffect
    sizes: list[str]
    project_types: list[str]
    risk_levels: list[str]
    stage_id: int | None
    criterion_id: int | None
    reason: str
    condition: str

    @staticmethod
    def resolve_condition(obj: Any) -> str:
        return str(obj.condition_text())


class VersionSummary(Schema):
    id: int
    number: int
    state: VersionState
    notes: str
    published_at: dt.datetime | None


class VersionOut(VersionSummary):
    methodology_id: int
    methodology_name: str
    stages: list[StageOut]
    tailoring_rules: list[RuleOut]

    @staticmethod
    def resolve_methodology_name(obj: Any) -> str:
        return str(obj.methodology.name)

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())

    @staticmethod
    def resolve_tailoring_rules(obj: Any) -> list[Any]:
        return list(obj.tailoring_rules.all())


class MethodologyOut(Schema):
    id: int
    name: str
    description: str
    versions: list[VersionSummary]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.all())


class MethodologyIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    description: Text = ""


class DraftIn(Schema):
    notes: Annotated[Text, Field(max_length=300)] = ""


class StagePatch(Schema):
    guidance: Text | None = None
    deliverables: list[Annotated[Text, Field(max_length=300)]] | None = None
    checklist: list[Annotated[Text, Field(max_length=300)]] | None = None
    has_gate: bool | None = None


class CriterionIn(Schema):
    kind: CriterionKind
    key: Annotated[Text, Field(max_length=60)] = ""
    label: Annotated[Text, Field(max_length=150)] = ""
    description: Text = ""
    params: dict[str, Any] = {}
    weight: Annotated[int, Field(ge=1, le=100)] = 1


class RuleIn(Schema):
    effect: TailoringEffect
    reason: Annotated[Text, Field(min_length=1, max_length=300)]
    sizes: list[ProjectSize] = []
    project_types: list[ProjectType] = []
    risk_levels: list[RiskLevel] = []
    stage_id: Id | None = None
    criterion_id: Id | None = None


class TemplateTask(Schema):
    key: Annotated[Text, Field(min_length=1, max_length=40)]
    name: Annotated[Text, Field(min_length=1, max_length=255)]
    duration: Annotated[int, Field(ge=0, le=2000)] = 1
    parent: Annotated[Text, Field(max_length=40)] | None = None


class TemplateLink(Schema):
    predecessor: Annotated[Text, Field(max_length=40)]
    successor: Annotated[Text, Field(max_length=40)]
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: Annotated[int, Field(ge=-2000, le=2000)] = 0


class TemplateRole(Schema):
    role: Annotated[Text, Field(min_length=1, max_length=100)]
    count: Annotated[int, Field(ge=1, le=500)] = 1


class TemplateRisk(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    probability: Annotated[int, Field(ge=1, le=5)] = 3
    impact: Annotated[int, Field(ge=1, le=5)] = 3


class TemplateIn(Schema):
    name: Annotated[Text, Field(min_length=1, max_length=120)]
    description: Text = ""
    methodology_id: Id | None = None
    project_type: ProjectType = ProjectType.OTHER
    size: ProjectSize = ProjectSize.MEDIUM
    risk_level: RiskLevel = RiskLevel.MEDIUM
    tasks: list[TemplateTask] = []
    links: list[TemplateLink] = []
    roles: list[TemplateRole] = []
    risks: list[TemplateRisk] = []
    deliverables: list[Annotated[Text, Field(max_length=300)]] = []
    checklist: list[Annotated[Text, Field(max_length=300)]] = []


class TemplatePatch(Schema):
    version: Version
    name: Annotated[Text, Field(min_length=1, max_length=120)] | None = None
    description: Text | None = None
    methodology_id: Id | None = None
    project_type: ProjectType | None = None
    size: ProjectSize | None = None
    risk_level: RiskLevel | None = None
    tasks: list[TemplateTask] | None = None
    links: list[TemplateLink] | None = None
    roles: list[TemplateRole] | None = None
    risks: list[TemplateRisk] | None = None
    deliverables: list[Annotated[Text, Field(max_length=300)]] | None = None
    checklist: list[Annotated[Text, Field(max_length=300)]] | None = None


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    methodology_id: int | None
    project_type: ProjectType
    size: ProjectSize
    risk_level: RiskLevel
    tasks: list[dict[str, Any]]
    links: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    risks: list[dict[str, Any]]
    deliverables: list[str]
    checklist: list[str]
    version: int


class FromTemplateIn(Schema):
    code: Annotated[Text, Field(min_length=1, max_length=20)]
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    start: dt.date
    description: Text = ""
    portfolio_id: Id | None = None
    sponsor_id: Id | None = None
    manager_id: Id | None = None


class CreatedProjectOut(Schema):
    id: int
    code: str
    name: str
    stage: Stage
    planned_start: dt.date | None


class ResultOut(Schema):
    criterion_id: int
    label: str
    kind: str
    weight: int
    applies: bool
    met: bool
    unavailable: bool
    detail: str
    tailoring: str


class ConditionOut(Schema):
    id: int
    review_id: int
    text: str
    owner: UserRef | None
    due_date: dt.date | None
    state: str
    closing_note: str
    version: int


class ReviewOut(Schema):
    id: int
    project_id: int
    project_code: str
    stage: Stage
    gate: str
    state: ReviewState
    note: str
    requested_by: UserRef | None
    requested_at: dt.datetime
    criteria_at_request: list[dict[str, Any]]
    decision: Decision | Literal[""]
    rationale: str
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    criteria_at_decision: list[dict[str, Any]]
    conditions: list[ConditionOut]
    version: int

    @staticmethod
    def resolve_project_code(obj: Any) -> str:
        return str(obj.project.code)

    @staticmethod
    def resolve_gate(obj: Any) -> str:
        return str(obj.gate_name)

    @staticmethod
    def resolve_conditions(obj: Any) -> list[Any]:
        return list(obj.conditions.all())


class GateOut(Schema):
    stage: Stage
    name: str
    applies: bool
    tailoring: str
    ready: bool
    criteria: list[ResultOut]


class ChecklistItemOut(Schema):
    item: str
    done: bool


class ChecklistTickIn(Schema):
    stage: Annotated[Text, Field(description="A stage, or 'template' for the template's list")]
    item: Annotated[Text, Field(min_length=1, max_length=300)]
    done: bool = True


class GatesOut(Schema):
    methodology: str | None
    methodology_version_id: int | None
    stage: Stage
    compliance: float | None
    guidance_html: str
    deliverables: list[str]
    checklist: list[ChecklistItemOut]
    template_checklist: list[ChecklistItemOut]
    current_gate: GateOut | None
    open_review_id: int | None
    reviews: list[ReviewOut]


class MethodologyChoiceIn(Schema):
    methodology_id: Id


class EvidenceIn(Schema):
    criterion_id: Id
    kind: EvidenceKind
    document_id: Id | None = None
    url: Annotated[Text, Field(max_length=500)] = ""
    comment: Text = ""


class EvidenceOut(Schema):
    id: int
    criterion_id: int
    kind: EvidenceKind
    document_id: int | None
    url: str
    comment: str
    recorded_by: UserRef | None
    created_at: dt.datetime


class ReviewRequestIn(Schema):
    note: Text = ""


class ConditionIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=300)]
    owner_id: Id | None = None
    due_date: dt.date | None = None


class DecisionIn(Schema):
    decision: Decision
    rationale: Annotated[Text, Field(min_length=1)]
    conditions: list[ConditionIn] = []
    version: Version | None = None


class ConditionCloseIn(Schema):
    note: Annotated[Text, Field(min_length=1)]
    version: Version | None = None


class CellOut(Schema):
    criterion: str
    gate: str
    applies: bool
    met: bool
    unavailable: bool
    detail: str


class ComplianceOut(Schema):
    project_id: int
    project_code: str
    project_name: str
    stage: Stage
    score: float | None
    cells: list[CellOut]


# --- methodologies ------------------------------------------------------------------------------


@router.get(
    "/governance/criteria",
    response={200: list[CheckOut], **problems()},
    operation_id="gate_check_list",
)
def gate_check_list(request: HttpRequest) -> Any:
    """The automatic checks a methodology's criteria may use."""
    return [
        {"key": c.key, "label": c.label, "description": c.description, "defaults": c.defaults}
        for c in criteria.registered()
    ]


@router.get(
    "/governance/methodologies",
    response={200: list[MethodologyOut], **problems()},
    operation_id="methodology_list",
)
def methodology_list(request: HttpRequest) -> Any:
    return selectors.methodology_list()


@router.post(
    "/governance/methodologies",
    response={201: VersionOut, **problems(403, 422)},
    operation_id="methodology_create",
)
def methodology_create(request: HttpRequest, payload: MethodologyIn) -> Any:
    """A new methodology with a first draft version of the four stages."""
    m = services.methodology_create(
        actor=request.auth, name=payload.name, description=payload.description
    )
    return 201, selectors.version_detail(m.versions.get().pk)


def _version_out(version_id: int) -> Any:
    version = selectors.version_detail(version_id)
    if version is None:
        raise NotFound(services.VERSION_NOT_FOUND.format(id=version_id))
    return version


@router.get(
    "/governance/versions/{version_id}",
    response={200: VersionOut, **problems(404)},
    operation_id="methodology_version_get",
)
def methodology_version_get(request: HttpRequest, version_id: PathId) -> Any:
    return _version_out(version_id)


@router.post(
    "/governance/methodologies/{methodology_id}/versions",
    response={201: VersionOut, **problems(403, 404, 409, 422)},
    operation_id="methodology_version_draft",
)
def methodology_version_draft(
    request: HttpRequest, methodology_id: PathId, payload: DraftIn
) -> Any:
    """A new draft version, a copy of the newest one."""
    draft = services.version_new_draft(
        actor=request.auth, methodology_id=methodology_id, notes=payload.notes
    )
    return 201, _version_out(draft.pk)


@router.post(
    "/governance/versions/{version_id}/publish",
    response={200: VersionOut, **problems(403, 404, 409, 422)},
    operation_id="methodology_version_publish",
)
def methodology_version_publish(request: HttpRequest, version_id: PathId) -> Any:
    services.version_publish(actor=request.auth, version_id=version_id)
    return _version_out(version_id)


@router.patch(
    "/governance/stages/{stage_id}",
    response={200: StageOut, **problems(403, 404, 409, 422)},
    operation_id="stage_definition_update",
)
def stage_definition_update(request: HttpRequest, stage_id: PathId, payload: StagePatch) -> Any:
    return services.stage_definition_update(
        actor=request.auth, stage_id=stage_id, data=payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/governance/stages/{stage_id}/criteria",
    response={201: CriterionOut, **problems(403, 404, 409, 422)},
    operation_id="gate_criterion_add",
)
def gate_criterion_add(request: HttpRequest, stage_id: PathId, payload: CriterionIn) -> Any:
    return 201, services.criterion_add(actor=request.auth, stage_id=stage_id, **payload.dict())


@router.delete(
    "/governance/criteria/{criterion_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="gate_criterion_remove",
)
def gate_criterion_remove(request: HttpRequest, criterion_id: PathId) -> Any:
    services.criterion_remove(actor=request.auth, criterion_id=criterion_id)
    return 204, None


@router.post(
    "/governance/versions/{version_id}/tailoring",
    response={201: RuleOut, **problems(403, 404, 409, 422)},
    operation_id="tailoring_rule_add",
)
def tailoring_rule_add(request: HttpRequest, version_id: PathId, payload: RuleIn) -> Any:
    data = payload.model_dump(mode="json")
    return 201, services.tailoring_rule_add(actor=request.auth, version_id=version_id, **data)


@router.delete(
    "/governance/tailoring/{rule_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="tailoring_rule_remove",
)
def tailoring_rule_remove(request: HttpRequest, rule_id: PathId) -> Any:
    services.tailoring_rule_remove(actor=request.auth, rule_id=rule_id)
    return 204, None


# --- templates ----------------------------------------------------------------------------------


@router.get(
    "/governance/templates",
    response={200: list[TemplateOut], **problems()},
    operation_id="project_template_list",
)
def project_template_list(request: HttpRequest) -> Any:
    return selectors.template_list()


@router.post(
    "/governance/templates",
    response={201: TemplateOut, **problems(403, 422)},
    operation_id="project_template_create",
)
def project_template_create(request: HttpRequest, payload: TemplateIn) -> Any:
    return 201, services.template_create(actor=request.auth, data=payload.model_dump(mode="json"))


@router.patch(
    "/governance/templates/{template_id}",
    response={200: TemplateOut, **problems(403, 404, 409, 422)},
    operation_id="project_template_update",
)
def project_template_update(
    request: HttpRequest, template_id: PathId, payload: TemplatePatch
) -> Any:
    data = payload.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    return services.template_update(
        actor=request.auth, template_id=template_id, version=payload.version, data=data
    )


@router.post(
    "/governance/templates/{template_id}/projects",
    response={201: CreatedProjectOut, **problems(403, 404, 409, 422)},
    operation_id="project_create_from_template",
)
def project_create_from_template(
    request: HttpRequest, template_id: PathId, payload: FromTemplateIn
) -> Any:
    """A project built from the template: its plan scheduled from `start`, its default risks and
    deliverables, following the template's methodology."""
    data = payload.dict()
    start = data.pop("start")
    return 201, services.project_create_from_template(
        actor=request.auth, template_id=template_id, start=start, **data
    )


# --- a project's gates --------------------------------------------------------------------------


def _gate_out(status: gates.GateStatus | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {
        "stage": status.stage,
        "name": status.name,
        "applies": status.applies,
        "tailoring": status.tailoring,
        "ready": status.ready,
        "criteria": [r.as_dict() for r in status.results],
    }


@router.get(
    "/projects/{project_id}/gates",
    response={200: GatesOut, **problems(404)},
    operation_id="project_gates",
)
def project_gates(request: HttpRequest, project_id: PathId) -> Any:
    """The methodology the project follows, its current gate with each criterion met or missing
    (and why), its compliance score and its gate reviews."""
    project = access_project(request.auth, project_id)
    perms = permissions_or_404(request.auth, project)
    if not perms.view_internal:
        raise NotFound(f"Project {project_id} not found.")
    panel = selectors.gate_panel(project)
    version = panel.governance.methodology_version if panel.governance else None
    return {
        "methodology": str(version) if version else None,
        "methodology_version_id": version.pk if version else None,
        "stage": project.stage,
        "compliance": panel.score,
        "guidance_html": panel.guidance_html,
        "deliverables": panel.stage_definition.deliverables if panel.stage_definition else [],
        "checklist": [{"item": i, "done": d} for i, d in panel.checklist],
        "template_checklist": [{"item": i, "done": d} for i, d in panel.template_checklist],
        "current_gate": _gate_out(panel.current),
        "open_review_id": panel.open_review.pk if panel.open_review else None,
        "reviews": panel.reviews,
    }


@router.post(
    "/projects/{project_id}/methodology",
    response={200: GatesOut, **problems(403, 404, 409, 422)},
    operation_id="project_methodology_set",
)
def project_methodology_set(
    request: HttpRequest, project_id: PathId, payload: MethodologyChoiceIn
) -> Any:
    services.project_methodology_set(
        actor=request.auth, project_id=project_id, methodology_id=payload.methodology_id
    )
    return project_gates(request, project_id)


@router.post(
    "/projects/{project_id}/gates/evidence",
    response={201: EvidenceOut, **problems(403, 404, 409, 422)},
    operation_id="gate_evidence_record",
)
def gate_evidence_record(request: HttpRequest, project_id: PathId, payload: EvidenceIn) -> Any:
    return 201, services.evidence_record(
        actor=request.auth, project_id=project_id, **payload.dict()
    )


@router.post(
    "/projects/{project_id}/gates/checklist",
    response={200: GatesOut, **problems(403, 404, 409, 422)},
    operation_id="gate_checklist_tick",
)
def gate_checklist_tick(request: HttpRequest, project_id: PathId, payload: ChecklistTickIn) -> Any:
    """Tick (or untick, `done: false`) an item of the current stage's checklist."""
    services.checklist_tick(
        actor=request.auth,
        project_id=project_id,
        stage=payload.stage,
        item=payload.item,
        done=payload.done,
    )
    return project_gates(request, project_id)


@router.post(
    "/projects/{project_id}/gates/reviews",
    response={201: ReviewOut, **problems(403, 404, 409, 422)},
    operation_id="gate_review_request",
)
def gate_review_request(request: HttpRequest, project_id: PathId, payload: ReviewRequestIn) -> Any:
    """Ask the PMO to review the gate of the current stage; refused (409, with `missing`) while
    a criterion is not met."""
    return 201, services.review_request(
        actor=request.auth, project_id=project_id, note=payload.note
    )


# --- the PMO's side -----------------------------------------------------------------------------


@router.get(
    "/governance/reviews",
    response={200: list[ReviewOut], **problems(403)},
    operation_id="gate_review_queue",
)
def gate_review_queue(request: HttpRequest) -> Any:
    """Requested gate reviews, oldest first (the PMO's queue)."""
    if not is_pmo(request.auth):
        raise Forbidden(services.ONLY_PMO.format(action="see the gate review queue"))
    return list(selectors.review_queue().prefetch_related("conditions__owner"))


@router.post(
    "/governance/reviews/{review_id}/decision",
    response={200: ReviewOut, **problems(403, 404, 409, 422)},
    operation_id="gate_review_decide",
)
def gate_review_decide(request: HttpRequest, review_id: PathId, payload: DecisionIn) -> Any:
    return services.review_decide(
        actor=request.auth,
        review_id=review_id,
        decision=payload.decision,
        rationale=payload.rationale,
        conditions=[c.dict() for c in payload.conditions],
        version=payload.version,
    )


@router.post(
    "/governance/reviews/{review_id}/withdraw",
    response={200: ReviewOut, **problems(403, 404, 409)},
    operation_id="gate_review_withdraw",
)
def gate_review_withdraw(request: HttpRequest, review_id: PathId) -> Any:
    return services.review_withdraw(actor=request.auth, review_id=review_id)


@router.post(
    "/governance/conditions/{condition_id}/close",
    response={200: ConditionOut, **problems(403, 404, 409, 422)},
    operation_id="gate_condition_close",
)
def gate_condition_close(
    request: HttpRequest, condition_id: PathId, payload: ConditionCloseIn
) -> Any:
    return services.condition_close(
        actor=request.auth, condition_id=condition_id, note=payload.note, version=payload.version
    )


@router.get(
    "/governance/compliance",
    response={200: list[ComplianceOut], **problems()},
    operation_id="compliance_heatmap",
)
def compliance_heatmap(request: HttpRequest, portfolio_id: Id | None = None) -> Any:
    """Each visible project that follows a methodology: its score and each criterion of the gates
    it has reached, met or not (the heat map's rows)."""
    rows = selectors.compliance_heatmap(request.auth, portfolio_id=portfolio_id)
    return [
        {
            "project_id": r.project.pk,
            "project_code": r.project.code,
            "project_name": r.project.name,
            "stage": r.project.stage,
            "score": r.score,
            "cells": [{"criterion": label, **vars(cell)} for label, cell in r.cells.items()],
        }
        for r in rows
    ]
