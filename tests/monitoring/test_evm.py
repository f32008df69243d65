"""Earned value of a project from its baseline, progress and costs; roll-ups; snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.core.errors import NotFound, ValidationFailed
from pmo.monitoring import selectors, services
from pmo.monitoring.models import EvmSnapshot

from .conftest import STATUS

pytestmark = pytest.mark.django_db


def test_project_evm_measures_the_baseline_progress_and_costs(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    project = measured["project"]
    evm = selectors.project_evm(actor=people["member"], project=project)
    i = evm.indicators
    assert evm.status_date == STATUS
    assert i.bac == 40_000
    assert i.ev == pytest.approx(10_000 + 0.25 * 20_000)
    assert i.ac == 20_000
    assert i.cpi == pytest.approx(0.75)
    assert i.pv > i.ev and i.spi < 0.9
    assert evm.schedule.spi_t < 1
    assert evm.forecast_finish is not None
    chart = evm.chart
    assert chart["months"][0] == "2026-01-31" and chart["bac"] == 40_000
    assert chart["pv"][-1] == pytest.approx(40_000)
    assert chart["ev"][0] == pytest.approx(15_000) and chart["ev"][-1] is None
    assert chart["forecast"][-1][1] == pytest.approx(40_000 / 0.75)
    keys = [row.key for row in evm.explained]
    assert keys[:4] == ["bac", "pv", "ev", "ac"] and "spi_t" in keys


def test_a_client_and_an_outsider_see_no_earned_value(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    for who in ("client", "outsider"):
        with pytest.raises(NotFound):
            selectors.project_evm(actor=people[who], project=measured["project"])


def test_roll_up_sums_and_leaves_out_projects_without_a_baseline(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.projects.services import project_create

    other = project_create(actor=people["manager"], code="PRJ-002", name="No plan yet")
    rollup = selectors.evm_rollup(actor=people["pmo_admin"], projects=[measured["project"], other])
    assert [r.project.code for r in rollup.rows] == ["PRJ-001", "PRJ-002"]
    assert rollup.rows[1].indicators is None and rollup.measured == 1
    assert rollup.total.bac == 40_000 and rollup.total.cpi == pytest.approx(0.75)
    # Someone who sees neither project gets an empty roll-up, not an error.
    nobody = selectors.evm_rollup(actor=people["outsider"], projects=[measured["project"]])
    assert nobody.rows == [] and nobody.total is None
    client = selectors.evm_rollup(actor=people["client"], projects=[measured["project"]])
    assert client.rows == []


def test_roll_up_costs_the_same_queries_for_one_project_or_three(
    measured: dict[str, Any], people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    from pmo.projects.models import Project

    with django_assert_max_num_queries(9):
        selectors.evm_rollup(actor=people["pmo_admin"], projects=[measured["project"]])
    for n in (2, 3):
        Project.objects.create(code=f"PRJ-00{n}", name=f"P{n}", manager=people["manager"])
    with django_assert_max_num_queries(9):
        selectors.evm_rollup(actor=people["pmo_admin"], projects=list(Project.objects.all()))


def test_indicators_count_slips_risks_issues_and_overdue_items(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.changes import services as changes
    from pmo.controls import services as controls

    project, pm = measured["project"], people["manager"]
    controls.risk_create(
        actor=pm,
        project_id=project.pk,
        data={
            "title": "Key vendor fails",
            "probability": 4,
            "impact": 4,
            "review_date": dt.date(2026, 1, 2),
        },
    )
    controls.risk_create(
        actor=pm, project_id=project.pk, data={"title": "Minor", "probability": 1, "impact": 2}
    )
    changes.issue_create(
        actor=pm,
        project_id=project.pk,
        data={"title": "Test rig broken", "priority": "critical", "due_date": dt.date(2026, 1, 1)},
    )
    got = selectors.project_indicators(project)
    assert got["status_date"] == "2026-01-30"
    assert got["spi"] < 0.9 and got["cpi"] == pytest.approx(0.75)
    assert got["open_high_risks"] == 1 and got["overdue_high_risks"] == 1
    assert got["open_high_issues"] == 1 and got["overdue_issues"] == 1
    assert got["overdue_risks"] == 1
    assert got["budget_burn"] == pytest.approx(50.0)
    assert got["percent_complete"] == pytest.approx(37.5)
    # Build is behind, so the plan's finish moved and the Go-live milestone slipped.
    assert got["float_consumed_days"] > 0
    assert got["milestones_slipped"] == 1 and got["slipped_milestones"] == ["Go-live"]


def test_recording_a_status_date_keeps_one_snapshot_per_date(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    project = measured["project"]
    first = services.snapshot_record(actor=people["manager"], project_id=project.pk)
    again = services.snapshot_record(actor=people["pmo_admin"], project_id=project.pk)
    assert first.pk == again.pk and EvmSnapshot.objects.count() == 1
    assert float(again.cpi) == pytest.approx(0.75) and again.recorded_by == people["pmo_admin"]
    earlier = services.snapshot_record(
        actor=people["manager"], project_id=project.pk, status_date=dt.date(2026, 1, 16)
    )
    assert earlier.pv < again.pv
    assert [
        s.status_date for s in selectors.snapshot_list(actor=people["member"], project=project)
    ] == [
        dt.date(2026, 1, 16),
        STATUS,
    ]


def test_recording_needs_a_costed_baseline_and_an_editor(
    project: Any, measured: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.core.errors import Forbidden
    from pmo.projects.services import project_create

    bare = project_create(actor=people["manager"], code="PRJ-009", name="Bare")
    with pytest.raises(ValidationFailed, match="has no costed baseline yet"):
        services.snapshot_record(actor=people["manager"], project_id=bare.pk)
    with pytest.raises(Forbidden):
        services.snapshot_record(actor=people["member"], project_id=measured["project"].pk)
    with pytest.raises(ValidationFailed, match="is in the future"):
        services.snapshot_record(
            actor=people["manager"],
            project_id=measured["project"].pk,
            status_date=dt.date(2999, 1, 1),
        )


def test_a_baseline_the_engine_refuses_answers_a_validation_error(
    measured: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.planning.models import BaselineTask

    BaselineTask.objects.filter(name="Test").update(cost=-5)
    with pytest.raises(ValidationFailed, match="Earned value cannot be measured on this baseline"):
        selectors.project_evm(actor=people["manager"], project=measured["project"])
    rollup = selectors.evm_rollup(actor=people["manager"], projects=[measured["project"]])
    assert rollup.rows[0].indicators is None and rollup.total is None
    assert selectors.project_indicators(measured["project"])["has_baseline"] is False
