"""Background tasks shared by every context: email of notifications and the daily digest.

A send that fails is retried with a growing wait (1, 2, 4, 8 minutes by default); after the
last attempt the notification is marked *email failed* with the error, and stays in the inbox.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import EmailState, Notification

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return int(getattr(settings, "PMO_EMAIL_MAX_ATTEMPTS", 5))


def backoff(attempt: int) -> dt.timedelta:
    """The wait before attempt `attempt + 1`: doubles from PMO_EMAIL_RETRY_SECONDS."""
    first = int(getattr(settings, "PMO_EMAIL_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=first * 2 ** (attempt - 1))


def _with_link(body: str, link: str) -> str:
    if not link:
        return body
    base = str(getattr(settings, "PMO_SITE_URL", "")).rstrip("/")
    return f"{body}\n\n{base}{link}"


@task()
def email_send(*, recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text email; runs in the task worker so a request never waits for SMTP."""
    return send_mail(subject, body, None, recipients, fail_silently=False)


def _retry(notification_ids: list[int], attempt: int) -> None:
    backend = notification_email.get_backend()
    if backend.supports_defer:
        notification_email.using(run_after=timezone.now() + backoff(attempt)).enqueue(
            notification_ids=notification_ids, attempt=attempt + 1
        )
    else:  # a backend that runs tasks at once cannot wait: try again straight away
        notification_email.enqueue(notification_ids=notification_ids, attempt=attempt + 1)


@task()
def notification_email(*, notification_ids: list[int], attempt: int = 1) -> str:
    """Email one notification (the same subject and body for its recipients, one message);
    on failure, try again later."""
    rows = list(
        Notification.objects.select_related("recipient")
        .filter(pk__in=notification_ids, email_state__in=[EmailState.PENDING, EmailState.FAILED])
        .order_by("pk")
    )
    if not rows:
        return "nothing to send"
    ids = [row.pk for row in rows]
    try:
        send_mail(
            rows[0].subject,
            _with_link(rows[0].body, rows[0].link),
            None,
            sorted({row.recipient.email for row in rows}),
            fail_silently=False,
        )
    except Exception as exc:
        last = attempt >= max_attempts()
        Notification.objects.filter(pk__in=ids).update(
            email_attempts=attempt,
            email_error=f"{type(exc).__name__}: {exc}"[:300],
            email_state=EmailState.FAILED if last else EmailState.PENDING,
        )
        if last:
            logger.error("Gave up emailing notifications %s after %s attempts", ids, attempt)
            return "failed"
        _retry(ids, attempt)
        return "retrying"
    Notification.objects.filter(pk__in=ids).update(
        email_state=EmailState.SENT,
        email_attempts=attempt,
        email_error="",
        emailed_at=timezone.now(),
    )
    return "sent"


def digest_body(rows: list[Notification]) -> str:
    lines = [f"{len(rows)} notification(s) since your last digest:", ""]
    for row in rows:
        lines.append(f"- {row.created_at:%Y-%m-%d %H:%M} {row.subject}")
        if row.body:
            lines.append(f"  {row.body}")
        if row.link:
            lines.append(f"  {_with_link('', row.link).strip()}")
    return "\n".join(lines)


def send_digests() -> int:
    """One email per person with the notifications waiting for their digest; returns how many
    people were emailed. A person whose email fails keeps their rows for the next digest."""
    waiting: dict[int, list[Notification]] = defaultdict(list)
    for row in (
        Notification.objects.select_related("recipient")
        .filter(email_state=EmailState.DIGEST)
        .order_by("created_at", "pk")
    ):
        waiting[row.recipient_id].append(row)
    sent = 0
    for rows in waiting.values():
        recipient = rows[0].recipient
        try:
            send_mail(
                f"Your daily PMO digest: {len(rows)} notification(s)",
                digest_body(rows),
                None,
                [recipient.email],
                fail_silently=False,
            )
        except Exception as exc:
            logger.warning("Digest to %s failed: %s", recipient.email, exc)
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                email_error=f"{type(exc).__name__}: {exc}"[:300]
            )
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                email_state=EmailState.SENT, emailed_at=timezone.now(), email_error=""
            )
        sent += 1
    return sent


@task()
def daily_digest() -> int:
    return send_digests()
