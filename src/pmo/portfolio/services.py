"""Writes on portfolios: goals, intake requests and their workflow, conversion into a project,
scoring models and assessments, scenarios.

Every function checks who may act, validates, writes in one transaction and audits.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import STALE_VERSION, Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, versioned_update
from pmo.engine.selection import SelectionError
from pmo.projects import services as project_services
from pmo.projects.models import Project
from pmo.resources.models import JobRole

from .models import (
    MAX_PERIODS,
    Assessment,
    Criterion,
    EstimateKind,
    IntakeRequest,
    OrganisationGoal,
    Portfolio,
    Program,
    ProgramProject,
    ReportPack,
    RequestAttachment,
    RequestDemand,
    RequestEstimate,
    RequestState,
    Scenario,
    ScenarioCandidate,
    ScenarioState,
    ScoringModel,
    ValueBasis,
)
from .policies import (
    access_pack,
    access_program,
    access_request,
    may_edit,
    may_submit,
    require_dashboard_reader,
    require_draft,
    require_pmo,
)

UNKNOWN_USER = "No active user with id {id}."
UNKNOWN_PORTFOLIO = "No portfolio with id {id}."
UNKNOWN_GOAL = "No active organisational goal with id {id}."
UNKNOWN_REQUEST = "No request with id {id} to depend on."
UNKNOWN_PROJECT = "No project with id {id} to depend on."
UNKNOWN_ROLE = "No job role with id {id}."
SELF_DEPENDENCY = "A request cannot depend on or exclude itself."
REQUIRES_AND_EXCLUDES = "A request cannot both require and exclude {code}."
MAY_NOT_EDIT = "Only the requester edits a draft, and only the PMO a request under assessment."
MAY_NOT_SUBMIT = "Only the requester submits their draft."
WRONG_STATE = "{code} is {state}; it cannot be {action}."
SUBMIT_INCOMPLETE = "The request cannot be submitted yet: it needs {missing}."
DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'approve', 'reject' or 'defer'."
DECISION_NEEDS_COMMENT = "Say why when rejecting or deferring a request."
PERIODS_TOO_MANY = "Estimates cover at most {max} years."
AMOUNTS_SHAPE = "{field} must be a list of amounts, one a year, none negative."
DEMAND_SHAPE = "demand must map job role ids to lists of hours, one a year, none negative."
ATTACHMENT_EMPTY = "The file is empty."
ATTACHMENT_TOO_LARGE = "The file is {size} bytes; the limit is {limit} bytes."
ATTACHMENT_TYPE = "Files of type '.{ext}' are not accepted; allowed: {allowed}."
ATTACHMENT_NOT_FOUND = "Attachment {id} not found on this request."
MANAGER_ROLE = "{user} is not a project manager; name a project manager or a PMO member."
MODEL_NOT_FOUND = "Scoring model {id} not found."
MODEL_INACTIVE = "Scoring model '{name}' is retired; score with an active model."
MODEL_NO_CRITERIA = "A scoring model needs at least one criterion."
CRITERIA_SHAPE = (
    "criteria must be a list of objects with a name, a weight (0 or more), a scale_max "
    "(2 to 10) and optional levels (one description per score)."
)
CRITERION_DUPLICATE = "Two criteria are called '{name}'."
LEVELS_TOO_MANY = "Criterion '{name}' has {n} level descriptions for a scale of 1 to {max}."
CRITERIA_LOCKED = (
    "Requests were already scored on this model; change weights and descriptions, not the "
    "criteria or their scales."
)
SCORES_MISSING = "Score every criterion: {names}."
SCORE_RANGE = "The score for '{name}' must be a whole number from 1 to {max}."
SCORES_UNKNOWN = "These are not criteria of this model: {ids}."
NOT_SCORABLE = (
    "{code} is {state}; only submitted, assessed, approved or deferred requests are scored."
)
GOAL_NOT_FOUND = "Goal {id} not found."
PORTFOLIO_NOT_FOUND = "Portfolio {id} not found."

REQUEST_FIELDS = {
    "title",
    "sponsor_id",
    "portfolio_id",
    "problem",
    "objectives",
    "target_start",
    "target_finish",
    "risk_level",
    "mandatory",
    "approval_probability",
}
REQUEST_RELATIONS = {"goal_ids", "requires_ids", "excludes_ids", "requires_project_ids"}
REQUEST_PLANS = {"costs", "benefits", "demand"}
REQUEST_EDITABLE = REQUEST_FIELDS | REQUEST_RELATIONS | REQUEST_PLANS
GOAL_EDITABLE = {"name", "description", "is_active"}
PORTFOLIO_EDITABLE = {"name", "description", "owner_id", "discount_rate"}
MODEL_EDITABLE = {"name", "description", "is_active", "criteria"}
DECISIONS = {
    "approve": RequestState.APPROVED,
    "reject": RequestState.REJECTED,
    "defer": RequestState.DEFERRED,
}
SCORABLE = {
    RequestState.SUBMITTED,
    RequestState.IN_ASSESSMENT,
    RequestState.APPROVED,
    RequestState.DEFERRED,
}


# --- shared steps -------------------------------------------------------------------------------


def _active_user(user_id: Any) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise ValidationFailed(UNKNOWN_USER.format(id=user_id))
    return user


def _created(obj: Any, *, actor: User, fields: Sequence[str]) -> Any:
    full_clean(obj)
    obj.save()
    changes = {k: [None, v] for k, v in snapshot(obj, fields).items()}
    audit_record(actor=actor, action="create", obj=obj, changes=changes)
    return obj


def _state_label(request: IntakeRequest) -> str:
    return request.get_state_display().lower()


def _wrong_state(request: IntakeRequest, action: str) -> Conflict:
    return Conflict(
        WRONG_STATE.format(code=request.code, state=_state_label(request), action=action)
    )


def _stale(obj: Any, version: int) -> None:
    thing = f"Request {obj.code}" if isinstance(obj, IntakeRequest) else f"'{obj}'"
    raise Conflict(STALE_VERSION.format(thing=thing, expected=version, current=obj.version))


# --- portfolios and goals -----------------------------------------------------------------------


@transaction.atomic
def portfolio_create(*, actor: User, data: Mapping[str, Any]) -> Portfolio:
    require_pmo(actor, "create portfolios")
    only_fields(data, PORTFOLIO_EDITABLE)
    if data.get("owner_id") is not None:
        _active_user(data["owner_id"])
    return _created(Portfolio(**data), actor=actor, fields=list(data))


@transaction.atomic
def portfolio_update(
    *, actor: User, portfolio_id: int, version: int | None, data: Mapping[str, Any]
) -> Portfolio:
    require_pmo(actor, "change portfolios")
    only_fields(data, PORTFOLIO_EDITABLE)
    if data.get("owner_id") is not None:
        _active_user(data["owner_id"])
    portfolio = Portfolio.objects.select_for_update().filter(pk=portfolio_id).first()
    if portfolio is None:
        raise NotFound(PORTFOLIO_NOT_FOUND.format(id=portfolio_id))
    return versioned_update(
        portfolio,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=None,
        thing="The portfolio",
    )


@transaction.atomic
def goal_create(*, actor: User, data: Mapping[str, Any]) -> OrganisationGoal:
    require_pmo(actor, "maintain organisational goals")
    only_fields(data, GOAL_EDITABLE)
    return _created(OrganisationGoal(**data), actor=actor, fields=list(data))


@transaction.atomic
def goal_update(
    *, actor: User, goal_id: int, version: int | None, data: Mapping[str, Any]
) -> OrganisationGoal:
    require_pmo(actor, "maintain organisational goals")
    only_fields(data, GOAL_EDITABLE)
    goal = OrganisationGoal.objects.select_for_update().filter(pk=goal_id).first()
    if goal is None:
        raise NotFound(GOAL_NOT_FOUND.format(id=goal_id))
    return versioned_update(
        goal, actor=actor, data=data, expected_version=version, project_id=None, thing="The goal"
    )


# --- requests: content --------------------------------------------------------------------------


def _amounts(field: str, value: Any) -> list[Decimal]:
    if not isinstance(value, list | tuple):
        raise ValidationFailed(AMOUNTS_SHAPE.format(field=field))
    if len(value) > MAX_PERIODS:
        raise ValidationFailed(PERIODS_TOO_MANY.format(max=MAX_PERIODS))
    amounts = []
    for item in value:
        try:
            amount = Decimal(str(item if item not in (None, "") else 0))
        except InvalidOperation:
            raise ValidationFailed(AMOUNTS_SHAPE.format(field=field)) from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            raise ValidationFailed(AMOUNTS_SHAPE.format(field=field))
        amounts.append(amount.quantize(Decimal("0.01")))
    return amounts


def _demand(value: Any) -> dict[int, list[Decimal]]:
    if not isinstance(value, Mapping):
        raise ValidationFailed(DEMAND_SHAPE)
    demand: dict[int, list[Decimal]] = {}
    for key, hours in value.items():
        try:
            role_id = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed(DEMAND_SHAPE) from None
        try:
            demand[role_id] = _amounts("demand", hours)
        except ValidationFailed as exc:
            raise ValidationFailed(
                DEMAND_SHAPE if "list of amounts" in exc.message else exc.message
            ) from None
    known = set(JobRole.objects.filter(pk__in=demand).values_list("pk", flat=True))
    for role_id in demand:
        if role_id not in known:
            raise ValidationFailed(UNKNOWN_ROLE.format(id=role_id))
    return demand


def _check_fields(data: Mapping[str, Any]) -> None:
    if data.get("sponsor_id") is not None:
        _active_user(data["sponsor_id"])
    portfolio_id = data.get("portfolio_id")
    if portfolio_id is not None and not Portfolio.objects.filter(pk=portfolio_id).exists():
        raise ValidationFailed(UNKNOWN_PORTFOLIO.format(id=portfolio_id))


def _ids(data: Mapping[str, Any], key: str) -> list[int] | None:
    if key not in data:
        return None
    value = data[key] or []
    try:
        return sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValidationFailed(f"{key} must be a list of ids.") from None


def _set_relations(request: IntakeRequest, data: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    goal_ids = _ids(data, "goal_ids")
    if goal_ids is not None:
        goals = list(OrganisationGoal.objects.filter(pk__in=goal_ids, is_active=True))
        missing = set(goal_ids) - {g.pk for g in goals}
        if missing:
            raise ValidationFailed(UNKNOWN_GOAL.format(id=min(missing)))
        request.goals.set(goals)
        changes["goals"] = [str(g) for g in goals]
    requires = _ids(data, "requires_ids")
    excludes = _ids(data, "excludes_ids")
    for ids in (requires, excludes):
        if ids is None:
            continue
        if request.pk in ids:
            raise ValidationFailed(SELF_DEPENDENCY)
        found = set(IntakeRequest.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - found:
            raise ValidationFailed(UNKNOWN_REQUEST.format(id=min(set(ids) - found)))
    final_requires = (
        set(requires)
        if requires is not None
        else set(request.requires.values_list("pk", flat=True))
    )
    final_excludes = (
        set(excludes)
        if excludes is not None
        else set(request.excludes.values_list("pk", flat=True))
    )
    both = final_requires & final_excludes
    if both:
        other = IntakeRequest.objects.get(pk=min(both))
        raise ValidationFailed(REQUIRES_AND_EXCLUDES.format(code=other.code))
    if requires is not None:
        request.requires.set(requires)
        changes["requires"] = requires
    if excludes is not None:
        request.excludes.set(excludes)
        changes["excludes"] = excludes
    project_ids = _ids(data, "requires_project_ids")
    if project_ids is not None:
        found = set(Project.objects.filter(pk__in=project_ids).values_list("pk", flat=True))
        if set(project_ids) - found:
            raise ValidationFailed(UNKNOWN_PROJECT.format(id=min(set(project_ids) - found)))
        request.requires_projects.set(project_ids)
        changes["requires_projects"] = project_ids
    return changes


def _set_plans(request: IntakeRequest, data: Mapping[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for kind, field in ((EstimateKind.COST, "costs"), (EstimateKind.BENEFIT, "benefits")):
        if field not in data:
            continue
        amounts = _amounts(field, data[field])
        request.estimates.filter(kind=kind).delete()
        RequestEstimate.objects.bulk_create(
            RequestEstimate(request=request, kind=kind, period=t, amount=a)
            for t, a in enumerate(amounts)
            if a
        )
        changes[field] = [str(a) for a in amounts]
    if "demand" in data:
        demand = _demand(data["demand"])
        request.demands.all().delete()
        RequestDemand.objects.bulk_create(
            RequestDemand(request=request, role_id=role_id, period=t, hours=h)
            for role_id, hours in demand.items()
            for t, h in enumerate(hours)
            if h
        )
        changes["demand"] = {str(k): [str(h) for h in v] for k, v in demand.items()}
    return changes


def _request_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in REQUEST_FIELDS}


@transaction.atomic
def request_create(*, actor: User, data: Mapping[str, Any]) -> IntakeRequest:
    """A new draft request by `actor`, with its estimates, demand, goals and dependencies."""
    require_draft(actor)
    only_fields(data, REQUEST_EDITABLE)
    _check_fields(data)
    values = _request_values(data)
    # Numbers are handed out under a lock on the last one, so two drafts never share one.
    last = IntakeRequest.objects.select_for_update().order_by("-number").first()
    request = IntakeRequest(requester=actor, number=(last.number if last else 0) + 1, **values)
    full_clean(request)
    request.save()
    changes = {k: [None, v] for k, v in snapshot(request, ["number", "title", *values]).items()}
    changes.update({k: [None, v] for k, v in _set_relations(request, data).items()})
    changes.update({k: [None, v] for k, v in _set_plans(request, data).items()})
    audit_record(actor=actor, action="create", obj=request, changes=changes)
    return request


@transaction.atomic
def request_update(
    *, actor: User, request_id: int, version: int | None, data: Mapping[str, Any]
) -> IntakeRequest:
    request = access_request(actor, request_id, for_update=True)
    if not may_edit(actor, request):
        raise Forbidden(MAY_NOT_EDIT)
    only_fields(data, REQUEST_EDITABLE)
    _check_fields(data)
    if version is not None and version != request.version:
        # versioned_update says so precisely; check before touching the related rows
        _stale(request, version)
    related = {**_set_relations(request, data), **_set_plans(request, data)}
    values = _request_values(data)
    before = request.version
    request = versioned_update(
        request,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=None,
        thing=f"Request {request.code}",
    )
    if related:
        if request.version == before:  # only estimates or links changed: still a new version
            IntakeRequest.objects.filter(pk=request.pk).update(
                version=request.version + 1, updated_at=timezone.now()
            )
            request.version += 1
        audit_record(
            actor=actor,
            action="update",
            obj=request,
            changes={k: [None, v] for k, v in related.items()},
        )
    return request


def submit_missing(request: IntakeRequest) -> list[str]:
    """What a draft still lacks before it can be submitted, in the reader's words."""
    missing = []
    if not request.problem.strip():
        missing.append("the problem or opportunity")
    if not request.objectives.strip():
        missing.append("at least one objective")
    if request.portfolio_id is None:
        missing.append("a portfolio")
    if not request.estimates.filter(kind=EstimateKind.COST).exists():
        missing.append("a cost estimate")
    return missing


