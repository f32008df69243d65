"""Earned value snapshots per status date, reporting cadences, and the status reports PMs submit
and the PMO reviews."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pmo.core.models import TimeStampedModel, VersionedModel
from pmo.projects.models import ProjectType

CADENCE_TARGET = "A cadence applies either to a portfolio or to a project type, not both."
DAY_OF_WEEK = "For a weekly or fortnightly cadence, the day due is a weekday: 0 (Monday) to 6."
DAY_OF_MONTH = "For a monthly cadence, the day due is a day of the month from 1 to 28."


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class ReportingCadence(VersionedModel):
    """How often the projects of a portfolio (or of a project type) report their status.

    A project follows its portfolio's cadence if there is one, else its type's.
    ``day_due`` is a weekday (0 = Monday) for weekly and fortnightly cadences and a day of the
    month (1–28) for monthly ones; fortnights count from ``starts_on``.
    """

    portfolio = models.OneToOneField(
        "portfolio.Portfolio",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reporting_cadence",
    )
    project_type = models.CharField(
        max_length=16, choices=ProjectType.choices, blank=True, default=""
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    day_due = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(28)]
    )
    starts_on = models.DateField(help_text="No report falls due before this day.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["portfolio__name", "project_type", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(portfolio__isnull=False) & Q(project_type=""))
                | (Q(portfolio__isnull=True) & ~Q(project_type="")),
                name="cadence_portfolio_xor_type",
                violation_error_message=CADENCE_TARGET,
            ),
            models.UniqueConstraint(
                fields=["project_type"],
                condition=~Q(project_type=""),
                name="cadence_one_per_type",
            ),
        ]

    def __str__(self) -> str:
        target = self.portfolio.name if self.portfolio_id else self.get_project_type_display()
        return f"{self.get_frequency_display()} for {target}"

    @property
    def target_label(self) -> str:
        if self.portfolio_id:
            return f"Portfolio: {self.portfolio.name}"
        return f"Project type: {self.get_project_type_display()}"

    @property
    def day_label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return f"day {self.day_due} of the month"
        return ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][
            min(self.day_due, 6)
        ]

    def clean(self) -> None:
        if bool(self.portfolio_id) == bool(self.project_type):
            raise ValidationError(CADENCE_TARGET)
        if self.frequency == Frequency.MONTHLY:
            if not 1 <= self.day_due <= 28:
                raise ValidationError({"day_due": DAY_OF_MONTH})
        elif self.day_due > 6:
            raise ValidationError({"day_due": DAY_OF_WEEK})


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class ReportState(models.TextChoices):
    DRAFT = "draft", "Due"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"
    RETURNED = "returned", "Returned for rework"


#: The dimensions a PM rates, in the order of the form.
RAG_DIMENSIONS = ("schedule", "cost", "scope", "risk", "resources")


def _rag(label: str) -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(label, max_length=8, choices=Rag.choices, blank=True, default="")


class StatusReport(VersionedModel):
    """One project's status report for one due date.

    Until it is submitted its indicators are computed live; submission freezes them (and the
    watermelon flags) into the report, so what the PMO reviews is what the PM saw.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="status_reports"
    )
    due_date = models.DateField()
    state = models.CharField(max_length=12, choices=ReportState.choices, default=ReportState.DRAFT)
    rag_schedule = _rag("schedule")
    rag_cost = _rag("cost")
    rag_scope = _rag("scope")
    rag_risk = _rag("risk")
    rag_resources = _rag("resources")
    rag_overall = _rag("overall")
    accomplishments = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    decisions_needed = models.TextField(blank=True)
    indicators = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="Watermelon reasons.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "-due_date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "due_date"], name="status_report_unique_due")
        ]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return f"Status report of {self.project_id} due {self.due_date}"

    @property
    def is_open(self) -> bool:
        """Still the PM's to write: due, or returned for rework."""
        return self.state in (ReportState.DRAFT, ReportState.RETURNED)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def rags(self) -> list[tuple[str, str]]:
        return [(d, getattr(self, f"rag_{d}")) for d in (*RAG_DIMENSIONS, "overall")]


class EvmSnapshot(TimeStampedModel):
    """The earned value indicators of a project at one status date, as they were measured."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="evm_snapshots"
    )
    status_date = models.DateField()
    bac = models.DecimalField(max_digits=16, decimal_places=2)
    pv = models.DecimalField(max_digits=16, decimal_places=2)
    ev = models.DecimalField(max_digits=16, decimal_places=2)
    ac = models.DecimalField(max_digits=16, decimal_places=2)
    spi = models.FloatField(null=True, blank=True)
    cpi = models.FloatField(null=True, blank=True)
    eac = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    spi_t = models.FloatField("SPI(t)", null=True, blank=True)
    sv_t = models.FloatField("SV(t) days", null=True, blank=True)
    forecast_finish = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        StatusReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshots"
    )

    class Meta:
        ordering = ["project", "status_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "status_date"], name="evm_snapshot_unique_date"
            )
        ]

    def __str__(self) -> str:
        return f"EVM of {self.project_id} on {self.status_date}"

    @property
    def sv(self) -> float:
        return float(self.ev - self.pv)

    @property
    def cv(self) -> float:
        return float(self.ev - self.ac)
