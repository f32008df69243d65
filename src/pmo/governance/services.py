"""Writes on governance: methodologies and their versions, templates, projects created from a
template, evidence, gate reviews and their decisions, conditions, overrides, compliance.

Every function checks who may act, validates, writes in one transaction and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.audit import audit_record
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, versioned_update
from pmo.projects.models import (
    STAGE_ORDER,
    CharterVersion,
    Document,
    Project,
    ProjectSize,
    ProjectType,
    RiskLevel,
    Stage,
    Status,
)
from pmo.projects.policies import access_project, is_pmo, require, require_internal

from . import gates
from .criteria import criterion as registered_criterion
from .models import (
    GATED_STAGES,
    PASSING_DECISIONS,
    ComplianceSnapshot,
    ConditionState,
    CriterionKind,
    Decision,
    EvidenceKind,
    GateCondition,
    GateCriterion,
    GateReview,
    ManualEvidence,
    Methodology,
    MethodologyVersion,
    ProjectGovernance,
    ProjectTemplate,
    ReviewState,
    StageDefinition,
    StageOverride,
    TailoringEffect,
    TailoringRule,
    VersionState,
)

ONLY_PMO = "Only the PMO may {action}."
ONLY_PMO_ADMIN = "Only a PMO admin may {action}."
METHODOLOGY_NOT_FOUND = "Methodology {id} not found."
METHODOLOGY_TAKEN = "A methodology named '{name}' already exists."
VERSION_NOT_FOUND = "Methodology version {id} not found."
VERSION_LOCKED = (
    "{version} is {state} and cannot change; projects that follow it keep it. "
    "Start a new draft version to change the methodology."
)
DRAFT_EXISTS = "{name} already has a draft (version {number}); edit that one."
STAGE_NOT_FOUND = "Stage definition {id} not found."
CRITERION_NOT_FOUND = "Gate criterion {id} not found."
RULE_NOT_FOUND = "Tailoring rule {id} not found."
UNKNOWN_CHECK = "There is no automatic check '{key}'; the known ones are: {known}."
MANUAL_NEEDS_LABEL = "A manual criterion needs a label saying what evidence is expected."
BAD_WEIGHT = "The weight must be a whole number from 1 to 100."
BAD_PARAMS = 'The settings must be an object of names and values, e.g. {{"days": 30}}.'
BAD_CRITERION_KIND = "Unknown criterion kind '{kind}'; expected 'automatic' or 'manual'."
PUBLISH_EMPTY = "{version} has no gate with a criterion; add criteria before publishing."
PUBLISH_UNKNOWN = "{version} names checks that are not installed: {keys}."
RULE_NEEDS_TARGET = "A rule that skips a gate names the stage; one that skips a criterion names it."
RULE_NEEDS_REASON = "Say why the rule applies; the project manager reads it as the reason."
RULE_UNKNOWN_VALUE = "Unknown {what} '{value}'; expected one of: {known}."
RULE_OTHER_VERSION = "The {what} belongs to another methodology version."
TEMPLATE_NOT_FOUND = "Project template {id} not found."
TEMPLATE_TAKEN = "A template named '{name}' already exists."
TEMPLATE_TASK = "Task {n} of the WBS skeleton: {problem}"
TEMPLATE_LINK = "Link {n}: {problem}"
NO_PUBLISHED = "{name} has no published version yet; publish one first."
ALREADY_GOVERNED = "{code} already follows {version}; a project keeps the version it started with."
NOT_GOVERNED = "{code} follows no methodology; choose one first."
NOT_IN_INITIATION = (
    "A methodology is chosen while the project is in initiation; {code} is in {stage}."
)
EVIDENCE_MANUAL_ONLY = "'{label}' is checked automatically; evidence is for manual criteria."
EVIDENCE_NOT_PROJECTS = "That criterion is not part of the methodology {code} follows."
EVIDENCE_DOCUMENT = "Choose a document of the project as evidence."
EVIDENCE_LINK = "Give the link (http or https) to the evidence."
EVIDENCE_COMMENT = "Write the comment that is the evidence."
EVIDENCE_KIND = "Unknown evidence kind '{kind}'; expected document, link or comment."
REVIEW_NOT_FOUND = "Gate review {id} not found."
REVIEW_OPEN = "A review of the {gate} is already requested (review {id}); wait for the decision."
REVIEW_NOT_NEEDED = "{gate} does not apply to {code}: {reason}"
REVIEW_MISSING = "The {gate} cannot be reviewed yet; missing: {missing}"
REVIEW_NOT_REQUESTED = "Review {id} is {state}; only a requested review is decided."
REVIEW_STALE_STAGE = "The project left {stage} since the review was requested; withdraw it."
DECISION_UNKNOWN = "Unknown decision '{decision}'; expected one of: {known}."
DECISION_RATIONALE = "Give the rationale for the decision; it is kept with it."
DECISION_CONDITIONS = "A go with conditions names at least one condition."
DECISION_ONLY_CONDITIONS = "Conditions go with a 'go with conditions' decision only."
DECISION_GO_MISSING = (
    "A plain go needs every criterion met; decide 'go with conditions' or 'hold'. "
    "Missing: {missing}"
)
CONDITION_NOT_FOUND = "Condition {id} not found."
CONDITION_CLOSED = "The condition is already closed."
CONDITION_NOTE = "Say how the condition was met when closing it."
GATE_NOT_PASSED = (
    "{code} leaves {stage} only through a passed {gate}: request a gate review once its "
    "criteria are met."
)
GATE_NOT_PASSED_MISSING = " Missing now: {missing}"
OVERRIDE_REASON = "An override needs the reason, which is kept in the audit trail."
CHECKLIST_UNKNOWN = "'{item}' is not on the checklist of {stage}."
STAGE_NEXT = "A project moves one stage at a time: from {current} the next stage is {next}."


def _require_pmo(actor: Any, action: str) -> None:
    if not is_pmo(actor):
        raise Forbidden(ONLY_PMO.format(action=action))


def _is_admin(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or (
        getattr(actor, "org_role", None) == OrgRole.PMO_ADMIN
    )


def _require_admin(actor: Any, action: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not _is_admin(actor):
        raise Forbidden(ONLY_PMO_ADMIN.format(action=action))


def _text(value: Any, limit: int | None = None) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationFailed("Text cannot contain NUL characters.")
    return text[:limit] if limit else text


def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{what} must be a list of texts.")
    return [_text(v, 300) for v in value if v.strip()]


# --- methodologies ------------------------------------------------------------------------------


def _version(version_id: Any, *, for_update: bool = False) -> MethodologyVersion:
    qs = MethodologyVersion.objects.select_related("methodology")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=version_id).first() if str(version_id).isdigit() else None
    if found is None:
        raise NotFound(VERSION_NOT_FOUND.format(id=version_id))
    return found


def _draft(version: MethodologyVersion) -> MethodologyVersion:
    if not version.is_editable:
        raise Conflict(
            VERSION_LOCKED.format(version=version, state=version.get_state_display().lower())
        )
    return version


@transaction.atomic
def methodology_create(*, actor: User, name: str, description: str = "") -> Methodology:
    """A new methodology with a first draft version describing the four stages, each with a
    gate at its exit (no criteria yet)."""
    _require_admin(actor, "define methodologies")
    name = _text(name, 120)
    if not name:
        raise ValidationFailed("Name the methodology.")
    if Methodology.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(METHODOLOGY_TAKEN.format(name=name))
    methodology = Methodology(name=name, description=_text(description), created_by=actor)
    full_clean(methodology)
    methodology.save()
    version = MethodologyVersion.objects.create(methodology=methodology, number=1)
    StageDefinition.objects.bulk_create(
        [StageDefinition(version=version, stage=stage) for stage in GATED_STAGES]
    )
    audit_record(actor=actor, action="create", obj=methodology, changes={"name": [None, name]})
    return methodology


@transaction.atomic
def version_new_draft(*, actor: User, methodology_id: int, notes: str = "") -> MethodologyVersion:
    """A new draft, a copy of the newest version: stages, criteria and tailoring rules."""
    _require_admin(actor, "change methodologies")
    methodology = Methodology.objects.select_for_update().filter(pk=methodology_id).first()
    if methodology is None:
        raise NotFound(METHODOLOGY_NOT_FOUND.format(id=methodology_id))
    latest = methodology.versions.order_by("-number").first()
    if latest is not None and latest.state == VersionState.DRAFT:
        raise Conflict(DRAFT_EXISTS.format(name=methodology.name, number=latest.number))
    draft = MethodologyVersion.objects.create(
        methodology=methodology,
        number=(latest.number + 1) if latest else 1,
        notes=_text(notes, 300),
    )
    stage_map: dict[int, StageDefinition] = {}
    criterion_map: dict[int, GateCriterion] = {}
    old_stages = list(latest.stages.prefetch_related("criteria")) if latest else []
    for old in old_stages:
        new = StageDefinition.objects.create(
            version=draft,
            stage=old.stage,
            guidance=old.guidance,
            deliverables=old.deliverables,
            checklist=old.checklist,
            has_gate=old.has_gate,
        )
        stage_map[old.pk] = new
        for item in old.criteria.all():
            criterion_map[item.pk] = GateCriterion.objects.create(
                stage=new,
                kind=item.kind,
                key=item.key,
                params=item.params,
                label=item.label,
                description=item.description,
                weight=item.weight,
                position=item.position,
            )
    missing = set(GATED_STAGES) - {s.stage for s in stage_map.values()}
    for stage in missing:
        StageDefinition.objects.create(version=draft, stage=stage)
    if latest is not None:
        for rule in latest.tailoring_rules.all():
            TailoringRule.objects.create(
                version=draft,
                sizes=rule.sizes,
                project_types=rule.project_types,
                risk_levels=rule.risk_levels,
                effect=rule.effect,
                stage=stage_map.get(rule.stage_id) if rule.stage_id else None,
                criterion=criterion_map.get(rule.criterion_id) if rule.criterion_id else None,
                reason=rule.reason,
            )
    audit_record(actor=actor, action="create", obj=draft, note=draft.notes)
    return draft


@transaction.atomic
def version_publish(*, actor: User, version_id: int) -> MethodologyVersion:
    """Publish a draft: from now on it never changes; new projects take it."""
    _require_admin(actor, "publish methodologies")
    version = _draft(_version(version_id, for_update=True))
    items = list(GateCriterion.objects.filter(stage__version=version))
    if not items:
        raise ValidationFailed(PUBLISH_EMPTY.format(version=version))
    unknown = sorted({c.key for c in items if c.kind == CriterionKind.AUTOMATIC} - _known_keys())
    if unknown:
        raise ValidationFailed(PUBLISH_UNKNOWN.format(version=version, keys=", ".join(unknown)))
    MethodologyVersion.objects.filter(
        methodology=version.methodology, state=VersionState.PUBLISHED
    ).update(state=VersionState.RETIRED)
    return versioned_update(
        version,
        actor=actor,
        data={
            "state": VersionState.PUBLISHED,
            "published_by": actor,
            "published_at": timezone.now(),
        },
        expected_version=None,
        project_id=None,
        thing=str(version),
    )


def _known_keys() -> set[str]:
    from .criteria import registered

    return {c.key for c in registered()}


def _stage_def(stage_id: Any) -> StageDefinition:
    found = (
        StageDefinition.objects.select_related("version__methodology").filter(pk=stage_id).first()
        if str(stage_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound(STAGE_NOT_FOUND.format(id=stage_id))
    return found


@transaction.atomic
def stage_definition_update(
    *, actor: User, stage_id: int, data: Mapping[str, Any]
) -> StageDefinition:
    """Guidance (Markdown), required deliverables, checklist and whether the stage has a gate."""
    _require_admin(actor, "change methodologies")
    definition = _stage_def(stage_id)
    _draft(definition.version)
    unknown = set(data) - {"guidance", "deliverables", "checklist", "has_gate"}
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}."
        )
    changes = {}
    if "guidance" in data:
        changes["guidance"] = _text(data["guidance"])
    for name in ("deliverables", "checklist"):
        if name in data:
            changes[name] = _strings(data[name], name.capitalize())
    if "has_gate" in data:
        changes["has_gate"] = bool(data["has_gate"])
    for name, value in changes.items():
        setattr(definition, name, value)
    definition.save()
    audit_record(
        actor=actor,
        action="update",
        obj=definition,
        changes={k: [None, v] for k, v in changes.items() if k != "guidance"},
    )
    return definition


def _check_criterion(kind: str, key: str, label: str, params: Any, weight: Any) -> int:
    if kind not in CriterionKind.values:
        raise ValidationFailed(BAD_CRITERION_KIND.format(kind=kind))
    if kind == CriterionKind.AUTOMATIC:
        try:
            registered_criterion(key)
        except LookupError:
            known = ", ".join(sorted(_known_keys())) or "none"
            raise ValidationFailed(UNKNOWN_CHECK.format(key=key, known=known)) from None
    elif not label:
        raise ValidationFailed(MANUAL_NEEDS_LABEL)
    if not isinstance(params, dict):
        raise ValidationFailed(BAD_PARAMS)
    try:
        number = int(weight)
    except (TypeError, ValueError):
        raise ValidationFailed(BAD_WEIGHT) from None
    if not 1 <= number <= 100 or str(weight).strip() not in (str(number), f"{number}.0"):
        raise ValidationFailed(BAD_WEIGHT)
    return number


@transaction.atomic
def criterion_add(
    *,
    actor: User,
    stage_id: int,
    kind: str,
    key: str = "",
    label: str = "",
    description: str = "",
    params: Any = None,
    weight: Any = 1,
) -> GateCriterion:
    """Add a criterion to the gate at the exit of a stage of a draft version."""
    _require_admin(actor, "change methodologies")
    definition = _stage_def(stage_id)
    _draft(definition.version)
    key, label = _text(key, 60), _text(label, 150)
    params = {} if params is None else params
    number = _check_criterion(kind, key, label, params, weight)
    if kind == CriterionKind.AUTOMATIC and not label:
        label = registered_criterion(key).label
    last = definition.criteria.aggregate(p=Max("position"))["p"]
    item = GateCriterion(
        stage=definition,
        kind=kind,
        key=key if kind == CriterionKind.AUTOMATIC else "",
        label=label,
        description=_text(description),
        params=params,
        weight=number,
        position=0 if last is None else last + 1,
    )
    full_clean(item)
    item.save()
    audit_record(
        actor=actor,
        action="create",
        obj=item,
        changes={"kind": [None, kind], "key": [None, item.key], "weight": [None, number]},
    )
    return item


def _criterion(criterion_id: Any) -> GateCriterion:
    found = (
        GateCriterion.objects.select_related("stage__version__methodology")
        .filter(pk=criterion_id)
        .first()
        if str(criterion_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound(CRITERION_NOT_FOUND.format(id=criterion_id))
    return found


@transaction.atomic
def criterion_remove(*, actor: User, criterion_id: int) -> None:
    _require_admin(actor, "change methodologies")
    item = _criterion(criterion_id)
    _draft(item.stage.version)
    audit_record(actor=actor, action="delete", obj=item)
    item.delete()


def _choice_list(value: Any, choices: Sequence[str], what: str) -> list[str]:
    values = _strings(value, what)
    for v in values:
        if v not in choices:
            raise ValidationFailed(
                RULE_UNKNOWN_VALUE.format(what=what, value=v, known=", ".join(choices))
            )
    return values


@transaction.atomic
def tailoring_rule_add(
    *,
    actor: User,
    version_id: int,
    effect: str,
    reason: str,
    sizes: Any = None,
    project_types: Any = None,
    risk_levels: Any = None,
    stage_id: int | None = None,
    criterion_id: int | None = None,
) -> TailoringRule:
    """A rule that skips a gate or a criterion for the projects it matches, with the reason the
    PM is shown."""
    _require_admin(actor, "change methodologies")
    version = _draft(_version(version_id))
    reason = _text(reason, 300)
    if not reason:
        raise ValidationFailed(RULE_NEEDS_REASON)
    if effect not in TailoringEffect.values:
        raise ValidationFailed(
            RULE_UNKNOWN_VALUE.format(
                what="effect", value=effect, known=", ".join(TailoringEffect.values)
            )
        )
    stage = criterion = None
    if effect == TailoringEffect.SKIP_GATE:
        if not stage_id:
            raise ValidationFailed(RULE_NEEDS_TARGET)
        stage = _stage_def(stage_id)
        if stage.version_id != version.pk:
            raise ValidationFailed(RULE_OTHER_VERSION.format(what="stage"))
    else:
        if not criterion_id:
            raise ValidationFailed(RULE_NEEDS_TARGET)
        criterion = _criterion(criterion_id)
        if criterion.stage.version_id != version.pk:
            raise ValidationFailed(RULE_OTHER_VERSION.format(what="criterion"))
    rule = TailoringRule.objects.create(
        version=version,
        effect=effect,
        reason=reason,
        sizes=_choice_list(sizes, ProjectSize.values, "size"),
        project_types=_choice_list(project_types, ProjectType.values, "project type"),
        risk_levels=_choice_list(risk_levels, RiskLevel.values, "risk level"),
        stage=stage,
        criterion=criterion,
    )
    audit_record(actor=actor, action="create", obj=rule, note=rule.condition_text())
    return rule


@transaction.atomic
def tailoring_rule_remove(*, actor: User, rule_id: int) -> None:
    _require_admin(actor, "change methodologies")
    rule = (
        TailoringRule.objects.select_related("version").filter(pk=rule_id).first()
        if str(rule_id).isdigit()
        else None
    )
    if rule is None:
        raise NotFound(RULE_NOT_FOUND.format(id=rule_id))
    _draft(rule.version)
    audit_record(actor=actor, action="delete", obj=rule)
    rule.delete()


def published_version(methodology: Methodology) -> MethodologyVersion:
    version = methodology.versions.filter(state=VersionState.PUBLISHED).first()
    if version is None:
        raise Conflict(NO_PUBLISHED.format(name=methodology.name))
    return version


# --- templates ----------------------------------------------------------------------------------

TEMPLATE_FIELDS = {
    "name",
    "description",
    "methodology_id",
    "project_type",
    "size",
    "risk_level",
    "tasks",
    "links",
    "roles",
    "risks",
    "deliverables",
    "checklist",
}


def _clean_tasks(tasks: Any) -> list[dict[str, Any]]:
    if not isinstance(tasks, list):
        raise ValidationFailed("The WBS skeleton must be a list of tasks.")
    keys: set[str] = set()
    out = []
    for n, row in enumerate(tasks, start=1):
        if not isinstance(row, dict):
            raise ValidationFailed(TEMPLATE_TASK.format(n=n, problem="not an object."))
        key = _text(row.get("key") or n, 40)
        name = _text(row.get("name"), 255)
        if not name:
            raise ValidationFailed(TEMPLATE_TASK.format(n=n, problem="it needs a name."))
        if key in keys:
            raise ValidationFailed(TEMPLATE_TASK.format(n=n, problem=f"key '{key}' is used twice."))
        duration = row.get("duration", 1)
        if not isinstance(duration, int) or isinstance(duration, bool) or not 0 <= duration <= 2000:
            raise ValidationFailed(
                TEMPLATE_TASK.format(n=n, problem="the duration is whole working days, 0–2000.")
            )
        parent = row.get("parent")
        if parent not in (None, "") and str(parent) not in keys:
            raise ValidationFailed(
                TEMPLATE_TASK.format(n=n, problem=f"its parent '{parent}' is not an earlier task.")
            )
        keys.add(key)
        out.append(
            {
                "key": key,
                "name": name,
                "duration": duration,
                "parent": str(parent) if parent else None,
            }
        )
    return out


def _clean_links(links: Any, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(links, list):
        raise ValidationFailed("Links must be a list.")
    keys = {t["key"] for t in tasks}
    out = []
    for n, row in enumerate(links, start=1):
        if not isinstance(row, dict):
            raise ValidationFailed(TEMPLATE_LINK.format(n=n, problem="not an object."))
        pred, succ = str(row.get("predecessor", "")), str(row.get("successor", ""))
        for end in (pred, succ):
            if end not in keys:
                raise ValidationFailed(TEMPLATE_LINK.format(n=n, problem=f"no task '{end}'."))
        if pred == succ:
            raise ValidationFailed(
                TEMPLATE_LINK.format(n=n, problem="a task cannot follow itself.")
            )
        kind = row.get("type", "FS")
        if kind not in ("FS", "SS", "FF", "SF"):
            raise ValidationFailed(TEMPLATE_LINK.format(n=n, problem=f"unknown type '{kind}'."))
        lag = row.get("lag", 0)
        if not isinstance(lag, int) or isinstance(lag, bool):
            raise ValidationFailed(TEMPLATE_LINK.format(n=n, problem="the lag is whole days."))
        out.append({"predecessor": pred, "successor": succ, "type": kind, "lag": lag})
    return out


def _clean_risks(risks: Any) -> list[dict[str, Any]]:
    if not isinstance(risks, list):
        raise ValidationFailed("Default risks must be a list.")
    out = []
    for n, row in enumerate(risks, start=1):
        row = {"title": row} if isinstance(row, str) else row
        if not isinstance(row, dict) or not _text(row.get("title")):
            raise ValidationFailed(f"Default risk {n} needs a title.")
        values = {"title": _text(row["title"], 200)}
        for name in ("probability", "impact"):
            score = row.get(name, 3)
            if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
                raise ValidationFailed(f"Default risk {n}: {name} is a score from 1 to 5.")
            values[name] = score
        out.append(values)
    return out


def _clean_roles(roles: Any) -> list[dict[str, Any]]:
    if not isinstance(roles, list):
        raise ValidationFailed("Roles must be a list.")
    out = []
    for n, row in enumerate(roles, start=1):
        row = {"role": row, "count": 1} if isinstance(row, str) else row
        if not isinstance(row, dict) or not _text(row.get("role")):
            raise ValidationFailed(f"Role {n} needs a name.")
        count = row.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 500:
            raise ValidationFailed(f"Role {n}: the count is a whole number from 1 to 500.")
        out.append({"role": _text(row["role"], 100), "count": count})
    return out


def _template_values(data: Mapping[str, Any], current: ProjectTemplate | None) -> dict[str, Any]:
    unknown = set(data) - TEMPLATE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}."
        )
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = _text(data["name"], 120)
        if not values["name"]:
            raise ValidationFailed("Name the template.")
        taken = ProjectTemplate.objects.filter(name__iexact=values["name"])
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            raise ValidationFailed(TEMPLATE_TAKEN.format(name=values["name"]))
    if "description" in data:
        values["description"] = _text(data["description"])
    if "methodology_id" in data:
        mid = data["methodology_id"]
        if mid not in (None, ""):
            if not Methodology.objects.filter(pk=mid).exists():
                raise ValidationFailed(METHODOLOGY_NOT_FOUND.format(id=mid))
            values["methodology_id"] = int(mid)
        else:
            values["methodology_id"] = None
    for name in ("project_type", "size", "risk_level"):
        if name in data:
            values[name] = data[name]
    tasks = _clean_tasks(data["tasks"]) if "tasks" in data else (current.tasks if current else [])
    if "tasks" in data:
        values["tasks"] = tasks
    if "links" in data or "tasks" in data:
        values["links"] = _clean_links(data.get("links", current.links if current else []), tasks)
    if "roles" in data:
        values["roles"] = _clean_roles(data["roles"])
    if "risks" in data:
        values["risks"] = _clean_risks(data["risks"])
    for name in ("deliverables", "checklist"):
        if name in data:
            values[name] = _strings(data[name], name.capitalize())
    return values


@transaction.atomic
def template_create(*, actor: User, data: Mapping[str, Any]) -> ProjectTemplate:
    _require_pmo(actor, "define project templates")
    if "name" not in data:
        raise ValidationFailed("Name the template.")
    template = ProjectTemplate(created_by=actor, **_template_values(data, None))
    full_clean(template)
    template.save()
    audit_record(
        actor=actor, action="create", obj=template, changes={"name": [None, template.name]}
    )
    return template


@transaction.atomic
def template_update(
    *, actor: User, template_id: int, version: int | None, data: Mapping[str, Any]
) -> ProjectTemplate:
    _require_pmo(actor, "change project templates")
    template = _template(template_id, for_update=True)
    return versioned_update(
        template,
        actor=actor,
        data=_template_values(data, template),
        expected_version=version,
        project_id=None,
        thing=f"Template '{template.name}'",
    )


def _template(template_id: Any, *, for_update: bool = False) -> ProjectTemplate:
    qs = ProjectTemplate.objects.select_related("methodology")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=template_id).first() if str(template_id).isdigit() else None
    if found is None:
        raise NotFound(TEMPLATE_NOT_FOUND.format(id=template_id))
    return found


@transaction.atomic
def project_methodology_set(
    *, actor: User, project_id: int, methodology_id: int
) -> ProjectGovernance:
    """The project follows the published version of a methodology from now on (it keeps that
    version when the methodology changes). Chosen in initiation, once."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="choose the methodology", project=project)
    existing = (
        ProjectGovernance.objects.filter(project=project)
        .select_related("methodology_version__methodology")
        .first()
    )
    if existing is not None:
        raise Conflict(
            ALREADY_GOVERNED.format(code=project.code, version=existing.methodology_version)
        )
    if project.stage != Stage.INITIATION:
        raise Conflict(
            NOT_IN_INITIATION.format(code=project.code, stage=Stage(project.stage).label.lower())
        )
    methodology = Methodology.objects.filter(pk=methodology_id).first()
    if methodology is None:
        raise NotFound(METHODOLOGY_NOT_FOUND.format(id=methodology_id))
    return _pin(project, published_version(methodology), actor=actor, template=None)


