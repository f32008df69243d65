"""The whole charter workflow over the API: edit, submit, approve, revise, compare."""

from __future__ import annotations

from decimal import Decimal

from pmo.projects import services

from .conftest import API


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def test_charter_flow_from_draft_to_approved_revision(api_as, project, complete_charter):
    pm, sponsor = api_as("manager"), api_as("sponsor")
    url = f"{API}/projects/{project.pk}/charter"
    draft = pm.get(url).json()
    assert (draft["number"], draft["state"], draft["version"]) == (1, "draft", 1)

    edited = _patch(pm, url, {"version": 1, **complete_charter})
    assert edited.status_code == 200, edited.content
    assert edited.json()["objectives"][0]["target"] == "-30% by Q4"
    assert Decimal(edited.json()["budget_estimate"]) == Decimal("250000")

    submitted = _post(pm, f"{url}/submit", {"version": 2})
    assert (submitted.status_code, submitted.json()["state"]) == (200, "submitted")
    locked = _patch(pm, url, {"version": 3, "purpose": "Late change"})
    assert locked.status_code == 409

    returned = _post(sponsor, f"{url}/decision", {"decision": "return", "comment": "Add KPIs"})
    assert returned.json()["state"] == "returned"
    assert returned.json()["decision_comment"] == "Add KPIs"
    _patch(pm, url, {"version": 4, "scope_out": "Mobile apps, kiosks"})
    _post(pm, f"{url}/submit")
    approved = _post(sponsor, f"{url}/decision", {"decision": "approve"})
    assert (approved.json()["state"], approved.json()["decided_by"]["username"]) == (
        "approved",
        "sponsor",
    )

    revised = _post(pm, f"{url}/revise", {"change_summary": "Add kiosks"})
    assert revised.status_code == 201
    assert (revised.json()["number"], revised.json()["state"]) == (2, "draft")
    _patch(pm, url, {"version": 1, "scope_in": "Portal and kiosks"})

    versions = pm.get(f"{url}/versions").json()
    assert [(v["number"], v["state"]) for v in versions["items"]] == [
        (2, "draft"),
        (1, "approved"),
    ]
    assert pm.get(f"{url}/versions/1").json()["scope_in"] == complete_charter["scope_in"]
    compared = pm.get(f"{url}/compare", {"a": 1, "b": 2}).json()
    assert compared["a"] == 1
    assert [(c["field"], c["old"], c["new"]) for c in compared["changes"]] == [
        ("scope_in", complete_charter["scope_in"], "Portal and kiosks")
    ]


def test_incomplete_charter_submission_names_what_is_missing(api_as, project):
    response = _post(api_as("manager"), f"{API}/projects/{project.pk}/charter/submit")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The charter cannot be submitted yet: a purpose")


def test_return_without_comment_is_refused(api_as, project, people, complete_charter):
    pm = people["manager"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    response = _post(
        api_as("sponsor"), f"{API}/projects/{project.pk}/charter/decision", {"decision": "return"}
    )
    assert (response.status_code, response.json()["detail"]) == (
        422,
        services.CHARTER_RETURN_NEEDS_COMMENT,
    )


def test_unknown_decision_and_missing_version_are_invalid(api_as, project):
    client = api_as("sponsor")
    bad = _post(client, f"{API}/projects/{project.pk}/charter/decision", {"decision": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "decision"
    missing = api_as("manager").get(f"{API}/projects/{project.pk}/charter/versions/7")
    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        services.CHARTER_VERSION_NOT_FOUND.format(number=7),
    )


def test_stale_charter_edit_answers_409(api_as, project):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/charter"
    assert _patch(client, url, {"version": 1, "purpose": "A"}).status_code == 200
    stale = _patch(client, url, {"version": 1, "purpose": "B"})
    assert stale.status_code == 409
    assert "your version 1, current version 2" in stale.json()["detail"]
