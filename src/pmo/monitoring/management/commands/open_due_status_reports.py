"""`pmo manage open_due_status_reports`: open the status reports that fell due; tell the PMs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pmo.monitoring.services import reports_open_due


class Command(BaseCommand):
    help = "Open the status reports that fell due under the reporting cadences; tell each PM."

    def handle(self, *args: Any, **options: Any) -> None:
        opened = reports_open_due()
        self.stdout.write(f"{len(opened)} status report(s) opened.")
