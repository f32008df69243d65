"""Timesheets: booking on one's own assignments, submit, approve or return per project, locks,
corrections; and the actual cost from approved hours at the rate in force each day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.execution import selectors, services
from pmo.execution.models import LineState, TimesheetLine

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 10, 12)  # Monday; the rate changes from 80 to 90 on the 19th
NEXT = dt.date(2026, 10, 19)
EIGHT = [8, 8, 8, 8, 8, 0, 0]


def _save(who: Any, lines: list[dict[str, Any]], week: dt.date = WEEK) -> Any:
    return services.timesheet_save(actor=who, week_start=week, version=None, lines=lines)


def _week(plan: dict[str, Any], people: dict[str, Any], week: dt.date = WEEK) -> Any:
    member = people["member"]
    sheet = _save(
        member,
        [
            {"task_id": plan["build"].pk, "hours": [6, 6, 6, 6, 6, 0, 0]},
            {"category": "admin", "hours": [2, 2, 2, 2, 2, 0, 0]},
        ],
        week,
    )
    return services.timesheet_submit(actor=member, timesheet_id=sheet.pk, version=None)


def test_grid_offers_assignments_and_non_project_time(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    grid = selectors.timesheet_grid(actor=people["member"], week_start=WEEK)
    assert [r.label for r in grid.rows] == ["Design", "Build", "Admin", "Leave", "Training"]
    assert grid.state == "empty"
    # Reading a week writes nothing; the first save creates it.
    from pmo.execution.models import Timesheet

    assert (grid.sheet.pk, grid.sheet.version, Timesheet.objects.count()) == (None, 0, 0)
    sheet = services.timesheet_save(
        actor=people["member"],
        week_start=WEEK,
        version=0,
        lines=[{"category": "training", "hours": [0, 0, 4, 0, 0, 0, 0]}],
    )
    with pytest.raises(Conflict):  # a second tab that read the empty week
        services.timesheet_save(actor=people["member"], week_start=WEEK, version=0, lines=[])
    assert sheet.version == 2


def test_submit_then_the_pm_approves_and_the_line_is_locked(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    sheet = _week(plan, people)
    lines = {ln.category: ln for ln in sheet.lines.all()}
    assert lines["project"].state == LineState.SUBMITTED
    assert lines["admin"].state == LineState.APPROVED  # non-project time is accepted on submit
    queue = selectors.approval_queue(actor=people["manager"])
    assert [(a.sheet.pk, a.total) for a in queue] == [(sheet.pk, 30.0)]
    with pytest.raises(Conflict) as exc:
        _save(people["member"], [{"task_id": plan["build"].pk, "hours": EIGHT}])
    assert exc.value.message == (
        "The submitted line for 'Build' cannot change; wait for the PM's decision."
    )
    services.timesheet_decide(
        actor=people["manager"],
        timesheet_id=sheet.pk,
        project_id=plan["project"].pk,
        decision="approve",
    )
    assert selectors.approval_queue(actor=people["manager"]) == []
    with pytest.raises(Conflict) as exc:
        _save(people["member"], [{"task_id": plan["build"].pk, "hours": EIGHT}])
    assert "record a correction instead" in exc.value.message
    grid = selectors.timesheet_grid(actor=people["member"], week_start=WEEK)
    build = next(r for r in grid.rows if r.label == "Build")
    assert (grid.state, build.editable, build.hours) == ("approved", False, [6, 6, 6, 6, 6, 0, 0])


def test_return_needs_a_comment_and_reopens_the_line(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    sheet = _week(plan, people)
    decide = {
        "actor": people["manager"],
        "timesheet_id": sheet.pk,
        "project_id": plan["project"].pk,
    }
    with pytest.raises(ValidationFailed) as exc:
        services.timesheet_decide(**decide, decision="return", comment=" ")
    assert exc.value.message == "Say what must change when returning a timesheet."
    services.timesheet_decide(**decide, decision="return", comment="Build was on hold Friday.")
    line = TimesheetLine.objects.get(timesheet=sheet, category="project")
    assert (line.state, line.comment) == (LineState.RETURNED, "Build was on hold Friday.")
    _save(
        people["member"],
        [
            {"task_id": plan["build"].pk, "hours": [6, 6, 6, 6, 0, 0, 0]},
            {"category": "admin", "hours": [2, 2, 2, 2, 2, 0, 0]},
        ],
    )
    services.timesheet_submit(actor=people["member"], timesheet_id=sheet.pk, version=None)
    services.timesheet_decide(**decide, decision="approve", comment="")
    with pytest.raises(Conflict) as exc:
        services.timesheet_decide(**decide, decision="approve", comment="")
    assert exc.value.message == "No submitted lines of project PRJ-001 in this timesheet to decide."


def test_who_decides(plan: dict[str, Any], people: dict[str, Any]) -> None:
    sheet = _week(plan, people)
    for who, error in (("member", Forbidden), ("sponsor", Forbidden), ("outsider", NotFound)):
        with pytest.raises(error):
            services.timesheet_decide(
                actor=people[who],
                timesheet_id=sheet.pk,
                project_id=plan["project"].pk,
                decision="approve",
            )
    with pytest.raises(Forbidden) as exc:
        services.timesheet_submit(actor=people["manager"], timesheet_id=sheet.pk, version=None)
    assert exc.value.message == "Only Member Tester edits this timesheet."


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"task_id": 0, "hours": EIGHT}], "Project time names the task it was spent on."),
        (
            [{"category": "leave", "hours": [8] * 6}],
            "Give hours for the seven days, Monday to Sunday.",
        ),
        (
            [{"category": "leave", "hours": [25, 0, 0, 0, 0, 0, 0]}],
            "Hours on a day are between 0 and 24; Mon 12 Oct has 25.",
        ),
        (
            [{"category": "lunch", "hours": EIGHT}],
            "Unknown time category 'lunch'; use one of: project, admin, leave, training.",
        ),
        (
            [
                {"category": "leave", "hours": [16, 0, 0, 0, 0, 0, 0]},
                {"category": "admin", "hours": [9, 0, 0, 0, 0, 0, 0]},
            ],
            "Mon 12 Oct has 25.0 hours in all; a day has at most 24.",
        ),
    ],
)
def test_bad_hours_are_refused(
    plan: dict[str, Any], people: dict[str, Any], lines: list[Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _save(people["member"], lines)
    assert exc.value.message == message
    assert not TimesheetLine.objects.exists()


def test_time_only_on_ones_own_assignments(plan: dict[str, Any], people: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _save(people["manager"], [{"task_id": plan["build"].pk, "hours": EIGHT}])
    assert exc.value.message == (
        "You are not in the resource pool; ask the PMO to add you before booking time."
    )


def test_actual_labour_cost_uses_the_rate_in_force_each_day(
    plan: dict[str, Any], people: dict[str, Any]
) -> None:
    pm = people["manager"]
    for week in (WEEK, NEXT):
        sheet = _week(plan, people, week)
        services.timesheet_decide(
            actor=pm, timesheet_id=sheet.pk, project_id=plan["project"].pk, decision="approve"
        )
    summary = selectors.budget_vs_actual(actor=pm, project=plan["project"])
    # 30 h at 80 + 30 h at 90; admin time costs the project nothing.
    assert summary.labour_cost == Decimal("5100.00")
    assert summary.labour_hours == Decimal(60)


def test_a_correction_is_a_new_audited_line(plan: dict[str, Any], people: dict[str, Any]) -> None:
    from pmo.core.models import AuditEntry

    pm, member = people["manager"], people["member"]
    sheet = _week(plan, people)
    services.timesheet_decide(
        actor=pm, timesheet_id=sheet.pk, project_id=plan["project"].pk, decision="approve"
    )
    line = TimesheetLine.objects.get(timesheet=sheet, category="project")
    with pytest.raises(ValidationFailed):
        services.timesheet_correct(actor=member, line_id=line.pk, hours=EIGHT, reason="")
    fix = services.timesheet_correct(
        actor=member, line_id=line.pk, hours=[6, 6, 6, 6, 8, 0, 0], reason="Forgot Friday's call"
    )
    assert (fix.hours, fix.state, fix.corrects_id) == (
        [0, 0, 0, 0, 2.0, 0, 0],
        "submitted",
        line.pk,
    )
    line.refresh_from_db()
    assert line.hours == [6, 6, 6, 6, 6, 0, 0]
    assert AuditEntry.objects.filter(
        object_type="execution.timesheetline", object_id=str(fix.pk)
    ).exists()
    services.timesheet_decide(
        actor=pm, timesheet_id=sheet.pk, project_id=plan["project"].pk, decision="approve"
    )
    summary = selectors.budget_vs_actual(actor=pm, project=plan["project"])
    assert summary.labour_cost == Decimal("2560.00")  # 32 h at 80


def test_costs_and_budget_vs_actual(plan: dict[str, Any], people: dict[str, Any]) -> None:
    from pmo.controls import services as controls

    pm = people["manager"]
    project = plan["project"]
    controls.budget_line_create(
        actor=pm,
        project_id=project.pk,
        data={"category": "contracts", "period": dt.date(2026, 10, 1), "amount": 1000},
    )
    services.cost_create(
        actor=pm,
        project_id=project.pk,
        data={
            "kind": "invoice",
            "category": "contracts",
            "date": dt.date(2026, 10, 20),
            "amount": Decimal("1200.50"),
            "vendor": "Acme",
            "description": "Hosting setup",
        },
    )
    with pytest.raises(ValidationFailed) as exc:
        services.cost_create(
            actor=pm,
            project_id=project.pk,
            data={
                "category": "other",
                "date": dt.date(2099, 1, 1),
                "amount": 1,
                "description": "x",
            },
        )
    assert exc.value.message == (
        "The cost's date (2099-01-01) is in the future; record costs once incurred."
    )
    with pytest.raises(Forbidden):
        services.cost_create(
            actor=people["member"],
            project_id=project.pk,
            data={
                "category": "other",
                "date": dt.date(2026, 10, 1),
                "amount": 1,
                "description": "x",
            },
        )
    summary = selectors.budget_vs_actual(actor=pm, project=project)
    row = next(r for r in summary.rows if r.category == "contracts")
    assert (row.period, row.budget, row.actual, row.variance) == (
        dt.date(2026, 10, 1),
        Decimal(1000),
        Decimal("1200.50"),
        Decimal("-200.50"),
    )


def test_a_week_on_two_projects_is_approved_by_each_pm_for_their_lines(
    plan: dict[str, Any], people: dict[str, Any], make_user: Any
) -> None:
    from pmo.planning import services as planning
    from pmo.projects.models import ProjectRole
    from pmo.projects.services import member_add, project_create
    from pmo.resources import services as resources

    other_pm = make_user("project_manager", username="olga")
    other = project_create(
        actor=other_pm, code="PRJ-002", name="Data platform", sponsor_id=people["sponsor"].pk
    )
    member_add(
        actor=other_pm, project_id=other.pk, user_id=people["member"].pk, role=ProjectRole.MEMBER
    )
    planning.schedule_update(
        actor=other_pm, project_id=other.pk, version=None, data={"start": WEEK}
    )
    load = planning.task_create(
        actor=other_pm, project_id=other.pk, data={"name": "Load", "duration": 5}
    )
    resources.assignment_create(
        actor=other_pm,
        project_id=other.pk,
        data={"task_id": load.pk, "resource_id": plan["ada"].pk},
    )
    member = people["member"]
    sheet = _save(
        member,
        [
            {"task_id": plan["build"].pk, "hours": [4, 4, 4, 4, 4, 0, 0]},
            {"task_id": load.pk, "hours": [4, 4, 4, 4, 4, 0, 0]},
        ],
    )
    services.timesheet_submit(actor=member, timesheet_id=sheet.pk, version=None)
    assert [a.project.code for a in selectors.approval_queue(actor=people["manager"])] == [
        "PRJ-001"
    ]
    assert [a.project.code for a in selectors.approval_queue(actor=other_pm)] == ["PRJ-002"]
    # A PM cannot decide another project's lines (a project they do not see: not found).
    with pytest.raises(NotFound):
        services.timesheet_decide(
            actor=people["manager"],
            timesheet_id=sheet.pk,
            project_id=other.pk,
            decision="approve",
        )
    services.timesheet_decide(
        actor=people["manager"],
        timesheet_id=sheet.pk,
        project_id=plan["project"].pk,
        decision="approve",
    )
    grid = selectors.timesheet_grid(actor=member, week_start=WEEK)
    assert grid.state == "submitted"  # PRJ-002's lines still wait
    services.timesheet_decide(
        actor=other_pm, timesheet_id=sheet.pk, project_id=other.pk, decision="approve"
    )
    grid = selectors.timesheet_grid(actor=member, week_start=WEEK)
    assert grid.state == "approved"