def _pin(
    project: Project,
    version: MethodologyVersion,
    *,
    actor: User,
    template: ProjectTemplate | None,
) -> ProjectGovernance:
    governance = ProjectGovernance.objects.create(
        project=project, methodology_version=version, template=template
    )
    audit_record(
        actor=actor,
        action="create",
        obj=governance,
        project_id=project.pk,
        note=f"Follows {version}" + (f", from template {template.name}" if template else ""),
    )
    return governance


@transaction.atomic
def project_create_from_template(
    *, actor: User, template_id: int, start: dt.date, **facts: Any
) -> Project:
    """A project built from a template: its facts, the methodology version it follows, the WBS
    scheduled by the engine from `start`, the default risks, and the deliverables in the first
    charter draft. `facts` are those of `pmo.projects.services.project_create`."""
    from pmo.controls import services as controls
    from pmo.planning import services as planning
    from pmo.projects import services as projects

    template = _template(template_id)
    if not isinstance(start, dt.date):
        raise ValidationFailed("Give the start date of the plan.")
    version = published_version(template.methodology) if template.methodology else None
    for name in ("project_type", "size", "risk_level"):
        facts.setdefault(name, getattr(template, name))
    facts.setdefault("planned_start", start)
    project = projects.project_create(actor=actor, **facts)
    if version is not None:
        _pin(project, version, actor=actor, template=template)
    else:
        audit_record(
            actor=actor,
            action="update",
            obj=project,
            project_id=project.pk,
            note=f"Created from template {template.name}",
        )
    if template.tasks:
        schedule = planning.plan_import(
            actor=actor,
            project_id=project.pk,
            tasks=[
                {
                    "key": t["key"],
                    "name": t["name"],
                    "duration": t["duration"],
                    "parent": t["parent"],
                }
                for t in template.tasks
            ],
            links=template.links,
            start=start,
        )
        if schedule.finish is not None and project.planned_finish is None:
            project.refresh_from_db()
            versioned_update(
                project,
                actor=actor,
                data={"planned_finish": schedule.finish},
                expected_version=None,
                project_id=project.pk,
                thing=f"Project {project.code}",
            )
    for risk in template.risks:
        controls.risk_create(actor=actor, project_id=project.pk, data=dict(risk))
    if template.deliverables:
        CharterVersion.objects.filter(project=project, number=1).update(
            deliverables=list(template.deliverables)
        )
    project.refresh_from_db()
    return project


