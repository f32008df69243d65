"""Writes of closing a project.

Acceptance: the PM records deliverables with their acceptance criteria and asks for acceptance;
the client (or the sponsor) accepts or rejects them with a comment, and each decision leaves an
immutable sign-off record. Vendors and contracts: invoices are actual costs of the project set
against a contract; a contract closes with its final invoice, and its vendor is assessed.
Release: ends the project's future assignments (capacity returns at once), returns unspent budget
to the portfolio's ledger, and keeps a release report. The PIR is filled in from the data; the
project closes when the closing gate's criteria hold, and a PMO admin may reopen it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.core.audit import audit_record, snapshot
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.notifications import notify
from pmo.core.services import full_clean, only_fields, project_row, versioned_update
from pmo.execution import services as execution
from pmo.execution.models import CostKind
from pmo.governance.criteria import criterion
from pmo.planning.models import Task
from pmo.projects import services as projects
from pmo.projects.models import Document, Project, Stage
from pmo.projects.policies import (
    CREATOR_ROLES,
    access_project,
    is_pmo,
    permissions_or_404,
    require,
    require_internal,
)
from pmo.resources import services as resources
from pmo.resources.models import Assignment

from .models import (
    Benefit,
    BenefitMeasurement,
    BudgetReturn,
    Contract,
    ContractInvoice,
    ContractStatus,
    Deliverable,
    DeliverableState,
    PostImplementationReview,
    ProjectArchive,
    Reopening,
    ResourceRelease,
    ReviewState,
    SignOff,
    SignOffDecision,
    Vendor,
    VendorAssessment,
)

DELIVERABLE_NOT_FOUND = "Deliverable {id} not found in this project."
CONTRACT_NOT_FOUND = "Contract {id} not found in this project."
VENDOR_NOT_FOUND = "Vendor {id} not found."
BENEFIT_NOT_FOUND = "Benefit {id} not found in this project."
NAME_TAKEN = "A {what} named '{name}' already exists {where}."
REFERENCE_TAKEN = "A contract with reference '{ref}' already exists on this project."
DELIVERABLE_LOCKED = "'{name}' is {state}; it cannot be edited any more."
NOTHING_TO_REQUEST = "There is no deliverable waiting to be requested."
NOTHING_CHOSEN = "Choose at least one deliverable."
NOT_REQUESTED = "'{name}' is {state}; only a deliverable awaiting acceptance is decided."
DECISION_UNKNOWN = "Unknown decision '{decision}'; expected 'accept' or 'reject'."
REJECT_NEEDS_COMMENT = "Say what must change when rejecting a deliverable."
MAY_NOT_DECIDE = "Only the project's client or sponsor accepts deliverables on project {code}."
MAY_NOT_VENDORS = "Only the PMO and project managers may edit the vendor register."
NOT_IN_CLOSING = "Project {code} is in {stage}; {what} happens in the closing stage."
CONTRACT_CLOSED = "Contract {ref} is closed; it takes no more changes."
CONTRACT_FINAL_MISSING = "Record the final invoice of contract {ref} before closing it."
CONTRACT_FINAL_TWICE = "Contract {ref} already has its final invoice."
OBLIGATIONS_NEEDED = "Say whether the vendor met the contract's obligations."
CLOSURE_DATE_NEEDED = "Give the contract's closure date."
DOCUMENTS_ELSEWHERE = "These documents are not on this project: {ids}."
ASSESS_OPEN_CONTRACT = "Close contract {ref} before assessing its vendor."
ASSESSED_TWICE = "The vendor of contract {ref} is already assessed."
ALREADY_RELEASED = "The resources of project {code} were already released on {day}."
NOT_RELEASED = "Release the project's resources first (it ends future work and returns budget)."
CLOSING_CRITERIA = "The project cannot close yet: {missing}"
PIR_FINAL = "The post-implementation review is final; it takes no more changes."
PIR_OBJECTIVES = "Give one entry per charter objective ({n}), each with 'achieved' and 'met'."
REOPEN_ADMIN_ONLY = "Only a PMO admin may reopen a closed project."
REOPEN_NOT_CLOSED = "Project {code} is not closed; there is nothing to reopen."
REOPEN_REASON = "Say why the project is reopened."
NOT_AN_AMOUNT = "'{value}' is not an amount."
MAY_NOT_BENEFITS = "Only the PMO, the project manager or the sponsor record benefits on {code}."
MAY_NOT_ARCHIVE = "Only the PMO, the project manager or the sponsor may archive project {code}."
ARCHIVE_OPEN = "Project {code} is not closed; the archive is built once it is."

DELIVERABLE_FIELDS = {"name", "description", "acceptance_criteria", "shared_with_client"}
VENDOR_FIELDS = {"name", "contact_name", "email", "phone", "notes"}
CONTRACT_FIELDS = {
    "vendor_id",
    "reference",
    "title",
    "value",
    "start",
    "end",
    "deliverables",
    "status",
}
SCORES = ("quality", "timeliness", "cost", "communication")
PIR_FIELDS = {"summary", "went_well", "to_improve", "objectives"}
BENEFIT_FIELDS = {"name", "measure", "planned_value", "planned_by", "owner_id"}
CLOSING_GATE = (
    "deliverables_accepted",
    "contracts_closed",
    "timesheets_approved",
    "lessons_recorded",
)
RELATION_LABELS = {
    "client": "External client",
    "sponsor": "Sponsor",
    "manager": "Project manager",
    "pmo": "PMO",
}


# --- helpers ------------------------------------------------------------------------------------


def _editable(actor: User, project_id: int, action: str) -> Project:
    """The project, locked, if `actor` may edit it (PM or PMO); refused when closed."""
    project = access_project(actor, project_id, for_update=True)
    require(require_internal(actor, project).edit, action=action, project=project)
    return project


def _in_closing(project: Project, what: str) -> None:
    if project.stage != Stage.CLOSING:
        raise Conflict(
            NOT_IN_CLOSING.format(
                code=project.code, stage=Stage(project.stage).label.lower(), what=what
            )
        )


def _created(obj: Any, *, actor: User, fields: Any, project_id: int | None) -> Any:
    full_clean(obj)
    obj.save()
    changes = {k: [None, v] for k, v in snapshot(obj, fields).items()}
    audit_record(actor=actor, action="create", obj=obj, changes=changes, project_id=project_id)
    return obj


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            NOT_AN_AMOUNT.format(value=value), extra={"errors": {field: ["Not an amount."]}}
        ) from None
    if not amount.is_finite():
        raise ValidationFailed(NOT_AN_AMOUNT.format(value=value))
    return amount


def request_ip(meta: Mapping[str, Any]) -> str | None:
    """Where a request came from: the first address of X-Forwarded-For (set by the proxy in front
    of the app), else REMOTE_ADDR; None when neither is a valid address."""
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")[0].strip()
    for candidate in (forwarded, str(meta.get("REMOTE_ADDR", "")).strip()):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def canonical_json(content: Any) -> bytes:
    """The one byte form of `content` that its digest is computed on."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(content: Any) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


