"""The Portfolio pages: who sees them, the intake forms and workflow, scoring and the ranking
under other weights, scenarios; list pages run a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.portfolio import services
from pmo.portfolio.models import IntakeRequest, OrganisationGoal, RequestState, ScoringModel

from .conftest import draft_data, move


def _as(people, who):
    client = Client()
    client.force_login(people[who])
    return client


AREA_READERS = {"member": 403, "manager": 403, "client": 403, "sponsor": 200, "pmo_analyst": 200}


@pytest.mark.parametrize("who", sorted(AREA_READERS))
@pytest.mark.parametrize("name", ["ranking", "scenario_list", "scenario_compare"])
def test_scoring_and_scenarios_are_for_the_pmo_and_executives(people, scoring_model, name, who):
    assert _as(people, who).get(reverse(name)).status_code == AREA_READERS[who]


@pytest.mark.parametrize("who", ["member", "client", "sponsor", "pmo_admin"])
def test_overview_and_intake_list_are_open_to_everyone_logged_in(people, who):
    for name in ("portfolio", "intake_list"):
        assert _as(people, who).get(reverse(name)).status_code == 200


def test_draft_edit_and_submit_through_the_pages(people, portfolio, roles):
    client = _as(people, "member")
    form = {
        "title": "Self-service returns",
        "portfolio": portfolio.pk,
        "problem": "Returns go by phone.",
        "objectives": "Halve handling time",
        "costs": "1000",
        "benefits": "0, 600, 600",
        "demand": "Developer: 400, 100",
        "risk_level": "medium",
        "approval_probability": "60",
    }
    bad = client.post(reverse("request_create"), {**form, "costs": "lots", "demand": "Pilot: 3"})
    assert bad.status_code == 200
    assert "Write amounts of 0 or more separated by commas" in bad.content.decode()
    assert "&#x27;Pilot&#x27; is not a job role of the resource pool." in bad.content.decode()
    response = client.post(reverse("request_create"), form)
    item = IntakeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "request_detail", args=[item.pk]
    )
    page = client.get(reverse("request_detail", args=[item.pk])).content.decode()
    assert "41.32" in page  # NPV at the portfolio's 10 %
    assert "1.67 years" in page
    assert "Not enough comparable projects" in page
    edit = client.get(reverse("request_edit", args=[item.pk])).content.decode()
    assert "Developer: 400, 100" in edit and "0, 600, 600" in edit
    stale = client.post(
        reverse("request_edit", args=[item.pk]), {**form, "version": 1, "title": "Renamed"}
    )
    assert stale.status_code == 302
    again = client.post(reverse("request_edit", args=[item.pk]), {**form, "version": 1})
    assert "changed by someone else" in again.content.decode()
    client.post(reverse("request_action", args=[item.pk, "submit"]))
    item.refresh_from_db()
    assert item.state == RequestState.SUBMITTED
    assert client.post(reverse("request_action", args=[item.pk, "nonsense"])).status_code == 404


def test_the_pmo_assesses_scores_decides_and_converts(people, draft, scoring_model):
    move(draft, people, "submitted")
    analyst = _as(people, "pmo_analyst")
    analyst.post(reverse("request_action", args=[draft.pk, "assess"]))
    url = reverse("request_score", args=[draft.pk, scoring_model.pk])
    page = analyst.get(url).content.decode()
    assert "5 — Core" in page  # level descriptions label the scores
    fit, urgency = [c.pk for c in scoring_model.criteria.all()]
    response = analyst.post(url, {f"c_{fit}": "4", f"c_{urgency}": "2", "comment": "Solid"})
    assert response.status_code == 302
    assert draft.assessments.get().scores == {str(fit): 4, str(urgency): 2}
    page = analyst.get(reverse("request_detail", args=[draft.pk])).content.decode()
    assert "Strategic fit <strong>4</strong>" in page and "Urgency <strong>2</strong>" in page
    refused = analyst.post(reverse("request_action", args=[draft.pk, "reject"]), {"comment": ""})
    assert refused.status_code == 302
    draft.refresh_from_db()
    assert draft.state == RequestState.IN_ASSESSMENT
    analyst.post(reverse("request_action", args=[draft.pk, "approve"]))
    draft.refresh_from_db()
    assert draft.state == RequestState.APPROVED
    response = analyst.post(
        reverse("request_convert", args=[draft.pk]),
        {"code": "PRJ-777", "manager": people["manager"].pk},
    )
    draft.refresh_from_db()
    assert draft.state == RequestState.CONVERTED
    assert response["Location"] == reverse("project_detail", args=[draft.project_id])


def test_ranking_recomputes_under_other_weights_without_saving(
    people, portfolio, scoring_model, draft
):
    second = services.request_create(actor=people["member"], data=draft_data(portfolio, title="B"))
    fit, urgency = [c.pk for c in scoring_model.criteria.all()]
    for request, scores in ((draft, (5, 1)), (second, (2, 3))):
        move(request, people, "in_assessment")
        services.assessment_save(
            actor=people["pmo_analyst"],
            request_id=request.pk,
            model_id=scoring_model.pk,
            scores={str(fit): scores[0], str(urgency): scores[1]},
        )
    analyst = _as(people, "pmo_analyst")
    page = analyst.get(reverse("ranking")).content.decode()
    assert page.index("REQ-1 Online returns") < page.index("REQ-2 B")
    partial = analyst.get(
        reverse("ranking"),
        {"model": scoring_model.pk, f"w_{fit}": "1", f"w_{urgency}": "5"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "<html" not in partial
    assert partial.index("REQ-2 B") < partial.index("REQ-1 Online returns")
    assert "▲ 1" in partial and "▼ 1" in partial
    scoring_model.refresh_from_db()
    assert [float(c.weight) for c in scoring_model.criteria.all()] == [3.0, 1.0]


def test_scenario_pages(people, portfolio, scoring_model, draft, roles):
    move(draft, people, "in_assessment")
    analyst = _as(people, "pmo_analyst")
    form = {
        "portfolio": portfolio.pk,
        "name": "Lean year",
        "first_year": 2027,
        "periods": 3,
        "value_basis": "score",
        "scoring_model": scoring_model.pk,
        "budget": "500, 500, 500",
        "capacity": "Developer: 1000, 1000, 1000",
        "candidates": [draft.pk],
        f"window_{draft.pk}": "0-1",
    }
    bad = analyst.post(reverse("scenario_create"), {**form, "budget": "500"})
    assert (
        "budget must list one amount (0 or more) for each of the 3 years." in bad.content.decode()
    )
    response = analyst.post(reverse("scenario_create"), form)
    scenario = portfolio.scenarios.get()
    assert response["Location"] == reverse("scenario_detail", args=[scenario.pk])
    candidate = scenario.candidates.get()
    assert (candidate.earliest_start, candidate.latest_start) == (0, 1)
    page = analyst.get(reverse("scenario_detail", args=[scenario.pk])).content.decode()
    assert "Not run since it last changed" in page and "2027–2028" in page
    edit = analyst.get(reverse("scenario_edit", args=[scenario.pk])).content.decode()
    assert 'value="0-1"' in edit
    compare = analyst.get(reverse("scenario_compare"), {"a": scenario.pk, "b": scenario.pk})
    assert compare.status_code == 200 and "Not run yet." in compare.content.decode()
    sponsor = _as(people, "sponsor")  # owns the portfolio: reads, does not change
    assert sponsor.get(reverse("scenario_detail", args=[scenario.pk])).status_code == 200
    assert sponsor.post(reverse("scenario_delete", args=[scenario.pk])).status_code == 403


def _many_requests(people, portfolio, n):
    for _ in range(n):
        r = services.request_create(actor=people["member"], data=draft_data(portfolio))
        move(r, people, "submitted")


def test_intake_list_queries_do_not_grow_with_requests(people, portfolio):
    client = _as(people, "pmo_analyst")
    _many_requests(people, portfolio, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("intake_list")).status_code == 200
    _many_requests(people, portfolio, 6)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("intake_list"))
    assert len(many) == len(few)


def test_the_pmo_keeps_goals_and_scoring_models_on_pages(people, scoring_model, draft):
    admin = _as(people, "pmo_admin")
    admin.post(reverse("goal_list"), {"name": "Cut cost"})
    goal = OrganisationGoal.objects.get(name="Cut cost")
    admin.post(reverse("goal_toggle", args=[goal.pk]))
    goal.refresh_from_db()
    assert not goal.is_active
    assert _as(people, "sponsor").post(reverse("goal_toggle", args=[goal.pk])).status_code == 403
    goal.refresh_from_db()
    assert not goal.is_active

    criteria = "Value | 2 | 5 | Low; ; ; ; High\nRisk | 1 | 3"
    bad = admin.post(reverse("scoring_model_create"), {"name": "Lean", "criteria": "Value | x | 5"})
    assert "must be numbers" in bad.content.decode()
    admin.post(
        reverse("scoring_model_create"), {"name": "Lean", "criteria": criteria, "is_active": "on"}
    )
    lean = ScoringModel.objects.get(name="Lean")
    assert [(c.name, c.scale_max, c.levels) for c in lean.criteria.all()] == [
        ("Value", 5, ["Low", "", "", "", "High"]),
        ("Risk", 3, []),
    ]
    edit = admin.get(reverse("scoring_model_edit", args=[lean.pk])).content.decode()
    assert "Value | 2 | 5 | Low; ; ; ; High" in edit
    # scored: criteria stay, weights change
    move(draft, people, "submitted")
    services.assessment_save(
        actor=people["pmo_admin"],
        request_id=draft.pk,
        model_id=lean.pk,
        scores={str(c.pk): 2 for c in lean.criteria.all()},
    )
    admin.post(
        reverse("scoring_model_edit", args=[lean.pk]),
        {"name": "Lean", "criteria": "Value | 4 | 5\nRisk | 1 | 3", "is_active": "on"},
    )
    assert [float(c.weight) for c in lean.criteria.all()] == [4.0, 1.0]
    refused = admin.post(
        reverse("scoring_model_edit", args=[lean.pk]),
        {"name": "Lean", "criteria": "Value | 4 | 5", "is_active": "on"},
    )
    assert "Requests were already scored on this model" in refused.content.decode()
    assert admin.get(reverse("scoring_model_list")).status_code == 200


def test_ranking_and_scenario_list_queries_do_not_grow(people, portfolio, scoring_model):
    client = _as(people, "pmo_analyst")

    def more(n, start):
        for k in range(n):
            r = services.request_create(actor=people["member"], data=draft_data(portfolio))
            move(r, people, "submitted")
            services.assessment_save(
                actor=people["pmo_analyst"],
                request_id=r.pk,
                model_id=scoring_model.pk,
                scores={str(c.pk): 2 for c in scoring_model.criteria.all()},
            )
            services.scenario_create(
                actor=people["pmo_analyst"],
                data={
                    "portfolio_id": portfolio.pk,
                    "name": f"S{start + k}",
                    "first_year": 2027,
                    "periods": 1,
                    "value_basis": "npv",
                    "budget": [1],
                },
            )

    more(2, 0)
    counts = []
    for n in (0, 5):
        more(n, 10)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ranking")).status_code == 200
            assert client.get(reverse("scenario_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_running_and_approving_a_scenario_on_its_page(people, portfolio, draft):
    move(draft, people, "in_assessment")
    scenario = services.scenario_create(
        actor=people["pmo_analyst"],
        data={
            "portfolio_id": portfolio.pk,
            "name": "NPV year",
            "first_year": 2027,
            "periods": 3,
            "value_basis": "npv",
            "budget": [1000, 1000, 1000],
        },
    )
    analyst = _as(people, "pmo_analyst")
    analyst.post(reverse("scenario_run", args=[scenario.pk]))
    page = analyst.get(reverse("scenario_detail", args=[scenario.pk])).content.decode()
    assert "Proven optimal" in page and 'id="optimal-value">41.32<' in page
    assert 'id="frontier-chart"' in page
    analyst.post(reverse("scenario_approve", args=[scenario.pk]), {"version": scenario.version})
    draft.refresh_from_db()
    assert draft.state == RequestState.APPROVED
    compare = analyst.get(reverse("scenario_compare"), {"a": scenario.pk}).content.decode()
    assert "41.32" in compare


def test_intake_list_filters(people, portfolio, draft):
    services.request_create(actor=people["member"], data=draft_data(portfolio, title="Kiosk"))
    client = _as(people, "member")
    page = client.get(reverse("intake_list"), {"q": "kiosk"}).content.decode()
    assert "Kiosk" in page and "Online returns" not in page
    page = client.get(reverse("intake_list"), {"state": "submitted"}).content.decode()
    assert "No requests to show." in page
    page = client.get(reverse("intake_list"), {"portfolio": portfolio.pk}).content.decode()
    assert "Kiosk" in page and "Online returns" in page


REQUEST_PAGES = {
    # who: (detail, edit, score) on a submitted request of `member`, sponsored by `sponsor`
    "member": (200, 403, 403),
    "sponsor": (200, 403, 403),
    "manager": (404, 404, 404),
    "client": (404, 404, 404),
    "pmo_analyst": (200, 200, 200),
}


@pytest.mark.parametrize("who", sorted(REQUEST_PAGES))
def test_request_pages_permission_matrix(people, draft, scoring_model, who):
    move(draft, people, "submitted")
    client = _as(people, who)
    got = (
        client.get(reverse("request_detail", args=[draft.pk])).status_code,
        client.get(reverse("request_edit", args=[draft.pk])).status_code,
        client.get(reverse("request_score", args=[draft.pk, scoring_model.pk])).status_code,
    )
    assert got == REQUEST_PAGES[who]


@pytest.mark.parametrize("who", ["sponsor", "member"])
def test_forms_for_the_pmo_are_refused_to_others(people, portfolio, scoring_model, who):
    scenario = services.scenario_create(
        actor=people["pmo_admin"],
        data={
            "portfolio_id": portfolio.pk,
            "name": "S",
            "first_year": 2027,
            "periods": 1,
            "value_basis": "npv",
            "budget": [1],
        },
    )
    client = _as(people, who)
    for url in (
        reverse("scenario_create"),
        reverse("scenario_edit", args=[scenario.pk]),
        reverse("scoring_model_create"),
        reverse("scoring_model_edit", args=[scoring_model.pk]),
    ):
        assert client.get(url).status_code == 403, url