def _transition(
    request: IntakeRequest, *, actor: User, to: str, version: int | None, **fields: Any
) -> IntakeRequest:
    before = request.state
    request = versioned_update(
        request,
        actor=actor,
        data={"state": to, **fields},
        expected_version=version,
        project_id=None,
        thing=f"Request {request.code}",
    )
    audit_record(
        actor=actor,
        action="transition",
        obj=request,
        changes={"state": [before, to]},
        note=fields.get("decision_comment", "")[:200],
    )
    return request


@transaction.atomic
def request_submit(*, actor: User, request_id: int, version: int | None) -> IntakeRequest:
    request = access_request(actor, request_id, for_update=True)
    if request.state != RequestState.DRAFT:
        raise _wrong_state(request, "submitted")
    if not may_submit(actor, request):
        raise Forbidden(MAY_NOT_SUBMIT)
    missing = submit_missing(request)
    if missing:
        raise ValidationFailed(SUBMIT_INCOMPLETE.format(missing=", ".join(missing)))
    request = _transition(
        request,
        actor=actor,
        to=RequestState.SUBMITTED,
        version=version,
        submitted_at=timezone.now(),
    )
    pmo = User.objects.filter(is_active=True, org_role__in=[OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST])
    notify(
        users=pmo,
        subject=f"{request.code} submitted for assessment",
        body=f"{actor} submitted the request '{request.title}'.",
    )
    return request


