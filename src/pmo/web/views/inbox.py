"""One's inbox: notifications, newest first, marked read one by one or all at once; and how
each kind of notification reaches one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from pmo.core import notifications
from pmo.core.models import Delivery, Notification, NotificationKind

from .common import attempt, page


@page("GET", "POST")
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "read_all":
            notifications.notification_mark_all_read(actor=request.user)
        elif action in ("read", "unread", "open"):
            row = notifications.notification_mark_read(
                actor=request.user, notification_id=request.POST.get("id"), read=action != "unread"
            )
            if action == "open" and row.link and url_has_allowed_host_and_scheme(row.link, None):
                return redirect(row.link)
        elif action == "preferences":
            data = {k: request.POST.get(k, "") for k in NotificationKind.values}
            if (
                attempt(
                    request, lambda: notifications.preferences_update(actor=request.user, data=data)
                )
                is not None
            ):
                messages.success(request, "Preferences saved.")
        return redirect("inbox")
    only_unread = request.GET.get("unread") == "1"
    rows = Notification.objects.filter(recipient=request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    prefs = notifications.preferences_for(request.user)
    return render(
        request,
        "web/inbox/inbox.html",
        {
            "page_obj": page_obj,
            "only_unread": only_unread,
            "preferences": [(k, label, prefs[k]) for k, label in NotificationKind.choices],
            "deliveries": Delivery.choices,
        },
    )


@page("GET")
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The unread count for the header's Inbox link (loaded after the page, so pages stay fast)."""
    count = notifications.unread_count(request.user)
    return HttpResponse(f"Inbox ({count})" if count else "Inbox")
