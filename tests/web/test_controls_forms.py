"""Editing the controls on the web: risks, budget lines, quality items and communications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.controls import services
from pmo.controls.models import (
    STRATEGY_NOT_FOR_KIND,
    BudgetLine,
    CommunicationItem,
    QualityItem,
    Risk,
)
from pmo.core.models import AuditEntry
from pmo.planning import services as planning
from pmo.projects.services import project_create, stakeholder_create

pytestmark = pytest.mark.django_db

REGISTERS = ["risk", "budget_line", "quality_item", "communication_item"]
LIST_PAGE = {
    "risk": "risk_register",
    "budget_line": "budget_overview",
    "quality_item": "quality_plan",
    "communication_item": "communication_plan",
}
MODEL = {
    "risk": Risk,
    "budget_line": BudgetLine,
    "quality_item": QualityItem,
    "communication_item": CommunicationItem,
}


@pytest.fixture
def linkable(project: Any, people: Any) -> dict[str, Any]:
    """Two tasks to link risks to and two stakeholders to address."""
    pm = people["manager"]
    add_task = planning.task_create
    return {
        "tasks": [
            add_task(actor=pm, project_id=project.pk, data={"name": name, "duration": 2})
            for name in ("Design", "Build")
        ],
        "stakeholders": [
            stakeholder_create(actor=pm, project_id=project.pk, data={"name": name})
            for name in ("Board", "Works council")
        ],
    }


def _form(register: str, linkable: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a filled-in form posts for a new row of the register."""
    task_ids = [t.pk for t in linkable["tasks"]]
    audience = [s.pk for s in linkable["stakeholders"]]
    data = {
        "risk": {
            "kind": "threat",
            "title": "Supplier late",
            "cause": "One supplier",
            "event": "Late delivery",
            "effect": "Go-live slips",
            "category": "commercial",
            "probability": 4,
            "impact": 3,
            "cost_impact": "5000",
            "schedule_impact_days": "",
            "owner": "",
            "strategy": "mitigate",
            "response_actions": "Second supplier",
            "trigger": "",
            "status": "open",
            "review_date": "2027-04-01",
            "tasks": task_ids,
        },
        "budget_line": {
            "category": "labour",
            "period": "2027-03",
            "amount": "1250.50",
            "description": "Developers",
        },
        "quality_item": {
            "deliverable": "Portal",
            "acceptance_criteria": "UAT passes",
            "quality_standards": "",
            "review_method": "testing",
            "reviewer": "",
            "due_date": "",
            "status": "planned",
        },
        "communication_item": {
            "information": "Status report",
            "audience": audience,
            "audience_description": "",
            "frequency": "monthly",
            "channel": "report",
            "owner": "",
            "next_due": "2027-05-03",
        },
    }[register]
    return {**data, **changes}


# what a second save changes, and how to read it back
EDITS = {
    "risk": ({"title": "Supplier very late", "probability": 5}, "title", "Supplier very late"),
    "budget_line": ({"amount": "99"}, "amount", Decimal("99.00")),
    "quality_item": ({"status": "accepted"}, "status", "accepted"),
    "communication_item": ({"frequency": "weekly"}, "frequency", "weekly"),
}


