"""Levelling several projects that share people: one engine call, priorities, accept, refusals."""

import datetime as dt

import pytest

from pmo.core.errors import Conflict, Forbidden, ValidationFailed
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.projects.services import project_create
from pmo.resources import services
from pmo.resources.models import LevelingRun

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def shared(project, people, pool):
    """Ada full time on a one-week task in each of two projects, the same week."""
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


def _preview(people, a, b, **kw):
    return services.leveling_preview_together(
        actor=people["pmo_analyst"], project_ids=[a.pk, b.pk], **kw
    )


@pytest.mark.parametrize("first", ["PRJ-001", "PRJ-002"])
def test_the_project_with_the_higher_priority_goes_first(people, shared, first):
    a, b, tasks = shared
    high = a if first == "PRJ-001" else b
    result = _preview(people, a, b, priorities={high.pk: 10})
    assert result.histogram.peak_before == 2.0 and result.histogram.peak_after == 1.0
    (moved,) = result.moved
    assert moved.project != first and moved.levelled_start == dt.date(2027, 3, 8)
    assert result.project is None and {p.code for p in result.projects} == {"PRJ-001", "PRJ-002"}


def test_accepting_records_a_run_on_the_project_that_moves(people, shared):
    a, b, tasks = shared
    result = _preview(people, a, b, priorities={a.pk: 10})
    (run,) = services.leveling_accept_together(
        actor=people["pmo_analyst"],
        project_ids=[a.pk, b.pk],
        signature=result.signature,
        starts=result.starts,
        reason="Ada works on one project at a time",
    )
    assert run.project == b
    assert Task.objects.get(pk=tasks["PRJ-002"].pk).early_start == dt.date(2027, 3, 8)
    assert Task.objects.get(pk=tasks["PRJ-001"].pk).early_start == MONDAY
    # level now: nothing more to move
    assert _preview(people, a, b).moved == []


def test_a_change_to_either_plan_refuses_the_accept(people, shared):
    a, b, tasks = shared
    result = _preview(people, a, b)
    planning.task_update(
        actor=people["manager"], project_id=a.pk, task_id=tasks["PRJ-001"].pk, version=None,
        data={"duration": 4},
    )  # fmt: skip
    with pytest.raises(Conflict):
        services.leveling_accept_together(
            actor=people["pmo_analyst"],
            project_ids=[a.pk, b.pk],
            signature=result.signature,
            starts=result.starts,
            reason="r",
        )
    assert not LevelingRun.objects.exists()


def test_only_the_pmo_levels_projects_together_and_needs_two(people, shared):
    a, b, _ = shared
    with pytest.raises(Forbidden):
        services.leveling_preview_together(actor=people["manager"], project_ids=[a.pk, b.pk])
    with pytest.raises(ValidationFailed, match="at least two"):
        services.leveling_preview_together(actor=people["pmo_admin"], project_ids=[a.pk, a.pk])


ROLES = ["anonymous", "outsider", "client", "member", "sponsor", "manager", "pmo_analyst",
         "pmo_admin"]  # fmt: skip


def test_api_matrices_for_levelling_together(api_as, people, shared):
    a, b, tasks = shared
    url = "/api/v1/capacity/leveling"
    body = {"project_ids": [a.pk, b.pk], "priorities": {str(a.pk): 3}}
    got = [
        api_as(who).post(f"{url}/preview", body, content_type="application/json").status_code
        for who in ROLES
    ]
    assert got == [401, 403, 403, 403, 403, 403, 200, 200]
    answer = api_as("pmo_admin").post(f"{url}/preview", body, content_type="application/json")
    preview = answer.json()
    assert preview["project_ids"] == [a.pk, b.pk]
    assert [t["project"] for t in preview["tasks"] if t["moved"]] == ["PRJ-002"]
    got = []
    for who in ROLES:
        fresh = _preview(people, a, b, priorities={a.pk: 3})
        accept = {
            "project_ids": [a.pk, b.pk],
            "signature": fresh.signature,
            "starts": fresh.starts,
            "reason": "matrix",
        }
        got.append(
            api_as(who).post(f"{url}/runs", accept, content_type="application/json").status_code
        )
        for run in LevelingRun.objects.filter(cleared_at__isnull=True):
            services.leveling_clear(actor=people["pmo_admin"], project_id=run.project_id,
                                    run_id=run.pk)  # fmt: skip
    assert got == [401, 403, 403, 403, 403, 403, 201, 201]
    stale = {"project_ids": [a.pk, b.pk], "signature": "x", "starts": {}, "reason": "r"}
    response = api_as("pmo_admin").post(f"{url}/runs", stale, content_type="application/json")
    assert response.status_code == 409
    one = {"project_ids": [a.pk], "priorities": {}}
    response = api_as("pmo_admin").post(f"{url}/preview", one, content_type="application/json")
    assert response.status_code == 422
