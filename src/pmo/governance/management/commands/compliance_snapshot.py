"""Record today's compliance score of every open project that follows a methodology (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pmo.governance.services import compliance_snapshot_take


class Command(BaseCommand):
    help = "Record today's compliance score of each open project that follows a methodology."

    def handle(self, *args: Any, **options: Any) -> None:
        written = compliance_snapshot_take()
        self.stdout.write(f"{written} compliance snapshot(s) recorded.")
