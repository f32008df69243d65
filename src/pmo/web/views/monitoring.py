"""Performance and status reports: a project's Performance tab (S-curve, indicators, history),
its status reports (write, submit, review, print, PDF), and the PMO's overview, roll-up and
cadences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pmo.accounts.models import OrgRole
from pmo.core.errors import NotFound
from pmo.monitoring import selectors, services, watermelon
from pmo.monitoring.models import RAG_DIMENSIONS, Frequency, Rag
from pmo.monitoring.reports import report_context, status_report_pdf
from pmo.portfolio.models import Portfolio
from pmo.projects.models import ProjectType
from pmo.projects.policies import is_pmo

from .common import attempt, page, project_and_permissions

NOT_FOR_CLIENTS = "Status reports are internal to the organisation."


def _internal(request: HttpRequest) -> None:
    """The organisation-wide reporting pages answer *not found* to external clients."""
    if getattr(request.user, "org_role", "") == OrgRole.EXTERNAL_CLIENT:
        raise NotFound(NOT_FOR_CLIENTS)


RAG_CHOICES = [("", "—"), *Rag.choices]


class ReportForm(forms.Form):
    rag_schedule = forms.ChoiceField(label="Schedule", choices=RAG_CHOICES, required=False)
    rag_cost = forms.ChoiceField(label="Cost", choices=RAG_CHOICES, required=False)
    rag_scope = forms.ChoiceField(label="Scope", choices=RAG_CHOICES, required=False)
    rag_risk = forms.ChoiceField(label="Risk", choices=RAG_CHOICES, required=False)
    rag_resources = forms.ChoiceField(label="Resources", choices=RAG_CHOICES, required=False)
    rag_overall = forms.ChoiceField(label="Overall", choices=RAG_CHOICES, required=False)
    accomplishments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions_needed = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CadenceForm(forms.Form):
    portfolio = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    project_type = forms.ChoiceField(
        label="or project type", choices=[("", "—"), *ProjectType.choices], required=False
    )
    frequency = forms.ChoiceField(choices=Frequency.choices)
    day_due = forms.IntegerField(
        min_value=0,
        max_value=28,
        help_text="Weekday 0 (Monday) to 6 for weekly and fortnightly; day 1–28 for monthly.",
    )
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].choices = [
            ("", "—"),
            *Portfolio.objects.order_by("name").values_list("pk", "name"),
        ]


@page("GET", "POST")
def performance(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    if request.method == "POST":
        snapshot = attempt(
            request, lambda: services.snapshot_record(actor=request.user, project_id=project.pk)
        )
        if snapshot is not None:
            messages.success(request, f"Earned value recorded for {snapshot.status_date:%d %b %Y}.")
        return redirect("performance", project.pk)
    evm = selectors.project_evm(actor=request.user, project=project)
    return render(
        request, "web/monitoring/performance.html", {"project": project, "can": perms, "evm": evm}
    )


@page("GET")
def status_report_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    services.reports_open_due(projects=[project])
    return render(
        request,
        "web/monitoring/reports.html",
        {
            "project": project,
            "can": perms,
            "reports": selectors.report_list(actor=request.user, project=project),
            "cadence": selectors.cadences_for([project]).get(project.pk),
            "today": timezone.localdate(),
        },
    )


@page("GET", "POST")
def status_report_detail(request: HttpRequest, project_id: int, report_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    report = selectors.report_get(actor=request.user, project=project, report_id=report_id)
    editable = perms.edit and report.is_open
    form = ReportForm(request.POST or None, initial=_initial(report)) if editable else None
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = _int(request.POST.get("version"))
        done = None
        if action in ("reviewed", "returned"):
            done = attempt(
                request,
                lambda: services.report_review(
                    actor=request.user,
                    project_id=project.pk,
                    report_id=report.pk,
                    decision=action,
                    comment=request.POST.get("comment", ""),
                    version=version,
                ),
            )
        elif form is not None and form.is_valid():
            call = services.report_submit if action == "submit" else services.report_update
            done = attempt(
                request,
                lambda: call(
                    actor=request.user,
                    project_id=project.pk,
                    report_id=report.pk,
                    version=version,
                    data=form.cleaned_data,
                ),
                form=form,
            )
        if done is not None:
            messages.success(request, _said(action, done))
            return redirect("status_report_detail", project.pk, report.pk)
    return render(
        request,
        "web/monitoring/report_detail.html",
        {
            "project": project,
            "can": perms,
            "report": report,
            "indicators": selectors.report_indicators(report),
            "form": form,
            "may_review": is_pmo(request.user) and report.state == "submitted",
        },
    )


def _initial(report: Any) -> dict[str, Any]:
    keys = [*(f"rag_{d}" for d in RAG_DIMENSIONS), "rag_overall"]
    keys += ["accomplishments", "next_steps", "decisions_needed"]
    return {k: getattr(report, k) for k in keys}


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _said(action: str, report: Any) -> str:
    if action == "submit":
        if report.flags:
            return (
                "Report submitted. It is flagged: the declared RAG is greener than the indicators."
            )
        return "Report submitted to the PMO."
    if action == "reviewed":
        return "Report marked reviewed."
    if action == "returned":
        return "Report returned to the project manager."
    return "Draft saved."


@page("GET")
def status_report_print(request: HttpRequest, project_id: int, report_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True)
    report = selectors.report_get(actor=request.user, project=project, report_id=report_id)
    return render(request, "web/monitoring/report_print.html", report_context(report))


@page("GET")
def status_report_pdf_view(request: HttpRequest, project_id: int, report_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True)
    report = selectors.report_get(actor=request.user, project=project, report_id=report_id)
    response = HttpResponse(status_report_pdf(report), content_type="application/pdf")
    name = f"{project.code}-status-{report.due_date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@page("GET")
def status_report_overview(request: HttpRequest) -> HttpResponse:
    _internal(request)
    services.reports_open_due()
    portfolio_id = _int(request.GET.get("portfolio"))
    overview = selectors.report_overview(actor=request.user, portfolio_id=portfolio_id)
    return render(
        request,
        "web/monitoring/overview.html",
        {
            "overview": overview,
            "portfolios": Portfolio.objects.order_by("name"),
            "portfolio_id": portfolio_id,
        },
    )


@page("GET")
def performance_rollup(request: HttpRequest) -> HttpResponse:
    _internal(request)
    groups = selectors.rollup_groups(actor=request.user)
    return render(request, "web/monitoring/rollup.html", {"groups": groups})


@page("GET", "POST")
def cadence_list(request: HttpRequest) -> HttpResponse:
    _internal(request)
    form = CadenceForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if request.POST.get("delete"):
            cadence_id = _int(request.POST["delete"]) or 0
            label = attempt(
                request, lambda: services.cadence_delete(actor=request.user, cadence_id=cadence_id)
            )
            if label:
                messages.success(request, f"Cadence deleted: {label}.")
            return redirect("cadence_list")
        if form.is_valid():
            d = form.cleaned_data
            data = {
                "portfolio_id": d["portfolio"],
                "project_type": d["project_type"],
                "frequency": d["frequency"],
                "day_due": d["day_due"],
                "starts_on": d["starts_on"],
            }
            if attempt(
                request, lambda: services.cadence_create(actor=request.user, data=data), form=form
            ):
                messages.success(request, "Cadence added.")
                return redirect("cadence_list")
    elif not is_pmo(request.user):
        messages.info(request, "Only the PMO changes reporting cadences.")
    return render(
        request,
        "web/monitoring/cadences.html",
        {"cadences": selectors.cadence_list(), "form": form},
    )


@page("GET")
def monitoring_rules(request: HttpRequest) -> HttpResponse:
    _internal(request)
    return render(
        request,
        "web/monitoring/rules.html",
        {"spi": f"{watermelon.SPI_THRESHOLD:.2f}", "cpi": f"{watermelon.CPI_THRESHOLD:.2f}"},
    )
