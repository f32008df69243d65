"""Writes on accounts: users, API tokens, login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pmo.core.audit import audit_record
from pmo.core.errors import NotFound, ValidationFailed

from .models import ApiToken, LoginFailure, OrgRole, User

TOKEN_PREFIX = "pmo_"
USERNAME_TAKEN = "The username '{username}' is already taken."
UNKNOWN_ROLE = "Unknown organisation role '{role}'; expected one of: {choices}."
TOKEN_NAME_REQUIRED = "Give the token a name, so that you can recognise it later."
TOO_MANY_FAILURES = (
    "Too many failed logins for this account or address. Try again in {minutes} minutes."
)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    org_role: str = OrgRole.TEAM_MEMBER,
    job_title: str = "",
    organisation: str = "",
    is_superuser: bool = False,
    actor: Any = None,
    check_password: bool = True,
) -> User:
    if org_role not in OrgRole.values:
        raise ValidationFailed(
            UNKNOWN_ROLE.format(role=org_role, choices=", ".join(OrgRole.values))
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(USERNAME_TAKEN.format(username=username))
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        org_role=org_role,
        job_title=job_title,
        organisation=organisation,
        is_superuser=is_superuser,
        is_staff=is_superuser or org_role == OrgRole.PMO_ADMIN,
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(" ".join(exc.messages)) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="create", obj=user, changes={"org_role": [None, org_role]})
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw token, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed(TOKEN_NAME_REQUIRED)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(raw)
    )
    audit_record(actor=user, action="create", obj=token, note="API token created")
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("No such active API token.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="update", obj=token, note="API token revoked")
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The user a raw token belongs to, or None for unknown or revoked tokens."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.PMO_LOGIN_WINDOW_SECONDS)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """True when this username or address has failed too often within the window."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.PMO_LOGIN_MAX_FAILURES
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    # An address gets more room: several people may share one behind a proxy.
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= 4 * limit


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address or None)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(Q(username__iexact=username) | Q(at__lt=_window_start())).delete()


def throttle_message() -> str:
    return TOO_MANY_FAILURES.format(minutes=max(1, settings.PMO_LOGIN_WINDOW_SECONDS // 60))