# --- the project's side: checklist and evidence ---------------------------------------------


def _governed(project: Project) -> ProjectGovernance:
    governance = gates.governance_of(project)
    if governance is None:
        raise Conflict(NOT_GOVERNED.format(code=project.code))
    return governance


@transaction.atomic
def checklist_tick(
    *, actor: User, project_id: int, stage: str, item: str, done: bool = True
) -> ProjectGovernance:
    """Tick (or untick) an item of a stage's checklist, or of the template's ('template')."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="tick the checklist", project=project)
    governance = _governed(project)
    if stage == "template":
        items = governance.template.checklist if governance.template else []
        stage_name = "the template"
    else:
        definition = StageDefinition.objects.filter(
            version=governance.methodology_version, stage=stage
        ).first()
        items = definition.checklist if definition else []
        stage_name = Stage(stage).label if stage in Stage.values else stage
    if item not in items:
        raise ValidationFailed(CHECKLIST_UNKNOWN.format(item=item, stage=stage_name))
    done_now = set(governance.checklist_done.get(stage, []))
    before = item in done_now
    done_now.add(item) if done else done_now.discard(item)
    governance.checklist_done = {**governance.checklist_done, stage: sorted(done_now)}
    governance.save(update_fields=["checklist_done", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        obj=governance,
        project_id=project.pk,
        changes={f"checklist {stage}: {item}"[:60]: [before, done]},
    )
    return governance


@transaction.atomic
def evidence_record(
    *,
    actor: User,
    project_id: int,
    criterion_id: int,
    kind: str,
    document_id: int | None = None,
    url: str = "",
    comment: str = "",
) -> ManualEvidence:
    """Record what shows a manual criterion is met: a document of the project, a link, or a
    comment. The newest evidence counts."""
    project = access_project(actor, project_id, for_update=True)
    perms = require_internal(actor, project)
    require(perms.edit, action="record gate evidence", project=project)
    governance = _governed(project)
    item = _criterion(criterion_id)
    if item.stage.version_id != governance.methodology_version_id:
        raise ValidationFailed(EVIDENCE_NOT_PROJECTS.format(code=project.code))
    if item.kind != CriterionKind.MANUAL:
        raise ValidationFailed(EVIDENCE_MANUAL_ONLY.format(label=item.label or item.key))
    evidence = ManualEvidence(project=project, criterion=item, kind=kind, recorded_by=actor)
    comment = _text(comment)
    if kind == EvidenceKind.DOCUMENT:
        document = (
            Document.objects.filter(project=project, pk=document_id).first()
            if str(document_id or "").isdigit()
            else None
        )
        if document is None:
            raise ValidationFailed(EVIDENCE_DOCUMENT)
        evidence.document = document
        evidence.comment = comment
    elif kind == EvidenceKind.LINK:
        url = _text(url, 500)
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationFailed(EVIDENCE_LINK)
        evidence.url = url
        evidence.comment = comment
    elif kind == EvidenceKind.COMMENT:
        if not comment:
            raise ValidationFailed(EVIDENCE_COMMENT)
        evidence.comment = comment
    else:
        raise ValidationFailed(EVIDENCE_KIND.format(kind=kind))
    full_clean(evidence)
    evidence.save()
    audit_record(
        actor=actor,
        action="create",
        obj=evidence,
        project_id=project.pk,
        note=f"{item.label}: {evidence.get_kind_display()}",
    )
    return evidence


# --- gate reviews -------------------------------------------------------------------------------


def _pmo_reviewers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, org_role__in=(OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST))
    )


@transaction.atomic
def review_request(*, actor: User, project_id: int, note: str = "") -> GateReview:
    """The PM asks the PMO to review the gate at the exit of the current stage; every
    applicable criterion must be met (the refusal lists exactly what is missing)."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="request a gate review", project=project)
    governance = _governed(project)
    if project.status != Status.ACTIVE:
        raise Conflict(
            f"The project is {project.get_status_display().lower()}; only an active project "
            "passes a gate."
        )
    status = gates.evaluate_gate(project, project.stage, version=governance.methodology_version)
    assert status is not None
    if not status.applies:
        raise Conflict(
            REVIEW_NOT_NEEDED.format(gate=status.name, code=project.code, reason=status.tailoring)
        )
    open_ = GateReview.objects.filter(project=project, state=ReviewState.REQUESTED).first()
    if open_ is not None:
        raise Conflict(REVIEW_OPEN.format(gate=open_.gate_name, id=open_.pk))
    if status.missing:
        raise Conflict(
            REVIEW_MISSING.format(gate=status.name, missing=status.missing_text()),
            extra={"missing": [r.as_dict() for r in status.missing]},
        )
    review = GateReview(
        project=project,
        methodology_version=governance.methodology_version,
        stage=project.stage,
        note=_text(note),
        requested_by=actor,
        criteria_at_request=[r.as_dict() for r in status.results],
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # a concurrent request
        raise Conflict(REVIEW_OPEN.format(gate=status.name, id="?")) from exc
    audit_record(actor=actor, action="create", obj=review, project_id=project.pk, note=review.note)
    notify(
        users=_pmo_reviewers(),
        subject=f"[{project.code}] {status.name} review requested",
        body=f"{actor.get_full_name() or actor.username} asks for a review of the {status.name}."
        + (f"\n\n{review.note}" if review.note else ""),
        link="/governance/reviews/",
    )
    return review


def _review(review_id: Any, *, for_update: bool = False) -> GateReview:
    qs = GateReview.objects.select_related("project", "methodology_version__methodology")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=review_id).first() if str(review_id).isdigit() else None
    if found is None:
        raise NotFound(REVIEW_NOT_FOUND.format(id=review_id))
    return found


