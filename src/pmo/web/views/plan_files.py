"""MS Project files on the web: upload → preview with the fidelity report → confirm, and export.

Between the preview and the confirmation the file waits in the default storage under `imports/`
with a random name; the confirm form carries a signed token naming it, the project and the person,
good for an hour. Confirming or cancelling deletes the file.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from pmo.core.errors import NotFound
from pmo.planning import selectors, services
from pmo.planning.exchange import ImportPreview

from .common import attempt, page, project_and_permissions

IMPORT_PLAN = "import a plan"
IMPORTS = "imports/"
TOKEN_SALT = "pmo.web.plan_files.import"
TOKEN_MAX_AGE = 60 * 60  # seconds
PREVIEW_TASKS = 20
UPLOAD_EXPIRED = "The uploaded file has expired or was already used; upload it again."
UPLOAD_INVALID = "This import is not valid for you on this project; upload the file again."
IMPORT_CANCELLED = "Import cancelled; the plan was not changed."
IMPORTED = "Plan imported from {filename}: {tasks} tasks, {links} links."


class PlanFileForm(forms.Form):
    file = forms.FileField(
        label="MS Project XML file",
        help_text="In MS Project: File → Save As → XML Format (*.xml).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )


@dataclass(frozen=True)
class PreviewRow:
    """One task of the file as the preview table shows it."""

    level: int
    task: dict[str, Any]
    is_summary: bool


def _preview_rows(preview: ImportPreview) -> list[PreviewRow]:
    parents = {t["parent"]: None for t in preview.tasks if t.get("parent") is not None}
    levels: dict[str, int] = {}
    rows = []
    for task in preview.tasks[:PREVIEW_TASKS]:
        level = levels.get(task["parent"], -1) + 1 if task.get("parent") is not None else 0
        levels[task["key"]] = level
        rows.append(PreviewRow(level=level, task=task, is_summary=task["key"] in parents))
    return rows


def _prune_abandoned() -> None:
    """Remove uploads whose confirmation window has passed (previewed, never confirmed)."""
    cutoff = timezone.now() - dt.timedelta(seconds=TOKEN_MAX_AGE)
    try:
        _, names = default_storage.listdir(IMPORTS)
    except FileNotFoundError:
        return
    for name in names:
        path = f"{IMPORTS}{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def _sign(request: HttpRequest, project_id: int, data: bytes, filename: str) -> str:
    _prune_abandoned()
    name = default_storage.save(f"{IMPORTS}{secrets.token_hex(16)}.xml", ContentFile(data))
    payload = {"name": name, "project": project_id, "user": request.user.pk, "file": filename}
    return signing.dumps(payload, salt=TOKEN_SALT)


def _unsign(request: HttpRequest, project_id: int) -> dict[str, Any] | None:
    """The pending upload named by the token; None (and the file gone) when it has expired.

    A token that was tampered with, or issued to someone else or for another project, is
    not found.
    """
    token = request.POST.get("token", "")
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        payload = signing.loads(token, salt=TOKEN_SALT)  # genuine, only old: clean it up
        if str(payload.get("name", "")).startswith(IMPORTS):
            default_storage.delete(payload["name"])
        return None
    except signing.BadSignature:
        raise NotFound(UPLOAD_INVALID) from None
    ours = payload.get("project") == project_id and payload.get("user") == request.user.pk
    if not ours or not str(payload.get("name", "")).startswith(IMPORTS):
        raise NotFound(UPLOAD_INVALID)
    return payload if default_storage.exists(payload["name"]) else None


@page("GET", "POST")
def plan_import(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True, edit=IMPORT_PLAN)
    existing = selectors.task_list(actor=request.user, project=project).count()
    not_empty = services.PLAN_NOT_EMPTY.format(n=existing) if existing else ""
    form = PlanFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not not_empty and form.is_valid():
        upload = form.cleaned_data["file"]
        data, filename = upload.read(), upload.name
        preview = attempt(
            request,
            lambda: services.plan_import_preview(
                actor=request.user, project_id=project.pk, data=data, filename=filename
            ),
            form=form,
        )
        if preview is not None:
            context = {
                "project": project,
                "can": perms,
                "filename": filename,
                "preview": preview,
                "counts": preview.counts,
                "rows": _preview_rows(preview),
                "token": _sign(request, project.pk, data, filename),
            }
            return render(request, "web/plan_files/preview.html", context)
    context = {"project": project, "can": perms, "form": form, "not_empty": not_empty}
    return render(request, "web/plan_files/import.html", context)


@page("POST")
def plan_import_confirm(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True, edit=IMPORT_PLAN)
    pending = _unsign(request, project.pk)
    if pending is None:
        messages.error(request, UPLOAD_EXPIRED)
        return redirect("plan_import", project_id=project.pk)
    try:
        if "cancel" in request.POST:
            messages.info(request, IMPORT_CANCELLED)
            return redirect("plan_table", project_id=project.pk)
        with default_storage.open(pending["name"], "rb") as handle:
            data = handle.read()
        schedule = attempt(
            request,
            lambda: services.plan_import_mspdi(
                actor=request.user, project_id=project.pk, data=data, filename=pending["file"]
            ),
        )
    finally:
        default_storage.delete(pending["name"])
    if schedule is None:
        return redirect("plan_import", project_id=project.pk)
    counts = {
        "tasks": selectors.task_list(actor=request.user, project=project).count(),
        "links": selectors.dependency_list(actor=request.user, project=project).count(),
    }
    messages.success(request, IMPORTED.format(filename=pending["file"], **counts))
    return redirect("plan_table", project_id=project.pk)


@page("GET")
def plan_export(request: HttpRequest, project_id: int) -> HttpResponse:
    filename, data = services.plan_export_mspdi(actor=request.user, project_id=project_id)
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    return HttpResponse(
        data, content_type="application/xml", headers={"Content-Disposition": disposition}
    )
