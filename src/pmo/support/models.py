"""Support for project managers: the knowledge base, lessons learned, onboarding of new PMs and
the history of who managed which project.

Articles and lessons keep a `search_text` (title, text and tags in one column) that the full-text
index of the database reads; see `search.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pmo.core.models import TimeStampedModel, VersionedModel
from pmo.projects.models import ProjectType


class Tag(models.Model):
    """A word that files articles and lessons together: lower case, letters, digits and dashes."""

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(VersionedModel):
    """A page of the knowledge base, written in Markdown by the PMO."""

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    published = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["title"], name="article_unique_title")]

    def __str__(self) -> str:
        return self.title


class LessonCategory(models.TextChoices):
    SCOPE = "scope", "Scope and requirements"
    SCHEDULE = "schedule", "Schedule"
    COST = "cost", "Cost and budget"
    QUALITY = "quality", "Quality"
    RESOURCES = "resources", "People and resources"
    RISK = "risk", "Risk"
    STAKEHOLDERS = "stakeholders", "Stakeholders and communication"
    PROCUREMENT = "procurement", "Vendors and procurement"
    GOVERNANCE = "governance", "Governance and decisions"
    TECHNICAL = "technical", "Technical"
    OTHER = "other", "Other"


class LessonSource(models.TextChoices):
    PROJECT = "project", "Recorded during the project"
    CLOSING = "closing", "Post-implementation review"


class Lesson(VersionedModel):
    """What a project learned, for the projects that come after it."""

    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        # the lesson outlives the project it came from
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    project_type = models.CharField(
        "project type", max_length=16, choices=ProjectType.choices, default=ProjectType.OTHER
    )
    category = models.CharField(max_length=16, choices=LessonCategory.choices)
    what_happened = models.TextField()
    impact = models.TextField(blank=True)
    recommendation = models.TextField()
    tags = models.ManyToManyField(Tag, blank=True, related_name="lessons")
    source = models.CharField(max_length=10, choices=LessonSource.choices, default="project")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project_type"])]

    def __str__(self) -> str:
        return f"L-{self.pk} {self.headline}"

    @property
    def headline(self) -> str:
        """The first sentence of what happened, short enough for a list."""
        first = self.what_happened.strip().split("\n", 1)[0]
        cut = first.find(". ")
        first = first[: cut + 1] if cut > 0 else first
        return first if len(first) <= 120 else first[:117].rstrip() + "…"


class OnboardingTrack(VersionedModel):
    """The PMO's induction checklist for new project managers, as a template."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrackItem(models.Model):
    """One step of a track, due `offset_days` after the new PM starts."""

    track = models.ForeignKey(OnboardingTrack, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    offset_days = models.PositiveIntegerField(default=0)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["track", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Onboarding(TimeStampedModel):
    """A track assigned to one new project manager, with a mentor, from a start date."""

    track = models.ForeignKey(OnboardingTrack, on_delete=models.PROTECT, related_name="onboardings")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="onboardings"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentored_onboardings"
    )
    start = models.DateField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["track", "manager"], name="onboarding_unique_track"),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("mentor")),
                name="onboarding_mentor_not_self",
                violation_error_message="A new project manager cannot mentor themselves.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track} for {self.manager}"


class OnboardingItem(models.Model):
    """One checklist item of one onboarding, with its due date; ticked by the PM or the mentor."""

    onboarding = models.ForeignKey(Onboarding, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_date = models.DateField()
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["onboarding", "due_date", "position", "pk"]
        indexes = [models.Index(fields=["due_date", "done_at"])]

    def __str__(self) -> str:
        return self.title


class ManagerChange(models.Model):
    """The PMO handed a project to another project manager: who, from whom, why, when."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="manager_changes"
    )
    previous_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.previous_manager} → {self.new_manager}"
