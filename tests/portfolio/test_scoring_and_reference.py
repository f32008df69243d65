"""Scoring models, assessments by several assessors, ranking under other weights, and
reference-class estimates from finished projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.planning import services as planning
from pmo.portfolio import selectors, services
from pmo.projects.services import project_create, project_update

from .conftest import draft_data, move


def _ids(model):
    return [str(c.pk) for c in model.criteria.order_by("position")]


def _score(people, who, request, model, fit, urgency):
    fit_id, urgency_id = _ids(model)
    return services.assessment_save(
        actor=people[who],
        request_id=request.pk,
        model_id=model.pk,
        scores={fit_id: fit, urgency_id: urgency},
    )


def test_model_validation(people):
    def create(criteria):
        return services.scoring_model_create(
            actor=people["pmo_admin"], data={"name": "M", "criteria": criteria}
        )

    with pytest.raises(ValidationFailed, match="needs at least one criterion"):
        create([])
    with pytest.raises(ValidationFailed, match="Two criteria are called 'fit'"):
        create([{"name": "Fit"}, {"name": "fit"}])
    with pytest.raises(ValidationFailed, match="has 4 level descriptions for a scale of 1 to 3"):
        create([{"name": "Fit", "scale_max": 3, "levels": ["a", "b", "c", "d"]}])
    with pytest.raises(Forbidden, match="Only the PMO may keep scoring models."):
        services.scoring_model_create(
            actor=people["sponsor"], data={"name": "M", "criteria": [{"name": "Fit"}]}
        )


def test_two_assessors_rank_requests_and_weights_change_the_ranking(
    people, portfolio, scoring_model, draft
):
    second = services.request_create(actor=people["member"], data=draft_data(portfolio, title="B"))
    for r in (draft, second):
        move(r, people, "in_assessment")
    with pytest.raises(ValidationFailed, match="Score every criterion: Urgency."):
        services.assessment_save(
            actor=people["pmo_admin"],
            request_id=draft.pk,
            model_id=scoring_model.pk,
            scores={_ids(scoring_model)[0]: 3},
        )
    with pytest.raises(
        ValidationFailed, match="The score for 'Urgency' must be a whole number from 1 to 3."
    ):
        _score(people, "pmo_admin", draft, scoring_model, 3, 4)
    # REQ-1: strong fit, not urgent; REQ-2: weak fit, very urgent
    _score(people, "pmo_admin", draft, scoring_model, 5, 1)
    _score(people, "pmo_analyst", draft, scoring_model, 4, 1)
    _score(people, "pmo_admin", second, scoring_model, 2, 3)
    rows = selectors.ranking(actor=people["pmo_analyst"], model=scoring_model)
    assert [(r.request.code, r.rank, r.total, r.assessors) for r in rows] == [
        # (3 * 0.875 + 0) / 4 = 65.62; (3 * 0.25 + 1 * 1) / 4 = 43.75
        ("REQ-1", 1, 65.62, 2),
        ("REQ-2", 2, 43.75, 1),
    ]
    fit_id, urgency_id = _ids(scoring_model)
    moved = selectors.ranking(
        actor=people["pmo_analyst"], model=scoring_model, weights={fit_id: 1, urgency_id: 3}
    )
    assert [(r.request.code, r.rank, r.base_rank, r.movement) for r in moved] == [
        ("REQ-2", 1, 2, 1),
        ("REQ-1", 2, 1, -1),
    ]
    with pytest.raises(Forbidden):
        selectors.ranking(actor=people["manager"], model=scoring_model)


def test_rescoring_replaces_the_assessment_and_criteria_lock_once_scored(
    people, scoring_model, draft
):
    move(draft, people, "submitted")
    first = _score(people, "pmo_admin", draft, scoring_model, 2, 2)
    again = _score(people, "pmo_admin", draft, scoring_model, 3, 2)
    assert again.pk == first.pk and again.version == 2
    criteria = [
        {"id": c.pk, "name": c.name, "weight": 2, "scale_max": c.scale_max}
        for c in scoring_model.criteria.all()
    ]
    saved = services.scoring_model_update(
        actor=people["pmo_admin"],
        model_id=scoring_model.pk,
        version=None,
        data={"criteria": criteria},
    )
    assert [c.weight for c in saved.criteria.all()] == [Decimal(2), Decimal(2)]
    with pytest.raises(Conflict, match="Requests were already scored on this model"):
        services.scoring_model_update(
            actor=people["pmo_admin"],
            model_id=scoring_model.pk,
            version=None,
            data={"criteria": [*criteria, {"name": "New"}]},
        )


def test_drafts_and_decided_requests_are_not_scored(people, scoring_model, draft):
    with pytest.raises(NotFound):  # another person's draft is not even visible to the PMO
        _score(people, "pmo_admin", draft, scoring_model, 2, 2)
    move(draft, people, "rejected")
    with pytest.raises(Conflict, match="REQ-1 is rejected; only submitted"):
        _score(people, "pmo_admin", draft, scoring_model, 2, 2)


def _finished_project(people, code, base_cost, final_cost, base_days, final_days):
    """A project with a first baseline of `base_cost` over `base_days`, finished after
    `final_days` at `final_cost`."""
    pm = people["manager"]
    start = dt.date(2025, 1, 6)
    project = project_create(actor=pm, code=code, name=code)
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": start})
    task = planning.task_create(
        actor=pm,
        project_id=project.pk,
        data={"name": "Work", "duration": 5, "planned_cost": str(base_cost)},
    )
    planning.baseline_capture(actor=pm, project_id=project.pk, name="Agreed")
    # the first baseline's dates are the plan's; restate its span as the test's
    from pmo.planning.models import Baseline, Task

    Baseline.objects.filter(project=project).update(
        start=start, finish=start + dt.timedelta(days=base_days - 1)
    )
    Task.objects.filter(pk=task.pk).update(planned_cost=final_cost)
    project_update(
        actor=people["pmo_admin"],
        project_id=project.pk,
        version=None,
        data={"actual_start": start, "actual_finish": start + dt.timedelta(days=final_days - 1)},
    )
    return project


def test_reference_class_needs_enough_comparable_projects(people, portfolio):
    req = services.request_create(
        actor=people["member"],
        data=draft_data(
            portfolio,
            costs=["50000"],
            target_start="2027-01-01",
            target_finish="2027-04-10",  # 100 days
        ),
    )
    _finished_project(people, "OLD-1", 40_000, 48_000, 100, 120)
    _finished_project(people, "OLD-2", 60_000, 60_000, 100, 100)
    _finished_project(people, "BIG-1", 500_000, 900_000, 100, 300)  # another size band
    got = selectors.request_get(actor=people["member"], request_id=req.pk)
    ref = selectors.reference_class(got)
    assert not ref.enough
    assert ref.message == (
        "Not enough comparable projects: 2 finished project(s) of size under 100k, 3 needed."
    )
    _finished_project(people, "OLD-3", 50_000, 75_000, 100, 150)
    ref = selectors.reference_class(got)
    assert ref.enough and [c.project.code for c in ref.projects] == ["OLD-1", "OLD-2", "OLD-3"]
    # cost ratios 1.2, 1.0, 1.5 -> P50 1.2, P80 1.38; duration 1.2, 1.0, 1.5 likewise
    assert ref.cost_overrun == {"P50": 1.2, "P80": 1.38}
    assert ref.cost == {"P50": 60000.0, "P80": 69000.0}
    assert ref.duration == {"P50": 120, "P80": 138}
    assert ref.estimate_days == 100 and ref.estimate_cost == Decimal(50000)
    assert ref.scope == "every portfolio"


def test_reference_class_prefers_the_requests_own_portfolio(people, portfolio):
    req = services.request_create(
        actor=people["member"], data=draft_data(portfolio, costs=["50000"])
    )
    others = [_finished_project(people, f"ELSE-{n}", 50_000, 100_000, 100, 200) for n in range(3)]
    own = [_finished_project(people, f"OWN-{n}", 50_000, 55_000, 100, 110) for n in range(3)]
    for project in own:
        project_update(
            actor=people["pmo_admin"],
            project_id=project.pk,
            version=None,
            data={"portfolio_id": portfolio.pk},
        )
    got = selectors.request_get(actor=people["member"], request_id=req.pk)
    ref = selectors.reference_class(got)
    assert ref.scope == "portfolio Digital" and len(ref.projects) == 3
    assert ref.cost_overrun == {"P50": 1.1, "P80": 1.1}
    assert len(others) == 3
