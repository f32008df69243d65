"""MS Project files on the web: upload → preview → confirm or cancel, tokens, refusals, export."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.api.test_plan_files_api import BOMB
from tests.planning.test_mspdi_exchange import SAMPLE

from pmo.planning import services
from pmo.planning.models import Baseline, Calendar, Task
from pmo.projects.services import project_create
from pmo.web.views import plan_files

pytestmark = pytest.mark.django_db


def _file(data: bytes = SAMPLE, name: str = "move.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def _upload(client: Any, project: Any, data: bytes = SAMPLE) -> Any:
    return client.post(reverse("plan_import", args=[project.pk]), {"file": _file(data)})


def _token(response: Any) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()
    return html.unescape(match.group(1))


def _confirm(client: Any, project: Any, token: str, button: str = "confirm") -> Any:
    url = reverse("plan_import_confirm", args=[project.pk])
    return client.post(url, {"token": token, button: "1"})


def _pending_files() -> list[str]:
    return default_storage.listdir("imports")[1] if default_storage.exists("imports") else []


def _nothing_written(project: Any) -> None:
    assert not Task.objects.filter(project=project).exists()
    assert not Calendar.objects.filter(project=project).exists()
    assert not Baseline.objects.filter(project=project).exists()


def test_upload_previews_the_fidelity_report_then_confirm_creates_the_plan(client_as, project):
    pm = client_as("manager")
    page = pm.get(reverse("plan_import", args=[project.pk]))
    assert page.status_code == 200 and b"Preview import" in page.content
    preview = _upload(pm, project)
    assert preview.status_code == 200
    text = html.unescape(preview.content.decode())
    assert "4 tasks: 1 summary tasks, 1 milestones." in text
    assert "'Move': 12 hours rounded to 2 working days." in text
    assert "resources are managed in pmo's resource pool." in text
    assert "Confirm import" in text and "Cancel" in text
    assert all(name in text for name in ("Prepare", "Pack", "Move", "Moved"))
    _nothing_written(project)
    assert len(_pending_files()) == 1

    done = _confirm(pm, project, _token(preview))
    assert done.status_code == 302 and done["Location"] == reverse("plan_table", args=[project.pk])
    assert Task.objects.filter(project=project).count() == 4
    assert Baseline.objects.get(project=project).is_current
    assert _pending_files() == []
    shown = html.unescape(pm.get(done["Location"]).content.decode())
    assert "Plan imported from move.xml: 4 tasks, 2 links." in shown


def test_preview_shows_only_the_first_twenty_tasks(client_as, project):
    rows = "".join(
        f"<Task><UID>{i}</UID><ID>{i}</ID><Name>Step {i}</Name><OutlineLevel>1</OutlineLevel>"
        "<Duration>PT8H0M0S</Duration></Task>"
        for i in range(1, 26)
    )
    data = (
        '<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project">'
        f"<Name>Long</Name><StartDate>2027-01-04T08:00:00</StartDate><Tasks>{rows}</Tasks>"
        "</Project>"
    ).encode()
    text = _upload(client_as("manager"), project, data).content.decode()
    assert "the first 20 of 25" in text
    assert "Step 20<" in text and "Step 21<" not in text


def test_cancel_deletes_the_upload_and_writes_nothing(client_as, project):
    pm = client_as("manager")
    response = _confirm(pm, project, _token(_upload(pm, project)), button="cancel")
    assert response.status_code == 302
    _nothing_written(project)
    assert _pending_files() == []


def test_a_used_token_cannot_import_twice(client_as, project):
    pm = client_as("manager")
    token = _token(_upload(pm, project))
    _confirm(pm, project, token)
    again = _confirm(pm, project, token)
    assert again.status_code == 302
    assert again["Location"] == reverse("plan_import", args=[project.pk])
    assert Task.objects.filter(project=project).count() == 4


def test_tampered_token_is_not_found_and_writes_nothing(client_as, project):
    pm = client_as("manager")
    token = _token(_upload(pm, project))
    assert _confirm(pm, project, token[:-2] + "xx").status_code == 404
    forged = signing.dumps(
        {"name": "imports/../../etc/passwd", "project": project.pk, "user": 0, "file": "x"}
    )
    assert _confirm(pm, project, forged).status_code == 404
    _nothing_written(project)


def test_token_for_another_project_or_person_is_not_found(client_as, project, people):
    other = project_create(actor=people["manager"], code="PRJ-002", name="Other")
    token = _token(_upload(client_as("manager"), project))
    assert _confirm(client_as("manager"), other, token).status_code == 404
    assert _confirm(client_as("pmo_admin"), project, token).status_code == 404
    _nothing_written(project)
    _nothing_written(other)


def test_expired_token_says_so_deletes_the_upload_and_writes_nothing(
    client_as, project, monkeypatch
):
    pm = client_as("manager")
    token = _token(_upload(pm, project))
    monkeypatch.setattr(plan_files, "TOKEN_MAX_AGE", -1)
    response = _confirm(pm, project, token)
    assert response.status_code == 302
    shown = html.unescape(pm.get(response["Location"]).content.decode())
    assert plan_files.UPLOAD_EXPIRED in shown
    _nothing_written(project)
    assert _pending_files() == []


@pytest.mark.parametrize(
    ("data", "message"), [(BOMB, "refused: the file declares"), (b"<Project>", "malformed XML")]
)
def test_bad_or_hostile_file_shows_one_line_on_the_form(client_as, project, data, message):
    response = _upload(client_as("manager"), project, data)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "The file could not be read as MS Project XML: move.xml" in text and message in text
    assert "Confirm import" not in text
    _nothing_written(project)
    assert _pending_files() == []


def test_a_plan_with_tasks_shows_the_message_instead_of_the_form(client_as, project, people):
    services.task_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Existing", "duration": 1}
    )
    pm = client_as("manager")
    message = services.PLAN_NOT_EMPTY.format(n=1)
    page = pm.get(reverse("plan_import", args=[project.pk]))
    assert message in html.unescape(page.content.decode()) and b"Preview import" not in page.content
    assert "Confirm import" not in html.unescape(_upload(pm, project).content.decode())
    assert Task.objects.filter(project=project).count() == 1


def test_tasks_added_between_preview_and_confirm_refuse_the_import(client_as, project, people):
    pm = client_as("manager")
    token = _token(_upload(pm, project))
    services.task_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Meanwhile", "duration": 1}
    )
    response = _confirm(pm, project, token)
    assert response["Location"] == reverse("plan_import", args=[project.pk])
    shown = html.unescape(pm.get(response["Location"]).content.decode())
    assert services.PLAN_NOT_EMPTY.format(n=1) in shown
    assert Task.objects.filter(project=project).count() == 1
    assert _pending_files() == []


WHO = ["outsider", "client", "viewer", "member", "sponsor", "manager", "pmo_analyst", "pmo_admin"]
IMPORT = [404, 404, 403, 403, 403, 200, 200, 200]
EXPORT = [404, 404, 200, 200, 200, 200, 200, 200]


@pytest.mark.parametrize(("who", "upload", "export"), list(zip(WHO, IMPORT, EXPORT, strict=True)))
def test_who_may_import_and_export(client_as, project, who, upload, export):
    client = client_as(who)
    assert client.get(reverse("plan_import", args=[project.pk])).status_code == upload
    assert _upload(client, project).status_code == upload
    assert client.get(reverse("plan_export", args=[project.pk])).status_code == export
    _nothing_written(project)
    tab = f'href="{reverse("plan_import", args=[project.pk])}"'.encode()
    overview = client.get(reverse("project_detail", args=[project.pk]))
    assert (tab in overview.content) == (upload == 200)


def test_anonymous_is_sent_to_log_in(client_as, project):
    client = client_as(None)
    for name in ("plan_import", "plan_export"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 302


def test_export_downloads_xml_that_reimports(client_as, project, people):
    services.plan_import_mspdi(
        actor=people["manager"], project_id=project.pk, data=SAMPLE, filename="move.xml"
    )
    response = client_as("member").get(reverse("plan_export", args=[project.pk]))
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="PRJ-001.xml"'
    copy = project_create(actor=people["manager"], code="PRJ-002", name="Copy")
    pm = client_as("manager")
    _confirm(pm, copy, _token(_upload(pm, copy, response.content)))
    names = list(Task.objects.filter(project=copy).order_by("position").values_list("name"))
    assert names == [("Prepare",), ("Pack",), ("Move",), ("Moved",)]


def test_abandoned_uploads_are_removed_after_the_confirmation_window(settings, tmp_path):
    import datetime as dt
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from pmo.web.views import plan_files

    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("imports/old.xml", ContentFile(b"x"))
    fresh = default_storage.save("imports/fresh.xml", ContentFile(b"x"))
    stamp = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(old), (stamp, stamp))
    plan_files._prune_abandoned()
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
