"""The daily job: remind owners of overdue risks and issues, then send the digests."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmo.controls.models import Risk, RiskStatus
from pmo.core.models import NotificationKind
from pmo.core.notifications import notify
from pmo.core.tasks import send_digests

from .models import Issue, IssueStatus, Reminder


def _once(object_type: str, object_id: int, day: dt.date) -> bool:
    """True the first time today; the daily job may run twice without reminding twice."""
    try:
        with transaction.atomic():
            Reminder.objects.create(object_type=object_type, object_id=object_id, day=day)
    except IntegrityError:
        return False
    return True


def remind_overdue(today: dt.date | None = None) -> int:
    """Tell owners of open issues past their due date and open risks past their review date."""
    today = today or timezone.localdate()
    sent = 0
    issues = Issue.objects.filter(
        status__in=[IssueStatus.OPEN, IssueStatus.IN_PROGRESS],
        due_date__lt=today,
        owner__isnull=False,
    ).select_related("owner", "project")
    for issue in issues:
        if _once("issue", issue.pk, today):
            with transaction.atomic():
                notify(
                    users=[issue.owner],
                    subject=f"[{issue.project.code}] Overdue: I-{issue.number} {issue.title}",
                    body=f"This issue was due on {issue.due_date} and is still "
                    f"{issue.get_status_display().lower()}.",
                    kind=NotificationKind.OVERDUE,
                    link=f"/projects/{issue.project_id}/issues/{issue.pk}/",
                )
            sent += 1
    risks = Risk.objects.filter(
        status=RiskStatus.OPEN, review_date__lt=today, owner__isnull=False
    ).select_related("owner", "project")
    for risk in risks:
        if _once("risk", risk.pk, today):
            with transaction.atomic():
                notify(
                    users=[risk.owner],
                    subject=f"[{risk.project.code}] Review overdue: R-{risk.number} {risk.title}",
                    body=f"This risk was due for review on {risk.review_date}.",
                    kind=NotificationKind.OVERDUE,
                    link=f"/projects/{risk.project_id}/risks/",
                )
            sent += 1
    return sent


def daily_job() -> tuple[int, int]:
    """(reminders, digests emailed)."""
    return remind_overdue(), send_digests()
