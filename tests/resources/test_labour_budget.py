"""Labour cost flows into the budget: work × rate in force, time-phased by month."""

import datetime as dt
from decimal import Decimal

from pmo.controls import selectors as controls
from pmo.planning import services as planning
from pmo.resources import selectors, services


def _assign(project, people, task, resource, hours):
    return services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": task.pk, "resource_id": resource.pk, "work_hours": hours},
    )


def test_labour_is_spread_over_the_months_of_the_task_at_the_rate_in_force(
    project, people, tasks, pool
):
    pm = people["manager"]
    # Design runs 10 calendar days from Fri 26 March 2027 to Mon 5 April (6 working days).
    planning.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=tasks["design"].pk,
        version=None,
        data={"duration": 7, "constraint_type": "SNET", "constraint_date": dt.date(2027, 3, 26)},
    )
    services.resource_rate_create(
        actor=people["pmo_admin"],
        resource_id=pool["ada"].pk,
        data={"effective_from": dt.date(2027, 4, 1), "hourly_rate": 100},
    )
    _assign(project, people, tasks["design"], pool["ada"], 100)
    labour = selectors.project_labour_by_month(project=project)
    # 26-31 March: 6 of 11 days at 80/h; 1-5 April: 5 of 11 days at 100/h.
    assert labour.months == {
        dt.date(2027, 3, 1): Decimal("4363.64"),
        dt.date(2027, 4, 1): Decimal("4545.45"),
    }
    assert labour.unscheduled == 0
    summary = controls.budget_summary(actor=pm, project=project)
    assert summary.labour is not None
    march = summary.months.index(dt.date(2027, 3, 1))
    assert summary.labour.amounts[march] == Decimal("4363.64")
    assert summary.labour.total == Decimal("8909.09")


def test_the_budget_page_shows_the_labour_row(client, project, people, tasks, pool):
    _assign(project, people, tasks["build"], pool["dev"], 40)
    client.force_login(people["manager"])
    page = client.get(f"/projects/{project.pk}/budget/")
    assert page.status_code == 200
    assert "Labour cost of assignments" in page.content.decode()
    assert "2,000.00" in page.content.decode() or "2000.00" in page.content.decode()
