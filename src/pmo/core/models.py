"""Base models every context shares, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """An editable record: `version` grows by one on every write, so stale writes are detected."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which: one row per write."""

    class Action(models.TextChoices):
        CREATE = "create", "created"
        UPDATE = "update", "updated"
        DELETE = "delete", "deleted"
        TRANSITION = "transition", "changed state"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    # A plain id rather than a foreign key: the audit outlives what it describes.
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_repr}"


class NotificationKind(models.TextChoices):
    """What a notification is about; each person chooses how each kind reaches them."""

    GENERAL = "general", "Approvals and decisions"
    TASK_CHANGED = "task_changed", "My tasks moved or changed"
    CHANGE_REQUEST = "change_request", "Change requests"
    ISSUE = "issue", "Issues and escalations"
    OVERDUE = "overdue", "Overdue risks and issues I own"
    STATUS_REPORT = "status_report", "Status reports due and reviewed"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Inbox and email at once"
    DIGEST = "digest", "Inbox and the daily digest email"
    IN_APP = "in_app", "Inbox only"
    OFF = "off", "Off"


class EmailState(models.TextChoices):
    NONE = "", "not emailed"
    PENDING = "pending", "email queued"
    DIGEST = "digest", "waiting for the daily digest"
    SENT = "sent", "emailed"
    FAILED = "failed", "email failed"


class Notification(models.Model):
    """One message in one person's inbox, and how far its email got."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=20, choices=NotificationKind.choices, default=NotificationKind.GENERAL
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE, blank=True
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class NotificationPreference(models.Model):
    """How one kind of notification reaches one person; without a row, email at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} by {self.delivery}"
