from django.contrib import admin

from .models import BudgetLine, CommunicationItem, QualityItem, Risk


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ("project", "number", "title", "kind", "probability", "impact", "status")
    list_filter = ("project", "kind", "status")
    raw_id_fields = ("tasks", "owner")


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ("project", "period", "category", "amount")
    list_filter = ("project", "category")


@admin.register(QualityItem)
class QualityItemAdmin(admin.ModelAdmin):
    list_display = ("project", "deliverable", "review_method", "status", "due_date")
    list_filter = ("project", "status")


@admin.register(CommunicationItem)
class CommunicationItemAdmin(admin.ModelAdmin):
    list_display = ("project", "information", "frequency", "channel", "next_due")
    list_filter = ("project",)
    raw_id_fields = ("audience",)
