"""The plan pages: table with inline editing, Gantt chart and its drag endpoint, baselines."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.planning import services
from pmo.planning.models import Baseline, PlanState, Task

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)
WHO = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]
LOGIN = 302
HTMX = {"HTTP_HX_REQUEST": "true"}


def _add(project: Any, pm: Any, name: str, duration: int, **kw: Any) -> Task:
    return services.task_create(
        actor=pm, project_id=project.pk, data={"name": name, "duration": duration, **kw}
    )


def _link(project: Any, pm: Any, a: Task, b: Task, **kw: Any) -> None:
    services.dependency_create(
        actor=pm, project_id=project.pk, predecessor_id=a.pk, successor_id=b.pk, **kw
    )


@pytest.fixture
def plan(project: Any, people: Any) -> dict[str, Task]:
    """Design (3d) → Build (5d) → Go-live (milestone), and Docs (2d) beside Build."""
    pm = people["manager"]
    services.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    tasks = {
        "design": _add(project, pm, "Design", 3),
        "build": _add(project, pm, "Build", 5),
        "docs": _add(project, pm, "Docs", 2),
        "golive": _add(project, pm, "Go-live", 0),
    }
    _link(project, pm, tasks["design"], tasks["build"])
    _link(project, pm, tasks["design"], tasks["docs"], type="SS", lag=1)
    _link(project, pm, tasks["build"], tasks["golive"])
    _link(project, pm, tasks["docs"], tasks["golive"])
    return {k: Task.objects.get(pk=t.pk) for k, t in tasks.items()}


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


# --- who sees what ------------------------------------------------------------------------------

PAGES = {
    "plan_table": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "plan_gantt": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "plan_gantt_json": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "plan_baselines": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
}
EDIT_MARKERS = {
    "plan_table": "Add task",
    "plan_gantt": 'data-readonly="false"',
    "plan_gantt_json": None,
    "plan_baselines": "Capture baseline",
}


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, expected, id=f"{page}-{who}")
        for page, statuses in PAGES.items()
        for who, expected in zip(WHO, statuses, strict=True)
    ],
)
def test_plan_page_permission_matrix(client_as, project, plan, page, who, expected):
    response = client_as(None if who == "anonymous" else who).get(reverse(page, args=[project.pk]))
    assert response.status_code == expected
    if expected == 200 and EDIT_MARKERS[page]:
        editor = who in ("manager", "pmo_admin")
        assert (EDIT_MARKERS[page] in response.content.decode()) is editor


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("client", 404), ("outsider", 404)])
def test_only_editors_may_edit_a_row(client_as, project, plan, who, expected):
    url = reverse("plan_task_edit", args=[project.pk, plan["build"].pk])
    client = client_as(who)
    assert client.get(url, **HTMX).status_code == expected
    response = client.post(url, {"name": "X", "duration": 1, "constraint_type": "ASAP"}, **HTMX)
    assert response.status_code == expected
    assert _fresh(plan["build"]).name == "Build"


# --- the table ----------------------------------------------------------------------------------


def test_table_shows_wbs_dates_float_critical_and_predecessors(client_as, project, plan):
    page = client_as("viewer").get(reverse("plan_table", args=[project.pk])).content.decode()
    assert "2027-03-04" in page and "2027-03-10" in page  # Build starts Thursday, ends Wednesday
    assert page.count("critical-badge") == 3  # Design, Build, Go-live
    assert ">1SS+1d<" in page  # Docs starts a day after Design starts
    assert ">2, 3<" in page  # Go-live after Build and Docs
    assert "Submit plan for approval" not in page


def test_inline_edit_row_is_a_keyboard_form(client_as, project, plan):
    url = reverse("plan_task_edit", args=[project.pk, plan["build"].pk])
    row = client_as("manager").get(url, **HTMX).content.decode()
    assert 'name="name" value="Build"' in row and "autofocus" in row
    assert f'name="version" value="{plan["build"].version}"' in row
    assert "keydown[key=='Escape']" in html.unescape(row)


def test_inline_edit_updates_and_reschedules_every_row(client_as, project, plan):
    url = reverse("plan_task_edit", args=[project.pk, plan["design"].pk])
    data = {
        "name": "Design review",
        "duration": 5,
        "constraint_type": "ASAP",
        "version": plan["design"].version,
    }
    response = client_as("manager").post(url, data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<tbody" not in body and 'id="task-' in body  # rows only, swapped into the tbody
    body = html.unescape(body)
    assert "Design review" in body and "saved; the plan is rescheduled" in body
    assert 'hx-swap-oob="true"' in body
    build = _fresh(plan["build"])
    assert build.early_start == dt.date(2027, 3, 8)  # two days later, after the weekend
    assert "2027-03-08" in body


def test_constraint_with_date_is_saved_and_moves_the_task(client_as, project, plan):
    url = reverse("plan_task_edit", args=[project.pk, plan["docs"].pk])
    data = {
        "name": "Docs",
        "duration": 2,
        "constraint_type": "SNET",
        "constraint_date": "2027-03-15",
        "version": plan["docs"].version,
    }
    client_as("manager").post(url, data, **HTMX)
    docs = _fresh(plan["docs"])
    assert (docs.constraint_type, docs.early_start) == ("SNET", dt.date(2027, 3, 15))


def test_stale_version_is_refused_with_a_message_and_nothing_changes(client_as, project, plan):
    url = reverse("plan_task_edit", args=[project.pk, plan["build"].pk])
    stale = plan["build"].version
    services.task_update(
        actor=plan["build"].project.manager,
        project_id=project.pk,
        task_id=plan["build"].pk,
        version=stale,
        data={"notes": "changed meanwhile"},
    )
    data = {"name": "Build v2", "duration": 9, "constraint_type": "ASAP", "version": stale}
    body = client_as("manager").post(url, data, **HTMX).content.decode()
    assert "message-error" in body
    build = _fresh(plan["build"])
    assert (build.name, build.duration) == ("Build", 5)


def test_constraint_without_date_is_refused(client_as, project, plan):
    url = reverse("plan_task_edit", args=[project.pk, plan["build"].pk])
    data = {"name": "Build", "duration": 5, "constraint_type": "MSO", "version": 1}
    data["version"] = plan["build"].version
    body = html.unescape(client_as("manager").post(url, data, **HTMX).content.decode())
    assert services.CONSTRAINT_NEEDS_DATE.format(label="Must start on") in body
    assert _fresh(plan["build"]).constraint_type == "ASAP"


def test_a_link_that_makes_a_cycle_is_refused_with_a_message(client_as, project, plan):
    url = reverse("plan_link_create", args=[project.pk])
    data = {"predecessor": plan["golive"].pk, "successor": plan["design"].pk, "type": "FS"}
    data["lag"] = 0
    response = client_as("manager").post(url, data, follow=True)
    page = html.unescape(response.content.decode())
    assert "This change would make a loop of dependencies" in page
    assert not project.dependencies.filter(predecessor=plan["golive"]).exists()


def test_add_task_after_another_and_link_it(client_as, project, plan):
    client = client_as("manager")
    client.post(
        reverse("plan_task_create", args=[project.pk]),
        {"name": "Test", "duration": 2, "after": plan["build"].pk},
    )
    test = Task.objects.get(name="Test")
    assert test.wbs == "3"  # straight after Build, before Docs
    client.post(
        reverse("plan_link_create", args=[project.pk]),
        {"predecessor": plan["build"].pk, "successor": test.pk, "type": "FS", "lag": 2},
    )
    assert _fresh(test).early_start == dt.date(2027, 3, 15)  # Wed + 2 days lag → Monday
    page = client.get(reverse("plan_table", args=[project.pk])).content.decode()
    assert ">2FS+2d<" in page


def test_indent_outdent_and_delete(client_as, project, plan):
    client = client_as("manager")
    move = reverse("plan_task_move", args=[project.pk, plan["docs"].pk])
    client.post(move, {"direction": "in", "version": plan["docs"].version}, **HTMX)
    docs = _fresh(plan["docs"])
    assert docs.parent_id == plan["build"].pk and docs.wbs == "2.1"
    client.post(move, {"direction": "out", "version": docs.version}, **HTMX)
    docs = _fresh(plan["docs"])
    assert docs.parent_id is None and docs.wbs == "3"
    body = client.post(
        reverse("plan_task_delete", args=[project.pk, docs.pk]), **HTMX
    ).content.decode()
    assert "Task deleted" in body and not Task.objects.filter(pk=docs.pk).exists()


def test_plan_submit_and_sponsor_approval_capture_a_baseline(client_as, project, plan):
    client_as("manager").post(reverse("plan_submit", args=[project.pk]))
    assert project.schedule.__class__.objects.get(project=project).plan_state == "submitted"
    page = client_as("sponsor").get(reverse("plan_table", args=[project.pk])).content.decode()
    assert "Approve plan" in page
    response = client_as("sponsor").post(
        reverse("plan_decide", args=[project.pk]), {"decision": "approve"}, follow=True
    )
    assert "Plan approved; its baseline is captured." in response.content.decode()
    baseline = Baseline.objects.get(project=project)
    assert baseline.is_current and baseline.finish == dt.date(2027, 3, 10)
    assert services.schedule_for(project).plan_state == PlanState.APPROVED


def test_returning_the_plan_needs_a_comment(client_as, project, plan):
    client_as("manager").post(reverse("plan_submit", args=[project.pk]))
    response = client_as("sponsor").post(
        reverse("plan_decide", args=[project.pk]), {"decision": "return"}, follow=True
    )
    assert services.PLAN_RETURN_NEEDS_COMMENT in html.unescape(response.content.decode())
    assert services.schedule_for(project).plan_state == PlanState.SUBMITTED


# --- the Gantt chart ----------------------------------------------------------------------------


def test_gantt_page_embeds_the_chart_data(client_as, project, plan):
    page = client_as("member").get(reverse("plan_gantt", args=[project.pk])).content.decode()
    assert 'id="gantt-data"' in page and 'data-readonly="true"' in page
    assert "frappe-gantt.umd.js" in page and "web/gantt.js" in page
    data = client_as("member").get(reverse("plan_gantt_json", args=[project.pk])).json()
    build = next(t for t in data["tasks"] if t["name"] == "Build")
    assert build["critical"] and build["dependencies"] == [plan["design"].pk]


def _drag(client: Any, project: Any, task: Task, start: str, end: str) -> Any:
    url = reverse("plan_gantt_drag", args=[project.pk, task.pk])
    return client.post(url, {"start": start, "end": end, "version": task.version})


def test_dragging_a_bar_pins_its_start_and_moves_its_successors(client_as, project, plan):
    # Build (Thu 4 – Wed 10 March) dragged four days later, to Mon 8 – Fri 12 March
    response = _drag(client_as("manager"), project, plan["build"], "2027-03-08", "2027-03-12")
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "'Build' changed; the plan is rescheduled."
    build, golive = _fresh(plan["build"]), _fresh(plan["golive"])
    assert (build.constraint_type, build.constraint_date) == ("SNET", dt.date(2027, 3, 8))
    assert build.duration == 5 and build.early_finish == dt.date(2027, 3, 12)
    assert golive.early_start == dt.date(2027, 3, 12)


def test_dragging_the_end_of_a_bar_changes_its_duration(client_as, project, plan):
    _drag(client_as("manager"), project, plan["build"], "2027-03-04", "2027-03-12")
    build = _fresh(plan["build"])
    assert (build.duration, build.constraint_type) == (7, "ASAP")
    assert _fresh(plan["golive"]).early_finish == dt.date(2027, 3, 12)


def test_dragging_is_refused_for_summaries_and_stale_versions(client_as, project, plan, people):
    services.task_update(
        actor=people["manager"],
        project_id=project.pk,
        task_id=plan["docs"].pk,
        version=None,
        data={"parent_id": plan["build"].pk},
    )
    client = client_as("manager")
    build = _fresh(plan["build"])
    response = _drag(client, project, build, "2027-03-15", "2027-03-19")
    assert response.status_code == 409
    assert "is a summary" in response.json()["message"]
    services.task_update(
        actor=people["manager"],
        project_id=project.pk,
        task_id=plan["design"].pk,
        version=None,
        data={"notes": "changed meanwhile"},
    )
    stale = _drag(client, project, plan["design"], "2027-03-02", "2027-03-04")
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["message"]
    assert _fresh(plan["design"]).constraint_type == "ASAP"


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("client", 404)])
def test_only_editors_may_drag(client_as, project, plan, who, expected):
    response = _drag(client_as(who), project, plan["build"], "2027-03-08", "2027-03-12")
    assert response.status_code == expected
    assert _fresh(plan["build"]).constraint_type == "ASAP"


# --- baselines and variance ---------------------------------------------------------------------


def test_capture_a_baseline_then_see_the_variance_of_a_slip(client_as, project, plan):
    client = client_as("manager")
    response = client.post(
        reverse("baseline_capture", args=[project.pk]), {"name": "Agreed"}, follow=True
    )
    assert "Baseline 0 &#x27;Agreed&#x27; captured." in response.content.decode()
    _drag(client, project, _fresh(plan["build"]), "2027-03-08", "2027-03-12")
    page = client.get(reverse("plan_baselines", args=[project.pk])).content.decode()
    assert 'class="variance-late">+2d<' in page  # Build and Go-live finish two days late
    assert "+2 working days" in page  # the project's finish
    assert 'id="variance-data"' in page and "2 Build" in page


def test_replace_choose_and_delete_baselines(client_as, project, plan):
    client = client_as("manager")
    capture = reverse("baseline_capture", args=[project.pk])
    client.post(capture, {"name": "First"})
    client.post(capture, {"name": "Second"})
    client.post(capture, {"name": "Again", "number": 0})
    names = dict(Baseline.objects.filter(project=project).values_list("number", "name"))
    assert names == {0: "Again", 1: "Second"}
    second = Baseline.objects.get(project=project, number=1)
    client.post(reverse("baseline_set_current", args=[project.pk, second.pk]))
    assert Baseline.objects.get(project=project, is_current=True).pk == second.pk
    client.post(reverse("baseline_delete", args=[project.pk, second.pk]))
    assert not Baseline.objects.filter(pk=second.pk).exists()


def test_baseline_number_out_of_range_is_refused(client_as, project, plan):
    response = client_as("manager").post(
        reverse("baseline_capture", args=[project.pk]), {"number": 11}, follow=True
    )
    assert "message-error" in response.content.decode()
    assert not Baseline.objects.filter(project=project).exists()


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("client", 404), ("outsider", 404)])
def test_only_editors_capture_baselines(client_as, project, plan, who, expected):
    response = client_as(who).post(reverse("baseline_capture", args=[project.pk]), {"name": "X"})
    assert response.status_code == expected
    assert not Baseline.objects.filter(project=project).exists()


# --- query counts -------------------------------------------------------------------------------


def _grow(project: Any, people: Any, n: int, start: int) -> None:
    """Add `n` linked tasks, the last one under a summary, and capture a baseline."""
    pm = people["manager"]
    phase = Task.objects.filter(project=project, name="Phase").first() or _add(
        project, pm, "Phase", 1
    )
    previous = Task.objects.filter(project=project, name=f"T{start - 1}").first()
    for i in range(start, start + n):
        task = _add(project, pm, f"T{i}", 1 + i % 3)
        if previous is not None:
            _link(project, pm, previous, task, lag=i % 2)
        previous = task
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=previous.pk,
        version=None,
        data={"parent_id": phase.pk},
    )
    services.baseline_capture(actor=pm, project_id=project.pk, name=f"after {start + n}")


QUERY_PAGES = ["plan_table", "plan_gantt", "plan_gantt_json", "plan_baselines"]


@pytest.mark.parametrize("page", QUERY_PAGES)
def test_plan_pages_query_count_is_constant(client_as, project, people, page):
    client = client_as("manager")
    url = reverse(page, args=[project.pk])
    counts = []
    for start, n in ((0, 2), (2, 8)):
        _grow(project, people, n, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_task_added_on_its_own_calendar_shows_it(client_as, project, people):
    from pmo.planning import services as planning_services
    from pmo.planning.models import Task

    crew = planning_services.calendar_create(
        actor=people["manager"],
        name="Night shift",
        working_weekdays=[0, 1, 2, 3, 4, 5],
        project_id=project.pk,
    )
    client = client_as("manager")
    response = client.post(
        f"/projects/{project.pk}/plan/tasks/",
        {"name": "Pour concrete", "duration": 2, "calendar": crew.pk},
    )
    assert response.status_code == 302
    assert Task.objects.get(name="Pour concrete").calendar == crew
    page = client.get(f"/projects/{project.pk}/plan/").content.decode()
    assert "Night shift</span>" in page
