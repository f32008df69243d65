"""Who may see and do what on a project.

Visibility: the PMO sees every project; anyone else sees the projects they sponsor, manage or are a
member of. A project someone may not see answers *not found*, exactly like a missing one; an
action on a visible project that someone may not take answers *forbidden*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden, NotFound

from .models import Membership, Project, ProjectRole, Stage

PROJECT_NOT_FOUND = "Project {id} not found."
MAY_NOT = "You may not {action} on project {code}."
MAY_NOT_CREATE = "Only the PMO and project managers may create projects."
PROJECT_CLOSED = "Project {code} is closed and read-only; a PMO admin may reopen it with a reason."

CREATOR_ROLES = {OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST, OrgRole.PROJECT_MANAGER}


def is_pmo(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_pmo)


def visible_projects(user: Any, qs: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """The projects `user` may see, as a queryset (no duplicates, one query)."""
    qs = Project.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if is_pmo(user):
        return qs
    member = Membership.objects.filter(project=OuterRef("pk"), user=user)
    return qs.filter(Q(sponsor=user) | Q(manager=user) | Exists(member))


class ProjectClosed(Forbidden):
    """A write on a closed project: it is read-only until a PMO admin reopens it."""


def check_open(project: Project) -> None:
    """Refuse any change to a closed project, whoever asks, with the reason and the way out."""
    if project.stage == Stage.CLOSED:
        raise ProjectClosed(PROJECT_CLOSED.format(code=project.code))


@dataclass(frozen=True)
class ProjectPermissions:
    """What one person may do on one project; computed once per request."""

    relation: str  # pmo, manager, sponsor, member, viewer, client
    view_internal: bool  # charter, stakeholders, members, audit, all documents
    edit: bool  # project facts, stage, members, charter drafts, stakeholders
    decide_charter: bool
    upload_documents: bool
    closed: bool = False  # a closed project is read-only for everyone


def _relation(user: Any, project: Project, membership_role: str | None) -> str | None:
    if is_pmo(user):
        return "pmo"
    if project.manager_id == user.pk or membership_role == ProjectRole.MANAGER:
        return "manager"
    if project.sponsor_id == user.pk:
        return "sponsor"
    if membership_role is None:
        return None
    return {
        ProjectRole.MEMBER: "member",
        ProjectRole.VIEWER: "viewer",
        ProjectRole.CLIENT: "client",
    }[ProjectRole(membership_role)]


def project_permissions(user: Any, project: Project) -> ProjectPermissions | None:
    """None when `user` may not see `project` at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    role = (
        Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    )
    relation = _relation(user, project, role)
    if relation is None:
        return None
    closed = project.stage == Stage.CLOSED
    edit = relation in ("pmo", "manager") and not closed
    return ProjectPermissions(
        relation=relation,
        view_internal=relation != "client",
        edit=edit,
        decide_charter=project.sponsor_id == user.pk and not closed,
        upload_documents=(edit or relation == "member") and not closed,
        closed=closed,
    )


def access_project(
    actor: Any, project_id: Any, *, for_update: bool = False, closed_ok: bool = False
) -> Project:
    """The project, if `actor` may see it; *not found* otherwise (missing or not visible).

    `for_update` (every write takes it) locks the row and refuses a closed project, unless the
    write is one of the few a closed project still takes (`closed_ok`: reopening, benefits).
    """
    try:
        pk = int(project_id)
    except (TypeError, ValueError):
        raise NotFound(PROJECT_NOT_FOUND.format(id=project_id)) from None
    qs = visible_projects(actor, Project.objects.select_related("sponsor", "manager", "portfolio"))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    project = qs.filter(pk=pk).first()
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND.format(id=project_id))
    if for_update and not closed_ok:
        check_open(project)
    return project


def require(allowed: bool, *, action: str, project: Project, closed_ok: bool = False) -> None:
    """Every write's permission check; on a closed project it refuses first, for everyone."""
    if not closed_ok:
        check_open(project)
    if not allowed:
        raise Forbidden(MAY_NOT.format(action=action, code=project.code))


def check_project_create(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or (
        actor.org_role not in CREATOR_ROLES and not actor.is_superuser
    ):
        raise Forbidden(MAY_NOT_CREATE)


def permissions_or_404(actor: Any, project: Project) -> ProjectPermissions:
    perms = project_permissions(actor, project)
    if perms is None:
        raise NotFound(PROJECT_NOT_FOUND.format(id=project.pk))
    return perms


def require_internal(actor: Any, project: Project) -> ProjectPermissions:
    """Parts of a project an external client does not see answer *not found* to them."""
    perms = permissions_or_404(actor, project)
    if not perms.view_internal:
        raise NotFound(PROJECT_NOT_FOUND.format(id=project.pk))
    return perms
