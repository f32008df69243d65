"""The pool and usage pages: who sees them, what they show, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.resources import services


def _client(people, who):
    client = Client()
    client.force_login(people[who])
    return client


@pytest.mark.parametrize(
    ("who", "status"), [("pmo_admin", 200), ("manager", 200), ("sponsor", 200), ("member", 403)]
)
@pytest.mark.parametrize("url", ["/resources/", "/resources/usage/"])
def test_pool_pages_are_for_the_pmo_executives_and_managers(people, pool, who, status, url):
    assert _client(people, who).get(url).status_code == status


def test_pool_lists_people_placeholders_and_rates(people, pool):
    html = _client(people, "pmo_admin").get("/resources/").content.decode()
    assert "Ada" in html and "80.00" in html
    assert "Developer (TBD)" in html and "(placeholder)" in html


def test_usage_marks_over_allocated_weeks_red(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    client = _client(people, "pmo_admin")
    html = client.get("/resources/usage/?start=2027-03-01").content.decode()
    assert 'class="cell over" title="80 h of 40 h">200 %' in html
    by_role = client.get("/resources/usage/?start=2027-03-01&group_by=role").content.decode()
    assert '<th scope="row">Developer</th>' in by_role


def test_usage_page_queries_stay_constant(project, people, tasks, pool):
    client = _client(people, "pmo_admin")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/resources/usage/?start=2027-03-01")
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        person = services.resource_create(
            actor=people["pmo_admin"], data={"name": f"P{i}", "role_id": pool["role"].pk}
        )
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": tasks["build"].pk, "resource_id": person.pk},
        )
    assert count() == before
