"""Levelling a project: preview in memory, accept with a reason (409 on a changed plan), clear."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo.core.audit import AuditEntry
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.engine.leveling import violations
from pmo.planning import services as planning
from pmo.planning.models import Task
from pmo.planning.services import plan_clock
from pmo.resources import services
from pmo.resources.adapters import leveling_inputs
from pmo.resources.leveling import plan_snapshot
from pmo.resources.models import LevelingRun

MONDAY = dt.date(2027, 3, 1)


def _assign(project, people, task, resource, units="1"):
    return services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": task.pk, "resource_id": resource.pk, "units": units},
    )


@pytest.fixture
def clash(project, people, tasks, pool):
    """Ada full time on Design and on Build in the same week: twice her capacity."""
    _assign(project, people, tasks["design"], pool["ada"])
    _assign(project, people, tasks["build"], pool["ada"])
    return tasks


def _preview(project, people, **kw):
    return services.leveling_preview(actor=people["manager"], project_id=project.pk, **kw)


def test_the_preview_delays_one_task_and_flattens_the_histogram(project, people, clash):
    before = list(Task.objects.values_list("pk", "version", "early_start", "constraint_type"))
    result = _preview(project, people)
    assert result.status == "optimal"
    assert [t.name for t in result.moved] == ["Build"]
    build = result.moved[0]
    assert (build.start, build.levelled_start) == (MONDAY, dt.date(2027, 3, 8))
    assert result.finish_before == dt.date(2027, 3, 5)
    assert result.finish_after == dt.date(2027, 3, 12)
    assert result.histogram.person == "Ada"
    assert (result.histogram.peak_before, result.histogram.peak_after) == (2.0, 1.0)
    assert (result.over_capacity_before, result.over_capacity_after) == (5, 0)
    assert result.problems == []
    # A preview writes nothing.
    assert list(Task.objects.values_list("pk", "version", "early_start", "constraint_type")) == (
        before
    )
    assert not LevelingRun.objects.exists()


def test_within_slack_cannot_fit_two_weeks_of_work_in_one(project, people, clash):
    result = _preview(project, people, within_slack=True)
    assert result.status == "infeasible"
    assert not result.acceptable
    assert "2027-03-05" in result.message or "finish" in result.message


def test_other_projects_and_days_off_are_fixed_loads(project, people, tasks, pool):
    from pmo.projects.services import project_create

    pm = people["manager"]
    other = project_create(actor=pm, code="PRJ-002", name="Billing", sponsor_id=None)
    planning.schedule_update(actor=pm, project_id=other.pk, version=None, data={"start": MONDAY})
    elsewhere = planning.task_create(
        actor=pm, project_id=other.pk, data={"name": "Migrate", "duration": 2}
    )
    services.assignment_create(
        actor=pm,
        project_id=other.pk,
        data={"task_id": elsewhere.pk, "resource_id": pool["ada"].pk},
    )
    services.resource_exception_create(
        actor=people["pmo_admin"],
        resource_id=pool["ada"].pk,
        data={"date": MONDAY + dt.timedelta(days=2), "hours": 0, "name": "Holiday"},
    )
    _assign(project, people, tasks["design"], pool["ada"])
    result = _preview(project, people)
    design = next(t for t in result.tasks if t.name == "Design")
    # Monday and Tuesday go to the other project, Wednesday is a holiday.
    assert design.levelled_start == MONDAY + dt.timedelta(days=3)
    assert result.histogram.before[:3] == [2.0, 2.0, 2.0]
    assert result.histogram.after[:5] == [1.0, 1.0, 1.0, 1.0, 1.0]


def test_accept_sets_start_no_earlier_than_audits_and_clear_restores(project, people, clash):
    pm = people["manager"]
    result = _preview(project, people)
    run = services.leveling_accept(
        actor=pm,
        project_id=project.pk,
        signature=result.signature,
        starts=result.starts,
        reason="Ada cannot do both at once",
    )
    build = Task.objects.get(pk=clash["build"].pk)
    assert (build.constraint_type, build.constraint_date) == ("SNET", dt.date(2027, 3, 8))
    assert build.early_start == dt.date(2027, 3, 8)
    assert run.moves[0]["previous_constraint_type"] == "ASAP"
    assert run.finish_after == dt.date(2027, 3, 12)
    assert AuditEntry.objects.filter(object_type="resources.levelingrun", note=run.reason).exists()
    # The plan is now level: a new preview moves nothing.
    assert _preview(project, people).moved == []
    services.leveling_clear(actor=pm, project_id=project.pk, run_id=run.pk)
    build.refresh_from_db()
    assert (build.constraint_type, build.constraint_date, build.early_start) == (
        "ASAP",
        None,
        MONDAY,
    )
    run.refresh_from_db()
    assert run.cleared_by == pm
    with pytest.raises(Conflict):
        services.leveling_clear(actor=pm, project_id=project.pk, run_id=run.pk)


def test_accept_is_refused_when_the_plan_changed_since_the_preview(project, people, clash):
    pm = people["manager"]
    result = _preview(project, people)
    planning.task_update(
        actor=pm, project_id=project.pk, task_id=clash["design"].pk, version=None,
        data={"duration": 4},
    )  # fmt: skip
    with pytest.raises(Conflict, match="changed since"):
        services.leveling_accept(
            actor=pm,
            project_id=project.pk,
            signature=result.signature,
            starts=result.starts,
            reason="r",
        )
    assert Task.objects.get(pk=clash["build"].pk).constraint_type == "ASAP"
    assert not LevelingRun.objects.exists()


@pytest.mark.parametrize(
    ("starts", "reason", "message"),
    [
        (None, "  ", "Say why"),
        ({"999999": "2027-03-08"}, "r", "not a task"),
        ("design-earlier", "r", "cannot start before"),
        ({}, "r", "delays no task"),
        ("bad-date", "r", "is not a date"),
    ],
)
def test_accept_refuses_bad_input_with_nothing_written(
    project, people, clash, starts, reason, message
):
    result = _preview(project, people)
    if starts is None:
        starts = result.starts
    elif starts == "design-earlier":
        starts = {str(clash["design"].pk): "2027-02-01"}
    elif starts == "bad-date":
        starts = {str(clash["build"].pk): "next week"}
    with pytest.raises(ValidationFailed, match=message):
        services.leveling_accept(
            actor=people["manager"],
            project_id=project.pk,
            signature=result.signature,
            starts=starts,
            reason=reason,
        )
    assert not Task.objects.filter(constraint_type="SNET").exists()


def test_only_those_who_edit_the_plan_level_it(project, people, clash):
    with pytest.raises(Forbidden):
        _preview(project, {"manager": people["member"]})
    with pytest.raises(NotFound):
        _preview(project, {"manager": people["client"]})
    with pytest.raises(NotFound):
        services.leveling_clear(actor=people["manager"], project_id=project.pk, run_id=12345)


def test_nothing_to_level_without_people_assigned(project, people, tasks):
    with pytest.raises(ValidationFailed, match="nothing to level"):
        _preview(project, people)


def test_the_preview_reads_in_a_constant_number_of_queries(project, people, clash, pool):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            _preview(project, people)
        return len(ctx)

    first = count()
    for i in range(5):
        task = planning.task_create(
            actor=people["manager"], project_id=project.pk, data={"name": f"T{i}", "duration": 2}
        )
        _assign(project, people, task, pool["ada"], units="0.5")
    assert count() == first


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from(["1", "0.5", "0.75"]), st.booleans()),
        min_size=2,
        max_size=6,
    )
)
def test_an_accepted_levelling_keeps_capacity_and_precedence(project, people, pool, data):
    """Through the adapters and the database: after accepting, the stored plan rescheduled by
    the CPM has no person over capacity and keeps every link."""
    pm = people["manager"]
    Task.objects.filter(project=project).delete()
    LevelingRun.objects.all().delete()
    planning.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    previous = None
    for i, (days, units, linked) in enumerate(data):
        task = planning.task_create(
            actor=pm, project_id=project.pk, data={"name": f"T{i}", "duration": days}
        )
        _assign(project, people, task, pool["ada"], units=units)
        if linked and previous is not None:
            planning.dependency_create(
                actor=pm,
                project_id=project.pk,
                predecessor_id=previous.pk,
                successor_id=task.pk,
            )
        previous = task
    result = _preview(project, people)
    if result.acceptable:
        services.leveling_accept(
            actor=pm,
            project_id=project.pk,
            signature=result.signature,
            starts=result.starts,
            reason="property",
        )
    snapshot = plan_snapshot(project)
    clock = plan_clock(snapshot.schedule)
    inputs = leveling_inputs(
        snapshot.tasks, snapshot.links, clock, snapshot.assignments, snapshot.elsewhere
    )
    leaves = [t for t in snapshot.tasks if not t.is_summary]
    offsets = clock.start_offsets([t.early_start for t in leaves])
    starts = {str(t.pk): o for t, o in zip(leaves, offsets, strict=True)}
    assert violations(inputs.network, starts, fixed_loads=inputs.fixed_loads) == []


def test_over_allocation_is_listed_per_day_and_per_week(project, people, clash):
    result = _preview(project, people)
    (ada,) = result.over_allocations
    assert ada.person == "Ada"
    assert [d for d, _ in ada.days] == [MONDAY + dt.timedelta(days=i) for i in range(5)]
    assert all(units == 2.0 for _, units in ada.days)
    assert ada.weeks == [("2027-W09", 10.0, 5.0)]


def test_accepting_reopens_an_approved_plan_while_planning(project, people, clash):
    from pmo.planning.models import PlanState, Schedule

    Schedule.objects.filter(project=project).update(plan_state=PlanState.APPROVED)
    result = _preview(project, people)
    services.leveling_accept(
        actor=people["manager"],
        project_id=project.pk,
        signature=result.signature,
        starts=result.starts,
        reason="r",
    )
    assert Schedule.objects.get(project=project).plan_state == PlanState.DRAFT


def test_a_submitted_plan_is_not_levelled(project, people, clash):
    from pmo.planning.models import PlanState, Schedule

    result = _preview(project, people)
    Schedule.objects.filter(project=project).update(plan_state=PlanState.SUBMITTED)
    with pytest.raises(Conflict, match="submitted"):
        services.leveling_accept(
            actor=people["manager"],
            project_id=project.pk,
            signature=result.signature,
            starts=result.starts,
            reason="r",
        )


def test_a_person_who_joins_later_is_not_there_before(project, people, tasks, pool):
    services.resource_update(
        actor=people["pmo_admin"],
        resource_id=pool["ada"].pk,
        version=None,
        data={"employed_from": MONDAY + dt.timedelta(days=7)},
    )
    _assign(project, people, tasks["design"], pool["ada"])
    design = next(t for t in _preview(project, people).tasks if t.name == "Design")
    assert design.levelled_start == MONDAY + dt.timedelta(days=7)
