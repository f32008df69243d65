"""Stakeholders CRUD and the document upload/download round trip over the API."""

from __future__ import annotations

import hashlib

from pmo.projects import services

from .conftest import API, upload


def test_stakeholder_create_read_update_delete(api_as, project):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/stakeholders"
    created = client.post(
        url, {"name": "CFO", "influence": 5, "interest": 2}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["grid_quadrant"], body["version"]) == ("Keep satisfied", 1)
    one = f"{url}/{body['id']}"
    assert client.get(one).json()["name"] == "CFO"
    changed = client.patch(
        one, {"version": 1, "interest": 5, "notes": "Budget owner"}, content_type="application/json"
    )
    assert (changed.json()["grid_quadrant"], changed.json()["version"]) == ("Manage closely", 2)
    stale = client.patch(one, {"version": 1, "interest": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert client.get(url).json()["count"] == 1
    assert client.delete(one).status_code == 204
    gone = client.get(one)
    assert (gone.status_code, gone.json()["detail"]) == (
        404,
        services.STAKEHOLDER_NOT_FOUND.format(id=body["id"]),
    )


def test_stakeholder_scores_are_checked(api_as, project):
    response = api_as("manager").post(
        f"{API}/projects/{project.pk}/stakeholders",
        {"name": "X", "interest": 9},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "interest"


def test_document_upload_new_version_download_and_delete(api_as, project):
    client = api_as("member")
    url = f"{API}/projects/{project.pk}/documents"
    first = client.post(url, {"file": upload("plan.txt", b"v1"), "title": "Project plan"})
    assert first.status_code == 201, first.content
    doc_id = first.json()["document_id"]
    assert first.json()["sha256"] == hashlib.sha256(b"v1").hexdigest()
    second = client.post(
        f"{url}/{doc_id}/versions", {"file": upload("plan.txt", b"v2!"), "comment": "dates"}
    )
    assert (second.status_code, second.json()["number"]) == (201, 2)

    listed = client.get(url).json()
    (doc,) = listed["items"]
    assert (doc["title"], [f["number"] for f in doc["files"]]) == ("Project plan", [2, 1])

    latest = client.get(f"{url}/{doc_id}/download")
    assert latest.status_code == 200
    assert b"".join(latest.streaming_content) == b"v2!"
    assert 'filename="plan.txt"' in latest["Content-Disposition"]
    older = client.get(f"{url}/{doc_id}/download", {"version": 1})
    assert b"".join(older.streaming_content) == b"v1"

    assert api_as("member").delete(f"{url}/{doc_id}").status_code == 403
    assert api_as("manager").delete(f"{url}/{doc_id}").status_code == 204
    assert client.get(f"{url}/{doc_id}/download").status_code == 404


def test_client_sees_and_downloads_only_shared_documents(api_as, project):
    manager = api_as("manager")
    url = f"{API}/projects/{project.pk}/documents"
    shared = manager.post(
        url, {"file": upload("report.txt", b"r"), "shared_with_client": "true"}
    ).json()
    manager.post(url, {"file": upload("internal.txt", b"i")})
    client = api_as("client")
    assert [d["title"] for d in client.get(url).json()["items"]] == ["report"]
    assert client.get(f"{url}/{shared['document_id']}/download").status_code == 200


def test_refused_file_type_and_missing_file_are_invalid(api_as, project, settings):
    client = api_as("manager")
    url = f"{API}/projects/{project.pk}/documents"
    exe = client.post(url, {"file": upload("tool.exe", b"MZ")})
    assert exe.status_code == 422
    assert exe.json()["detail"].startswith("Files of type '.exe' are not accepted")
    nothing = client.post(url, {"title": "No file"})
    assert nothing.status_code == 422
    assert nothing.json()["errors"][0]["field"] == "file"
