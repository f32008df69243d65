"""The daily job of status reporting as a background task: open the reports that fell due."""

from __future__ import annotations

from django_tasks import task

from .services import reports_open_due


@task()
def open_due_status_reports() -> int:
    return len(reports_open_due())
