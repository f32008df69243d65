"""The plan in the app: every change reschedules through the engine, on working days."""

import datetime as dt

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.planning import services
from pmo.planning.models import Dependency, PlanState, Task
from pmo.planning.selectors import gantt_data, plan_variance

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture
def plan(project, people):
    """Design (3d) → Build (5d) → Go-live (milestone), and Docs (2d) beside Build."""
    pm = people["manager"]
    services.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})

    def add(name, duration, **kw):
        return services.task_create(
            actor=pm, project_id=project.pk, data={"name": name, "duration": duration, **kw}
        )

    tasks = {
        "design": add("Design", 3),
        "build": add("Build", 5),
        "docs": add("Docs", 2),
        "golive": add("Go-live", 0),
    }
    link = services.dependency_create
    link(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["design"].pk,
        successor_id=tasks["build"].pk,
    )
    link(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["design"].pk,
        successor_id=tasks["docs"].pk,
    )
    link(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["build"].pk,
        successor_id=tasks["golive"].pk,
    )
    link(
        actor=pm,
        project_id=project.pk,
        predecessor_id=tasks["docs"].pk,
        successor_id=tasks["golive"].pk,
    )
    return {k: Task.objects.get(pk=t.pk) for k, t in tasks.items()}


def test_tasks_are_scheduled_on_working_days_with_the_critical_path(plan, project):
    design, build, docs, golive = (plan[k] for k in ("design", "build", "docs", "golive"))
    assert (design.early_start, design.early_finish) == (MONDAY, dt.date(2027, 3, 3))
    # Build starts Thursday and, skipping the weekend, ends the next Wednesday
    assert (build.early_start, build.early_finish) == (dt.date(2027, 3, 4), dt.date(2027, 3, 10))
    assert golive.early_start == golive.early_finish == dt.date(2027, 3, 10)
    assert [design.is_critical, build.is_critical, docs.is_critical, golive.is_critical] == [
        True,
        True,
        False,
        True,
    ]
    assert (docs.total_float, docs.free_float) == (3, 3)
    assert project.schedule.finish == dt.date(2027, 3, 10)
    assert project.schedule.duration == 8


def test_a_holiday_moves_the_work(plan, project, people):
    calendar = project.schedule.calendar
    services.calendar_exception_add(
        actor=people["pmo_admin"],
        calendar_id=calendar.pk,
        date=dt.date(2027, 3, 2),
        name="Founders' day",
    )
    design = Task.objects.get(pk=plan["design"].pk)
    assert design.early_finish == dt.date(2027, 3, 4)


def test_only_the_pmo_changes_the_default_calendar(plan, project, people):
    with pytest.raises(Forbidden, match="Only the PMO"):
        services.calendar_exception_add(
            actor=people["manager"],
            calendar_id=project.schedule.calendar_id,
            date=dt.date(2027, 3, 2),
            name="x",
        )


def test_a_cycle_is_refused_by_name_and_nothing_is_written(plan, project, people):
    with pytest.raises(ValidationFailed) as exc:
        services.dependency_create(
            actor=people["manager"],
            project_id=project.pk,
            predecessor_id=plan["golive"].pk,
            successor_id=plan["design"].pk,
        )
    assert exc.value.message.startswith("This change would make a loop of dependencies: ")
    assert "'Design'" in exc.value.message and "'Go-live'" in exc.value.message
    assert Dependency.objects.filter(project=project).count() == 4


def test_summary_tasks_roll_up_and_get_outline_numbers(plan, project, people):
    pm = people["manager"]
    phase = services.task_create(
        actor=pm, project_id=project.pk, data={"name": "Delivery", "duration": 0, "position": 5}
    )
    for key in ("build", "docs"):
        services.task_update(
            actor=pm,
            project_id=project.pk,
            task_id=plan[key].pk,
            version=None,
            data={"parent_id": phase.pk},
        )
    phase.refresh_from_db()
    assert phase.is_summary and phase.wbs == "2"
    assert [t.wbs for t in Task.objects.filter(parent=phase).order_by("position")] == ["2.1", "2.2"]
    assert (phase.early_start, phase.early_finish) == (dt.date(2027, 3, 4), dt.date(2027, 3, 10))


