"""Writes on projects: creation, facts, stage, members, charter workflow, stakeholders, documents.

Every function checks the policy, validates, writes in one transaction, and audits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from pmo.accounts.models import User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.portfolio.models import Portfolio

from .models import (
    CHARTER_CONTENT_FIELDS,
    STAGE_ORDER,
    CharterState,
    CharterVersion,
    Document,
    DocumentFile,
    Membership,
    Project,
    ProjectRole,
    ProjectSize,
    ProjectType,
    RiskLevel,
    Stage,
    Stakeholder,
)
from .policies import (
    access_project,
    check_project_create,
    permissions_or_404,
    require,
    require_internal,
)

CODE_TAKEN = "A project with code {code} already exists."
UNKNOWN_USER = "No active user with id {id}."
UNKNOWN_PORTFOLIO = "No portfolio with id {id}."
STAGE_SKIP = "A project moves one stage at a time: from {current} the next stage is {next}."
STAGE_FINAL = "The project is closed; it has no further stage."
STAGE_NEEDS_CHARTER = "The charter must be approved before the project leaves initiation."
STAGE_NOT_ACTIVE = "The project is {status}; only an active project changes stage."
CHARTER_LOCKED = "Charter version {number} is {state} and cannot be edited; {hint}"
CHARTER_NOT_SUBMITTED = "Charter version {number} is {state}; only a submitted charter is decided."
CHARTER_NOT_APPROVED = "Charter version {number} is {state}; only an approved charter is revised."
CHARTER_INCOMPLETE = "The charter cannot be submitted yet: {missing}."
CHARTER_NO_SPONSOR = "The project has no sponsor to approve the charter; name one first."
CHARTER_RETURN_NEEDS_COMMENT = "Say what must change when returning a charter."
CHARTER_DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'approve' or 'return'."
CHARTER_LIST_SHAPE = "{field} must be a list of {shape}."
CHARTER_VERSION_NOT_FOUND = "Charter version {number} not found."
MEMBER_EXISTS = "{user} is already a member of this project."
MEMBER_NOT_FOUND = "{user} is not a member of this project."
MEMBER_IS_MANAGER = "{user} is the project manager; name another manager first."
DOCUMENT_TOO_LARGE = "The file is {size} bytes; the limit is {limit} bytes."
DOCUMENT_TYPE = "Files of type '.{ext}' are not accepted; allowed: {allowed}."
DOCUMENT_EMPTY = "The file is empty."
NUL_CHARACTER = "Text may not contain NUL characters."
DOCUMENT_TITLE_TAKEN = "A document titled '{title}' already exists on this project."
DOCUMENT_NOT_FOUND = "Document {id} not found."
STAKEHOLDER_NOT_FOUND = "Stakeholder {id} not found."

PROJECT_EDITABLE = {
    "name",
    "description",
    "portfolio_id",
    "sponsor_id",
    "manager_id",
    "status",
    "health",
    "project_type",
    "size",
    "risk_level",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
}
STAKEHOLDER_EDITABLE = {
    "name",
    "is_internal",
    "organisation",
    "role",
    "email",
    "phone",
    "interest",
    "influence",
    "current_engagement",
    "desired_engagement",
    "communication_preference",
    "notes",
}
# Charter list fields and the keys each entry carries (None: a plain string).
CHARTER_LIST_SHAPES: dict[str, tuple[str, ...] | None] = {
    "objectives": ("objective", "measure", "target"),
    "deliverables": None,
    "success_criteria": None,
    "assumptions": None,
    "constraints": None,
    "obstacles": None,
    "milestones": ("name", "date"),
}
CHARTER_REQUIRED = {
    "purpose": "a purpose",
    "problem": "the problem to solve",
    "objectives": "at least one objective with a measure and a target",
    "scope_in": "what is in scope",
    "deliverables": "at least one deliverable",
    "success_criteria": "at least one success criterion",
}


def _active_user(user_id: Any) -> User:
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise ValidationFailed(UNKNOWN_USER.format(id=user_id))
    return user


def _check_references(data: Mapping[str, Any]) -> None:
    for field in ("sponsor_id", "manager_id"):
        if data.get(field) is not None:
            _active_user(data[field])
    portfolio_id = data.get("portfolio_id")
    if portfolio_id is not None and not Portfolio.objects.filter(pk=portfolio_id).exists():
        raise ValidationFailed(UNKNOWN_PORTFOLIO.format(id=portfolio_id))


def _ensure_manager_membership(project: Project) -> None:
    if project.manager_id:
        Membership.objects.update_or_create(
            project=project, user_id=project.manager_id, defaults={"role": ProjectRole.MANAGER}
        )


# --- projects -----------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: User,
    code: str,
    name: str,
    description: str = "",
    portfolio_id: int | None = None,
    sponsor_id: int | None = None,
    manager_id: int | None = None,
    planned_start: dt.date | None = None,
    planned_finish: dt.date | None = None,
    project_type: str = ProjectType.OTHER,
    size: str = ProjectSize.MEDIUM,
    risk_level: str = RiskLevel.MEDIUM,
) -> Project:
    """A new project in initiation, with an empty draft charter; a PM who creates it manages it."""
    check_project_create(actor)
    code = code.strip().upper()
    if manager_id is None and not actor.is_pmo:
        manager_id = actor.pk
    _check_references(
        {"sponsor_id": sponsor_id, "manager_id": manager_id, "portfolio_id": portfolio_id}
    )
    if Project.objects.filter(code=code).exists():
        raise ValidationFailed(CODE_TAKEN.format(code=code), extra={"errors": {"code": ["taken"]}})
    project = Project(
        code=code,
        name=name.strip(),
        description=description,
        portfolio_id=portfolio_id,
        sponsor_id=sponsor_id,
        manager_id=manager_id,
        planned_start=planned_start,
        planned_finish=planned_finish,
        project_type=project_type,
        size=size,
        risk_level=risk_level,
        created_by=actor,
    )
    full_clean(project)
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:  # a concurrent create with the same code
        raise ValidationFailed(CODE_TAKEN.format(code=code)) from exc
    _ensure_manager_membership(project)
    CharterVersion.objects.create(project=project, number=1)
    audit_record(
        actor=actor,
        action="create",
        obj=project,
        changes={k: [None, v] for k, v in snapshot(project, ["code", "name", "stage"]).items()},
        project_id=project.pk,
    )
    return project


@transaction.atomic
def project_update(
    *, actor: User, project_id: int, version: int | None, data: Mapping[str, Any]
) -> Project:
    project = access_project(actor, project_id, for_update=True)
    perms = permissions_or_404(actor, project)
    require(perms.edit, action="change the project's facts", project=project)
    only_fields(data, PROJECT_EDITABLE)
    _check_references(data)
    project = versioned_update(
        project,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=project.pk,
        thing=f"Project {project.code}",
    )
    if "manager_id" in data:
        _ensure_manager_membership(project)
    return project


@transaction.atomic
def project_stage_advance(
    *,
    actor: User,
    project_id: int,
    to_stage: str,
    version: int | None = None,
    override_reason: str = "",
) -> Project:
    """Move the project to the next stage of its lifecycle, if the stage's exit rules hold.

    A project that follows a methodology leaves a stage only through a passed gate review
    (`pmo.governance`), unless a PMO admin overrides with `override_reason` (audited); one that
    follows none needs an approved charter to leave initiation."""
    from pmo.governance.services import stage_rule

    project = access_project(actor, project_id, for_update=True)
    require(permissions_or_404(actor, project).edit, action="change the stage", project=project)
    if project.stage == Stage.CLOSED:
        raise Conflict(STAGE_FINAL)
    if project.status != "active":
        raise Conflict(STAGE_NOT_ACTIVE.format(status=project.get_status_display().lower()))
    expected = STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1]
    if to_stage != expected:
        raise Conflict(
            STAGE_SKIP.format(current=Stage(project.stage).label, next=Stage(expected).label)
        )
    governed = stage_rule(
        actor=actor, project=project, to_stage=to_stage, override_reason=override_reason
    )
    if (
        not governed
        and project.stage == Stage.INITIATION
        and not CharterVersion.objects.filter(project=project, state=CharterState.APPROVED).exists()
    ):
        raise Conflict(STAGE_NEEDS_CHARTER)
    data: dict[str, Any] = {"stage": to_stage}
    today = timezone.localdate()
    if to_stage == Stage.EXECUTION and project.actual_start is None:
        data["actual_start"] = today
    if to_stage == Stage.CLOSED and project.actual_finish is None:
        data["actual_finish"] = max(today, project.actual_start or today)
    return versioned_update(
        project,
        actor=actor,
        data=data,
        expected_version=version,
        project_id=project.pk,
        thing=f"Project {project.code}",
    )


# --- members ------------------------------------------------------------------------------------


@transaction.atomic
def member_add(*, actor: User, project_id: int, user_id: int, role: str) -> Membership:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="manage members", project=project)
    user = _active_user(user_id)
    if role not in ProjectRole.values:
        raise ValidationFailed(f"Unknown project role '{role}'.")
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationFailed(MEMBER_EXISTS.format(user=user))
    membership = Membership.objects.create(project=project, user=user, role=role)
    audit_record(
        actor=actor,
        action="create",
        obj=membership,
        changes={"role": [None, role]},
        project_id=project.pk,
    )
    return membership


@transaction.atomic
def member_remove(*, actor: User, project_id: int, user_id: int) -> None:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="manage members", project=project)
    membership = Membership.objects.filter(project=project, user_id=user_id).first()
    if membership is None:
        raise NotFound(MEMBER_NOT_FOUND.format(user=f"User {user_id}"))
    if project.manager_id == membership.user_id:
        raise Conflict(MEMBER_IS_MANAGER.format(user=membership.user))
    audit_record(
        actor=actor,
        action="delete",
        obj=membership,
        changes={"role": [membership.role, None]},
        project_id=project.pk,
    )
    membership.delete()


# --- charter ------------------------------------------------------------------------------------


def charter_current(project: Project) -> CharterVersion:
    charter = CharterVersion.objects.filter(project=project).order_by("-number").first()
    if charter is None:  # every project is created with one; this heals imported data
        charter = CharterVersion.objects.create(project=project, number=1)
    return charter


def _clean_charter_lists(data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for field, keys in CHARTER_LIST_SHAPES.items():
        if field not in data:
            continue
        value = data[field]
        shape = "texts" if keys is None else "objects with " + ", ".join(keys)
        if not isinstance(value, list):
            raise ValidationFailed(CHARTER_LIST_SHAPE.format(field=field, shape=shape))
        items: list[Any] = []
        for item in value:
            if keys is None:
                if not isinstance(item, str):
                    raise ValidationFailed(CHARTER_LIST_SHAPE.format(field=field, shape=shape))
                if item.strip():
                    items.append(item.strip())
            else:
                if not isinstance(item, dict) or set(item) - set(keys):
                    raise ValidationFailed(CHARTER_LIST_SHAPE.format(field=field, shape=shape))
                entry = {k: str(item.get(k) or "").strip() for k in keys}
                if any(entry.values()):
                    items.append(entry)
        if field == "milestones":
            for entry in items:
                if entry["date"]:
                    try:
                        dt.date.fromisoformat(entry["date"])
                    except ValueError:
                        raise ValidationFailed(
                            f"Milestone '{entry['name']}' has an invalid date "
                            f"'{entry['date']}' (expected YYYY-MM-DD)."
                        ) from None
        cleaned[field] = items
    if "budget_estimate" in data and data["budget_estimate"] not in (None, ""):
        try:
            cleaned["budget_estimate"] = Decimal(str(data["budget_estimate"]))
        except InvalidOperation:
            raise ValidationFailed("The budget estimate must be a number.") from None
    elif "budget_estimate" in data:
        cleaned["budget_estimate"] = None
    return cleaned


@transaction.atomic
def charter_update(
    *, actor: User, project_id: int, version: int | None, data: Mapping[str, Any]
) -> CharterVersion:
    """Edit the current charter while it is a draft or was returned."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="edit the charter", project=project)
    only_fields(data, {*CHARTER_CONTENT_FIELDS, "change_summary"})
    charter = charter_current(project)
    if not charter.is_editable:
        hint = (
            "wait for the sponsor's decision."
            if charter.state == CharterState.SUBMITTED
            else "start a revision to change it."
        )
        raise Conflict(
            CHARTER_LOCKED.format(
                number=charter.number, state=charter.get_state_display().lower(), hint=hint
            )
        )
    return versioned_update(
        charter,
        actor=actor,
        data=_clean_charter_lists(data),
        expected_version=version,
        project_id=project.pk,
        thing=f"Charter v{charter.number}",
    )


