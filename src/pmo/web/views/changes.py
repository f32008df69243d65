"""Change control and the issue log of a project: the change log with the engine's preview and
the decision, the issue log with escalation to the PMO."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.accounts.models import User
from pmo.changes import selectors, services
from pmo.changes.models import ChangeStatus, IssuePriority, IssueStatus
from pmo.planning.models import ConstraintType, Task
from pmo.projects.policies import is_pmo

from .common import attempt, page, project_and_permissions

EDIT_KINDS = [
    ("", "No schedule edit"),
    ("duration", "Change a task's duration"),
    ("constraint", "Change a task's constraint"),
    ("new_task", "Add a new task"),
]


class ChangeForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    impact_scope = forms.CharField(label="Impact on scope", required=False)
    impact_cost = forms.DecimalField(
        label="Added cost", required=False, max_digits=14, decimal_places=2
    )
    impact_quality = forms.CharField(label="Impact on quality", required=False)
    impact_risk = forms.CharField(label="Impact on risk", required=False)
    edit_kind = forms.ChoiceField(label="Schedule edit", choices=EDIT_KINDS, required=False)
    task = forms.TypedChoiceField(label="Task", coerce=int, required=False, empty_value=None)
    duration = forms.IntegerField(label="New duration (working days)", required=False, min_value=0)
    constraint_type = forms.ChoiceField(
        choices=[("", "—"), *ConstraintType.choices], required=False
    )
    constraint_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    new_task_name = forms.CharField(label="New task name", required=False, max_length=255)
    after = forms.TypedChoiceField(label="After task", coerce=int, required=False, empty_value=None)
    before = forms.TypedChoiceField(
        label="Before task", coerce=int, required=False, empty_value=None
    )
    capture_baseline = forms.BooleanField(
        label="Capture a new baseline when applied", required=False
    )

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("task", "after", "before"):
            self.fields[name].choices = [("", "—"), *tasks]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            k: d[k]
            for k in (
                "title",
                "description",
                "reason",
                "impact_scope",
                "impact_quality",
                "impact_risk",
                "capture_baseline",
            )
        }
        data["impact_cost"] = d.get("impact_cost") or 0
        kind = d.get("edit_kind")
        if kind == "duration":
            data["edits"] = [
                {"kind": kind, "task_id": d.get("task"), "duration": d.get("duration")}
            ]
        elif kind == "constraint":
            day = d.get("constraint_date")
            data["edits"] = [
                {
                    "kind": kind,
                    "task_id": d.get("task"),
                    "constraint_type": d.get("constraint_type"),
                    "constraint_date": day.isoformat() if day else None,
                }
            ]
        elif kind == "new_task":
            data["edits"] = [
                {
                    "kind": kind,
                    "name": d.get("new_task_name"),
                    "duration": d.get("duration") or 1,
                    "predecessor_ids": [d["after"]] if d.get("after") else [],
                    "successor_ids": [d["before"]] if d.get("before") else [],
                }
            ]
        return data


def _tasks(project: Any) -> list[tuple[int, str]]:
    rows = (
        Task.objects.filter(project=project)
        .order_by("position", "pk")
        .values_list("pk", "wbs", "name")
    )
    return [(pk, f"{wbs} {name}") for pk, wbs, name in rows]


@page("GET")
def change_log(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    changes = selectors.change_list(actor=request.user, project=project)
    days, cost, own = services.thresholds(project)
    return render(
        request,
        "web/changes/log.html",
        {
            "project": project,
            "can": perms,
            "changes": changes,
            "current": "change_log",
            "limits": {"days": days, "cost": cost, "own": own},
        },
    )


@page("GET", "POST")
def change_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    form = ChangeForm(request.POST or None, tasks=_tasks(project))
    if request.method == "POST" and form.is_valid():
        change = attempt(
            request,
            lambda: services.change_create(
                actor=request.user, project_id=project.pk, data=form.service_data()
            ),
            form=form,
        )
        if change is not None:
            messages.success(request, f"CR-{change.number} raised; its preview is below.")
            return redirect("change_detail", project.pk, change.pk)
    return render(
        request,
        "web/changes/form.html",
        {"project": project, "can": perms, "form": form, "current": "change_log"},
    )


@page("GET", "POST")
def change_detail(request: HttpRequest, project_id: int, change_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    change = selectors.change_get(actor=request.user, project=project, change_id=change_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "preview":
            done = attempt(
                request,
                lambda: services.change_refresh_preview(
                    actor=request.user, project_id=project.pk, change_id=change.pk
                ),
            )
            if done is not None:
                messages.success(request, "Preview refreshed against the plan as it stands.")
        elif action in ("approve", "reject"):
            done = attempt(
                request,
                lambda: services.change_decide(
                    actor=request.user,
                    project_id=project.pk,
                    change_id=change.pk,
                    decision=action,
                    comment=request.POST.get("comment", ""),
                    version=int(request.POST.get("version") or 0) or None,
                ),
            )
            if done is not None:
                verb = "approved and applied" if action == "approve" else "rejected"
                messages.success(request, f"CR-{change.number} {verb}.")
        elif action == "withdraw":
            done = attempt(
                request,
                lambda: services.change_withdraw(
                    actor=request.user, project_id=project.pk, change_id=change.pk
                ),
            )
            if done is not None:
                messages.success(request, f"CR-{change.number} withdrawn.")
        return redirect("change_detail", project.pk, change.pk)
    pending = change.status == ChangeStatus.PENDING
    return render(
        request,
        "web/changes/detail.html",
        {
            "project": project,
            "can": perms,
            "change": change,
            "current": "change_log",
            "may_decide": pending and services.may_decide(request.user, project, change),
            "needs_sponsor": services.needs_sponsor(project, change),
            "may_withdraw": pending and (perms.edit or change.requester_id == request.user.pk),
            "pending": pending,
        },
    )


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(choices=IssuePriority.choices, initial=IssuePriority.MEDIUM)
    owner_id = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=IssueStatus.choices, initial=IssueStatus.OPEN)
    resolution = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    task_ids = forms.TypedMultipleChoiceField(label="Linked tasks", coerce=int, required=False)
    risk_ids = forms.TypedMultipleChoiceField(label="Linked risks", coerce=int, required=False)

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True).order_by("username")
        self.fields["owner_id"].choices = [("", "—"), *((u.pk, str(u)) for u in users)]
        self.fields["task_ids"].choices = _tasks(project)
        self.fields["risk_ids"].choices = [(r.pk, str(r)) for r in project.risks.order_by("number")]


@page("GET")
def issue_log(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    issues = selectors.issue_list(actor=request.user, project=project)
    return render(
        request,
        "web/changes/issues.html",
        {"project": project, "can": perms, "issues": issues, "current": "issue_log"},
    )


@page("GET", "POST")
def issue_edit(request: HttpRequest, project_id: int, issue_id: int | None = None) -> HttpResponse:
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="edit the issue log"
    )
    issue = (
        selectors.issue_get(actor=request.user, project=project, issue_id=issue_id)
        if issue_id
        else None
    )
    initial = None
    if issue is not None:
        initial = {
            f: getattr(issue, f)
            for f in (
                "title",
                "description",
                "priority",
                "owner_id",
                "due_date",
                "status",
                "resolution",
            )
        }
        initial["task_ids"] = [t.pk for t in issue.linked_tasks]
        initial["risk_ids"] = [r.pk for r in issue.linked_risks]
    form = IssueForm(request.POST or None, initial=initial, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if issue is None:
            call = lambda: services.issue_create(  # noqa: E731
                actor=request.user, project_id=project.pk, data=data
            )
        else:
            version = int(request.POST.get("version") or 0) or None
            call = lambda: services.issue_update(  # noqa: E731
                actor=request.user,
                project_id=project.pk,
                issue_id=issue.pk,
                version=version,
                data=data,
            )
        saved = attempt(request, call, form=form)
        if saved is not None:
            messages.success(request, f"I-{saved.number} saved.")
            return redirect("issue_detail", project.pk, saved.pk)
    return render(
        request,
        "web/changes/issue_form.html",
        {"project": project, "can": perms, "form": form, "issue": issue, "current": "issue_log"},
    )


@page("GET", "POST")
def issue_detail(request: HttpRequest, project_id: int, issue_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    issue = selectors.issue_get(actor=request.user, project=project, issue_id=issue_id)
    if request.method == "POST":
        version = int(request.POST.get("version") or 0) or None
        if request.POST.get("action") == "escalate":
            done = attempt(
                request,
                lambda: services.issue_escalate(
                    actor=request.user,
                    project_id=project.pk,
                    issue_id=issue.pk,
                    ask=request.POST.get("ask", ""),
                    version=version,
                ),
            )
            if done is not None:
                messages.success(request, f"I-{issue.number} escalated to the PMO.")
        elif request.POST.get("action") == "respond":
            done = attempt(
                request,
                lambda: services.issue_respond(
                    actor=request.user,
                    project_id=project.pk,
                    issue_id=issue.pk,
                    response=request.POST.get("response", ""),
                    version=version,
                ),
            )
            if done is not None:
                messages.success(request, "Response recorded; the PM is told.")
        return redirect("issue_detail", project.pk, issue.pk)
    return render(
        request,
        "web/changes/issue_detail.html",
        {
            "project": project,
            "can": perms,
            "issue": issue,
            "current": "issue_log",
            "is_pmo": is_pmo(request.user),
        },
    )
