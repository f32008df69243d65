"""The Portfolio area for management: the dashboard and its drill-downs, programs with their
roll-up, executive packs and the export of all portfolio data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pmo.accounts.models import OrgRole, User
from pmo.core.errors import Conflict
from pmo.portfolio import export, selectors, services
from pmo.portfolio.models import PackState, Portfolio
from pmo.portfolio.policies import may_draft, may_read_portfolio, require_pmo
from pmo.projects.models import Health, Stage, Status
from pmo.projects.policies import is_pmo

from ..forms import _textarea
from .common import attempt, page


def _area(request: HttpRequest, template: str, context: dict[str, Any], tab: str) -> HttpResponse:
    context = {
        "tab": tab,
        "may_read_portfolio": may_read_portfolio(request.user),
        "may_draft": may_draft(request.user),
        **context,
    }
    return render(request, f"web/portfolio/{template}.html", context)


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 2**62 else None


def _choice(value: str, allowed: list[str] | tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _filters(request: HttpRequest) -> selectors.DashboardFilter:
    q = request.GET
    return selectors.DashboardFilter(
        portfolio_id=_id(q.get("portfolio", "")),
        program_id=_id(q.get("program", "")),
        stage=_choice(q.get("stage", ""), Stage.values),
        status=_choice(q.get("status", ""), Status.values),
        health=_choice(q.get("health", ""), Health.values),
        phase=_choice(q.get("phase", ""), ("pending", "underway", "finished")),
        flag=_choice(q.get("flag", ""), list(selectors.FLAGS)),
    )


def _drill_url(scope: dict[str, Any], **more: Any) -> str:
    from urllib.parse import urlencode

    return reverse("portfolio_drill_down") + "?" + urlencode({**scope, **more})


@page("GET")
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    d = selectors.portfolio_dashboard(actor=request.user, filters=filters)
    scope = filters.scope
    charts = {
        "budget": [
            {**{k: float(v) if k in ("budget", "actual", "eac") else v for k, v in g.items()},
             "url": _drill_url({**scope, "portfolio": g["id"]} if g["id"] else scope)}
            for g in d.budget_by_portfolio
        ],
        "bubbles": d.bubbles,
        "roadmap": d.roadmap,
        # the page builds each project's link from this (one reverse, not one per project)
        "project_url": reverse("project_detail", args=[0]),
    }  # fmt: skip
    context = {
        "d": d,
        "t": d.totals,
        "scope": scope,
        "charts": charts,
        "drill": lambda **kw: _drill_url(scope, **kw),
        "sheets": export.SHEETS,
    }
    for group in ("by_stage", "by_status", "by_health", "by_phase", "flags"):
        key = {"by_stage": "stage", "by_status": "status", "by_health": "health"}.get(
            group, "phase" if group == "by_phase" else "flag"
        )
        context[group] = [
            {**c, "url": _drill_url(scope, **{key: c["key"]})} for c in getattr(d, group)
        ]
    return _area(request, "dashboard", context, "dashboard")


@page("GET")
def drill_down(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    d = selectors.portfolio_dashboard(actor=request.user, filters=filters, with_trend=True)
    rows = [(f, d.extra.get(f.id, {})) for f in d.matching(filters)]
    said = []
    names = {p.pk: p.name for p in d.portfolios}
    programs = {p.pk: p.name for p in d.programs}
    if filters.portfolio_id:
        said.append(f"portfolio {names.get(filters.portfolio_id, filters.portfolio_id)}")
    if filters.program_id:
        said.append(f"program {programs.get(filters.program_id, filters.program_id)}")
    if filters.stage:
        said.append(f"stage {Stage(filters.stage).label.lower()}")
    if filters.status:
        said.append(f"status {Status(filters.status).label.lower()}")
    if filters.health:
        said.append(f"health {Health(filters.health).label.lower()}")
    if filters.phase:
        said.append(filters.phase)
    if filters.flag:
        said.append(selectors.FLAGS[filters.flag].lower())
    back = reverse("portfolio_dashboard")
    if filters.scope:
        back += "?" + "&".join(f"{k}={v}" for k, v in filters.scope.items())
    context = {"rows": rows, "said": said, "d": d, "back": back}
    return _area(request, "drill_down", context, "dashboard")


# --- exports ------------------------------------------------------------------------------------


@page("GET")
def export_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        export.workbook(actor=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="portfolio.xlsx"'
    return response


@page("GET")
def export_csv(request: HttpRequest, sheet: str) -> HttpResponse:
    if sheet not in export.SHEET_NAMES:
        raise Http404(f"No sheet '{sheet}'.")
    response = HttpResponse(
        export.sheet_csv(actor=request.user, sheet=sheet), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="portfolio-{sheet}.csv"'
    return response


# --- programs -----------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=150)
    portfolio = forms.ModelChoiceField(Portfolio.objects.all(), required=False)
    manager = forms.ModelChoiceField(
        User.objects.filter(
            is_active=True,
            org_role__in=[OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST, OrgRole.PROJECT_MANAGER,
                          OrgRole.EXECUTIVE],
        ).order_by("last_name", "first_name"),
        required=False,
        label="Program manager",
    )  # fmt: skip
    description = forms.CharField(required=False, widget=_textarea(3))
    objectives = forms.CharField(
        required=False, widget=_textarea(4), help_text="One objective a line."
    )

    def service_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "name": c["name"].strip(),
            "portfolio_id": c["portfolio"].pk if c["portfolio"] else None,
            "manager_id": c["manager"].pk if c["manager"] else None,
            "description": c["description"],
            "objectives": c["objectives"],
        }


@page("GET")
def program_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.program_list(actor=request.user)
    return _area(
        request, "program_list", {"rows": rows, "is_pmo": is_pmo(request.user)}, "programs"
    )


@page("GET", "POST")
def program_edit(request: HttpRequest, program_id: int | None = None) -> HttpResponse:
    program = (
        selectors.program_get(actor=request.user, program_id=program_id) if program_id else None
    )
    require_pmo(request.user, "change programs" if program else "create programs")
    initial = {}
    if program is not None:
        initial = {
            "version": program.version, "name": program.name, "portfolio": program.portfolio,
            "manager": program.manager, "description": program.description,
            "objectives": program.objectives,
        }  # fmt: skip
    form = ProgramForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if program is None:
            saved = attempt(
                request, lambda: services.program_create(actor=request.user, data=data), form=form
            )
        else:
            saved = attempt(
                request,
                lambda: services.program_update(
                    actor=request.user, program_id=program.pk,
                    version=form.cleaned_data["version"], data=data,
                ),
                form=form,
            )  # fmt: skip
        if saved:
            messages.success(request, f"Program '{saved.name}' saved.")
            return redirect("program_detail", program_id=saved.pk)
    return _area(request, "program_form", {"form": form, "program": program}, "programs")


@page("GET")
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = selectors.program_get(actor=request.user, program_id=program_id)
    rollup = selectors.program_rollup(actor=request.user, program=program)
    pmo = is_pmo(request.user)
    context = {
        "program": program,
        "r": rollup,
        "t": rollup.totals,
        "is_pmo": pmo,
        "candidates": selectors.program_candidates(actor=request.user) if pmo else [],
        "dashboard_url": reverse("portfolio_dashboard") + f"?program={program.pk}",
    }
    return _area(request, "program_detail", context, "programs")


@page("POST")
def program_projects_add(request: HttpRequest, program_id: int) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("project") if x.isdigit()]
    added = attempt(
        request,
        lambda: services.program_add_projects(
            actor=request.user, program_id=program_id, project_ids=ids
        ),
    )
    if added:
        messages.success(request, "Added " + ", ".join(p.code for p in added) + ".")
    return redirect("program_detail", program_id=program_id)


@page("POST")
def program_project_remove(request: HttpRequest, program_id: int, project_id: int) -> HttpResponse:
    services.program_remove_project(
        actor=request.user, program_id=program_id, project_id=project_id
    )
    messages.success(request, "Taken out of the program.")
    return redirect("program_detail", program_id=program_id)


@page("POST")
def program_delete(request: HttpRequest, program_id: int) -> HttpResponse:
    version = request.POST.get("version", "")
    done = attempt(
        request,
        lambda: services.program_delete(
            actor=request.user, program_id=program_id,
            version=int(version) if version.isdigit() else None,
        ) or True,
    )  # fmt: skip
    if done:
        messages.success(request, "Program dissolved; its projects stay as they are.")
        return redirect("program_list")
    return redirect("program_detail", program_id=program_id)


# --- executive packs ----------------------------------------------------------------------------


@page("GET", "POST")
def pack_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        portfolio = _id(request.POST.get("portfolio", ""))
        pack = attempt(
            request,
            lambda: services.report_pack_request(
                actor=request.user, portfolio_id=portfolio, title=request.POST.get("title", "")
            ),
        )
        if pack:
            messages.success(request, f"'{pack.title}' is being generated; it appears below.")
        return redirect("report_pack_list")
    packs = list(selectors.report_pack_list(actor=request.user)[:50])
    busy = any(p.state in (PackState.QUEUED, PackState.RUNNING) for p in packs)
    context = {"packs": packs, "busy": busy, "portfolios": Portfolio.objects.order_by("name")}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "web/portfolio/pack_list.html#packs", context)
    return _area(request, "pack_list", context, "reports")


@page("GET")
def pack_download(request: HttpRequest, pack_id: int) -> FileResponse:
    pack = selectors.report_pack_get(actor=request.user, pack_id=pack_id)
    if not pack.file:
        raise Http404(services.PACK_NOT_READY.format(state=pack.get_state_display().lower()))
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this executive pack is missing.") from None
    return FileResponse(
        handle, as_attachment=True, filename=pack.filename, content_type="application/pdf"
    )


@page("POST")
def pack_delete(request: HttpRequest, pack_id: int) -> HttpResponse:
    try:
        services.report_pack_delete(actor=request.user, pack_id=pack_id)
        messages.success(request, "Executive pack deleted.")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("report_pack_list")