@transaction.atomic
def request_assess(*, actor: User, request_id: int, version: int | None) -> IntakeRequest:
    """The PMO takes a submitted (or deferred) request into assessment."""
    request = access_request(actor, request_id, for_update=True)
    require_pmo(actor, "assess requests")
    if request.state not in (RequestState.SUBMITTED, RequestState.DEFERRED):
        raise _wrong_state(request, "taken into assessment")
    return _transition(request, actor=actor, to=RequestState.IN_ASSESSMENT, version=version)


@transaction.atomic
def request_decide(
    *, actor: User, request_id: int, version: int | None, decision: str, comment: str = ""
) -> IntakeRequest:
    request = access_request(actor, request_id, for_update=True)
    require_pmo(actor, "decide on requests")
    to = DECISIONS.get(decision)
    if to is None:
        raise ValidationFailed(DECISION_UNKNOWN.format(decision=decision))
    if request.state != RequestState.IN_ASSESSMENT:
        raise _wrong_state(request, "decided; take it into assessment first")
    if to != RequestState.APPROVED and not comment.strip():
        raise ValidationFailed(DECISION_NEEDS_COMMENT)
    request = _approve_or_decide(request, actor=actor, to=to, version=version, comment=comment)
    return request


def _approve_or_decide(
    request: IntakeRequest, *, actor: User, to: str, version: int | None, comment: str
) -> IntakeRequest:
    request = _transition(
        request,
        actor=actor,
        to=to,
        version=version,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_comment=comment.strip(),
    )
    notify(
        users=[request.requester, request.sponsor],
        subject=f"{request.code} {request.get_state_display().lower()}",
        body=f"{actor} decided on '{request.title}': {request.get_state_display().lower()}."
        + (f"\n\n{comment.strip()}" if comment.strip() else ""),
    )
    return request


def approve_in_scenario(request: IntakeRequest, *, actor: User, scenario_name: str) -> bool:
    """Approve `request` as part of a scenario's approval (the caller holds the transaction);
    False when its state does not allow it."""
    if request.state not in (
        RequestState.SUBMITTED,
        RequestState.IN_ASSESSMENT,
        RequestState.DEFERRED,
    ):
        return False
    _approve_or_decide(
        request,
        actor=actor,
        to=RequestState.APPROVED,
        version=None,
        comment=f"Selected in scenario '{scenario_name}'.",
    )
    return True


