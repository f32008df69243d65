"""Per page, what each relation to the project gets: the permission matrix (Taiga style)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmo.projects import services
from pmo.projects.services import document_upload, stakeholder_create

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_admin"]
LOGIN = 302

# page name → expected status per person in WHO order
MATRIX = {
    "project_detail": [LOGIN, 404, 200, 200, 200, 200, 200, 200],
    "charter_detail": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "charter_versions": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "charter_edit": [LOGIN, 404, 404, 403, 403, 403, 200, 200],
    "stakeholder_list": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "stakeholder_create": [LOGIN, 404, 404, 403, 403, 403, 200, 200],
    "document_list": [LOGIN, 404, 200, 200, 200, 200, 200, 200],
    "project_history": [LOGIN, 404, 404, 200, 200, 200, 200, 200],
    "project_edit": [LOGIN, 404, 403, 403, 403, 403, 200, 200],
}

# Buttons and links that only editors see, per page.
EDIT_MARKERS = {
    "project_detail": "Edit facts",
    "charter_detail": "Submit for approval",
    "stakeholder_list": "Add stakeholder",
    "document_list": ">Delete<",
}


def _cases() -> list[Any]:
    return [
        pytest.param(page, who, expected, id=f"{page}-{who}")
        for page, statuses in MATRIX.items()
        for who, expected in zip(WHO, statuses, strict=True)
    ]


@pytest.fixture
def filled_project(project: Any, people: Any) -> Any:
    """The project with one stakeholder and one document shared with the client."""
    stakeholder_create(actor=people["manager"], project_id=project.pk, data={"name": "Finance"})
    document_upload(
        actor=people["manager"],
        project_id=project.pk,
        upload=SimpleUploadedFile("plan.txt", b"the plan", content_type="text/plain"),
        shared_with_client=True,
    )
    return project


@pytest.mark.parametrize(("page", "who", "expected"), _cases())
def test_project_page_permission_matrix(client_as, filled_project, page, who, expected):
    client = client_as(None if who == "anonymous" else who)
    response = client.get(reverse(page, args=[filled_project.pk]))
    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith(reverse("login"))
    marker = EDIT_MARKERS.get(page)
    if expected == 200 and marker:
        editor = who in ("manager", "pmo_admin")
        assert (marker in response.content.decode()) is editor


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", LOGIN), ("manager", 200), ("member", 200), ("client", 200)],
)
@pytest.mark.parametrize("page", ["my_work", "portfolio", "project_list", "account"])
def test_personal_pages_need_login_only(client_as, project, page, who, expected):
    client = client_as(None if who == "anonymous" else who)
    assert client.get(reverse(page)).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", LOGIN),
        ("manager", 403),
        ("sponsor", 403),
        ("pmo_analyst", 200),
        ("pmo_admin", 200),
    ],
)
def test_pmo_desk_is_for_the_pmo(client_as, project, who, expected):
    client = client_as(None if who == "anonymous" else who)
    response = client.get(reverse("pmo_home"))
    assert response.status_code == expected
    if expected == 403:
        assert "The PMO desk is for PMO admins and analysts." in response.content.decode()


@pytest.mark.parametrize(("who", "expected"), [("outsider", 200), ("member", 403), ("client", 403)])
def test_new_project_form_is_for_creators(client_as, who, expected):
    assert client_as(who).get(reverse("project_create")).status_code == expected


def test_forbidden_actions_answer_403_with_the_message(client_as, project):
    response = client_as("member").post(
        reverse("stakeholder_create", args=[project.pk]), {"name": "X", "interest": 3}
    )
    assert response.status_code == 403
    assert "You may not edit stakeholders on project PRJ-001." in response.content.decode()


def test_a_client_downloads_only_shared_documents(client_as, filled_project, people):
    document_upload(
        actor=people["manager"],
        project_id=filled_project.pk,
        upload=SimpleUploadedFile("secret.txt", b"internal", content_type="text/plain"),
    )
    shared, internal = (services.Document.objects.get(title=t) for t in ("plan", "secret"))
    client = client_as("client")
    ok = client.get(reverse("document_download", args=[filled_project.pk, shared.pk, 1]))
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == b"the plan"
    assert "attachment" in ok["Content-Disposition"]
    hidden = client.get(reverse("document_download", args=[filled_project.pk, internal.pk, 1]))
    assert hidden.status_code == 404
    page = client.get(reverse("document_list", args=[filled_project.pk])).content.decode()
    assert "plan" in page and "secret" not in page


def test_not_found_page_says_so_without_telling_why(client_as, project):
    response = client_as("outsider").get(reverse("project_detail", args=[project.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in page and "Customer portal" not in page
