"""The support context's panels on a project's overview: help for the stage, lessons from
similar past projects (in initiation) and the project's own lessons."""

from __future__ import annotations

from typing import Any

from django import template

from pmo.projects.models import Stage
from pmo.support import selectors

register = template.Library()


@register.inclusion_tag("web/support/_project_panels.html", takes_context=True)
def support_panels(context: Any, project: Any, can: Any) -> dict[str, Any]:
    if can is None or not can.view_internal:  # external clients see none of it
        return {"show": False}
    initiation = project.stage == Stage.INITIATION
    return {
        "show": True,
        "project": project,
        "can": can,
        "articles": selectors.stage_articles(project),
        "guidance": selectors.stage_guidance(project),
        "suggestions": selectors.lesson_suggestions(project) if initiation else [],
        "initiation": initiation,
        "lesson_count": selectors.lessons_for_project(project).count(),
        "may_record": can.relation in ("pmo", "manager", "sponsor", "member") and not can.closed,
    }
