from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Benefit,
    BudgetReturn,
    Contract,
    Deliverable,
    PostImplementationReview,
    ProjectArchive,
    Reopening,
    ResourceRelease,
    SignOff,
    Vendor,
    VendorAssessment,
)


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "state", "shared_with_client", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("project", "requested_by", "decided_by")


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """Read-only: a sign-off is permanent."""

    list_display = ("project", "decision", "signer_name", "role", "signed_at", "ip_address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "email")
    search_fields = ("name",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("project", "reference", "vendor", "value", "status", "closure_date")
    list_filter = ("status",)
    raw_id_fields = ("project", "vendor", "closed_by", "closure_documents")


@admin.register(VendorAssessment)
class VendorAssessmentAdmin(admin.ModelAdmin):
    list_display = ("vendor", "contract", "quality", "timeliness", "cost", "communication")
    raw_id_fields = ("contract", "vendor", "assessed_by")


@admin.register(ResourceRelease)
class ResourceReleaseAdmin(admin.ModelAdmin):
    list_display = ("project", "released_on", "hours_released", "budget_returned")
    raw_id_fields = ("project", "released_by")


@admin.register(BudgetReturn)
class BudgetReturnAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "project", "date", "amount")
    raw_id_fields = ("portfolio", "project", "recorded_by")


@admin.register(PostImplementationReview)
class PostImplementationReviewAdmin(admin.ModelAdmin):
    list_display = ("project", "state", "finalised_at")
    raw_id_fields = ("project", "finalised_by")


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "planned_value", "planned_by")
    raw_id_fields = ("project", "owner")


@admin.register(Reopening)
class ReopeningAdmin(admin.ModelAdmin):
    list_display = ("project", "reopened_by", "created_at")
    raw_id_fields = ("project", "reopened_by")


@admin.register(ProjectArchive)
class ProjectArchiveAdmin(admin.ModelAdmin):
    list_display = ("project", "created_at", "size", "retain_until")
    raw_id_fields = ("project", "built_by")
