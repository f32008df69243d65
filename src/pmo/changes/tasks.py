"""The daily job as a background task, for a task scheduler; cron calls the command instead."""

from __future__ import annotations

from django_tasks import task

from .reminders import daily_job


@task()
def daily_notifications() -> list[int]:
    return list(daily_job())
