"""The role ladder of every write on the controls, and of the reads."""

import datetime as dt

import pytest

from pmo.controls import selectors, services
from pmo.core.errors import Forbidden, NotFound

MARCH = dt.date(2027, 3, 1)
LADDER = [
    ("outsider", NotFound),
    ("client", NotFound),
    ("member", Forbidden),
    ("viewer", Forbidden),
    ("sponsor", Forbidden),
    ("manager", None),
    ("pmo_analyst", None),
    ("pmo_admin", None),
]
READERS = [(who, NotFound if who in ("outsider", "client") else None) for who, _ in LADDER]


@pytest.fixture
def existing(project, people):
    """One row of each kind, made by the manager."""
    pm, pid = people["manager"], project.pk
    return {
        "budget_line": services.budget_line_create(
            actor=pm, project_id=pid, data={"category": "other", "period": MARCH, "amount": 1}
        ),
        "risk": services.risk_create(actor=pm, project_id=pid, data={"title": "Strike"}),
        "quality_item": services.quality_item_create(
            actor=pm, project_id=pid, data={"deliverable": "Portal", "acceptance_criteria": "UAT"}
        ),
        "communication_item": services.communication_item_create(
            actor=pm, project_id=pid, data={"information": "Newsletter"}
        ),
    }


# action name, what is refused in the message, call(actor, project_id, existing rows)
WRITES = {
    "budget_line_create": (
        "edit the budget",
        lambda a, p, e: services.budget_line_create(
            actor=a, project_id=p, data={"category": "labour", "period": MARCH, "amount": 5}
        ),
    ),
    "budget_line_update": (
        "edit the budget",
        lambda a, p, e: services.budget_line_update(
            actor=a,
            project_id=p,
            budget_line_id=e["budget_line"].pk,
            version=None,
            data={"amount": 9},
        ),
    ),
    "budget_line_delete": (
        "edit the budget",
        lambda a, p, e: services.budget_line_delete(
            actor=a, project_id=p, budget_line_id=e["budget_line"].pk
        ),
    ),
    "risk_create": (
        "edit the risk register",
        lambda a, p, e: services.risk_create(actor=a, project_id=p, data={"title": "Flood"}),
    ),
    "risk_update": (
        "edit the risk register",
        lambda a, p, e: services.risk_update(
            actor=a, project_id=p, risk_id=e["risk"].pk, version=None, data={"impact": 5}
        ),
    ),
    "risk_delete": (
        "edit the risk register",
        lambda a, p, e: services.risk_delete(actor=a, project_id=p, risk_id=e["risk"].pk),
    ),
    "quality_item_create": (
        "edit the quality plan",
        lambda a, p, e: services.quality_item_create(
            actor=a, project_id=p, data={"deliverable": "Docs", "acceptance_criteria": "Read"}
        ),
    ),
    "quality_item_update": (
        "edit the quality plan",
        lambda a, p, e: services.quality_item_update(
            actor=a,
            project_id=p,
            quality_item_id=e["quality_item"].pk,
            version=None,
            data={"status": "in_review"},
        ),
    ),
    "quality_item_delete": (
        "edit the quality plan",
        lambda a, p, e: services.quality_item_delete(
            actor=a, project_id=p, quality_item_id=e["quality_item"].pk
        ),
    ),
    "communication_item_create": (
        "edit the communication plan",
        lambda a, p, e: services.communication_item_create(
            actor=a, project_id=p, data={"information": "Demo"}
        ),
    ),
    "communication_item_update": (
        "edit the communication plan",
        lambda a, p, e: services.communication_item_update(
            actor=a,
            project_id=p,
            communication_item_id=e["communication_item"].pk,
            version=None,
            data={"channel": "meeting"},
        ),
    ),
    "communication_item_delete": (
        "edit the communication plan",
        lambda a, p, e: services.communication_item_delete(
            actor=a, project_id=p, communication_item_id=e["communication_item"].pk
        ),
    ),
}

READS = {
    "risk_list": lambda a, p: list(selectors.risk_list(actor=a, project=p)),
    "risk_heat_map": lambda a, p: selectors.risk_heat_map(actor=a, project=p),
    "budget_line_list": lambda a, p: list(selectors.budget_line_list(actor=a, project=p)),
    "budget_summary": lambda a, p: selectors.budget_summary(actor=a, project=p),
    "quality_items": lambda a, p: list(selectors.quality_items(actor=a, project=p)),
    "communication_items": lambda a, p: list(selectors.communication_items(actor=a, project=p)),
}


@pytest.mark.parametrize(("who", "refusal"), LADDER)
@pytest.mark.parametrize("action", sorted(WRITES))
def test_write_role_ladder(project, people, existing, action, who, refusal):
    words, call = WRITES[action]
    if refusal is None:
        call(people[who], project.pk, existing)
        return
    with pytest.raises(refusal) as exc:
        call(people[who], project.pk, existing)
    expected = (
        f"Project {project.pk} not found."
        if refusal is NotFound
        else f"You may not {words} on project PRJ-001."
    )
    assert exc.value.message == expected


@pytest.mark.parametrize(("who", "refusal"), READERS)
@pytest.mark.parametrize("read", sorted(READS))
def test_read_role_ladder(project, people, existing, read, who, refusal):
    if refusal is None:
        READS[read](people[who], project)
        return
    with pytest.raises(refusal, match=f"Project {project.pk} not found."):
        READS[read](people[who], project)
