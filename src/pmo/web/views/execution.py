"""Execution pages: quick progress updates and comments from My work (htmx), a project's
progress against its baseline, the weekly timesheet, the PMs' approvals, and actual costs
against the budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pmo.controls.models import CostCategory
from pmo.core.errors import ApplicationError
from pmo.execution import selectors, services
from pmo.execution.models import DAYS, CostKind, TimeCategory
from pmo.planning.models import Task

from .common import attempt, page, project_and_permissions

# --- forms --------------------------------------------------------------------------------------


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    percent_complete = forms.IntegerField(label="% complete", min_value=0, max_value=100)
    actual_start = forms.DateField(required=False, widget=_date())
    actual_finish = forms.DateField(required=False, widget=_date())
    remaining_duration = forms.IntegerField(
        label="Remaining days", required=False, min_value=0, max_value=100_000
    )
    remaining_work_hours = forms.DecimalField(
        label="Remaining work (h)", required=False, min_value=0, max_digits=10, decimal_places=2
    )

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=5000, widget=forms.Textarea({"rows": 2}))


class StatusDateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status_date = forms.DateField(required=False, widget=_date())


class CostForm(forms.Form):
    kind = forms.ChoiceField(choices=CostKind.choices)
    category = forms.ChoiceField(choices=CostCategory.choices)
    date = forms.DateField(widget=_date())
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=14, decimal_places=2)
    vendor = forms.CharField(max_length=200, required=False)
    reference = forms.CharField(max_length=100, required=False)
    description = forms.CharField(max_length=300)


class DecisionForm(forms.Form):
    timesheet = forms.IntegerField(min_value=1)
    project = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])
    comment = forms.CharField(max_length=2000, required=False)


class CorrectionForm(forms.Form):
    reason = forms.CharField(max_length=300)


# --- my work ------------------------------------------------------------------------------------


def _my_task_row(
    request: HttpRequest, task: Task, *, form: ProgressForm | None = None, saved: bool = False
) -> HttpResponse:
    item = next(
        (
            t
            for t in selectors.my_tasks(actor=request.user, today=timezone.localdate())
            if t.task.pk == task.pk
        ),
        None,
    )
    context = {
        "item": item,
        "task": task,
        "form": form or _progress_form(task),
        "comments": selectors.task_comments(task_ids=[task.pk]).get(task.pk, []),
        "comment_form": CommentForm(),
        "saved": saved,
    }
    return render(request, "web/execution/_my_task.html", context)


def _progress_form(task: Task) -> ProgressForm:
    return ProgressForm(
        initial={
            "version": task.version,
            "percent_complete": task.percent_complete,
            "actual_start": task.actual_start,
            "actual_finish": task.actual_finish,
            "remaining_duration": task.remaining_duration,
            "remaining_work_hours": task.remaining_work_hours,
        }
    )


@page("POST")
def task_progress(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """Save progress from My work's row (htmx answers the row; a plain post goes back)."""
    form = ProgressForm(request.POST)
    task = None
    if form.is_valid():
        task = attempt(
            request,
            lambda: services.progress_update(
                actor=request.user,
                project_id=project_id,
                task_id=task_id,
                version=form.cleaned_data["version"],
                data=form.service_data(),
            ),
            form=form,
        )
    if not request.headers.get("HX-Request"):
        if task is not None:
            messages.success(request, f"Progress on '{task.name}' saved.")
        else:
            for error in form.non_field_errors() or [str(e) for e in form.errors.values()]:
                messages.error(request, error)
        return redirect(request.POST.get("next") or "my_work")
    current = Task.objects.get(project_id=project_id, pk=task_id)
    if task is None:
        return _my_task_row(request, current, form=form)
    return _my_task_row(request, current, saved=True)


@page("POST")
def task_comment(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.comment_add(
                actor=request.user,
                project_id=project_id,
                task_id=task_id,
                body=form.cleaned_data["body"],
            ),
        )
    else:
        messages.error(request, "Write something in the comment.")
    if not request.headers.get("HX-Request"):
        return redirect(request.POST.get("next") or "my_work")
    return _my_task_row(request, Task.objects.get(project_id=project_id, pk=task_id))


def my_work_context(request: HttpRequest) -> dict[str, Any]:
    """What My work shows of execution: my tasks by when they are due, with their forms."""
    today = timezone.localdate()
    groups = selectors.my_work_groups(actor=request.user, today=today)
    ids = [t.task.pk for _, _, items in groups for t in items]
    comments = selectors.task_comments(task_ids=ids)
    for _, _, items in groups:
        for t in items:
            t.form = _progress_form(t.task)  # type: ignore[attr-defined]
            t.comments = comments.get(t.task.pk, [])  # type: ignore[attr-defined]
    return {
        "task_groups": groups,
        "task_count": len(ids),
        "comment_form": CommentForm(),
        "week": services.week_of(today),
    }


# --- progress against the baseline --------------------------------------------------------------


