from django.contrib import admin

from .models import ChangeRequest, ChangeThresholds, Issue


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ("project", "number", "title", "status", "added_days", "impact_cost")
    list_filter = ("status",)
    raw_id_fields = ("project", "requester", "decided_by", "baseline")


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("project", "number", "title", "priority", "status", "escalation", "due_date")
    list_filter = ("priority", "status", "escalation")
    raw_id_fields = ("project", "owner", "escalated_by", "responded_by", "tasks", "risks")


@admin.register(ChangeThresholds)
class ChangeThresholdsAdmin(admin.ModelAdmin):
    list_display = ("project", "max_days", "max_cost")
    raw_id_fields = ("project",)