@transaction.atomic
def review_withdraw(*, actor: User, review_id: int) -> GateReview:
    review = _review(review_id, for_update=True)
    project = access_project(actor, review.project_id, for_update=True)
    require(require_internal(actor, project).edit, action="withdraw the review", project=project)
    if review.state != ReviewState.REQUESTED:
        raise Conflict(
            REVIEW_NOT_REQUESTED.format(id=review.pk, state=review.get_state_display().lower())
        )
    return versioned_update(
        review,
        actor=actor,
        data={"state": ReviewState.WITHDRAWN},
        expected_version=None,
        project_id=project.pk,
        thing=str(review),
    )


def _clean_conditions(conditions: Any) -> list[dict[str, Any]]:
    if conditions in (None, ""):
        return []
    if not isinstance(conditions, list):
        raise ValidationFailed("Conditions must be a list.")
    out = []
    for n, row in enumerate(conditions, start=1):
        row = {"text": row} if isinstance(row, str) else row
        if not isinstance(row, dict):
            raise ValidationFailed(f"Condition {n} is not an object.")
        text = _text(row.get("text"), 300)
        if not text:
            continue
        owner = None
        if row.get("owner_id") not in (None, ""):
            owner = User.objects.filter(pk=row["owner_id"], is_active=True).first()
            if owner is None:
                raise ValidationFailed(f"Condition {n}: no active user with id {row['owner_id']}.")
        due = row.get("due_date")
        if isinstance(due, str) and due:
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                raise ValidationFailed(f"Condition {n}: the due date reads YYYY-MM-DD.") from None
        out.append({"text": text, "owner": owner, "due_date": due or None})
    return out


