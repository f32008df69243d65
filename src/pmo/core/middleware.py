"""Request guards that answer before a view runs."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

BODY_TOO_LARGE = "The request body is {size} bytes; the limit is {limit} bytes."


def problem_response(status: int, title: str, detail: str, **extra: object) -> HttpResponse:
    """An RFC 7807 problem+json answer."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


class RequestErrorMiddleware:
    """Refuses oversized bodies with 413 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if limit is not None and size > limit:
            detail = BODY_TOO_LARGE.format(size=size, limit=limit)
            if request.path.startswith("/api/"):
                return problem_response(413, "Payload too large", detail)
            return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
