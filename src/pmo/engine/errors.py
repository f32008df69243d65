"""Errors raised by the scheduling engine; all of them subclass `EngineError`."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CalendarError",
    "CycleError",
    "DuplicateActivityError",
    "EngineError",
    "InvalidActivityError",
    "InvalidConstraintError",
    "InvalidLinkError",
    "NegativeDurationError",
    "UnknownActivityError",
]


class EngineError(Exception):
    """Base class of every error the engine raises; never a Django class."""


class InvalidActivityError(EngineError, ValueError):
    """An activity is malformed (empty id, bad duration type, ...)."""


class DuplicateActivityError(InvalidActivityError):
    """Two activities share one id."""

    def __init__(self, activity_id: str) -> None:
        super().__init__(f"Duplicate activity id {activity_id!r}")
        self.activity_id = activity_id


class NegativeDurationError(InvalidActivityError):
    """An activity has a duration below zero."""

    def __init__(self, activity_id: str, duration: int) -> None:
        super().__init__(f"Activity {activity_id!r} has a negative duration ({duration})")
        self.activity_id = activity_id
        self.duration = duration


class InvalidLinkError(EngineError, ValueError):
    """A link is malformed (unknown type, both a lag and a percentage lag, ...)."""


class UnknownActivityError(InvalidLinkError):
    """A link or a WBS parent names an activity that is not in the network."""

    def __init__(self, message: str, activity_id: str) -> None:
        super().__init__(message)
        self.activity_id = activity_id


class InvalidConstraintError(EngineError, ValueError):
    """A constraint is malformed (unknown type, missing offset, ...)."""


class CycleError(EngineError, ValueError):
    """The network has a cycle; ``cycle`` lists the activity ids on it, first id repeated last."""

    def __init__(self, cycle: Sequence[str]) -> None:
        super().__init__("Cyclic network: " + " -> ".join(cycle))
        self.cycle = tuple(cycle)


class CalendarError(EngineError, ValueError):
    """A calendar is malformed or a date falls outside the range it can convert."""
