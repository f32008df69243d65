"""A project in closing: a small plan with one task done and two still assigned, a budget,
a vendor with a contract, deliverables; API clients per person; files in a temp dir."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pmo.accounts.services import api_token_create
from pmo.closure import services
from pmo.controls import services as controls
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects import services as projects
from pmo.projects.models import Project, Stage
from pmo.resources import services as resources

START = dt.date(2026, 3, 2)


def to_stage(project: Project, people: dict[str, Any], stage: str, charter: dict[str, Any]) -> None:
    pm = people["manager"]
    projects.charter_update(actor=pm, project_id=project.pk, version=None, data=charter)
    projects.charter_submit(actor=pm, project_id=project.pk, version=None)
    projects.charter_decide(
        actor=people["sponsor"], project_id=project.pk, version=None, decision="approve"
    )
    order = [Stage.PLANNING, Stage.EXECUTION, Stage.CLOSING, Stage.CLOSED]
    for step in order[: order.index(Stage(stage)) + 1]:
        projects.project_stage_advance(actor=pm, project_id=project.pk, to_stage=step)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def closing(project: Project, people: dict[str, Any], complete_charter: dict[str, Any]) -> Any:
    """PRJ-001 in closing: Design done; Build and Test assigned to Ada (the member)."""
    pm, admin = people["manager"], people["pmo_admin"]
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": START})
    tasks = {
        name: planning.task_create(
            actor=pm, project_id=project.pk, data={"name": name, "duration": days}
        )
        for name, days in (("Design", 5), ("Build", 10), ("Test", 5))
    }
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 50})
    ada = resources.resource_create(
        actor=admin, data={"name": "Ada", "role_id": role.pk, "user_id": people["member"].pk}
    )
    for name, hours in (("Design", 40), ("Build", 80), ("Test", 40)):
        resources.assignment_create(
            actor=pm,
            project_id=project.pk,
            data={"task_id": tasks[name].pk, "resource_id": ada.pk, "work_hours": hours},
        )
    Task.objects.filter(pk=tasks["Design"].pk).update(percent_complete=100)
    Task.objects.filter(pk=tasks["Build"].pk).update(percent_complete=50)
    controls.budget_line_create(
        actor=pm,
        project_id=project.pk,
        data={"category": "contracts", "period": START, "amount": "30000"},
    )
    to_stage(project, people, Stage.CLOSING, complete_charter)
    vendor = services.vendor_create(actor=pm, data={"name": "Acme Hosting"})
    contract = services.contract_create(
        actor=pm,
        project_id=project.pk,
        data={
            "vendor_id": vendor.pk,
            "reference": "C-1",
            "title": "Hosting",
            "value": "12000",
            "start": START,
            "end": dt.date(2026, 9, 30),
        },
    )
    portal = services.deliverable_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "Portal", "acceptance_criteria": "Customers order online."},
    )
    runbook = services.deliverable_create(
        actor=pm,
        project_id=project.pk,
        data={
            "name": "Runbook",
            "acceptance_criteria": "Operations sign it.",
            "shared_with_client": False,
        },
    )
    project.refresh_from_db()
    return {
        "project": project,
        "tasks": tasks,
        "ada": ada,
        "vendor": vendor,
        "contract": contract,
        "portal": portal,
        "runbook": runbook,
    }


def finish_contract(closing: Any, people: dict[str, Any]) -> None:
    pm, project, contract = people["manager"], closing["project"], closing["contract"]
    services.contract_invoice_record(
        actor=pm,
        project_id=project.pk,
        contract_id=contract.pk,
        date=dt.date(2026, 6, 30),
        amount="12000",
        reference="INV-9",
        is_final=True,
    )
    services.contract_close(
        actor=pm,
        project_id=project.pk,
        contract_id=contract.pk,
        version=None,
        obligations_met=True,
        closure_date=dt.date(2026, 7, 1),
    )
    services.vendor_assess(
        actor=pm,
        project_id=project.pk,
        contract_id=contract.pk,
        data={"quality": 4, "timeliness": 3, "cost": 5, "communication": 4, "comments": "Good."},
    )


def accept_all(closing: Any, people: dict[str, Any]) -> None:
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    services.deliverables_decide(
        actor=people["client"],
        project_id=project.pk,
        deliverable_ids=[closing["portal"].pk],
        decision="accept",
    )
    services.deliverables_decide(
        actor=people["sponsor"],
        project_id=project.pk,
        deliverable_ids=[closing["runbook"].pk],
        decision="accept",
    )


def record_lesson(closing: Any, people: dict[str, Any]) -> Any:
    return services.pir_lesson_add(
        actor=people["manager"],
        project_id=closing["project"].pk,
        category="schedule",
        what_happened="The hosting contract was signed late.",
        impact="Two weeks lost.",
        recommendation="Start procurement in planning.",
        tags=["procurement"],
    )


def close(closing: Any, people: dict[str, Any]) -> Project:
    """Everything the closing path needs, then close."""
    project = closing["project"]
    accept_all(closing, people)
    finish_contract(closing, people)
    services.resources_release(actor=people["manager"], project_id=project.pk)
    record_lesson(closing, people)
    return services.project_close(actor=people["manager"], project_id=project.pk)


@pytest.fixture
def api_as(people: dict[str, Any]) -> Callable[[str], Client]:
    def as_(who: str) -> Client:
        if who == "anonymous":
            return Client()
        _, raw = api_token_create(user=people[who], name="tests")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return as_
