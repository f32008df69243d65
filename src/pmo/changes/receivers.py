"""Assignees hear when the plan moves their tasks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from pmo.core.models import NotificationKind
from pmo.core.notifications import notify


def tasks_moved(
    *, project: Any, moved: dict[int, tuple[dt.date | None, dt.date | None, Any, Any]], **_: Any
) -> None:
    """`moved` maps task ids to (old start, old finish, new start, new finish); one query finds
    who is assigned to those tasks, and each person gets one notification listing theirs."""
    from pmo.resources.models import Assignment

    rows = (
        Assignment.objects.filter(task_id__in=list(moved), resource__user__isnull=False)
        .select_related("resource__user", "task")
        .order_by("task__wbs")
    )
    per_user: dict[int, tuple[Any, list[str]]] = defaultdict(lambda: (None, []))
    for a in rows:
        user = a.resource.user
        old_start, old_finish, start, finish = moved[a.task_id]
        lines = per_user[user.pk][1]
        lines.append(
            f"- {a.task.wbs} {a.task.name}: {old_start} – {old_finish} → {start} – {finish}"
        )
        per_user[user.pk] = (user, lines)
    for user, lines in per_user.values():
        notify(
            users=[user],
            subject=f"[{project.code}] The dates of {len(lines)} of your tasks changed",
            body="\n".join(lines),
            kind=NotificationKind.TASK_CHANGED,
            link=f"/projects/{project.pk}/plan/",
        )