def test_a_task_cannot_be_put_under_its_own_subtask(plan, project, people):
    pm = people["manager"]
    with pytest.raises(ValidationFailed, match="'Design' cannot be linked to 'Build': one is a"):
        services.task_update(
            actor=pm,
            project_id=project.pk,
            task_id=plan["build"].pk,
            version=None,
            data={"parent_id": plan["design"].pk},
        )
    phase = services.task_create(actor=pm, project_id=project.pk, data={"name": "P", "duration": 0})
    step = services.task_create(
        actor=pm, project_id=project.pk, data={"name": "S", "duration": 1, "parent_id": phase.pk}
    )
    with pytest.raises(ValidationFailed, match="under itself"):
        services.task_update(
            actor=pm,
            project_id=project.pk,
            task_id=phase.pk,
            version=None,
            data={"parent_id": step.pk},
        )
    with pytest.raises(ValidationFailed, match="one is a summary of the other"):
        services.dependency_create(
            actor=pm, project_id=project.pk, predecessor_id=phase.pk, successor_id=step.pk
        )


def test_constraints_and_lags(plan, project, people):
    pm = people["manager"]
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=plan["docs"].pk,
        version=None,
        data={"constraint_type": "SNET", "constraint_date": dt.date(2027, 3, 15)},
    )
    docs = Task.objects.get(pk=plan["docs"].pk)
    assert docs.early_start == dt.date(2027, 3, 15)
    with pytest.raises(ValidationFailed, match="'Must start on' needs a date"):
        services.task_update(
            actor=pm,
            project_id=project.pk,
            task_id=plan["docs"].pk,
            version=None,
            data={"constraint_type": "MSO", "constraint_date": None},
        )
    link = Dependency.objects.get(predecessor=plan["design"], successor=plan["build"])
    services.dependency_update(
        actor=pm, project_id=project.pk, dependency_id=link.pk, data={"lag": 2}
    )
    assert Task.objects.get(pk=plan["build"].pk).early_start == dt.date(2027, 3, 8)


def test_stale_task_edit_is_refused(plan, project, people):
    task = plan["build"]
    services.task_update(
        actor=people["manager"],
        project_id=project.pk,
        task_id=task.pk,
        version=task.version,
        data={"duration": 6},
    )
    with pytest.raises(Conflict):
        services.task_update(
            actor=people["manager"],
            project_id=project.pk,
            task_id=task.pk,
            version=task.version,
            data={"duration": 7},
        )
    assert Task.objects.get(pk=task.pk).duration == 6


def test_members_read_the_plan_but_only_editors_change_it(plan, project, people):
    with pytest.raises(Forbidden):
        services.task_create(
            actor=people["member"], project_id=project.pk, data={"name": "x", "duration": 1}
        )
    with pytest.raises(NotFound):
        gantt_data(actor=people["client"], project=project)
    assert len(gantt_data(actor=people["member"], project=project)["tasks"]) == 4


def test_baseline_and_variance(plan, project, people):
    pm = people["manager"]
    baseline = services.baseline_capture(actor=pm, project_id=project.pk, name="Initial")
    assert (baseline.number, baseline.is_current) == (0, True)
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=plan["design"].pk,
        version=None,
        data={"duration": 5},
    )
    _, rows = plan_variance(actor=pm, project=project)
    by_name = {r.task.name: r for r in rows}
    assert (by_name["Design"].start_days, by_name["Design"].finish_days) == (0, 2)
    assert by_name["Design"].duration_days == 2
    assert (by_name["Build"].start_days, by_name["Build"].finish_days) == (2, 2)
    assert gantt_data(actor=pm, project=project)["tasks"][1]["baseline_start"] == "2027-03-04"


def test_at_most_eleven_baselines(plan, project, people):
    for n in range(11):
        services.baseline_capture(actor=people["manager"], project_id=project.pk, name=f"B{n}")
    with pytest.raises(ValidationFailed, match="All 11 baselines are in use"):
        services.baseline_capture(actor=people["manager"], project_id=project.pk, name="B12")
    again = services.baseline_capture(
        actor=people["manager"], project_id=project.pk, name="Re-plan", number=3
    )
    assert again.number == 3 and again.is_current