def _charter_content(request: IntakeRequest) -> dict[str, Any]:
    """The request's content as a charter draft."""
    objectives = [
        {"objective": line.strip(), "measure": "", "target": ""}
        for line in request.objectives.splitlines()
        if line.strip()
    ]
    benefits = [e for e in request.estimates.all() if e.kind == EstimateKind.BENEFIT]
    costs = [e for e in request.estimates.all() if e.kind == EstimateKind.COST]
    benefit_text = "; ".join(f"year {e.period + 1}: {e.amount:,.2f}" for e in benefits)
    goals = ", ".join(g.name for g in request.goals.all())
    milestones = []
    if request.target_finish:
        milestones.append({"name": "Target finish", "date": request.target_finish.isoformat()})
    content: dict[str, Any] = {
        "purpose": request.title,
        "problem": request.problem,
        "objectives": objectives,
        "benefits": (f"Expected benefits by year: {benefit_text}." if benefit_text else "")
        + (f" Aligned to: {goals}." if goals else ""),
        "milestones": milestones,
        "budget_estimate": str(sum((e.amount for e in costs), start=Decimal(0))),
        "change_summary": f"Drafted from intake request {request.code}.",
    }
    return content


@transaction.atomic
def request_convert(
    *,
    actor: User,
    request_id: int,
    version: int | None,
    code: str,
    manager_id: int,
    name: str = "",
) -> Project:
    """An approved request becomes a project in initiation: the PMO names its code and manager,
    and the request's content becomes the charter's first draft."""
    request = access_request(actor, request_id, for_update=True)
    require_pmo(actor, "convert requests into projects")
    if request.state != RequestState.APPROVED:
        raise _wrong_state(request, "converted into a project; only an approved request is")
    if version is not None and version != request.version:
        _stale(request, version)
    manager = _active_user(manager_id)
    if manager.org_role not in (OrgRole.PROJECT_MANAGER, OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST):
        raise ValidationFailed(MANAGER_ROLE.format(user=manager))
    project = project_services.project_create(
        actor=actor,
        code=code,
        name=(name or request.title).strip()[:200],
        description=request.problem,
        portfolio_id=request.portfolio_id,
        sponsor_id=request.sponsor_id,
        manager_id=manager.pk,
        planned_start=request.target_start,
        planned_finish=request.target_finish,
    )
    project_services.charter_update(
        actor=actor, project_id=project.pk, version=None, data=_charter_content(request)
    )
    request = _transition(
        request, actor=actor, to=RequestState.CONVERTED, version=None, project=project
    )
    notify(
        users=[request.requester, request.sponsor, manager],
        subject=f"{request.code} is now project {project.code}",
        body=f"{actor} converted '{request.title}' into project {project.code}, "
        f"managed by {manager}.",
    )
    return project


# --- attachments --------------------------------------------------------------------------------


def _check_upload(upload: UploadedFile) -> None:
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed(ATTACHMENT_EMPTY)
    limit = settings.PMO_DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationFailed(ATTACHMENT_TOO_LARGE.format(size=size, limit=limit))
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    allowed = settings.PMO_DOCUMENT_EXTENSIONS
    if ext not in allowed:
        raise ValidationFailed(
            ATTACHMENT_TYPE.format(ext=ext or "(none)", allowed=", ".join(sorted(allowed)))
        )


