"""Telling people about changes: queued after the transaction commits, never blocking it."""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def notifications_muted() -> Iterator[None]:
    """Tell nobody about the writes inside the block (loading demo or imported data)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notify(*, users: Iterable[Any], subject: str, body: str) -> None:
    """Email `users` once the current transaction commits; a rolled-back change tells nobody."""
    if _muted.get():
        return
    recipients = sorted({u.email for u in users if u is not None and getattr(u, "email", "")})
    if not recipients:
        return

    def enqueue() -> None:
        from .tasks import email_send

        try:
            email_send.enqueue(recipients=recipients, subject=subject, body=body)
        except Exception:  # a failed send must never undo the change that caused it
            logger.exception("Could not queue the notification %r", subject)

    transaction.on_commit(enqueue)
