"""Reads on projects, shaped for screens and endpoints; each owns its joins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from pmo.core.errors import Forbidden, NotFound
from pmo.core.models import AuditEntry

from .models import (
    CHARTER_CONTENT_FIELDS,
    CharterState,
    CharterVersion,
    Document,
    DocumentFile,
    Health,
    Membership,
    Project,
    Stage,
    Stakeholder,
)
from .policies import is_pmo, permissions_or_404, require_internal, visible_projects
from .services import CHARTER_VERSION_NOT_FOUND, DOCUMENT_NOT_FOUND, STAKEHOLDER_NOT_FOUND


def project_list(
    *,
    actor: Any,
    search: str = "",
    stage: str = "",
    status: str = "",
    health: str = "",
    portfolio_id: int | None = None,
    project_type: str = "",
) -> QuerySet[Project]:
    qs = visible_projects(actor).select_related("portfolio", "sponsor", "manager")
    if search:
        qs = qs.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(description__icontains=search)
        )
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if health:
        qs = qs.filter(health=health)
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    if project_type:
        qs = qs.filter(project_type=project_type)
    return qs.order_by("code")


def project_stage_counts(*, actor: Any) -> dict[str, int]:
    rows = visible_projects(actor).values("stage").annotate(n=Count("pk"))
    return {row["stage"]: row["n"] for row in rows}


def member_list(*, actor: Any, project: Project) -> QuerySet[Membership]:
    require_internal(actor, project)
    return (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def charter_versions(*, actor: Any, project: Project) -> QuerySet[CharterVersion]:
    require_internal(actor, project)
    return CharterVersion.objects.filter(project=project).select_related(
        "submitted_by", "decided_by"
    )


def charter_get(*, actor: Any, project: Project, number: int | None = None) -> CharterVersion:
    """The given version, or the current (newest) one."""
    qs = charter_versions(actor=actor, project=project)
    charter = qs.filter(number=number).first() if number is not None else qs.first()
    if charter is None:
        raise NotFound(CHARTER_VERSION_NOT_FOUND.format(number=number))
    return charter


def charter_approved(*, project: Project) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(project=project, state="approved").order_by("-number").first()
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


def charter_compare(a: CharterVersion, b: CharterVersion) -> list[FieldChange]:
    """The content fields that differ between two charter versions, in reading order."""
    changes = []
    for name in CHARTER_CONTENT_FIELDS:
        old, new = getattr(a, name), getattr(b, name)
        if old != new:
            label = str(CharterVersion._meta.get_field(name).verbose_name).capitalize()
            changes.append(FieldChange(field=name, label=label, old=old, new=new))
    return changes


def charter_compare_versions(
    *, actor: Any, project: Project, a: int, b: int
) -> tuple[CharterVersion, CharterVersion, list[FieldChange]]:
    """Versions `a` and `b` of the charter and the content fields that differ between them."""
    versions = {
        c.number: c
        for c in charter_versions(actor=actor, project=project).filter(number__in=[a, b])
    }
    for number in (a, b):
        if number not in versions:
            raise NotFound(CHARTER_VERSION_NOT_FOUND.format(number=number))
    return versions[a], versions[b], charter_compare(versions[a], versions[b])


def stakeholder_list(*, actor: Any, project: Project) -> QuerySet[Stakeholder]:
    require_internal(actor, project)
    return Stakeholder.objects.filter(project=project).order_by("-influence", "-interest", "name")


def stakeholder_get(*, actor: Any, project: Project, stakeholder_id: int) -> Stakeholder:
    stakeholder = stakeholder_list(actor=actor, project=project).filter(pk=stakeholder_id).first()
    if stakeholder is None:
        raise NotFound(STAKEHOLDER_NOT_FOUND.format(id=stakeholder_id))
    return stakeholder


def document_list(*, actor: Any, project: Project) -> QuerySet[Document]:
    """Documents with their versions, newest first; external clients see only shared ones."""
    perms = permissions_or_404(actor, project)
    qs = Document.objects.filter(project=project)
    if not perms.view_internal:
        qs = qs.filter(shared_with_client=True)
    files = DocumentFile.objects.select_related("uploaded_by").order_by("-number")
    return qs.prefetch_related(Prefetch("files", queryset=files)).order_by("title")


def document_file_get(
    *, actor: Any, project: Project, document_id: int, number: int | None = None
) -> DocumentFile:
    document = document_list(actor=actor, project=project).filter(pk=document_id).first()
    if document is None:
        raise NotFound(DOCUMENT_NOT_FOUND.format(id=document_id))
    files = list(document.files.all())
    chosen = (
        files[0]
        if number is None and files
        else next((f for f in files if f.number == number), None)
    )
    if chosen is None:
        raise NotFound(DOCUMENT_NOT_FOUND.format(id=document_id))
    return chosen


def audit_for_project(*, actor: Any, project: Project) -> QuerySet[AuditEntry]:
    require_internal(actor, project)
    return AuditEntry.objects.filter(project_id=project.pk).select_related("actor")


PMO_ONLY = "The PMO desk is for PMO admins and analysts."
RECENT_ACTIVITY = 15


def my_work(*, actor: Any) -> dict[str, Any]:
    """My projects, the charters awaiting my decision, and what I did last."""
    mine = Q(manager=actor) | Q(memberships__user=actor)
    return {
        "projects": visible_projects(actor)
        .filter(mine)
        .distinct()
        .select_related("portfolio", "manager", "sponsor"),
        "awaiting": CharterVersion.objects.filter(
            state=CharterState.SUBMITTED, project__sponsor=actor
        ).select_related("project", "submitted_by"),
        "activity": AuditEntry.objects.filter(actor=actor)[:RECENT_ACTIVITY],
    }


def pmo_desk(*, actor: Any) -> dict[str, Any]:
    """The PMO's queue: charters awaiting a decision, projects without one, load per manager."""
    if not is_pmo(actor):
        raise Forbidden(PMO_ONLY)
    from pmo.changes.selectors import escalation_queue

    return {
        "escalations": escalation_queue(actor=actor),
        "awaiting": CharterVersion.objects.filter(state=CharterState.SUBMITTED)
        .select_related("project", "project__sponsor", "submitted_by")
        .order_by("submitted_at"),
        "unchartered": Project.objects.filter(stage=Stage.INITIATION)
        .exclude(charters__state=CharterState.APPROVED)
        .select_related("manager", "sponsor")
        .order_by("created_at"),
        "by_manager": Project.objects.exclude(stage=Stage.CLOSED)
        .values("manager__id", "manager__first_name", "manager__last_name", "manager__username")
        .annotate(
            total=Count("pk"),
            red=Count("pk", filter=Q(health=Health.RED)),
            amber=Count("pk", filter=Q(health=Health.AMBER)),
        )
        .order_by("-total", "manager__last_name"),
    }
