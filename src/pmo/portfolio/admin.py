from django.contrib import admin

from .models import (
    Assessment,
    Criterion,
    IntakeRequest,
    OrganisationGoal,
    Portfolio,
    Program,
    ProgramProject,
    ReportPack,
    Scenario,
    ScoringModel,
)

admin.site.register(Portfolio)
admin.site.register(OrganisationGoal)
admin.site.register(IntakeRequest)
admin.site.register(Assessment)
admin.site.register(Scenario)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(ScoringModel)
class ScoringModelAdmin(admin.ModelAdmin):
    inlines = [CriterionInline]


class ProgramProjectInline(admin.TabularInline):
    model = ProgramProject
    extra = 0
    raw_id_fields = ["project", "added_by"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "portfolio", "manager"]
    inlines = [ProgramProjectInline]


@admin.register(ReportPack)
class ReportPackAdmin(admin.ModelAdmin):
    list_display = ["title", "requested_by", "state", "progress", "created_at", "size"]
    list_filter = ["state"]
    readonly_fields = ["state", "progress", "step", "file", "size", "project_count", "error"]
