"""Lessons and articles the support tests share."""

from __future__ import annotations

from typing import Any

import pytest

from pmo.projects.models import Project
from pmo.support import services
from pmo.support.models import Article, Lesson


@pytest.fixture
def article(people: dict[str, Any]) -> Article:
    return services.article_create(
        actor=people["pmo_admin"],
        data={
            "title": "Writing a charter that gets approved",
            "summary": "What sponsors look for.",
            "body": "## Objectives\n\nState each objective with a **measure** and a target.",
            "tags": ["initiation", "charter"],
        },
    )


@pytest.fixture
def lesson(project: Project, people: dict[str, Any]) -> Lesson:
    return services.lesson_record(
        actor=people["manager"],
        project_id=project.pk,
        category="procurement",
        what_happened="The vendor delivered the data migration scripts three weeks late.",
        impact="Go-live slipped by two weeks.",
        recommendation="Put migration milestones with penalties in the vendor contract.",
        tags=["vendor", "Data migration"],
    )
