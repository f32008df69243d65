"""The execution API: the permission matrix of every operation, what they answer, and constant
query counts for the lists."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.execution import services
from pmo.execution.models import ActualCost, TimesheetLine
from pmo.planning.models import Schedule, Task

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]
JSON = "application/json"
WEEK = dt.date(2026, 10, 12)


def read(ok: int = 200) -> list[int]:
    return [401, 404, 404, ok, ok, ok, ok, ok]


def write(ok: int) -> list[int]:
    return [401, 404, 404, 403, 403, 403, ok, ok]


def _matrix(api_as: Any, expected: list[int], call: Any) -> None:
    got = []
    for who in ROLES:
        response = call(api_as(who), who)
        got.append(response.status_code)
        if response.status_code >= 400:
            assert response["Content-Type"] == "application/problem+json", response.content
    assert got == expected


def _base(plan: dict[str, Any]) -> str:
    return f"{API}/projects/{plan['project'].pk}"


def test_progress_matrix(api_as: Any, plan: dict[str, Any]) -> None:
    design = plan["design"]

    def call(client: Any, who: str) -> Any:
        version = Task.objects.get(pk=design.pk).version
        return client.patch(
            f"{_base(plan)}/tasks/{design.pk}/progress",
            {"version": version, "percent_complete": 20, "actual_start": "2026-10-05"},
            content_type=JSON,
        )

    # A team member updates the tasks they are assigned to; the sponsor and viewers do not.
    _matrix(api_as, [401, 404, 404, 403, 200, 403, 200, 200], call)
    _matrix(api_as, read(), lambda c, w: c.get(f"{_base(plan)}/progress"))


def test_progress_answers_and_refusals(api_as: Any, plan: dict[str, Any]) -> None:
    pm = api_as("manager")
    url = f"{_base(plan)}/tasks/{plan['design'].pk}/progress"
    bad = pm.patch(
        url,
        {"version": 1, "actual_start": "2026-10-09", "actual_finish": "2026-10-07"},
        content_type=JSON,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == (
        "The actual finish (2026-10-07) is before the actual start (2026-10-09)."
    )
    ok = pm.patch(
        url,
        {"version": 1, "actual_start": "2026-10-05", "actual_finish": "2026-10-13"},
        content_type=JSON,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["percent_complete"] == 100
    stale = pm.patch(url, {"version": 1, "percent_complete": 50}, content_type=JSON)
    assert stale.status_code == 409
    body = pm.get(f"{_base(plan)}/progress").json()
    rows = {r["task"]["name"]: r for r in body["rows"]}
    assert rows["Design"]["status"] == "complete"
    assert rows["Build"]["task"]["early_start"] == "2026-10-14"


def test_status_date_matrix(api_as: Any, plan: dict[str, Any]) -> None:
    def call(client: Any, who: str) -> Any:
        version = Schedule.objects.get(project=plan["project"]).version
        return client.put(
            f"{_base(plan)}/progress/status-date",
            {"version": version, "status_date": "2026-10-20"},
            content_type=JSON,
        )

    _matrix(api_as, write(200), call)
    body = api_as("manager").get(f"{_base(plan)}/progress").json()
    assert body["status_date"] == "2026-10-20"
    assert body["finish"] == "2026-11-10"


def test_comments_matrix(api_as: Any, plan: dict[str, Any]) -> None:
    url = f"{_base(plan)}/tasks/{plan['design'].pk}/comments"
    _matrix(
        api_as,
        [401, 404, 404, 403, 201, 201, 201, 201],
        lambda c, w: c.post(url, {"body": f"From {w}"}, content_type=JSON),
    )
    _matrix(api_as, read(), lambda c, w: c.get(url))
    items = api_as("member").get(url).json()["items"]
    assert [i["body"] for i in items] == [
        "From member",
        "From sponsor",
        "From manager",
        "From pmo_admin",
    ]


def test_my_work(api_as: Any, plan: dict[str, Any]) -> None:
    _matrix(api_as, [401, 200, 200, 200, 200, 200, 200, 200], lambda c, w: c.get(f"{API}/me/work"))
    body = api_as("member").get(f"{API}/me/work").json()
    assert [(t["task"]["name"], t["bucket"]) for t in body] == [
        ("Design", "overdue"),
        ("Build", "overdue"),
    ]
    assert api_as("manager").get(f"{API}/me/work").json() == []


def _week(n: int) -> dt.date:
    return WEEK + dt.timedelta(weeks=n)


def _submitted(plan: dict[str, Any], people: dict[str, Any], week: dt.date) -> Any:
    sheet = services.timesheet_save(
        actor=people["member"],
        week_start=week,
        version=None,
        lines=[{"task_id": plan["build"].pk, "hours": [8, 8, 8, 8, 8, 0, 0]}],
    )
    return services.timesheet_submit(actor=people["member"], timesheet_id=sheet.pk, version=None)


def test_timesheet_save_and_read(api_as: Any, plan: dict[str, Any]) -> None:
    url = f"{API}/timesheets/week/{WEEK}"
    leave = {"lines": [{"category": "leave", "hours": [8, 0, 0, 0, 0, 0, 0]}]}
    _matrix(
        api_as,
        [401, 200, 200, 200, 200, 200, 200, 200],
        lambda c, w: c.put(url, leave, content_type=JSON),
    )
    _matrix(api_as, [401, 200, 200, 200, 200, 200, 200, 200], lambda c, w: c.get(url))
    member = api_as("member")
    own = member.put(
        url,
        {
            "version": member.get(url).json()["version"],
            "lines": [{"task_id": plan["build"].pk, "hours": [8, 8, 8, 8, 8, 0, 0]}],
        },
        content_type=JSON,
    )
    assert own.status_code == 200, own.content
    assert [(ln["task_name"], ln["total"]) for ln in own.json()["lines"]] == [("Build", 40.0)]
    stale = member.put(url, {"version": 1, "lines": []}, content_type=JSON)
    assert stale.status_code == 409
    not_mine = api_as("manager").put(
        url,
        {"lines": [{"task_id": plan["build"].pk, "hours": [1, 0, 0, 0, 0, 0, 0]}]},
        content_type=JSON,
    )
    assert not_mine.status_code == 422
    monday = api_as("member").get(f"{API}/timesheets/week/2026-10-13")
    assert (
        monday.json()["detail"] == "A timesheet week starts on a Monday; 2026-10-13 is a Tuesday."
    )
    too_many = member.put(
        url, {"lines": [{"category": "admin", "hours": [25, 0, 0, 0, 0, 0, 0]}]}, content_type=JSON
    )
    assert too_many.status_code == 422


def test_timesheet_workflow_matrix(
    api_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    weeks = count(1)

    def submit(client: Any, who: str) -> Any:
        sheet = services.timesheet_save(
            actor=people["member"],
            week_start=_week(next(weeks)),
            version=None,
            lines=[{"task_id": plan["build"].pk, "hours": [8, 8, 8, 8, 8, 0, 0]}],
        )
        return client.post(f"{API}/timesheets/{sheet.pk}/submit", {}, content_type=JSON)

    # Only the person submits their week; the PM and the PMO see it but may not submit it.
    _matrix(api_as, [401, 404, 404, 404, 200, 404, 403, 403], submit)

    def decide(client: Any, who: str) -> Any:
        sheet = _submitted(plan, people, _week(next(weeks)))
        body = {"project_id": plan["project"].pk, "decision": "approve"}
        return client.post(f"{API}/timesheets/{sheet.pk}/decision", body, content_type=JSON)

    _matrix(api_as, write(200), decide)

    def read_sheet(client: Any, who: str) -> Any:
        sheet = _submitted(plan, people, _week(next(weeks)))
        return client.get(f"{API}/timesheets/{sheet.pk}")

    _matrix(api_as, [401, 404, 404, 404, 200, 404, 200, 200], read_sheet)
    _matrix(
        api_as,
        [401, 200, 200, 200, 200, 200, 200, 200],
        lambda c, w: c.get(f"{API}/timesheets/approvals"),
    )

    def correct(client: Any, who: str) -> Any:
        sheet = _submitted(plan, people, _week(next(weeks)))
        services.timesheet_decide(
            actor=people["manager"],
            timesheet_id=sheet.pk,
            project_id=plan["project"].pk,
            decision="approve",
        )
        line = TimesheetLine.objects.get(timesheet=sheet)
        body = {"hours": [8, 8, 8, 8, 4, 0, 0], "reason": "Left early on Friday"}
        return client.post(f"{API}/timesheet-lines/{line.pk}/correction", body, content_type=JSON)

    _matrix(api_as, [401, 404, 404, 404, 201, 404, 403, 403], correct)


def test_approval_queue_and_return(
    api_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    sheet = _submitted(plan, people, WEEK)
    pm = api_as("manager")
    queue = pm.get(f"{API}/timesheets/approvals").json()
    assert [(q["timesheet_id"], q["person"], q["total"]) for q in queue] == [
        (sheet.pk, "Member Tester", 40.0)
    ]
    assert api_as("member").get(f"{API}/timesheets/approvals").json() == []
    body = {"project_id": plan["project"].pk, "decision": "return", "comment": ""}
    no_comment = pm.post(f"{API}/timesheets/{sheet.pk}/decision", body, content_type=JSON)
    assert no_comment.status_code == 422
    body["comment"] = "Friday was a holiday."
    returned = pm.post(f"{API}/timesheets/{sheet.pk}/decision", body, content_type=JSON)
    assert [ln["state"] for ln in returned.json()["lines"]] == ["returned"]


def test_cost_matrix(api_as: Any, plan: dict[str, Any], people: dict[str, Any]) -> None:
    base = f"{_base(plan)}/costs"
    body = {
        "kind": "invoice",
        "category": "contracts",
        "date": "2026-10-20",
        "amount": "1200.00",
        "vendor": "Acme",
        "reference": "INV-7",
        "description": "Hosting",
    }
    _matrix(api_as, write(201), lambda c, w: c.post(base, body, content_type=JSON))
    _matrix(api_as, read(), lambda c, w: c.get(base))

    def fresh() -> ActualCost:
        return services.cost_create(
            actor=people["manager"],
            project_id=plan["project"].pk,
            data={
                "category": "other",
                "date": dt.date(2026, 10, 1),
                "amount": 5,
                "description": "x",
            },
        )

    def patch(client: Any, who: str) -> Any:
        cost = fresh()
        return client.patch(
            f"{base}/{cost.pk}", {"version": cost.version, "amount": "7"}, content_type=JSON
        )

    _matrix(api_as, write(200), patch)
    _matrix(api_as, write(204), lambda c, w: c.delete(f"{base}/{fresh().pk}"))
    _matrix(api_as, read(), lambda c, w: c.get(f"{_base(plan)}/budget-vs-actual"))
    future = dict(body, date="2099-01-01")
    refused = api_as("manager").post(base, future, content_type=JSON)
    assert refused.status_code == 422


def test_budget_vs_actual_shows_labour_cost(
    api_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    sheet = _submitted(plan, people, WEEK)
    services.timesheet_decide(
        actor=people["manager"],
        timesheet_id=sheet.pk,
        project_id=plan["project"].pk,
        decision="approve",
    )
    body = api_as("manager").get(f"{_base(plan)}/budget-vs-actual").json()
    assert (body["labour_cost"], body["labour_hours"]) == ("3200.00", "40.00")
    assert body["rows"] == [
        {
            "period": "2026-10-01",
            "category": "labour",
            "budget": "0",
            "actual": "3200.00",
            "variance": "-3200.00",
        }
    ]


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the first request of a token records its use
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_run_a_constant_number_of_queries(
    api_as: Any, plan: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.planning import services as planning
    from pmo.resources import services as resources

    pm, member = api_as("manager"), api_as("member")
    base = _base(plan)
    urls = [
        (member, f"{API}/me/work"),
        (pm, f"{API}/timesheets/approvals"),
        (pm, f"{base}/costs"),
        (pm, f"{base}/budget-vs-actual"),
        (pm, f"{base}/progress"),
        (member, f"{API}/timesheets/week/{WEEK}"),
    ]
    _submitted(plan, people, WEEK)
    services.cost_create(
        actor=people["manager"],
        project_id=plan["project"].pk,
        data={"category": "other", "date": dt.date(2026, 10, 1), "amount": 5, "description": "x"},
    )
    before = [_queries(c, u) for c, u in urls]
    for n in range(4):
        task = planning.task_create(
            actor=people["manager"],
            project_id=plan["project"].pk,
            data={"name": f"Extra {n}", "duration": 2},
        )
        resources.assignment_create(
            actor=people["manager"],
            project_id=plan["project"].pk,
            data={"task_id": task.pk, "resource_id": plan["ada"].pk},
        )
        services.cost_create(
            actor=people["manager"],
            project_id=plan["project"].pk,
            data={
                "category": "other",
                "date": dt.date(2026, 10, 2),
                "amount": 5,
                "description": "y",
            },
        )
        _submitted(plan, people, _week(n + 1))
    after = [_queries(c, u) for c, u in urls]
    assert after == before


# Every operation of the execution router and the test that holds its permission matrix.
COVERED = {
    "my_work": test_my_work,
    "progress_get": test_progress_matrix,
    "progress_update": test_progress_matrix,
    "status_date_set": test_status_date_matrix,
    "comment_list": test_comments_matrix,
    "comment_add": test_comments_matrix,
    "timesheet_week": test_timesheet_save_and_read,
    "timesheet_save": test_timesheet_save_and_read,
    "timesheet_approvals": test_timesheet_workflow_matrix,
    "timesheet_get": test_timesheet_workflow_matrix,
    "timesheet_submit": test_timesheet_workflow_matrix,
    "timesheet_decide": test_timesheet_workflow_matrix,
    "timesheet_correct": test_timesheet_workflow_matrix,
    "cost_list": test_cost_matrix,
    "cost_create": test_cost_matrix,
    "cost_update": test_cost_matrix,
    "cost_delete": test_cost_matrix,
    "budget_vs_actual": test_cost_matrix,
}


def test_matrix_covers_every_execution_operation() -> None:
    from pmo.api.execution import router

    operations = {
        op.operation_id for view in router.path_operations.values() for op in view.operations
    }
    assert operations == set(COVERED)
