"""Who may read and write the support context.

The knowledge base and the lessons learned are the organisation's memory: every internal person
reads them (external clients do not; to them they answer *not found*). The PMO writes articles and
onboarding tracks; anyone inside a project records its lessons; a PMO admin hands a project to
another manager.
"""

from __future__ import annotations

from typing import Any

from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden, NotFound

SUPPORT_NOT_FOUND = "Not found."
ONLY_PMO = "Only the PMO may {action}."
ONLY_PMO_ADMIN = "Only a PMO admin may {action}."

LESSON_WRITERS_WITHOUT_PROJECT = {OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST, OrgRole.PROJECT_MANAGER}
LESSON_RELATIONS = {"pmo", "manager", "sponsor", "member"}


def is_internal(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(user.is_active)
        and user.org_role != OrgRole.EXTERNAL_CLIENT
    )


def is_pmo(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_pmo)


def is_pmo_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.org_role == OrgRole.PMO_ADMIN or user.is_superuser
    )


def require_reader(user: Any, missing: str = SUPPORT_NOT_FOUND) -> None:
    """External clients and anonymous callers see nothing here: *not found*."""
    if not is_internal(user):
        raise NotFound(missing)


def require_pmo(user: Any, action: str) -> None:
    require_reader(user)
    if not is_pmo(user):
        raise Forbidden(ONLY_PMO.format(action=action))


def require_pmo_admin(user: Any, action: str) -> None:
    require_reader(user)
    if not is_pmo_admin(user):
        raise Forbidden(ONLY_PMO_ADMIN.format(action=action))


def may_edit_lesson(user: Any, lesson: Any) -> bool:
    return is_pmo(user) or (lesson.recorded_by_id is not None and lesson.recorded_by_id == user.pk)
