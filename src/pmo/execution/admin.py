from django.contrib import admin

from .models import ActualCost, TaskComment, Timesheet, TimesheetLine


class LineInline(admin.TabularInline):
    model = TimesheetLine
    extra = 0
    raw_id_fields = ("project", "task", "resource", "corrects", "decided_by")


@admin.register(Timesheet)
class TimesheetAdmin(admin.ModelAdmin):
    list_display = ("person", "week_start", "submitted_at")
    inlines = [LineInline]


@admin.register(ActualCost)
class ActualCostAdmin(admin.ModelAdmin):
    list_display = ("project", "date", "kind", "category", "amount", "vendor")
    list_filter = ("kind", "category")


@admin.register(TaskComment)
class TaskCommentAdmin(admin.ModelAdmin):
    list_display = ("task", "author", "created_at")
    raw_id_fields = ("task", "author")
