"""Scenarios: constraints and candidates, the engine's problem, the pool's capacity, results,
and approving a scenario's selection."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo.core.errors import Conflict, Forbidden, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.planning import services as planning
from pmo.portfolio import adapters, selectors, services
from pmo.portfolio.models import IntakeRequest, RequestState, ScenarioState
from pmo.resources import services as resources

from .conftest import draft_data, move


@pytest.fixture
def requests(people, portfolio, roles):
    """Three requests in assessment: A (2 years), B (needs A), C (alternative to A)."""
    member = people["member"]
    dev = roles["dev"].pk
    a = services.request_create(
        actor=member,
        data=draft_data(portfolio, title="A", costs=[100, 50], demand={dev: [500, 100]}),
    )
    b = services.request_create(
        actor=member, data=draft_data(portfolio, title="B", costs=[80], requires_ids=[a.pk])
    )
    c = services.request_create(
        actor=member, data=draft_data(portfolio, title="C", costs=[120], excludes_ids=[a.pk])
    )
    for r in (a, b, c):
        move(r, people, "in_assessment")
    return {"a": a, "b": b, "c": c}


def _scenario(people, portfolio, model, **extra):
    data = {
        "portfolio_id": portfolio.pk,
        "name": "Plan 2027",
        "first_year": 2027,
        "periods": 3,
        "value_basis": "score",
        "scoring_model_id": model.pk,
        "budget": [200, 200, 200],
        **extra,
    }
    return services.scenario_create(actor=people["pmo_analyst"], data=data)


def test_a_scenario_takes_every_open_request_by_default(people, portfolio, scoring_model, requests):
    scenario = _scenario(people, portfolio, scoring_model)
    assert [c.request.title for c in scenario.candidates.order_by("request__number")] == [
        "A",
        "B",
        "C",
    ]
    with pytest.raises(ValidationFailed, match="The portfolio already has a scenario called"):
        _scenario(people, portfolio, scoring_model)
    with pytest.raises(Forbidden, match="Only the PMO may build scenarios."):
        services.scenario_create(actor=people["sponsor"], data={})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"budget": [1, 2]}, "budget must list one amount (0 or more) for each of the 3 years."),
        ({"capacity": {"Developer": [1]}}, "capacity must map job role names to 3 hours"),
        ({"capacity": {"Develper": [1, 1, 1]}}, "Not job roles of the resource pool: Develper."),
        ({"scoring_model_id": None}, "Choose a scoring model to value requests by score."),
        (
            {"candidates": [{"request_id": 0, "earliest_start": 3}]},
            "No request with id 0.",
        ),
    ],
)
def test_bad_scenarios_are_refused(people, portfolio, scoring_model, extra, message):
    with pytest.raises(ValidationFailed) as exc:
        _scenario(people, portfolio, scoring_model, **extra)
    assert exc.value.message.startswith(message)


def test_start_windows_must_lie_in_the_horizon(people, portfolio, scoring_model, requests):
    with pytest.raises(
        ValidationFailed, match="The start window of REQ-1 must lie within years 0 to 2"
    ):
        _scenario(
            people,
            portfolio,
            scoring_model,
            candidates=[{"request_id": requests["a"].pk, "earliest_start": 1, "latest_start": 3}],
        )


def test_the_problem_carries_values_windows_and_links(people, portfolio, scoring_model, requests):
    fit, urgency = [str(c.pk) for c in scoring_model.criteria.all()]
    for key, scores in (("a", (5, 3)), ("b", (3, 2))):
        services.assessment_save(
            actor=people["pmo_analyst"],
            request_id=requests[key].pk,
            model_id=scoring_model.pk,
            scores={fit: scores[0], urgency: scores[1]},
        )
    scenario = _scenario(
        people,
        portfolio,
        scoring_model,
        candidates=[
            {"request_id": requests["a"].pk, "earliest_start": 0, "latest_start": 2},
            {"request_id": requests["b"].pk},
            {"request_id": requests["c"].pk},
        ],
    )
    problem = adapters.scenario_problem(
        scenario, selectors.scenario_candidates(scenario), {"Developer": [1000, 1000, 1000]}
    )
    assert problem.left_out == {"REQ-3": "not scored on the scenario's scoring model"}
    assert problem.data["candidates"] == [
        {
            "id": "REQ-1",
            "value": 100.0,
            "cost": [100.0, 50.0],
            "demand": {"Developer": [500.0, 100.0]},
            "mandatory": False,
            "requires": [],
            "excludes": [],  # C was left out
            # two years long: it can start in 2027 or 2028, not 2029
            "start_window": [0, 1],
        },
        {
            "id": "REQ-2",
            "value": 50.0,
            "cost": [80.0],
            "demand": {},
            "mandatory": False,
            "requires": ["REQ-1"],
            "excludes": [],
            "start_window": [0, 0],
        },
    ]
    assert problem.data["budget"] == [200.0, 200.0, 200.0]


def test_pool_capacity_by_role_and_year_less_running_work(people, project, roles):
    admin = people["pmo_admin"]
    ada = resources.resource_create(actor=admin, data={"name": "Ada", "role_id": roles["dev"].pk})
    pm = people["manager"]
    planning.schedule_update(
        actor=pm, project_id=project.pk, version=None, data={"start": dt.date(2027, 3, 1)}
    )
    task = planning.task_create(
        actor=pm, project_id=project.pk, data={"name": "Build", "duration": 5}
    )
    resources.assignment_create(
        actor=pm, project_id=project.pk, data={"task_id": task.pk, "resource_id": ada.pk}
    )
    capacity = adapters.pool_capacity(2027, 2)
    assert capacity.years == [2027, 2028]
    dev = capacity.supply["Developer"]
    assert 1900 < dev[0] < 2200 and 1900 < dev[1] < 2200  # a year of working days
    assert capacity.load["Developer"] == [40.0, 0.0]  # 5 days × 8 h
    assert capacity.free["Developer"] == [round(dev[0] - 40, 1), dev[1]]
    assert capacity.supply["Business analyst"] == [0.0, 0.0]


def _as_if_run(scenario, selected, greedy):
    """The stored result of a run (the engine's answer), for the approval rules."""
    problem = {
        "periods": 3,
        "budget": [200.0, 200.0, 200.0],
        "capacity": {},
        "candidates": [
            {"id": code, "value": 10.0, "cost": [50.0], "demand": {}, "start_window": [0, 0]}
            for code in ("REQ-1", "REQ-2", "REQ-3")
        ],
    }
    scenario.result = {
        "status": "optimal",
        "objective": 20.0,
        "bound": 20.0,
        "gap": 0.0,
        "selected": [{"id": code, "start": 0} for code in selected],
        "greedy": {"objective": 10.0, "selected": [{"id": code, "start": 0} for code in greedy]},
        "problem": problem,
        # the requests' own keys (not 1, 2, 3: PostgreSQL's sequences do not restart per test)
        "codes": {r.code: r.pk for r in IntakeRequest.objects.all()},
        "left_out": {},
        "frontier": [],
    }
    scenario.save()


def test_approving_a_scenario_approves_its_selection_in_one_go(
    people, portfolio, scoring_model, requests
):
    scenario = _scenario(people, portfolio, scoring_model)
    with pytest.raises(Conflict, match="Run scenario 'Plan 2027' before approving it."):
        services.scenario_approve(actor=people["pmo_admin"], scenario_id=scenario.pk, version=None)
    _as_if_run(scenario, ["REQ-1", "REQ-2"], ["REQ-3"])
    results = selectors.scenario_results(scenario)
    assert results.value_gained == 10.0 and results.gain_percent == 100.0
    assert results.only_optimal == ["REQ-1", "REQ-2"] and results.only_greedy == ["REQ-3"]
    assert results.optimal.cost == [100.0, 0.0, 0.0]
    with pytest.raises(Forbidden):
        services.scenario_approve(actor=people["sponsor"], scenario_id=scenario.pk, version=None)
    approved = services.scenario_approve(
        actor=people["pmo_admin"], scenario_id=scenario.pk, version=None
    )
    assert [r.code for r in approved] == ["REQ-1", "REQ-2"]
    states = {r.code: r.state for r in (requests[k] for k in "abc") if not r.refresh_from_db()}
    assert states == {
        "REQ-1": RequestState.APPROVED,
        "REQ-2": RequestState.APPROVED,
        "REQ-3": RequestState.IN_ASSESSMENT,
    }
    scenario.refresh_from_db()
    assert scenario.state == ScenarioState.APPROVED and scenario.approved_by == people["pmo_admin"]
    entry = AuditEntry.objects.filter(object_type="portfolio.scenario", action="transition").get()
    assert entry.changes["approved_requests"] == [None, ["REQ-1", "REQ-2"]]
    with pytest.raises(Conflict, match="Scenario 'Plan 2027' is approved; copy it to change it."):
        services.scenario_update(
            actor=people["pmo_admin"], scenario_id=scenario.pk, version=None, data={"name": "X"}
        )


def test_editing_a_scenario_drops_its_results_and_stale_versions_conflict(
    people, portfolio, scoring_model, requests
):
    scenario = _scenario(people, portfolio, scoring_model)
    _as_if_run(scenario, ["REQ-1"], ["REQ-1"])
    saved = services.scenario_update(
        actor=people["pmo_admin"],
        scenario_id=scenario.pk,
        version=scenario.version,
        data={"budget": [300, 300, 300]},
    )
    assert saved.result == {} and saved.budget == ["300.00", "300.00", "300.00"]
    with pytest.raises(Conflict, match="your version 1, current version 2"):
        services.scenario_update(
            actor=people["pmo_admin"], scenario_id=scenario.pk, version=1, data={"name": "Y"}
        )
    shorter = services.scenario_update(
        actor=people["pmo_admin"],
        scenario_id=scenario.pk,
        version=None,
        data={"periods": 2, "budget": [1, 1]},
    )
    assert shorter.periods == 2 and shorter.candidates.count() == 3


def test_pending_requests_weigh_on_capacity_by_their_approval_probability(people, portfolio, roles):
    dev = roles["dev"].pk
    for probability, start in ((50, "2027-03-01"), (20, None)):
        r = services.request_create(
            actor=people["member"],
            data=draft_data(
                portfolio,
                demand={dev: [1000, 500]},
                approval_probability=probability,
                target_start=start,
            ),
        )
        move(r, people, "submitted")
    services.request_create(actor=people["member"], data=draft_data(portfolio, demand={dev: [9]}))
    # 2027: 50 % of 1000 + 20 % of 1000 (no start: the first year); 2028: their second years
    assert adapters.pending_demand(2027, 3) == {"Developer": [700.0, 350.0, 0.0]}
    # from 2028, the undated request starts then: 50 % of 500 + 20 % of 1000
    assert adapters.pending_demand(2028, 1) == {"Developer": [450.0]}


@pytest.fixture
def three_scored(people, portfolio, scoring_model):
    """A (60k, total 100), B and C (50k each, total 68.75), all in assessment."""
    fit, urgency = [str(c.pk) for c in scoring_model.criteria.all()]
    made = {}
    for key, cost, scores in (("a", 60_000, (5, 3)), ("b", 50_000, (4, 2)), ("c", 50_000, (4, 2))):
        r = services.request_create(
            actor=people["member"], data=draft_data(portfolio, title=key.upper(), costs=[cost])
        )
        move(r, people, "in_assessment")
        services.assessment_save(
            actor=people["pmo_analyst"],
            request_id=r.pk,
            model_id=scoring_model.pk,
            scores={fit: scores[0], urgency: scores[1]},
        )
        made[key] = r
    return made


def test_run_finds_the_optimum_the_greedy_misses_and_the_frontier(
    people, portfolio, scoring_model, three_scored
):
    scenario = _scenario(people, portfolio, scoring_model, periods=1, budget=[100_000], capacity={})
    with pytest.raises(Forbidden):
        services.scenario_run(actor=people["sponsor"], scenario_id=scenario.pk)
    services.scenario_run(actor=people["pmo_analyst"], scenario_id=scenario.pk)
    scenario.refresh_from_db()
    results = selectors.scenario_results(scenario)
    assert results.status == "optimal" and results.solved
    assert results.optimal.ids == ["REQ-2", "REQ-3"] and results.optimal.value == 137.5
    assert results.greedy.ids == ["REQ-1"] and results.greedy.value == 100.0
    assert results.value_gained == 37.5 and results.gain_percent == 37.5
    assert results.only_optimal == ["REQ-2", "REQ-3"] and results.only_greedy == ["REQ-1"]
    assert results.optimal.cost == [100_000.0]
    # 10 % to 150 % of the budget: nothing fits at 10k; at 150k, A and one of B and C
    frontier = {p["budget"]: p["value"] for p in results.frontier}
    assert frontier[10_000.0] == 0 and frontier[100_000.0] == 137.5
    assert frontier[150_000.0] == 168.75
    assert scenario.run_at is not None
    approved = services.scenario_approve(
        actor=people["pmo_admin"], scenario_id=scenario.pk, version=None
    )
    assert [r.title for r in approved] == ["B", "C"]


def test_mandatory_requests_that_cannot_fit_are_named(
    people, portfolio, scoring_model, three_scored
):
    for key in ("a", "b"):
        services.request_update(
            actor=people["pmo_analyst"],
            request_id=three_scored[key].pk,
            version=None,
            data={"mandatory": True},
        )
    scenario = _scenario(people, portfolio, scoring_model, periods=1, budget=[100_000])
    services.scenario_run(actor=people["pmo_analyst"], scenario_id=scenario.pk)
    scenario.refresh_from_db()
    results = selectors.scenario_results(scenario)
    assert results.status == "infeasible" and not results.solved
    assert "REQ-1, REQ-2" in results.message
    with pytest.raises(Conflict, match=r"has no feasible selection to approve \(infeasible\)"):
        services.scenario_approve(actor=people["pmo_admin"], scenario_id=scenario.pk, version=None)


def test_capacity_from_the_pool_limits_the_selection(
    people, portfolio, scoring_model, roles, three_scored
):
    dev = roles["dev"].pk
    for key in ("b", "c"):  # B and C each need 1,500 developer hours; the pool has one developer
        services.request_update(
            actor=people["pmo_analyst"],
            request_id=three_scored[key].pk,
            version=None,
            data={"demand": {dev: [1500]}},
        )
    resources.resource_create(actor=people["pmo_admin"], data={"name": "Ada", "role_id": dev})
    scenario = _scenario(people, portfolio, scoring_model, periods=1, budget=[100_000])
    services.scenario_run(actor=people["pmo_analyst"], scenario_id=scenario.pk)
    scenario.refresh_from_db()
    results = selectors.scenario_results(scenario)
    # only one of B and C fits a year of one developer; A alone is worth more than either
    assert results.optimal.ids == ["REQ-1"]
    assert scenario.result["problem"]["capacity"]["Developer"][0] > 1500


def test_both_selections_of_a_run_satisfy_every_constraint(
    people, portfolio, scoring_model, roles, three_scored
):
    from pmo.engine.selection import Pick, check_selection

    dev = roles["dev"].pk
    services.request_update(
        actor=people["pmo_analyst"],
        request_id=three_scored["a"].pk,
        version=None,
        data={"demand": {dev: [800, 800]}, "costs": [40_000, 30_000], "requires_ids": []},
    )
    scenario = _scenario(
        people,
        portfolio,
        scoring_model,
        budget=[60_000, 60_000, 60_000],
        capacity={"Developer": [1000, 1000, 1000]},
        candidates=[
            {"request_id": r.pk, "earliest_start": 0, "latest_start": 2}
            for r in three_scored.values()
        ],
    )
    services.scenario_run(actor=people["pmo_analyst"], scenario_id=scenario.pk)
    scenario.refresh_from_db()
    problem = adapters.engine_portfolio(scenario.result["problem"])
    for picks in (scenario.result["selected"], scenario.result["greedy"]["selected"]):
        assert check_selection(problem, [Pick(p["id"], p["start"]) for p in picks]) == []
    results = selectors.scenario_results(scenario)
    # B and C cost 50k in their one year and A 40k then 30k: no year holds two of them beside
    # A, so A and one of B and C, in different years (100 + 68.75)
    assert results.optimal.value == 168.75 and len(set(results.optimal.starts.values())) == 2
    assert all(c <= 60_000 for c in results.optimal.cost)
