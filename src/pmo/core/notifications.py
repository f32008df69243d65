"""Telling people about changes: an inbox row written with the change, email queued after the
transaction commits, never blocking it.

Each person chooses, per kind of notification, whether it reaches them in the inbox and by email
at once, in the inbox and the daily digest, in the inbox only, or not at all. A rolled-back change
tells nobody: its inbox rows roll back with it and no email is queued.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .errors import NotFound, ValidationFailed
from .models import Delivery, EmailState, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_muted", default=False)

NOTIFICATION_NOT_FOUND = "Notification {id} not found."
UNKNOWN_KIND = "Unknown notification kind '{kind}'; expected one of {kinds}."
UNKNOWN_DELIVERY = "Unknown delivery '{value}' for {kind}; expected one of {values}."
DEFAULT_DELIVERY = Delivery.IMMEDIATE


@contextlib.contextmanager
def notifications_muted() -> Iterator[None]:
    """Tell nobody about the writes inside the block (loading demo or imported data)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How `kind` reaches each of these people (one query)."""
    ids = set(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, DEFAULT_DELIVERY) for pk in ids}


def notify(
    *,
    users: Iterable[Any],
    subject: str,
    body: str,
    kind: str = NotificationKind.GENERAL,
    link: str = "",
) -> list[Notification]:
    """Put a notification in the inbox of each of `users` (inside the current transaction) and
    email those who want it at once after the transaction commits."""
    if _muted.get():
        return []
    people = {u.pk: u for u in users if u is not None and getattr(u, "is_active", True) and u.pk}
    if not people:
        return []
    how = deliveries(people, kind)
    rows = []
    for pk, user in sorted(people.items()):
        delivery = how[pk]
        if delivery == Delivery.OFF:
            continue
        state = EmailState.NONE
        if getattr(user, "email", "") and delivery == Delivery.IMMEDIATE:
            state = EmailState.PENDING
        elif getattr(user, "email", "") and delivery == Delivery.DIGEST:
            state = EmailState.DIGEST
        rows.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link[:300],
                email_state=state,
            )
        )
    created = Notification.objects.bulk_create(rows)
    pending = [n.pk for n in created if n.email_state == EmailState.PENDING and n.pk]
    if pending:

        def enqueue() -> None:
            from .tasks import notification_email

            try:
                notification_email.enqueue(notification_ids=pending)
            except Exception:  # a failed send must never undo the change that caused it
                logger.exception("Could not queue the email of notifications %s", pending)

        transaction.on_commit(enqueue)
    return created


# --- the inbox ---------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _own(user: Any, notification_id: Any) -> Notification:
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound(NOTIFICATION_NOT_FOUND.format(id=notification_id)) from None
    row = Notification.objects.filter(recipient=user, pk=pk).first()
    if row is None:  # someone else's notification is as good as missing
        raise NotFound(NOTIFICATION_NOT_FOUND.format(id=notification_id))
    return row


@transaction.atomic
def notification_mark_read(*, actor: Any, notification_id: Any, read: bool = True) -> Notification:
    row = _own(actor, notification_id)
    row.read_at = (row.read_at or timezone.now()) if read else None
    Notification.objects.filter(pk=row.pk).update(read_at=row.read_at)
    return row


@transaction.atomic
def notification_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_for(user: Any) -> dict[str, str]:
    """Every kind with how it reaches `user`, defaults included."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in NotificationKind.values}


@transaction.atomic
def preferences_update(*, actor: Any, data: Mapping[str, Any]) -> dict[str, str]:
    """Set how some kinds reach `actor`: {kind: delivery}; kinds not named stay as they are."""
    for kind, value in data.items():
        if kind not in NotificationKind.values:
            raise ValidationFailed(
                UNKNOWN_KIND.format(kind=kind, kinds=", ".join(NotificationKind.values))
            )
        if value not in Delivery.values:
            raise ValidationFailed(
                UNKNOWN_DELIVERY.format(value=value, kind=kind, values=", ".join(Delivery.values))
            )
    for kind, value in data.items():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"delivery": value}
        )
    return preferences_for(actor)


# --- hooks -------------------------------------------------------------------------------------

tasks_rescheduled = Signal()  # sent with project=, moved={task id: (old start, old finish, new...)}


def tasks_moved(project: Any, moved: Mapping[int, tuple[Any, Any, Any, Any]]) -> None:
    """Tell the receivers (who tell the assignees) that rescheduling moved these tasks."""
    if moved and not _muted.get():
        tasks_rescheduled.send(sender=type(project), project=project, moved=dict(moved))
