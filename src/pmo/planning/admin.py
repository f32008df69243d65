from django.contrib import admin

from .models import Baseline, Calendar, CalendarException, Dependency, Schedule, Task


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "is_default", "hours_per_day")
    inlines = [CalendarExceptionInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "project",
        "wbs",
        "name",
        "duration",
        "early_start",
        "early_finish",
        "is_critical",
    )
    list_filter = ("project",)
    readonly_fields = (
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_float",
        "free_float",
        "is_critical",
        "wbs",
        "is_summary",
    )


admin.site.register(Dependency)
admin.site.register(Schedule)
admin.site.register(Baseline)
