"""The resource pool and its usage across projects (a heat map of people or roles by week), and
levelling a project: preview, accept with a reason, discard, and clear an accepted levelling."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pmo.core.errors import ValidationFailed
from pmo.resources import selectors, services
from pmo.resources.leveling import LevelingPreview

from .common import attempt, page, project_and_permissions

WEEKS = 12


def _start(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


@page("GET")
def resource_pool(request: HttpRequest) -> HttpResponse:
    resources = selectors.resource_list(actor=request.user)
    return render(request, "web/resources/pool.html", {"resources": resources})


@page("GET")
def resource_usage(request: HttpRequest) -> HttpResponse:
    group_by = "role" if request.GET.get("group_by") == "role" else "person"
    usage = selectors.resource_usage(
        actor=request.user,
        start=_start(request.GET.get("start", "")),
        weeks=WEEKS,
        group_by=group_by,
    )
    return render(request, "web/resources/usage.html", {"usage": usage})


# --- levelling ----------------------------------------------------------------------------------


class LevelingAcceptForm(forms.Form):
    signature = forms.CharField(widget=forms.HiddenInput, max_length=64)
    starts = forms.CharField(widget=forms.HiddenInput)
    within_slack = forms.BooleanField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Recorded with the levelling in the project's history.",
    )

    def clean_starts(self) -> dict[str, str]:
        try:
            value = json.loads(self.cleaned_data["starts"])
        except ValueError:
            raise forms.ValidationError("The levelled dates are unreadable.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("The levelled dates are unreadable.")
        return value


def _charts(preview: LevelingPreview) -> dict[str, Any]:
    """The current and levelled bars per task and the histogram as plain values."""
    rows = [t for t in preview.tasks if t.start and t.finish]
    histogram = preview.histogram
    return {
        "tasks": [t.name for t in rows],
        "current": [[t.start.isoformat(), t.finish.isoformat()] for t in rows],  # type: ignore[union-attr]
        "levelled": [[t.levelled_start.isoformat(), t.levelled_finish.isoformat()] for t in rows],
        "histogram": None
        if histogram is None
        else {
            "person": histogram.person,
            "days": [d.isoformat() for d in histogram.days],
            "before": histogram.before,
            "after": histogram.after,
            "capacity": histogram.capacity,
        },
    }


@page("GET", "POST")
def leveling(request: HttpRequest, project_id: int) -> HttpResponse:
    """Preview the levelling (GET, `within_slack=1` for the option); accept it (POST)."""
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="level resources"
    )
    form = LevelingAcceptForm(request.POST or None)
    within_slack = request.GET.get("within_slack") == "1"
    if request.method == "POST":
        within_slack = request.POST.get("within_slack") in ("True", "true", "on", "1")
        if form.is_valid():
            run = attempt(
                request,
                lambda: services.leveling_accept(
                    actor=request.user,
                    project_id=project.pk,
                    signature=form.cleaned_data["signature"],
                    starts=form.cleaned_data["starts"],
                    reason=form.cleaned_data["reason"],
                    within_slack=within_slack,
                ),
                form=form,
            )
            if run is not None:
                messages.success(
                    request,
                    f"Levelling accepted: {len(run.moves)} task(s) delayed; the plan now "
                    f"finishes on {run.finish_after}.",
                )
                return redirect(reverse("leveling", args=[project.pk]))
    preview: LevelingPreview | None = None
    refusal = ""
    try:
        preview = services.leveling_preview(
            actor=request.user, project_id=project.pk, within_slack=within_slack
        )
    except ValidationFailed as exc:
        refusal = exc.message
    if preview is not None and request.method == "GET":
        form = LevelingAcceptForm(
            initial={
                "signature": preview.signature,
                "starts": json.dumps(preview.starts),
                "within_slack": within_slack,
            }
        )
    elif preview is not None and form.errors:
        # the form keeps the reason typed; the hidden fields carry the fresh preview
        form.data = form.data.copy()
        form.data["signature"] = preview.signature
        form.data["starts"] = json.dumps(preview.starts)
    context = {
        "project": project,
        "can": perms,
        "preview": preview,
        "refusal": refusal,
        "within_slack": within_slack,
        "form": form,
        "chart": _charts(preview) if preview is not None else None,
        "runs": selectors.leveling_runs(actor=request.user, project=project),
    }
    return render(request, "web/resources/leveling.html", context)


@page("POST")
def leveling_clear(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True, edit="level resources")
    run = attempt(
        request,
        lambda: services.leveling_clear(actor=request.user, project_id=project.pk, run_id=run_id),
    )
    if run is not None:
        messages.success(
            request, "Levelling cleared: the delayed tasks have their constraints back."
        )
    return redirect(reverse("leveling", args=[project.pk]))
