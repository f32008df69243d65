"""The API object: authentication, problem+json errors, and the routers of each context."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from pmo.core.errors import ApplicationError
from pmo.core.middleware import problem_response

from .auth import SessionAuth, TokenAuth

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
            "field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "payload")),
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
    return problem_response(exc.status_code, "Error", str(exc))
