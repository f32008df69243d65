"""Writes on budget, risks, quality and communication: validation, links, versions, audit."""

import datetime as dt
from decimal import Decimal

import pytest

from pmo.controls import services
from pmo.controls.models import BudgetLine, Risk
from pmo.core.errors import Conflict, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.projects.services import stakeholder_create


def _risk(project, people, **data):
    return services.risk_create(
        actor=people["manager"], project_id=project.pk, data={"title": "Supplier late", **data}
    )


def _refused(call, **kw):
    with pytest.raises(ValidationFailed) as exc:
        call(**kw)
    return exc.value.message


# --- risks --------------------------------------------------------------------------------------


def test_risks_are_numbered_per_project_and_scored(project, people, other_project):
    first = _risk(project, people, probability=4, impact=5)
    second = _risk(project, people)
    elsewhere = _risk(other_project, people)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert str(first) == "R-1 Supplier late"
    assert (first.score, second.score) == (20, 9)


def test_threat_strategies_are_refused_for_opportunities_and_back(project, people):
    message = _refused(
        services.risk_create,
        actor=people["manager"],
        project_id=project.pk,
        data={"title": "Vendor discount", "kind": "opportunity", "strategy": "mitigate"},
    )
    assert message == (
        "strategy: 'mitigate' is not a response to opportunities; "
        "use one of: exploit, enhance, share, accept, escalate."
    )
    risk = _risk(project, people, strategy="mitigate")
    message = _refused(
        services.risk_update,
        actor=people["manager"],
        project_id=project.pk,
        risk_id=risk.pk,
        version=None,
        data={"strategy": "exploit"},
    )
    assert message == (
        "strategy: 'exploit' is not a response to threats; "
        "use one of: avoid, mitigate, transfer, accept, escalate."
    )
    # accepting and escalating answer both kinds
    services.risk_update(
        actor=people["manager"],
        project_id=project.pk,
        risk_id=risk.pk,
        version=None,
        data={"kind": "opportunity", "strategy": "escalate"},
    )


def test_probability_and_impact_run_from_one_to_five(project, people):
    message = _refused(
        services.risk_create,
        actor=people["manager"],
        project_id=project.pk,
        data={"title": "x", "probability": 6},
    )
    assert message == "probability: Ensure this value is less than or equal to 5."
    message = _refused(
        services.risk_create,
        actor=people["manager"],
        project_id=project.pk,
        data={"title": "x", "impact": 0},
    )
    assert message == "impact: Ensure this value is greater than or equal to 1."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": 7}, "These fields cannot be changed here: number."),
        ({"title": "x", "owner_id": 999_999}, "No active user with id 999999."),
        ({"title": "x", "task_ids": 3}, "task_ids must be a list of ids."),
        ({}, "title: This field cannot be blank."),
    ],
)
def test_risk_input_is_checked(project, people, data, message):
    assert (
        _refused(services.risk_create, actor=people["manager"], project_id=project.pk, data=data)
        == message
    )


def test_risks_link_tasks_of_their_own_project_only(project, people, tasks, other_project):
    elsewhere = other_project.tasks.get()
    message = _refused(
        services.risk_create,
        actor=people["manager"],
        project_id=project.pk,
        data={"title": "x", "task_ids": [tasks["design"].pk, elsewhere.pk]},
    )
    assert message == f"These tasks are not in this project: {elsewhere.pk}."
    assert not Risk.objects.exists()
    risk = _risk(project, people, task_ids=[tasks["build"].pk, tasks["design"].pk])
    assert set(risk.tasks.all()) == {tasks["design"], tasks["build"]}


def test_changing_only_the_linked_tasks_is_a_new_version(project, people, tasks):
    pm = people["manager"]
    risk = _risk(project, people, task_ids=[tasks["design"].pk])
    services.risk_update(
        actor=pm,
        project_id=project.pk,
        risk_id=risk.pk,
        version=1,
        data={"task_ids": [tasks["build"].pk]},
    )
    risk.refresh_from_db()
    assert risk.version == 2
    assert list(risk.tasks.all()) == [tasks["build"]]
    entry = AuditEntry.objects.filter(object_type="controls.risk", action="update").get()
    assert entry.changes == {"tasks": [[tasks["design"].pk], [tasks["build"].pk]]}
    assert entry.project_id == project.pk
    with pytest.raises(Conflict):
        services.risk_update(
            actor=pm, project_id=project.pk, risk_id=risk.pk, version=1, data={"task_ids": []}
        )


def test_a_stale_risk_edit_is_refused(project, people):
    pm = people["manager"]
    risk = _risk(project, people)
    services.risk_update(
        actor=pm, project_id=project.pk, risk_id=risk.pk, version=1, data={"probability": 5}
    )
    with pytest.raises(Conflict) as exc:
        services.risk_update(
            actor=pm, project_id=project.pk, risk_id=risk.pk, version=1, data={"impact": 1}
        )
    assert exc.value.message == (
        "Risk R-1 was changed by someone else since you opened it (your version 1, "
        "current version 2). Reload it and apply your change again."
    )
    risk.refresh_from_db()
    assert (risk.probability, risk.impact, risk.version) == (5, 3, 2)


