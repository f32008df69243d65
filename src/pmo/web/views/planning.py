"""The plan pages: the task table with inline editing, the Gantt chart, baselines and variance.

Every write goes through the planning services, which reschedule the whole network; the pages
then show the rescheduled plan (the table re-renders all its rows, the chart reloads its data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from pmo.core.errors import ApplicationError, NotFound
from pmo.planning import selectors, services
from pmo.planning.models import (
    MAX_BASELINES,
    ConstraintType,
    Dependency,
    DependencyType,
    PlanState,
    Schedule,
    Task,
)
from pmo.projects.models import Project
from pmo.projects.policies import ProjectPermissions

from ..forms import VersionedForm
from .common import attempt, page, project_and_permissions

EDIT_PLAN = "change the plan"
NOTHING_ABOVE = "'{name}' has no task above it at its level to go under."
ALREADY_TOP = "'{name}' is already at the top level."
SUMMARY_DRAG = "'{name}' is a summary: its dates follow its subtasks. Move the subtasks instead."
UNDATED = ("ASAP", "ALAP")


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


# --- forms: they parse input; the services decide what is allowed ------------------------------


class TaskEditForm(VersionedForm):
    name = forms.CharField(max_length=255)
    duration = forms.IntegerField(min_value=0, required=False)
    constraint_type = forms.ChoiceField(choices=ConstraintType.choices)
    constraint_date = forms.DateField(required=False, widget=_date_input())

    def service_data(self) -> dict[str, Any]:
        data = self.data_without_version()
        if data["duration"] is None:  # summaries: their span follows their subtasks
            del data["duration"]
        if data["constraint_type"] in UNDATED:
            del data["constraint_date"]
        return data


def _task_choices(tasks: Sequence[Task]) -> list[tuple[Any, str]]:
    return [("", "—"), *((t.pk, f"{t.wbs} {t.name}") for t in tasks)]


class TaskAddForm(forms.Form):
    name = forms.CharField(max_length=255)
    duration = forms.IntegerField(min_value=0, initial=1, help_text="Working days; 0: milestone.")
    parent = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Under")
    after = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="After")
    calendar = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, help_text="For a crew on another week."
    )

    def __init__(
        self, *args: Any, tasks: Sequence[Task] = (), calendars: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = self.fields["after"].choices = _task_choices(tasks)
        self.fields["calendar"].choices = [
            ("", "The plan's calendar"),
            *((c.pk, c.name) for c in calendars),
        ]


class LinkForm(forms.Form):
    predecessor = forms.TypedChoiceField(coerce=int)
    successor = forms.TypedChoiceField(coerce=int)
    type = forms.ChoiceField(choices=DependencyType.choices, initial=DependencyType.FS)
    lag = forms.IntegerField(initial=0, help_text="Working days; negative for a lead.")

    def __init__(self, *args: Any, tasks: Sequence[Task] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].choices = self.fields["successor"].choices = _task_choices(tasks)


class ScheduleForm(VersionedForm):
    start = forms.DateField(widget=_date_input())
    calendar = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, calendars: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [(c.pk, c.name) for c in calendars]


class BaselineForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    number = forms.IntegerField(
        min_value=0,
        max_value=MAX_BASELINES - 1,
        required=False,
        help_text=f"0–{MAX_BASELINES - 1}: replaces that baseline. Empty: the next free number.",
    )


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = ""
        if field in form.fields:
            label = form.fields[field].label or field.replace("_", " ").capitalize()
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- the plan table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One row of the plan table."""

    task: Task
    level: int
    span: int | None  # working days, from the stored duration or a summary's dates
    predecessors: str


def _wbs_key(task: Task) -> tuple[int, ...]:
    return tuple(int(part) for part in task.wbs.split(".") if part.isdigit())


