"""Risk analysis end to end: the PM gives the tasks their uncertainty (one inline, the rest by
quick fill), runs a Monte Carlo simulation and reads the finish-date histogram and the P80."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from pmo.accounts.models import OrgRole
from pmo.controls import services as controls
from pmo.planning import services as planning
from pmo.projects.services import project_create
from pmo.riskanalysis.models import SimulationRun

START = dt.date(2027, 3, 1)


def test_pm_fills_uncertainty_runs_and_reads_the_p80(
    browser: Browser,
    live_server: Any,
    shot: Callable[[Page, str], Path],
    person: Callable[..., Any],
    log_in: Callable[[Page, str], None],
    screenshot_dir: Path,
) -> None:
    pia = person("pia", "Pia", OrgRole.PROJECT_MANAGER)
    sam = person("sam", "Sam", OrgRole.EXECUTIVE)
    project = project_create(actor=pia, code="MC-001", name="Warehouse system", sponsor_id=sam.pk)
    planning.schedule_update(actor=pia, project_id=project.pk, version=None, data={"start": START})
    tasks = {}
    previous = None
    for name, days, cost in (("Design", 10, 12000), ("Build", 20, 40000), ("Test", 8, 9000)):
        tasks[name] = planning.task_create(
            actor=pia,
            project_id=project.pk,
            data={"name": name, "duration": days, "planned_cost": cost},
        )
        if previous is not None:
            planning.dependency_create(
                actor=pia,
                project_id=project.pk,
                predecessor_id=previous.pk,
                successor_id=tasks[name].pk,
            )
        previous = tasks[name]
    controls.risk_create(
        actor=pia,
        project_id=project.pk,
        data={"title": "Scanner vendor late", "probability": 3, "schedule_impact_days": 6,
              "cost_impact": 5000, "task_ids": [tasks["Build"].pk]},
    )  # fmt: skip

    pm = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    pm.set_default_timeout(20_000)
    log_in(pm, "pia")
    pm.goto(f"{live_server.url}/projects/{project.pk}/")
    pm.get_by_role("link", name="Risk analysis").click()
    expect(pm.locator("h2").first).to_have_text("Schedule and cost risk analysis")

    build = pm.locator(f"#task-{tasks['Build'].pk}")
    build.get_by_label("Distribution of Build").select_option("pert")
    build.get_by_label("Min of Build").fill("18")
    build.get_by_label("Most likely of Build").fill("20")
    build.get_by_label("Max of Build").fill("32")
    build.get_by_role("button", name="Save").click()
    expect(pm.locator(f"#task-{tasks['Build'].pk}")).to_contain_text("PERT 18 / 20 / 32")

    pm.get_by_role("button", name="Apply to tasks without one").click()
    expect(pm.locator(".message-success")).to_contain_text("given to 2 tasks")
    expect(pm.locator(f"#task-{tasks['Test'].pk}")).to_contain_text("Triangular 6.4 / 8 / 9.6")

    pm.get_by_role("link", name="Quantify").click()
    pm.locator("#id_probability").fill("0.4")
    pm.locator("#id_duration").fill("triangular 3 / 6 / 12")
    pm.get_by_role("button", name="Save").click()
    expect(pm.locator("#risks")).to_contain_text("Triangular 3 / 6 / 12")

    pm.get_by_label("Iterations").fill("3000")
    pm.get_by_label("Seed").fill("7")
    pm.get_by_label("Target date").fill("2027-04-30")
    pm.get_by_role("button", name="Run simulation").click()
    # the first run in a process compiles the simulation kernel: give it time
    expect(pm.locator("#results")).to_contain_text("Results of run 1", timeout=240_000)
    run = SimulationRun.objects.get(project=project)
    assert run.state == "done", run.error
    p80 = run.results["finish"]["p80"]
    expect(pm.locator("#percentiles")).to_contain_text(p80)
    expect(pm.locator("#probability")).to_have_text(
        f"{round(run.results['probability_on_time'] * 100)}%"
    )
    # the charts drew: ECharts renders a canvas into each container
    expect(pm.locator("#finish-chart canvas")).to_have_count(1)
    expect(pm.locator("#tornado-chart canvas")).to_have_count(1)
    pm.wait_for_timeout(800)  # let the chart animations finish for the screenshots
    shot(pm, "risk-analysis")
    pm.locator("#results").screenshot(path=str(screenshot_dir / "risk-analysis-results.png"))
