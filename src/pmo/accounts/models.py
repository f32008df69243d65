"""People who log in, what the organisation lets them do, and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class OrgRole(models.TextChoices):
    PMO_ADMIN = "pmo_admin", "PMO admin"
    PMO_ANALYST = "pmo_analyst", "PMO analyst"
    EXECUTIVE = "executive", "Executive / sponsor"
    PROJECT_MANAGER = "project_manager", "Project manager"
    TEAM_MEMBER = "team_member", "Team member"
    EXTERNAL_CLIENT = "external_client", "External client"


class User(AbstractUser):
    org_role = models.CharField(
        "organisation role", max_length=24, choices=OrgRole.choices, default=OrgRole.TEAM_MEMBER
    )
    job_title = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(
        max_length=120, blank=True, help_text="For external clients: their company."
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_pmo(self) -> bool:
        return self.org_role in (OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST) or self.is_superuser


class ApiToken(models.Model):
    """A personal token for the API. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed login, kept for throttling across every app server."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address} at {self.at:%Y-%m-%d %H:%M}"
