"""Background tasks shared by every context."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def email_send(*, recipients: list[str], subject: str, body: str) -> int:
    """Send one plain-text email; runs in the task worker so a request never waits for SMTP."""
    return send_mail(subject, body, None, recipients, fail_silently=False)
