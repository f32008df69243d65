"""The Level resources page: who may open it, preview, accept with a reason, stale plan, clear."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.resources import services
from pmo.resources.models import LevelingRun


def _client(people, who):
    client = Client()
    client.force_login(people[who])
    return client


@pytest.fixture
def clash(project, people, tasks, pool):
    for task in tasks.values():
        services.assignment_create(
            actor=people["manager"],
            project_id=project.pk,
            data={"task_id": task.pk, "resource_id": pool["ada"].pk},
        )
    return tasks


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("pmo_admin", 200), ("member", 403), ("viewer", 403), ("client", 404),
     ("outsider", 404)],
)  # fmt: skip
def test_only_editors_of_the_plan_open_the_page(project, people, clash, who, status):
    assert _client(people, who).get(f"/projects/{project.pk}/level/").status_code == status


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_preview_shows_the_peaks_and_accepting_flattens_them(project, people, clash):
    client = _client(people, "manager")
    url = f"/projects/{project.pk}/level/"
    html = client.get(url).content.decode()
    assert 'data-peak-before="2.0"' in html and 'data-peak-after="1.0"' in html
    assert "Build" in html and "Level resources" in html
    signature = _hidden(html, "signature")
    starts = json.loads(_hidden(html, "starts").replace("&quot;", '"'))
    # no reason: a form error, nothing written
    page = client.post(url, {"signature": signature, "starts": json.dumps(starts), "reason": ""})
    assert page.status_code == 200 and "This field is required" in page.content.decode()
    assert not LevelingRun.objects.exists()
    response = client.post(
        url, {"signature": signature, "starts": json.dumps(starts), "reason": "Ada overbooked"}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=clash["build"].pk).early_start == dt.date(2027, 3, 8)
    html = client.get(url).content.decode()
    assert 'data-peak-before="1.0"' in html and "Ada overbooked" in html
    run = LevelingRun.objects.get()
    assert client.post(f"/projects/{project.pk}/level/{run.pk}/clear/").status_code == 302
    assert Task.objects.get(pk=clash["build"].pk).constraint_type == "ASAP"


def test_a_changed_plan_is_refused_on_the_form(project, people, clash):
    client = _client(people, "manager")
    url = f"/projects/{project.pk}/level/"
    html = client.get(url).content.decode()
    planning.task_update(
        actor=people["manager"], project_id=project.pk, task_id=clash["design"].pk,
        version=None, data={"duration": 3},
    )  # fmt: skip
    page = client.post(
        url,
        {
            "signature": _hidden(html, "signature"),
            "starts": _hidden(html, "starts").replace("&quot;", '"'),
            "reason": "r",
        },
    )
    assert page.status_code == 200
    assert "changed since" in page.content.decode()
    assert not LevelingRun.objects.exists()


def test_nothing_to_level_says_so(project, people, tasks):
    html = _client(people, "manager").get(f"/projects/{project.pk}/level/").content.decode()
    assert "nothing to level" in html


def test_the_page_lists_over_allocated_days_and_weeks(project, people, clash):
    html = _client(people, "manager").get(f"/projects/{project.pk}/level/").content.decode()
    assert "5 days" in html and "2027-W09 (10 / 5)" in html