@pytest.mark.parametrize("register", REGISTERS)
def test_an_editor_adds_edits_and_deletes_a_row(client_as, project, linkable, register):
    client = client_as("manager")
    model = MODEL[register]
    response = client.post(
        reverse(f"{register}_create", args=[project.pk]), _form(register, linkable)
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse(LIST_PAGE[register], args=[project.pk])
    row = model.objects.get(project=project)
    edit_url = reverse(f"{register}_edit", args=[project.pk, row.pk])
    page = client.get(reverse(LIST_PAGE[register], args=[project.pk])).content.decode()
    assert edit_url in page

    change, field, expected = EDITS[register]
    data = _form(register, linkable, version=row.version, **change)
    assert client.post(edit_url, data).status_code == 302
    row.refresh_from_db()
    assert getattr(row, field) == expected

    client.post(reverse(f"{register}_delete", args=[project.pk, row.pk]))
    assert not model.objects.filter(project=project).exists()
    actions = AuditEntry.objects.filter(object_type=f"controls.{model._meta.model_name}")
    assert sorted(actions.values_list("action", flat=True)) == ["create", "delete", "update"]


def test_the_forms_shape_links_months_and_people_for_the_services(
    client_as, project, people, linkable
):
    client = client_as("manager")
    pm = people["manager"]
    client.post(
        reverse("risk_create", args=[project.pk]),
        _form("risk", linkable, owner=pm.pk, tasks=[linkable["tasks"][1].pk]),
    )
    risk = Risk.objects.get()
    assert (risk.number, risk.owner, risk.cost_impact) == (1, pm, Decimal("5000.00"))
    assert list(risk.tasks.all()) == [linkable["tasks"][1]]
    client.post(reverse("budget_line_create", args=[project.pk]), _form("budget_line", linkable))
    assert BudgetLine.objects.get().period == dt.date(2027, 3, 1)
    client.post(
        reverse("communication_item_create", args=[project.pk]),
        _form("communication_item", linkable),
    )
    assert CommunicationItem.objects.get().audience.count() == 2


def test_the_risk_form_offers_the_projects_tasks_in_a_sized_multi_select(
    client_as, project, linkable
):
    page = client_as("manager").get(reverse("risk_create", args=[project.pk])).content.decode()
    assert 'name="tasks" size="8"' in page and "Build" in page
    page = client_as("manager").get(reverse("budget_line_create", args=[project.pk]))
    assert 'type="month"' in page.content.decode()


@pytest.mark.parametrize("register", REGISTERS)
def test_a_stale_edit_is_refused_and_nothing_changes(
    client_as, project, people, linkable, register
):
    client = client_as("manager")
    client.post(reverse(f"{register}_create", args=[project.pk]), _form(register, linkable))
    row = MODEL[register].objects.get()
    edit_url = reverse(f"{register}_edit", args=[project.pk, row.pk])
    change, field, _ = EDITS[register]
    before = getattr(row, field)
    stale = _form(register, linkable, version=row.version - 1, **change)
    response = client.post(edit_url, stale)
    assert response.status_code == 200
    assert "was changed by someone else" in response.content.decode()
    row.refresh_from_db()
    assert getattr(row, field) == before and row.version == 1


def test_an_opportunity_cannot_be_avoided(client_as, project, linkable):
    response = client_as("manager").post(
        reverse("risk_create", args=[project.pk]),
        _form("risk", linkable, kind="opportunity", strategy="avoid"),
    )
    assert response.status_code == 200
    message = STRATEGY_NOT_FOR_KIND.format(
        strategy="avoid", kind="opportunities", allowed="exploit, enhance, share, accept, escalate"
    )
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Risk.objects.exists()


def test_a_task_of_another_project_is_neither_offered_nor_taken(client_as, project, people):
    pm = people["manager"]
    other = project_create(actor=pm, code="PRJ-002", name="Warehouse")
    elsewhere = planning.task_create(actor=pm, project_id=other.pk, data={"name": "Elsewhere"})
    client = client_as("manager")
    page = client.get(reverse("risk_create", args=[project.pk])).content.decode()
    assert "Elsewhere" not in page
    linkable = {"tasks": [elsewhere], "stakeholders": []}
    response = client.post(reverse("risk_create", args=[project.pk]), _form("risk", linkable))
    assert response.status_code == 200 and not Risk.objects.exists()


def _seed(project: Any, people: Any, linkable: dict[str, Any]) -> dict[str, Any]:
    """One row of each register, linked to people, tasks and stakeholders; ids by register."""
    pm, pid = people["manager"], project.pk
    task_ids = [t.pk for t in linkable["tasks"]]
    stakeholder_ids = [s.pk for s in linkable["stakeholders"]]
    return {
        "risk": services.risk_create(
            actor=pm, project_id=pid, data={"title": "R", "owner_id": pm.pk, "task_ids": task_ids}
        ).pk,
        "budget_line": services.budget_line_create(
            actor=pm,
            project_id=pid,
            data={"category": "labour", "period": dt.date(2027, 3, 1), "amount": 1},
        ).pk,
        "quality_item": services.quality_item_create(
            actor=pm,
            project_id=pid,
            data={"deliverable": "D", "acceptance_criteria": "ok", "reviewer_id": pm.pk},
        ).pk,
        "communication_item": services.communication_item_create(
            actor=pm,
            project_id=pid,
            data={"information": "C", "owner_id": pm.pk, "stakeholder_ids": stakeholder_ids},
        ).pk,
    }


# who → status on the create and edit pages; clients and outsiders do not see the project
EDIT_PAGES = {
    "client": 404,
    "outsider": 404,
    "viewer": 403,
    "member": 403,
    "sponsor": 403,
    "manager": 200,
    "pmo_analyst": 200,
}


@pytest.mark.parametrize("who", sorted(EDIT_PAGES))
def test_edit_pages_permission_matrix(client_as, project, people, linkable, who):
    ids = _seed(project, people, linkable)
    client = client_as(who)
    for register, pk in ids.items():
        for url in (
            reverse(f"{register}_create", args=[project.pk]),
            reverse(f"{register}_edit", args=[project.pk, pk]),
        ):
            assert client.get(url).status_code == EDIT_PAGES[who], url
        delete = client.post(reverse(f"{register}_delete", args=[project.pk, pk]))
        if EDIT_PAGES[who] == 200:
            assert delete.status_code == 302
        else:
            assert delete.status_code == EDIT_PAGES[who]
            assert MODEL[register].objects.filter(pk=pk).exists()


def test_a_member_sees_the_registers_without_edit_controls(client_as, project, people, linkable):
    ids = _seed(project, people, linkable)
    member, manager = client_as("member"), client_as("manager")
    for register, pk in ids.items():
        url = reverse(LIST_PAGE[register], args=[project.pk])
        edit_url = reverse(f"{register}_edit", args=[project.pk, pk])
        create_url = reverse(f"{register}_create", args=[project.pk])
        seen = member.get(url).content.decode()
        assert edit_url not in seen and create_url not in seen and ">Delete<" not in seen
        assert edit_url in manager.get(url).content.decode()


def test_a_member_posting_an_edit_gets_403_with_the_message(client_as, project, linkable):
    response = client_as("member").post(
        reverse("risk_create", args=[project.pk]), _form("risk", linkable)
    )
    assert response.status_code == 403
    assert "You may not edit the risk register on project PRJ-001." in response.content.decode()
    assert not Risk.objects.exists()


def test_a_risk_named_script_is_shown_as_text(client_as, project, linkable):
    evil = "<script>alert(1)</script>"
    client = client_as("manager")
    client.post(reverse("risk_create", args=[project.pk]), _form("risk", linkable, title=evil))
    risk = Risk.objects.get()
    for url in (
        reverse("risk_register", args=[project.pk]),
        reverse("risk_edit", args=[project.pk, risk.pk]),
    ):
        page = client.get(url).content.decode()
        assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_heat_map_cells_link_to_the_risks_of_the_cell(client_as, project, people):
    pm = people["manager"]
    for title, p, i in (("Hot", 5, 4), ("Cold", 1, 1)):
        services.risk_create(
            actor=pm, project_id=project.pk, data={"title": title, "probability": p, "impact": i}
        )
    client = client_as("member")
    url = reverse("risk_register", args=[project.pk])
    assert 'href="?probability=5&amp;impact=4"' in client.get(url).content.decode()
    page = client.get(url, {"probability": 5, "impact": 4}).content.decode()
    assert "R-1 Hot" in page and "R-2 Cold" not in page
    assert "Showing the risks with probability 5 and impact 4." in page
    assert "R-2 Cold" in client.get(url, {"probability": "x"}).content.decode()


@pytest.mark.parametrize("register", REGISTERS)
def test_list_pages_with_edit_controls_keep_a_constant_query_count(
    client_as, project, people, linkable, register
):
    client = client_as("manager")
    url = reverse(LIST_PAGE[register], args=[project.pk])
    counts = []
    for n in (2, 8):
        for _ in range(n):
            _seed(project, people, linkable)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
