"""The capacity forecast pages: who sees them, the heat map table, drill-down, exports, what-if."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from pmo.resources import services
from pmo.resources.models import Assignment

URL = "/resources/forecast/"
Q = "?kind=week&count=2&start=2027-03-01"


def _client(people, who):
    client = Client()
    client.force_login(people[who])
    return client


@pytest.fixture
def booked(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    return tasks


@pytest.mark.parametrize(
    ("who", "status"),
    [("pmo_admin", 200), ("pmo_analyst", 200), ("sponsor", 200), ("manager", 403),
     ("member", 403), ("client", 403)],
)  # fmt: skip
@pytest.mark.parametrize(
    "url",
    [URL + Q, URL + "cell/" + Q + "&cell=Developer&period=2027-W09", "/resources/forecast.csv"],
)
def test_the_forecast_is_for_the_pmo_and_executives(people, booked, who, status, url):
    assert _client(people, who).get(url).status_code == status


def test_the_page_marks_over_allocated_cells_and_links_the_drill_down(people, booked):
    html = _client(people, "pmo_analyst").get(URL + Q).content.decode()
    assert 'data-over-cells="1"' in html
    assert 'class="cell over"' in html and "200 %" in html
    assert "cell=Developer&amp;period=2027-W09" in html


def test_the_drill_down_names_people_and_tasks(people, booked):
    html = (
        _client(people, "pmo_analyst")
        .get(URL + "cell/" + Q + "&cell=Developer&period=2027-W09")
        .content.decode()
    )
    assert "Ada" in html and "Design" in html and "Build" in html and "80 h asked of 40 h" in html


def test_csv_and_excel_export_the_same_table(people, booked):
    client = _client(people, "pmo_analyst")
    response = client.get("/resources/forecast.csv" + Q)
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:2] == ["Role", "Period"]
    assert lines[1] == ["Developer", "2027-W09", "2027-03-01", "40.0", "80.0", "2.0", "yes"]
    response = client.get("/resources/forecast.xlsx" + Q)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == ["Developer", "2027-W09"]
    assert sheet.max_row == len(lines)
    assert client.get("/resources/forecast.pdf").status_code == 404


def test_what_if_in_the_query_changes_figures_and_writes_nothing(people, booked, project):
    client = _client(people, "pmo_analyst")
    versions = list(Assignment.objects.values_list("pk", "version"))
    html = client.get(URL + Q + f"&drop_project={project.pk}").content.decode()
    assert 'data-over-cells="0"' in html and "nothing has been saved" in html
    html = client.get(
        URL + Q + "&hire_role=Developer&hire_count=1&hire_from=2027-03-01"
    ).content.decode()
    assert "100 %" in html and 'data-over-cells="0"' in html
    assert list(Assignment.objects.values_list("pk", "version")) == versions
    html = client.get(URL + Q + "&hire_role=Juggler&hire_count=1").content.decode()
    assert "No job role" in html


def test_the_page_costs_the_same_queries_however_many_assignments(people, booked, project, pool):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pmo.planning import services as planning

    client = _client(people, "pmo_analyst")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL + Q + "&group_by=person").status_code == 200
        return len(ctx)

    first = count()
    for i in range(4):
        task = planning.task_create(
            actor=people["manager"], project_id=project.pk, data={"name": f"T{i}", "duration": 2}
        )
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["dev"].pk},
        )
    assert count() == first
