"""Change control and the issue log of a project.

A change request proposes edits to the plan; the engine previews their effect (what moves, the
new finish) before anyone decides; who may decide depends on the project's thresholds. An issue
is a problem happening now, with an owner and a due date, that the PM may escalate to the PMO.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from pmo.core.models import TimeStampedModel, VersionedModel


class ChangeThresholds(VersionedModel):
    """How big a change the PM may approve alone on one project; above, the sponsor or PMO."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="change_thresholds"
    )
    max_days = models.PositiveIntegerField(
        help_text="Working days a change may add to the finish with the PM's approval alone."
    )
    max_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Cost a change may add with the PM's approval alone.",
    )

    class Meta:
        verbose_name_plural = "change thresholds"

    def __str__(self) -> str:
        return f"{self.project}: {self.max_days} days, {self.max_cost}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Pending decision"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChangeRequest(VersionedModel):
    """A proposed change to a project, its impacts, the engine's preview and the decision."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="change_requests"
    )
    number = models.PositiveIntegerField(help_text="CR-1, CR-2 … within the project.")
    title = models.CharField(max_length=200)
    description = models.TextField()
    reason = models.TextField(blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    impact_scope = models.TextField("impact on scope", blank=True)
    impact_cost = models.DecimalField(
        "added cost",
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text="Cost the change adds (negative if it saves).",
    )
    impact_quality = models.TextField("impact on quality", blank=True)
    impact_risk = models.TextField("impact on risk", blank=True)
    edits = models.JSONField(default=list, blank=True, help_text="The proposed schedule edits.")
    capture_baseline = models.BooleanField(
        default=False, help_text="Capture a new baseline when the change is applied."
    )
    # The engine's preview: computed from the plan as it stood at `preview_fingerprint`.
    preview = models.JSONField(default=dict, blank=True)
    preview_fingerprint = models.CharField(max_length=64, blank=True)
    added_days = models.IntegerField(default=0, help_text="Working days added to the finish.")
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    baseline = models.ForeignKey(
        "planning.Baseline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="change_request_unique"),
        ]

    def __str__(self) -> str:
        return f"CR-{self.number} {self.title}"


class IssuePriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Escalation(models.TextChoices):
    NONE = "", "Not escalated"
    ESCALATED = "escalated", "Escalated to the PMO"
    ANSWERED = "answered", "Answered by the PMO"


class Issue(VersionedModel):
    """A problem the project has now: who owns it, by when, and how it was resolved."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="issues")
    number = models.PositiveIntegerField(help_text="I-1, I-2 … within the project.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(
        max_length=10, choices=IssuePriority.choices, default=IssuePriority.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_issues",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    resolution = models.TextField(blank=True)
    tasks = models.ManyToManyField("planning.Task", blank=True, related_name="issues")
    risks = models.ManyToManyField("controls.Risk", blank=True, related_name="issues")
    escalation = models.CharField(
        max_length=10, choices=Escalation.choices, default=Escalation.NONE, blank=True
    )
    escalation_ask = models.TextField("the PM's ask", blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    pmo_response = models.TextField("the PMO's response", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="issue_unique_number"),
        ]

    def __str__(self) -> str:
        return f"I-{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)


class Reminder(TimeStampedModel):
    """The day the daily job reminded someone of an overdue item, so it reminds once a day."""

    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "day"], name="reminder_once_a_day"
            )
        ]
