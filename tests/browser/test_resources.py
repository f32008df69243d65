"""Resource levelling end to end: a project manager opens an over-allocated plan, previews the
levelling, sees the histogram of the most loaded person flatten, accepts it with a reason, and
finds the plan level afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects.services import project_create
from pmo.resources import services as resources

MONDAY = dt.date(2027, 3, 1)


def _over_allocated_project(pia: Any, admin: Any) -> Any:
    """Five parallel work packages; Ada on four of them, Bo on two: both over-allocated."""
    project = project_create(actor=pia, code="LVL-001", name="Billing revamp", sponsor_id=None)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": MONDAY})
    role = resources.job_role_create(actor=admin, data={"name": "Developer", "default_rate": 80})
    ada = resources.resource_create(actor=admin, data={"name": "Ada Lovelace", "role_id": role.pk})
    bo = resources.resource_create(actor=admin, data={"name": "Bo Jensen", "role_id": role.pk})
    plan = [("Design", 3, [ada]), ("API", 5, [ada, bo]), ("Screens", 4, [ada]),
            ("Reports", 3, [ada, bo]), ("Training", 2, [])]  # fmt: skip
    for name, days, people in plan:
        task = planning.task_create(
            actor=pia, project_id=project.pk, data={"name": name, "duration": days}
        )
        for resource in people:
            resources.assignment_create(
                actor=pia,
                project_id=project.pk,
                data={"task_id": task.pk, "resource_id": resource.pk},
            )
    return project


def test_manager_levels_an_over_allocated_plan_and_the_histogram_flattens(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    admin = person("pmo", "Pat", OrgRole.PMO_ADMIN)
    project = _over_allocated_project(pia, admin)

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(page, "pia")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.click("nav.tabs >> text=Level resources")
    histogram = page.locator("#leveling-histogram")
    expect(histogram).to_have_attribute("data-person", "Ada Lovelace")
    assert float(histogram.get_attribute("data-peak-before") or 0) == 4.0
    assert float(histogram.get_attribute("data-peak-after") or 0) == 1.0
    expect(page.locator("#leveling-histogram canvas")).to_have_count(1)
    expect(page.locator("#leveling-gantt canvas")).to_have_count(1)
    expect(page.get_by_role("table", name="Over-allocation by person")).to_contain_text(
        "Ada Lovelace"
    )
    shot(page, "resources-leveling-preview")

    page.fill("textarea[name=reason]", "Ada cannot build four packages at once")
    page.click("button:has-text('Accept levelling')")
    expect(page.locator(".message-success")).to_contain_text("Levelling accepted")
    # The current plan is now the levelled one: its peak is Ada's availability.
    expect(page.locator("#leveling-histogram")).to_have_attribute("data-peak-before", "1.0")
    expect(page.get_by_role("table", name="Over-allocation by person")).to_contain_text(
        "Nobody on this plan is over-allocated"
    )
    expect(page.locator("text=Ada cannot build four packages at once")).to_be_visible()
    moved = Task.objects.filter(project=project, constraint_type="SNET").count()
    assert moved >= 3
    shot(page, "resources-leveling-accepted")

    page.click("button:has-text('Clear levelling')")
    expect(page.locator(".message-success")).to_contain_text("Levelling cleared")
    assert not Task.objects.filter(project=project, constraint_type="SNET").exists()
    expect(page.locator("#leveling-histogram")).to_have_attribute("data-peak-before", "4.0")


def test_pmo_drills_into_the_capacity_forecast_and_tries_a_hire(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    admin = person("pmo", "Pat", OrgRole.PMO_ADMIN)
    _over_allocated_project(pia, admin)

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(page, "pmo")
    page.goto(f"{live_server.url}/resources/usage/?start=2027-03-01")
    page.click("text=Capacity forecast")
    page.select_option("select[name=kind]", "week")
    page.fill("input[name=count]", "6")
    page.fill("input[name=start]", "2027-03-01")
    page.click("button:has-text('Show')")
    heatmap = page.locator("#forecast-heatmap")
    expect(heatmap.locator("canvas").first).to_be_visible()
    assert int(heatmap.get_attribute("data-over-cells") or 0) >= 1
    page.locator("td.cell.over").first.click()
    drill = page.locator("#forecast-cell")
    expect(drill.get_by_role("table", name="Tasks behind the cell")).to_contain_text("API")
    expect(drill).to_contain_text("Ada Lovelace")
    shot(page, "resources-capacity-forecast")

    page.select_option("select[name=hire_role]", "Developer")
    page.fill("input[name=hire_count]", "3")
    page.fill("input[name=hire_from]", "2027-03-01")
    page.click("button:has-text('Show')")
    expect(page.locator("text=nothing has been saved")).to_be_visible()
    expect(page.locator("#forecast-heatmap")).to_have_attribute("data-over-cells", "0")
