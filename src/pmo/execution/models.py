"""What happens once a project is under way: comments on tasks, weekly timesheets and the
actual costs (expenses and vendor invoices) set against the budget.

A timesheet is one person's week (Monday to Sunday). Each line is either time on a task the
person is assigned to, or non-project time (admin, leave, training). Project lines are decided
by the PM of their project, each project on its own; non-project time is accepted when the
week is submitted. Approved lines never change again: a correction is a new line that names
the line it corrects and carries the difference in hours.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from pmo.controls.models import CostCategory
from pmo.core.models import TimeStampedModel, VersionedModel

DAYS = 7


class TaskComment(TimeStampedModel):
    task = models.ForeignKey("planning.Task", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()

    class Meta:
        ordering = ["task", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.task_id} by {self.author_id}"


class Timesheet(VersionedModel):
    """One person's week; `week_start` is a Monday."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timesheets"
    )
    week_start = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["person", "week_start"], name="timesheet_unique_week")
        ]

    def __str__(self) -> str:
        return f"{self.person} week of {self.week_start}"


class TimeCategory(models.TextChoices):
    PROJECT = "project", "Project work"
    ADMIN = "admin", "Admin"
    LEAVE = "leave", "Leave"
    TRAINING = "training", "Training"


class LineState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class TimesheetLine(TimeStampedModel):
    """Hours on the seven days of the week for one task (or non-project category)."""

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(
        max_length=16, choices=TimeCategory.choices, default=TimeCategory.PROJECT
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "planning.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="time_lines"
    )
    resource = models.ForeignKey(
        "resources.Resource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_lines",
    )
    hours = models.JSONField(default=list, help_text="Seven numbers, Monday to Sunday.")
    state = models.CharField(max_length=16, choices=LineState.choices, default=LineState.DRAFT)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why a correction is made.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="The PM's comment when returning.")

    class Meta:
        ordering = ["timesheet", "category", "project", "task", "pk"]
        indexes = [models.Index(fields=["project", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(category="project", task__isnull=False, project__isnull=False)
                | (~Q(category="project") & Q(task__isnull=True, project__isnull=True)),
                name="timesheet_line_task_iff_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.timesheet} {self.category} {self.task_id or ''}".strip()

    @property
    def total(self) -> float:
        return round(sum(float(h) for h in self.hours), 2)


class CostKind(models.TextChoices):
    EXPENSE = "expense", "Expense"
    INVOICE = "invoice", "Vendor invoice"


class ActualCost(VersionedModel):
    """Money actually spent on a project, outside of approved timesheet hours."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="actual_costs"
    )
    kind = models.CharField(max_length=16, choices=CostKind.choices, default=CostKind.EXPENSE)
    category = models.CharField(max_length=16, choices=CostCategory.choices)
    date = models.DateField(help_text="The day the cost was incurred (or the invoice date).")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    vendor = models.CharField(max_length=200, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="Invoice or receipt number.")
    description = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "-date", "-pk"]
        indexes = [models.Index(fields=["project", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}: {self.amount}"
