"""Budget lines, risks, quality items and communications of a project.

Amounts are in the organisation's currency; a budget line belongs to one month (its first day).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pmo.core.models import VersionedModel

SCALE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
PERIOD_NOT_MONTH = "A budget period is a month: give its first day."
STRATEGY_NOT_FOR_KIND = "'{strategy}' is not a response to {kind}; use one of: {allowed}."


# --- budget -------------------------------------------------------------------------------------


class CostCategory(models.TextChoices):
    LABOUR = "labour", "Labour"
    MATERIALS = "materials", "Materials"
    CONTRACTS = "contracts", "Contracts"
    OTHER = "other", "Other"


class BudgetLine(VersionedModel):
    """Money planned for one cost category in one month."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    period = models.DateField(help_text="The first day of the month the money is planned for.")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["project", "period", "category", "pk"]
        indexes = [models.Index(fields=["project", "period"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.period:%Y-%m}: {self.amount}"

    def clean(self) -> None:
        if self.period and self.period.day != 1:
            raise ValidationError({"period": PERIOD_NOT_MONTH})


# --- risks --------------------------------------------------------------------------------------


class RiskKind(models.TextChoices):
    THREAT = "threat", "Threat"
    OPPORTUNITY = "opportunity", "Opportunity"


KIND_PLURAL = {RiskKind.THREAT: "threats", RiskKind.OPPORTUNITY: "opportunities"}


class RiskCategory(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    EXTERNAL = "external", "External"
    ORGANISATIONAL = "organisational", "Organisational"
    PROJECT_MANAGEMENT = "project_management", "Project management"
    COMMERCIAL = "commercial", "Commercial"


class ResponseStrategy(models.TextChoices):
    AVOID = "avoid", "Avoid"
    MITIGATE = "mitigate", "Mitigate"
    TRANSFER = "transfer", "Transfer"
    EXPLOIT = "exploit", "Exploit"
    ENHANCE = "enhance", "Enhance"
    SHARE = "share", "Share"
    ACCEPT = "accept", "Accept"
    ESCALATE = "escalate", "Escalate"


# Accepting and escalating answer both kinds; the others belong to one kind only.
STRATEGIES_FOR_KIND: dict[str, tuple[str, ...]] = {
    RiskKind.THREAT: ("avoid", "mitigate", "transfer", "accept", "escalate"),
    RiskKind.OPPORTUNITY: ("exploit", "enhance", "share", "accept", "escalate"),
}


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    OCCURRED = "occurred", "Occurred"
    CLOSED = "closed", "Closed"


class Risk(VersionedModel):
    """One entry of the risk register: a threat or an opportunity, its assessment and response."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="risks")
    number = models.PositiveIntegerField(help_text="R-1, R-2 … within the project.")
    kind = models.CharField(max_length=12, choices=RiskKind.choices, default=RiskKind.THREAT)
    title = models.CharField(max_length=200)
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    category = models.CharField(
        max_length=20, choices=RiskCategory.choices, default=RiskCategory.TECHNICAL
    )
    probability = models.PositiveSmallIntegerField(default=3, validators=SCALE_VALIDATORS)
    impact = models.PositiveSmallIntegerField(default=3, validators=SCALE_VALIDATORS)
    cost_impact = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Money lost (threat) or gained (opportunity) if it happens.",
    )
    schedule_impact_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Working days lost (threat) or gained (opportunity)."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    strategy = models.CharField(
        "response strategy", max_length=12, choices=ResponseStrategy.choices, blank=True
    )
    response_actions = models.TextField(blank=True)
    trigger = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    review_date = models.DateField(null=True, blank=True)
    tasks = models.ManyToManyField("planning.Task", blank=True, related_name="risks")

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="risk_unique_number"),
        ]

    def __str__(self) -> str:
        return f"R-{self.number} {self.title}"

    @property
    def score(self) -> int:
        return self.probability * self.impact

    def clean(self) -> None:
        allowed = STRATEGIES_FOR_KIND.get(self.kind, ())
        if self.strategy and allowed and self.strategy not in allowed:
            raise ValidationError(
                {
                    "strategy": STRATEGY_NOT_FOR_KIND.format(
                        strategy=self.strategy,
                        kind=KIND_PLURAL[self.kind],
                        allowed=", ".join(allowed),
                    )
                }
            )


# --- quality ------------------------------------------------------------------------------------


class ReviewMethod(models.TextChoices):
    INSPECTION = "inspection", "Inspection"
    PEER_REVIEW = "peer_review", "Peer review"
    TESTING = "testing", "Testing"
    DEMONSTRATION = "demonstration", "Demonstration"
    AUDIT = "audit", "Audit"
    WALKTHROUGH = "walkthrough", "Walkthrough"


class QualityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_REVIEW = "in_review", "In review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class QualityItem(VersionedModel):
    """A deliverable of the quality plan: what makes it acceptable and how that is checked."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="quality_items"
    )
    deliverable = models.CharField(max_length=200)
    acceptance_criteria = models.TextField()
    quality_standards = models.TextField(blank=True, help_text="Standards the deliverable meets.")
    review_method = models.CharField(
        max_length=16, choices=ReviewMethod.choices, default=ReviewMethod.INSPECTION
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=QualityStatus.choices, default=QualityStatus.PLANNED
    )

    class Meta:
        ordering = ["project", "deliverable", "pk"]

    def __str__(self) -> str:
        return self.deliverable


# --- communication ------------------------------------------------------------------------------


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    AT_MILESTONES = "milestones", "At milestones"
    AS_NEEDED = "as_needed", "As needed"


class Channel(models.TextChoices):
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email"
    REPORT = "report", "Report"
    DASHBOARD = "dashboard", "Dashboard"
    WORKSHOP = "workshop", "Workshop"
    NEWSLETTER = "newsletter", "Newsletter"
    OTHER = "other", "Other"


class CommunicationItem(VersionedModel):
    """A line of the communication plan: who hears what, how often, through which channel."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="communication_items"
    )
    information = models.CharField(max_length=200, help_text="What is communicated.")
    audience = models.ManyToManyField("projects.Stakeholder", blank=True, related_name="+")
    audience_description = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.EMAIL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "next_due", "pk"]

    def __str__(self) -> str:
        return self.information