def test_every_risk_write_is_audited_with_its_project(project, people):
    pm = people["manager"]
    risk = _risk(project, people, owner_id=people["member"].pk)
    services.risk_update(
        actor=pm, project_id=project.pk, risk_id=risk.pk, version=None, data={"status": "closed"}
    )
    services.risk_delete(actor=pm, project_id=project.pk, risk_id=risk.pk)
    entries = AuditEntry.objects.filter(object_type="controls.risk").order_by("id")
    assert [(e.action, e.project_id) for e in entries] == [
        ("create", project.pk),
        ("update", project.pk),
        ("delete", project.pk),
    ]
    assert entries[0].changes["owner_id"] == [None, people["member"].pk]
    assert entries[1].changes == {"status": ["open", "closed"]}


def test_a_risk_of_another_project_is_not_found(project, people, other_project):
    risk = _risk(other_project, people)
    with pytest.raises(NotFound) as exc:
        services.risk_delete(actor=people["manager"], project_id=project.pk, risk_id=risk.pk)
    assert exc.value.message == f"Risk {risk.pk} not found in this project."


# --- budget -------------------------------------------------------------------------------------


def test_a_budget_line_belongs_to_a_month(project, people):
    pm = people["manager"]
    line = services.budget_line_create(
        actor=pm,
        project_id=project.pk,
        data={"category": "labour", "period": dt.date(2027, 3, 17), "amount": "1500.50"},
    )
    assert (line.period, line.amount) == (dt.date(2027, 3, 1), Decimal("1500.50"))
    line = services.budget_line_update(
        actor=pm,
        project_id=project.pk,
        budget_line_id=line.pk,
        version=line.version,
        data={"period": "2027-04-30"},
    )
    assert BudgetLine.objects.get().period == dt.date(2027, 4, 1)
    assert line.version == 2


def test_budget_line_input_is_checked(project, people):
    pm = people["manager"]
    base = {"category": "labour", "period": dt.date(2027, 3, 1), "amount": "10"}
    cases = [
        ({"amount": "-1"}, "amount: Ensure this value is greater than or equal to 0."),
        ({"category": "travel"}, "category: Value 'travel' is not a valid choice."),
        ({"period": "March"}, "'March' is not a date; give the month as YYYY-MM-01."),
    ]
    for change, message in cases:
        assert (
            _refused(
                services.budget_line_create,
                actor=pm,
                project_id=project.pk,
                data={**base, **change},
            )
            == message
        )
    assert not BudgetLine.objects.exists()


# --- quality and communication ------------------------------------------------------------------


def test_a_quality_item_needs_its_acceptance_criteria(project, people):
    pm = people["manager"]
    message = _refused(
        services.quality_item_create,
        actor=pm,
        project_id=project.pk,
        data={"deliverable": "Portal"},
    )
    assert message == "acceptance_criteria: This field cannot be blank."
    item = services.quality_item_create(
        actor=pm,
        project_id=project.pk,
        data={
            "deliverable": "Portal",
            "acceptance_criteria": "All UAT scripts pass",
            "quality_standards": "WCAG 2.1 AA",
            "review_method": "testing",
            "reviewer_id": people["member"].pk,
        },
    )
    item = services.quality_item_update(
        actor=pm,
        project_id=project.pk,
        quality_item_id=item.pk,
        version=1,
        data={"status": "accepted"},
    )
    assert (item.status, item.version) == ("accepted", 2)
    with pytest.raises(Conflict):
        services.quality_item_update(
            actor=pm, project_id=project.pk, quality_item_id=item.pk, version=1, data={}
        )


def test_the_audience_is_stakeholders_of_the_project(project, people, other_project):
    pm = people["manager"]
    board = stakeholder_create(actor=pm, project_id=project.pk, data={"name": "Board"})
    stranger = other_project.stakeholders.get()
    message = _refused(
        services.communication_item_create,
        actor=pm,
        project_id=project.pk,
        data={"information": "Status report", "stakeholder_ids": [board.pk, stranger.pk]},
    )
    assert message == f"These stakeholders are not in this project: {stranger.pk}."
    item = services.communication_item_create(
        actor=pm,
        project_id=project.pk,
        data={
            "information": "Status report",
            "stakeholder_ids": [board.pk],
            "audience_description": "and the steering committee",
            "frequency": "monthly",
            "channel": "report",
            "owner_id": pm.pk,
            "next_due": dt.date(2027, 4, 1),
        },
    )
    assert list(item.audience.all()) == [board]
    created = AuditEntry.objects.get(object_type="controls.communicationitem", action="create")
    assert created.changes["audience"] == [None, [board.pk]]
    services.communication_item_delete(
        actor=pm, project_id=project.pk, communication_item_id=item.pk
    )
    assert not project.communication_items.exists()
