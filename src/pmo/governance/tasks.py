"""The daily compliance snapshot as a background task; cron may call `pmo compliance-snapshot`."""

from __future__ import annotations

from django_tasks import task

from .services import compliance_snapshot_take


@task()
def compliance_daily() -> int:
    return compliance_snapshot_take()
