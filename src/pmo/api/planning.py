"""A project's plan over the API: schedule and approval, tasks, links, the Gantt data, baselines
and variance, whole-plan import, and working calendars.

Each operation translates: it parses, calls one service or selector (after the `access_project`
gatekeeper where a project is involved) and shapes the answer. Every write reschedules the plan
inside pmo.planning.services; a change the network cannot take (a cycle) answers 422.
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.pagination import paginate

from pmo.core.errors import NotFound
from pmo.planning import selectors, services
from pmo.planning.selectors import TaskVariance
from pmo.projects.models import Project
from pmo.projects.policies import access_project, require_internal

from .pagination import Pagination
from .planning_schemas import (
    BaselineIn,
    BaselineOut,
    CalendarExceptionIn,
    CalendarExceptionOut,
    CalendarIn,
    CalendarOut,
    DependencyIn,
    DependencyOut,
    DependencyPatch,
    GanttOut,
    PlanDecisionIn,
    PlanImportIn,
    ScheduleOut,
    SchedulePatch,
    TaskIn,
    TaskOut,
    TaskPatch,
    VarianceOut,
)
from .schemas import PathId, QueryId, patch_data, problems

# Mounted at the API's root: the plan hangs off /projects/{id}/, calendars live at /calendars.
router = Router(tags=["schedule"])

PLAN = "/projects/{project_id}"
WRITE = problems(403, 404, 422)


def _project(request: HttpRequest, project_id: int) -> Project:
    return access_project(request.auth, project_id)


# --- schedule and approval ----------------------------------------------------------------------


@router.get(
    PLAN + "/schedule", response={200: ScheduleOut, **problems(404)}, operation_id="schedule_get"
)
def schedule_get(request: HttpRequest, project_id: PathId) -> Any:
    project = _project(request, project_id)
    require_internal(request.auth, project)
    return services.schedule_for(project)


@router.patch(
    PLAN + "/schedule",
    response={200: ScheduleOut, **problems(403, 404, 409, 422)},
    operation_id="schedule_update",
)
def schedule_update(request: HttpRequest, project_id: PathId, payload: SchedulePatch) -> Any:
    return services.schedule_update(
        actor=request.auth, project_id=project_id, version=payload.version, data=patch_data(payload)
    )


@router.post(
    PLAN + "/schedule/submit",
    response={200: ScheduleOut, **problems(403, 404, 409, 422)},
    operation_id="plan_submit",
)
def plan_submit(request: HttpRequest, project_id: PathId) -> Any:
    return services.plan_submit(actor=request.auth, project_id=project_id)


@router.post(
    PLAN + "/schedule/decision",
    response={200: ScheduleOut, **problems(403, 404, 409, 422)},
    operation_id="plan_decide",
)
def plan_decide(request: HttpRequest, project_id: PathId, payload: PlanDecisionIn) -> Any:
    return services.plan_decide(
        actor=request.auth,
        project_id=project_id,
        decision=payload.decision,
        comment=payload.comment,
    )


@router.post(
    PLAN + "/plan/import",
    response={201: ScheduleOut, **problems(403, 404, 409, 422)},
    operation_id="plan_import",
)
def plan_import(request: HttpRequest, project_id: PathId, payload: PlanImportIn) -> Any:
    return 201, services.plan_import(
        actor=request.auth,
        project_id=project_id,
        tasks=[t.model_dump(exclude_unset=True) for t in payload.tasks],
        links=[link.model_dump() for link in payload.links],
        start=payload.start,
    )


@router.get(PLAN + "/gantt", response={200: GanttOut, **problems(404)}, operation_id="gantt_get")
def gantt_get(request: HttpRequest, project_id: PathId) -> Any:
    data = selectors.gantt_data(actor=request.auth, project=_project(request, project_id))
    # Already JSON-ready: sent as is, see GanttOut.
    return HttpResponse(json.dumps(data, cls=DjangoJSONEncoder), content_type="application/json")


# --- tasks --------------------------------------------------------------------------------------


@router.get(
    PLAN + "/tasks",
    response={200: list[TaskOut], **problems(404, 422)},
    operation_id="task_list",
    tags=["tasks"],
)
@paginate(Pagination)
def task_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.task_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    PLAN + "/tasks",
    response={201: TaskOut, **problems(403, 404, 409, 422)},
    operation_id="task_create",
    tags=["tasks"],
)
def task_create(request: HttpRequest, project_id: PathId, payload: TaskIn) -> Any:
    return 201, services.task_create(
        actor=request.auth, project_id=project_id, data=payload.model_dump(exclude_none=True)
    )


@router.get(
    PLAN + "/tasks/{task_id}",
    response={200: TaskOut, **problems(404)},
    operation_id="task_get",
    tags=["tasks"],
)
def task_get(request: HttpRequest, project_id: PathId, task_id: PathId) -> Any:
    tasks = selectors.task_list(actor=request.auth, project=_project(request, project_id))
    task = tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound(services.TASK_NOT_FOUND.format(id=task_id))
    return task


@router.patch(
    PLAN + "/tasks/{task_id}",
    response={200: TaskOut, **problems(403, 404, 409, 422)},
    operation_id="task_update",
    tags=["tasks"],
)
def task_update(
    request: HttpRequest, project_id: PathId, task_id: PathId, payload: TaskPatch
) -> Any:
    return services.task_update(
        actor=request.auth,
        project_id=project_id,
        task_id=task_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.delete(
    PLAN + "/tasks/{task_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="task_delete",
    tags=["tasks"],
)
def task_delete(request: HttpRequest, project_id: PathId, task_id: PathId) -> Any:
    services.task_delete(actor=request.auth, project_id=project_id, task_id=task_id)
    return 204, None


# --- links --------------------------------------------------------------------------------------


@router.get(
    PLAN + "/links",
    response={200: list[DependencyOut], **problems(404, 422)},
    operation_id="dependency_list",
    tags=["links"],
)
@paginate(Pagination)
def dependency_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.dependency_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    PLAN + "/links",
    response={201: DependencyOut, **problems(403, 404, 409, 422)},
    operation_id="dependency_create",
    tags=["links"],
)
def dependency_create(request: HttpRequest, project_id: PathId, payload: DependencyIn) -> Any:
    return 201, services.dependency_create(
        actor=request.auth, project_id=project_id, **payload.model_dump()
    )


@router.patch(
    PLAN + "/links/{link_id}",
    response={200: DependencyOut, **problems(403, 404, 409, 422)},
    operation_id="dependency_update",
    tags=["links"],
)
def dependency_update(
    request: HttpRequest, project_id: PathId, link_id: PathId, payload: DependencyPatch
) -> Any:
    return services.dependency_update(
        actor=request.auth,
        project_id=project_id,
        dependency_id=link_id,
        data=payload.model_dump(exclude_unset=True),
    )


@router.delete(
    PLAN + "/links/{link_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="dependency_delete",
    tags=["links"],
)
def dependency_delete(request: HttpRequest, project_id: PathId, link_id: PathId) -> Any:
    services.dependency_delete(actor=request.auth, project_id=project_id, dependency_id=link_id)
    return 204, None


# --- baselines and variance ---------------------------------------------------------------------


@router.get(
    PLAN + "/baselines",
    response={200: list[BaselineOut], **problems(404, 422)},
    operation_id="baseline_list",
    tags=["baselines"],
)
@paginate(Pagination)
def baseline_list(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.baseline_list(actor=request.auth, project=_project(request, project_id))


@router.post(
    PLAN + "/baselines",
    response={201: BaselineOut, **WRITE},
    operation_id="baseline_capture",
    tags=["baselines"],
)
def baseline_capture(request: HttpRequest, project_id: PathId, payload: BaselineIn) -> Any:
    return 201, services.baseline_capture(
        actor=request.auth, project_id=project_id, name=payload.name, number=payload.number
    )


@router.post(
    PLAN + "/baselines/{baseline_id}/current",
    response={200: BaselineOut, **problems(403, 404)},
    operation_id="baseline_set_current",
    tags=["baselines"],
)
def baseline_set_current(request: HttpRequest, project_id: PathId, baseline_id: PathId) -> Any:
    return services.baseline_set_current(
        actor=request.auth, project_id=project_id, baseline_id=baseline_id
    )


@router.delete(
    PLAN + "/baselines/{baseline_id}",
    response={204: None, **problems(403, 404)},
    operation_id="baseline_delete",
    tags=["baselines"],
)
def baseline_delete(request: HttpRequest, project_id: PathId, baseline_id: PathId) -> Any:
    services.baseline_delete(actor=request.auth, project_id=project_id, baseline_id=baseline_id)
    return 204, None


@router.get(
    PLAN + "/variance",
    response={200: VarianceOut, **problems(404)},
    operation_id="plan_variance",
    tags=["baselines"],
)
def plan_variance(request: HttpRequest, project_id: PathId) -> Any:
    report = selectors.project_variance(actor=request.auth, project=_project(request, project_id))
    return {
        "baseline": report.baseline,
        "finish": report.finish,
        "baseline_finish": report.baseline_finish,
        "finish_variance_days": report.finish_days,
        "work_variance_hours": report.work_hours,
        "cost_variance": report.cost,
        "tasks": [_task_variance(r) for r in report.rows],
    }


def _task_variance(row: TaskVariance) -> dict[str, Any]:
    task, base = row.task, row.baseline
    return {
        "task": task,
        "start": task.early_start,
        "finish": task.early_finish,
        "baseline_start": base.start if base else None,
        "baseline_finish": base.finish if base else None,
        "start_variance_days": row.start_days,
        "finish_variance_days": row.finish_days,
        "duration_variance_days": row.duration_days,
        "work_variance_hours": row.work_hours,
        "cost_variance": row.cost,
    }


# --- calendars ----------------------------------------------------------------------------------


@router.get(
    "/calendars",
    response={200: list[CalendarOut], **problems(404, 422)},
    operation_id="calendar_list",
    tags=["calendars"],
)
@paginate(Pagination)
def calendar_list(request: HttpRequest, project_id: QueryId | None = None) -> Any:
    """The organisation's calendars, and with `project_id` also that project's own."""
    project = None
    if project_id is not None:
        project = _project(request, project_id)
        require_internal(request.auth, project)
    return selectors.calendar_list(project=project)


@router.post(
    "/calendars",
    response={201: CalendarOut, **WRITE},
    operation_id="calendar_create",
    tags=["calendars"],
)
def calendar_create(request: HttpRequest, payload: CalendarIn) -> Any:
    return 201, services.calendar_create(actor=request.auth, **payload.model_dump())


@router.post(
    "/calendars/{calendar_id}/exceptions",
    response={201: CalendarExceptionOut, **WRITE},
    operation_id="calendar_exception_add",
    tags=["calendars"],
)
def calendar_exception_add(
    request: HttpRequest, calendar_id: PathId, payload: CalendarExceptionIn
) -> Any:
    return 201, services.calendar_exception_add(
        actor=request.auth, calendar_id=calendar_id, **payload.model_dump()
    )


@router.delete(
    "/calendars/exceptions/{exception_id}",
    response={204: None, **problems(403, 404)},
    operation_id="calendar_exception_delete",
    tags=["calendars"],
)
def calendar_exception_delete(request: HttpRequest, exception_id: PathId) -> Any:
    services.calendar_exception_delete(actor=request.auth, exception_id=exception_id)
    return 204, None