def _link_label(link: Dependency) -> str:
    """MS Project's notation: '3' for a plain finish-to-start link, '1.2FS+2d', '4SS-1d'."""
    lag = f"{link.lag_percent:+g}%" if link.lag_percent is not None else ""
    lag = lag or (f"{link.lag:+d}d" if link.lag else "")
    plain = link.type == DependencyType.FS and not lag
    return link.predecessor.wbs if plain else f"{link.predecessor.wbs}{link.type}{lag}"


def _plan_lines(schedule: Schedule, tasks: list[Task], links: list[Dependency]) -> list[PlanLine]:
    by_successor: dict[int, list[Dependency]] = {}
    for link in links:
        by_successor.setdefault(link.successor_id, []).append(link)
    summaries = [t for t in tasks if t.is_summary and t.early_start and t.early_finish]
    spans: dict[int, int] = {}
    if summaries:
        clock = services.plan_clock(schedule)
        starts = clock.start_offsets([t.early_start for t in summaries])  # type: ignore[misc]
        finishes = clock.finish_offsets([t.early_finish for t in summaries])  # type: ignore[misc]
        spans = {t.pk: f - s for t, s, f in zip(summaries, starts, finishes, strict=True)}
    return [
        PlanLine(
            task=t,
            level=t.wbs.count("."),
            span=spans.get(t.pk) if t.is_summary else t.duration,
            predecessors=", ".join(
                _link_label(link)
                for link in sorted(
                    by_successor.get(t.pk, []), key=lambda k: _wbs_key(k.predecessor)
                )
            ),
        )
        for t in tasks
    ]


def _table_context(
    request: HttpRequest, project: Project, perms: ProjectPermissions, *, focus: int | None = None
) -> dict[str, Any]:
    schedule = services.schedule_for(project)
    tasks = sorted(selectors.task_list(actor=request.user, project=project), key=_wbs_key)
    links = list(selectors.dependency_list(actor=request.user, project=project))
    return {
        "project": project,
        "can": perms,
        "schedule": schedule,
        "lines": _plan_lines(schedule, tasks, links),
        "links": sorted(links, key=lambda k: (_wbs_key(k.successor), _wbs_key(k.predecessor))),
        "editable": perms.edit and schedule.plan_state != PlanState.SUBMITTED,
        "focus": focus,
        "tasks": tasks,
    }


