"""Uncertainty, quantified risks, correlations and runs: rules, permissions and results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.planning import services as planning
from pmo.riskanalysis import services
from pmo.riskanalysis.models import RiskImpact, RunState, SimulationRun, TaskUncertainty

pytestmark = pytest.mark.django_db

TRI = {"kind": "triangular", "min": 8, "mode": 10, "max": 16}


def _set(people: Any, project: Any, task: Any, data: Any, who: str = "manager") -> Any:
    return services.uncertainty_set(
        actor=people[who], project_id=project.pk, task_id=task.pk, data=data
    )


def test_uncertainty_keeps_only_its_own_parameters(project, people, plan):
    row = _set(people, project, plan["Build"], {**TRI, "mean": 3, "sd": 1})
    assert (row.minimum, row.most_likely, row.maximum, row.mean, row.sd) == (8, 10, 16, None, None)
    assert row.text == "Triangular 8 / 10 / 16"
    row = _set(people, project, plan["Build"], {"kind": "lognormal", "mean": 11, "sd": 2})
    assert (row.minimum, row.mean, row.version) == (None, 11, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "triangular", "min": 12, "mode": 10, "max": 16},
            "Task 'Build': Triangular distribution needs min <= mode <= max, "
            "got min 12.0, mode 10.0, max 16.0",
        ),
        ({"kind": "pert", "min": 8, "max": 16}, "Task 'Build': the PERT needs mode"),
        (
            {"kind": "lognormal", "mean": 0, "sd": 1},
            "Task 'Build': Lognormal distribution needs mean > 0 and sd >= 0, got mean 0.0, sd 1.0",
        ),
        ({"kind": "uniform", "min": -2, "max": 3}, services.NEGATIVE_DURATION.format(
            name="Build", minimum=-2)),
        ({"kind": "fixed", "value": 3}, services.TASK_KIND.format(
            kinds="Triangular, PERT, Uniform, Lognormal", kind="fixed")),
    ],
)  # fmt: skip
def test_uncertainty_refuses_what_the_engine_refuses(project, people, plan, data, message):
    with pytest.raises(ValidationFailed) as exc:
        _set(people, project, plan["Build"], data)
    assert exc.value.message == message
    assert not TaskUncertainty.objects.exists()


def test_only_pm_and_pmo_edit_and_the_client_sees_nothing(project, people, plan):
    for who in ("member", "viewer", "sponsor"):
        with pytest.raises(Forbidden):
            _set(people, project, plan["Build"], TRI, who)
    for who in ("client", "outsider"):
        with pytest.raises(NotFound):
            _set(people, project, plan["Build"], TRI, who)
    assert _set(people, project, plan["Build"], TRI, "pmo_admin").pk


def test_summary_task_takes_no_uncertainty(project, people, plan):
    phase = planning.task_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Phase", "duration": 1}
    )
    planning.task_update(actor=people["manager"], project_id=project.pk, task_id=plan["Test"].pk,
                         version=None, data={"parent_id": phase.pk})  # fmt: skip
    with pytest.raises(ValidationFailed, match="summary task"):
        _set(people, project, phase, TRI)


def test_stale_version_is_refused(project, people, plan):
    _set(people, project, plan["Build"], TRI)
    with pytest.raises(Conflict):
        services.uncertainty_set(
            actor=people["manager"],
            project_id=project.pk,
            task_id=plan["Build"].pk,
            data={**TRI, "max": 20},
            version=7,
        )


def test_quick_fill_covers_only_tasks_without_uncertainty(project, people, plan):
    _set(people, project, plan["Build"], TRI)
    filled = services.uncertainty_fill(actor=people["manager"], project_id=project.pk, percent=20)
    assert filled == 2
    design = TaskUncertainty.objects.get(task=plan["Design"])
    assert (design.kind, design.minimum, design.most_likely, design.maximum) == (
        "triangular", 4, 5, 6)  # fmt: skip
    assert TaskUncertainty.objects.get(task=plan["Build"]).maximum == 16
    with pytest.raises(ValidationFailed) as exc:
        services.uncertainty_fill(actor=people["manager"], project_id=project.pk, percent=0)
    assert exc.value.message == services.FILL_PERCENT


def test_first_quantification_starts_from_the_register(project, people, plan, risk):
    row = services.risk_impact_set(
        actor=people["manager"], project_id=project.pk, risk_id=risk.pk, data={}
    )
    assert row.probability == 0.7
    assert row.duration == {"kind": "fixed", "value": 4.0}
    assert row.cost == {"kind": "fixed", "value": 3000.0}
    assert [t.pk for t in row.tasks.all()] == [plan["Build"].pk]
    assert not row.has_response


def test_risk_impact_with_response_and_bad_input(project, people, plan, risk):
    row = services.risk_impact_set(
        actor=people["manager"],
        project_id=project.pk,
        risk_id=risk.pk,
        data={
            "task_ids": [plan["Build"].pk, plan["Test"].pk],
            "probability": 0.6,
            "duration": {"kind": "pert", "min": 2, "mode": 4, "max": 10},
            "post_probability": 0.2,
            "post_duration": {"kind": "uniform", "min": 1, "max": 2},
            "response_cost": 1500,
        },
    )
    assert row.has_response and row.post_duration_text == "Uniform 1 / 2"
    assert row.tasks.count() == 2
    with pytest.raises(ValidationFailed) as exc:
        services.risk_impact_set(actor=people["manager"], project_id=project.pk,
                                 risk_id=risk.pk, data={"probability": 1.5})  # fmt: skip
    assert exc.value.message == "Risk R-1: a probability lies between 0 and 1, not 1.5."
    with pytest.raises(ValidationFailed, match="Risk R-1 cost: Uniform distribution needs"):
        services.risk_impact_set(actor=people["manager"], project_id=project.pk,
                                 risk_id=risk.pk, data={"cost": {"kind": "uniform", "min": 5,
                                                                 "max": 1}})  # fmt: skip
    row.refresh_from_db()
    assert row.probability == 0.6 and row.version == 1


def test_correlation_pair_is_stored_once_in_order(project, people, plan):
    pm = people["manager"]
    a = services.correlation_set(actor=pm, project_id=project.pk, first_id=plan["Test"].pk,
                                 second_id=plan["Design"].pk, coefficient=0.5)  # fmt: skip
    b = services.correlation_set(actor=pm, project_id=project.pk, first_id=plan["Design"].pk,
                                 second_id=plan["Test"].pk, coefficient=0.7)  # fmt: skip
    assert a.pk == b.pk and b.first_id == plan["Design"].pk and b.coefficient == 0.7
    with pytest.raises(ValidationFailed) as exc:
        services.correlation_set(actor=pm, project_id=project.pk, first_id=plan["Test"].pk,
                                 second_id=plan["Test"].pk, coefficient=0.5)  # fmt: skip
    assert exc.value.message == services.CORRELATION_SAME
    with pytest.raises(ValidationFailed):
        services.correlation_set(actor=pm, project_id=project.pk, first_id=plan["Test"].pk,
                                 second_id=plan["Build"].pk, coefficient=1.2)  # fmt: skip


def _run(project: Any, people: Any, capture: Any, **data: Any) -> SimulationRun:
    with capture(execute=True):
        run = services.run_start(actor=people["manager"], project_id=project.pk,
                                 data={"iterations": 1000, "seed": 42, **data})  # fmt: skip
    run.refresh_from_db()
    return run


def test_run_needs_something_uncertain(project, people, plan, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationFailed) as exc:
        _run(project, people, django_capture_on_commit_callbacks)
    assert exc.value.message == services.RUN_NO_UNCERTAINTY


def test_run_stores_reproducible_results(
    project, people, plan, risk, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    services.uncertainty_fill(actor=people["manager"], project_id=project.pk, percent=30)
    services.risk_impact_set(actor=people["manager"], project_id=project.pk, risk_id=risk.pk,
                             data={"post_probability": 0.1})  # fmt: skip
    target = dt.date(2027, 3, 29)  # 20 working days: the plan's own finish
    run = _run(project, people, capture, target_date=target)
    assert run.state == RunState.DONE and run.progress == 100 and not run.error
    r = run.results
    assert r["start"] == "2027-03-01" and r["target"] == "2027-03-29"
    assert r["finish"]["p10"] <= r["finish"]["p50"] <= r["finish"]["p80"] <= r["finish"]["p90"]
    assert r["cost"]["p10"] <= r["cost"]["p50"] <= r["cost"]["p90"]
    assert 0 < r["probability_on_time"] < 1
    assert sum(r["histogram"]["counts"]) == 1000
    assert r["cumulative"][-1][1] == 1.0
    # a chain: every task is always critical
    assert {c["index"] for c in r["criticality"]} == {1.0}
    assert {x["label"] for x in r["tornado"][:2]} == {"2 Build", "R-1 Vendor API late"}
    assert [x["label"] for x in r["risks"]] == ["R-1 Vendor API late"]
    assert 0.6 < r["risks"][0]["frequency"] < 0.8
    # the response was simulated too: fewer late finishes, never more
    assert r["other"]["response"] == "post"
    assert r["other"]["probability_on_time"] >= r["probability_on_time"]
    again = _run(project, people, capture, target_date=target)
    assert again.number == 2
    assert again.results["finish"] == r["finish"] and again.results["cost"] == r["cost"]


def test_cost_grows_with_duration(project, people, plan, django_capture_on_commit_callbacks):
    services.uncertainty_set(actor=people["manager"], project_id=project.pk,
                             task_id=plan["Build"].pk,
                             data={"kind": "uniform", "min": 20, "max": 20.0001})  # fmt: skip
    run = _run(project, people, django_capture_on_commit_callbacks)
    # Build takes twice its 10 days: twice its 20,000 of planned cost
    assert run.results["cost"]["p50"] == pytest.approx(50000, abs=1)


def test_contradictory_correlations_fail_the_run_with_the_reason(
    project, people, plan, django_capture_on_commit_callbacks
):
    pm = people["manager"]
    services.uncertainty_fill(actor=pm, project_id=project.pk, percent=30)
    d, b, t = plan["Design"].pk, plan["Build"].pk, plan["Test"].pk
    for x, y, rho in ((d, b, 0.9), (b, t, 0.9), (d, t, -0.9)):
        services.correlation_set(actor=pm, project_id=project.pk, first_id=x, second_id=y,
                                 coefficient=rho)  # fmt: skip
    run = _run(project, people, django_capture_on_commit_callbacks)
    assert run.state == RunState.FAILED
    assert run.error.startswith("The simulation could not run: The correlations contradict")
    assert run.results == {}


def test_one_run_at_a_time(project, people, plan):
    services.uncertainty_fill(actor=people["manager"], project_id=project.pk, percent=10)
    services.run_start(actor=people["manager"], project_id=project.pk, data={"iterations": 500})
    with pytest.raises(Conflict) as exc:
        services.run_start(actor=people["manager"], project_id=project.pk, data={})
    assert (
        exc.value.message == "Run 1 is still queued; wait for it to finish before starting another."
    )


def test_run_settings_are_checked(project, people, plan):
    services.uncertainty_fill(actor=people["manager"], project_id=project.pk, percent=10)
    for data, message in (
        ({"iterations": 10}, services.RUN_ITERATIONS),
        ({"seed": -1}, services.RUN_SEED),
        ({"bins": 3}, "These fields cannot be changed here: bins."),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.run_start(actor=people["manager"], project_id=project.pk, data=data)
        assert exc.value.message == message
    assert not SimulationRun.objects.exists()
    assert not RiskImpact.objects.exists()


def test_correlated_task_without_distribution_fails_with_its_name(
    project, people, plan, django_capture_on_commit_callbacks
):
    pm = people["manager"]
    _set(people, project, plan["Design"], {"kind": "uniform", "min": 4, "max": 6})
    services.correlation_set(actor=pm, project_id=project.pk, first_id=plan["Design"].pk,
                             second_id=plan["Build"].pk, coefficient=0.5)  # fmt: skip
    run = _run(project, people, django_capture_on_commit_callbacks)
    assert run.state == RunState.FAILED
    assert run.error == (
        "The simulation could not run: The correlation of '1 Design' and '2 Build' needs both "
        "tasks to have a duration distribution; '2 Build' has none"
    )