@transaction.atomic
def attachment_add(*, actor: User, request_id: int, upload: UploadedFile) -> RequestAttachment:
    request = access_request(actor, request_id, for_update=True)
    if not may_edit(actor, request):
        raise Forbidden(MAY_NOT_EDIT)
    _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = os.path.basename(upload.name or "file")[:150]
    stored = RequestAttachment(
        request=request,
        original_name=name,
        content_type=(upload.content_type or "application/octet-stream")[:120],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    stored.file.save(name, upload, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="create",
        obj=stored,
        changes={"request": [None, request.code], "size": [None, stored.size]},
    )
    return stored


@transaction.atomic
def attachment_delete(*, actor: User, request_id: int, attachment_id: int) -> None:
    request = access_request(actor, request_id, for_update=True)
    if not may_edit(actor, request):
        raise Forbidden(MAY_NOT_EDIT)
    stored = request.attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise NotFound(ATTACHMENT_NOT_FOUND.format(id=attachment_id))
    audit_record(actor=actor, action="delete", obj=stored)
    name = stored.file.name
    stored.delete()
    storage = stored.file.storage
    transaction.on_commit(lambda: storage.delete(name))


# --- scoring models and assessments -------------------------------------------------------------


def _criteria(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed(MODEL_NO_CRITERIA if value == [] else CRITERIA_SHAPE)
    cleaned, names = [], set()
    for item in value:
        if not isinstance(item, Mapping) or not str(item.get("name") or "").strip():
            raise ValidationFailed(CRITERIA_SHAPE)
        if set(item) - {"id", "name", "description", "weight", "scale_max", "levels"}:
            raise ValidationFailed(CRITERIA_SHAPE)
        name = str(item["name"]).strip()[:120]
        if name.lower() in names:
            raise ValidationFailed(CRITERION_DUPLICATE.format(name=name))
        names.add(name.lower())
        try:
            weight = Decimal(str(item.get("weight", 1)))
            scale_max = int(item.get("scale_max", 5))
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationFailed(CRITERIA_SHAPE) from None
        if not weight.is_finite() or weight < 0 or weight >= 10_000 or not 2 <= scale_max <= 10:
            raise ValidationFailed(CRITERIA_SHAPE)
        levels = item.get("levels") or []
        if not isinstance(levels, list) or not all(isinstance(x, str) for x in levels):
            raise ValidationFailed(CRITERIA_SHAPE)
        if len(levels) > scale_max:
            raise ValidationFailed(LEVELS_TOO_MANY.format(name=name, n=len(levels), max=scale_max))
        cleaned.append(
            {
                "id": item.get("id"),
                "name": name,
                "description": str(item.get("description") or ""),
                "weight": weight.quantize(Decimal("0.01")),
                "scale_max": scale_max,
                "levels": [x.strip() for x in levels],
            }
        )
    if not any(c["weight"] > 0 for c in cleaned):
        raise ValidationFailed("At least one criterion must carry weight.")
    return cleaned


@transaction.atomic
def scoring_model_create(*, actor: User, data: Mapping[str, Any]) -> ScoringModel:
    require_pmo(actor, "keep scoring models")
    only_fields(data, MODEL_EDITABLE)
    criteria = _criteria(data.get("criteria"))
    values = {k: v for k, v in data.items() if k != "criteria"}
    model = _created(ScoringModel(**values), actor=actor, fields=list(values))
    for position, c in enumerate(criteria):
        c.pop("id")
        crit = Criterion(model=model, position=position, **c)
        full_clean(crit)
        crit.save()
    return model


@transaction.atomic
def scoring_model_update(
    *, actor: User, model_id: int, version: int | None, data: Mapping[str, Any]
) -> ScoringModel:
    """Rename, describe, retire; change criteria weights and level descriptions. Adding or
    removing criteria or changing scales is refused once requests were scored on the model."""
    require_pmo(actor, "keep scoring models")
    only_fields(data, MODEL_EDITABLE)
    model = ScoringModel.objects.select_for_update().filter(pk=model_id).first()
    if model is None:
        raise NotFound(MODEL_NOT_FOUND.format(id=model_id))
    values = {k: v for k, v in data.items() if k != "criteria"}
    if version is not None and version != model.version:
        _stale(model, version)
    before = model.version
    model = versioned_update(
        model,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=None,
        thing="The scoring model",
    )
    if "criteria" in data:
        criteria = _criteria(data["criteria"])
        existing = {c.pk: c for c in model.criteria.all()}
        scored = model.assessments.exists()
        same_set = {c["id"] for c in criteria} == set(existing) and all(
            existing[c["id"]].scale_max == c["scale_max"] for c in criteria
        )
        if scored and not same_set:
            raise Conflict(CRITERIA_LOCKED)
        keep = set()
        for position, c in enumerate(criteria):
            crit = existing.get(c.pop("id")) or Criterion(model=model)
            for key, value in c.items():
                setattr(crit, key, value)
            crit.position = position
            full_clean(crit, validate_unique=False)
            crit.save()
            keep.add(crit.pk)
        model.criteria.exclude(pk__in=keep).delete()
        if model.version == before:
            ScoringModel.objects.filter(pk=model.pk).update(version=model.version + 1)
            model.version += 1
        audit_record(
            actor=actor,
            action="update",
            obj=model,
            changes={"criteria": [None, [f"{c['name']} ×{c['weight']}" for c in criteria]]},
        )
    return model


def _scores(model: ScoringModel, scores: Any) -> dict[str, int]:
    if not isinstance(scores, Mapping):
        raise ValidationFailed("scores must map criterion ids to scores.")
    criteria = list(model.criteria.all())
    by_id = {str(c.pk): c for c in criteria}
    unknown = sorted(str(k) for k in scores if str(k) not in by_id)
    if unknown:
        raise ValidationFailed(SCORES_UNKNOWN.format(ids=", ".join(unknown)))
    given = {str(k): v for k, v in scores.items() if v not in (None, "")}
    missing = [c.name for c in criteria if str(c.pk) not in given]
    if missing:
        raise ValidationFailed(SCORES_MISSING.format(names=", ".join(missing)))
    cleaned = {}
    for key, value in given.items():
        crit = by_id[key]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationFailed(SCORE_RANGE.format(name=crit.name, max=crit.scale_max))
        try:
            score = int(value)
        except ValueError:
            raise ValidationFailed(SCORE_RANGE.format(name=crit.name, max=crit.scale_max)) from None
        if not 1 <= score <= crit.scale_max:
            raise ValidationFailed(SCORE_RANGE.format(name=crit.name, max=crit.scale_max))
        cleaned[key] = score
    return cleaned


@transaction.atomic
def assessment_save(
    *,
    actor: User,
    request_id: int,
    model_id: int,
    scores: Mapping[str, Any],
    comment: str = "",
    version: int | None = None,
) -> Assessment:
    """`actor`'s scores of the request on the model: created, or replaced (with `version`)."""
    request = access_request(actor, request_id, for_update=True)
    require_pmo(actor, "score requests")
    if request.state not in SCORABLE:
        raise Conflict(NOT_SCORABLE.format(code=request.code, state=_state_label(request)))
    model = ScoringModel.objects.filter(pk=model_id).first()
    if model is None:
        raise NotFound(MODEL_NOT_FOUND.format(id=model_id))
    if not model.is_active:
        raise ValidationFailed(MODEL_INACTIVE.format(name=model.name))
    cleaned = _scores(model, scores)
    existing = (
        Assessment.objects.select_for_update()
        .filter(request=request, model=model, assessor=actor)
        .first()
    )
    if existing is None:
        assessment = Assessment(
            request=request, model=model, assessor=actor, scores=cleaned, comment=comment
        )
        full_clean(assessment)
        assessment.save()
        audit_record(
            actor=actor,
            action="create",
            obj=assessment,
            changes={"scores": [None, cleaned], "comment": [None, comment]},
        )
        return assessment
    return versioned_update(
        existing,
        actor=actor,
        data={"scores": cleaned, "comment": comment},
        expected_version=version,
        project_id=None,
        thing="Your assessment",
    )


# --- scenarios ----------------------------------------------------------------------------------

SCENARIO_NOT_FOUND = "Scenario {id} not found."
SCENARIO_NAME_TAKEN = "The portfolio already has a scenario called '{name}'."
SCENARIO_APPROVED = "Scenario '{name}' is approved; copy it to change it."
SCENARIO_NOT_RUN = "Run scenario '{name}' before approving it."
SCENARIO_STALE_RUN = "Scenario '{name}' changed since it was run; run it again before approving."
SCENARIO_NOT_SOLVED = "Scenario '{name}' has no feasible selection to approve ({status})."
BUDGET_SHAPE = "budget must list one amount (0 or more) for each of the {n} years."
CAPACITY_SHAPE = "capacity must map job role names to {n} hours (0 or more), one a year."
CANDIDATES_SHAPE = (
    "candidates must be a list of objects with a request_id and optional earliest_start and "
    "latest_start."
)
CANDIDATE_PORTFOLIO = "{code} is not a request of this portfolio."
CANDIDATE_STATE = (
    "{code} is {state}; a scenario selects among submitted, assessed, approved or deferred "
    "requests."
)
CANDIDATE_WINDOW = "The start window of {code} must lie within years 0 to {last} of the scenario."
UNKNOWN_CANDIDATE = "No request with id {id}."
CAPACITY_ROLE = "Not job roles of the resource pool: {names}."
SCORING_MODEL_NEEDED = "Choose a scoring model to value requests by score."
SCENARIO_CREATE = {
    "portfolio_id",
    "name",
    "description",
    "first_year",
    "periods",
    "value_basis",
    "scoring_model_id",
    "budget",
    "capacity",
    "candidates",
}
SCENARIO_EDITABLE = SCENARIO_CREATE - {"portfolio_id"}
CANDIDATE_STATES = SCORABLE


def _scenario(scenario_id: Any, *, for_update: bool = False) -> Any:
    qs = Scenario.objects.select_related("portfolio", "scoring_model")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    scenario = qs.filter(pk=scenario_id).first() if scenario_id else None
    if scenario is None:
        raise NotFound(SCENARIO_NOT_FOUND.format(id=scenario_id))
    return scenario


def _budget(value: Any, periods: int) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) != periods:
        raise ValidationFailed(BUDGET_SHAPE.format(n=periods))
    try:
        return [str(a) for a in _amounts("budget", value)]
    except ValidationFailed:
        raise ValidationFailed(BUDGET_SHAPE.format(n=periods)) from None


def _capacity(value: Any, periods: int) -> dict[str, list[str]]:
    if value in (None, {}):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationFailed(CAPACITY_SHAPE.format(n=periods))
    cleaned = {}
    for role, hours in value.items():
        if (
            not isinstance(role, str)
            or not isinstance(hours, list | tuple)
            or len(hours) != periods
        ):
            raise ValidationFailed(CAPACITY_SHAPE.format(n=periods))
        try:
            cleaned[role.strip()] = [str(h) for h in _amounts("capacity", hours)]
        except ValidationFailed:
            raise ValidationFailed(CAPACITY_SHAPE.format(n=periods)) from None
    known = set(JobRole.objects.filter(name__in=cleaned).values_list("name", flat=True))
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise ValidationFailed(CAPACITY_ROLE.format(names=", ".join(unknown)))
    return cleaned


def _set_candidates(scenario: Any, value: Any) -> list[str]:
    """Replace the scenario's candidates; None: every open request of the portfolio."""
    if value is None:
        requests = list(
            IntakeRequest.objects.filter(
                portfolio=scenario.portfolio, state__in=CANDIDATE_STATES
            ).order_by("number")
        )
        rows = [{"request_id": r.pk} for r in requests]
    elif isinstance(value, list) and all(
        isinstance(x, Mapping) and not set(x) - {"request_id", "earliest_start", "latest_start"}
        for x in value
    ):
        rows = list(value)
    else:
        raise ValidationFailed(CANDIDATES_SHAPE)
    ids = []
    for row in rows:
        try:
            ids.append(int(row["request_id"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(CANDIDATES_SHAPE) from None
    found = {r.pk: r for r in IntakeRequest.objects.filter(pk__in=ids)}
    scenario.candidates.all().delete()
    made, codes = [], []
    for row, pk in zip(rows, ids, strict=True):
        request = found.get(pk)
        if request is None:
            raise ValidationFailed(UNKNOWN_CANDIDATE.format(id=pk))
        if request.portfolio_id != scenario.portfolio_id:
            raise ValidationFailed(CANDIDATE_PORTFOLIO.format(code=request.code))
        if request.state not in CANDIDATE_STATES:
            raise ValidationFailed(
                CANDIDATE_STATE.format(code=request.code, state=_state_label(request))
            )
        try:
            earliest = int(row.get("earliest_start") or 0)
            latest = int(
                row.get("latest_start") if row.get("latest_start") is not None else earliest
            )
        except (TypeError, ValueError):
            raise ValidationFailed(CANDIDATES_SHAPE) from None
        if not 0 <= earliest <= latest < scenario.periods:
            raise ValidationFailed(
                CANDIDATE_WINDOW.format(code=request.code, last=scenario.periods - 1)
            )
        made.append(
            ScenarioCandidate(
                scenario=scenario, request=request, earliest_start=earliest, latest_start=latest
            )
        )
        codes.append(request.code)
    ScenarioCandidate.objects.bulk_create(made)
    return codes


def _scenario_checks(value_basis: str, scoring_model_id: Any) -> None:
    if value_basis == ValueBasis.SCORE and scoring_model_id is None:
        raise ValidationFailed(SCORING_MODEL_NEEDED)
    if scoring_model_id and not ScoringModel.objects.filter(pk=scoring_model_id).exists():
        raise ValidationFailed(MODEL_NOT_FOUND.format(id=scoring_model_id))


@transaction.atomic
def scenario_create(*, actor: User, data: Mapping[str, Any]) -> Any:
    require_pmo(actor, "build scenarios")
    only_fields(data, SCENARIO_CREATE)
    portfolio_id = data.get("portfolio_id")
    if not Portfolio.objects.filter(pk=portfolio_id).exists():
        raise ValidationFailed(UNKNOWN_PORTFOLIO.format(id=portfolio_id))
    values = {k: v for k, v in data.items() if k not in ("candidates", "budget", "capacity")}
    scenario = Scenario(created_by=actor, **values)
    if Scenario.objects.filter(portfolio_id=portfolio_id, name=scenario.name).exists():
        raise ValidationFailed(SCENARIO_NAME_TAKEN.format(name=scenario.name))
    full_clean(scenario, exclude=["budget"])
    scenario.budget = _budget(data.get("budget"), scenario.periods)
    scenario.capacity = _capacity(data.get("capacity"), scenario.periods)
    _scenario_checks(scenario.value_basis, scenario.scoring_model_id)
    scenario.save()
    codes = _set_candidates(scenario, data.get("candidates"))
    changes = {
        k: [None, v]
        for k, v in snapshot(scenario, ["name", "first_year", "periods", "budget"]).items()
    }
    changes["candidates"] = [None, codes]
    audit_record(actor=actor, action="create", obj=scenario, changes=changes)
    return scenario


@transaction.atomic
def scenario_update(
    *, actor: User, scenario_id: int, version: int | None, data: Mapping[str, Any]
) -> Any:
    """Change the constraints or candidates; the last run's results no longer hold."""
    require_pmo(actor, "build scenarios")
    only_fields(data, SCENARIO_EDITABLE)
    scenario = _scenario(scenario_id, for_update=True)
    if scenario.state == ScenarioState.APPROVED:
        raise Conflict(SCENARIO_APPROVED.format(name=scenario.name))
    if version is not None and version != scenario.version:
        raise Conflict(
            STALE_VERSION.format(
                thing=f"Scenario '{scenario.name}'", expected=version, current=scenario.version
            )
        )
    name = data.get("name", scenario.name)
    if (
        Scenario.objects.filter(portfolio_id=scenario.portfolio_id, name=name)
        .exclude(pk=scenario.pk)
        .exists()
    ):
        raise ValidationFailed(SCENARIO_NAME_TAKEN.format(name=name))
    values = {k: v for k, v in data.items() if k not in ("candidates", "budget", "capacity")}
    periods = int(values.get("periods", scenario.periods))
    if "budget" in data or "periods" in data:
        values["budget"] = _budget(data.get("budget", scenario.budget), periods)
    if "capacity" in data or "periods" in data:
        values["capacity"] = _capacity(
            data.get("capacity", scenario.capacity if periods == scenario.periods else {}),
            periods,
        )
    values["result"] = {}
    values["run_at"] = None
    _scenario_checks(
        values.get("value_basis", scenario.value_basis),
        values.get("scoring_model_id", scenario.scoring_model_id),
    )
    before = scenario.version
    scenario = versioned_update(
        scenario,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=None,
        thing=f"Scenario '{scenario.name}'",
    )
    if "candidates" in data or "periods" in data:
        codes = _set_candidates(
            scenario,
            data["candidates"]
            if "candidates" in data
            else [
                {
                    "request_id": c.request_id,
                    "earliest_start": min(c.earliest_start, periods - 1),
                    "latest_start": min(c.latest_start, periods - 1),
                }
                for c in scenario.candidates.all()
            ],
        )
        if scenario.version == before:
            Scenario.objects.filter(pk=scenario.pk).update(version=before + 1)
            scenario.version += 1
        audit_record(
            actor=actor, action="update", obj=scenario, changes={"candidates": [None, codes]}
        )
    return scenario


@transaction.atomic
def scenario_delete(*, actor: User, scenario_id: int) -> None:
    require_pmo(actor, "build scenarios")
    scenario = _scenario(scenario_id, for_update=True)
    audit_record(actor=actor, action="delete", obj=scenario)
    scenario.delete()


@transaction.atomic
def scenario_approve(*, actor: User, scenario_id: int, version: int | None) -> list[IntakeRequest]:
    """Approve the scenario and, in the same transaction, every request its optimal selection
    holds that is not approved yet. Returns the requests approved now."""
    require_pmo(actor, "approve scenarios")
    scenario = _scenario(scenario_id, for_update=True)
    if scenario.state == ScenarioState.APPROVED:
        raise Conflict(SCENARIO_APPROVED.format(name=scenario.name))
    if not scenario.result:
        raise Conflict(SCENARIO_NOT_RUN.format(name=scenario.name))
    if version is not None and version != scenario.version:
        raise Conflict(
            STALE_VERSION.format(
                thing=f"Scenario '{scenario.name}'", expected=version, current=scenario.version
            )
        )
    if scenario.result.get("status") not in ("optimal", "feasible"):
        raise Conflict(
            SCENARIO_NOT_SOLVED.format(name=scenario.name, status=scenario.result.get("status"))
        )
    ids = [scenario.result["codes"][s["id"]] for s in scenario.result["selected"]]
    requests = list(
        IntakeRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "sponsor")
        .filter(pk__in=ids)
        .order_by("number")
    )
    approved = [
        r for r in requests if approve_in_scenario(r, actor=actor, scenario_name=scenario.name)
    ]
    versioned_update(
        scenario,
        actor=actor,
        data={"state": ScenarioState.APPROVED, "approved_by": actor, "approved_at": timezone.now()},
        expected_version=scenario.version,
        project_id=None,
        thing=f"Scenario '{scenario.name}'",
    )
    audit_record(
        actor=actor,
        action="transition",
        obj=scenario,
        changes={
            "state": ["draft", "approved"],
            "approved_requests": [None, [r.code for r in approved]],
        },
    )
    return approved


@transaction.atomic
def scenario_run(*, actor: User, scenario_id: int, time_limit: float = 10.0) -> Scenario:
    """Solve the scenario: the optimal selection (proven, or with its gap at the time limit),
    the greedy one beside it, and the efficient frontier; the results are kept."""
    from . import adapters, selectors

    require_pmo(actor, "run scenarios")
    scenario = _scenario(scenario_id, for_update=True)
    if scenario.state == ScenarioState.APPROVED:
        raise Conflict(SCENARIO_APPROVED.format(name=scenario.name))
    load: Mapping[str, Sequence[float]] = {}
    if scenario.capacity:
        capacity: Mapping[str, Sequence[float]] = {
            r: [float(h) for h in v] for r, v in scenario.capacity.items()
        }
    else:
        pool = adapters.pool_capacity(scenario.first_year, scenario.periods)
        capacity, load = pool.supply, pool.load
    candidates = selectors.scenario_candidates(scenario)
    problem = adapters.scenario_problem(scenario, candidates, capacity, load)
    try:
        solved = adapters.solve(problem.data, time_limit=time_limit)
    except SelectionError as exc:
        raise ValidationFailed(f"The scenario cannot be solved: {exc}.") from exc
    result = {
        **solved,
        "problem": problem.data,
        "left_out": problem.left_out,
        "codes": problem.codes,
        "titles": {c.request.code: c.request.title for c in candidates},
    }
    Scenario.objects.filter(pk=scenario.pk).update(
        result=result, run_at=timezone.now(), updated_at=timezone.now()
    )
    scenario.result, scenario.run_at = result, timezone.now()
    audit_record(
        actor=actor,
        action="update",
        obj=scenario,
        note=f"Run: {solved['status']}, value {solved.get('objective')}",
    )
    return scenario


@transaction.atomic
def scenario_copy(*, actor: User, scenario_id: int, name: str = "") -> Scenario:
    """A new draft with the scenario's constraints and candidates (not its results)."""
    require_pmo(actor, "build scenarios")
    source = _scenario(scenario_id)
    name = (name or f"{source.name} (copy)").strip()[:150]
    if Scenario.objects.filter(portfolio_id=source.portfolio_id, name=name).exists():
        raise ValidationFailed(SCENARIO_NAME_TAKEN.format(name=name))
    copy = Scenario(
        portfolio_id=source.portfolio_id,
        name=name,
        description=source.description,
        first_year=source.first_year,
        periods=source.periods,
        value_basis=source.value_basis,
        scoring_model_id=source.scoring_model_id,
        budget=list(source.budget),
        capacity=dict(source.capacity),
        created_by=actor,
    )
    full_clean(copy)
    copy.save()
    ScenarioCandidate.objects.bulk_create(
        ScenarioCandidate(
            scenario=copy,
            request_id=c.request_id,
            earliest_start=c.earliest_start,
            latest_start=c.latest_start,
        )
        for c in source.candidates.all()
    )
    audit_record(
        actor=actor,
        action="create",
        obj=copy,
        changes={"copied_from": [None, source.name]},
    )
    return copy


# --- programs -----------------------------------------------------------------------------------

PROGRAM_EDITABLE = {"name", "portfolio_id", "manager_id", "description", "objectives"}
PROGRAM_PROJECT_UNKNOWN = "No project with id {id}."
PROGRAM_PROJECT_TAKEN = "{code} is already in program '{program}'; take it out of that one first."
PROGRAM_PROJECT_ABSENT = "Project {id} is not in this program."
PROGRAM_PROJECTS_EMPTY = "Name at least one project to add."
PROGRAM_NAME_TAKEN = "A program called '{name}' already exists."


def _program_fields(data: Mapping[str, Any]) -> None:
    only_fields(data, PROGRAM_EDITABLE)
    if data.get("manager_id") is not None:
        _active_user(data["manager_id"])
    portfolio_id = data.get("portfolio_id")
    if portfolio_id is not None and not Portfolio.objects.filter(pk=portfolio_id).exists():
        raise ValidationFailed(UNKNOWN_PORTFOLIO.format(id=portfolio_id))


def _program_name_free(name: Any, *, exclude: int | None = None) -> None:
    qs = Program.objects.filter(name__iexact=str(name or "").strip())
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if name and qs.exists():
        raise Conflict(PROGRAM_NAME_TAKEN.format(name=name))


@transaction.atomic
def program_create(*, actor: User, data: Mapping[str, Any]) -> Program:
    require_pmo(actor, "create programs")
    _program_fields(data)
    _program_name_free(data.get("name"))
    program = Program(**data, created_by=actor)
    return _created(program, actor=actor, fields=list(data))  # type: ignore[no-any-return]


@transaction.atomic
def program_update(
    *, actor: User, program_id: int, version: int | None, data: Mapping[str, Any]
) -> Program:
    require_pmo(actor, "change programs")
    _program_fields(data)
    program = access_program(actor, program_id, for_update=True)
    if "name" in data:
        _program_name_free(data["name"], exclude=program.pk)
    return versioned_update(
        program,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=None,
        thing="The program",
    )


@transaction.atomic
def program_delete(*, actor: User, program_id: int, version: int | None) -> None:
    """Dissolve a program; its projects stay as they are, outside any program."""
    require_pmo(actor, "dissolve programs")
    program = access_program(actor, program_id, for_update=True)
    if version is not None and version != program.version:
        _stale(program, version)
    codes = list(program.links.values_list("project__code", flat=True))
    audit_record(actor=actor, action="delete", obj=program, note=", ".join(codes))
    program.delete()


@transaction.atomic
def program_add_projects(
    *, actor: User, program_id: int, project_ids: Sequence[int]
) -> list[Project]:
    """Put projects in the program; each project is in one program at most."""
    require_pmo(actor, "change programs")
    program = access_program(actor, program_id, for_update=True)
    wanted = list(dict.fromkeys(int(pk) for pk in project_ids))
    if not wanted:
        raise ValidationFailed(PROGRAM_PROJECTS_EMPTY)
    projects = {
        p.pk: p
        for p in Project.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .select_related("program_link__program")
    }
    added: list[Project] = []
    for pk in wanted:
        project = projects.get(pk)
        if project is None:
            raise ValidationFailed(PROGRAM_PROJECT_UNKNOWN.format(id=pk))
        link = getattr(project, "program_link", None)
        if link is not None:
            if link.program_id == program.pk:
                continue
            raise Conflict(
                PROGRAM_PROJECT_TAKEN.format(code=project.code, program=link.program.name)
            )
        ProgramProject.objects.create(program=program, project=project, added_by=actor)
        audit_record(
            actor=actor,
            action="update",
            obj=program,
            project_id=project.pk,
            changes={"project": [None, project.code]},
        )
        added.append(project)
    if added:
        Program.objects.filter(pk=program.pk).update(version=program.version + 1)
    return added


@transaction.atomic
def program_remove_project(*, actor: User, program_id: int, project_id: int) -> None:
    require_pmo(actor, "change programs")
    program = access_program(actor, program_id, for_update=True)
    link = (
        ProgramProject.objects.select_related("project")
        .filter(program=program, project_id=project_id)
        .first()
    )
    if link is None:
        raise NotFound(PROGRAM_PROJECT_ABSENT.format(id=project_id))
    audit_record(
        actor=actor,
        action="update",
        obj=program,
        project_id=link.project_id,
        changes={"project": [link.project.code, None]},
    )
    link.delete()
    Program.objects.filter(pk=program.pk).update(version=program.version + 1)


# --- executive packs ----------------------------------------------------------------------------

PACK_TITLE = "Executive pack {date}"
PACK_NOT_READY = "The executive pack is {state}; it can be downloaded once it is ready."
PACK_BUSY = "The executive pack is still being generated; delete it once it is ready or failed."


@transaction.atomic
def report_pack_request(
    *, actor: User, portfolio_id: int | None = None, title: str = ""
) -> ReportPack:
    """Queue an executive pack over the projects `actor` sees (of one portfolio, if named);
    the task worker generates it and records its progress."""
    require_dashboard_reader(actor)
    portfolio = None
    if portfolio_id is not None:
        portfolio = Portfolio.objects.filter(pk=portfolio_id).first()
        if portfolio is None:
            raise ValidationFailed(UNKNOWN_PORTFOLIO.format(id=portfolio_id))
    today = timezone.localdate()
    name = title.strip() or PACK_TITLE.format(date=f"{today:%d %b %Y}")
    if portfolio is not None and not title.strip():
        name = f"{name} — {portfolio.name}"
    pack = ReportPack(title=name[:200], portfolio=portfolio, requested_by=actor)
    full_clean(pack, exclude=["file"])
    pack.save()
    audit_record(actor=actor, action="create", obj=pack)
    from .tasks import report_pack_generate

    transaction.on_commit(lambda: report_pack_generate.enqueue(pack_id=pack.pk))
    return pack


@transaction.atomic
def report_pack_delete(*, actor: User, pack_id: int) -> None:
    require_dashboard_reader(actor)
    pack = access_pack(actor, pack_id)
    # a pack whose worker stopped reporting long ago (a crash, a restart) may be deleted
    if pack.is_busy:
        raise Conflict(PACK_BUSY)
    name = pack.file.name
    audit_record(actor=actor, action="delete", obj=pack)
    pack.delete()
    if name:
        storage = ReportPack._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))
