"""Projects: creation, facts with versions and audit, members, stakeholders, documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pmo.core.errors import Conflict, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.projects import services
from pmo.projects.models import CharterVersion, Membership, ProjectRole


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_pm_who_creates_a_project_manages_it(people):
    p = services.project_create(actor=people["manager"], code=" prj-9 ", name="  Data lake ")
    assert (p.code, p.name, p.manager) == ("PRJ-9", "Data lake", people["manager"])
    assert Membership.objects.get(project=p).role == ProjectRole.MANAGER
    assert CharterVersion.objects.filter(project=p, number=1).exists()


def test_project_code_is_unique_and_well_formed(project, people):
    with pytest.raises(ValidationFailed, match="A project with code PRJ-001 already exists."):
        services.project_create(actor=people["pmo_admin"], code="prj-001", name="Again")
    with pytest.raises(ValidationFailed, match="code: Use capital letters"):
        services.project_create(actor=people["pmo_admin"], code="A B", name="Bad")


def test_planned_finish_cannot_precede_start(project, people):
    import datetime as dt

    with pytest.raises(ValidationFailed, match="planned finish cannot be before"):
        services.project_update(
            actor=people["manager"],
            project_id=project.pk,
            version=None,
            data={"planned_start": dt.date(2027, 5, 1), "planned_finish": dt.date(2027, 4, 1)},
        )
    project.refresh_from_db()
    assert project.planned_start is None


def test_project_update_is_audited_field_by_field(project, people):
    services.project_update(
        actor=people["manager"],
        project_id=project.pk,
        version=project.version,
        data={"name": "Customer portal 2", "health": "amber"},
    )
    entry = AuditEntry.objects.filter(object_type="projects.project", action="update").get()
    assert entry.actor == people["manager"]
    assert entry.project_id == project.pk
    assert entry.changes == {
        "name": ["Customer portal", "Customer portal 2"],
        "health": ["green", "amber"],
    }


def test_stale_project_update_is_refused_and_nothing_changes(project, people):
    services.project_update(
        actor=people["manager"],
        project_id=project.pk,
        version=project.version,
        data={"name": "First writer"},
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        services.project_update(
            actor=people["pmo_admin"],
            project_id=project.pk,
            version=project.version,
            data={"name": "Second writer"},
        )
    project.refresh_from_db()
    assert project.name == "First writer"


def test_unknown_fields_are_refused(project, people):
    with pytest.raises(ValidationFailed, match="cannot be changed here: code, stage"):
        services.project_update(
            actor=people["manager"],
            project_id=project.pk,
            version=None,
            data={"code": "X", "stage": "closed"},
        )


def test_members_are_added_once_and_the_manager_stays(project, people):
    with pytest.raises(ValidationFailed, match="already a member"):
        services.member_add(
            actor=people["manager"],
            project_id=project.pk,
            user_id=people["member"].pk,
            role="member",
        )
    with pytest.raises(Conflict, match="is the project manager"):
        services.member_remove(
            actor=people["pmo_admin"], project_id=project.pk, user_id=people["manager"].pk
        )
    services.member_remove(
        actor=people["manager"], project_id=project.pk, user_id=people["member"].pk
    )
    assert not Membership.objects.filter(project=project, user=people["member"]).exists()


def test_stakeholder_scores_are_validated_and_placed_on_the_grid(project, people):
    with pytest.raises(ValidationFailed, match="interest"):
        services.stakeholder_create(
            actor=people["manager"], project_id=project.pk, data={"name": "X", "interest": 9}
        )
    s = services.stakeholder_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"name": "Board", "interest": 2, "influence": 5},
    )
    assert s.grid_quadrant == "Keep satisfied"
    s = services.stakeholder_update(
        actor=people["manager"],
        project_id=project.pk,
        stakeholder_id=s.pk,
        version=s.version,
        data={"interest": 5},
    )
    assert s.grid_quadrant == "Manage closely"
    services.stakeholder_delete(actor=people["manager"], project_id=project.pk, stakeholder_id=s.pk)
    with pytest.raises(NotFound):
        services.stakeholder_delete(
            actor=people["manager"], project_id=project.pk, stakeholder_id=s.pk
        )


def test_documents_keep_versions_with_checksums(project, people):
    first = services.document_upload(
        actor=people["member"],
        project_id=project.pk,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1 v1", content_type="application/pdf"),
    )
    assert (first.document.title, first.number, first.size) == ("plan", 1, 9)
    second = services.document_upload(
        actor=people["member"],
        project_id=project.pk,
        document_id=first.document_id,
        upload=SimpleUploadedFile("plan-v2.pdf", b"%PDF-1 v2!", content_type="application/pdf"),
    )
    assert second.number == 2
    assert second.sha256 != first.sha256
    assert second.file.read() == b"%PDF-1 v2!"


def test_document_limits_are_enforced(project, people, settings):
    settings.PMO_DOCUMENT_MAX_BYTES = 10
    upload = services.document_upload
    with pytest.raises(ValidationFailed, match="Files of type '.exe' are not accepted"):
        upload(
            actor=people["manager"],
            project_id=project.pk,
            upload=SimpleUploadedFile("x.exe", b"MZ"),
        )
    with pytest.raises(ValidationFailed, match="The file is 11 bytes; the limit is 10 bytes."):
        upload(
            actor=people["manager"],
            project_id=project.pk,
            upload=SimpleUploadedFile("x.pdf", b"01234567890"),
        )
    with pytest.raises(ValidationFailed, match="The file is empty."):
        upload(
            actor=people["manager"], project_id=project.pk, upload=SimpleUploadedFile("x.pdf", b"")
        )
    assert not project.documents.exists()


def test_client_sees_only_shared_documents(project, people):
    from pmo.projects.selectors import document_list

    for title, shared in (("Internal memo", False), ("Release notes", True)):
        services.document_upload(
            actor=people["manager"],
            project_id=project.pk,
            title=title,
            shared_with_client=shared,
            upload=SimpleUploadedFile("a.txt", b"text"),
        )
    assert [d.title for d in document_list(actor=people["client"], project=project)] == [
        "Release notes"
    ]
    assert document_list(actor=people["member"], project=project).count() == 2


def test_document_text_with_nul_characters_is_refused(project, people):
    with pytest.raises(ValidationFailed, match="NUL characters"):
        services.document_upload(
            actor=people["manager"],
            project_id=project.pk,
            title="a\x00b",
            upload=SimpleUploadedFile("a.txt", b"text"),
        )
