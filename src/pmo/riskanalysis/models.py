"""Monte Carlo schedule and cost risk analysis of a project's plan.

The uncertainty of each task's duration, the register's risks with what they do to the tasks
(before and after their response), correlations between tasks, and the simulation runs with
their stored results. The plan itself stays in planning; this context only lays uncertainty
over it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from pmo.core.models import TimeStampedModel, VersionedModel


class DistributionKind(models.TextChoices):
    TRIANGULAR = "triangular", "Triangular"
    PERT = "pert", "PERT"
    UNIFORM = "uniform", "Uniform"
    LOGNORMAL = "lognormal", "Lognormal"
    FIXED = "fixed", "Fixed"


#: The parameters each distribution takes, in the order the PMO reads them.
PARAMETERS: dict[str, tuple[str, ...]] = {
    DistributionKind.TRIANGULAR: ("min", "mode", "max"),
    DistributionKind.PERT: ("min", "mode", "max"),
    DistributionKind.UNIFORM: ("min", "max"),
    DistributionKind.LOGNORMAL: ("mean", "sd"),
    DistributionKind.FIXED: ("value",),
}
#: A task's duration is uncertain; a fixed one is simply its planned duration.
TASK_KINDS = (
    DistributionKind.TRIANGULAR,
    DistributionKind.PERT,
    DistributionKind.UNIFORM,
    DistributionKind.LOGNORMAL,
)


def describe(spec: dict[str, Any] | None) -> str:
    """A distribution as the PMO writes it: ``Triangular 8 / 10 / 15``."""
    if not spec:
        return "—"
    kind = spec.get("kind", "")
    label = DistributionKind(kind).label if kind in DistributionKind.values else kind
    values = [spec.get(p) for p in PARAMETERS.get(kind, ())]
    shown = " / ".join(f"{v:g}" if isinstance(v, int | float) else "?" for v in values)
    if kind == DistributionKind.FIXED:
        return shown
    if kind == DistributionKind.LOGNORMAL:
        return f"{label} mean {values[0]:g}, sd {values[1]:g}" if None not in values else label
    return f"{label} {shown}"


class TaskUncertainty(VersionedModel):
    """How long a task may really take, in working days: a distribution over its duration."""

    task = models.OneToOneField(
        "planning.Task", on_delete=models.CASCADE, related_name="uncertainty"
    )
    kind = models.CharField(
        max_length=12,
        choices=[(k.value, k.label) for k in TASK_KINDS],
        default=DistributionKind.TRIANGULAR,
    )
    minimum = models.FloatField("min", null=True, blank=True)
    most_likely = models.FloatField(null=True, blank=True)
    maximum = models.FloatField("max", null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    sd = models.FloatField("standard deviation", null=True, blank=True)

    class Meta:
        verbose_name_plural = "task uncertainties"

    def __str__(self) -> str:
        return f"{self.task_id}: {describe(self.spec)}"

    @property
    def spec(self) -> dict[str, Any]:
        values = {
            "min": self.minimum,
            "mode": self.most_likely,
            "max": self.maximum,
            "mean": self.mean,
            "sd": self.sd,
        }
        return {"kind": self.kind, **{p: values[p] for p in PARAMETERS[self.kind]}}

    @property
    def text(self) -> str:
        return describe(self.spec)


class RiskImpact(VersionedModel):
    """What a register risk does to the plan when it occurs, before and after its response.

    One row per risk: the risk occurs (or not) once per iteration, and when it does, every
    mapped task takes the added working days. Durations may be negative for an opportunity.
    No post-response probability means no response is planned.
    """

    risk = models.OneToOneField(
        "controls.Risk", on_delete=models.CASCADE, related_name="quantified_impact"
    )
    tasks = models.ManyToManyField("planning.Task", blank=True, related_name="risk_impacts")
    probability = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Chance the risk occurs before the response, 0 to 1.",
    )
    duration = models.JSONField(
        default=dict, blank=True, help_text="Working days added to each mapped task."
    )
    cost = models.JSONField(default=dict, blank=True, help_text="Cost added to the project.")
    post_probability = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Chance after the response; empty when no response is planned.",
    )
    post_duration = models.JSONField(null=True, blank=True)
    post_cost = models.JSONField(null=True, blank=True)
    response_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="What the response itself costs, counted in post-response runs.",
    )

    def __str__(self) -> str:
        return f"Impact of risk {self.risk_id}"

    @property
    def has_response(self) -> bool:
        return self.post_probability is not None

    @property
    def duration_text(self) -> str:
        return describe(self.duration)

    @property
    def cost_text(self) -> str:
        return describe(self.cost)

    @property
    def post_duration_text(self) -> str:
        return describe(self.post_duration)

    @property
    def post_cost_text(self) -> str:
        return describe(self.post_cost)


class TaskCorrelation(TimeStampedModel):
    """Two tasks whose durations move together (the same team, the same unknown)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="task_correlations"
    )
    first = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="+")
    coefficient = models.FloatField(validators=[MinValueValidator(-1), MaxValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="correlation_unique_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="correlation_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id}: {self.coefficient:g}"


class Response(models.TextChoices):
    PRE = "pre", "Before responses"
    POST = "post", "After responses"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SimulationRun(models.Model):
    """One Monte Carlo run of a project's plan: its settings, its progress and its results."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="simulation_runs"
    )
    number = models.PositiveIntegerField(help_text="Run 1, 2 … within the project.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    iterations = models.PositiveIntegerField(
        validators=[MinValueValidator(100), MaxValueValidator(100_000)]
    )
    seed = models.BigIntegerField(null=True, blank=True, help_text="Same seed, same results.")
    target_date = models.DateField(null=True, blank=True)
    response = models.CharField(max_length=4, choices=Response.choices, default=Response.PRE)
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of iterations done.")
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="simulation_run_number"),
        ]

    def __str__(self) -> str:
        return f"Run {self.number} of project {self.project_id}"

    @property
    def is_active(self) -> bool:
        return self.state in (RunState.QUEUED, RunState.RUNNING)
