"""Methodologies (in versions), their stages, gates and tailoring; project templates; gate
reviews with their decisions and conditions; evidence, overrides and compliance over time."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pmo.core.models import TimeStampedModel, VersionedModel
from pmo.projects.models import ProjectSize, ProjectType, RiskLevel, Stage

# The stages a methodology describes: every stage but the final one has a gate at its exit.
GATED_STAGES = [Stage.INITIATION, Stage.PLANNING, Stage.EXECUTION, Stage.CLOSING]


class Methodology(VersionedModel):
    """The PMO's way of running projects; changed by publishing a new version."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "methodologies"

    def __str__(self) -> str:
        return self.name


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class MethodologyVersion(VersionedModel):
    """One version of a methodology. A draft is edited; a published version never changes, and
    the projects that started with it keep it."""

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=12, choices=VersionState.choices, default=VersionState.DRAFT
    )
    notes = models.CharField("what changed", max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["methodology", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "number"], name="methodology_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.methodology.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.state == VersionState.DRAFT


class StageDefinition(TimeStampedModel):
    """What a methodology version asks of one stage: guidance, deliverables, a checklist, and
    the gate at its exit (its criteria)."""

    version = models.ForeignKey(MethodologyVersion, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=16, choices=[(s.value, s.label) for s in GATED_STAGES])
    guidance = models.TextField("guidance (Markdown)", blank=True)
    deliverables = models.JSONField("required deliverables", default=list, blank=True)
    checklist = models.JSONField(default=list, blank=True)
    has_gate = models.BooleanField(
        "gate at the exit", default=True, help_text="Leaving the stage needs a passed gate review."
    )

    class Meta:
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="stage_definition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version}: {Stage(self.stage).label}"

    @property
    def gate_name(self) -> str:
        return f"{Stage(self.stage).label} gate"


class CriterionKind(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic"
    MANUAL = "manual", "Manual (with evidence)"


class GateCriterion(TimeStampedModel):
    """One criterion of a stage's exit gate: automatic (a registered check with its settings) or
    manual (met once someone records evidence)."""

    stage = models.ForeignKey(StageDefinition, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=12, choices=CriterionKind.choices)
    key = models.CharField("automatic check", max_length=60, blank=True)
    params = models.JSONField("settings", default=dict, blank=True)
    label = models.CharField(max_length=150, blank=True)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position", "id"]
        verbose_name_plural = "gate criteria"

    def __str__(self) -> str:
        return self.label or self.key


class TailoringEffect(models.TextChoices):
    SKIP_GATE = "skip_gate", "Skip the gate"
    SKIP_CRITERION = "skip_criterion", "Skip a criterion"


class TailoringRule(TimeStampedModel):
    """A rule that lightens the methodology for some projects; it applies when the project
    matches every condition given (an empty list matches anything)."""

    version = models.ForeignKey(
        MethodologyVersion, on_delete=models.CASCADE, related_name="tailoring_rules"
    )
    sizes = models.JSONField(default=list, blank=True)
    project_types = models.JSONField(default=list, blank=True)
    risk_levels = models.JSONField(default=list, blank=True)
    effect = models.CharField(max_length=16, choices=TailoringEffect.choices)
    stage = models.ForeignKey(
        StageDefinition, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    criterion = models.ForeignKey(
        GateCriterion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return self.reason

    def matches(self, project: object) -> bool:
        return (
            (not self.sizes or getattr(project, "size", None) in self.sizes)
            and (
                not self.project_types
                or getattr(project, "project_type", None) in self.project_types
            )
            and (not self.risk_levels or getattr(project, "risk_level", None) in self.risk_levels)
        )

    def condition_text(self) -> str:
        parts = []
        if self.sizes:
            parts.append("size " + " or ".join(ProjectSize(s).label.lower() for s in self.sizes))
        if self.project_types:
            parts.append(
                "type " + " or ".join(ProjectType(t).label.lower() for t in self.project_types)
            )
        if self.risk_levels:
            parts.append(
                "risk " + " or ".join(RiskLevel(r).label.lower() for r in self.risk_levels)
            )
        return ", ".join(parts) or "every project"


class ProjectTemplate(VersionedModel):
    """A starting point for a project: WBS skeleton with relative durations and links, roles
    needed, default risks, deliverables and checklist, and the methodology it follows."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    methodology = models.ForeignKey(
        Methodology, null=True, blank=True, on_delete=models.PROTECT, related_name="templates"
    )
    project_type = models.CharField(
        max_length=16, choices=ProjectType.choices, default=ProjectType.OTHER
    )
    size = models.CharField(max_length=8, choices=ProjectSize.choices, default=ProjectSize.MEDIUM)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    # [{key, name, duration (working days), parent (key) | None}] in plan order
    tasks = models.JSONField("WBS skeleton", default=list, blank=True)
    # [{predecessor, successor (keys), type, lag}]
    links = models.JSONField(default=list, blank=True)
    # [{role, count}]
    roles = models.JSONField("roles needed", default=list, blank=True)
    # [{title, probability, impact}]
    risks = models.JSONField("default risks", default=list, blank=True)
    deliverables = models.JSONField(default=list, blank=True)
    checklist = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectGovernance(TimeStampedModel):
    """The methodology version a project follows (pinned when it starts) and its template."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="governance"
    )
    methodology_version = models.ForeignKey(
        MethodologyVersion, on_delete=models.PROTECT, related_name="projects"
    )
    template = models.ForeignKey(
        ProjectTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    checklist_done = models.JSONField(
        default=dict, blank=True, help_text="Per stage, the checklist items ticked."
    )

    class Meta:
        verbose_name_plural = "project governance"

    def __str__(self) -> str:
        return f"{self.project.code} follows {self.methodology_version}"


class ReviewState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Decision(models.TextChoices):
    GO = "go", "Go"
    GO_WITH_CONDITIONS = "go_with_conditions", "Go with conditions"
    HOLD = "hold", "Hold"
    RECYCLE = "recycle", "Recycle"
    STOP = "stop", "Stop"


PASSING_DECISIONS = (Decision.GO, Decision.GO_WITH_CONDITIONS)


class GateReview(VersionedModel):
    """The PM asks the PMO to review the gate at the exit of a stage; a reviewer decides."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="gate_reviews"
    )
    methodology_version = models.ForeignKey(
        MethodologyVersion, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices)
    state = models.CharField(
        max_length=12, choices=ReviewState.choices, default=ReviewState.REQUESTED
    )
    note = models.TextField("request note", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    # the criteria as found when requested and when decided: [{label, met, detail, weight, ...}]
    criteria_at_request = models.JSONField(default=list, blank=True)
    criteria_at_decision = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # when a passing decision moved the project on; a gate passes a project once
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(state="requested"),
                name="gate_review_one_open_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {Stage(self.stage).label} gate review"

    @property
    def gate_name(self) -> str:
        return f"{Stage(self.stage).label} gate"


class ConditionState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class GateCondition(VersionedModel):
    """A condition attached to a go-with-conditions decision, tracked until it is closed."""

    review = models.ForeignKey(GateReview, on_delete=models.CASCADE, related_name="conditions")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=8, choices=ConditionState.choices, default=ConditionState.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return self.text


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    LINK = "link", "Link"
    COMMENT = "comment", "Comment"


class ManualEvidence(TimeStampedModel):
    """What shows a manual criterion is met on a project: a document, a link or a comment."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(GateCriterion, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    document = models.ForeignKey(
        "projects.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "-created_at", "-id"]
        verbose_name_plural = "manual evidence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.criterion}"


class StageOverride(models.Model):
    """A PMO admin moved a project on without a passed gate; the reason is kept for ever."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="stage_overrides"
    )
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage} (override)"


class ComplianceSnapshot(models.Model):
    """A project's compliance score on one day, with each criterion's result (for the trend)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="compliance_snapshots"
    )
    date = models.DateField()
    score = models.FloatField(null=True)
    results = models.JSONField(default=dict, blank=True)  # {column label: true | false}

    class Meta:
        ordering = ["project", "date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="compliance_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.date}: {self.score}"
