"""Execution pages: my work with quick progress updates, the progress view, the timesheet grid,
approvals, and budget vs actual; who may see them, and constant query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.execution import services
from pmo.execution.models import LineState, TimesheetLine
from pmo.planning.models import Task

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 10, 12)


@pytest.fixture
def client_as(people: dict[str, Any]) -> Any:
    def as_(who: str) -> Client:
        client = Client()
        client.force_login(people[who])
        return client

    return as_


def test_my_work_lists_my_tasks_and_saves_progress_through_htmx(
    client_as: Any, plan: dict[str, Any]
) -> None:
    member = client_as("member")
    page = member.get(reverse("my_work")).content.decode()
    assert "Overdue (2)" in page and "Design" in page and "Build" in page
    design = plan["design"]
    url = reverse("execution_task_progress", args=[plan["project"].pk, design.pk])
    answer = member.post(
        url,
        {"version": design.version, "percent_complete": 40, "actual_start": "2026-10-05"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Saved; the plan is rescheduled." in answer.content.decode()
    assert Task.objects.get(pk=design.pk).percent_complete == 40
    bad = member.post(
        url,
        {
            "version": design.version + 1,
            "percent_complete": 100,
            "actual_start": "2026-10-09",
            "actual_finish": "2026-10-07",
        },
        headers={"HX-Request": "true"},
    )
    assert "The actual finish (2026-10-07) is before the actual start (2026-10-09)." in (
        bad.content.decode()
    )
    comment = member.post(
        reverse("execution_task_comment", args=[plan["project"].pk, design.pk]),
        {"body": "Spec arrived"},
        headers={"HX-Request": "true"},
    )
    assert "Spec arrived" in comment.content.decode()
    # The viewer may not update progress: 403.
    refused = client_as("viewer").post(url, {"version": 1, "percent_complete": 10})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("client", 404), ("viewer", 200), ("member", 200), ("manager", 200)],
)
def test_project_pages_are_internal(
    client_as: Any, plan: dict[str, Any], who: str, status: int
) -> None:
    for name in ("execution_progress", "execution_costs"):
        assert client_as(who).get(reverse(name, args=[plan["project"].pk])).status_code == status


def test_timesheet_grid_submit_and_approve(
    client_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    member = client_as("member")
    url = reverse("timesheet_week", args=[WEEK.isoformat()])
    page = member.get(url).content.decode()
    assert "Week of Mon 12 Oct 2026" in page
    key = f"task-{plan['build'].pk}"
    data = {"version": 1, "action": "submit"}
    data.update({f"h-{key}-{i}": "7.5" for i in range(5)})
    data["h-leave-0"] = "0"
    answer = member.post(url, data)
    assert answer.status_code == 302
    line = TimesheetLine.objects.get(task=plan["build"])
    assert (line.state, line.total) == (LineState.SUBMITTED, 37.5)
    pm = client_as("manager")
    assert "37.50 h" in pm.get(reverse("timesheet_approvals")).content.decode()
    pm.post(
        reverse("timesheet_approvals"),
        {"timesheet": line.timesheet_id, "project": plan["project"].pk, "decision": "approve"},
    )
    line.refresh_from_db()
    assert line.state == LineState.APPROVED
    costs = pm.get(reverse("execution_costs", args=[plan["project"].pk])).content.decode()
    assert "3,000.00" in costs  # 37.5 h at 80


def test_bad_grid_input_is_a_message_not_a_500(client_as: Any, plan: dict[str, Any]) -> None:
    member = client_as("member")
    url = reverse("timesheet_week", args=[WEEK.isoformat()])
    answer = member.post(url, {"version": 1, "h-admin-0": "30"}, follow=True)
    assert "Hours on a day are between 0 and 24; Mon 12 Oct has 30." in answer.content.decode()
    answer = member.post(url, {"version": 1, "h-admin-0": "abc"}, follow=True)
    assert answer.status_code == 200
    assert not TimesheetLine.objects.exists()
    assert member.get(reverse("timesheet_week", args=["2026-10-14"])).status_code == 302
    assert member.get(reverse("timesheet_week", args=["nonsense"])).status_code == 404


def test_status_date_and_costs_forms(client_as: Any, plan: dict[str, Any]) -> None:
    pm = client_as("manager")
    pid = plan["project"].pk
    from pmo.planning.models import Schedule

    version = Schedule.objects.get(project_id=pid).version
    answer = pm.post(
        reverse("execution_progress", args=[pid]), {"version": version, "status_date": "2026-10-20"}
    )
    assert answer.status_code == 302
    page = pm.get(reverse("execution_progress", args=[pid])).content.decode()
    assert "2026-10-21" in page  # Design may not start before the day after the status date
    answer = pm.post(
        reverse("execution_costs", args=[pid]),
        {
            "kind": "invoice",
            "category": "contracts",
            "date": "2026-10-20",
            "amount": "1200",
            "vendor": "Acme",
            "description": "Hosting",
        },
    )
    assert answer.status_code == 302
    assert "Acme" in pm.get(reverse("execution_costs", args=[pid])).content.decode()
    refused = client_as("member").post(
        reverse("execution_costs", args=[pid]),
        {
            "kind": "expense",
            "category": "other",
            "date": "2026-10-20",
            "amount": "1",
            "description": "x",
        },
    )
    assert refused.status_code == 403


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_run_a_constant_number_of_queries(
    client_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.planning import services as planning
    from pmo.resources import services as resources

    member, pm = client_as("member"), client_as("manager")
    pid = plan["project"].pk
    pages = [
        (member, reverse("my_work")),
        (member, reverse("timesheet_week", args=[WEEK.isoformat()])),
        (pm, reverse("timesheet_approvals")),
        (pm, reverse("execution_progress", args=[pid])),
        (pm, reverse("execution_costs", args=[pid])),
    ]

    def grow(n: int) -> None:
        task = planning.task_create(
            actor=people["manager"], project_id=pid, data={"name": f"T{n}", "duration": 1}
        )
        resources.assignment_create(
            actor=people["manager"],
            project_id=pid,
            data={"task_id": task.pk, "resource_id": plan["ada"].pk},
        )
        services.comment_add(actor=people["member"], project_id=pid, task_id=task.pk, body="x")
        sheet = services.timesheet_save(
            actor=people["member"],
            week_start=WEEK + dt.timedelta(weeks=n),
            version=None,
            lines=[{"task_id": task.pk, "hours": [1, 0, 0, 0, 0, 0, 0]}],
        )
        services.timesheet_submit(actor=people["member"], timesheet_id=sheet.pk, version=None)
        services.cost_create(
            actor=people["manager"],
            project_id=pid,
            data={
                "category": "other",
                "date": dt.date(2026, 10, 1),
                "amount": 1,
                "description": "x",
            },
        )

    grow(1)
    before = [_count(c, u) for c, u in pages]
    for n in range(2, 6):
        grow(n)
    assert [_count(c, u) for c, u in pages] == before
