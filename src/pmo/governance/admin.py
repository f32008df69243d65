"""Admin: governance records are read here; changes go through the services (the pages and the
API), so that versions stay immutable and stages move only through gates."""

from django.contrib import admin

from .models import (
    ComplianceSnapshot,
    GateCondition,
    GateReview,
    ManualEvidence,
    Methodology,
    MethodologyVersion,
    ProjectGovernance,
    ProjectTemplate,
    StageOverride,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Methodology)
class MethodologyAdmin(ReadOnlyAdmin):
    list_display = ("name", "created_at")


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(ReadOnlyAdmin):
    list_display = ("methodology", "number", "state", "published_at")
    list_filter = ("state",)


@admin.register(ProjectTemplate)
class ProjectTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "methodology", "project_type", "size")


@admin.register(ProjectGovernance)
class ProjectGovernanceAdmin(ReadOnlyAdmin):
    list_display = ("project", "methodology_version", "template")
    raw_id_fields = ("project",)


@admin.register(GateReview)
class GateReviewAdmin(ReadOnlyAdmin):
    list_display = ("project", "stage", "state", "decision", "requested_at", "decided_by")
    list_filter = ("state", "decision", "stage")


@admin.register(GateCondition)
class GateConditionAdmin(ReadOnlyAdmin):
    list_display = ("text", "review", "owner", "due_date", "state")
    list_filter = ("state",)


@admin.register(ManualEvidence)
class ManualEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("project", "criterion", "kind", "recorded_by", "created_at")


@admin.register(StageOverride)
class StageOverrideAdmin(ReadOnlyAdmin):
    list_display = ("project", "from_stage", "to_stage", "actor", "at", "reason")


@admin.register(ComplianceSnapshot)
class ComplianceSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("project", "date", "score")
