"""Notifications reach a real SMTP server; a server that is down is retried, then given up on,
and never undoes the change that caused the notification."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from tests.changes import conftest as changes_fixtures

from pmo.changes import services
from pmo.controls.models import Risk
from pmo.core import notifications
from pmo.core.errors import NotFound, ValidationFailed
from pmo.core.models import EmailState, Notification

pytestmark = pytest.mark.django_db(transaction=True)
smtp = changes_fixtures.smtp  # a real SMTP server on a free port
free_port = changes_fixtures.free_port


def test_email_arrives_at_the_smtp_server(people, smtp):
    with transaction.atomic():
        notifications.notify(users=[people["member"]], subject="Hello", body="Body", link="/x/")
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message.rcpt_tos == [people["member"].email]
    assert b"Subject: Hello" in message.content and b"/x/" in message.content
    row = Notification.objects.get(recipient=people["member"])
    assert row.email_state == EmailState.SENT and row.read_at is None


def test_a_rolled_back_change_tells_nobody(people, smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(users=[people["member"]], subject="Hello", body="Body")
        raise RuntimeError
    assert smtp.messages == [] and not Notification.objects.exists()


def test_server_down_is_retried_then_marked_failed_without_undoing_the_change(
    project, people, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.PMO_EMAIL_MAX_ATTEMPTS = 3
    issue = services.issue_create(
        actor=people["manager"], project_id=project.pk,
        data={"title": "Vendor late", "owner_id": people["member"].pk},
    )  # fmt: skip
    row = Notification.objects.get(recipient=people["member"])
    assert row.email_state == EmailState.FAILED
    assert row.email_attempts == 3 and "Connection" in row.email_error
    assert type(issue).objects.filter(pk=issue.pk).exists()


def test_preferences_off_in_app_and_digest(people, smtp):
    member = people["member"]
    with pytest.raises(ValidationFailed):
        notifications.preferences_update(actor=member, data={"issue": "carrier pigeon"})
    notifications.preferences_update(
        actor=member, data={"issue": "off", "general": "in_app", "change_request": "digest"}
    )
    with transaction.atomic():
        for kind in ("issue", "general", "change_request", "change_request"):
            notifications.notify(users=[member], subject=f"About {kind}", body="", kind=kind)
    assert smtp.messages == []
    assert Notification.objects.filter(recipient=member).count() == 3
    call_command("send_daily_digest")
    assert len(smtp.messages) == 1
    assert b"2 notification(s)" in smtp.messages[0].content
    call_command("send_daily_digest")
    assert len(smtp.messages) == 1


def test_daily_job_reminds_owners_of_overdue_issues_and_risks_once_a_day(project, people, smtp):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    services.issue_create(
        actor=people["manager"], project_id=project.pk,
        data={"title": "Late", "owner_id": people["manager"].pk, "due_date": yesterday},
    )  # fmt: skip
    Risk.objects.create(
        project=project, number=1, title="Vendor", owner=people["member"], review_date=yesterday
    )
    call_command("send_daily_digest")
    call_command("send_daily_digest")
    subjects = sorted(Notification.objects.filter(kind="overdue").values_list("subject", flat=True))
    assert len(subjects) == 2
    assert any("I-1" in s for s in subjects) and any("R-1" in s for s in subjects)


def test_mark_read_only_ones_own(people):
    with transaction.atomic():
        (row,) = notifications.notify(users=[people["member"]], subject="Hi", body="")
    with pytest.raises(NotFound):
        notifications.notification_mark_read(actor=people["manager"], notification_id=row.pk)
    notifications.notification_mark_read(actor=people["member"], notification_id=row.pk)
    assert notifications.unread_count(people["member"]) == 0
