"""Project pages: the list with live filters, creation, the overview, facts, stage and members."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.core.errors import Forbidden
from pmo.portfolio.selectors import portfolio_list
from pmo.projects import selectors, services
from pmo.projects.models import STAGE_ORDER, Health, Stage, Status
from pmo.projects.policies import check_project_create

from ..forms import MemberAddForm, ProjectCreateForm, ProjectEditForm
from .common import attempt, page, project_and_permissions
from .governance import gate_context

HISTORY_PAGE_SIZE = 25


def _may_create(user: object) -> bool:
    try:
        check_project_create(user)
    except Forbidden:
        return False
    return True


@page("GET")
def project_list(request: HttpRequest) -> HttpResponse:
    q = request.GET
    portfolio = q.get("portfolio", "")
    projects = selectors.project_list(
        actor=request.user,
        search=q.get("q", "").strip(),
        stage=q.get("stage", ""),
        status=q.get("status", ""),
        health=q.get("health", ""),
        portfolio_id=int(portfolio) if portfolio.isdigit() else None,
    )
    context = {
        "projects": projects,
        "filters": q,
        "stages": Stage.choices,
        "statuses": Status.choices,
        "healths": Health.choices,
        "portfolios": portfolio_list(),
        "may_create": _may_create(request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "web/projects/list.html" + ("#table" if partial else "")
    return render(request, template, context)


@page("GET", "POST")
def project_create(request: HttpRequest) -> HttpResponse:
    check_project_create(request.user)
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        project = attempt(
            request,
            lambda: services.project_create(
                actor=request.user, code=form.cleaned_data["code"], **data
            ),
            form=form,
        )
        if project:
            messages.success(request, f"Project {project.code} created.")
            return redirect("project_detail", project_id=project.pk)
    return render(request, "web/projects/create.html", {"form": form})


@page("GET")
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    internal = perms.view_internal
    context = {
        "project": project,
        "can": perms,
        "members": selectors.member_list(actor=request.user, project=project) if internal else [],
        "charter": selectors.charter_get(actor=request.user, project=project) if internal else None,
        "next_stage": _next_stage(project.stage),
        "member_form": MemberAddForm() if perms.edit else None,
        **gate_context(request, project, perms),
    }
    return render(request, "web/projects/detail.html", context)


def _next_stage(stage: str) -> Stage | None:
    index = STAGE_ORDER.index(stage)
    return Stage(STAGE_ORDER[index + 1]) if index + 1 < len(STAGE_ORDER) else None


@page("GET", "POST")
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, edit="change the project's facts")
    form = ProjectEditForm(request.POST or None, initial=ProjectEditForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        updated = attempt(
            request,
            lambda: services.project_update(
                actor=request.user,
                project_id=project.pk,
                version=form.cleaned_data["version"],
                data=form.service_data(),
            ),
            form=form,
        )
        if updated:
            messages.success(request, "Project saved.")
            return redirect("project_detail", project_id=project.pk)
    return render(request, "web/projects/edit.html", {"project": project, "form": form})


@page("POST")
def project_stage_advance(request: HttpRequest, project_id: int) -> HttpResponse:
    version = request.POST.get("version", "")
    project = attempt(
        request,
        lambda: services.project_stage_advance(
            actor=request.user,
            project_id=project_id,
            to_stage=request.POST.get("to_stage", ""),
            version=int(version) if version.isdigit() else None,
        ),
    )
    if project:
        messages.success(request, f"The project is now in {project.get_stage_display()}.")
    return redirect("project_detail", project_id=project_id)


@page("POST")
def member_add(request: HttpRequest, project_id: int) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person and a role.")
    elif attempt(
        request,
        lambda: services.member_add(
            actor=request.user,
            project_id=project_id,
            user_id=form.cleaned_data["user"].pk,
            role=form.cleaned_data["role"],
        ),
    ):
        messages.success(request, f"{form.cleaned_data['user']} added to the team.")
    return redirect("project_detail", project_id=project_id)


@page("POST")
def member_remove(request: HttpRequest, project_id: int, user_id: int) -> HttpResponse:
    removed = attempt(
        request,
        # the service answers None; `or True` tells success from a refusal
        lambda: (
            services.member_remove(actor=request.user, project_id=project_id, user_id=user_id)
            or True
        ),
    )
    if removed:
        messages.success(request, "Member removed.")
    return redirect("project_detail", project_id=project_id)


@page("GET")
def project_history(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    entries = selectors.audit_for_project(actor=request.user, project=project)
    history = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/projects/history.html",
        {"project": project, "can": perms, "page_obj": history},
    )
