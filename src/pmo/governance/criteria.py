"""Automatic gate criteria: checks computed from a project's data, in a registry the apps extend.

A context that knows a fact about a project registers a criterion for it, in a module its
AppConfig.ready() imports (for example ``pmo/closure/gate_criteria.py``)::

    from pmo.governance.criteria import Outcome, automatic_criterion

    @automatic_criterion(
        "contracts_closed",
        "Contracts closed",
        "Every contract of the project is closed, with its final invoice.",
    )
    def contracts_closed(project, params):
        open_ = Contract.objects.filter(project=project).exclude(status="closed").count()
        if open_:
            return Outcome(False, f"{open_} contract(s) still open.")
        return Outcome(True, "All contracts closed.")

``params`` holds the criterion's settings in the methodology (for example ``{"days": 30}``);
``detail`` tells the project manager exactly what is missing, or what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_CRITERION = "There is no automatic criterion '{key}'; the known ones are: {known}."


@dataclass(frozen=True)
class Outcome:
    """The result of checking one criterion on one project."""

    met: bool
    detail: str


Check = Callable[[Any, Mapping[str, Any]], Outcome]


@dataclass(frozen=True)
class AutomaticCriterion:
    key: str
    label: str
    description: str
    check: Check
    # settings the criterion takes, with their defaults, e.g. {"days": 30}
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def evaluate(self, project: Any, params: Mapping[str, Any] | None = None) -> Outcome:
        return self.check(project, {**self.defaults, **(params or {})})


_REGISTRY: dict[str, AutomaticCriterion] = {}


def automatic_criterion(
    key: str, label: str, description: str = "", *, defaults: Mapping[str, Any] | None = None
) -> Callable[[Check], Check]:
    """Register `check` under `key`; registering the same key twice replaces the first."""

    def register(check: Check) -> Check:
        _REGISTRY[key] = AutomaticCriterion(key, label, description, check, dict(defaults or {}))
        return check

    return register


def registered() -> list[AutomaticCriterion]:
    """Every automatic criterion, by label."""
    return sorted(_REGISTRY.values(), key=lambda c: c.label)


def criterion(key: str) -> AutomaticCriterion:
    try:
        return _REGISTRY[key]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise LookupError(UNKNOWN_CRITERION.format(key=key, known=known)) from None
