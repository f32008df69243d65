"""The Risk analysis tab: inline uncertainty, quantified risks, correlations, runs and results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.planning import services as planning
from pmo.riskanalysis import services
from pmo.riskanalysis.models import RiskImpact, SimulationRun, TaskCorrelation, TaskUncertainty
from pmo.web.views.riskanalysis import parse_distribution

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pm_fills_quantifies_correlates_runs_and_sees_results(
    project, people, plan, risk, django_capture_on_commit_callbacks
):
    pm = client_for(people["manager"])
    url = f"/projects/{project.pk}/risk-analysis/"
    build = plan["Build"]
    row = pm.post(f"{url}tasks/{build.pk}/", {"kind": "pert", "min": "8", "mode": "10",
                                              "max": "18"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert row.status_code == 200 and "PERT 8 / 10 / 18" in row.content.decode()
    bad = pm.post(f"{url}tasks/{build.pk}/", {"kind": "triangular", "min": "12", "mode": "10",
                                              "max": "x"})  # fmt: skip
    assert "&#x27;x&#x27; is not a number." in bad.content.decode()
    assert TaskUncertainty.objects.get(task=build).kind == "pert"
    pm.post(url, {"action": "fill", "percent": "25", "kind": "triangular"})
    assert TaskUncertainty.objects.count() == 3
    data = {"task_ids": [build.pk, plan["Test"].pk], "probability": "0.5",
            "duration": "triangular 2 / 3 / 8", "cost": "4000", "post_probability": "0.2",
            "post_duration": "1", "response_cost": "500"}  # fmt: skip
    r = pm.post(f"{url}risks/{risk.pk}/", data)
    assert r.status_code == 302
    impact = RiskImpact.objects.get()
    assert impact.duration == {"kind": "triangular", "min": 2, "mode": 3, "max": 8}
    assert impact.post_duration == {"kind": "fixed", "value": 1}
    pm.post(url, {"action": "correlate", "first_id": build.pk, "second_id": plan["Test"].pk,
                  "coefficient": "0.4"})  # fmt: skip
    assert TaskCorrelation.objects.get().coefficient == 0.4
    with django_capture_on_commit_callbacks(execute=True):
        pm.post(url, {"action": "run", "iterations": "2000", "seed": "11", "response": "pre",
                      "target_date": "2027-04-02"})  # fmt: skip
    run = SimulationRun.objects.get()
    assert run.state == "done", run.error
    progress = pm.get(f"{url}runs/{run.pk}/", HTTP_HX_REQUEST="true")
    assert progress["HX-Redirect"] == f"{url}?run={run.pk}"
    page = pm.get(url).content.decode()
    assert run.results["finish"]["p80"] in page and "Probability of finishing by" in page
    assert "After responses" in page  # the post-response curve for comparison
    assert 'id="finish-chart"' in page and 'id="tornado-chart"' in page


def test_team_reads_client_does_not(project, people, plan):
    url = f"/projects/{project.pk}/risk-analysis/"
    page = client_for(people["member"]).get(url)
    assert page.status_code == 200 and "Run simulation</button>" not in page.content.decode()
    assert client_for(people["client"]).get(url).status_code == 404
    r = client_for(people["member"]).post(url, {"action": "fill", "percent": "10"})
    assert r.status_code == 403
    r = client_for(people["viewer"]).post(
        f"{url}tasks/{plan['Build'].pk}/", {"kind": "uniform", "min": "1", "max": "2"}
    )
    assert r.status_code == 403 and not TaskUncertainty.objects.exists()


def test_refused_run_is_a_message_not_an_error(project, people, plan):
    pm = client_for(people["manager"])
    url = f"/projects/{project.pk}/risk-analysis/"
    r = pm.post(url, {"action": "run", "iterations": "1000", "response": "pre"}, follow=True)
    assert services.RUN_NO_UNCERTAINTY in r.content.decode()


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("", None),
        ("4", {"kind": "fixed", "value": 4}),
        ("-2,5", {"kind": "fixed", "value": -2.5}),
        ("Triangular 2 / 4 / 10", {"kind": "triangular", "min": 2, "mode": 4, "max": 10}),
        ("lognormal mean 5, sd 2", {"kind": "lognormal", "mean": 5, "sd": 2}),
        ("uniform 1 3", {"kind": "uniform", "min": 1, "max": 3}),
    ],
)
def test_distribution_reads_as_the_page_shows_it(text, spec):
    assert parse_distribution(text) == spec


def test_page_takes_constant_queries(project, people, plan, risk):
    pm = people["manager"]
    client = client_for(pm)
    url = f"/projects/{project.pk}/risk-analysis/"

    def add(i: int) -> None:
        task = planning.task_create(
            actor=pm, project_id=project.pk, data={"name": f"T{i}", "duration": 4}
        )
        services.uncertainty_fill(actor=pm, project_id=project.pk, percent=10)
        services.risk_impact_set(
            actor=pm, project_id=project.pk, risk_id=risk.pk, data={"task_ids": [task.pk]}
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    add(1)
    one = count()
    for i in range(2, 6):
        add(i)
    assert count() == one
