"""Permission matrix of the planning API: every operation × every kind of person.

Same conventions as test_permissions.py: the plan is internal (clients and outsiders see
nothing, 404), managers and the PMO change it, the sponsor decides on it, and the
organisation's calendars are the PMO's to change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.planning import services

from .conftest import API
from .test_permissions import READ_ALL, READ_INTERNAL, ROLES, Ctx, check_case, edit

MONDAY = dt.date(2027, 3, 1)
PMO_ONLY = [401, 403, 403, 403, 403, 403, 403]


def _task(ctx: Ctx, name: str = "Design") -> int:
    return services.task_create(
        actor=ctx.people["manager"], project_id=ctx.project.pk, data={"name": name, "duration": 2}
    ).pk


def _two_tasks(ctx: Ctx) -> None:
    ctx.ids["a"], ctx.ids["b"] = _task(ctx, "A"), _task(ctx, "B")


def _link(ctx: Ctx) -> int:
    _two_tasks(ctx)
    return services.dependency_create(
        actor=ctx.people["manager"],
        project_id=ctx.project.pk,
        predecessor_id=ctx.ids["a"],
        successor_id=ctx.ids["b"],
    ).pk


def _baseline(ctx: Ctx) -> int:
    _task(ctx)
    return services.baseline_capture(
        actor=ctx.people["manager"], project_id=ctx.project.pk, name="Agreed"
    ).pk


def _submitted(ctx: Ctx) -> None:
    _task(ctx)
    services.plan_submit(actor=ctx.people["manager"], project_id=ctx.project.pk)


def _project_calendar(ctx: Ctx) -> int:
    return services.calendar_create(
        actor=ctx.people["manager"],
        name="Site",
        working_weekdays=[0, 1, 2, 3, 4],
        project_id=ctx.project.pk,
    ).pk


def _default_calendar(ctx: Ctx) -> int:
    return services.calendar_default().pk


def _holiday(calendar: Any) -> Any:
    def arrange(ctx: Ctx) -> int:
        return services.calendar_exception_add(
            actor=ctx.people["pmo_admin"], calendar_id=calendar(ctx), date=MONDAY, name="Holiday"
        ).pk

    return arrange


def _arranged(path: str) -> Any:
    return lambda c: f"{c.p}/{path}/{c.ids['arranged']}"


CALENDARS = f"{API}/calendars"
HOLIDAY = {"date": "2027-03-02", "name": "Closed"}

# operation (or operation:variant): (method, url(ctx), body(ctx) or None, arrange(ctx) or None,
#                                    expected codes in ROLES order)
MATRIX: dict[str, tuple[Any, ...]] = {
    "schedule_get": ("get", lambda c: f"{c.p}/schedule", None, None, READ_INTERNAL),
    "schedule_update": (
        "patch",
        lambda c: f"{c.p}/schedule",
        lambda c: {"version": 1, "start": "2027-03-01"},
        None,
        edit(200),
    ),
    "plan_submit": ("post", lambda c: f"{c.p}/schedule/submit", None, _task, edit(200)),
    "plan_decide": (
        "post",
        lambda c: f"{c.p}/schedule/decision",
        lambda c: {"decision": "approve"},
        _submitted,
        [401, 404, 404, 403, 403, 403, 200, 403, 403],
    ),
    "plan_import": (
        "post",
        lambda c: f"{c.p}/plan/import",
        lambda c: {"tasks": [{"key": "1", "name": "Only task"}]},
        None,
        edit(201),
    ),
    "gantt_get": ("get", lambda c: f"{c.p}/gantt", None, _link, READ_INTERNAL),
    "task_list": ("get", lambda c: f"{c.p}/tasks", None, _task, READ_INTERNAL),
    "task_create": (
        "post",
        lambda c: f"{c.p}/tasks",
        lambda c: {"name": "Build", "duration": 5},
        None,
        edit(201),
    ),
    "task_get": ("get", _arranged("tasks"), None, _task, READ_INTERNAL),
    "task_update": (
        "patch",
        _arranged("tasks"),
        lambda c: {"version": 1, "duration": 4},
        _task,
        edit(200),
    ),
    "task_delete": ("delete", _arranged("tasks"), None, _task, edit(204)),
    "dependency_list": ("get", lambda c: f"{c.p}/links", None, _link, READ_INTERNAL),
    "dependency_create": (
        "post",
        lambda c: f"{c.p}/links",
        lambda c: {"predecessor_id": c.ids["a"], "successor_id": c.ids["b"], "type": "SS"},
        _two_tasks,
        edit(201),
    ),
    "dependency_update": ("patch", _arranged("links"), lambda c: {"lag": 1}, _link, edit(200)),
    "dependency_delete": ("delete", _arranged("links"), None, _link, edit(204)),
    "baseline_list": ("get", lambda c: f"{c.p}/baselines", None, _baseline, READ_INTERNAL),
    "baseline_capture": (
        "post",
        lambda c: f"{c.p}/baselines",
        lambda c: {"name": "Agreed"},
        _task,
        edit(201),
    ),
    "baseline_set_current": (
        "post",
        lambda c: f"{c.p}/baselines/{c.ids['arranged']}/current",
        None,
        _baseline,
        edit(200),
    ),
    "baseline_delete": ("delete", _arranged("baselines"), None, _baseline, edit(204)),
    "plan_variance": ("get", lambda c: f"{c.p}/variance", None, _baseline, READ_INTERNAL),
    "calendar_list": ("get", lambda c: CALENDARS, None, None, READ_ALL),
    "calendar_list:project": (
        "get",
        lambda c: f"{CALENDARS}?project_id={c.project.pk}",
        None,
        _project_calendar,
        READ_INTERNAL,
    ),
    "calendar_create": (
        "post",
        lambda c: CALENDARS,
        lambda c: {"name": "Four-day week", "working_weekdays": [0, 1, 2, 3]},
        None,
        [*PMO_ONLY, 201, 201],
    ),
    "calendar_create:project": (
        "post",
        lambda c: CALENDARS,
        lambda c: {"name": "Site", "working_weekdays": [0, 1, 2, 3], "project_id": c.project.pk},
        None,
        edit(201),
    ),
    "calendar_exception_add": (
        "post",
        lambda c: f"{CALENDARS}/{c.ids['arranged']}/exceptions",
        lambda c: HOLIDAY,
        _default_calendar,
        [*PMO_ONLY, 201, 201],
    ),
    "calendar_exception_add:project": (
        "post",
        lambda c: f"{CALENDARS}/{c.ids['arranged']}/exceptions",
        lambda c: HOLIDAY,
        _project_calendar,
        edit(201),
    ),
    "calendar_exception_delete": (
        "delete",
        lambda c: f"{CALENDARS}/exceptions/{c.ids['arranged']}",
        None,
        _holiday(_default_calendar),
        [*PMO_ONLY, 204, 204],
    ),
    "calendar_exception_delete:project": (
        "delete",
        lambda c: f"{CALENDARS}/exceptions/{c.ids['arranged']}",
        None,
        _holiday(_project_calendar),
        edit(204),
    ),
}

CASES = [
    pytest.param(case, role, spec[4][i], id=f"{case}-{role}")
    for case, spec in MATRIX.items()
    for i, role in enumerate(ROLES)
]


def test_matrix_covers_every_planning_operation():
    from pmo.api.planning import router

    operations = {
        op.operation_id for view in router.path_operations.values() for op in view.operations
    }
    assert operations == {case.split(":")[0] for case in MATRIX}


@pytest.mark.parametrize(("case", "who", "expected"), CASES)
def test_planning_permission_matrix(
    case, who, expected, api_as, project, people, make_user, complete_charter
):
    ctx = Ctx(
        project=project, people=people, make_user=make_user, who=who, charter=complete_charter
    )
    check_case(MATRIX[case], ctx, api_as(who), expected)
