from django.contrib import admin

from .models import CharterVersion, Document, Membership, Project, Stakeholder


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "stage", "status", "health", "manager", "sponsor")
    list_filter = ("stage", "status", "health", "portfolio")
    search_fields = ("code", "name")
    # the stage moves only through a passed gate (or a PMO admin's override with a reason), on
    # the project's page, the API or the CLI — never by editing the field here
    readonly_fields = ("stage",)
    inlines = [MembershipInline]


admin.site.register(CharterVersion)
admin.site.register(Stakeholder)
admin.site.register(Document)
