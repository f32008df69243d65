"""What closing a project records: deliverables the client accepts and the immutable sign-offs,
the vendor register with contracts, invoices and assessments, the release of resources and
budget, the post-implementation review with its benefits, reopenings and the archive bundle.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pmo.core.models import TimeStampedModel, VersionedModel

SCORE = [MinValueValidator(1), MaxValueValidator(5)]
SIGN_OFF_IMMUTABLE = "A sign-off record is permanent: it cannot be changed or deleted."


class DeliverableState(models.TextChoices):
    DRAFT = "draft", "Not yet requested"
    REQUESTED = "requested", "Acceptance requested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Deliverable(VersionedModel):
    """Something the project hands over, and what it must meet to be accepted."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="closure_deliverables"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    acceptance_criteria = models.TextField()
    shared_with_client = models.BooleanField(default=True)
    state = models.CharField(
        max_length=12, choices=DeliverableState.choices, default=DeliverableState.DRAFT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="The client's comment on the decision.")

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="deliverable_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SignOffDecision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class SignOff(models.Model):
    """One acceptance decision, as signed: who, in what role, when, from where, and a SHA-256
    digest of the canonical JSON of what was decided. Never changed, never deleted."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="sign_offs"
    )
    decision = models.CharField(max_length=12, choices=SignOffDecision.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs"
    )
    signer_name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, help_text="The signer's role on the project.")
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    comment = models.TextField(blank=True)
    content = models.JSONField(help_text="The deliverables decided, as signed.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON content.")
    deliverables = models.ManyToManyField(Deliverable, related_name="sign_offs")

    class Meta:
        ordering = ["project", "-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.signer_name} at {self.signed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(SIGN_OFF_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(SIGN_OFF_IMMUTABLE)


class Vendor(VersionedModel):
    """A supplier the organisation contracts with; its assessments build its history."""

    name = models.CharField(max_length=200, unique=True)
    contact_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Contract(VersionedModel):
    """A contract with a vendor on one project, and how it was closed."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="contracts"
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    start = models.DateField()
    end = models.DateField()
    deliverables = models.TextField(blank=True, help_text="What the vendor delivers.")
    status = models.CharField(
        max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    obligations_met = models.BooleanField(null=True, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_notes = models.TextField(blank=True)
    closure_documents = models.ManyToManyField(
        "projects.Document", blank=True, related_name="closed_contracts"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="contract_unique_ref"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="contract_end_after_start",
                violation_error_message="The contract cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContractInvoice(TimeStampedModel):
    """A vendor invoice (an actual cost of the project) set against a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="invoices")
    cost = models.OneToOneField(
        "execution.ActualCost", on_delete=models.CASCADE, related_name="contract_invoice"
    )
    is_final = models.BooleanField(default=False)

    class Meta:
        ordering = ["contract", "cost__date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(is_final=True), name="contract_one_final_invoice"
            )
        ]

    def __str__(self) -> str:
        return f"Invoice {self.cost_id} on {self.contract}"


class VendorAssessment(TimeStampedModel):
    """The scorecard of a vendor's work on one contract, 1 (poor) to 5 (excellent)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="assessment")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="assessments")
    quality = models.PositiveSmallIntegerField(validators=SCORE)
    timeliness = models.PositiveSmallIntegerField(validators=SCORE)
    cost = models.PositiveSmallIntegerField(validators=SCORE)
    communication = models.PositiveSmallIntegerField(validators=SCORE)
    comments = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["vendor", "-created_at"]

    def __str__(self) -> str:
        return f"{self.vendor} on {self.contract.reference}: {self.score}"

    @property
    def score(self) -> float:
        return round((self.quality + self.timeliness + self.cost + self.communication) / 4, 2)


class ResourceRelease(TimeStampedModel):
    """The release report: what closing gave back — people's future work and unspent budget."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="resource_release"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_on = models.DateField()
    assignments = models.JSONField(
        default=list, help_text="[{resource, task, units, work_hours, finish}] ended."
    )
    hours_released = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    budget_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    actual_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    budget_returned = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"Release report of {self.project}"


class BudgetReturn(TimeStampedModel):
    """A ledger entry of the portfolio: unspent budget a closing project gave back."""

    portfolio = models.ForeignKey(
        "portfolio.Portfolio", null=True, on_delete=models.PROTECT, related_name="budget_returns"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="budget_returns"
    )
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.amount} returned by {self.project.code} on {self.date}"


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class PostImplementationReview(VersionedModel):
    """The PIR: the facts (filled in from the project's data) and the team's judgement."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="post_implementation_review"
    )
    facts = models.JSONField(default=dict, help_text="Planned vs actual, as of the last refresh.")
    objectives = models.JSONField(
        default=list, help_text="[{objective, measure, target, achieved, met}] from the charter."
    )
    summary = models.TextField(blank=True)
    went_well = models.TextField(blank=True)
    to_improve = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=ReviewState.choices, default=ReviewState.DRAFT)
    lessons_sent = models.PositiveIntegerField(default=0)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PIR of {self.project}"


class Benefit(VersionedModel):
    """A benefit the project promised, tracked against what is realised, after closure too."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="benefits"
    )
    name = models.CharField(max_length=200)
    measure = models.CharField(max_length=200, help_text="How it is measured, with its unit.")
    planned_value = models.DecimalField(max_digits=14, decimal_places=2)
    planned_by = models.DateField(help_text="When the planned value should be reached.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "planned_by", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="benefit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BenefitMeasurement(TimeStampedModel):
    """What a benefit had realised on a date."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["benefit", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.benefit}: {self.value} on {self.date}"


class Reopening(TimeStampedModel):
    """A PMO admin took a closed project back to closing, and why."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reopenings"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"{self.project} reopened on {self.created_at:%Y-%m-%d}"


def archive_upload_to(instance: ProjectArchive, filename: str) -> str:
    return f"projects/{instance.project_id}/archive/{filename}"


class ProjectArchive(TimeStampedModel):
    """The archive bundle of a closed project, kept until `retain_until`."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="archives"
    )
    file = models.FileField(upload_to=archive_upload_to, max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    records = models.PositiveIntegerField(help_text="Records in the bundle's JSON.")
    retain_until = models.DateField()
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"Archive of {self.project} ({self.created_at:%Y-%m-%d})"