@transaction.atomic
def review_decide(
    *,
    actor: User,
    review_id: int,
    decision: str,
    rationale: str,
    conditions: Any = None,
    version: int | None = None,
) -> GateReview:
    """A PMO reviewer decides: go or go with conditions move the project to its next stage;
    hold keeps it where it is; recycle sends the PM back to rework the stage; stop cancels it.
    The rationale is mandatory; the decision and the criteria as they stood are kept."""
    _require_pmo(actor, "decide gate reviews")
    review = _review(review_id, for_update=True)
    project = access_project(actor, review.project_id, for_update=True)
    if decision not in Decision.values:
        raise ValidationFailed(
            DECISION_UNKNOWN.format(decision=decision, known=", ".join(Decision.values))
        )
    rationale = _text(rationale)
    if not rationale:
        raise ValidationFailed(DECISION_RATIONALE)
    cleaned = _clean_conditions(conditions)
    if decision == Decision.GO_WITH_CONDITIONS and not cleaned:
        raise ValidationFailed(DECISION_CONDITIONS)
    if cleaned and decision != Decision.GO_WITH_CONDITIONS:
        raise ValidationFailed(DECISION_ONLY_CONDITIONS)
    if review.state != ReviewState.REQUESTED:
        raise Conflict(
            REVIEW_NOT_REQUESTED.format(id=review.pk, state=review.get_state_display().lower())
        )
    if project.stage != review.stage:
        raise Conflict(REVIEW_STALE_STAGE.format(stage=Stage(review.stage).label.lower()))
    status = gates.evaluate_gate(project, review.stage, version=review.methodology_version)
    assert status is not None
    if decision == Decision.GO and status.applies and status.missing:
        raise Conflict(DECISION_GO_MISSING.format(missing=status.missing_text()))
    review = versioned_update(
        review,
        actor=actor,
        data={
            "state": ReviewState.DECIDED,
            "decision": decision,
            "rationale": rationale,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "criteria_at_decision": [r.as_dict() for r in status.results],
        },
        expected_version=version,
        project_id=project.pk,
        thing=str(review),
    )
    for row in cleaned:
        condition = GateCondition.objects.create(review=review, **row)
        audit_record(actor=actor, action="create", obj=condition, project_id=project.pk)
    if decision in PASSING_DECISIONS:
        from pmo.projects import services as projects

        nxt = STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1]
        projects.project_stage_advance(actor=actor, project_id=project.pk, to_stage=nxt)
    elif decision == Decision.STOP:
        versioned_update(
            project,
            actor=actor,
            data={"status": Status.CANCELLED},
            expected_version=None,
            project_id=project.pk,
            thing=f"Project {project.code}",
        )
    notify(
        users=[project.manager, review.requested_by],
        subject=f"[{project.code}] {review.gate_name}: {review.get_decision_display()}",
        body=f"{actor.get_full_name() or actor.username} decided "
        f"{review.get_decision_display().lower()}.\n\n{rationale}"
        + "".join(f"\n- Condition: {c['text']}" for c in cleaned),
        link=f"/projects/{project.pk}/",
    )
    return review


