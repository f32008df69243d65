"""The capacity forecast: supply against demand by role, person, department; drill-down; the
what-if sandbox never writes; refusals."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.core.errors import Forbidden, ValidationFailed
from pmo.planning.models import Task
from pmo.resources import services
from pmo.resources.forecast import (
    Hire,
    WhatIf,
    capacity_forecast_table,
    forecast_cell,
    forecast_rows,
)
from pmo.resources.models import Assignment, Resource

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def booked(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": tasks["build"].pk, "resource_id": pool["dev"].pk},
    )
    return tasks


def _forecast(people, **kw):
    kw.setdefault("start", MONDAY)
    kw.setdefault("count", 2)
    kw.setdefault("kind", "week")
    return capacity_forecast_table(actor=people["pmo_analyst"], **kw)


def test_by_role_supply_against_demand_with_placeholders_on_their_role(people, booked):
    forecast = _forecast(people)
    (developer,) = forecast.rows
    assert developer.label == "Developer" and forecast.periods == ["2027-W09", "2027-W10"]
    assert developer.supply == [40.0, 40.0]
    assert developer.demand == [120.0, 0.0]  # Ada 2 × 40 h, the placeholder 40 h
    assert developer.utilisation == [3.0, 0.0] and developer.over == [True, False]
    assert forecast.over_cells == 1


def test_by_person_and_department_and_per_month(people, booked, pool):
    by_person = _forecast(people, group_by="person")
    assert [r.label for r in by_person.rows] == ["Ada", "Developer (unnamed)"]
    by_month = _forecast(people, kind="month", count=12, group_by="department")
    assert by_month.rows[0].label == "(no department)"
    assert len(by_month.periods) == 12 and by_month.periods[0] == "2027-03"


def test_a_cell_drills_down_to_people_and_tasks(people, booked, project):
    forecast = _forecast(people)
    cell = forecast_cell(forecast, forecast.rows[0].key, "2027-W09")
    assert (cell.supply, cell.demand) == (40.0, 120.0)
    assert [(p.name, p.demand) for p in cell.people] == [("Ada", 80.0)]
    assert {(t.task, t.person, t.hours) for t in cell.tasks} == {
        ("Design", "Ada", 40.0),
        ("Build", "Ada", 40.0),
        ("Build", "(unnamed)", 40.0),
    }
    assert cell.tasks[0].project == f"{project.code} {project.name}"
    with pytest.raises(ValidationFailed):
        forecast_cell(forecast, "Nobody", "2027-W09")


def test_what_if_hires_delays_and_drops_without_writing(people, booked, project):
    def state():
        return (
            list(Task.objects.values_list("pk", "version", "early_start")),
            list(Assignment.objects.values_list("pk", "version")),
            Resource.objects.count(),
        )

    before = state()
    hired = _forecast(
        people, what_if=WhatIf(hires=(Hire("Developer", 2, MONDAY + dt.timedelta(days=7)),))
    )
    assert hired.rows[0].supply == [40.0, 120.0]
    delayed = _forecast(people, what_if=WhatIf(delays={project.pk: 1}))
    assert delayed.rows[0].demand == [0.0, 120.0]
    dropped = _forecast(people, what_if=WhatIf(drops=(project.pk,)))
    assert dropped.rows[0].demand == [0.0, 0.0]
    assert state() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"group_by": "team"}, "Group the forecast"),
        ({"kind": "day"}, "per week or month"),
        ({"kind": "month", "count": 25}, "between 1 and 24"),
        ({"what_if": WhatIf(hires=(Hire("Juggler", 1, MONDAY),))}, "No job role"),
        ({"what_if": WhatIf(hires=(Hire("Developer", 0, MONDAY),))}, "Hire between"),
        ({"what_if": WhatIf(drops=(999999,))}, "not a running project"),
    ],
)
def test_bad_input_is_refused(people, booked, kw, message):
    with pytest.raises(ValidationFailed, match=message):
        _forecast(people, **kw)


@pytest.mark.parametrize("who", ["manager", "member", "client"])
def test_only_the_pmo_and_executives_see_it(people, booked, who):
    with pytest.raises(Forbidden):
        capacity_forecast_table(actor=people[who], start=MONDAY)
    assert capacity_forecast_table(actor=people["sponsor"], start=MONDAY).rows


def test_constant_queries_and_the_export_table(people, booked, project, tasks, pool):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            _forecast(people, group_by="person")
        return len(ctx)

    first = count()
    services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": tasks["design"].pk, "resource_id": pool["dev"].pk},
    )
    assert count() == first
    lines = forecast_rows(_forecast(people))
    assert lines[0][:3] == ["Role", "Period", "Starts"]
    assert lines[1] == ["Developer", "2027-W09", MONDAY, 40.0, 160.0, 4.0, "yes"]


def test_pipeline_requests_count_on_their_roles_weighted_by_probability(people, booked, pool):
    from pmo.portfolio.models import IntakeRequest, RequestDemand

    request = IntakeRequest.objects.create(
        number=7,
        title="CRM upgrade",
        requester=people["manager"],
        state="submitted",
        target_start=MONDAY,
        approval_probability=50,
    )
    RequestDemand.objects.create(request=request, role=pool["role"], period=0, hours=2080)
    without = _forecast(people, pipeline=False).rows[0].demand[1]
    forecast = _forecast(people)
    # 2,080 h over a year of working days is 40 h a week; half as likely: 20 h
    assert forecast.rows[0].demand[1] == pytest.approx(without + 20.0, abs=0.5)
    cell = forecast_cell(forecast, forecast.rows[0].key, "2027-W10")
    (asked,) = cell.tasks
    assert asked.project == "REQ-7 CRM upgrade" and "50% likely" in asked.task
    request.state = "rejected"
    request.save()
    assert _forecast(people).rows[0].demand[1] == without
