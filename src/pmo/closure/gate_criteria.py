"""The closing gate's criteria this context knows: deliverables accepted, contracts closed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmo.governance.criteria import Outcome, automatic_criterion

from .models import Contract, ContractStatus, Deliverable, DeliverableState


@automatic_criterion(
    "deliverables_accepted",
    "Deliverables accepted",
    "Every deliverable of the project was accepted, with a sign-off record.",
)
def deliverables_accepted(project: Any, params: Mapping[str, Any]) -> Outcome:
    states = list(Deliverable.objects.filter(project=project).values_list("name", "state"))
    if not states:
        return Outcome(False, "No deliverables are recorded for acceptance.")
    pending = [name for name, state in states if state != DeliverableState.ACCEPTED]
    if pending:
        return Outcome(False, f"{len(pending)} deliverable(s) not accepted: {', '.join(pending)}.")
    return Outcome(True, f"All {len(states)} deliverable(s) accepted.")


@automatic_criterion(
    "contracts_closed",
    "Contracts closed",
    "Every contract of the project is closed, with its final invoice.",
)
def contracts_closed(project: Any, params: Mapping[str, Any]) -> Outcome:
    refs = list(
        Contract.objects.filter(project=project)
        .exclude(status=ContractStatus.CLOSED)
        .values_list("reference", flat=True)
    )
    if refs:
        return Outcome(False, f"{len(refs)} contract(s) still open: {', '.join(refs)}.")
    total = Contract.objects.filter(project=project).count()
    return Outcome(True, f"All {total} contract(s) closed." if total else "No contracts.")