def charter_missing(charter: CharterVersion) -> list[str]:
    """What a charter still lacks before it can be submitted, in the reader's words."""
    missing = []
    for field, words in CHARTER_REQUIRED.items():
        value = getattr(charter, field)
        if field == "objectives":
            complete = [
                o for o in value if o.get("objective") and o.get("measure") and o.get("target")
            ]
            if not complete:
                missing.append(words)
        elif not value:
            missing.append(words)
    return missing


def _transition(
    charter: CharterVersion, *, actor: User, to: str, expected_version: int | None, **fields: Any
) -> CharterVersion:
    return versioned_update(
        charter,
        actor=actor,
        data={"state": to, **fields},
        expected_version=expected_version,
        project_id=charter.project_id,
        thing=f"Charter v{charter.number}",
    )


@transaction.atomic
def charter_submit(*, actor: User, project_id: int, version: int | None) -> CharterVersion:
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="submit the charter", project=project)
    charter = charter_current(project)
    if not charter.is_editable:
        raise Conflict(
            CHARTER_LOCKED.format(
                number=charter.number,
                state=charter.get_state_display().lower(),
                hint="only a draft or returned charter is submitted.",
            )
        )
    missing = charter_missing(charter)
    if missing:
        raise ValidationFailed(CHARTER_INCOMPLETE.format(missing=", ".join(missing)))
    if project.sponsor is None:
        raise ValidationFailed(CHARTER_NO_SPONSOR)
    charter = _transition(
        charter,
        actor=actor,
        to=CharterState.SUBMITTED,
        expected_version=version,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    notify(
        users=[project.sponsor],
        subject=f"[{project.code}] Charter v{charter.number} awaits your approval",
        body=(
            f"{actor} submitted version {charter.number} of the charter of {project} "
            "for your approval."
        ),
    )
    return charter


@transaction.atomic
def charter_decide(
    *, actor: User, project_id: int, version: int | None, decision: str, comment: str = ""
) -> CharterVersion:
    """The sponsor approves the submitted charter, or returns it with comments."""
    project = access_project(actor, project_id, for_update=True)
    perms = require_internal(actor, project)
    require(perms.decide_charter, action="decide on the charter", project=project)
    if decision not in ("approve", "return"):
        raise ValidationFailed(CHARTER_DECISION_UNKNOWN.format(decision=decision))
    charter = charter_current(project)
    if charter.state != CharterState.SUBMITTED:
        raise Conflict(
            CHARTER_NOT_SUBMITTED.format(
                number=charter.number, state=charter.get_state_display().lower()
            )
        )
    if decision == "return" and not comment.strip():
        raise ValidationFailed(CHARTER_RETURN_NEEDS_COMMENT)
    to = CharterState.APPROVED if decision == "approve" else CharterState.RETURNED
    charter = _transition(
        charter,
        actor=actor,
        to=to,
        expected_version=version,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_comment=comment.strip(),
    )
    if to == CharterState.APPROVED:
        for older in CharterVersion.objects.filter(
            project=project, state=CharterState.APPROVED, number__lt=charter.number
        ):
            _transition(older, actor=actor, to=CharterState.SUPERSEDED, expected_version=None)
    notify(
        users=[project.manager, charter.submitted_by],
        subject=f"[{project.code}] Charter v{charter.number} {charter.get_state_display().lower()}",
        body=f"{actor} decided: {charter.get_state_display()}.\n\n{comment}".strip(),
    )
    return charter


@transaction.atomic
def charter_revise(*, actor: User, project_id: int, change_summary: str = "") -> CharterVersion:
    """Start a new draft from the approved charter; the approved one stays in force until then."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action="revise the charter", project=project)
    current = charter_current(project)
    if current.state != CharterState.APPROVED:
        raise Conflict(
            CHARTER_NOT_APPROVED.format(
                number=current.number, state=current.get_state_display().lower()
            )
        )
    draft = CharterVersion(
        project=project,
        number=current.number + 1,
        change_summary=change_summary.strip()[:300],
        **{f: getattr(current, f) for f in CHARTER_CONTENT_FIELDS},
    )
    draft.save()
    audit_record(
        actor=actor,
        action="create",
        obj=draft,
        project_id=project.pk,
        note=f"Revision of v{current.number}",
    )
    return draft


# --- stakeholders -------------------------------------------------------------------------------


def _stakeholder(project: Project, stakeholder_id: int) -> Stakeholder:
    return project_row(
        Stakeholder, project=project, pk=stakeholder_id, missing=STAKEHOLDER_NOT_FOUND
    )


@transaction.atomic
def stakeholder_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Stakeholder:
    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action="edit stakeholders", project=project)
    only_fields(data, STAKEHOLDER_EDITABLE)
    stakeholder = Stakeholder(project=project, **data)
    full_clean(stakeholder)
    stakeholder.save()
    audit_record(
        actor=actor,
        action="create",
        obj=stakeholder,
        project_id=project.pk,
        changes={k: [None, v] for k, v in snapshot(stakeholder, data.keys()).items()},
    )
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *,
    actor: User,
    project_id: int,
    stakeholder_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> Stakeholder:
    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action="edit stakeholders", project=project)
    only_fields(data, STAKEHOLDER_EDITABLE)
    return versioned_update(
        _stakeholder(project, stakeholder_id),
        actor=actor,
        data=data,
        expected_version=version,
        project_id=project.pk,
        thing="The stakeholder",
    )


@transaction.atomic
def stakeholder_delete(*, actor: User, project_id: int, stakeholder_id: int) -> None:
    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action="edit stakeholders", project=project)
    stakeholder = _stakeholder(project, stakeholder_id)
    audit_record(actor=actor, action="delete", obj=stakeholder, project_id=project.pk)
    stakeholder.delete()


# --- documents ----------------------------------------------------------------------------------


def _check_upload(upload: UploadedFile) -> str:
    """Validate size and type; returns the file's extension."""
    size = upload.size or 0
    if size == 0:
        raise ValidationFailed(DOCUMENT_EMPTY)
    limit = settings.PMO_DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationFailed(DOCUMENT_TOO_LARGE.format(size=size, limit=limit))
    ext = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    allowed = settings.PMO_DOCUMENT_EXTENSIONS
    if ext not in allowed:
        raise ValidationFailed(
            DOCUMENT_TYPE.format(ext=ext or "(none)", allowed=", ".join(sorted(allowed)))
        )
    return ext


def _store_file(
    document: Document, upload: UploadedFile, *, actor: User, comment: str
) -> DocumentFile:
    _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    number = (document.files.aggregate(n=Max("number"))["n"] or 0) + 1
    name = os.path.basename(upload.name or "file")[:150]
    stored = DocumentFile(
        document=document,
        number=number,
        original_name=name,
        content_type=(upload.content_type or "application/octet-stream")[:120],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        comment=comment[:300],
    )
    stored.file.save(name, upload, save=False)
    try:  # if the row cannot be written, the stored file must not linger
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def document_upload(
    *,
    actor: User,
    project_id: int,
    upload: UploadedFile,
    title: str = "",
    description: str = "",
    shared_with_client: bool = False,
    document_id: int | None = None,
    comment: str = "",
) -> DocumentFile:
    """A new document, or (with `document_id`) a new version of an existing one."""
    if any("\x00" in text for text in (title, description, comment)):
        raise ValidationFailed(NUL_CHARACTER)
    project = access_project(actor, project_id)
    perms = require_internal(actor, project)
    require(perms.upload_documents, action="upload documents", project=project)
    if document_id is None:
        title = (title or os.path.splitext(os.path.basename(upload.name or ""))[0]).strip()[:200]
        if Document.objects.filter(project=project, title=title).exists():
            raise ValidationFailed(DOCUMENT_TITLE_TAKEN.format(title=title))
        _check_upload(upload)
        document = Document(
            project=project,
            title=title,
            description=description,
            shared_with_client=shared_with_client,
            created_by=actor,
        )
        full_clean(document)
        document.save()
        audit_record(actor=actor, action="create", obj=document, project_id=project.pk)
    else:
        document = (
            Document.objects.select_for_update().filter(project=project, pk=document_id).first()
        )
        if document is None:
            raise NotFound(DOCUMENT_NOT_FOUND.format(id=document_id))
    stored = _store_file(document, upload, actor=actor, comment=comment)
    audit_record(
        actor=actor,
        action="create",
        obj=stored,
        project_id=project.pk,
        changes={"size": [None, stored.size], "sha256": [None, stored.sha256]},
    )
    return stored


@transaction.atomic
def document_delete(*, actor: User, project_id: int, document_id: int) -> None:
    """Remove a document and all its versions' files."""
    project = access_project(actor, project_id)
    require(require_internal(actor, project).edit, action="delete documents", project=project)
    document = project_row(Document, project=project, pk=document_id, missing=DOCUMENT_NOT_FOUND)
    names = list(document.files.values_list("file", flat=True))
    audit_record(actor=actor, action="delete", obj=document, project_id=project.pk)
    document.delete()

    def remove_files() -> None:
        from django.core.files.storage import default_storage

        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
