"""Reads on accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, OrgRole, User


def user_list(*, active_only: bool = True) -> QuerySet[User]:
    qs = User.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def sponsor_candidates() -> QuerySet[User]:
    return user_list().filter(org_role__in=[OrgRole.EXECUTIVE, OrgRole.PMO_ADMIN])


def manager_candidates() -> QuerySet[User]:
    return user_list().filter(
        org_role__in=[OrgRole.PROJECT_MANAGER, OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST]
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
