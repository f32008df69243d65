"""One's own inbox and notification preferences over the API."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from pmo.core import notifications
from pmo.core.models import Delivery, Notification, NotificationKind

from .pagination import Pagination
from .schemas import PathId, problems

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    email_state: str


class InboxFilters(Schema):
    unread: bool = False


class ReadIn(Schema):
    read: bool = True


class UnreadOut(Schema):
    unread: int


class Preferences(Schema):
    general: Delivery | None = None
    task_changed: Delivery | None = None
    change_request: Delivery | None = None
    issue: Delivery | None = None
    overdue: Delivery | None = None


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **problems(422)},
    operation_id="notification_list",
)
@paginate(Pagination)
def notification_list(request: HttpRequest, unread: bool = False) -> Any:
    """One's own notifications, newest first; `unread=true` for the unread only."""
    rows = Notification.objects.filter(recipient=request.auth)
    return rows.filter(read_at__isnull=True) if unread else rows


@router.get("/notifications/unread", response={200: UnreadOut}, operation_id="notification_unread")
def notification_unread(request: HttpRequest) -> Any:
    return {"unread": notifications.unread_count(request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **problems(404)},
    operation_id="notification_mark_read",
)
def notification_mark_read(request: HttpRequest, notification_id: PathId, payload: ReadIn) -> Any:
    """Mark one of one's notifications read (or unread again with `read: false`)."""
    return notifications.notification_mark_read(
        actor=request.auth, notification_id=notification_id, read=payload.read
    )


@router.post(
    "/notifications/read-all", response={200: UnreadOut}, operation_id="notification_mark_all_read"
)
def notification_mark_all_read(request: HttpRequest) -> Any:
    notifications.notification_mark_all_read(actor=request.auth)
    return {"unread": 0}


@router.get(
    "/notification-preferences",
    response={200: dict[str, Delivery]},
    operation_id="notification_preferences_get",
)
def notification_preferences_get(request: HttpRequest) -> Any:
    """How each kind of notification reaches you: immediate, digest, in_app or off."""
    return notifications.preferences_for(request.auth)


@router.patch(
    "/notification-preferences",
    response={200: dict[str, Delivery], **problems(422)},
    operation_id="notification_preferences_update",
)
def notification_preferences_update(request: HttpRequest, payload: Preferences) -> Any:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return notifications.preferences_update(actor=request.auth, data=data)
