from django.contrib import admin

from .models import (
    Assessment,
    Criterion,
    IntakeRequest,
    OrganisationGoal,
    Portfolio,
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
