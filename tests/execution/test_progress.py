"""Progress on tasks: who may enter it, what is refused, and how the plan reschedules from it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.execution import services
from pmo.planning.models import Task

pytestmark = pytest.mark.django_db

D = dt.date


def _progress(who: Any, plan: dict[str, Any], task: str = "design", **data: Any) -> Task:
    return services.progress_update(
        actor=who, project_id=plan["project"].pk, task_id=plan[task].pk, version=None, data=data
    )


def _status(pm: Any, plan: dict[str, Any], day: dt.date | None) -> Any:
    return services.status_date_set(
        actor=pm, project_id=plan["project"].pk, version=None, status_date=day
    )


def test_plan_before_progress(plan: dict[str, Any]) -> None:
    assert (plan["design"].early_start, plan["design"].early_finish) == (
        D(2026, 10, 5),
        D(2026, 10, 9),
    )
    assert (plan["build"].early_start, plan["build"].early_finish) == (
        D(2026, 10, 12),
        D(2026, 10, 23),
    )


def test_finished_task_keeps_its_actual_dates_and_moves_its_successor(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    # Design took seven working days, Mon 5 to Tue 13 October.
    design = _progress(
        people["member"], plan, actual_start=D(2026, 10, 5), actual_finish=D(2026, 10, 13)
    )
    assert design.percent_complete == 100
    assert (design.early_start, design.early_finish) == (D(2026, 10, 5), D(2026, 10, 13))
    build = Task.objects.get(pk=plan["build"].pk)
    assert (build.early_start, build.early_finish) == (D(2026, 10, 14), D(2026, 10, 27))


def test_in_progress_task_runs_its_remaining_duration_after_the_status_date(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    pm = people["manager"]
    _progress(pm, plan, actual_start=D(2026, 10, 5), actual_finish=D(2026, 10, 9))
    # Build started on time, is 30 % done; status date Friday 16 October: 4 days remain
    # (given explicitly), so Build finishes Thursday 22 October.
    _status(pm, plan, D(2026, 10, 16))
    build = _progress(
        pm, plan, "build", percent_complete=30, actual_start=D(2026, 10, 12), remaining_duration=4
    )
    assert (build.early_start, build.early_finish) == (D(2026, 10, 12), D(2026, 10, 22))
    # Without a remaining duration, the duration not done: 10 × 70 % = 7 days after the 16th.
    build = _progress(pm, plan, "build", remaining_duration=None)
    assert build.early_finish == D(2026, 10, 27)


def test_unstarted_task_does_not_start_before_the_status_date(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    schedule = _status(people["manager"], plan, D(2026, 10, 20))
    design = Task.objects.get(pk=plan["design"].pk)
    build = Task.objects.get(pk=plan["build"].pk)
    assert design.early_start == D(2026, 10, 21)
    assert build.early_start == D(2026, 10, 28)
    assert schedule.finish == build.early_finish == D(2026, 11, 10)
    # Clearing the status date brings the plan back.
    _status(people["manager"], plan, None)
    assert Task.objects.get(pk=plan["build"].pk).early_finish == D(2026, 10, 23)


def test_hundred_percent_finishes_today_and_a_percent_starts_today(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    design = _progress(people["member"], plan, percent_complete=40, actual_start=D(2026, 10, 5))
    assert design.actual_finish is None
    build = _progress(people["manager"], plan, "build", percent_complete=100)
    assert (build.actual_start, build.actual_finish) == (today, today)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"actual_start": D(2026, 10, 9), "actual_finish": D(2026, 10, 7)},
            "The actual finish (2026-10-07) is before the actual start (2026-10-09).",
        ),
        (
            {"actual_start": D(2099, 1, 1)},
            "The actual start (2099-01-01) is in the future; actual dates are today or earlier.",
        ),
        (
            {"actual_start": D(2026, 9, 1)},
            "The actual start (2026-09-01) is before the plan's start (2026-10-05); "
            "move the plan first.",
        ),
        (
            {"percent_complete": 100, "actual_start": D(2026, 10, 5), "actual_finish": None},
            "A task 100 % complete needs its actual finish.",
        ),
        (
            {
                "percent_complete": 50,
                "actual_start": D(2026, 10, 5),
                "actual_finish": D(2026, 10, 9),
            },
            "A task with an actual finish is 100 % complete; set % complete to 100.",
        ),
        ({"actual_finish": D(2026, 10, 9)}, "Give the actual start as well as the actual finish."),
        (
            {"percent_complete": 150},
            "percent_complete: Ensure this value is less than or equal to 100.",
        ),
        ({"early_start": D(2026, 10, 9)}, "These fields cannot be changed here: early_start."),
    ],
)
def test_contradictory_progress_is_refused_with_nothing_written(
    plan: dict[str, Any], people: dict[str, Any], data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _progress(people["manager"], plan, **data)
    assert exc.value.message == message
    design = Task.objects.get(pk=plan["design"].pk)
    assert (design.percent_complete, design.actual_start, design.actual_finish) == (0, None, None)


def test_a_team_member_updates_only_their_own_tasks(
    plan: dict[str, Any], people: dict[str, Any], make_user: Any
) -> None:
    from pmo.projects.models import ProjectRole
    from pmo.projects.services import member_add

    other = make_user(username="bob")
    member_add(
        actor=people["manager"],
        project_id=plan["project"].pk,
        user_id=other.pk,
        role=ProjectRole.MEMBER,
    )
    with pytest.raises(Forbidden) as exc:
        _progress(other, plan, percent_complete=10, actual_start=D(2026, 10, 5))
    assert exc.value.message == (
        "You may update only the tasks you are assigned to; 'Design' is not one of them."
    )
    for who in ("viewer", "sponsor"):
        with pytest.raises(Forbidden):
            _progress(people[who], plan, percent_complete=10, actual_start=D(2026, 10, 5))
    for who in ("client", "outsider"):
        with pytest.raises(NotFound):
            _progress(people[who], plan, percent_complete=10, actual_start=D(2026, 10, 5))
    with pytest.raises(Forbidden):
        _status(people["member"], plan, D(2026, 10, 9))


def test_stale_version_is_a_conflict(plan: dict[str, Any], people: dict[str, Any]) -> None:
    version = plan["design"].version
    _progress(people["member"], plan, percent_complete=20, actual_start=D(2026, 10, 5))
    with pytest.raises(Conflict):
        services.progress_update(
            actor=people["manager"],
            project_id=plan["project"].pk,
            task_id=plan["design"].pk,
            version=version,
            data={"percent_complete": 50},
        )


def test_comments_on_a_task(plan: dict[str, Any], people: dict[str, Any]) -> None:
    comment = services.comment_add(
        actor=people["member"],
        project_id=plan["project"].pk,
        task_id=plan["design"].pk,
        body="  Waiting for the API spec. ",
    )
    assert comment.body == "Waiting for the API spec."
    with pytest.raises(ValidationFailed):
        services.comment_add(
            actor=people["member"],
            project_id=plan["project"].pk,
            task_id=plan["design"].pk,
            body="  ",
        )
    with pytest.raises(Forbidden):
        services.comment_add(
            actor=people["viewer"],
            project_id=plan["project"].pk,
            task_id=plan["design"].pk,
            body="x",
        )


def test_progress_view_rolls_up_and_compares_with_the_baseline(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    from pmo.execution import selectors
    from pmo.planning import services as planning

    pm = people["manager"]
    planning.baseline_capture(actor=pm, project_id=plan["project"].pk, name="Approved plan")
    _progress(pm, plan, actual_start=D(2026, 10, 5), actual_finish=D(2026, 10, 13))
    _status(pm, plan, D(2026, 10, 16))
    view = selectors.progress_view(actor=pm, project=plan["project"])
    rows = {r.task.name: r for r in view.rows}
    assert rows["Design"].finish_variance == 4  # Tue 13 instead of Fri 9 October
    assert rows["Build"].status == "not started"
    # Design (5 days) done, Build (10 days) not: 5 / 15 of the work.
    assert view.percent_complete == 33.3
    # The baseline expected Design, and Build's first 5 of its 12 calendar days, by Friday 16
    # October: (5 + 10 × 5 / 12) / 15.
    assert view.planned_percent == 61.1
    assert view.chart["actual"][0] == [0, 9]


def test_progress_on_several_tasks_reschedules_once_and_is_all_or_nothing(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    pm, project = people["manager"], plan["project"]
    design, build = services.progress_update_many(
        actor=pm,
        project_id=project.pk,
        updates=[
            {
                "task_id": plan["design"].pk,
                "data": {"actual_start": D(2026, 10, 5), "actual_finish": D(2026, 10, 13)},
            },
            {"task_id": plan["build"].pk, "data": {"actual_start": D(2026, 10, 14)}},
        ],
    )
    assert (design.percent_complete, design.early_finish) == (100, D(2026, 10, 13))
    assert build.actual_start == D(2026, 10, 14)
    # one refused update refuses the others with it
    with pytest.raises(ValidationFailed):
        services.progress_update_many(
            actor=pm,
            project_id=project.pk,
            updates=[
                {"task_id": plan["build"].pk, "data": {"percent_complete": 40}},
                {"task_id": plan["design"].pk, "data": {"actual_finish": D(2026, 10, 1)}},
            ],
        )
    assert Task.objects.get(pk=plan["build"].pk).percent_complete == 0
