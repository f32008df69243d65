from django.contrib import admin

from .models import Assignment, JobRole, Resource, ResourceException, ResourceRate, Skill

admin.site.register(JobRole)
admin.site.register(Skill)


class RateInline(admin.TabularInline):
    model = ResourceRate
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = ResourceException
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "department", "availability", "is_placeholder")
    list_filter = ("role", "is_placeholder")
    raw_id_fields = ("user",)
    inlines = [RateInline, ExceptionInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("task", "resource", "units", "work_hours")
    raw_id_fields = ("task", "resource")
