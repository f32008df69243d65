"""`pmo manage send_daily_digest`: remind owners of overdue risks and issues, email digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pmo.changes.reminders import daily_job


class Command(BaseCommand):
    help = "Remind owners of overdue risks and issues, then email each person their daily digest."

    def handle(self, *args: Any, **options: Any) -> None:
        reminders, digests = daily_job()
        self.stdout.write(f"{reminders} overdue reminder(s); {digests} digest(s) emailed.")
