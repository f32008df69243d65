from django.contrib import admin

from .models import RiskImpact, SimulationRun, TaskCorrelation, TaskUncertainty


@admin.register(TaskUncertainty)
class TaskUncertaintyAdmin(admin.ModelAdmin):
    list_display = ("task", "kind", "minimum", "most_likely", "maximum", "mean", "sd")
    list_filter = ("kind",)
    raw_id_fields = ("task",)


@admin.register(RiskImpact)
class RiskImpactAdmin(admin.ModelAdmin):
    list_display = ("risk", "probability", "post_probability", "response_cost")
    raw_id_fields = ("risk", "tasks")


@admin.register(TaskCorrelation)
class TaskCorrelationAdmin(admin.ModelAdmin):
    list_display = ("project", "first", "second", "coefficient")
    raw_id_fields = ("project", "first", "second")


@admin.register(SimulationRun)
class SimulationRunAdmin(admin.ModelAdmin):
    list_display = ("project", "number", "state", "progress", "iterations", "response")
    list_filter = ("state", "response")
    raw_id_fields = ("project", "created_by")
    readonly_fields = ("results",)