def _condition(condition_id: Any) -> GateCondition:
    found = (
        GateCondition.objects.select_related("review__project")
        .select_for_update(of=("self",))
        .filter(pk=condition_id)
        .first()
        if str(condition_id).isdigit()
        else None
    )
    if found is None:
        raise NotFound(CONDITION_NOT_FOUND.format(id=condition_id))
    return found


@transaction.atomic
def condition_close(
    *, actor: User, condition_id: int, note: str, version: int | None = None
) -> GateCondition:
    """Close a condition of a go-with-conditions decision, saying how it was met."""
    condition = _condition(condition_id)
    project = access_project(actor, condition.review.project_id)
    perms = require_internal(actor, project)
    require(
        perms.edit or condition.owner_id == actor.pk, action="close the condition", project=project
    )
    if condition.state == ConditionState.CLOSED:
        raise Conflict(CONDITION_CLOSED)
    note = _text(note)
    if not note:
        raise ValidationFailed(CONDITION_NOTE)
    return versioned_update(
        condition,
        actor=actor,
        data={
            "state": ConditionState.CLOSED,
            "closed_by": actor,
            "closed_at": timezone.now(),
            "closing_note": note,
        },
        expected_version=version,
        project_id=project.pk,
        thing="The condition",
    )


# --- the stage rule -----------------------------------------------------------------------------


