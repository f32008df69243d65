"""MS Project files over the API: preview, import, export and back, refusals, who may do what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.planning.test_mspdi_exchange import SAMPLE

from pmo.planning import services
from pmo.planning.models import Baseline, Calendar, Dependency, Task
from pmo.projects.services import project_create

from .conftest import API
from .test_permissions import READ_INTERNAL, ROLES, edit

pytestmark = pytest.mark.django_db

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&c;</Name></Project>"""


def _file(data: bytes = SAMPLE, name: str = "move.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def _url(project, suffix: str = "") -> str:
    return f"{API}/projects/{project.pk}/plan/mspdi{suffix}"


def _nothing_written(project) -> None:
    assert not Task.objects.filter(project=project).exists()
    assert not Calendar.objects.filter(project=project).exists()
    assert not Baseline.objects.filter(project=project).exists()


def test_preview_reports_counts_and_fidelity_without_writing(api_as, project):
    response = api_as("manager").post(_url(project, "/preview"), {"file": _file()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["start"]) == ("Office move", "2027-01-04")
    assert (body["tasks"], body["summary_tasks"], body["milestones"], body["links"]) == (4, 1, 1, 2)
    assert body["baselines"] == [0]
    assert body["calendar"]["exceptions"] == 1
    assert body["imported"][0] == "4 tasks: 1 summary tasks, 1 milestones."
    assert body["adjusted"] == ["'Move': 12 hours rounded to 2 working days."]
    assert body["ignored"] == [
        "1 resources and 1 assignments: resources are managed in pmo's resource pool."
    ]
    _nothing_written(project)


def test_import_creates_the_plan_and_answers_the_schedule(api_as, project):
    response = api_as("manager").post(_url(project), {"file": _file()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start"], body["finish"]) == ("2027-01-04", "2027-01-11")
    assert body["calendar"]["name"] == "Office move calendar"
    assert Task.objects.filter(project=project).count() == 4
    assert Baseline.objects.get(project=project).is_current


def test_export_downloads_xml_that_reimports_into_another_project(api_as, project, people):
    pm = api_as("manager")
    assert pm.post(_url(project), {"file": _file()}).status_code == 201
    response = api_as("viewer").get(_url(project))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="PRJ-001.xml"'
    assert response.content.startswith(b"<?xml")
    copy = project_create(actor=people["manager"], code="PRJ-002", name="Copy")
    again = pm.post(_url(copy), {"file": _file(response.content, "PRJ-001.xml")})
    assert again.status_code == 201, again.content

    def shape(p):
        return list(
            Task.objects.filter(project=p)
            .order_by("position")
            .values_list("wbs", "name", "duration", "early_start", "early_finish")
        )

    assert shape(copy) == shape(project)
    assert Dependency.objects.filter(project=copy).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "refused: the file declares"),
        (b"<Project><Tasks>", "malformed XML"),
        (b"not xml at all", "The file could not be read as MS Project XML: bad.xml"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "/preview"])
def test_bad_or_hostile_files_answer_one_clear_422_and_change_nothing(
    api_as, project, data, message, suffix
):
    response = api_as("manager").post(_url(project, suffix), {"file": _file(data, "bad.xml")})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith("The file could not be read as MS Project XML: bad.xml")
    assert message in detail and "\n" not in detail
    _nothing_written(project)


def test_import_into_a_plan_with_tasks_is_refused(api_as, project, people):
    services.task_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Existing", "duration": 1}
    )
    response = api_as("manager").post(_url(project), {"file": _file()})
    assert response.status_code == 422
    assert response.json()["detail"] == services.PLAN_NOT_EMPTY.format(n=1)
    assert Task.objects.filter(project=project).count() == 1
    assert not Calendar.objects.filter(project=project).exists()


def test_import_without_a_file_is_refused(api_as, project):
    response = api_as("manager").post(_url(project), {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def _with_plan(project, people) -> None:
    services.plan_import_mspdi(
        actor=people["manager"], project_id=project.pk, data=SAMPLE, filename="move.xml"
    )


# operation: (method, suffix, arrange or None, expected codes in ROLES order)
MATRIX = {
    "plan_mspdi_preview": ("post", "/preview", None, edit(200)),
    "plan_mspdi_import": ("post", "", None, edit(201)),
    "plan_mspdi_export": ("get", "", _with_plan, READ_INTERNAL),
}


def test_matrix_covers_every_operation():
    from pmo.api.plan_files import router

    operations = {
        op.operation_id for view in router.path_operations.values() for op in view.operations
    }
    assert operations == set(MATRIX)


@pytest.mark.parametrize(
    ("case", "who", "expected"),
    [
        pytest.param(case, who, spec[3][i], id=f"{case}-{who}")
        for case, spec in MATRIX.items()
        for i, who in enumerate(ROLES)
    ],
)
def test_plan_files_permission_matrix(case, who, expected, api_as, project, people):
    method, suffix, arrange, _ = MATRIX[case]
    if arrange is not None:
        arrange(project, people)
    client = api_as(who)
    if method == "post":
        response = client.post(_url(project, suffix), {"file": _file()})
    else:
        response = client.get(_url(project, suffix))
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        if method == "post":
            _nothing_written(project)
