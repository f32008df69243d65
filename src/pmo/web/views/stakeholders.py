"""The stakeholder register and its power–interest grid."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.core.errors import NotFound
from pmo.projects import selectors, services

from ..forms import StakeholderForm
from .common import attempt, page, project_and_permissions


@page("GET")
def stakeholder_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    stakeholders = list(selectors.stakeholder_list(actor=request.user, project=project))
    return render(
        request,
        "web/stakeholders/list.html",
        {"project": project, "can": perms, "stakeholders": stakeholders},
    )


@page("GET", "POST")
def stakeholder_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="edit stakeholders"
    )
    form = StakeholderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: services.stakeholder_create(
                actor=request.user, project_id=project.pk, data=form.service_data()
            ),
            form=form,
        )
        if created:
            messages.success(request, f"{created.name} added to the register.")
            return redirect("stakeholder_list", project_id=project.pk)
    return render(
        request, "web/stakeholders/form.html", {"project": project, "can": perms, "form": form}
    )


@page("GET", "POST")
def stakeholder_edit(request: HttpRequest, project_id: int, stakeholder_id: int) -> HttpResponse:
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="edit stakeholders"
    )
    stakeholder = (
        selectors.stakeholder_list(actor=request.user, project=project)
        .filter(pk=stakeholder_id)
        .first()
    )
    if stakeholder is None:
        raise NotFound(services.STAKEHOLDER_NOT_FOUND.format(id=stakeholder_id))
    form = StakeholderForm(
        request.POST or None, instance=stakeholder, initial={"version": stakeholder.version}
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.stakeholder_update(
                actor=request.user,
                project_id=project.pk,
                stakeholder_id=stakeholder_id,
                version=form.cleaned_data["version"],
                data=form.service_data(),
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"{saved.name} saved.")
            return redirect("stakeholder_list", project_id=project.pk)
    context = {"project": project, "can": perms, "form": form, "stakeholder": stakeholder}
    return render(request, "web/stakeholders/form.html", context)


@page("POST")
def stakeholder_delete(request: HttpRequest, project_id: int, stakeholder_id: int) -> HttpResponse:
    deleted = attempt(
        request,
        lambda: (
            services.stakeholder_delete(
                actor=request.user, project_id=project_id, stakeholder_id=stakeholder_id
            )
            or True
        ),
    )
    if deleted:
        messages.success(request, "Stakeholder removed from the register.")
    return redirect("stakeholder_list", project_id=project_id)