@page("GET", "POST")
def progress(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    view = selectors.progress_view(actor=request.user, project=project)
    form = StatusDateForm(
        initial={"version": view.schedule.version, "status_date": view.schedule.status_date}
    )
    if request.method == "POST":
        form = StatusDateForm(request.POST)
        if form.is_valid():
            done = attempt(
                request,
                lambda: services.status_date_set(
                    actor=request.user,
                    project_id=project.pk,
                    version=form.cleaned_data["version"],
                    status_date=form.cleaned_data["status_date"],
                ),
                form=form,
            )
            if done is not None:
                messages.success(request, "Status date saved; the plan is rescheduled.")
                return redirect("execution_progress", project.pk)
    context = {"project": project, "can": perms, "view": view, "form": form, "chart": view.chart}
    return render(request, "web/execution/progress.html", context)


# --- timesheets ---------------------------------------------------------------------------------


@page("GET")
def timesheet_current(request: HttpRequest) -> HttpResponse:
    return redirect("timesheet_week", services.week_of(timezone.localdate()).isoformat())


def _parse_week(week: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(week)
    except ValueError:
        from django.http import Http404

        raise Http404(f"'{week}' is not a date.") from None
    return services.week_of(day)


def _grid_lines(request: HttpRequest, grid: selectors.TimesheetGrid) -> list[dict[str, Any]]:
    """The posted grid as service lines: every row offered, with its seven hour cells."""
    lines = []
    for row in grid.rows:
        cells = [request.POST.get(f"h-{row.key}-{i}", "").strip() for i in range(DAYS)]
        if not row.editable:
            hours: list[Any] = list(row.hours)
        else:
            hours = [c.replace(",", ".") or "0" for c in cells]
            try:
                if not any(Decimal(h) for h in hours):
                    continue
            except ArithmeticError:
                pass  # the service names the bad cell
        item: dict[str, Any] = {"hours": hours}
        if row.task is not None:
            item.update(task_id=row.task.pk, category=TimeCategory.PROJECT)
        else:
            item["category"] = row.key
        lines.append(item)
    return lines


@page("GET", "POST")
def timesheet_week(request: HttpRequest, week: str) -> HttpResponse:
    monday = _parse_week(week)
    if monday.isoformat() != week:
        return redirect("timesheet_week", monday.isoformat())
    grid = selectors.timesheet_grid(actor=request.user, week_start=monday)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        sheet = attempt(
            request,
            lambda: services.timesheet_save(
                actor=request.user,
                week_start=monday,
                version=version,
                lines=_grid_lines(request, grid),
            ),
        )
        if sheet is not None and action == "submit":
            sheet = attempt(
                request,
                lambda: services.timesheet_submit(
                    actor=request.user, timesheet_id=sheet.pk, version=None
                ),
            )
            if sheet is not None:
                messages.success(request, "Timesheet submitted to the project managers.")
        elif sheet is not None:
            messages.success(request, "Timesheet saved.")
        if sheet is not None:
            return redirect("timesheet_week", week)
        # keep what was typed on the page
        for row in grid.rows:
            if row.editable:
                row.typed = [request.POST.get(f"h-{row.key}-{i}", "") for i in range(DAYS)]
    context = {
        "grid": grid,
        "previous": monday - dt.timedelta(weeks=1),
        "next": monday + dt.timedelta(weeks=1),
        "this_week": services.week_of(timezone.localdate()),
        "correction_form": CorrectionForm(),
    }
    return render(request, "web/execution/timesheet.html", context)


@page("POST")
def timesheet_correct(request: HttpRequest, line_id: int) -> HttpResponse:
    form = CorrectionForm(request.POST)
    week = request.POST.get("week", "")
    hours = [request.POST.get(f"c-{i}", "0").replace(",", ".") or "0" for i in range(DAYS)]
    if form.is_valid():
        done = attempt(
            request,
            lambda: services.timesheet_correct(
                actor=request.user, line_id=line_id, hours=hours, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "Correction recorded and sent for approval.")
    else:
        messages.error(request, services.CORRECTION_REASON)
    return redirect("timesheet_week", week) if week else redirect("timesheet_current")


@page("GET", "POST")
def timesheet_approvals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            done = attempt(
                request,
                lambda: services.timesheet_decide(
                    actor=request.user,
                    timesheet_id=data["timesheet"],
                    project_id=data["project"],
                    decision=data["decision"],
                    comment=data["comment"],
                ),
            )
            if done is not None:
                verb = "approved" if data["decision"] == "approve" else "returned"
                messages.success(request, f"Time {verb}.")
        else:
            messages.error(request, "Choose approve or return.")
        return redirect("timesheet_approvals")
    queue = selectors.approval_queue(actor=request.user)
    return render(request, "web/execution/approvals.html", {"queue": queue})


# --- costs --------------------------------------------------------------------------------------


@page("GET", "POST")
def costs(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    form = CostForm(initial={"date": timezone.localdate()})
    if request.method == "POST":
        form = CostForm(request.POST)
        if form.is_valid():
            done = attempt(
                request,
                lambda: services.cost_create(
                    actor=request.user, project_id=project.pk, data=form.cleaned_data
                ),
                form=form,
            )
            if done is not None:
                messages.success(request, "Cost recorded.")
                return redirect("execution_costs", project.pk)
    summary = selectors.budget_vs_actual(actor=request.user, project=project)
    context = {
        "project": project,
        "can": perms,
        "summary": summary,
        "chart": summary.chart,
        "costs": list(selectors.cost_list(actor=request.user, project=project)),
        "form": form,
    }
    return render(request, "web/execution/costs.html", context)


@page("POST")
def cost_delete(request: HttpRequest, project_id: int, cost_id: int) -> HttpResponse:
    try:
        services.cost_delete(actor=request.user, project_id=project_id, cost_id=cost_id)
        messages.success(request, "Cost removed.")
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    return redirect(reverse("execution_costs", args=[project_id]))
