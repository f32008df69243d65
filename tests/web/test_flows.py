"""What people do through the pages: the charter flow, stale writes, escaping, login, uploads."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from tests.conftest import PASSWORD

from pmo.accounts.models import ApiToken
from pmo.accounts.services import api_token_authenticate, throttle_message
from pmo.core.errors import STALE_VERSION
from pmo.projects import services
from pmo.projects.models import CharterState, CharterVersion, Project, Stage

pytestmark = pytest.mark.django_db

CHARTER_FORM = {
    "purpose": "Let customers serve themselves online.",
    "problem": "Call centre volume grows 20% a year.",
    "objectives": "Cut calls | monthly calls | -30% by Q4",
    "scope_in": "Self-service portal.",
    "deliverables": "Portal\nTraining",
    "success_criteria": "Call volume down 30%",
    "milestones": "Go-live | 2027-06-30",
    "budget_estimate": "250000",
}


def _charter(project: Project) -> CharterVersion:
    return CharterVersion.objects.filter(project=project).order_by("-number").first()


def test_charter_flow_edit_submit_approve_through_the_pages(client_as, project):
    pm, sponsor = client_as("manager"), client_as("sponsor")
    url = reverse("charter_edit", args=[project.pk])
    response = pm.post(url, {**CHARTER_FORM, "version": _charter(project).version})
    assert response.status_code == 302
    charter = _charter(project)
    assert charter.objectives == [
        {"objective": "Cut calls", "measure": "monthly calls", "target": "-30% by Q4"}
    ]
    assert charter.milestones == [{"name": "Go-live", "date": "2027-06-30"}]
    assert charter.deliverables == ["Portal", "Training"]

    pm.post(reverse("charter_submit", args=[project.pk]), {"version": charter.version})
    assert _charter(project).state == CharterState.SUBMITTED
    page = sponsor.get(reverse("charter_detail", args=[project.pk])).content.decode()
    assert "Your decision as sponsor" in page

    sponsor.post(
        reverse("charter_decide", args=[project.pk]),
        {"version": _charter(project).version, "decision": "approve"},
    )
    assert _charter(project).state == CharterState.APPROVED
    overview = pm.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "Approved" in overview


def test_submitting_an_incomplete_charter_shows_what_is_missing(client_as, project):
    client = client_as("manager")
    response = client.post(
        reverse("charter_submit", args=[project.pk]), {"version": "1"}, follow=True
    )
    assert "The charter cannot be submitted yet: a purpose" in response.content.decode()
    assert _charter(project).state == CharterState.DRAFT


def test_returning_a_charter_needs_a_comment(client_as, project, people, complete_charter):
    pm = people["manager"]
    c = services.charter_update(actor=pm, project_id=project.pk, version=1, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=c.version)
    response = client_as("sponsor").post(
        reverse("charter_decide", args=[project.pk]), {"decision": "return"}, follow=True
    )
    assert services.CHARTER_RETURN_NEEDS_COMMENT in response.content.decode()
    assert _charter(project).state == CharterState.SUBMITTED


def test_revision_and_compare_show_the_changed_fields(client_as, project, people, complete_charter):
    pm, sponsor = people["manager"], people["sponsor"]
    c = services.charter_update(actor=pm, project_id=project.pk, version=1, data=complete_charter)
    c = services.charter_submit(actor=pm, project_id=project.pk, version=c.version)
    services.charter_decide(
        actor=sponsor, project_id=project.pk, version=c.version, decision="approve"
    )
    client = client_as("manager")
    client.post(reverse("charter_revise", args=[project.pk]), {"change_summary": "Wider scope"})
    draft = _charter(project)
    assert (draft.number, draft.state) == (2, CharterState.DRAFT)
    form = {**CHARTER_FORM, "scope_in": "Portal and mobile app.", "version": draft.version}
    client.post(reverse("charter_edit", args=[project.pk]), form)
    page = client.get(reverse("charter_compare", args=[project.pk]) + "?a=1&b=2").content.decode()
    assert "Portal and mobile app." in page and "In scope" in page
    assert "Purpose" not in page.split("<tbody>")[1]  # unchanged fields are not listed


def test_a_stale_project_edit_is_refused_and_changes_nothing(client_as, project, people):
    services.project_update(
        actor=people["manager"], project_id=project.pk, version=project.version, data={"name": "B"}
    )
    response = client_as("manager").post(
        reverse("project_edit", args=[project.pk]),
        {"name": "Mine", "status": "active", "health": "amber", "version": project.version},
    )
    assert response.status_code == 200
    expected = STALE_VERSION.format(
        thing="Project PRJ-001", expected=project.version, current=project.version + 1
    )
    assert expected in response.content.decode()
    project.refresh_from_db()
    assert (project.name, project.health) == ("B", "green")


def test_a_stale_charter_edit_is_refused(client_as, project):
    client = client_as("manager")
    url = reverse("charter_edit", args=[project.pk])
    client.post(url, {**CHARTER_FORM, "version": 1})
    response = client.post(url, {**CHARTER_FORM, "purpose": "Other", "version": 1})
    assert "changed by someone else" in response.content.decode()
    assert _charter(project).purpose == CHARTER_FORM["purpose"]


def test_a_malformed_objective_line_is_a_form_error(client_as, project):
    response = client_as("manager").post(
        reverse("charter_edit", args=[project.pk]),
        {"objectives": "a | b | c | d", "version": 1},
    )
    assert "Line 1 has more than 3 parts separated by" in response.content.decode()


def test_text_is_escaped(client_as, people):
    evil = "<script>alert(1)</script>"
    services.project_create(actor=people["manager"], code="XSS-1", name=evil)
    client = client_as("manager")
    for url in (reverse("project_list"), reverse("my_work")):
        page = client.get(url).content.decode()
        assert evil not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_escaped_in_the_grid_and_history(client_as, project, people):
    evil = "<b onmouseover=x>Bad</b>"
    services.stakeholder_create(actor=people["manager"], project_id=project.pk, data={"name": evil})
    client = client_as("manager")
    for name in ("stakeholder_list", "project_history"):
        page = client.get(reverse(name, args=[project.pk])).content.decode()
        assert evil not in page


def test_sixth_failed_login_is_throttled_even_with_the_right_password(client, people):
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "manager", "password": "wrong"})
    response = client.post(url, {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    assert throttle_message() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client, people):
    response = client.post(reverse("login"), {"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("my_work")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("my_work")).status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, people):
    response = client.post(reverse("password_reset"), {"email": "manager@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Set a new password for PMO"
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    confirm = client.get(link.split("testserver", 1)[1], follow=True)
    assert "Set a new password" in confirm.content.decode()
    assert "new_password1" in confirm.content.decode()


def test_password_change_page_is_ours(client_as):
    page = client_as("manager").get(reverse("password_change")).content.decode()
    assert "Change your password" in page and 'class="topbar"' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ", "Files of type '.exe' are not accepted"),
        ("empty.txt", b"", "The submitted file is empty."),
    ],
)
def test_upload_type_limits_are_shown(client_as, project, name, content, message):
    response = client_as("manager").post(
        reverse("document_list", args=[project.pk]),
        {"file": SimpleUploadedFile(name, content), "title": "T"},
    )
    assert escape(message) in response.content.decode()
    assert not project.documents.exists()


def test_upload_size_limit_shows_the_service_message(client_as, project, settings):
    settings.PMO_DOCUMENT_MAX_BYTES = 10
    response = client_as("manager").post(
        reverse("document_list", args=[project.pk]),
        {"file": SimpleUploadedFile("big.txt", b"x" * 11), "title": "Big"},
    )
    assert services.DOCUMENT_TOO_LARGE.format(size=11, limit=10) in response.content.decode()


def test_upload_a_document_and_a_new_version(client_as, project):
    client = client_as("member")
    client.post(
        reverse("document_list", args=[project.pk]),
        {"file": SimpleUploadedFile("plan.txt", b"v1"), "title": "Plan", "description": "d"},
    )
    document = project.documents.get()
    client.post(
        reverse("document_version_upload", args=[project.pk, document.pk]),
        {"file": SimpleUploadedFile("plan.txt", b"v2"), "comment": "second"},
    )
    assert sorted(document.files.values_list("number", flat=True)) == [1, 2]
    response = client.get(reverse("document_download", args=[project.pk, document.pk, 2]))
    assert b"".join(response.streaming_content) == b"v2"


def test_api_token_shown_once_and_revoked(client_as, people):
    client = client_as("manager")
    page = client.post(reverse("account"), {"name": "BI"}).content.decode()
    token = ApiToken.objects.get(user=people["manager"])
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("pmo_") and token.token_hash != raw
    assert api_token_authenticate(raw) == people["manager"]
    assert raw not in client.get(reverse("account")).content.decode()
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert api_token_authenticate(raw) is None


def test_project_create_names_the_sponsor(client_as, people):
    response = client_as("manager").post(
        reverse("project_create"),
        {"code": "NEW-1", "name": "New", "sponsor": people["sponsor"].pk},
    )
    project = Project.objects.get(code="NEW-1")
    assert response["Location"] == reverse("project_detail", args=[project.pk])
    assert (project.sponsor, project.manager) == (people["sponsor"], people["manager"])


def test_duplicate_code_is_a_form_error(client_as, project):
    response = client_as("manager").post(
        reverse("project_create"), {"code": "PRJ-001", "name": "Again"}
    )
    assert services.CODE_TAKEN.format(code="PRJ-001") in response.content.decode()


def test_stage_advance_needs_an_approved_charter(client_as, project):
    response = client_as("manager").post(
        reverse("project_stage_advance", args=[project.pk]),
        {"to_stage": "planning", "version": project.version},
        follow=True,
    )
    assert services.STAGE_NEEDS_CHARTER in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_members_are_added_and_removed(client_as, project, people, make_user):
    newcomer = make_user()
    client = client_as("manager")
    client.post(reverse("member_add", args=[project.pk]), {"user": newcomer.pk, "role": "member"})
    assert project.memberships.filter(user=newcomer).exists()
    client.post(reverse("member_remove", args=[project.pk, newcomer.pk]))
    assert not project.memberships.filter(user=newcomer).exists()


def test_stakeholder_add_edit_delete(client_as, project):
    client = client_as("manager")
    data = {"name": "Finance", "is_internal": "on", "interest": 4, "influence": 5}
    data |= {"current_engagement": "neutral", "desired_engagement": "supportive"}
    client.post(reverse("stakeholder_create", args=[project.pk]), data)
    s = project.stakeholders.get()
    client.post(
        reverse("stakeholder_edit", args=[project.pk, s.pk]),
        {**data, "interest": 2, "version": s.version},
    )
    s.refresh_from_db()
    assert s.interest == 2
    page = client.get(reverse("stakeholder_list", args=[project.pk])).content.decode()
    assert "Keep satisfied" in page and "<svg" in page
    client.post(reverse("stakeholder_delete", args=[project.pk, s.pk]))
    assert not project.stakeholders.exists()


def test_project_list_filters_and_htmx_partial(client_as, project, people):
    services.project_create(actor=people["manager"], code="OTHER-1", name="Warehouse")
    client = client_as("manager")
    page = client.get(reverse("project_list"), {"q": "portal"}).content.decode()
    assert "PRJ-001" in page and "OTHER-1" not in page
    partial = client.get(reverse("project_list"), {"q": "ware"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "OTHER-1" in body and "<html" not in body


def test_my_work_lists_charters_awaiting_the_sponsor(client_as, project, people, complete_charter):
    pm = people["manager"]
    c = services.charter_update(actor=pm, project_id=project.pk, version=1, data=complete_charter)
    services.charter_submit(actor=pm, project_id=project.pk, version=c.version)
    page = client_as("sponsor").get(reverse("my_work")).content.decode()
    assert "Charters awaiting your approval" in page and "PRJ-001" in page
    pmo = client_as("pmo_admin").get(reverse("pmo_home")).content.decode()
    assert "PRJ-001" in pmo


def test_portfolio_counts_by_stage_and_health(client_as, project):
    page = client_as("manager").get(reverse("portfolio")).content.decode()
    assert "No portfolio" in page and "Initiation 1" in page and "Green 1" in page
