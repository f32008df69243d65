from django.contrib import admin

from .models import EvmSnapshot, ReportingCadence, StatusReport


@admin.register(ReportingCadence)
class ReportingCadenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "frequency", "day_due", "starts_on", "active"]


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ["project", "due_date", "state", "rag_overall", "submitted_at"]
    list_filter = ["state", "rag_overall"]


@admin.register(EvmSnapshot)
class EvmSnapshotAdmin(admin.ModelAdmin):
    list_display = ["project", "status_date", "spi", "cpi", "eac"]
