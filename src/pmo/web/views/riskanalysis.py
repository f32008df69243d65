"""The Risk analysis tab: uncertainty on the tasks, the register's risks quantified and mapped
to tasks, correlations, and Monte Carlo runs with their charts."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pmo.core.errors import Conflict, ValidationFailed
from pmo.planning.models import Task
from pmo.riskanalysis import selectors, services
from pmo.riskanalysis.models import TASK_KINDS, DistributionKind, Response, describe

from .common import attempt, page, project_and_permissions

KIND_WORDS = {
    "tri": DistributionKind.TRIANGULAR,
    "triangular": DistributionKind.TRIANGULAR,
    "pert": DistributionKind.PERT,
    "uniform": DistributionKind.UNIFORM,
    "lognormal": DistributionKind.LOGNORMAL,
    "fixed": DistributionKind.FIXED,
}
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
DISTRIBUTION_HELP = (
    "A number, or a distribution: 'triangular 2 / 4 / 10', 'pert 2 / 4 / 10', 'uniform 1 / 3', "
    "'lognormal 5 / 2' (mean, standard deviation). Empty for none."
)
UNREADABLE = "'{text}' is not a distribution; write e.g. 'triangular 2 / 4 / 10' or a number."


def parse_distribution(text: str) -> dict[str, Any] | None:
    """A distribution as the PMO types it (the way the page shows it) to its stored form."""
    text = (text or "").strip()
    if not text:
        return None
    word = re.match(r"[A-Za-z]+", text)
    numbers = [float(n.replace(",", ".")) for n in NUMBER.findall(text)]
    if word is None:
        if len(numbers) != 1:
            raise ValidationFailed(UNREADABLE.format(text=text))
        return {"kind": DistributionKind.FIXED, "value": numbers[0]}
    kind = KIND_WORDS.get(word.group(0).lower())
    if kind is None:
        raise ValidationFailed(UNREADABLE.format(text=text))
    names = {
        DistributionKind.TRIANGULAR: ("min", "mode", "max"),
        DistributionKind.PERT: ("min", "mode", "max"),
        DistributionKind.UNIFORM: ("min", "max"),
        DistributionKind.LOGNORMAL: ("mean", "sd"),
        DistributionKind.FIXED: ("value",),
    }[kind]
    if len(numbers) != len(names):
        raise ValidationFailed(
            f"A {kind.label} distribution takes {len(names)} number"
            f"{'s' if len(names) > 1 else ''} ({', '.join(names)}), got '{text}'."
        )
    return {"kind": kind, **dict(zip(names, numbers, strict=True))}


def shown(spec: dict[str, Any] | None) -> str:
    return "" if not spec else describe(spec)


class RunForm(forms.Form):
    iterations = forms.IntegerField(min_value=100, max_value=100_000, initial=5000)
    seed = forms.IntegerField(
        required=False, min_value=0, help_text="Same seed, same results; empty draws one."
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the project's planned finish.",
    )
    response = forms.ChoiceField(choices=Response.choices, initial=Response.PRE)


class FillForm(forms.Form):
    percent = forms.FloatField(label="±%", min_value=1, max_value=500, initial=20)
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in TASK_KINDS if k != DistributionKind.LOGNORMAL]
    )


class ImpactForm(forms.Form):
    task_ids = forms.TypedMultipleChoiceField(
        label="Tasks it delays", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    probability = forms.FloatField(min_value=0, max_value=1, help_text="0 to 1.")
    duration = forms.CharField(
        label="Working days added", required=False, help_text=DISTRIBUTION_HELP
    )
    cost = forms.CharField(label="Cost added", required=False)
    post_probability = forms.FloatField(
        label="Probability after response",
        min_value=0,
        max_value=1,
        required=False,
        help_text="Empty when no response is planned.",
    )
    post_duration = forms.CharField(label="Working days added after response", required=False)
    post_cost = forms.CharField(label="Cost added after response", required=False)
    response_cost = forms.DecimalField(
        label="Cost of the response", min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_ids"].choices = tasks

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "task_ids": d["task_ids"],
            "probability": d["probability"],
            "duration": parse_distribution(d["duration"]) or {},
            "cost": parse_distribution(d["cost"]) or {},
            "post_probability": d["post_probability"],
            "post_duration": parse_distribution(d["post_duration"]),
            "post_cost": parse_distribution(d["post_cost"]),
            "response_cost": d["response_cost"] or 0,
        }


class CorrelationForm(forms.Form):
    first_id = forms.TypedChoiceField(label="Task", coerce=int)
    second_id = forms.TypedChoiceField(label="with task", coerce=int)
    coefficient = forms.FloatField(min_value=-1, max_value=1, initial=0.5)

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_id"].choices = tasks
        self.fields["second_id"].choices = tasks


def _leaf_tasks(project: Any) -> list[tuple[int, str]]:
    rows = (
        Task.objects.filter(project=project, is_summary=False)
        .order_by("position", "pk")
        .values_list("pk", "wbs", "name")
    )
    return [(pk, f"{wbs} {name}") for pk, wbs, name in rows]


def _with_criticality(lines: list[Any], run: Any) -> list[Any]:
    """Each task line with its criticality index (percent) in the run shown, if any."""
    results = run.results if run is not None else None
    index = {c["task_id"]: c["index"] * 100 for c in (results or {}).get("criticality", [])}
    for line in lines:
        line.criticality = index.get(line.task.pk)
    return lines


def _chart_data(run: Any, previous: Any) -> dict[str, Any] | None:
    r = run.results if run is not None else None
    if not r:
        return None
    return {
        "histogram": r["histogram"],
        "cumulative": r["cumulative"],
        "other": r["other"]["cumulative"] if r.get("other") else None,
        "other_label": dict(Response.choices)[r["other"]["response"]] if r.get("other") else "",
        "label": dict(Response.choices)[r["response"]],
        "previous": previous.results.get("cumulative") if previous is not None else None,
        "previous_label": f"Run {previous.number}" if previous is not None else "",
        "tornado": r["tornado"],
        "target": r["target"],
        "p80": r["finish"]["p80"],
        "cost_histogram": r["cost_histogram"],
    }


@page("GET", "POST")
def risk_analysis(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    if request.method == "POST":
        project, perms = project_and_permissions(
            request, project_id, internal=True, edit="change the risk analysis"
        )
        return _post(request, project)
    data = selectors.analysis(project=project, run_id=request.GET.get("run") or None)
    latest = data.latest
    _with_criticality(data.tasks, latest)
    return render(
        request,
        "web/riskanalysis/page.html",
        {
            "project": project,
            "can": perms,
            "current": "risk_analysis",
            "data": data,
            "run": latest,
            "previous": data.previous,
            "results": latest.results if latest is not None else None,
            "chart": _chart_data(latest, data.previous),
            "run_form": RunForm(),
            "fill_form": FillForm(),
            "correlation_form": CorrelationForm(tasks=_leaf_tasks(project)),
            "kinds": [(k.value, k.label) for k in TASK_KINDS],
        },
    )


def _post(request: HttpRequest, project: Any) -> HttpResponse:
    action = request.POST.get("action", "")
    actor, pk = request.user, project.pk
    if action == "run":
        form = RunForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            run = attempt(
                request, lambda: services.run_start(actor=actor, project_id=pk, data=data)
            )
            if run is not None:
                messages.success(request, f"Run {run.number} started.")
        else:
            messages.error(request, _first_error(form))
    elif action == "fill":
        form = FillForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            n = attempt(
                request,
                lambda: services.uncertainty_fill(
                    actor=actor, project_id=pk, percent=d["percent"], kind=d["kind"]
                ),
            )
            if n is not None:
                messages.success(request, f"±{d['percent']:g}% {d['kind']} given to {n} tasks.")
        else:
            messages.error(request, _first_error(form))
    elif action == "correlate":
        form = CorrelationForm(request.POST, tasks=_leaf_tasks(project))
        if form.is_valid():
            if attempt(
                request,
                lambda: services.correlation_set(actor=actor, project_id=pk, **form.cleaned_data),
            ):
                messages.success(request, "Correlation saved.")
        else:
            messages.error(request, _first_error(form))
    elif action == "uncorrelate":
        attempt(
            request,
            lambda: services.correlation_delete(
                actor=actor, project_id=pk, correlation_id=int(request.POST.get("id") or 0)
            ),
        )
    elif action == "unquantify":
        attempt(
            request,
            lambda: services.risk_impact_delete(
                actor=actor, project_id=pk, risk_id=int(request.POST.get("risk") or 0)
            ),
        )
    return redirect("risk_analysis", pk)


def _first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label or field}: {errors[0]}" if field != "__all__" else str(errors[0])
    return "Check the form."


def _number(value: str) -> float | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a number.") from None


@page("POST")
def risk_analysis_task(request: HttpRequest, project_id: int, task_id: int) -> HttpResponse:
    """One row of the task table, saved inline (htmx swaps the row)."""
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="change the risk analysis"
    )
    error = ""
    try:
        if request.POST.get("kind"):
            data = {
                "kind": request.POST["kind"],
                **{
                    p: _number(request.POST.get(p, ""))
                    for p in ("min", "mode", "max", "mean", "sd")
                },
            }
            services.uncertainty_set(actor=request.user, project_id=project.pk, task_id=task_id,
                                     data=data)  # fmt: skip
        elif request.POST.get("clear"):
            services.uncertainty_delete(actor=request.user, project_id=project.pk, task_id=task_id)
    except (ValidationFailed, Conflict) as exc:  # shown in the row, next to the input
        error = exc.message
    data = selectors.analysis(project=project)
    line = next((t for t in data.tasks if t.task.pk == task_id), None)
    if line is None:
        return HttpResponse(status=404)
    _with_criticality([line], data.latest)
    if error:
        line.entered = {
            k: request.POST.get(k, "") for k in ("kind", "min", "mode", "max", "mean", "sd")
        }
    return render(
        request,
        "web/riskanalysis/_task_row.html",
        {
            "project": project,
            "can": perms,
            "line": line,
            "error": error,
            "kinds": [(k.value, k.label) for k in TASK_KINDS],
        },
    )


@page("GET", "POST")
def risk_analysis_risk(request: HttpRequest, project_id: int, risk_id: int) -> HttpResponse:
    """Quantify one register risk and map it to the tasks it delays."""
    project, perms = project_and_permissions(
        request, project_id, internal=True, edit="change the risk analysis"
    )
    risk = services._risk(project, risk_id)
    impact = getattr(risk, "quantified_impact", None)
    tasks = _leaf_tasks(project)
    if impact is not None:
        initial: dict[str, Any] = {
            "task_ids": [t.pk for t in impact.tasks.all()],
            "probability": impact.probability,
            "duration": shown(impact.duration),
            "cost": shown(impact.cost),
            "post_probability": impact.post_probability,
            "post_duration": shown(impact.post_duration),
            "post_cost": shown(impact.post_cost),
            "response_cost": impact.response_cost,
        }
    else:
        initial = {
            "task_ids": [t.pk for t in risk.tasks.filter(is_summary=False)],
            "probability": services.SCALE_CHANCE.get(risk.probability, 0.5),
            "duration": f"{risk.schedule_impact_days or 0:g}",
            "cost": f"{risk.cost_impact or 0:g}",
        }
    form = ImpactForm(request.POST or None, initial=initial, tasks=tasks)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.service_data()
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            done = attempt(
                request,
                lambda: services.risk_impact_set(
                    actor=request.user,
                    project_id=project.pk,
                    risk_id=risk.pk,
                    data=data,
                    version=int(request.POST.get("version") or 0) or None,
                ),
                form=form,
            )
            if done is not None:
                messages.success(request, f"R-{risk.number} quantified.")
                return redirect("risk_analysis", project.pk)
    return render(
        request,
        "web/riskanalysis/risk_form.html",
        {
            "project": project,
            "can": perms,
            "current": "risk_analysis",
            "risk": risk,
            "impact": impact,
            "form": form,
        },
    )


@page("GET")
def risk_analysis_run(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    """The progress of a run, polled by htmx; a finished run reloads the page with its results."""
    project, perms = project_and_permissions(request, project_id, internal=True)
    run = selectors.run_get(project=project, run_id=run_id)
    response = render(request, "web/riskanalysis/_progress.html", {"project": project, "run": run})
    if not run.is_active and request.headers.get("HX-Request"):
        response["HX-Redirect"] = f"{reverse('risk_analysis', args=[project.pk])}?run={run.pk}"
    return response
