"""Planning end to end: a project manager builds a small plan, links it, sees the critical path,
captures a baseline, drags a bar on the Gantt chart and sees the variance."""

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

MONDAY = dt.date(2027, 3, 1)


def _add_task(page: Page, name: str, duration: int) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=duration]", str(duration))
    page.click("button:has-text('Add task')")
    expect(page.locator(".message-success")).to_contain_text(f"'{name}' added.")


def _link(page: Page, predecessor: str, successor: str) -> None:
    page.select_option("select[name=predecessor]", label=predecessor)
    page.select_option("select[name=successor]", label=successor)
    page.click("button:has-text('Add link')")
    expect(page.locator(".message-success")).to_contain_text("Link added")


def _bar_x(page: Page, task: Task) -> float:
    box = page.locator(f'.bar-wrapper[data-id="{task.pk}"] .bar').bounding_box()
    assert box is not None
    return box["x"]


def test_manager_builds_a_plan_drags_a_bar_and_sees_the_variance(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
) -> None:
    base = live_server.url
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    sam = person("sam", "Sam", OrgRole.EXECUTIVE)
    project = project_create(actor=pia, code="PLN-001", name="Portal launch", sponsor_id=sam.pk)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": MONDAY})

    pm = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    log_in(pm, "pia")
    pm.goto(f"{base}/projects/{project.pk}/")
    pm.click("nav.tabs >> text=Plan")
    for name, duration in (("Design", 3), ("Build", 5), ("Docs", 2), ("Go-live", 0)):
        _add_task(pm, name, duration)
    _link(pm, "1 Design", "2 Build")
    _link(pm, "1 Design", "3 Docs")
    _link(pm, "2 Build", "4 Go-live")
    _link(pm, "3 Docs", "4 Go-live")
    expect(pm.locator("#plan-body .critical-badge")).to_have_count(3)
    expect(pm.locator("#plan-body tr", has_text="Docs")).not_to_contain_text("Critical")

    # inline editing with the keyboard: Enter opens the row, Enter saves
    docs = Task.objects.get(project=project, name="Docs")
    pm.locator(f"#task-{docs.pk} td.num.editable").focus()
    pm.keyboard.press("Enter")
    expect(pm.locator(f"#task-{docs.pk} input[name=name]")).to_be_focused()
    pm.keyboard.press("Tab")
    expect(pm.locator(f"#task-{docs.pk} input[name=duration]")).to_be_focused()
    pm.keyboard.press("Control+A")
    pm.keyboard.type("4")
    pm.keyboard.press("Enter")
    expect(pm.locator("#plan-messages")).to_contain_text("'Docs' saved")
    expect(pm.locator(f"#task-{docs.pk}")).to_contain_text("2027-03-09")
    shot(pm, "plan-table")

    pm.click("nav.tabs >> text=Baselines")
    pm.fill("input[name=name]", "Agreed plan")
    pm.click("button:has-text('Capture baseline')")
    expect(pm.locator(".message-success")).to_contain_text("'Agreed plan' captured.")

    pm.click("nav.tabs >> text=Gantt")
    expect(pm.locator("#gantt[data-ready=true]")).to_be_attached()
    pm.click("button[data-view-mode=Day]")
    build = Task.objects.get(project=project, name="Build")
    golive = Task.objects.get(project=project, name="Go-live")
    expect(pm.locator(f'.bar-wrapper[data-id="{build.pk}"].bar-critical')).to_be_visible()
    expect(pm.locator(".gantt .baseline-bar")).to_have_count(4)
    expect(pm.locator(".gantt g.arrow path")).to_have_count(4)
    golive_x = _bar_x(pm, golive)
    bar = pm.locator(f'.bar-wrapper[data-id="{build.pk}"] .bar').bounding_box()
    assert bar is not None
    column = pm.evaluate(
        "document.querySelector('.gantt-container').style.getPropertyValue('--gv-column-width')"
    )
    step = float(column.removesuffix("px"))
    x, y = bar["x"] + 12, bar["y"] + bar["height"] / 2
    pm.mouse.move(x, y)
    pm.mouse.down()
    pm.mouse.move(x + step * 4, y, steps=12)  # Thursday 4 → Monday 8 March
    pm.mouse.up()
    expect(pm.locator("#gantt-status")).to_contain_text("'Build' changed; the plan is rescheduled.")
    build.refresh_from_db()
    assert (build.constraint_type, build.constraint_date) == ("SNET", dt.date(2027, 3, 8))
    # the network moved with it: Go-live now follows the later Build
    expect(pm.locator(f'.bar-wrapper[data-id="{golive.pk}"] .bar')).to_be_visible()
    pm.wait_for_function(
        f"document.querySelector('.bar-wrapper[data-id=\"{golive.pk}\"] .bar')"
        f".getBoundingClientRect().x > {golive_x + step}"
    )
    shot(pm, "gantt")

    pm.click("nav.tabs >> text=Baselines")
    expect(pm.locator(".project-finish-variance .variance-late")).to_have_text("+2 working days")
    expect(pm.locator("#variance-chart canvas")).to_be_attached()
    shot(pm, "variance")
