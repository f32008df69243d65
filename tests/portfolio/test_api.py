"""The portfolio API: the permission matrix of every operation, what it answers, and lists
that cost a constant number of queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.portfolio import services

from .conftest import draft_data, move

API = "/api/v1"
ROLES = [
    "anonymous",
    "outsider",
    "client",
    "member",
    "sponsor",
    "manager",
    "pmo_analyst",
    "pmo_admin",
]


def row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


# The requester (member) and the sponsor see a request; the PMO once it is submitted; nobody else.
SEE_SUBMITTED = row(401, 404, 404, 200, 200, 404, 200, 200)
PMO_ACTS = row(401, 404, 404, 403, 403, 404, 200, 200)
PMO_ONLY = row(401, 403, 403, 403, 403, 403, 201, 201)
READERS = row(401, 403, 403, 403, 200, 403, 200, 200)
EVERYONE = row(401, 200, 200, 200, 200, 200, 200, 200)


def _submitted(ctx: dict[str, Any]) -> int:
    return move(ctx["draft"], ctx["people"], "submitted").pk


def _in_assessment(ctx: dict[str, Any]) -> int:
    return move(ctx["draft"], ctx["people"], "in_assessment").pk


def _approved(ctx: dict[str, Any]) -> int:
    return move(ctx["draft"], ctx["people"], "approved").pk


def _draft(ctx: dict[str, Any]) -> int:
    return ctx["draft"].pk


def _scenario(ctx: dict[str, Any]) -> int:
    move(ctx["draft"], ctx["people"], "in_assessment")
    return services.scenario_create(
        actor=ctx["people"]["pmo_admin"],
        data={
            "portfolio_id": ctx["portfolio"].pk,
            "name": "S",
            "first_year": 2027,
            "periods": 2,
            "value_basis": "npv",
            "budget": [1000, 1000],
        },
    ).pk


def _criteria(ctx: dict[str, Any]) -> dict[str, int]:
    return {str(c.pk): 2 for c in ctx["model"].criteria.all()}


Case = tuple[str, Callable[[dict[str, Any], int], str], Any, Callable[..., int], dict[str, int]]
CASES: dict[str, Case] = {
    "portfolio_list": ("get", lambda c, i: "/portfolios", None, _draft, EVERYONE),
    "portfolio_create": (
        "post",
        lambda c, i: "/portfolios",
        lambda c: {"name": "New"},
        _draft,
        PMO_ONLY,
    ),
    "goal_create": ("post", lambda c, i: "/goals", lambda c: {"name": "G"}, _draft, PMO_ONLY),
    "capacity": (
        "get",
        lambda c, i: "/portfolios/capacity?first_year=2027&periods=1",
        None,
        _draft,
        row(401, 403, 403, 403, 200, 403, 200, 200),
    ),
    "intake_list": ("get", lambda c, i: "/intake", None, _draft, EVERYONE),
    "intake_create": (
        "post",
        lambda c, i: "/intake",
        lambda c: {"title": "Idea"},
        _draft,
        row(401, 201, 403, 201, 201, 201, 201, 201),
    ),
    "intake_get": ("get", lambda c, i: f"/intake/{i}", None, _submitted, SEE_SUBMITTED),
    "intake_get_draft": (
        "get",
        lambda c, i: f"/intake/{i}",
        None,
        _draft,
        row(401, 404, 404, 200, 200, 404, 404, 404),
    ),
    "intake_update": (
        "patch",
        lambda c, i: f"/intake/{i}",
        lambda c: {"version": 1, "title": "Renamed"},
        _draft,
        row(401, 404, 404, 200, 403, 404, 404, 404),
    ),
    "intake_submit": (
        "post",
        lambda c, i: f"/intake/{i}/submit",
        None,
        _draft,
        row(401, 404, 404, 200, 403, 404, 404, 404),
    ),
    "intake_assess": ("post", lambda c, i: f"/intake/{i}/assess", None, _submitted, PMO_ACTS),
    "intake_decide": (
        "post",
        lambda c, i: f"/intake/{i}/decide",
        lambda c: {"decision": "approve"},
        _in_assessment,
        PMO_ACTS,
    ),
    "intake_convert": (
        "post",
        lambda c, i: f"/intake/{i}/convert",
        lambda c: {"code": "PRJ-500", "manager_id": c["people"]["manager"].pk},
        _approved,
        row(401, 404, 404, 403, 403, 404, 201, 201),
    ),
    "intake_reference_class": (
        "get",
        lambda c, i: f"/intake/{i}/reference-class",
        None,
        _submitted,
        SEE_SUBMITTED,
    ),
    "intake_attachment_add": (
        "multipart",
        lambda c, i: f"/intake/{i}/attachments",
        None,
        _draft,
        row(401, 404, 404, 201, 403, 404, 404, 404),
    ),
    "intake_assessment_list": (
        "get",
        lambda c, i: f"/intake/{i}/assessments",
        None,
        _submitted,
        row(401, 403, 403, 403, 200, 403, 200, 200),
    ),
    "intake_assessment_save": (
        "put",
        lambda c, i: f"/intake/{i}/assessments",
        lambda c: {"model_id": c["model"].pk, "scores": _criteria(c)},
        _submitted,
        row(401, 404, 404, 403, 403, 404, 200, 200),
    ),
    "scoring_model_list": ("get", lambda c, i: "/scoring-models", None, _draft, EVERYONE),
    "scoring_model_create": (
        "post",
        lambda c, i: "/scoring-models",
        lambda c: {"name": "M2", "criteria": [{"name": "Fit"}]},
        _draft,
        PMO_ONLY,
    ),
    "scoring_ranking": (
        "get",
        lambda c, i: f"/scoring-models/{c['model'].pk}/ranking",
        None,
        _submitted,
        READERS,
    ),
    "scenario_list": ("get", lambda c, i: "/scenarios", None, _scenario, READERS),
    "scenario_create": (
        "post",
        lambda c, i: "/scenarios",
        lambda c: {
            "portfolio_id": c["portfolio"].pk,
            "name": "T",
            "first_year": 2027,
            "periods": 1,
            "value_basis": "npv",
            "budget": [10],
        },
        _draft,
        PMO_ONLY,
    ),
    "scenario_get": ("get", lambda c, i: f"/scenarios/{i}", None, _scenario, READERS),
    "scenario_compare": (
        "get",
        lambda c, i: f"/scenarios/compare?a={i}&b={i}",
        None,
        _scenario,
        READERS,
    ),
    "scenario_update": (
        "patch",
        lambda c, i: f"/scenarios/{i}",
        lambda c: {"version": 1, "name": "Renamed"},
        _scenario,
        row(401, 403, 403, 403, 403, 403, 200, 200),
    ),
    "scenario_run": (
        "post",
        lambda c, i: f"/scenarios/{i}/run",
        lambda c: {"time_limit": 5},
        _scenario,
        row(401, 403, 403, 403, 403, 403, 200, 200),
    ),
    "scenario_copy": (
        "post",
        lambda c, i: f"/scenarios/{i}/copy",
        None,
        _scenario,
        row(401, 403, 403, 403, 403, 403, 201, 201),
    ),
    "scenario_approve_unrun": (
        "post",
        lambda c, i: f"/scenarios/{i}/approve",
        None,
        _scenario,
        row(401, 403, 403, 403, 403, 403, 409, 409),
    ),
    "scenario_delete": (
        "delete",
        lambda c, i: f"/scenarios/{i}",
        None,
        _scenario,
        row(401, 403, 403, 403, 403, 403, 204, 204),
    ),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_permission_matrix(name, who, api_as, people, portfolio, draft, scoring_model):
    method, url, body, arrange, expected = CASES[name]
    ctx = {"people": people, "portfolio": portfolio, "draft": draft, "model": scoring_model}
    pk = arrange(ctx)
    client = api_as(who)
    path = API + url(ctx, pk)
    if method == "multipart":
        response = client.post(
            path, {"file": SimpleUploadedFile("case.txt", b"case", content_type="text/plain")}
        )
    elif body is not None or method in ("post", "patch", "put"):
        response = getattr(client, method)(
            path, body(ctx) if body else {}, content_type="application/json"
        )
    else:
        response = getattr(client, method)(path)
    assert response.status_code == expected[who], response.content
    if expected[who] >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_request_answers_with_money_and_refuses_bad_input(api_as, portfolio, roles, scoring_model):
    client = api_as("member")
    body = {
        **draft_data(portfolio),
        "demand": {str(roles["dev"].pk): [400, 100]},
        "target_start": "2027-01-01",
    }
    created = client.post(f"{API}/intake", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["code"] == "REQ-1" and data["state"] == "draft"
    assert data["finance"] == {
        "total_cost": "1000.00",
        "total_benefit": "1200.00",
        "npv": "41.32",
        "roi": "20.0",
        "payback_years": "1.67",
    }
    assert data["demand"] == {"Developer": ["400.00", "100.00"]}
    bad = client.post(
        f"{API}/intake", {**body, "target_finish": "2026-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == "The target finish cannot be before the target start."
    negative = client.post(
        f"{API}/intake", {**body, "costs": [-1]}, content_type="application/json"
    )
    assert negative.status_code == 422
    stale = client.patch(
        f"{API}/intake/{data['id']}", {"version": 9, "title": "X"}, content_type="application/json"
    )
    assert stale.status_code == 409
    bad_weights = api_as("pmo_admin").get(
        f"{API}/scoring-models/{scoring_model.pk}/ranking?weights=x:y"
    )
    assert bad_weights.status_code == 422


def test_ranking_under_other_weights(api_as, people, portfolio, scoring_model, draft):
    move(draft, people, "in_assessment")
    fit, urgency = [c.pk for c in scoring_model.criteria.all()]
    services.assessment_save(
        actor=people["pmo_admin"],
        request_id=draft.pk,
        model_id=scoring_model.pk,
        scores={str(fit): 5, str(urgency): 1},
    )
    response = api_as("pmo_analyst").get(
        f"{API}/scoring-models/{scoring_model.pk}/ranking?weights={fit}:0,{urgency}:1"
    )
    [ranked] = response.json()
    assert ranked["total"] == 0.0 and ranked["base_total"] == 75.0


def _requests(people, portfolio, n):
    for _ in range(n):
        move(
            services.request_create(actor=people["member"], data=draft_data(portfolio)),
            people,
            "submitted",
        )


@pytest.mark.parametrize("path", ["/intake", "/scoring-models", "/scenarios", "/portfolios"])
def test_lists_run_a_constant_number_of_queries(api_as, people, portfolio, scoring_model, path):
    client = api_as("pmo_admin")
    client.get(API + path)  # the token's first use records it; later calls do not write
    _requests(people, portfolio, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(API + path).status_code == 200
    _requests(people, portfolio, 5)
    for n in range(3):
        services.scenario_create(
            actor=people["pmo_admin"],
            data={
                "portfolio_id": portfolio.pk,
                "name": f"S{n}",
                "first_year": 2027,
                "periods": 1,
                "value_basis": "npv",
                "budget": [1],
            },
        )
        services.scoring_model_create(
            actor=people["pmo_admin"], data={"name": f"M{n}", "criteria": [{"name": "Fit"}]}
        )
        services.portfolio_create(actor=people["pmo_admin"], data={"name": f"P{n}"})
    with CaptureQueriesContext(connection) as many:
        client.get(API + path)
    assert len(many) == len(few)


def test_run_then_approve_over_the_api(api_as, people, portfolio, draft):
    scenario_id = _scenario({"people": people, "portfolio": portfolio, "draft": draft})
    client = api_as("pmo_analyst")
    ran = client.post(f"{API}/scenarios/{scenario_id}/run", content_type="application/json")
    results = ran.json()["results"]
    # valued by NPV (41.32 at 10 %), 1,000 of cost within a budget of 1,000 a year
    assert results["status"] == "optimal" and results["optimal"]["ids"] == ["REQ-1"]
    assert results["optimal"]["value"] == 41.32 and results["value_gained"] == 0
    assert results["frontier"][-1]["budget"] == 3000.0
    approved = client.post(
        f"{API}/scenarios/{scenario_id}/approve", content_type="application/json"
    )
    assert approved.json()["state"] == "approved"
    again = client.post(f"{API}/scenarios/{scenario_id}/run", content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"] == "Scenario 'S' is approved; copy it to change it."
    copy = client.post(f"{API}/scenarios/{scenario_id}/copy", content_type="application/json")
    assert copy.status_code == 201
    assert copy.json()["name"] == "S (copy)" and copy.json()["state"] == "draft"
    assert copy.json()["results"] is None
    assert [c["request"]["code"] for c in copy.json()["candidates"]] == ["REQ-1"]


def test_attachments_upload_download_and_delete(api_as, draft):
    client = api_as("member")
    url = f"{API}/intake/{draft.pk}/attachments"
    added = client.post(
        url, {"file": SimpleUploadedFile("case.txt", b"business case", content_type="text/plain")}
    )
    assert added.status_code == 201, added.content
    attachment = added.json()["id"]
    got = client.get(f"{url}/{attachment}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"business case"
    assert api_as("manager").get(f"{url}/{attachment}").status_code == 404
    assert client.delete(f"{url}/{attachment}").status_code == 204
    assert client.get(f"{url}/{attachment}").status_code == 404
