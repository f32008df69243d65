"""The daily purge of expired archive bundles, as a background task for a task scheduler."""

from __future__ import annotations

from django_tasks import task

from .services import archives_purge


@task()
def purge_expired_archives() -> int:
    return archives_purge()
