"""Project documents: list with versions, upload, new version, download through access checks."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.projects import selectors, services

from ..forms import DocumentUploadForm, DocumentVersionForm
from .common import attempt, page, project_and_permissions


@page("GET", "POST")
def document_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        stored = attempt(
            request,
            lambda: services.document_upload(
                actor=request.user, project_id=project.pk, **form.service_data()
            ),
            form=form,
        )
        if stored:
            messages.success(request, f"{stored.document.title} uploaded.")
            return redirect("document_list", project_id=project.pk)
    documents = selectors.document_list(actor=request.user, project=project)
    context = {"project": project, "can": perms, "documents": documents, "form": form}
    return render(request, "web/documents/list.html", context)


@page("POST")
def document_version_upload(
    request: HttpRequest, project_id: int, document_id: int
) -> HttpResponse:
    form = DocumentVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to upload.")
    else:
        stored = attempt(
            request,
            lambda: services.document_upload(
                actor=request.user,
                project_id=project_id,
                document_id=document_id,
                upload=form.cleaned_data["file"],
                comment=form.cleaned_data["comment"],
            ),
        )
        if stored:
            messages.success(
                request, f"Version {stored.number} of {stored.document.title} uploaded."
            )
    return redirect("document_list", project_id=project_id)


@page("GET")
def document_download(
    request: HttpRequest, project_id: int, document_id: int, number: int
) -> FileResponse:
    project, _ = project_and_permissions(request, project_id)
    stored = selectors.document_file_get(
        actor=request.user, project=project, document_id=document_id, number=number
    )
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


@page("POST")
def document_delete(request: HttpRequest, project_id: int, document_id: int) -> HttpResponse:
    deleted = attempt(
        request,
        lambda: (
            services.document_delete(
                actor=request.user, project_id=project_id, document_id=document_id
            )
            or True
        ),
    )
    if deleted:
        messages.success(request, "Document deleted with all its versions.")
    return redirect("document_list", project_id=project_id)
