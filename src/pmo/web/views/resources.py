"""The resource pool and its usage across projects (a heat map of people or roles by week);
levelling a project (preview, accept with a reason, discard, clear); the capacity forecast with
its drill-down, exports and what-if sandbox."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pmo.core.errors import Forbidden, NotFound, ValidationFailed
from pmo.projects.policies import is_pmo
from pmo.resources import forecast, selectors, services
from pmo.resources.forecast import Hire, WhatIf
from pmo.resources.leveling import LevelingPreview
from pmo.resources.models import JobRole

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
    context = {"usage": usage, "may_forecast": forecast.may_see_forecast(request.user)}
    return render(request, "web/resources/usage.html", context)


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


# --- capacity forecast --------------------------------------------------------------------------


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _what_if(query: Any) -> WhatIf:
    """The sandbox from the query string; rows left blank are ignored, bad ones refused."""
    hires = []
    counts, starts = query.getlist("hire_count"), query.getlist("hire_from")
    for i, role in enumerate(query.getlist("hire_role")):
        count = counts[i] if i < len(counts) else "1"
        start = starts[i] if i < len(starts) else ""
        if role:
            try:
                day = dt.date.fromisoformat(start) if start else timezone.localdate()
            except ValueError:
                raise ValidationFailed(f"'{start}' is not a date.") from None
            hires.append(Hire(role, _int(count, 0), day))
    delays = {
        _int(p, 0): _int(w, 0)
        for p, w in zip(query.getlist("delay_project"), query.getlist("delay_weeks"), strict=False)
        if p
    }
    drops = tuple(_int(p, 0) for p in query.getlist("drop_project") if p)
    return WhatIf(hires=tuple(hires), delays=delays, drops=drops)


def _forecast_from(request: HttpRequest) -> Any:
    q = request.GET
    kind = q.get("kind", "month")
    return forecast.capacity_forecast_table(
        actor=request.user,
        start=_start(q.get("start", "")),
        count=_int(q.get("count", ""), 12 if kind == "month" else 26),
        kind=kind,
        group_by=q.get("group_by", "role"),
        what_if=_what_if(q),
        pipeline=q.get("pipeline", "1") != "0",
    )


def _forecast_chart(table: Any) -> dict[str, Any]:
    """Heat-map cells: [period, row, utilisation capped at 2 for the colour, the text]."""

    def text(row: Any, j: int) -> str:
        u = row.utilisation[j]
        hours = f"{row.demand[j]:g} h of {row.supply[j]:g} h"
        if u is None:
            return f"demand without supply ({hours})" if row.demand[j] else "no supply"
        return f"{u * 100:.0f} % ({hours})"

    return {
        "periods": table.periods,
        "rows": [r.label for r in table.rows],
        "keys": [r.key for r in table.rows],
        "cells": [
            [j, i, min(u, 2.0) if u is not None else (2.0 if r.demand[j] else 0.0), text(r, j)]
            for i, r in enumerate(table.rows)
            for j, u in enumerate(r.utilisation)
        ],
    }


def _grid(table: Any, request: HttpRequest) -> list[dict[str, Any]]:
    """The table's cells with their colour, text and drill-down address."""
    base = reverse("capacity_forecast_cell")
    query = request.GET.copy()
    rows = []
    for row in table.rows:
        cells = []
        for j, period in enumerate(table.periods):
            u, demand = row.utilisation[j], row.demand[j]
            css = (
                "over" if row.over[j] else "free" if not demand
                else "high" if u is not None and u > 0.8 else "low"
            )  # fmt: skip
            query.setlist("cell", [row.key])
            query.setlist("period", [period])
            cells.append(
                {
                    "css": css,
                    "text": f"{u * 100:.0f} %"
                    if u is not None
                    else (f"{demand:g} h" if demand else "—"),
                    "title": f"{demand:g} h of {row.supply[j]:g} h",
                    "url": f"{base}?{query.urlencode()}",
                }
            )
        rows.append({"label": row.label, "cells": cells})
    return rows