# --- deliverables and sign-off ------------------------------------------------------------------


def _deliverable(project: Project, deliverable_id: Any) -> Deliverable:
    return project_row(
        Deliverable, project=project, pk=deliverable_id, missing=DELIVERABLE_NOT_FOUND
    )


@transaction.atomic
def deliverable_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Deliverable:
    project = _editable(actor, project_id, "record deliverables")
    only_fields(data, DELIVERABLE_FIELDS)
    name = str(data.get("name", "")).strip()
    if Deliverable.objects.filter(project=project, name=name).exists():
        raise ValidationFailed(
            NAME_TAKEN.format(what="deliverable", name=name, where="on this project")
        )
    obj = Deliverable(project=project, **{**data, "name": name})
    return _created(obj, actor=actor, fields=data.keys(), project_id=project.pk)


@transaction.atomic
def deliverable_update(
    *,
    actor: User,
    project_id: int,
    deliverable_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> Deliverable:
    project = _editable(actor, project_id, "record deliverables")
    only_fields(data, DELIVERABLE_FIELDS)
    deliverable = _deliverable(project, deliverable_id)
    if deliverable.state == DeliverableState.ACCEPTED:
        raise Conflict(
            DELIVERABLE_LOCKED.format(name=deliverable.name, state=deliverable.get_state_display())
        )
    values = dict(data)
    if deliverable.state == DeliverableState.REJECTED and (
        "acceptance_criteria" in values or "description" in values
    ):
        values["state"] = DeliverableState.DRAFT  # reworked: to be asked for again
    name = str(values.get("name", deliverable.name)).strip()
    if Deliverable.objects.filter(project=project, name=name).exclude(pk=deliverable.pk).exists():
        raise ValidationFailed(
            NAME_TAKEN.format(what="deliverable", name=name, where="on this project")
        )
    if "name" in values:
        values["name"] = name
    return versioned_update(
        deliverable,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing=f"Deliverable '{deliverable.name}'",
    )


@transaction.atomic
def deliverable_delete(*, actor: User, project_id: int, deliverable_id: int) -> None:
    project = _editable(actor, project_id, "record deliverables")
    deliverable = _deliverable(project, deliverable_id)
    if deliverable.sign_offs.exists():
        raise Conflict(
            DELIVERABLE_LOCKED.format(name=deliverable.name, state="signed off").replace(
                "edited", "deleted"
            )
        )
    audit_record(actor=actor, action="delete", obj=deliverable, project_id=project.pk)
    deliverable.delete()


def _clients(project: Project) -> list[User]:
    from pmo.projects.models import Membership, ProjectRole

    return [
        m.user
        for m in Membership.objects.select_related("user").filter(
            project=project, role=ProjectRole.CLIENT
        )
    ]


@transaction.atomic
def acceptance_request(
    *, actor: User, project_id: int, deliverable_ids: Sequence[int] | None = None
) -> list[Deliverable]:
    """Ask for acceptance of the given deliverables (default: all not yet requested or
    reworked after a rejection); the client and the sponsor are told."""
    project = _editable(actor, project_id, "request acceptance")
    qs = Deliverable.objects.select_for_update().filter(
        project=project, state__in=[DeliverableState.DRAFT, DeliverableState.REJECTED]
    )
    if deliverable_ids is not None:
        qs = qs.filter(pk__in=list(deliverable_ids))
    chosen = list(qs.order_by("name"))
    if not chosen:
        raise ValidationFailed(NOTHING_TO_REQUEST)
    now = timezone.now()
    for deliverable in chosen:
        before = deliverable.state
        Deliverable.objects.filter(pk=deliverable.pk).update(
            state=DeliverableState.REQUESTED,
            requested_by=actor,
            requested_at=now,
            decided_by=None,
            decided_at=None,
            comment="",
            version=deliverable.version + 1,
            updated_at=now,
        )
        audit_record(
            actor=actor,
            action="transition",
            obj=deliverable,
            changes={"state": [before, DeliverableState.REQUESTED.value]},
            project_id=project.pk,
        )
    link = f"/projects/{project.pk}/closing/acceptance/"
    who = actor.get_full_name() or actor.username
    shared = [d for d in chosen if d.shared_with_client]
    # each reader hears only of what they may see: the client of the shared deliverables
    for users, items in (
        ([project.sponsor] if project.sponsor else [], chosen),
        (_clients(project), shared),
    ):
        if users and items:
            notify(
                users=users,
                subject=f"[{project.code}] Deliverables await your acceptance",
                body=f"{who} asks you to accept:\n" + "\n".join(f"- {d.name}" for d in items),
                link=link,
            )
    return list(Deliverable.objects.filter(pk__in=[d.pk for d in chosen]).order_by("name"))


def _signer_role(actor: User, relation: str) -> str:
    label = RELATION_LABELS.get(relation, relation)
    organisation = getattr(actor, "organisation", "") or ""
    return f"{label}, {organisation}" if organisation else label


@transaction.atomic
def deliverables_decide(
    *,
    actor: User,
    project_id: int,
    deliverable_ids: Sequence[int],
    decision: str,
    comment: str = "",
    ip: str | None = None,
) -> SignOff:
    """The client (or sponsor) accepts or rejects deliverables; one immutable sign-off records
    who, in what role, when, from where, and the digest of exactly what was decided."""
    project = access_project(actor, project_id, for_update=True)
    perms = permissions_or_404(actor, project)
    require(
        perms.relation in ("client", "sponsor"),
        action="accept deliverables",
        project=project,
    )
    if decision not in ("accept", "reject"):
        raise ValidationFailed(DECISION_UNKNOWN.format(decision=decision))
    comment = comment.strip()
    if decision == "reject" and not comment:
        raise ValidationFailed(REJECT_NEEDS_COMMENT, extra={"errors": {"comment": ["Required."]}})
    ids = sorted({int(i) for i in deliverable_ids})
    if not ids:
        raise ValidationFailed(NOTHING_CHOSEN)
    visible = Deliverable.objects.select_for_update().filter(project=project, pk__in=ids)
    if perms.relation == "client":
        visible = visible.filter(shared_with_client=True)
    chosen = list(visible.order_by("pk"))
    if len(chosen) != len(ids):
        missing = sorted(set(ids) - {d.pk for d in chosen})
        raise NotFound(DELIVERABLE_NOT_FOUND.format(id=", ".join(map(str, missing))))
    for deliverable in chosen:
        if deliverable.state != DeliverableState.REQUESTED:
            raise Conflict(
                NOT_REQUESTED.format(
                    name=deliverable.name, state=deliverable.get_state_display().lower()
                )
            )
    now = timezone.now()
    outcome = SignOffDecision.ACCEPTED if decision == "accept" else SignOffDecision.REJECTED
    content = {
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "decision": outcome.value,
        "comment": comment,
        "deliverables": [
            {
                "id": d.pk,
                "name": d.name,
                "description": d.description,
                "acceptance_criteria": d.acceptance_criteria,
                "version": d.version,
            }
            for d in chosen
        ],
    }
    sign_off = SignOff.objects.create(
        project=project,
        decision=outcome,
        signed_by=actor,
        signer_name=actor.get_full_name() or actor.username,
        role=_signer_role(actor, perms.relation),
        signed_at=now,
        ip_address=ip,
        comment=comment,
        content=content,
        digest=digest_of(content),
    )
    sign_off.deliverables.set(chosen)
    for deliverable in chosen:
        Deliverable.objects.filter(pk=deliverable.pk).update(
            state=outcome.value,
            decided_by=actor,
            decided_at=now,
            comment=comment,
            version=deliverable.version + 1,
            updated_at=now,
        )
        audit_record(
            actor=actor,
            action="transition",
            obj=deliverable,
            changes={"state": [DeliverableState.REQUESTED.value, outcome.value]},
            project_id=project.pk,
            note=f"sign-off {sign_off.pk}",
        )
    audit_record(
        actor=actor,
        action="create",
        obj=sign_off,
        changes={"digest": [None, sign_off.digest], "ip_address": [None, ip]},
        project_id=project.pk,
    )
    names = ", ".join(d.name for d in chosen)
    notify(
        users=[project.manager],
        subject=f"[{project.code}] {sign_off.signer_name} {outcome.label.lower()} {names}",
        body=comment or f"{outcome.label} without comment.",
        link=f"/projects/{project.pk}/closing/",
    )
    return sign_off


# --- vendors and contracts ----------------------------------------------------------------------


def _require_vendor_editor(actor: User) -> None:
    if not getattr(actor, "is_authenticated", False) or (
        actor.org_role not in CREATOR_ROLES and not actor.is_superuser
    ):
        raise Forbidden(MAY_NOT_VENDORS)


@transaction.atomic
def vendor_create(*, actor: User, data: Mapping[str, Any]) -> Vendor:
    _require_vendor_editor(actor)
    only_fields(data, VENDOR_FIELDS)
    name = str(data.get("name", "")).strip()
    if Vendor.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(NAME_TAKEN.format(what="vendor", name=name, where="in the register"))
    return _created(
        Vendor(**{**data, "name": name}), actor=actor, fields=data.keys(), project_id=None
    )


@transaction.atomic
def vendor_update(
    *, actor: User, vendor_id: int, version: int | None, data: Mapping[str, Any]
) -> Vendor:
    _require_vendor_editor(actor)
    only_fields(data, VENDOR_FIELDS)
    vendor = Vendor.objects.select_for_update().filter(pk=vendor_id).first()
    if vendor is None:
        raise NotFound(VENDOR_NOT_FOUND.format(id=vendor_id))
    name = str(data.get("name", vendor.name)).strip()
    if Vendor.objects.filter(name__iexact=name).exclude(pk=vendor.pk).exists():
        raise ValidationFailed(NAME_TAKEN.format(what="vendor", name=name, where="in the register"))
    values = {**data, "name": name} if "name" in data else dict(data)
    return versioned_update(
        vendor,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=None,
        thing=f"Vendor {vendor.name}",
    )


def _contract(project: Project, contract_id: Any, *, lock: bool = True) -> Contract:
    qs = Contract.objects.select_related("vendor")
    if lock:
        qs = qs.select_for_update(of=("self",))
    row = qs.filter(project=project, pk=contract_id).first() if contract_id else None
    if row is None:
        raise NotFound(CONTRACT_NOT_FOUND.format(id=contract_id))
    return row


def _check_contract(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "vendor_id" in values and not Vendor.objects.filter(pk=values["vendor_id"]).exists():
        raise ValidationFailed(
            VENDOR_NOT_FOUND.format(id=values["vendor_id"]),
            extra={"errors": {"vendor_id": ["Unknown vendor."]}},
        )
    if values.get("status") == ContractStatus.CLOSED:
        raise ValidationFailed("Close a contract with its final invoice (contract closure).")
    if "value" in values:
        values["value"] = _amount(values["value"], "value")
    return values


@transaction.atomic
def contract_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Contract:
    project = _editable(actor, project_id, "manage contracts")
    only_fields(data, CONTRACT_FIELDS)
    values = _check_contract(data)
    if Contract.objects.filter(project=project, reference=values.get("reference")).exists():
        raise ValidationFailed(REFERENCE_TAKEN.format(ref=values.get("reference")))
    return _created(
        Contract(project=project, **values), actor=actor, fields=data.keys(), project_id=project.pk
    )


@transaction.atomic
def contract_update(
    *,
    actor: User,
    project_id: int,
    contract_id: int,
    version: int | None,
    data: Mapping[str, Any],
) -> Contract:
    project = _editable(actor, project_id, "manage contracts")
    only_fields(data, CONTRACT_FIELDS)
    contract = _contract(project, contract_id)
    if contract.status == ContractStatus.CLOSED:
        raise Conflict(CONTRACT_CLOSED.format(ref=contract.reference))
    values = _check_contract(data)
    ref = values.get("reference", contract.reference)
    if Contract.objects.filter(project=project, reference=ref).exclude(pk=contract.pk).exists():
        raise ValidationFailed(REFERENCE_TAKEN.format(ref=ref))
    return versioned_update(
        contract,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing=f"Contract {contract.reference}",
    )


@transaction.atomic
def contract_invoice_record(
    *,
    actor: User,
    project_id: int,
    contract_id: int,
    date: dt.date,
    amount: Any,
    reference: str,
    description: str = "",
    is_final: bool = False,
) -> ContractInvoice:
    """A vendor invoice against a contract: an actual cost of the project (category contracts),
    so it counts in budget vs actual at once."""
    project = _editable(actor, project_id, "manage contracts")
    contract = _contract(project, contract_id)
    if contract.status == ContractStatus.CLOSED:
        raise Conflict(CONTRACT_CLOSED.format(ref=contract.reference))
    if is_final and contract.invoices.filter(is_final=True).exists():
        raise Conflict(CONTRACT_FINAL_TWICE.format(ref=contract.reference))
    cost = execution.cost_create(
        actor=actor,
        project_id=project.pk,
        data={
            "kind": CostKind.INVOICE,
            "category": "contracts",
            "date": date,
            "amount": _amount(amount, "amount"),
            "vendor": contract.vendor.name[:200],
            "reference": reference,
            "description": (description or f"{contract.reference} {contract.title}")[:300],
        },
    )
    invoice = ContractInvoice.objects.create(contract=contract, cost=cost, is_final=is_final)
    audit_record(
        actor=actor,
        action="create",
        obj=invoice,
        changes={"contract": [None, contract.reference], "is_final": [None, is_final]},
        project_id=project.pk,
    )
    return invoice


@transaction.atomic
def contract_close(
    *,
    actor: User,
    project_id: int,
    contract_id: int,
    version: int | None,
    obligations_met: bool | None,
    closure_date: dt.date | None,
    notes: str = "",
    document_ids: Sequence[int] = (),
) -> Contract:
    """Close a contract: its final invoice recorded, whether obligations were met, the date,
    and the closure documents (documents of the project)."""
    project = _editable(actor, project_id, "manage contracts")
    contract = _contract(project, contract_id)
    if contract.status == ContractStatus.CLOSED:
        raise Conflict(CONTRACT_CLOSED.format(ref=contract.reference))
    if not contract.invoices.filter(is_final=True).exists():
        raise Conflict(CONTRACT_FINAL_MISSING.format(ref=contract.reference))
    if obligations_met is None:
        raise ValidationFailed(OBLIGATIONS_NEEDED, extra={"errors": {"obligations_met": ["?"]}})
    if closure_date is None:
        raise ValidationFailed(CLOSURE_DATE_NEEDED, extra={"errors": {"closure_date": ["?"]}})
    ids = sorted(set(document_ids))
    documents = list(Document.objects.filter(project=project, pk__in=ids))
    if len(documents) != len(ids):
        raise ValidationFailed(
            DOCUMENTS_ELSEWHERE.format(
                ids=", ".join(str(i) for i in sorted(set(ids) - {d.pk for d in documents}))
            )
        )
    contract = versioned_update(
        contract,
        actor=actor,
        data={
            "status": ContractStatus.CLOSED,
            "obligations_met": obligations_met,
            "closure_date": closure_date,
            "closure_notes": notes.strip(),
            "closed_by": actor,
        },
        expected_version=version,
        project_id=project.pk,
        thing=f"Contract {contract.reference}",
    )
    contract.closure_documents.set(documents)
    return contract


@transaction.atomic
def vendor_assess(
    *, actor: User, project_id: int, contract_id: int, data: Mapping[str, Any]
) -> VendorAssessment:
    """The vendor's scorecard on a closed contract; it joins the vendor's history."""
    project = _editable(actor, project_id, "assess vendors")
    only_fields(data, {*SCORES, "comments"})
    contract = _contract(project, contract_id)
    if contract.status != ContractStatus.CLOSED:
        raise Conflict(ASSESS_OPEN_CONTRACT.format(ref=contract.reference))
    if VendorAssessment.objects.filter(contract=contract).exists():
        raise Conflict(ASSESSED_TWICE.format(ref=contract.reference))
    assessment = VendorAssessment(
        contract=contract, vendor=contract.vendor, assessed_by=actor, **data
    )
    return _created(assessment, actor=actor, fields=data.keys(), project_id=project.pk)


# --- release of resources and budget ------------------------------------------------------------


@transaction.atomic
def resources_release(*, actor: User, project_id: int) -> ResourceRelease:
    """End the project's future assignments (their capacity shows free in the forecast at once),
    return the unspent budget to the portfolio's ledger, and keep the release report."""
    from pmo.execution.selectors import budget_vs_actual

    project = _editable(actor, project_id, "release resources")
    _in_closing(project, "releasing resources")
    done = ResourceRelease.objects.filter(project=project).first()
    if done is not None:
        raise Conflict(ALREADY_RELEASED.format(code=project.code, day=done.released_on))
    today = timezone.localdate()
    open_work = (
        Assignment.objects.select_related("task", "resource")
        .filter(task__project=project, task__percent_complete__lt=100)
        .order_by("task__wbs", "resource__name", "pk")
    )
    ended = []
    hours = Decimal(0)
    for assignment in list(open_work):
        task: Task = assignment.task
        remaining = (
            Decimal(assignment.work_hours) * (100 - task.percent_complete) / Decimal(100)
        ).quantize(Decimal("0.01"))
        ended.append(
            {
                "resource": assignment.resource.name,
                "resource_id": assignment.resource_id,
                "task": f"{task.wbs} {task.name}",
                "units": str(assignment.units),
                "work_hours": str(remaining),
                "finish": task.early_finish.isoformat() if task.early_finish else None,
            }
        )
        hours += remaining
        resources.assignment_delete(actor=actor, project_id=project.pk, assignment_id=assignment.pk)
    money = budget_vs_actual(actor=actor, project=project)
    unspent = max(money.budget_total - money.actual_total, Decimal(0))
    release = ResourceRelease.objects.create(
        project=project,
        released_by=actor,
        released_on=today,
        assignments=ended,
        hours_released=hours,
        budget_total=money.budget_total,
        actual_total=money.actual_total,
        budget_returned=unspent,
    )
    if unspent > 0:
        entry = BudgetReturn.objects.create(
            portfolio=project.portfolio,
            project=project,
            date=today,
            amount=unspent,
            note=f"Unspent budget of {project.code} returned at closing.",
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=entry,
            changes={"amount": [None, str(unspent)]},
            project_id=project.pk,
        )
    audit_record(
        actor=actor,
        action="create",
        obj=release,
        changes={
            "assignments_ended": [None, len(ended)],
            "hours_released": [None, str(hours)],
            "budget_returned": [None, str(unspent)],
        },
        project_id=project.pk,
    )
    return release


# --- post-implementation review and benefits ----------------------------------------------------


def _pir(project: Project) -> PostImplementationReview:
    pir, _ = PostImplementationReview.objects.select_for_update().get_or_create(project=project)
    return pir


@transaction.atomic
def pir_refresh(*, actor: User, project_id: int) -> PostImplementationReview:
    """Fill the PIR's facts in from the project's data (dates, cost, scope, deliverables,
    benefits) and its objectives from the approved charter, keeping what was already judged."""
    from .selectors import pir_facts

    project = _editable(actor, project_id, "write the post-implementation review")
    pir = _pir(project)
    if pir.state == ReviewState.FINAL:
        raise Conflict(PIR_FINAL)
    facts = pir_facts(actor=actor, project=project)
    judged = {o.get("objective"): o for o in pir.objectives}
    objectives = [
        {
            **o,
            "achieved": judged.get(o["objective"], {}).get("achieved", ""),
            "met": judged.get(o["objective"], {}).get("met"),
        }
        for o in facts.pop("objectives")
    ]
    return versioned_update(
        pir,
        actor=actor,
        data={"facts": facts, "objectives": objectives},
        expected_version=None,
        project_id=project.pk,
        thing="The post-implementation review",
    )


@transaction.atomic
def pir_update(
    *, actor: User, project_id: int, version: int | None, data: Mapping[str, Any]
) -> PostImplementationReview:
    project = _editable(actor, project_id, "write the post-implementation review")
    only_fields(data, PIR_FIELDS)
    pir = _pir(project)
    if pir.state == ReviewState.FINAL:
        raise Conflict(PIR_FINAL)
    values = dict(data)
    if "objectives" in values:
        given = values["objectives"]
        if not isinstance(given, list) or len(given) != len(pir.objectives):
            raise ValidationFailed(PIR_OBJECTIVES.format(n=len(pir.objectives)))
        merged = []
        for current, entry in zip(pir.objectives, given, strict=True):
            if not isinstance(entry, Mapping) or set(entry) - {"achieved", "met"}:
                raise ValidationFailed(PIR_OBJECTIVES.format(n=len(pir.objectives)))
            met = entry.get("met")
            if met not in (True, False, None):
                raise ValidationFailed(PIR_OBJECTIVES.format(n=len(pir.objectives)))
            merged.append({**current, "achieved": str(entry.get("achieved", ""))[:300], "met": met})
        values["objectives"] = merged
    return versioned_update(
        pir,
        actor=actor,
        data=values,
        expected_version=version,
        project_id=project.pk,
        thing="The post-implementation review",
    )


@transaction.atomic
def pir_lesson_add(
    *,
    actor: User,
    project_id: int,
    category: str,
    what_happened: str,
    impact: str,
    recommendation: str,
    tags: Sequence[str] = (),
) -> Any:
    """A lesson from the review, straight into the PMO's lessons learned repository."""
    project = _editable(actor, project_id, "record lessons")
    from pmo.support.services import lesson_record

    lesson = lesson_record(
        actor=actor,
        project_id=project.pk,
        category=category,
        what_happened=what_happened,
        impact=impact,
        recommendation=recommendation,
        tags=list(tags),
        source="closing",
    )
    pir = _pir(project)
    PostImplementationReview.objects.filter(pk=pir.pk).update(lessons_sent=pir.lessons_sent + 1)
    return lesson


@transaction.atomic
def pir_finalise(*, actor: User, project_id: int, version: int | None) -> PostImplementationReview:
    project = _editable(actor, project_id, "finalise the post-implementation review")
    pir = _pir(project)
    if pir.state == ReviewState.FINAL:
        raise Conflict(PIR_FINAL)
    if not pir.facts:
        raise Conflict("Fill the review in from the project's data first (refresh).")
    return versioned_update(
        pir,
        actor=actor,
        data={"state": ReviewState.FINAL, "finalised_by": actor, "finalised_at": timezone.now()},
        expected_version=version,
        project_id=project.pk,
        thing="The post-implementation review",
    )


def _benefit_keeper(actor: User, project_id: int) -> Project:
    """Benefits are tracked after closure too: the PMO, the PM and the sponsor record them."""
    project = access_project(actor, project_id, for_update=True, closed_ok=True)
    perms = require_internal(actor, project)
    require(
        perms.relation in ("pmo", "manager", "sponsor"),
        action="record benefits",
        project=project,
        closed_ok=True,
    )
    return project


@transaction.atomic
def benefit_create(*, actor: User, project_id: int, data: Mapping[str, Any]) -> Benefit:
    project = _editable(actor, project_id, "plan benefits")
    only_fields(data, BENEFIT_FIELDS)
    values = dict(data)
    if "planned_value" in values:
        values["planned_value"] = _amount(values["planned_value"], "planned_value")
    name = str(values.get("name", "")).strip()
    if Benefit.objects.filter(project=project, name=name).exists():
        raise ValidationFailed(
            NAME_TAKEN.format(what="benefit", name=name, where="on this project")
        )
    if (
        values.get("owner_id")
        and not User.objects.filter(pk=values["owner_id"], is_active=True).exists()
    ):
        raise ValidationFailed(f"No active user with id {values['owner_id']}.")
    return _created(
        Benefit(project=project, **{**values, "name": name}),
        actor=actor,
        fields=data.keys(),
        project_id=project.pk,
    )


@transaction.atomic
def benefit_measure(
    *, actor: User, project_id: int, benefit_id: int, date: dt.date, value: Any, note: str = ""
) -> BenefitMeasurement:
    """What a benefit realised by `date`; open and closed projects alike."""
    project = _benefit_keeper(actor, project_id)
    benefit = project_row(Benefit, project=project, pk=benefit_id, missing=BENEFIT_NOT_FOUND)
    if date > timezone.localdate():
        raise ValidationFailed(f"The date ({date}) is in the future; record what was realised.")
    measurement = BenefitMeasurement(
        benefit=benefit,
        date=date,
        value=_amount(value, "value"),
        note=note.strip()[:300],
        recorded_by=actor,
    )
    return _created(
        measurement, actor=actor, fields=["date", "value", "note"], project_id=project.pk
    )


# --- closing, reopening, archive ----------------------------------------------------------------


def closing_checks(project: Project) -> list[tuple[str, str, bool, str]]:
    """The closing gate's criteria on this project: (key, label, met, detail); criteria whose
    context is not installed are left out."""
    checks = []
    for key in CLOSING_GATE:
        try:
            rule = criterion(key)
        except LookupError:
            continue
        outcome = rule.evaluate(project)
        checks.append((key, rule.label, outcome.met, outcome.detail))
    return checks


@transaction.atomic
def project_close(*, actor: User, project_id: int) -> Project:
    """Close the project: the closing gate's criteria hold and the resources were released; the
    project becomes read-only and its archive bundle is built."""
    project = _editable(actor, project_id, "close the project")
    _in_closing(project, "closing")
    missing = [f"{label}: {detail}" for _, label, met, detail in closing_checks(project) if not met]
    if not ResourceRelease.objects.filter(project=project).exists():
        missing.append(NOT_RELEASED)
    if missing:
        raise Conflict(CLOSING_CRITERIA.format(missing=" ".join(missing)))
    project = projects.project_stage_advance(
        actor=actor, project_id=project.pk, to_stage=Stage.CLOSED
    )
    archive_build(actor=actor, project_id=project.pk)
    notify(
        users=[project.sponsor, *User.objects.filter(org_role=OrgRole.PMO_ADMIN, is_active=True)],
        subject=f"[{project.code}] Project closed",
        body=f"{project.name} was closed by {actor.get_full_name() or actor.username}; "
        "its archive bundle is ready.",
        link=f"/projects/{project.pk}/closing/",
    )
    return project


@transaction.atomic
def project_reopen(*, actor: User, project_id: int, reason: str) -> Project:
    """A PMO admin takes a closed project back to closing, with the reason (audited)."""
    project = access_project(actor, project_id, for_update=True, closed_ok=True)
    require_internal(actor, project)
    if not (is_pmo(actor) and actor.org_role == OrgRole.PMO_ADMIN) and not actor.is_superuser:
        raise Forbidden(REOPEN_ADMIN_ONLY)
    if project.stage != Stage.CLOSED:
        raise Conflict(REOPEN_NOT_CLOSED.format(code=project.code))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(REOPEN_REASON, extra={"errors": {"reason": ["Required."]}})
    Reopening.objects.create(project=project, reopened_by=actor, reason=reason)
    project = versioned_update(
        project,
        actor=actor,
        data={"stage": Stage.CLOSING},
        expected_version=None,
        project_id=project.pk,
        thing=f"Project {project.code}",
    )
    audit_record(
        actor=actor,
        action="transition",
        obj=project,
        changes={"stage": [Stage.CLOSED.value, Stage.CLOSING.value]},
        project_id=project.pk,
        note=f"Reopened: {reason}",
    )
    notify(
        users=[project.manager, project.sponsor],
        subject=f"[{project.code}] Project reopened",
        body=f"{actor.get_full_name() or actor.username} reopened {project.name}: {reason}",
        link=f"/projects/{project.pk}/closing/",
    )
    return project


def retention_years() -> int:
    return int(settings.PMO_ARCHIVE_RETENTION_YEARS)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def archive_build(*, actor: User, project_id: int) -> ProjectArchive:
    """Build the archive bundle of a closed project (zip: JSON of every record, CSV tables, the
    documents, the final report PDF) and keep it for the retention period."""
    from .archive import bundle

    project = access_project(actor, project_id, for_update=True, closed_ok=True)
    perms = require_internal(actor, project)
    if perms.relation not in ("pmo", "manager", "sponsor"):
        raise Forbidden(MAY_NOT_ARCHIVE.format(code=project.code))
    if project.stage != Stage.CLOSED:
        raise Conflict(ARCHIVE_OPEN.format(code=project.code))
    data, records = bundle(project, actor=actor)
    today = timezone.localdate()
    archive = ProjectArchive(
        project=project,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        records=records,
        retain_until=_years_later(project.actual_finish or today, retention_years()),
        built_by=actor,
    )
    archive.file.save(f"{project.code}-archive-{today:%Y%m%d}.zip", ContentFile(data), save=False)
    try:  # if the row cannot be written, the stored file must not linger
        archive.save()
    except Exception:
        archive.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="create",
        obj=archive,
        changes={"sha256": [None, archive.sha256], "records": [None, records]},
        project_id=project.pk,
    )
    return archive


def archives_purge(*, today: dt.date | None = None) -> int:
    """Delete the archive bundles past their retention date (the daily job); returns how many."""
    today = today or timezone.localdate()
    expired = list(ProjectArchive.objects.filter(retain_until__lt=today))
    for archive in expired:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="delete",
                obj=archive,
                project_id=archive.project_id,
                note="Retention period over.",
            )
            name = archive.file.name
            archive.delete()
            transaction.on_commit(lambda name=name: _delete_file(name))
    return len(expired)


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(name)
