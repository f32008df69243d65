"""Projects and members over the API: list, filter, page, create, change, advance."""

from __future__ import annotations

from pmo.core.errors import STALE_VERSION
from pmo.projects import services

from .conftest import API


def _json(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


def test_project_list_is_paginated_and_filtered(api_as, people, project):
    pm = people["manager"]
    for n in range(2, 5):
        services.project_create(actor=pm, code=f"PRJ-00{n}", name=f"Warehouse {n}")
    client = api_as("manager")
    page = client.get(f"{API}/projects", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4
    assert [p["code"] for p in page["items"]] == ["PRJ-002", "PRJ-003"]
    found = client.get(f"{API}/projects", {"search": "portal", "stage": "initiation"}).json()
    assert [p["code"] for p in found["items"]] == ["PRJ-001"]
    assert client.get(f"{API}/projects", {"health": "red"}).json()["count"] == 0


def test_outsider_sees_no_projects_and_an_invisible_one_is_not_found(api_as, project):
    client = api_as("outsider")
    assert client.get(f"{API}/projects").json() == {"items": [], "count": 0}
    hidden = client.get(f"{API}/projects/{project.pk}")
    missing = client.get(f"{API}/projects/999999")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == f"Project {project.pk} not found."


def test_manager_creates_then_updates_a_project(api_as, people):
    client = api_as("manager")
    created = _json(
        client,
        "post",
        f"{API}/projects",
        {"code": "prj-9", "name": "Data lake", "sponsor_id": people["sponsor"].pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["code"], body["version"], body["manager"]["username"]) == ("PRJ-9", 1, "manager")
    assert body["sponsor"]["name"] == "Sponsor Tester"
    changed = _json(
        client,
        "patch",
        f"{API}/projects/{body['id']}",
        {"version": 1, "health": "amber", "planned_start": "2027-01-04"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["health"], changed.json()["version"]) == ("amber", 2)


def test_stale_version_answers_409_with_both_versions(api_as, project):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}"
    assert _json(client, "patch", url, {"version": 1, "name": "First"}).status_code == 200
    stale = _json(client, "patch", url, {"version": 1, "name": "Second"})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["detail"] == STALE_VERSION.format(
        thing="Project PRJ-001", expected=1, current=2
    )


def test_patch_without_version_is_invalid(api_as, project):
    response = _json(api_as("manager"), "patch", f"{API}/projects/{project.pk}", {"name": "X"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "version", "message": "Field required"}]


def test_stage_advances_only_with_an_approved_charter(api_as, project, people, complete_charter):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/stage"
    refused = _json(client, "post", url, {"to_stage": "planning"})
    assert (refused.status_code, refused.json()["detail"]) == (409, services.STAGE_NEEDS_CHARTER)
    pm, sponsor = people["manager"], people["sponsor"]
    services.charter_update(actor=pm, project_id=project.pk, version=None, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=None)
    services.charter_decide(actor=sponsor, project_id=project.pk, version=None, decision="approve")
    moved = _json(client, "post", url, {"to_stage": "planning", "version": 1})
    assert (moved.status_code, moved.json()["stage"]) == (200, "planning")


def test_members_are_listed_added_and_removed(api_as, project, make_user):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/members"
    newcomer = make_user(username="newcomer")
    added = _json(client, "post", url, {"user_id": newcomer.pk, "role": "viewer"})
    assert added.status_code == 201, added.content
    assert added.json()["user"]["username"] == "newcomer"
    listed = client.get(url).json()
    assert listed["count"] == 5
    assert {m["user"]["username"]: m["role"] for m in listed["items"]}["newcomer"] == "viewer"
    assert client.delete(f"{url}/{newcomer.pk}").status_code == 204
    again = client.delete(f"{url}/{newcomer.pk}")
    assert again.status_code == 404
    assert again.json()["detail"] == services.MEMBER_NOT_FOUND.format(user=f"User {newcomer.pk}")


def test_the_manager_cannot_be_removed_from_the_team(api_as, project, people):
    response = api_as("pmo_admin").delete(
        f"{API}/projects/{project.pk}/members/{people['manager'].pk}"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == services.MEMBER_IS_MANAGER.format(user=people["manager"])


def test_audit_shows_the_projects_history_newest_first(api_as, project):
    client = api_as("manager")
    _json(client, "patch", f"{API}/projects/{project.pk}", {"version": 1, "health": "red"})
    audit = client.get(f"{API}/projects/{project.pk}/audit", {"limit": 1}).json()
    assert audit["count"] >= 5  # created, three members added, the change
    (entry,) = audit["items"]
    assert (entry["action"], entry["changes"], entry["actor"]["username"]) == (
        "update",
        {"health": ["green", "red"]},
        "manager",
    )
