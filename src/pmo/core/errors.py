"""The one family of domain errors; interfaces turn them into HTTP answers (problem+json).

Messages are written for the person who made the request; tests assert their exact text.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that the domain refuses, with a message fit to show."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Missing, or not visible to this person: the two answer alike on purpose."""

    status = 404
    title = "Not found"


class Forbidden(ApplicationError):
    """Visible, but this person may not take the action."""

    status = 403
    title = "Forbidden"


class ValidationFailed(ApplicationError):
    """The input breaks a rule; `extra["errors"]` maps fields to messages where known."""

    status = 422
    title = "Invalid input"


class Conflict(ApplicationError):
    """Someone else changed the record since it was read, or its state forbids the change."""

    status = 409
    title = "Conflict"


STALE_VERSION = (
    "{thing} was changed by someone else since you opened it (your version {expected}, "
    "current version {current}). Reload it and apply your change again."
)
