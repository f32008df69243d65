"""The resource pool and its usage across projects: a heat map of people (or roles) by week."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pmo.resources import selectors

from .common import page

WEEKS = 12


def _start(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


@page("GET")
def resource_pool(request: HttpRequest) -> HttpResponse:
    resources = selectors.resource_list(actor=request.user)
    return render(request, "web/resources/pool.html", {"resources": resources})


@page("GET")
def resource_usage(request: HttpRequest) -> HttpResponse:
    group_by = "role" if request.GET.get("group_by") == "role" else "person"
    usage = selectors.resource_usage(
        actor=request.user,
        start=_start(request.GET.get("start", "")),
        weeks=WEEKS,
        group_by=group_by,
    )
    return render(request, "web/resources/usage.html", {"usage": usage})
