"""The resource pool (people and placeholders by role), their rates, and assignments to tasks.

Rates are hourly in the organisation's currency; the rate in force on a date is the one with the
latest `effective_from` on or before it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pmo.core.models import TimeStampedModel, VersionedModel

EMPLOYMENT_ORDER = "The employment end cannot be before its start."
PLACEHOLDER_WITH_USER = "A placeholder stands for a role, not a person: it has no login."


class JobRole(models.Model):
    """A job role such as 'Developer'; placeholders plan by role before people are named."""

    name = models.CharField(max_length=100, unique=True)
    default_rate = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resource(VersionedModel):
    """A person (with or without a login) or a generic placeholder for a role."""

    name = models.CharField(max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resource",
    )
    role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="resources")
    department = models.CharField(max_length=100, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="resources")
    calendar = models.ForeignKey(
        "planning.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the organisation's default calendar.",
    )
    availability = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the calendar's working time available for projects.",
    )
    employed_from = models.DateField(null=True, blank=True)
    employed_to = models.DateField(null=True, blank=True)
    is_placeholder = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.employed_from and self.employed_to and self.employed_to < self.employed_from:
            raise ValidationError({"employed_to": EMPLOYMENT_ORDER})
        if self.is_placeholder and self.user_id:
            raise ValidationError({"user": PLACEHOLDER_WITH_USER})


class ResourceRate(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rates")
    effective_from = models.DateField()
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["resource", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"], name="resource_rate_unique_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} from {self.effective_from}: {self.hourly_rate}/h"


class ResourceException(models.Model):
    """A personal exception to the calendar, such as a holiday (0 hours) or a half day."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["resource", "date"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="resource_exception_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.date}: {self.hours} h"


class Assignment(VersionedModel):
    """A resource working on a task: `units` 1.0 is full time; `work_hours` the effort."""

    task = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="assignments")
    units = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    work_hours = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["task", "resource", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} on {self.task}"


class LevelingRun(TimeStampedModel):
    """An accepted resource levelling of a project: who accepted it, why, and every task it
    delayed with the constraint the task had before, so that clearing restores them.

    `moves` holds one entry per delayed task: ``{"task_id", "name", "from", "to",
    "previous_constraint_type", "previous_constraint_date"}`` (dates as ISO strings).
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="leveling_runs"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    within_slack = models.BooleanField(default=False)
    finish_before = models.DateField(null=True, blank=True)
    finish_after = models.DateField(null=True, blank=True)
    moves = models.JSONField(default=list)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Levelling of {self.project} on {self.created_at:%Y-%m-%d %H:%M}"
