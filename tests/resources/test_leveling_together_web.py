"""The Level projects together page: PMO only, preview, accept."""

import datetime as dt
import json
import re

import pytest
from django.test import Client

from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects.services import project_create
from pmo.resources import services
from pmo.resources.models import LevelingRun

MONDAY = dt.date(2027, 3, 1)
URL = "/resources/level/"


@pytest.fixture
def shared(project, people, pool):
    pm = people["manager"]
    other = project_create(actor=pm, code="PRJ-002", name="Billing", sponsor_id=None)
    tasks = {}
    for p in (project, other):
        planning.schedule_update(actor=pm, project_id=p.pk, version=None, data={"start": MONDAY})
        task = planning.task_create(
            actor=pm, project_id=p.pk, data={"name": f"Work {p.code}", "duration": 5}
        )
        services.assignment_create(
            actor=pm, project_id=p.pk, data={"task_id": task.pk, "resource_id": pool["ada"].pk}
        )
        tasks[p.code] = task
    return project, other, tasks


def _client(people, who):
    client = Client()
    client.force_login(people[who])
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("pmo_admin", 200), ("pmo_analyst", 200), ("sponsor", 403), ("manager", 403)],
)
def test_only_the_pmo_opens_it(people, shared, who, status):
    assert _client(people, who).get(URL).status_code == status


def test_preview_and_accept_two_projects(people, shared):
    a, b, tasks = shared
    client = _client(people, "pmo_analyst")
    query = f"?project={a.pk}&project={b.pk}&priority_{b.pk}=5"
    html = client.get(URL + query).content.decode()
    assert 'data-peak-before="2.0"' in html and 'data-peak-after="1.0"' in html
    assert "PRJ-001" in html and "PRJ-002" in html

    def hidden(name):
        return re.search(rf'name="{name}" value="([^"]*)"', html).group(1).replace("&quot;", '"')

    response = client.post(
        URL,
        {
            "signature": hidden("signature"),
            "starts": hidden("starts"),
            "projects": hidden("projects"),
            "reason": "One at a time",
        },
    )
    assert response.status_code == 302
    (run,) = LevelingRun.objects.all()
    assert run.project == a  # b has the higher priority and keeps its dates
    assert Task.objects.get(pk=tasks["PRJ-001"].pk).constraint_type == "SNET"
    assert json.loads(hidden("starts"))
