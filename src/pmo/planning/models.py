"""Tasks in a WBS, dependencies, working calendars, the computed schedule and baselines.

Durations are whole working days of the project's calendar. The dates and floats on a task are
written by the scheduling service only (from the engine's result), never by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pmo.core.models import TimeStampedModel, VersionedModel

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Calendar(VersionedModel):
    """A working calendar: working weekdays, hours per day, and exceptions such as holidays.

    The organisation's default calendar has no project; a project may have its own.
    """

    name = models.CharField(max_length=100)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_default = models.BooleanField(default=False)
    working_weekdays = models.JSONField(default=list)  # 0 = Monday ... 6 = Sunday
    hours_per_day = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekdays_label(self) -> str:
        return ", ".join(WEEKDAYS[d] for d in sorted(self.working_weekdays))


class CalendarException(models.Model):
    """A day that differs from the calendar's week: a holiday or a shortened day."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    name = models.CharField(max_length=100)
    working_hours = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(24)], help_text="0 for a holiday."
    )

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ConstraintType(models.TextChoices):
    ASAP = "ASAP", "As soon as possible"
    ALAP = "ALAP", "As late as possible"
    SNET = "SNET", "Start no earlier than"
    SNLT = "SNLT", "Start no later than"
    FNET = "FNET", "Finish no earlier than"
    FNLT = "FNLT", "Finish no later than"
    MSO = "MSO", "Must start on"
    MFO = "MFO", "Must finish on"


class Task(VersionedModel):
    """One line of the WBS: a task, a milestone (zero duration) or a summary (has children)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in the plan, top to bottom.")
    wbs = models.CharField("WBS", max_length=60, blank=True)
    name = models.CharField(max_length=255)
    duration = models.PositiveIntegerField(default=1, help_text="Working days; 0 for a milestone.")
    work_hours = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    planned_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    constraint_type = models.CharField(
        max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP
    )
    constraint_date = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    calendar = models.ForeignKey(
        Calendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text="A calendar of its own (a crew on another week); empty: the plan's calendar.",
    )
    notes = models.TextField(blank=True)
    is_summary = models.BooleanField(default=False)
    # Computed by the scheduling service.
    early_start = models.DateField(null=True, blank=True)
    early_finish = models.DateField(null=True, blank=True)
    late_start = models.DateField(null=True, blank=True)
    late_finish = models.DateField(null=True, blank=True)
    total_float = models.IntegerField(null=True, blank=True)
    free_float = models.IntegerField(null=True, blank=True)
    is_critical = models.BooleanField(default=False)
    # Progress, entered by the PM or the task's assignees (see pmo.execution.services).
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(null=True, blank=True)
    remaining_duration = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Working days still needed; empty: the duration not yet complete.",
    )
    remaining_work_hours = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["project", "position", "pk"]
        indexes = [models.Index(fields=["project", "position"])]

    def __str__(self) -> str:
        return f"{self.wbs} {self.name}".strip()

    @property
    def is_milestone(self) -> bool:
        return self.duration == 0 and not self.is_summary


class DependencyType(models.TextChoices):
    FS = "FS", "Finish-to-start"
    SS = "SS", "Start-to-start"
    FF = "FF", "Finish-to-finish"
    SF = "SF", "Start-to-finish"


class Dependency(TimeStampedModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="dependencies"
    )
    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=DependencyType.choices, default=DependencyType.FS)
    lag = models.IntegerField(default=0, help_text="Working days; negative for a lead.")
    lag_percent = models.FloatField(
        null=True, blank=True, help_text="Lag as a percentage of the predecessor's duration."
    )

    class Meta:
        ordering = ["project", "successor", "predecessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="dependency_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        lag = f"{self.lag:+d}d" if self.lag else ""
        return f"{self.predecessor_id} → {self.successor_id} {self.type}{lag}"


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned with comments"


class Schedule(VersionedModel):
    """The project's schedule as a whole: its start, computed finish, and plan approval."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="schedule"
    )
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.PROTECT)
    start = models.DateField()
    finish = models.DateField(null=True, blank=True)
    duration = models.IntegerField(null=True, blank=True, help_text="Working days.")
    computed_at = models.DateTimeField(null=True, blank=True)
    plan_state = models.CharField(max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    plan_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_decided_at = models.DateTimeField(null=True, blank=True)
    plan_comment = models.TextField(blank=True)
    status_date = models.DateField(
        null=True,
        blank=True,
        help_text="Progress is measured up to this date; remaining work is scheduled after it.",
    )

    def __str__(self) -> str:
        return f"Schedule of {self.project}"


MAX_BASELINES = 11


class Baseline(TimeStampedModel):
    """A named snapshot of the plan (up to 11 per project, numbered 0–10 like MS Project)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="baselines"
    )
    number = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_BASELINES - 1)])
    name = models.CharField(max_length=100)
    is_current = models.BooleanField(default=False)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateField(null=True, blank=True)
    finish = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="baseline_unique_number"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_current=True), name="baseline_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"Baseline {self.number}: {self.name}"


class BaselineTask(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=255)
    start = models.DateField(null=True)
    finish = models.DateField(null=True)
    duration = models.PositiveIntegerField()
    work_hours = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["baseline", "task"], name="baseline_task_unique")
        ]

    def __str__(self) -> str:
        return f"{self.baseline} — {self.name}"