def stage_rule(*, actor: User, project: Project, to_stage: str, override_reason: str = "") -> bool:
    """Called by `project_stage_advance` (project locked, `to_stage` the next stage) before the
    project moves. Returns False when the project follows no methodology (the older rule then
    applies). Otherwise the move needs a passed gate review of the current stage, which it uses
    up, unless the gate does not apply or a PMO admin overrides with a reason (audited)."""
    reason = _text(override_reason)
    if reason or override_reason:
        _require_admin(actor, "move a project on without a passed gate")
        if not reason:
            raise ValidationFailed(OVERRIDE_REASON)
        # a review still waiting for the stage being left is moot
        GateReview.objects.filter(project=project, state=ReviewState.REQUESTED).update(
            state=ReviewState.WITHDRAWN
        )
        override = StageOverride.objects.create(
            project=project, from_stage=project.stage, to_stage=to_stage, reason=reason, actor=actor
        )
        audit_record(
            actor=actor,
            action="create",
            obj=override,
            project_id=project.pk,
            changes={"stage": [project.stage, to_stage]},
            note=f"Stage override: {reason}",
        )
        return True
    governance = gates.governance_of(project)
    if governance is None:
        return False
    status = gates.evaluate_gate(project, project.stage, version=governance.methodology_version)
    assert status is not None
    if not status.applies:
        return True
    review = gates.passed_review(project, project.stage)
    if review is None:
        message = GATE_NOT_PASSED.format(
            code=project.code, stage=Stage(project.stage).label.lower(), gate=status.name
        )
        if status.missing:
            message += GATE_NOT_PASSED_MISSING.format(missing=status.missing_text())
        raise Conflict(message, extra={"missing": [r.as_dict() for r in status.missing]})
    GateReview.objects.filter(pk=review.pk).update(used_at=timezone.now())
    return True


# --- compliance ---------------------------------------------------------------------------------


def compliance_snapshot_take(projects: Sequence[Project] | None = None) -> int:
    """Record today's compliance of each project following a methodology (for the trend);
    run daily. Returns the number of snapshots written."""
    from .selectors import heatmap_rows

    if projects is None:
        projects = list(
            Project.objects.filter(governance__isnull=False).exclude(stage=Stage.CLOSED)
        )
    today = timezone.localdate()
    written = 0
    for row in heatmap_rows(projects):
        with transaction.atomic():
            ComplianceSnapshot.objects.update_or_create(
                project=row.project,
                date=today,
                defaults={
                    "score": row.score,
                    "results": {
                        label: cell.met for label, cell in row.cells.items() if cell.applies
                    },
                },
            )
        written += 1
    return written
