"""The gate criterion this context knows: lessons recorded for the project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmo.governance.criteria import Outcome, automatic_criterion

from .models import Lesson


@automatic_criterion(
    "lessons_recorded",
    "Lessons recorded",
    "At least one lesson recorded for the project.",
    defaults={"minimum": 1},
)
def lessons_recorded(project: Any, params: Mapping[str, Any]) -> Outcome:
    minimum = max(1, int(params.get("minimum", 1)))
    count = Lesson.objects.filter(project=project).count()
    if count < minimum:
        wanted = "at least one lesson" if minimum == 1 else f"at least {minimum} lessons"
        return Outcome(False, f"{count} lesson(s) recorded; the gate asks for {wanted}.")
    return Outcome(True, f"{count} lesson(s) recorded.")
