"""The project charter: read, edit, submit, decide (sponsor), revise, list and compare versions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.projects import selectors, services

from ..forms import CharterDecisionForm, CharterForm
from .common import attempt, page, project_and_permissions


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@page("GET")
def charter_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    charter = selectors.charter_get(actor=request.user, project=project)
    context = {
        "project": project,
        "can": perms,
        "charter": charter,
        "missing": services.charter_missing(charter) if charter.is_editable else [],
        "decision_form": CharterDecisionForm(initial={"version": charter.version}),
    }
    return render(request, "web/charter/detail.html", context)


@page("GET", "POST")
def charter_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="edit the charter"
    )
    charter = selectors.charter_get(actor=request.user, project=project)
    form = CharterForm(request.POST or None, initial=CharterForm.initial_for(charter))
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.charter_update(
                actor=request.user,
                project_id=project.pk,
                version=form.cleaned_data["version"],
                data=form.data_without_version(),
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"Charter version {saved.number} saved.")
            return redirect("charter_detail", project_id=project.pk)
    context = {"project": project, "can": perms, "charter": charter, "form": form}
    return render(request, "web/charter/edit.html", context)


@page("POST")
def charter_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    charter = attempt(
        request,
        lambda: services.charter_submit(
            actor=request.user, project_id=project_id, version=_version(request)
        ),
    )
    if charter:
        messages.success(request, f"Charter version {charter.number} submitted to the sponsor.")
    return redirect("charter_detail", project_id=project_id)


@page("POST")
def charter_decide(request: HttpRequest, project_id: int) -> HttpResponse:
    charter = attempt(
        request,
        lambda: services.charter_decide(
            actor=request.user,
            project_id=project_id,
            version=_version(request),
            decision=request.POST.get("decision", ""),
            comment=request.POST.get("comment", ""),
        ),
    )
    if charter:
        messages.success(
            request, f"Charter version {charter.number}: {charter.get_state_display()}."
        )
    return redirect("charter_detail", project_id=project_id)


@page("POST")
def charter_revise(request: HttpRequest, project_id: int) -> HttpResponse:
    draft = attempt(
        request,
        lambda: services.charter_revise(
            actor=request.user,
            project_id=project_id,
            change_summary=request.POST.get("change_summary", ""),
        ),
    )
    if draft:
        messages.success(request, f"Version {draft.number} started as a draft.")
        return redirect("charter_edit", project_id=project_id)
    return redirect("charter_detail", project_id=project_id)


@page("GET")
def charter_versions(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    versions = selectors.charter_versions(actor=request.user, project=project)
    return render(
        request,
        "web/charter/versions.html",
        {"project": project, "can": perms, "versions": versions},
    )


def _number(request: HttpRequest, key: str) -> int | None:
    value = request.GET.get(key, "")
    return int(value) if value.isdigit() else None


@page("GET")
def charter_compare(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    a = selectors.charter_get(actor=request.user, project=project, number=_number(request, "a"))
    b = selectors.charter_get(actor=request.user, project=project, number=_number(request, "b"))
    context = {
        "project": project,
        "can": perms,
        "a": a,
        "b": b,
        "changes": selectors.charter_compare(a, b),
    }
    return render(request, "web/charter/compare.html", context)
