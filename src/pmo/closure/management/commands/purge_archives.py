"""`pmo manage purge_archives`: delete archive bundles past PMO_ARCHIVE_RETENTION_YEARS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pmo.closure.services import archives_purge


class Command(BaseCommand):
    help = "Delete the archive bundles of closed projects whose retention period is over."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{archives_purge()} expired archive bundle(s) deleted.")
