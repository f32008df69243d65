from django.contrib import admin

from .models import (
    Article,
    Lesson,
    ManagerChange,
    Onboarding,
    OnboardingItem,
    OnboardingTrack,
    Tag,
    TrackItem,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "updated_at"]
    list_filter = ["published", "tags"]
    readonly_fields = ["search_text", "version"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["pk", "category", "project", "project_type", "source", "created_at"]
    list_filter = ["category", "project_type", "source"]
    readonly_fields = ["search_text", "version"]
    raw_id_fields = ["project", "recorded_by"]


class TrackItemInline(admin.TabularInline):
    model = TrackItem
    extra = 0


@admin.register(OnboardingTrack)
class OnboardingTrackAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]
    inlines = [TrackItemInline]


class OnboardingItemInline(admin.TabularInline):
    model = OnboardingItem
    extra = 0


@admin.register(Onboarding)
class OnboardingAdmin(admin.ModelAdmin):
    list_display = ["track", "manager", "mentor", "start"]
    inlines = [OnboardingItemInline]


@admin.register(ManagerChange)
class ManagerChangeAdmin(admin.ModelAdmin):
    list_display = ["project", "previous_manager", "new_manager", "assigned_by", "at"]
    readonly_fields = ["at"]