@page("GET")
def plan_table(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    context = _table_context(request, project, perms)
    calendars = list(selectors.calendar_list(project=project))
    schedule = context["schedule"]
    context.update(
        add_form=TaskAddForm(tasks=context["tasks"], calendars=calendars),
        link_form=LinkForm(tasks=context["tasks"]),
        schedule_form=ScheduleForm(
            calendars=calendars,
            initial={
                "start": schedule.start,
                "calendar": schedule.calendar_id,
                "version": schedule.version,
            },
        ),
        calendar=next((c for c in calendars if c.pk == schedule.calendar_id), None),
    )
    return render(request, "web/planning/table.html", context)


def _rows(request: HttpRequest, project_id: int, *, focus: int | None = None) -> HttpResponse:
    """The table's rows after a change (htmx), or the whole page again (a plain form post)."""
    if not request.htmx:
        return redirect("plan_table", project_id=project_id)
    project, perms = project_and_permissions(request, project_id, internal=True)
    context = _table_context(request, project, perms, focus=focus)
    return render(request, "web/planning/table.html#rows", context)


@page("GET")
def plan_rows(request: HttpRequest, project_id: int) -> HttpResponse:
    return _rows(request, project_id)


def _task(request: HttpRequest, project: Project, task_id: int) -> Task:
    task = selectors.task_list(actor=request.user, project=project).filter(pk=task_id).first()
    if task is None:
        raise NotFound(services.TASK_NOT_FOUND.format(id=task_id))
    return task


@page("GET", "POST")
def plan_task_edit(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """GET: the row as a small form; POST: save it and answer all rows (their dates move)."""
    project, perms = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    task = _task(request, project, task_id)
    if request.method == "GET":
        form = TaskEditForm(
            initial={
                "name": task.name,
                "duration": task.duration,
                "constraint_type": task.constraint_type,
                "constraint_date": task.constraint_date,
                "version": task.version,
            }
        )
        context = {"project": project, "task": task, "form": form}
        return render(request, "web/planning/_edit_row.html", context)
    form = TaskEditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif attempt(
        request,
        lambda: services.task_update(
            actor=request.user,
            project_id=project.pk,
            task_id=task.pk,
            version=form.cleaned_data["version"],
            data=form.service_data(),
        ),
    ):
        messages.success(request, f"'{form.cleaned_data['name']}' saved; the plan is rescheduled.")
    return _rows(request, project.pk, focus=task.pk)


@page("POST")
def plan_task_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    tasks = list(selectors.task_list(actor=request.user, project=project))
    calendars = list(selectors.calendar_list(project=project))
    form = TaskAddForm(request.POST, tasks=tasks, calendars=calendars)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("plan_table", project_id=project.pk)
    after = next((t for t in tasks if t.pk == form.cleaned_data["after"]), None)
    parent_id = form.cleaned_data["parent"] or (after.parent_id if after else None)
    data = {
        "name": form.cleaned_data["name"],
        "duration": form.cleaned_data["duration"],
        "parent_id": parent_id,
        "position": _position(tasks, parent_id=parent_id, after=after),
    }
    if form.cleaned_data["calendar"]:
        data["calendar_id"] = form.cleaned_data["calendar"]
    created = attempt(
        request,
        lambda: services.task_create(actor=request.user, project_id=project.pk, data=data),
    )
    if created:
        messages.success(request, f"Task {created.wbs} '{created.name}' added.")
    return redirect("plan_table", project_id=project.pk)


def _position(tasks: Sequence[Task], *, parent_id: int | None, after: Task | None) -> int:
    """A position among the siblings under `parent_id`: just after `after`, or at the end."""
    siblings = sorted(t.position for t in tasks if t.parent_id == parent_id)
    if after is None or after.parent_id != parent_id:
        return siblings[-1] + 10 if siblings else 0
    following = [p for p in siblings if p > after.position]
    if following and following[0] - after.position > 1:
        return (after.position + following[0]) // 2
    return after.position + 1


@page("POST")
def plan_task_move(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Indent (under the task above at the same level) or outdent (beside its parent)."""
    project, _ = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    tasks = list(selectors.task_list(actor=request.user, project=project))
    task = next((t for t in tasks if t.pk == task_id), None)
    if task is None:
        raise NotFound(services.TASK_NOT_FOUND.format(id=task_id))
    data: dict[str, Any] | None = None
    if request.POST.get("direction") == "in":
        above = [t for t in tasks if t.parent_id == task.parent_id and t.position < task.position]
        if above:
            parent = max(above, key=lambda t: (t.position, t.pk))
            data = {
                "parent_id": parent.pk,
                "position": _position(tasks, parent_id=parent.pk, after=None),
            }
        else:
            messages.error(request, NOTHING_ABOVE.format(name=task.name))
    elif task.parent_id is None:
        messages.error(request, ALREADY_TOP.format(name=task.name))
    else:
        parent = next(t for t in tasks if t.pk == task.parent_id)
        data = {
            "parent_id": parent.parent_id,
            "position": _position(tasks, parent_id=parent.parent_id, after=parent),
        }
    version = request.POST.get("version", "")
    if data is not None and attempt(
        request,
        lambda: services.task_update(
            actor=request.user,
            project_id=project.pk,
            task_id=task.pk,
            version=int(version) if version.isdigit() else None,
            data=data,
        ),
    ):
        messages.success(request, f"'{task.name}' moved; the plan is rescheduled.")
    return _rows(request, project.pk, focus=task.pk)


@page("POST")
def plan_task_delete(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    deleted = attempt(
        request,
        lambda: (
            services.task_delete(actor=request.user, project_id=project_id, task_id=task_id) or True
        ),
    )
    if deleted:
        messages.success(request, "Task deleted with its subtasks and links.")
    return _rows(request, project_id)


@page("POST")
def plan_link_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    tasks = list(selectors.task_list(actor=request.user, project=project))
    form = LinkForm(request.POST, tasks=tasks)
    if not form.is_valid():
        _form_errors(request, form)
    elif attempt(
        request,
        lambda: services.dependency_create(
            actor=request.user,
            project_id=project.pk,
            predecessor_id=form.cleaned_data["predecessor"],
            successor_id=form.cleaned_data["successor"],
            type=form.cleaned_data["type"],
            lag=form.cleaned_data["lag"],
        ),
    ):
        messages.success(request, "Link added; the plan is rescheduled.")
    return redirect("plan_table", project_id=project.pk)


@page("POST")
def plan_link_delete(request: HttpRequest, project_id: int, link_id: int) -> HttpResponse:
    deleted = attempt(
        request,
        lambda: (
            services.dependency_delete(
                actor=request.user, project_id=project_id, dependency_id=link_id
            )
            or True
        ),
    )
    if deleted:
        messages.success(request, "Link removed; the plan is rescheduled.")
    return redirect("plan_table", project_id=project_id)


@page("POST")
def plan_schedule(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    form = ScheduleForm(request.POST, calendars=list(selectors.calendar_list(project=project)))
    if not form.is_valid():
        _form_errors(request, form)
    elif attempt(
        request,
        lambda: services.schedule_update(
            actor=request.user,
            project_id=project.pk,
            version=form.cleaned_data["version"],
            data={
                "start": form.cleaned_data["start"],
                "calendar_id": form.cleaned_data["calendar"],
            },
        ),
    ):
        messages.success(request, "Schedule start and calendar saved; the plan is rescheduled.")
    return redirect("plan_table", project_id=project.pk)


@page("POST")
def plan_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    if attempt(request, lambda: services.plan_submit(actor=request.user, project_id=project_id)):
        messages.success(request, "Plan submitted to the sponsor for approval.")
    return redirect("plan_table", project_id=project_id)


@page("POST")
def plan_decide(request: HttpRequest, project_id: int) -> HttpResponse:
    schedule = attempt(
        request,
        lambda: services.plan_decide(
            actor=request.user,
            project_id=project_id,
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        ),
    )
    if schedule and schedule.plan_state == PlanState.APPROVED:
        messages.success(request, "Plan approved; its baseline is captured.")
    elif schedule:
        messages.success(request, "Plan returned to the project manager with your comments.")
    return redirect("plan_table", project_id=project_id)


# --- the Gantt chart ----------------------------------------------------------------------------

DRAG_DATES = "Give the new start and end as dates (YYYY-MM-DD)."
DRAG_SAVED = "'{name}' changed; the plan is rescheduled."
DRAG_NOTHING = "Nothing changed."


@page("GET")
def plan_gantt(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    schedule = services.schedule_for(project)
    context = {
        "project": project,
        "can": perms,
        "schedule": schedule,
        "gantt": selectors.gantt_data(actor=request.user, project=project),
        "editable": perms.edit and schedule.plan_state != PlanState.SUBMITTED,
    }
    return render(request, "web/planning/gantt.html", context)


@page("GET")
def plan_gantt_json(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True)
    return JsonResponse(selectors.gantt_data(actor=request.user, project=project))


def _dragged(schedule: Schedule, task: Task, start: dt.date, end: dt.date) -> dict[str, Any]:
    """What a drag on the chart means, like MS Project: a moved start pins the task to start no
    earlier than that day; a longer or shorter bar is a new duration in working days."""
    data: dict[str, Any] = {}
    if start != task.early_start:
        data.update(constraint_type=ConstraintType.SNET, constraint_date=start)
    span = task.early_finish - task.early_start if task.early_start and task.early_finish else None
    resized = span is None or (end - start) != span
    if resized and not task.is_milestone:
        clock = services.plan_clock(schedule)
        working = clock.finish_offsets([end])[0] - clock.start_offsets([start])[0]
        data["duration"] = max(1, working)
    return data


@page("POST")
def plan_gantt_drag(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """A bar moved or stretched on the chart; answers JSON, the chart then reloads its data."""
    project, _ = project_and_permissions(request, project_id, internal=True, edit=EDIT_PLAN)
    task = _task(request, project, task_id)
    try:
        start, end = (dt.date.fromisoformat(request.POST.get(k, "")) for k in ("start", "end"))
    except ValueError:
        return JsonResponse({"message": DRAG_DATES}, status=400)
    if task.is_summary:
        return JsonResponse({"message": SUMMARY_DRAG.format(name=task.name)}, status=409)
    data = _dragged(services.schedule_for(project), task, start, end)
    if not data:
        return JsonResponse({"message": DRAG_NOTHING})
    version = request.POST.get("version", "")
    try:
        services.task_update(
            actor=request.user,
            project_id=project.pk,
            task_id=task.pk,
            version=int(version) if version.isdigit() else None,
            data=data,
        )
    except ApplicationError as exc:
        return JsonResponse({"message": exc.message}, status=exc.status)
    return JsonResponse({"message": DRAG_SAVED.format(name=task.name)})


# --- baselines and variance ---------------------------------------------------------------------

CHART_TASKS = 20


def _finish_chart(rows: Sequence[selectors.TaskVariance]) -> list[dict[str, Any]]:
    """The tasks that slipped or gained most, largest at the top of the chart."""
    moved = [r for r in rows if r.finish_days and not r.task.is_summary]
    top = sorted(moved, key=lambda r: -abs(r.finish_days or 0))[:CHART_TASKS]
    return [{"label": f"{r.task.wbs} {r.task.name}", "days": r.finish_days} for r in reversed(top)]


@page("GET")
def plan_baselines(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    schedule = services.schedule_for(project)
    report = selectors.project_variance(actor=request.user, project=project)
    baseline, rows = report.baseline, sorted(report.rows, key=lambda r: _wbs_key(r.task))
    chart = _finish_chart(rows)
    context = {
        "project": project,
        "can": perms,
        "schedule": schedule,
        "baselines": list(selectors.baseline_list(actor=request.user, project=project)),
        "baseline": baseline,
        "rows": rows,
        "total": report,
        "chart": chart,
        "chart_height": 70 + 26 * len(chart),
        "form": BaselineForm(),
        "max_baselines": MAX_BASELINES,
    }
    return render(request, "web/planning/baselines.html", context)


@page("POST")
def baseline_capture(request: HttpRequest, project_id: int) -> HttpResponse:
    form = BaselineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        captured = attempt(
            request,
            lambda: services.baseline_capture(
                actor=request.user,
                project_id=project_id,
                name=form.cleaned_data["name"],
                number=form.cleaned_data["number"],
            ),
        )
        if captured:
            messages.success(request, f"Baseline {captured.number} '{captured.name}' captured.")
    return redirect("plan_baselines", project_id=project_id)


@page("POST")
def baseline_set_current(request: HttpRequest, project_id: int, baseline_id: int) -> HttpResponse:
    chosen = attempt(
        request,
        lambda: services.baseline_set_current(
            actor=request.user, project_id=project_id, baseline_id=baseline_id
        ),
    )
    if chosen:
        messages.success(request, f"Variance is now measured against '{chosen.name}'.")
    return redirect("plan_baselines", project_id=project_id)


@page("POST")
def baseline_delete(request: HttpRequest, project_id: int, baseline_id: int) -> HttpResponse:
    deleted = attempt(
        request,
        lambda: (
            services.baseline_delete(
                actor=request.user, project_id=project_id, baseline_id=baseline_id
            )
            or True
        ),
    )
    if deleted:
        messages.success(request, "Baseline deleted.")
    return redirect("plan_baselines", project_id=project_id)
