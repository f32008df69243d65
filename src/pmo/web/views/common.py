"""What every view shares: login and method guards, domain errors as HTTP answers, project pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from pmo.core.errors import ApplicationError, Forbidden, NotFound
from pmo.projects.models import Project
from pmo.projects.policies import (
    ProjectPermissions,
    access_project,
    permissions_or_404,
    require,
    require_internal,
)

T = TypeVar("T")
View = Callable[..., HttpResponse]


def page(*methods: str) -> Callable[[View], View]:
    """Login required, only `methods` allowed; NotFound answers 404 and Forbidden 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc

        return login_required(require_http_methods(list(methods))(wrapped))

    return decorate


def attempt(
    request: HttpRequest, call: Callable[[], T], *, form: forms.Form | None = None
) -> T | None:
    """Run a service call; a refusal becomes a form error (or a message) and None.

    NotFound and Forbidden pass through to `page`, which answers 404 and 403.
    """
    try:
        return call()
    except (NotFound, Forbidden):
        raise
    except ApplicationError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return None


def project_and_permissions(
    request: HttpRequest, project_id: int, *, internal: bool = False, edit: str = ""
) -> tuple[Project, ProjectPermissions]:
    """The project as this person may see it, and what they may do on it.

    `internal`: the page is hidden (not found) from external clients; `edit`: the page is a form
    for editors only, and names the action for the refusal.
    """
    project = access_project(request.user, project_id)
    perms = (require_internal if internal else permissions_or_404)(request.user, project)
    if edit:
        require(perms.edit, action=edit, project=project)
    return project, perms
