"""The plan over the API: build, link, baseline, edit and compare; the errors; constant queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.api.planning_schemas import GanttOut
from pmo.core.errors import STALE_VERSION
from pmo.planning import services
from pmo.planning.services import CYCLE, IMPORT_DUPLICATE_KEY, TASK_NOT_FOUND

from .conftest import API

MONDAY = dt.date(2027, 3, 1)
JSON = "application/json"


class Planner:
    """A manager's client with short-hands for the plan of one project."""

    def __init__(self, client: Any, project: Any) -> None:
        self.client = client
        self.p = f"{API}/projects/{project.pk}"

    def get(self, path: str) -> Any:
        response = self.client.get(self.p + path)
        assert response.status_code == 200, response.content
        return response.json()

    def send(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = getattr(self.client, method)(self.p + path, body, content_type=JSON)
        assert response.status_code == status, response.content
        return response.json() if response.content else None

    def task(self, name: str, duration: int) -> int:
        return self.send("post", "/tasks", {"name": name, "duration": duration}, 201)["id"]

    def link(self, predecessor: int, successor: int) -> Any:
        body = {"predecessor_id": predecessor, "successor_id": successor}
        return self.send("post", "/links", body, 201)


@pytest.fixture
def planner(api_as, project) -> Planner:
    return Planner(api_as("manager"), project)


@pytest.fixture
def plan(planner) -> dict[str, int]:
    """Design (3d) → Build (5d) → Go-live, and Docs (2d) beside Build, from Monday 1 March."""
    version = planner.get("/schedule")["version"]
    planner.send("patch", "/schedule", {"version": version, "start": MONDAY.isoformat()})
    ids = {
        "design": planner.task("Design", 3),
        "build": planner.task("Build", 5),
        "docs": planner.task("Docs", 2),
        "golive": planner.task("Go-live", 0),
    }
    for a, b in (("design", "build"), ("design", "docs"), ("build", "golive"), ("docs", "golive")):
        planner.link(ids[a], ids[b])
    return ids


def test_a_plan_built_over_the_api_is_scheduled_with_its_critical_path(planner, plan):
    tasks = {t["name"]: t for t in planner.get("/tasks")["items"]}
    assert [tasks[n]["is_critical"] for n in ("Design", "Build", "Docs", "Go-live")] == [
        True,
        True,
        False,
        True,
    ]
    assert [tasks[n]["wbs"] for n in ("Design", "Build", "Docs", "Go-live")] == ["1", "2", "3", "4"]
    build = tasks["Build"]
    assert (build["early_start"], build["early_finish"]) == ("2027-03-04", "2027-03-10")
    assert (tasks["Docs"]["total_float"], tasks["Docs"]["free_float"]) == (3, 3)
    assert tasks["Go-live"]["is_milestone"] and not tasks["Go-live"]["is_summary"]
    schedule = planner.get("/schedule")
    assert (schedule["start"], schedule["finish"], schedule["duration"]) == (
        "2027-03-01",
        "2027-03-10",
        8,
    )
    assert schedule["plan_state"] == "draft" and schedule["calendar"]["name"] == "Standard"
    assert planner.get(f"/tasks/{plan['build']}")["name"] == "Build"
    assert planner.get("/links")["count"] == 4


def test_an_edit_after_a_baseline_shows_as_variance(planner, plan):
    baseline = planner.send("post", "/baselines", {"name": "Agreed"}, 201)
    assert (baseline["number"], baseline["is_current"], baseline["finish"]) == (
        0,
        True,
        "2027-03-10",
    )
    build = planner.get(f"/tasks/{plan['build']}")
    edited = planner.send(
        "patch", f"/tasks/{plan['build']}", {"version": build["version"], "duration": 7}
    )
    assert edited["early_finish"] == "2027-03-12" and edited["version"] == build["version"] + 1

    variance = planner.get("/variance")
    assert variance["baseline"]["name"] == "Agreed"
    assert (variance["finish"], variance["baseline_finish"]) == ("2027-03-12", "2027-03-10")
    assert variance["finish_variance_days"] == 2
    rows = {r["task"]["name"]: r for r in variance["tasks"]}
    assert (rows["Build"]["finish_variance_days"], rows["Build"]["duration_variance_days"]) == (
        2,
        2,
    )
    assert rows["Design"]["finish_variance_days"] == 0
    assert rows["Go-live"]["start_variance_days"] == 2

    gantt = planner.get("/gantt")
    bars = {t["name"]: t for t in gantt["tasks"]}
    assert bars["Build"]["finish"] == "2027-03-12"
    assert bars["Build"]["baseline_finish"] == "2027-03-10"
    assert bars["Go-live"]["dependencies"] == [plan["build"], plan["docs"]]
    assert gantt["baseline"] == {"id": baseline["id"], "name": "Agreed"}
    assert len(gantt["links"]) == 4


def test_the_gantt_answer_is_exactly_what_its_schema_documents(planner, plan):
    planner.send("post", "/baselines", {"name": "Agreed"}, 201)
    response = planner.client.get(f"{planner.p}/gantt")
    assert response["Content-Type"] == "application/json"
    gantt = GanttOut.model_validate(response.json())  # extra fields are refused
    assert len(gantt.tasks) == 4 and gantt.tasks[0].baseline_start == MONDAY


def test_work_and_cost_variance_add_up_over_the_tasks(planner, plan):
    for key, cost in (("design", "1000.00"), ("build", "2000.00")):
        version = planner.get(f"/tasks/{plan[key]}")["version"]
        planner.send("patch", f"/tasks/{plan[key]}", {"version": version, "planned_cost": cost})
    planner.send("post", "/baselines", {"name": "Costed"}, 201)
    version = planner.get(f"/tasks/{plan['build']}")["version"]
    body = {"version": version, "planned_cost": "2500.00", "work_hours": "40"}
    planner.send("patch", f"/tasks/{plan['build']}", body)
    variance = planner.get("/variance")
    assert variance["cost_variance"] == "500.00"
    assert variance["work_variance_hours"] == "40.00"
    assert variance["finish_variance_days"] == 0


def test_variance_without_a_baseline_is_empty_not_an_error(planner, plan):
    variance = planner.get("/variance")
    assert variance["baseline"] is None and variance["finish_variance_days"] is None
    assert {r["finish_variance_days"] for r in variance["tasks"]} == {None}


def test_a_stale_task_version_answers_409_and_changes_nothing(planner, plan):
    build = planner.get(f"/tasks/{plan['build']}")
    planner.send("patch", f"/tasks/{plan['build']}", {"version": build["version"], "duration": 6})
    answer = planner.send(
        "patch", f"/tasks/{plan['build']}", {"version": build["version"], "duration": 9}, 409
    )
    assert answer["detail"] == STALE_VERSION.format(
        thing="Task 'Build'", expected=build["version"], current=build["version"] + 1
    )
    assert planner.get(f"/tasks/{plan['build']}")["duration"] == 6


def test_a_link_that_closes_a_loop_answers_422_naming_the_tasks(planner, plan):
    answer = planner.send(
        "post", "/links", {"predecessor_id": plan["golive"], "successor_id": plan["design"]}, 422
    )
    names = "'Design' → 'Build' → 'Go-live' → 'Design'"
    assert answer["detail"] == CYCLE.format(names=names)
    assert planner.get("/links")["count"] == 4


def test_links_are_changed_and_removed(planner, plan):
    link = planner.get("/links")["items"][0]
    changed = planner.send("patch", f"/links/{link['id']}", {"lag": 2})
    assert (changed["type"], changed["lag"]) == ("FS", 2)
    planner.send("delete", f"/links/{link['id']}", status=204)
    assert planner.get("/links")["count"] == 3


def test_unknown_tasks_links_and_baselines_answer_404(planner, plan):
    assert planner.send("patch", "/tasks/999999", {"version": 1, "duration": 2}, 404)[
        "detail"
    ] == TASK_NOT_FOUND.format(id=999999)
    assert planner.client.get(f"{planner.p}/tasks/999999").status_code == 404
    assert planner.send("delete", "/links/999999", status=404)["detail"] == (
        services.DEPENDENCY_NOT_FOUND.format(id=999999)
    )
    assert planner.send("post", "/baselines/999999/current", status=404)["detail"] == (
        services.BASELINE_NOT_FOUND.format(id=999999)
    )
    body = {"predecessor_id": plan["design"], "successor_id": 999999}
    assert planner.send("post", "/links", body, 404)["detail"] == TASK_NOT_FOUND.format(id=999999)


def test_a_deleted_task_takes_its_links_along(planner, plan):
    planner.send("delete", f"/tasks/{plan['docs']}", status=204)
    assert planner.get("/tasks")["count"] == 3
    assert planner.get("/links")["count"] == 2


def test_baselines_are_listed_chosen_and_deleted(planner, plan):
    first = planner.send("post", "/baselines", {"name": "First"}, 201)
    second = planner.send("post", "/baselines", {"name": "Second", "number": 5}, 201)
    assert second["number"] == 5
    listed = planner.get("/baselines")["items"]
    assert [(b["name"], b["is_current"]) for b in listed] == [("First", False), ("Second", True)]
    assert planner.send("post", f"/baselines/{first['id']}/current")["is_current"] is True
    planner.send("delete", f"/baselines/{second['id']}", status=204)
    assert [b["name"] for b in planner.get("/baselines")["items"]] == ["First"]


def test_the_plan_is_submitted_and_approved_with_a_baseline(planner, plan, api_as, project):
    assert planner.send("post", "/schedule/submit")["plan_state"] == "submitted"
    frozen = planner.send("post", "/tasks", {"name": "Late idea"}, 409)
    assert frozen["detail"].startswith("The plan is submitted for approval")
    sponsor = Planner(api_as("sponsor"), project)
    returned = sponsor.send("post", "/schedule/decision", {"decision": "return"}, 422)
    assert returned["detail"] == services.PLAN_RETURN_NEEDS_COMMENT
    approved = sponsor.send("post", "/schedule/decision", {"decision": "approve"})
    assert approved["plan_state"] == "approved"
    assert approved["plan_decided_by"]["username"] == "sponsor"
    assert planner.get("/baselines")["items"][0]["is_current"] is True


def test_a_whole_plan_is_imported_in_one_request(planner):
    body = {
        "start": "2027-01-04",
        "tasks": [
            {"key": "1", "name": "Phase", "duration": 0},
            {"key": "1.1", "name": "Analyse", "duration": 2, "parent": "1"},
            {"key": "1.2", "name": "Build", "duration": 3, "parent": "1"},
            {"key": "2", "name": "Done", "duration": 0},
        ],
        "links": [
            {"predecessor": "1.1", "successor": "1.2"},
            {"predecessor": "1", "successor": "2"},
        ],
    }
    schedule = planner.send("post", "/plan/import", body, 201)
    assert (schedule["start"], schedule["finish"]) == ("2027-01-04", "2027-01-08")
    tasks = planner.get("/tasks")["items"]
    assert [(t["wbs"], t["is_summary"]) for t in tasks] == [
        ("1", True),
        ("1.1", False),
        ("1.2", False),
        ("2", False),
    ]


def test_an_invalid_import_answers_422_with_the_reason_and_writes_nothing(planner):
    task = {"key": "a", "name": "A", "duration": 1}
    answer = planner.send("post", "/plan/import", {"tasks": [task, task]}, 422)
    assert answer["detail"] == IMPORT_DUPLICATE_KEY.format(key="a")
    assert planner.get("/tasks")["count"] == 0


def test_a_project_calendar_with_a_holiday_moves_the_plan(planner, plan, project):
    calendars = planner.client.get(f"{API}/calendars?project_id={project.pk}").json()["items"]
    assert [c["name"] for c in calendars] == ["Standard"]
    body = {"name": "Site", "working_weekdays": [0, 1, 2, 3, 4], "project_id": project.pk}
    response = planner.client.post(f"{API}/calendars", body, content_type=JSON)
    assert response.status_code == 201, response.content
    calendar = response.json()
    version = planner.get("/schedule")["version"]
    schedule = planner.send(
        "patch", "/schedule", {"version": version, "calendar_id": calendar["id"]}
    )
    assert schedule["calendar"] == {"id": calendar["id"], "name": "Site"}
    holiday = planner.client.post(
        f"{API}/calendars/{calendar['id']}/exceptions",
        {"date": "2027-03-02", "name": "Site closed"},
        content_type=JSON,
    )
    assert holiday.status_code == 201, holiday.content
    assert planner.get("/schedule")["finish"] == "2027-03-11"
    listed = planner.client.get(f"{API}/calendars?project_id={project.pk}").json()["items"]
    assert [c["name"] for c in listed] == ["Standard", "Site"]
    assert listed[1]["exceptions"] == [holiday.json()]
    removed = planner.client.delete(f"{API}/calendars/exceptions/{holiday.json()['id']}")
    assert removed.status_code == 204
    assert planner.get("/schedule")["finish"] == "2027-03-10"


def test_a_stale_schedule_version_answers_409(planner, plan):
    version = planner.get("/schedule")["version"]
    answer = planner.send(
        "patch", "/schedule", {"version": version - 1, "start": "2027-04-05"}, 409
    )
    assert answer["title"] == "Conflict"


# --- query counts -------------------------------------------------------------------------------


def _tasks(ctx: dict[str, Any], n: int) -> None:
    """`n` more tasks, each linked after the previous one."""
    for _ in range(n):
        task = services.task_create(
            actor=ctx["pm"],
            project_id=ctx["project"].pk,
            data={"name": f"T{len(ctx['tasks'])}", "duration": 2, "planned_cost": 10},
        )
        if ctx["tasks"]:
            services.dependency_create(
                actor=ctx["pm"],
                project_id=ctx["project"].pk,
                predecessor_id=ctx["tasks"][-1],
                successor_id=task.pk,
            )
        ctx["tasks"].append(task.pk)


def _baselines(ctx: dict[str, Any], n: int) -> None:
    for _ in range(n):
        services.baseline_capture(actor=ctx["pm"], project_id=ctx["project"].pk, name="B")


def _calendars(ctx: dict[str, Any], n: int) -> None:
    for i in range(n):
        calendar = services.calendar_create(
            actor=ctx["pm"], name=f"C{i}", working_weekdays=[0, 1, 2], project_id=ctx["project"].pk
        )
        services.calendar_exception_add(
            actor=ctx["pm"], calendar_id=calendar.pk, date=MONDAY, name="Holiday"
        )


def _items(answer: dict[str, Any]) -> int:
    return len(answer["items"])


def _bars(answer: dict[str, Any]) -> int:
    return len(answer["tasks"])


QUERY_LISTS: dict[str, tuple[str, Callable[..., None], Callable[[dict[str, Any]], int]]] = {
    "tasks": ("/projects/{id}/tasks", _tasks, _items),
    "links": ("/projects/{id}/links", _tasks, _items),
    "gantt": ("/projects/{id}/gantt", _tasks, _bars),
    "variance": ("/projects/{id}/variance", _tasks, _bars),
    "baselines": ("/projects/{id}/baselines", _baselines, _items),
    "calendars": ("/calendars?project_id={id}", _calendars, _items),
}


@pytest.mark.parametrize("name", QUERY_LISTS)
def test_planning_reads_run_the_same_queries_for_2_and_10_rows(name, api_as, project, people):
    path, grow, rows = QUERY_LISTS[name]
    ctx = {"pm": people["manager"], "project": project, "tasks": []}
    _tasks(ctx, 1)
    services.baseline_capture(actor=ctx["pm"], project_id=project.pk, name="Agreed")
    client = api_as("manager")
    url = API + path.format(id=project.pk)
    client.get(url)  # the token's first use records it; later calls do not write

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(queries), rows(response.json())

    grow(ctx, 2)
    few, few_rows = count()
    grow(ctx, 8)
    many, many_rows = count()
    assert many_rows > few_rows >= 2
    assert many == few, f"{name}: {few} queries for {few_rows} rows, {many} for {many_rows}"
    assert few <= 12