def test_plan_approval_captures_a_baseline(plan, project, people):
    pm, sponsor = people["manager"], people["sponsor"]
    schedule = services.plan_submit(actor=pm, project_id=project.pk)
    assert schedule.plan_state == PlanState.SUBMITTED
    with pytest.raises(Conflict, match="submitted for approval"):
        services.task_create(actor=pm, project_id=project.pk, data={"name": "x", "duration": 1})
    with pytest.raises(Forbidden):
        services.plan_decide(actor=pm, project_id=project.pk, decision="approve")
    schedule = services.plan_decide(actor=sponsor, project_id=project.pk, decision="approve")
    assert schedule.plan_state == PlanState.APPROVED
    assert project.baselines.get().name.startswith("Approved plan")


def test_gantt_data_costs_a_constant_number_of_queries(
    project, people, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pm = people["manager"]
    counts = []
    for _ in range(2):
        for i in range(5):
            services.task_create(
                actor=pm, project_id=project.pk, data={"name": f"T{i}", "duration": 1}
            )
        with CaptureQueriesContext(connection) as ctx:
            gantt_data(actor=pm, project=project)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_task_on_its_own_calendar_works_its_own_week(project, people):
    """A weekend crew (seven-day calendar) finishes its two days on Saturday, not Monday."""
    pm = people["manager"]
    services.schedule_update(actor=pm, project_id=project.pk, version=None, data={"start": MONDAY})
    crew = services.calendar_create(
        actor=pm, name="Weekend crew", working_weekdays=list(range(7)), project_id=project.pk
    )

    def add(name, duration, **kw):
        return services.task_create(
            actor=pm, project_id=project.pk, data={"name": name, "duration": duration, **kw}
        )

    prepare, install, handover = add("Prepare", 4), add("Install", 2), add("Hand over", 1)
    for a, b in ((prepare, install), (install, handover)):
        services.dependency_create(
            actor=pm, project_id=project.pk, predecessor_id=a.pk, successor_id=b.pk
        )
    assert Task.objects.get(pk=handover.pk).early_start == dt.date(2027, 3, 9)  # Tuesday
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=install.pk,
        version=None,
        data={"calendar_id": crew.pk},
    )
    install, handover = Task.objects.get(pk=install.pk), Task.objects.get(pk=handover.pk)
    assert (install.early_start, install.early_finish) == (dt.date(2027, 3, 5), dt.date(2027, 3, 6))
    assert handover.early_start == handover.early_finish == dt.date(2027, 3, 8)  # Monday
    assert project.schedule.finish == dt.date(2027, 3, 8)
    # the crew also works Sunday: it could start and finish a day later (so could Prepare)
    # without delaying the hand-over
    assert (install.total_float, install.is_critical) == (1, False)
    assert Task.objects.get(pk=prepare.pk).total_float == 1
    assert handover.is_critical


def test_a_task_calendar_of_another_project_is_refused(project, people, make_user):
    pm = people["manager"]
    other = services.calendar_create(
        actor=people["pmo_admin"],
        name="Other",
        working_weekdays=[0, 1, 2],
        project_id=project_create_other(people).pk,
    )
    task = services.task_create(actor=pm, project_id=project.pk, data={"name": "T", "duration": 1})
    with pytest.raises(ValidationFailed, match=f"Calendar {other.pk} not found."):
        services.task_update(
            actor=pm,
            project_id=project.pk,
            task_id=task.pk,
            version=None,
            data={"calendar_id": other.pk},
        )


def project_create_other(people):
    from pmo.projects.services import project_create

    return project_create(actor=people["pmo_admin"], code="OTHER-1", name="Other")


def test_changing_an_approved_plan_reopens_it_only_while_planning(plan, project, people):
    from pmo.projects.models import Project

    pm, sponsor = people["manager"], people["sponsor"]
    services.plan_submit(actor=pm, project_id=project.pk)
    services.plan_decide(actor=sponsor, project_id=project.pk, decision="approve")
    Project.objects.filter(pk=project.pk).update(stage="execution")
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=plan["docs"].pk,
        version=None,
        data={"duration": 4},
    )
    project.schedule.refresh_from_db()
    assert project.schedule.plan_state == PlanState.APPROVED
    Project.objects.filter(pk=project.pk).update(stage="planning")
    services.task_update(
        actor=pm,
        project_id=project.pk,
        task_id=plan["docs"].pk,
        version=None,
        data={"duration": 5},
    )
    project.schedule.refresh_from_db()
    assert project.schedule.plan_state == PlanState.DRAFT
