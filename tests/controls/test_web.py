"""The controls pages: who sees them, what they show, and a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.controls import services
from pmo.projects.services import stakeholder_create

PAGES = ["risk_register", "budget_overview", "quality_plan", "communication_plan"]
# who → status; external clients and outsiders get the same not-found
SEES = {
    "outsider": 404,
    "client": 404,
    "viewer": 200,
    "member": 200,
    "sponsor": 200,
    "manager": 200,
    "pmo_analyst": 200,
}


def _as(people, who):
    client = Client()
    client.force_login(people[who])
    return client


@pytest.mark.parametrize("who", sorted(SEES))
@pytest.mark.parametrize("name", PAGES)
def test_page_permission_matrix(project, people, name, who):
    response = _as(people, who).get(reverse(name, args=[project.pk]))
    assert response.status_code == SEES[who]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(project, name):
    response = Client().get(reverse(name, args=[project.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_project_tabs_link_the_controls_for_insiders_only(project, people):
    url = reverse("project_detail", args=[project.pk])
    risks = reverse("risk_register", args=[project.pk])
    assert risks in _as(people, "member").get(url).content.decode()
    assert risks not in _as(people, "client").get(url).content.decode()


def test_the_register_shows_risks_and_the_heat_map(project, people, tasks):
    services.risk_create(
        actor=people["manager"],
        project_id=project.pk,
        data={
            "title": "<b>Supplier</b> late",
            "probability": 5,
            "impact": 4,
            "task_ids": [tasks["build"].pk],
        },
    )
    html = _as(people, "member").get(reverse("risk_register", args=[project.pk])).content.decode()
    assert "R-1 &lt;b&gt;Supplier&lt;/b&gt; late" in html
    assert 'class="cell level-severe"' in html
    assert "score 20, 1 risk" in html
    assert "2 Build" in html
    assert ">Opportunities</a>" in html


def test_the_budget_page_has_the_table_and_the_chart(project, people, tasks):
    services.budget_line_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"category": "labour", "period": dt.date(2027, 3, 1), "amount": "1250"},
    )
    html = _as(people, "viewer").get(reverse("budget_overview", args=[project.pk])).content.decode()
    assert "vendor/echarts/echarts.min.js" in html
    assert '<script id="budget-data" type="application/json">' in html
    assert "1,250.00" in html and "2,966.67" in html


def test_the_communication_plan_flags_what_is_overdue(project, people):
    board = stakeholder_create(
        actor=people["manager"], project_id=project.pk, data={"name": "Board"}
    )
    services.communication_item_create(
        actor=people["manager"],
        project_id=project.pk,
        data={
            "information": "Status report",
            "stakeholder_ids": [board.pk],
            "next_due": dt.date(2020, 1, 6),
        },
    )
    services.quality_item_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"deliverable": "Portal", "acceptance_criteria": "UAT passes"},
    )
    client = _as(people, "member")
    html = client.get(reverse("communication_plan", args=[project.pk])).content.decode()
    assert "Status report" in html and "Board" in html and "Overdue" in html
    html = client.get(reverse("quality_plan", args=[project.pk])).content.decode()
    assert "UAT passes" in html


@pytest.mark.parametrize("name", PAGES)
def test_query_count_is_constant_as_rows_grow(project, people, tasks, add_rows, name):
    client = _as(people, "manager")
    url = reverse(name, args=[project.pk])
    counts = []
    for n in (2, 8):  # 2 rows, then 10
        add_rows(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
