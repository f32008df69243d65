"""The API object: authentication, problem+json errors, and the routers of each context."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from pmo.core.errors import ApplicationError
from pmo.core.middleware import problem_response

from . import (
    accounts,
    changes,
    closure,
    controls,
    execution,
    governance,
    monitoring,
    notifications,
    plan_files,
    planning,
    portfolio,
    projects,
    resources,
    riskanalysis,
    support,
)
from .auth import SessionAuth, TokenAuth

logger = logging.getLogger(__name__)

NO_SUCH_ENDPOINT = "There is no {method} /api/v1/{path}; the endpoints are listed at /api/v1/docs."
# Where a parameter came from is noise to the reader of an error; the field name is what matters.
_SOURCES = ("body", "path", "query", "form", "file", "cookie", "header")
_PARAMETER_MODELS = ("payload", "filters")
UNEXPECTED = "Something went wrong on our side; the error was logged. Try again later."

api = NinjaAPI(
    title="pmo API",
    version="1",
    description=(
        "The REST API of pmo, a project management office in a box. Authenticate with a personal "
        "token (`Authorization: Bearer pmo_…`, created under *Account → API tokens*) or the web "
        "session. Errors are RFC 7807 `application/problem+json`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return problem_response(exc.status, exc.title, exc.message, **exc.extra)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _field(e.get("loc", ())),
            "message": e.get("msg", ""),
        }
        for e in exc.errors
    ]
    detail = "; ".join(
        f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
    )
    return problem_response(422, "Invalid input", detail or "Invalid input.", errors=errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        401, "Unauthorized", "Authenticate with a valid API token or a logged-in session."
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # e.g. 400 for a body that is not JSON, 403 for a missing CSRF token, 405 for a wrong method
    return problem_response(exc.status_code, _title(exc.status_code), str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "Not found", str(exc) or "Not found.")


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error in %s %s", request.method, request.path)
    return problem_response(500, "Internal server error", UNEXPECTED)


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc]
    if parts[:1] and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts[:1] and parts[0] in _PARAMETER_MODELS:
        parts = parts[1:]
    return ".".join(parts)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


api.add_router("/projects", projects.router)
api.add_router("/projects", controls.router)
api.add_router("", accounts.router)
api.add_router("", planning.router)
api.add_router("", plan_files.router)
api.add_router("", resources.router)
api.add_router("", portfolio.router)
api.add_router("", execution.router)
api.add_router("", changes.router)
api.add_router("", notifications.router)
api.add_router("", closure.router)
api.add_router("", riskanalysis.router)
api.add_router("", support.router)
api.add_router("", monitoring.router)
api.add_router("", governance.router)

# Last, so that it only catches paths no other operation matched: unknown routes answer
# problem+json like everything else under /api/v1/.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    auth=None,
    include_in_schema=False,
)
def no_such_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    return problem_response(
        404, "Not found", NO_SUCH_ENDPOINT.format(method=request.method, path=rest)
    )


api.add_router("", fallback)
