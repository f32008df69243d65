"""A project, the people on it, its charter (in versions), stakeholders and documents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from pmo.core.models import TimeStampedModel, VersionedModel


class Stage(models.TextChoices):
    INITIATION = "initiation", "Initiation"
    PLANNING = "planning", "Planning"
    EXECUTION = "execution", "Execution"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"


STAGE_ORDER = [s.value for s in Stage]


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CANCELLED = "cancelled", "Cancelled"


class Health(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class ProjectType(models.TextChoices):
    """The kind of work: methodologies tailor their rules and the PMO sets cadences by it."""

    IT = "it", "IT and digital"
    INFRASTRUCTURE = "infrastructure", "Infrastructure and facilities"
    PROCESS = "process", "Process improvement"
    REGULATORY = "regulatory", "Regulatory and compliance"
    PRODUCT = "product", "Product development"
    OTHER = "other", "Other"


class ProjectSize(models.TextChoices):
    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Project(VersionedModel):
    code = models.CharField(
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$", "Use capital letters, digits and dashes, e.g. PRJ-042."
            )
        ],
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_projects",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INITIATION)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    health = models.CharField(max_length=8, choices=Health.choices, default=Health.GREEN)
    project_type = models.CharField(
        "type", max_length=16, choices=ProjectType.choices, default=ProjectType.OTHER
    )
    size = models.CharField(max_length=8, choices=ProjectSize.choices, default=ProjectSize.MEDIUM)
    risk_level = models.CharField(
        "risk", max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_finish = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_finish__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_finish__gte=models.F("planned_start")),
                name="project_planned_finish_after_start",
                violation_error_message="The planned finish cannot be before the planned start.",
            ),
            models.CheckConstraint(
                condition=Q(actual_finish__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_finish__gte=models.F("actual_start")),
                name="project_actual_finish_after_start",
                violation_error_message="The actual finish cannot be before the actual start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectRole(models.TextChoices):
    MANAGER = "manager", "Project manager"
    MEMBER = "member", "Team member"
    VIEWER = "viewer", "Viewer"
    CLIENT = "client", "External client"


class Membership(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=ProjectRole.choices, default=ProjectRole.MEMBER)

    class Meta:
        ordering = ["project", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} on {self.project.code}"


class CharterState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned with comments"
    SUPERSEDED = "superseded", "Superseded"


# The charter's content, in the order a reader meets it. List fields hold plain strings unless
# noted; objectives and milestones hold small dicts (see services.CHARTER_LIST_SHAPES).
CHARTER_TEXT_FIELDS = [
    "purpose",
    "problem",
    "desired_results",
    "benefits",
    "scope_in",
    "scope_out",
]
CHARTER_LIST_FIELDS = [
    "objectives",
    "deliverables",
    "success_criteria",
    "assumptions",
    "constraints",
    "obstacles",
    "milestones",
]
CHARTER_CONTENT_FIELDS = [*CHARTER_TEXT_FIELDS, *CHARTER_LIST_FIELDS, "budget_estimate"]


class CharterVersion(VersionedModel):
    """One version of a project's charter. The newest is the charter; approved ones are locked."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="charters")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=16, choices=CharterState.choices, default=CharterState.DRAFT
    )
    purpose = models.TextField(blank=True)
    problem = models.TextField("problem to solve", blank=True)
    desired_results = models.TextField(blank=True)
    benefits = models.TextField(blank=True)
    scope_in = models.TextField("in scope", blank=True)
    scope_out = models.TextField("out of scope", blank=True)
    objectives = models.JSONField(default=list, blank=True)  # [{objective, measure, target}]
    deliverables = models.JSONField(default=list, blank=True)
    success_criteria = models.JSONField(default=list, blank=True)
    assumptions = models.JSONField(default=list, blank=True)
    constraints = models.JSONField(default=list, blank=True)
    obstacles = models.JSONField("obstacles that may prevent completion", default=list, blank=True)
    milestones = models.JSONField(default=list, blank=True)  # [{name, date}]
    budget_estimate = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    change_summary = models.CharField(max_length=300, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="charter_unique_number")
        ]

    def __str__(self) -> str:
        return f"Charter of {self.project.code} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.state in (CharterState.DRAFT, CharterState.RETURNED)


class Engagement(models.TextChoices):
    UNAWARE = "unaware", "Unaware"
    RESISTANT = "resistant", "Resistant"
    NEUTRAL = "neutral", "Neutral"
    SUPPORTIVE = "supportive", "Supportive"
    LEADING = "leading", "Leading"


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Stakeholder(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=150)
    is_internal = models.BooleanField("internal", default=True)
    organisation = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    interest = models.PositiveSmallIntegerField(default=3, validators=SCORE_VALIDATORS)
    influence = models.PositiveSmallIntegerField(default=3, validators=SCORE_VALIDATORS)
    current_engagement = models.CharField(
        max_length=16, choices=Engagement.choices, default=Engagement.NEUTRAL
    )
    desired_engagement = models.CharField(
        max_length=16, choices=Engagement.choices, default=Engagement.SUPPORTIVE
    )
    communication_preference = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def grid_quadrant(self) -> str:
        """Power–interest grid: where this stakeholder sits and how to engage them."""
        high_power, high_interest = self.influence >= 3, self.interest >= 3
        if high_power and high_interest:
            return "Manage closely"
        if high_power:
            return "Keep satisfied"
        if high_interest:
            return "Keep informed"
        return "Monitor"


class Document(VersionedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    shared_with_client = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "title"]
        constraints = [
            models.UniqueConstraint(fields=["project", "title"], name="document_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


def document_upload_to(instance: DocumentFile, filename: str) -> str:
    return (
        f"projects/{instance.document.project_id}/documents/{instance.document_id}/"
        f"v{instance.number}/{filename}"
    )


class DocumentFile(models.Model):
    """One uploaded version of a document's file."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_file_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document.title} v{self.number}"
