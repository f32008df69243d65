"""Portfolios, and how work enters them: goals, intake requests with their estimates, scoring
models and assessments, and selection scenarios.

Periods of a request's estimates are years counted from its start: period 0 is its first year.
A scenario's periods are calendar years from its `first_year`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pmo.core.models import TimeStampedModel, VersionedModel

MAX_PERIODS = 20


class Portfolio(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_portfolios",
    )
    discount_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent a year, for the net present value of requests' benefits and costs.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationGoal(VersionedModel):
    """A goal of the organisation that requests align to; the PMO maintains the list."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_ASSESSMENT = "in_assessment", "In assessment"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    CONVERTED = "converted", "Converted into a project"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class IntakeRequest(VersionedModel):
    """A proposal for a project, from its draft to its decision and conversion."""

    number = models.PositiveIntegerField(unique=True, help_text="REQ-1, REQ-2 …")
    title = models.CharField(max_length=200)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_requests"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_requests",
    )
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    state = models.CharField(
        max_length=16, choices=RequestState.choices, default=RequestState.DRAFT
    )
    problem = models.TextField("problem or opportunity", blank=True)
    objectives = models.TextField(blank=True, help_text="One objective a line.")
    goals = models.ManyToManyField(OrganisationGoal, blank=True, related_name="requests")
    target_start = models.DateField(null=True, blank=True)
    target_finish = models.DateField(null=True, blank=True)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    mandatory = models.BooleanField(
        "mandatory or regulatory", default=False, help_text="Must be selected in every scenario."
    )
    approval_probability = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent: how likely the request is to be approved.",
    )
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        help_text="Requests this one cannot go ahead without.",
    )
    excludes = models.ManyToManyField(
        "self",
        symmetrical=True,
        blank=True,
        help_text="Alternatives: at most one of them is selected.",
    )
    requires_projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="required_by_requests"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    project = models.OneToOneField(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_request",
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_finish__isnull=True)
                | Q(target_start__isnull=True)
                | Q(target_finish__gte=models.F("target_start")),
                name="request_finish_after_start",
                violation_error_message="The target finish cannot be before the target start.",
            ),
        ]

    def __str__(self) -> str:
        return f"REQ-{self.number} {self.title}"

    @property
    def code(self) -> str:
        return f"REQ-{self.number}"


class EstimateKind(models.TextChoices):
    COST = "cost", "Cost"
    BENEFIT = "benefit", "Benefit"


class RequestEstimate(models.Model):
    """Money a request costs or brings in one period (year) from its start."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="estimates")
    kind = models.CharField(max_length=8, choices=EstimateKind.choices)
    period = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_PERIODS - 1)])
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["request", "kind", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "period"], name="request_estimate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.code} {self.kind} year {self.period + 1}: {self.amount}"


class RequestDemand(models.Model):
    """Hours of a job role a request needs in one period (year) from its start."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="demands")
    role = models.ForeignKey("resources.JobRole", on_delete=models.PROTECT, related_name="+")
    period = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_PERIODS - 1)])
    hours = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["request", "role__name", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "role", "period"], name="request_demand_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.code} {self.role} year {self.period + 1}: {self.hours} h"


def attachment_upload_to(instance: RequestAttachment, filename: str) -> str:
    return f"intake/{instance.request_id}/{filename}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


# --- scoring ------------------------------------------------------------------------------------


class ScoringModel(VersionedModel):
    """Criteria with weights and level descriptions that assessors score requests on."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(0)], default=Decimal(1)
    )
    scale_max = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text="Scores run from 1 to this.",
    )
    levels = models.JSONField(
        default=list, blank=True, help_text="What each score means, from 1 upwards."
    )

    class Meta:
        ordering = ["model", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="criterion_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(VersionedModel):
    """One assessor's scores of one request on one model: `{criterion id: score}`."""

    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="assessments")
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    scores = models.JSONField(default=dict)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "model", "assessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "model", "assessor"], name="assessment_unique_assessor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.code} by {self.assessor}"


# --- scenarios ----------------------------------------------------------------------------------


class ValueBasis(models.TextChoices):
    SCORE = "score", "Score"
    NPV = "npv", "Net present value"


class ScenarioState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class Scenario(VersionedModel):
    """Constraints for selecting requests of a portfolio, and the last run's results."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    first_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )
    periods = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIODS)]
    )
    value_basis = models.CharField(
        max_length=8, choices=ValueBasis.choices, default=ValueBasis.SCORE
    )
    scoring_model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    budget = models.JSONField(default=list, help_text="Money available per year.")
    capacity = models.JSONField(
        default=dict,
        blank=True,
        help_text="Hours per job role per year; empty: from the resource pool.",
    )
    state = models.CharField(
        max_length=12, choices=ScenarioState.choices, default=ScenarioState.DRAFT
    )
    result = models.JSONField(default=dict, blank=True)
    run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["portfolio", "name"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "name"], name="scenario_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioCandidate(TimeStampedModel):
    """A request in a scenario; it may start in any year of its window (default: the first)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="candidates")
    request = models.ForeignKey(IntakeRequest, on_delete=models.CASCADE, related_name="+")
    earliest_start = models.PositiveSmallIntegerField(default=0)
    latest_start = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scenario", "request__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "request"], name="scenario_candidate_unique"
            ),
            models.CheckConstraint(
                condition=Q(latest_start__gte=models.F("earliest_start")),
                name="scenario_candidate_window",
                violation_error_message="The latest start cannot be before the earliest start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.code} in {self.scenario}"


# --- programs -----------------------------------------------------------------------------------


class Program(VersionedModel):
    """Related projects managed together; its page rolls up their schedule, cost, risk and
    health. A project belongs to at most one program."""

    name = models.CharField(max_length=150, unique=True)
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="programs"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_programs",
    )
    description = models.TextField(blank=True)
    objectives = models.TextField(blank=True, help_text="One objective a line.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def objective_lines(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]


class ProgramProject(TimeStampedModel):
    """A project in a program (one program at most per project)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="links")
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="program_link"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["program", "project__code"]

    def __str__(self) -> str:
        return f"{self.project_id} in {self.program}"


# --- executive packs ----------------------------------------------------------------------------


class PackState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Generating"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


PACK_STALLED_AFTER = dt.timedelta(hours=1)


def pack_upload_to(instance: ReportPack, filename: str) -> str:
    return f"report-packs/{instance.pk}/{filename}"


class ReportPack(TimeStampedModel):
    """An executive pack (PDF) generated in the background for the person who asked, over the
    projects they see, and kept for download."""

    title = models.CharField(max_length=200)
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_packs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_packs"
    )
    state = models.CharField(max_length=8, choices=PackState.choices, default=PackState.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)], help_text="Percent done."
    )
    step = models.CharField(max_length=120, blank=True, help_text="What the generator is doing.")
    file = models.FileField(upload_to=pack_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    project_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def filename(self) -> str:
        return f"executive-pack-{self.pk}.pdf"

    @property
    def is_busy(self) -> bool:
        """Queued or being generated, by a worker that reported within the last hour."""
        from django.utils import timezone

        recent = self.updated_at >= timezone.now() - PACK_STALLED_AFTER
        return self.state in (PackState.QUEUED, PackState.RUNNING) and recent