@page("GET")
def capacity_forecast(request: HttpRequest) -> HttpResponse:
    """The heat map of utilisation, its table, exports and the what-if sandbox."""
    if not forecast.may_see_forecast(request.user):
        raise Forbidden(forecast.FORECAST_FORBIDDEN)
    table, refusal = None, ""
    try:
        table = _forecast_from(request)
    except ValidationFailed as exc:
        refusal = exc.message
    context = {
        "table": table,
        "grid": _grid(table, request) if table else [],
        "refusal": refusal,
        "chart": _forecast_chart(table) if table else None,
        "query": request.GET.urlencode(),
        "q": request.GET,
        "roles": list(JobRole.objects.values_list("name", flat=True)),
        "projects": list(
            forecast.running_projects()
            .filter(tasks__assignments__isnull=False)
            .distinct()
            .order_by("code")
            .values_list("pk", "code", "name")
        ),
        "groups": forecast.GROUPS,
        "may_level": is_pmo(request.user),
    }
    return render(request, "web/resources/forecast.html", context)


@page("GET")
def capacity_forecast_cell(request: HttpRequest) -> HttpResponse:
    """The people and tasks behind one cell (an htmx partial)."""
    if not forecast.may_see_forecast(request.user):
        raise Forbidden(forecast.FORECAST_FORBIDDEN)
    try:
        cell = forecast.forecast_cell(
            _forecast_from(request), request.GET.get("cell", ""), request.GET.get("period", "")
        )
    except ValidationFailed as exc:
        return render(request, "web/resources/_forecast_cell.html", {"refusal": exc.message})
    return render(request, "web/resources/_forecast_cell.html", {"cell": cell})


@page("GET")
def capacity_forecast_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The forecast table as CSV or Excel, with the same filters and sandbox as the page."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound(f"No export as '{fmt}'; use csv or xlsx.")
    if not forecast.may_see_forecast(request.user):
        raise Forbidden(forecast.FORECAST_FORBIDDEN)
    try:
        lines = forecast.forecast_rows(_forecast_from(request))
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=422, content_type="text/plain")
    name = f"capacity-forecast-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        writer = csv.writer(response)
        for line in lines:
            writer.writerow([x.isoformat() if isinstance(x, dt.date) else x for x in line])
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Capacity forecast"
    for line in lines:
        sheet.append(line)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- levelling several projects together --------------------------------------------------------


class LevelingTogetherForm(LevelingAcceptForm):
    projects = forms.CharField(widget=forms.HiddenInput)


@page("GET", "POST")
def leveling_together(request: HttpRequest) -> HttpResponse:
    """The PMO levels the projects it ticks together (GET previews, POST accepts)."""
    if not is_pmo(request.user):
        raise Forbidden(services.LEVEL_TOGETHER_PMO)
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        chosen = [_int(p, 0) for p in source.get("projects", "").split(",") if p]
    else:
        chosen = [_int(p, 0) for p in source.getlist("project")]
    priorities = {pk: _int(source.get(f"priority_{pk}", ""), 0) for pk in chosen}
    form = LevelingTogetherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        runs = attempt(
            request,
            lambda: services.leveling_accept_together(
                actor=request.user,
                project_ids=chosen,
                signature=form.cleaned_data["signature"],
                starts=form.cleaned_data["starts"],
                reason=form.cleaned_data["reason"],
            ),
            form=form,
        )
        if runs is not None:
            codes = ", ".join(r.project.code for r in runs)
            messages.success(request, f"Levelling accepted on {codes}.")
            query = "&".join(f"project={pk}" for pk in chosen)
            return redirect(f"{reverse('leveling_together')}?{query}")
    preview, refusal = None, ""
    if chosen:
        try:
            preview = services.leveling_preview_together(
                actor=request.user, project_ids=chosen, priorities=priorities
            )
        except ValidationFailed as exc:
            refusal = exc.message
    if preview is not None:
        fresh = {
            "signature": preview.signature,
            "starts": json.dumps(preview.starts),
            "projects": ",".join(str(pk) for pk in chosen),
        }
        if request.method == "GET":
            form = LevelingTogetherForm(initial=fresh)
        else:
            form.data = form.data.copy()
            form.data.update(fresh)
    candidates = list(
        forecast.running_projects()
        .filter(tasks__assignments__isnull=False)
        .distinct()
        .select_related("portfolio")
        .order_by("code")
    )
    context = {
        "candidates": [(p, p.pk in chosen, priorities.get(p.pk, 0)) for p in candidates],
        "preview": preview,
        "refusal": refusal,
        "form": form,
        "chart": _charts(preview) if preview is not None else None,
    }
    return render(request, "web/resources/leveling_together.html", context)
