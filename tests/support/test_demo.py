"""The demo: a knowledge base for every stage, lessons that projects in initiation are offered,
and one new project manager half-way through onboarding."""

from __future__ import annotations

from pmo.projects.models import Project, Stage
from pmo.support import selectors
from pmo.support.models import Article, Lesson, Onboarding


def test_demo_has_articles_lessons_suggestions_and_an_onboarding(db, demo_data):
    for stage in ("initiation", "planning", "execution", "closing"):
        assert Article.objects.filter(tags__name=stage).exists(), stage
    assert Lesson.objects.count() >= 12
    assert Lesson.objects.filter(source="closing").exists()
    initiation = Project.objects.filter(stage=Stage.INITIATION)
    assert initiation.exists()
    for project in initiation:
        found = selectors.lesson_suggestions(project)
        assert found, project.code
        assert all(s.why for s in found)
    onboarding = Onboarding.objects.select_related("manager", "mentor").get()
    assert (onboarding.manager.username, onboarding.mentor.username) == ("pm5", "pm")
    ((_, progress),) = selectors.onboarding_list(onboarding.manager)
    assert (progress.done, progress.total, progress.overdue) == (4, 8, 1)
