"""Usage per person and role from the capacity engine, labour cost per task, constant queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.core.errors import Forbidden, ValidationFailed
from pmo.planning import services as planning
from pmo.resources import selectors, services

MONDAY = dt.date(2027, 3, 1)


def _assign(project, people, task, resource, **data):
    return services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": task.pk, "resource_id": resource.pk, **data},
    )


def _row(usage, label):
    return next(row for row in usage.rows if row.label == label)


def test_two_full_time_tasks_in_one_week_over_allocate_a_person(project, people, tasks, pool):
    _assign(project, people, tasks["design"], pool["ada"])
    _assign(project, people, tasks["build"], pool["ada"])
    usage = selectors.resource_usage(actor=people["pmo_admin"], start=MONDAY, weeks=2)
    ada = _row(usage, "Ada")
    assert usage.weeks == ("2027-W09", "2027-W10")
    assert [(c.supply, c.demand, c.over_allocated) for c in ada.cells] == [
        (40.0, 80.0, True),
        (40.0, 0.0, False),
    ]
    assert ada.cells[0].utilisation == 2.0
    assert usage.over_allocated == [("Ada", "2027-W09")]


def test_placeholders_count_on_their_role_and_availability_halves_supply(
    project, people, tasks, pool
):
    services.resource_update(
        actor=people["pmo_admin"],
        resource_id=pool["ada"].pk,
        version=None,
        data={"availability": 50},
    )
    services.resource_exception_create(
        actor=people["pmo_admin"],
        resource_id=pool["ada"].pk,
        data={"date": MONDAY, "hours": 0, "name": "Holiday"},
    )
    _assign(project, people, tasks["design"], pool["ada"], units="0.5")
    _assign(project, people, tasks["build"], pool["dev"])
    usage = selectors.resource_usage(
        actor=people["manager"], start=MONDAY + dt.timedelta(days=2), weeks=1, group_by="role"
    )
    (developer,) = usage.rows
    # Ada: 4 working days × 8 h × 50 %; demand 20 h (Ada) + 40 h (the placeholder).
    assert developer.label == "Developer"
    assert (developer.cells[0].supply, developer.cells[0].demand) == (16.0, 60.0)
    assert developer.cells[0].over_allocated


@pytest.mark.parametrize("who", ["member", "client", "viewer"])
def test_usage_is_for_the_pmo_executives_and_project_managers(people, who):
    with pytest.raises(Forbidden) as exc:
        selectors.resource_usage(actor=people[who], start=MONDAY, weeks=1)
    assert exc.value.message == selectors.USAGE_FORBIDDEN


def test_usage_refuses_unknown_groups_and_horizons(people):
    with pytest.raises(ValidationFailed) as exc:
        selectors.resource_usage(actor=people["pmo_admin"], start=MONDAY, weeks=1, group_by="x")
    assert exc.value.message == selectors.BAD_GROUP.format(value="x")
    with pytest.raises(ValidationFailed) as exc:
        selectors.resource_usage(actor=people["pmo_admin"], start=MONDAY, weeks=0)
    assert exc.value.message == selectors.BAD_WEEKS.format(max=selectors.MAX_WEEKS, value=0)


def test_project_labour_cost_sums_work_times_rate_per_task(project, people, tasks, pool):
    _assign(project, people, tasks["design"], pool["ada"])
    _assign(project, people, tasks["design"], pool["dev"], work_hours=10)
    _assign(project, people, tasks["build"], pool["dev"])
    costs = selectors.project_labour_cost(project=project)
    assert costs == {
        tasks["design"].pk: Decimal("3700.00"),  # 40 h × 80 + 10 h × 50
        tasks["build"].pk: Decimal("2000.00"),  # 40 h × 50
    }


def _grow(project, people, pool, n):
    admin = people["pmo_admin"]
    for _ in range(n):
        task = planning.task_create(
            actor=people["manager"], project_id=project.pk, data={"name": "More", "duration": 2}
        )
        person = services.resource_create(
            actor=admin, data={"name": "More", "role_id": pool["role"].pk}
        )
        services.resource_exception_create(
            actor=admin, resource_id=person.pk, data={"date": MONDAY, "hours": 4}
        )
        services.resource_rate_create(
            actor=admin, resource_id=person.pk, data={"effective_from": MONDAY, "hourly_rate": 60}
        )
        _assign(project, people, task, person)
        _assign(project, people, task, pool["dev"])


def _queries(call):
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def test_usage_and_labour_cost_cost_constant_queries(project, people, tasks, pool):
    def usage():
        selectors.resource_usage(actor=people["pmo_admin"], start=MONDAY, weeks=4)

    def cost():
        selectors.project_labour_cost(project=project)

    _grow(project, people, pool, 1)
    before = (_queries(usage), _queries(cost))
    _grow(project, people, pool, 4)
    assert (_queries(usage), _queries(cost)) == before


def test_by_person_placeholders_show_on_an_unnamed_row_per_role(project, people, tasks, pool):
    _assign(project, people, tasks["build"], pool["dev"], units="0.5")
    usage = selectors.resource_usage(actor=people["pmo_admin"], start=MONDAY, weeks=1)
    assert [(row.label, row.cells[0].supply, row.cells[0].demand) for row in usage.rows] == [
        ("Ada", 40.0, 0.0),
        ("Developer (unnamed)", 0.0, 20.0),
    ]
    assert usage.over_allocated == [("Developer (unnamed)", "2027-W09")]
