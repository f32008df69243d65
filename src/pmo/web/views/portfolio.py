"""The Portfolio area: intake requests from draft to project, scoring and the ranking under other
weights, and selection scenarios with the optimal selection beside the greedy one."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pmo.accounts import selectors as people
from pmo.accounts.models import OrgRole
from pmo.core.errors import Forbidden
from pmo.portfolio import adapters, selectors, services
from pmo.portfolio.models import (
    MAX_PERIODS,
    IntakeRequest,
    OrganisationGoal,
    Portfolio,
    RequestState,
    RiskLevel,
    ScoringModel,
    ValueBasis,
)
from pmo.portfolio.policies import (
    may_decide,
    may_draft,
    may_edit,
    may_read_portfolio,
    may_submit,
    require_pmo,
    require_portfolio_reader,
    visible_requests,
)
from pmo.projects.policies import is_pmo, visible_projects
from pmo.resources.models import JobRole

from ..forms import _date_input, _textarea
from .common import attempt, page

AMOUNTS_HELP = "One amount a year from the start, separated by commas, e.g. 120000, 40000."
DEMAND_HELP = "One job role a line with hours a year from the start, e.g. Developer: 800, 400."
NOT_AMOUNTS = "Write amounts of 0 or more separated by commas, e.g. 120000, 40000."
UNKNOWN_ROLE = "'{name}' is not a job role of the resource pool."
DEMAND_LINE = "Write each line as 'Job role: hours, hours', not '{line}'."


def _submit(user: Any, pk: int, version: int | None, comment: str) -> Any:
    return services.request_submit(actor=user, request_id=pk, version=version)


def _assess(user: Any, pk: int, version: int | None, comment: str) -> Any:
    return services.request_assess(actor=user, request_id=pk, version=version)


def _decision(decision: str) -> Any:
    def decide(user: Any, pk: int, version: int | None, comment: str) -> Any:
        return services.request_decide(
            actor=user, request_id=pk, version=version, decision=decision, comment=comment
        )

    return decide


ACTIONS = {
    "submit": ("Submitted for assessment.", _submit),
    "assess": ("Taken into assessment.", _assess),
    "approve": ("Approved.", _decision("approve")),
    "reject": ("Rejected.", _decision("reject")),
    "defer": ("Deferred.", _decision("defer")),
}


def _amounts(text: str, *, periods: int = MAX_PERIODS) -> list[Decimal]:
    parts = [p.strip() for p in re.split(r"[,;]", text or "") if p.strip()]
    try:
        values = [Decimal(p.replace(" ", "").replace("_", "")) for p in parts]
    except InvalidOperation:
        raise forms.ValidationError(NOT_AMOUNTS) from None
    if any(not v.is_finite() or v < 0 for v in values):
        raise forms.ValidationError(NOT_AMOUNTS)
    if len(values) > periods:
        raise forms.ValidationError(f"At most {periods} years.")
    return values


def _text(values: list[Any]) -> str:
    return ", ".join(
        f"{v:f}".rstrip("0").rstrip(".") if "." in f"{v:f}" else f"{v:f}" for v in values
    )


class AmountsField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", AMOUNTS_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Decimal]:  # type: ignore[override]
        return _amounts(super().clean(value))


class DemandField(forms.CharField):
    """Hours per job role and year, one role a line: 'Developer: 800, 400'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", DEMAND_HELP)
        kwargs.setdefault("widget", _textarea(3))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dict[str, list[Decimal]]:  # type: ignore[override]
        text = super().clean(value) or ""
        roles = {name.lower(): pk for pk, name in JobRole.objects.values_list("pk", "name")}
        demand: dict[str, list[Decimal]] = {}
        for line in filter(None, (x.strip() for x in text.splitlines())):
            name, sep, hours = line.partition(":")
            if not sep:
                raise forms.ValidationError(DEMAND_LINE.format(line=line))
            pk = roles.get(name.strip().lower())
            if pk is None:
                raise forms.ValidationError(UNKNOWN_ROLE.format(name=name.strip()))
            demand[str(pk)] = _amounts(hours)
        return demand


class RequestForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(max_length=200)
    portfolio = forms.ModelChoiceField(queryset=Portfolio.objects.all(), required=False)
    sponsor = forms.ModelChoiceField(queryset=people.user_list(), required=False)
    problem = forms.CharField(label="Problem or opportunity", required=False, widget=_textarea(3))
    objectives = forms.CharField(
        required=False, widget=_textarea(3), help_text="One objective a line."
    )
    goals = forms.ModelMultipleChoiceField(
        label="Organisational goals",
        queryset=OrganisationGoal.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    costs = AmountsField(label="Cost by year")
    benefits = AmountsField(label="Benefit by year")
    demand = DemandField(label="Resource demand by job role")
    target_start = forms.DateField(required=False, widget=_date_input())
    target_finish = forms.DateField(required=False, widget=_date_input())
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, initial=RiskLevel.MEDIUM)
    mandatory = forms.BooleanField(label="Mandatory or regulatory", required=False)
    approval_probability = forms.IntegerField(
        min_value=0, max_value=100, initial=50, help_text="Percent."
    )
    requires = forms.ModelMultipleChoiceField(
        label="Requires requests", queryset=IntakeRequest.objects.none(), required=False
    )
    excludes = forms.ModelMultipleChoiceField(
        label="Alternatives (excludes)", queryset=IntakeRequest.objects.none(), required=False
    )
    requires_projects = forms.ModelMultipleChoiceField(
        label="Requires projects", queryset=IntakeRequest.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, instance: IntakeRequest | None = None, **kw: Any):
        super().__init__(*args, **kw)
        others = visible_requests(user).order_by("-number")
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        for name in ("requires", "excludes"):
            self.fields[name].queryset = others  # type: ignore[attr-defined]
        self.fields["requires_projects"].queryset = visible_projects(user).order_by("code")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, r: IntakeRequest) -> dict[str, Any]:
        demand = selectors.request_demand(r)
        return {
            "version": r.version,
            "title": r.title,
            "portfolio": r.portfolio_id,
            "sponsor": r.sponsor_id,
            "problem": r.problem,
            "objectives": r.objectives,
            "goals": [g.pk for g in r.goals.all()],
            "costs": _text(selectors.request_costs(r)),
            "benefits": _text(selectors.request_benefits(r)),
            "demand": "\n".join(f"{role}: {_text(hours)}" for role, hours in demand.items()),
            "target_start": r.target_start,
            "target_finish": r.target_finish,
            "risk_level": r.risk_level,
            "mandatory": r.mandatory,
            "approval_probability": r.approval_probability,
            "requires": [x.pk for x in r.requires.all()],
            "excludes": [x.pk for x in r.excludes.all()],
            "requires_projects": [x.pk for x in r.requires_projects.all()],
        }

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "portfolio_id": d["portfolio"].pk if d["portfolio"] else None,
            "sponsor_id": d["sponsor"].pk if d["sponsor"] else None,
            "problem": d["problem"],
            "objectives": d["objectives"],
            "goal_ids": [g.pk for g in d["goals"]],
            "costs": d["costs"],
            "benefits": d["benefits"],
            "demand": d["demand"],
            "target_start": d["target_start"],
            "target_finish": d["target_finish"],
            "risk_level": d["risk_level"],
            "mandatory": d["mandatory"],
            "approval_probability": d["approval_probability"],
            "requires_ids": [x.pk for x in d["requires"]],
            "excludes_ids": [x.pk for x in d["excludes"]],
            "requires_project_ids": [x.pk for x in d["requires_projects"]],
        }


class ConvertForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(max_length=20, help_text="The new project's code, e.g. PRJ-042.")
    manager = forms.ModelChoiceField(
        label="Project manager",
        queryset=people.user_list().filter(
            org_role__in=[OrgRole.PROJECT_MANAGER, OrgRole.PMO_ADMIN, OrgRole.PMO_ANALYST]
        ),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField()


def _score_form(model: ScoringModel, data: Any = None, initial: dict[str, int] | None = None):
    fields: dict[str, forms.Field] = {}
    for c in model.criteria.all():
        levels = list(c.levels) + [""] * (c.scale_max - len(c.levels))
        choices = [("", "—")] + [
            (str(n), f"{n} — {levels[n - 1]}" if levels[n - 1] else str(n))
            for n in range(1, c.scale_max + 1)
        ]
        fields[f"c_{c.pk}"] = forms.ChoiceField(
            label=f"{c.name} (weight {c.weight.normalize():f})",
            choices=choices,
            help_text=c.description,
        )
    fields["comment"] = forms.CharField(required=False, widget=_textarea(2))
    fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_class = type("ScoreForm", (forms.Form,), fields)
    return form_class(data, initial=initial or {})


# --- overview and intake ------------------------------------------------------------------------


def _area(request: HttpRequest, template: str, context: dict[str, Any], tab: str) -> HttpResponse:
    context = {
        "tab": tab,
        "may_read_portfolio": may_read_portfolio(request.user),
        "may_draft": may_draft(request.user),
        **context,
    }
    return render(request, f"web/portfolio/{template}.html", context)


@page("GET")
def intake_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in RequestState.values else ""
    portfolio = request.GET.get("portfolio", "")
    portfolio_id = int(portfolio) if portfolio.isdigit() else None
    search = request.GET.get("q", "").strip()[:100]
    rows = list(
        selectors.request_list(
            actor=request.user, state=state, portfolio_id=portfolio_id, search=search
        )
    )
    money = {r.pk: selectors.request_finance(r) for r in rows}
    return _area(
        request,
        "intake_list",
        {
            "rows": [(r, money[r.pk]) for r in rows],
            "state": state,
            "portfolio_id": portfolio_id,
            "q": search,
            "portfolios": selectors.portfolio_list(),
            "counts": selectors.intake_counts(actor=request.user),
        },
        "intake",
    )


@page("GET", "POST")
def request_create(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: services.request_create(actor=request.user, data=form.service_data()),
            form=form,
        )
        if created:
            messages.success(request, f"{created.code} saved as a draft.")
            return redirect("request_detail", request_id=created.pk)
    return _area(request, "request_form", {"form": form}, "intake")


@page("GET", "POST")
def request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    item = selectors.request_get(actor=request.user, request_id=request_id)
    if not may_edit(request.user, item):
        raise Forbidden(services.MAY_NOT_EDIT)
    form = RequestForm(
        request.POST or None,
        user=request.user,
        instance=item,
        initial=RequestForm.initial_for(item),
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            lambda: services.request_update(
                actor=request.user,
                request_id=item.pk,
                version=form.cleaned_data["version"],
                data=form.service_data(),
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"{saved.code} saved.")
            return redirect("request_detail", request_id=item.pk)
    return _area(request, "request_form", {"form": form, "item": item}, "intake")


@page("GET")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    item = selectors.request_get(actor=request.user, request_id=request_id)
    user = request.user
    pmo = is_pmo(user)
    models = list(selectors.scoring_models(active_only=True)) if pmo else []
    costs, benefits = selectors.request_costs(item), selectors.request_benefits(item)
    demand = selectors.request_demand(item)
    years = max([len(costs), len(benefits), *(len(h) for h in demand.values())])

    def padded(values: list[Decimal]) -> list[Decimal]:
        return values + [Decimal(0)] * (years - len(values))

    flows = [b - c for c, b in zip(padded(costs), padded(benefits), strict=True)]
    cumulative = [float(sum(flows[: k + 1], start=Decimal(0))) for k in range(years)]
    context = {
        "item": item,
        "finance": selectors.request_finance(item),
        "cash_chart": {
            "years": [f"Year {k}" for k in range(1, years + 1)],
            "costs": [-float(c) for c in padded(costs)],
            "benefits": [float(b) for b in padded(benefits)],
            "cumulative": cumulative,
        }
        if costs or benefits
        else None,
        "years": range(1, years + 1),
        "money_rows": [("Cost", padded(costs)), ("Benefit", padded(benefits))]
        + [(f"{role} (hours)", padded(hours)) for role, hours in demand.items()],
        "reference": selectors.reference_class(item),
        "assessments": _named_scores(item) if may_read_portfolio(user) else [],
        "models": models,
        "missing": services.submit_missing(item) if item.state == RequestState.DRAFT else [],
        "can": {
            "edit": may_edit(user, item),
            "submit": may_submit(user, item),
            "assess": pmo and item.state in (RequestState.SUBMITTED, RequestState.DEFERRED),
            "decide": may_decide(user, item) and item.state == RequestState.IN_ASSESSMENT,
            "convert": pmo and item.state == RequestState.APPROVED,
            "score": pmo and item.state in services.SCORABLE and bool(models),
        },
        "convert_form": ConvertForm(initial={"version": item.version}),
        "attachment_form": AttachmentForm(),
    }
    return _area(request, "request_detail", context, "intake")


def _named_scores(item: IntakeRequest) -> list[dict[str, Any]]:
    """Each assessment with its scores named by criterion, in the model's order."""
    assessments = selectors.assessments_of(item)
    names = {
        m.pk: [(str(c.pk), c.name, c.scale_max) for c in m.criteria.all()]
        for m in selectors.scoring_models().filter(pk__in={a.model_id for a in assessments})
    }
    return [
        {
            "a": a,
            "scores": [
                (name, a.scores.get(key), top) for key, name, top in names.get(a.model_id, [])
            ],
        }
        for a in assessments
    ]


@page("POST")
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(f"No action '{action}' on requests.")
    done, call = ACTIONS[action]
    version = request.POST.get("version")
    result = attempt(
        request,
        lambda: call(
            request.user,
            request_id,
            int(version) if version and version.isdigit() else None,
            request.POST.get("comment", ""),
        ),
    )
    if result:
        messages.success(request, f"{result.code}: {done}")
    return redirect("request_detail", request_id=request_id)


@page("POST")
def request_convert(request: HttpRequest, request_id: int) -> HttpResponse:
    form = ConvertForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("request_detail", request_id=request_id)
    project = attempt(
        request,
        lambda: services.request_convert(
            actor=request.user,
            request_id=request_id,
            version=form.cleaned_data["version"],
            code=form.cleaned_data["code"],
            manager_id=form.cleaned_data["manager"].pk,
        ),
    )
    if project:
        messages.success(request, f"Project {project.code} created; its charter draft is ready.")
        return redirect("project_detail", project_id=project.pk)
    return redirect("request_detail", request_id=request_id)


@page("POST")
def attachment_add(request: HttpRequest, request_id: int) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        stored = attempt(
            request,
            lambda: services.attachment_add(
                actor=request.user, request_id=request_id, upload=form.cleaned_data["file"]
            ),
        )
        if stored:
            messages.success(request, f"{stored.original_name} attached.")
    else:
        messages.error(request, "Choose a file to attach.")
    return redirect("request_detail", request_id=request_id)


@page("POST")
def attachment_delete(request: HttpRequest, request_id: int, attachment_id: int) -> HttpResponse:
    if attempt(
        request,
        lambda: (
            services.attachment_delete(
                actor=request.user, request_id=request_id, attachment_id=attachment_id
            )
            or True
        ),
    ):
        messages.success(request, "Attachment removed.")
    return redirect("request_detail", request_id=request_id)


@page("GET")
def attachment_download(request: HttpRequest, request_id: int, attachment_id: int) -> Any:
    item = selectors.request_get(actor=request.user, request_id=request_id)
    stored = item.attachments.filter(pk=attachment_id).first()
    if stored is None:
        raise Http404("Attachment not found.")
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


# --- scoring ------------------------------------------------------------------------------------


@page("GET", "POST")
def request_score(request: HttpRequest, request_id: int, model_id: int) -> HttpResponse:
    item = selectors.request_get(actor=request.user, request_id=request_id)
    require_pmo(request.user, "score requests")
    model = selectors.scoring_model_get(model_id)
    mine = next(
        (
            a
            for a in selectors.assessments_of(item)
            if a.model_id == model.pk and a.assessor_id == request.user.pk
        ),
        None,
    )
    initial = (
        {
            **{f"c_{k}": v for k, v in mine.scores.items()},
            "comment": mine.comment,
            "version": mine.version,
        }
        if mine
        else {}
    )
    form = _score_form(model, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            request,
            lambda: services.assessment_save(
                actor=request.user,
                request_id=item.pk,
                model_id=model.pk,
                scores={k[2:]: int(v) for k, v in data.items() if k.startswith("c_")},
                comment=data["comment"],
                version=data["version"],
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"Your scores of {item.code} are saved.")
            return redirect("request_detail", request_id=item.pk)
    return _area(request, "score_form", {"item": item, "model": model, "form": form}, "intake")


def _weights(request: HttpRequest, model: ScoringModel) -> dict[str, float]:
    weights = {}
    for c in model.criteria.all():
        raw = request.GET.get(f"w_{c.pk}")
        try:
            value = float(raw) if raw not in (None, "") else None
        except ValueError:
            value = None
        if value is not None and 0 <= value <= 100:
            weights[str(c.pk)] = value
    return weights


@page("GET")
def ranking(request: HttpRequest) -> HttpResponse:
    require_portfolio_reader(request.user)
    models = list(selectors.scoring_models(active_only=True))
    chosen = request.GET.get("model")
    model = next((m for m in models if str(m.pk) == chosen), models[0] if models else None)
    portfolio_id = request.GET.get("portfolio", "")
    portfolio_id = int(portfolio_id) if portfolio_id.isdigit() else None
    weights = _weights(request, model) if model else {}
    rows = (
        selectors.ranking(
            actor=request.user, model=model, weights=weights, portfolio_id=portfolio_id
        )
        if model
        else []
    )
    criteria = (
        [{"c": c, "weight": weights.get(str(c.pk), float(c.weight))} for c in model.criteria.all()]
        if model
        else []
    )
    context = {
        "models": models,
        "model": model,
        "rows": rows,
        "criteria": criteria,
        "changed": bool(weights)
        and any(
            float(c.weight) != weights.get(str(c.pk), float(c.weight)) for c in model.criteria.all()
        ),  # type: ignore[union-attr]
        "portfolios": selectors.portfolio_list(),
        "portfolio_id": portfolio_id,
    }
    if request.htmx and not request.htmx.history_restore_request:  # type: ignore[attr-defined]
        return render(request, "web/portfolio/ranking.html#table", context)
    return _area(request, "ranking", context, "scoring")


# --- scenarios ----------------------------------------------------------------------------------


class ScenarioForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    portfolio = forms.ModelChoiceField(queryset=Portfolio.objects.all())
    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=_textarea(2))
    first_year = forms.IntegerField(min_value=2000, max_value=2200)
    periods = forms.IntegerField(
        label="Years", min_value=1, max_value=MAX_PERIODS, initial=3, help_text="The horizon."
    )
    value_basis = forms.ChoiceField(
        label="Value requests by", choices=ValueBasis.choices, initial=ValueBasis.SCORE
    )
    scoring_model = forms.ModelChoiceField(
        queryset=ScoringModel.objects.filter(is_active=True), required=False
    )
    budget = AmountsField(label="Budget by year", required=True)
    capacity = forms.CharField(
        label="Capacity by job role",
        required=False,
        widget=_textarea(4),
        help_text="Hours a year per role, e.g. Developer: 3000, 3000, 3000. Empty: the resource "
        "pool's free capacity (its supply less running projects' assignments).",
    )
    candidates = forms.ModelMultipleChoiceField(
        queryset=IntakeRequest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every open request of the portfolio.",
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["candidates"].queryset = (
            IntakeRequest.objects.filter(  # type: ignore[attr-defined]
                state__in=services.CANDIDATE_STATES
            )
            .select_related("portfolio")
            .order_by("portfolio__name", "number")
        )
        self.fields["candidates"].label_from_instance = lambda r: f"{r} ({r.portfolio})"  # type: ignore[attr-defined]

    def clean_capacity(self) -> dict[str, list[Decimal]]:
        capacity: dict[str, list[Decimal]] = {}
        for line in filter(None, (x.strip() for x in self.cleaned_data["capacity"].splitlines())):
            name, sep, hours = line.partition(":")
            if not sep:
                raise forms.ValidationError(DEMAND_LINE.format(line=line))
            capacity[name.strip()] = _amounts(hours)
        return capacity

    def service_data(self, *, windows: dict[int, tuple[int, int]]) -> dict[str, Any]:
        d = self.cleaned_data
        data = {
            "name": d["name"],
            "description": d["description"],
            "first_year": d["first_year"],
            "periods": d["periods"],
            "value_basis": d["value_basis"],
            "scoring_model_id": d["scoring_model"].pk if d["scoring_model"] else None,
            "budget": d["budget"],
            "capacity": d["capacity"],
        }
        if d["candidates"]:
            data["candidates"] = [
                {
                    "request_id": r.pk,
                    "earliest_start": windows.get(r.pk, (0, 0))[0],
                    "latest_start": windows.get(r.pk, (0, 0))[1],
                }
                for r in d["candidates"]
            ]
        else:
            data["candidates"] = None
        return data


def _windows(request: HttpRequest) -> dict[int, tuple[int, int]]:
    """Start windows typed next to candidates: 'window_<id>' = '0-2' (years from the first)."""
    windows = {}
    for key, value in request.POST.items():
        if key.startswith("window_") and key[7:].isdigit() and value.strip():
            first, _, last = value.partition("-")
            try:
                windows[int(key[7:])] = (int(first), int(last or first))
            except ValueError:
                continue
    return windows


@page("GET")
def scenario_list(request: HttpRequest) -> HttpResponse:
    scenarios = list(selectors.scenario_list(actor=request.user))
    return _area(request, "scenario_list", {"scenarios": scenarios}, "scenarios")


@page("GET", "POST")
def scenario_create(request: HttpRequest) -> HttpResponse:
    require_pmo(request.user, "build scenarios")
    form = ScenarioForm(request.POST or None, initial={"first_year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.service_data(windows=_windows(request))
        data["portfolio_id"] = form.cleaned_data["portfolio"].pk
        if data["candidates"] is None:
            data.pop("candidates")
        created = attempt(
            request, lambda: services.scenario_create(actor=request.user, data=data), form=form
        )
        if created:
            messages.success(
                request, f"Scenario '{created.name}' saved; run it to see the selection."
            )
            return redirect("scenario_detail", scenario_id=created.pk)
    return _area(request, "scenario_form", {"form": form}, "scenarios")


@page("GET", "POST")
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get(actor=request.user, scenario_id=scenario_id)
    require_pmo(request.user, "build scenarios")
    candidates = selectors.scenario_candidates(scenario)
    initial = {
        "version": scenario.version,
        "portfolio": scenario.portfolio_id,
        "name": scenario.name,
        "description": scenario.description,
        "first_year": scenario.first_year,
        "periods": scenario.periods,
        "value_basis": scenario.value_basis,
        "scoring_model": scenario.scoring_model_id,
        "budget": _text([Decimal(b) for b in scenario.budget]),
        "capacity": "\n".join(
            f"{role}: {_text([Decimal(h) for h in hours])}"
            for role, hours in scenario.capacity.items()
        ),
        "candidates": [c.request_id for c in candidates],
    }
    form = ScenarioForm(request.POST or None, initial=initial)
    form.fields["portfolio"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.service_data(windows=_windows(request))
        if data["candidates"] is None:
            data["candidates"] = [{"request_id": c.request_id} for c in candidates] or None
        saved = attempt(
            request,
            lambda: services.scenario_update(
                actor=request.user,
                scenario_id=scenario.pk,
                version=form.cleaned_data["version"],
                data={k: v for k, v in data.items() if v is not None or k != "candidates"},
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"Scenario '{saved.name}' saved; run it again.")
            return redirect("scenario_detail", scenario_id=scenario.pk)
    windows = {c.request_id: f"{c.earliest_start}-{c.latest_start}" for c in candidates}
    return _area(
        request,
        "scenario_form",
        {"form": form, "scenario": scenario, "windows": windows},
        "scenarios",
    )


def _chart(scenario: Any, results: selectors.ScenarioResults | None) -> dict[str, Any]:
    if results is None:
        return {}
    years = [str(scenario.first_year + k) for k in range(scenario.periods)]
    return {
        "years": years,
        "budget": results.optimal.budget,
        "optimal_cost": results.optimal.cost,
        "greedy_cost": results.greedy.cost,
        "frontier": results.frontier,
        "optimal_value": results.optimal.value,
        "greedy_value": results.greedy.value,
        "total_budget": sum(results.optimal.budget),
        "greedy_cost_total": results.greedy.total_cost,
        "optimal_cost_total": results.optimal.total_cost,
    }


@page("GET")
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get(actor=request.user, scenario_id=scenario_id)
    results = selectors.scenario_results(scenario)
    candidates = selectors.scenario_candidates(scenario)
    capacity = (
        None if scenario.capacity else adapters.pool_capacity(scenario.first_year, scenario.periods)
    )
    years = [scenario.first_year + k for k in range(scenario.periods)]
    context = {
        "scenario": scenario,
        "results": results,
        "candidates": candidates,
        "pool": capacity,
        "years": years,
        "chart": _chart(scenario, results),
        "pmo": is_pmo(request.user),
    }
    return _area(request, "scenario_detail", context, "scenarios")


@page("POST")
def scenario_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    ran = attempt(
        request, lambda: services.scenario_run(actor=request.user, scenario_id=scenario_id)
    )
    if ran:
        messages.success(request, "Scenario run.")
    return redirect("scenario_detail", scenario_id=scenario_id)


@page("POST")
def scenario_approve(request: HttpRequest, scenario_id: int) -> HttpResponse:
    version = request.POST.get("version", "")
    approved = attempt(
        request,
        lambda: services.scenario_approve(
            actor=request.user,
            scenario_id=scenario_id,
            version=int(version) if version.isdigit() else None,
        ),
    )
    if approved is not None:
        codes = ", ".join(r.code for r in approved) or "none newly"
        messages.success(request, f"Scenario approved; requests approved: {codes}.")
    return redirect("scenario_detail", scenario_id=scenario_id)


@page("POST")
def scenario_copy(request: HttpRequest, scenario_id: int) -> HttpResponse:
    copy = attempt(
        request, lambda: services.scenario_copy(actor=request.user, scenario_id=scenario_id)
    )
    if copy:
        messages.success(request, f"Scenario copied as '{copy.name}'.")
        return redirect("scenario_detail", scenario_id=copy.pk)
    return redirect("scenario_detail", scenario_id=scenario_id)


@page("POST")
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    if attempt(
        request,
        lambda: services.scenario_delete(actor=request.user, scenario_id=scenario_id) or True,
    ):
        messages.success(request, "Scenario deleted.")
        return redirect("scenario_list")
    return redirect("scenario_detail", scenario_id=scenario_id)


@page("GET")
def scenario_compare(request: HttpRequest) -> HttpResponse:
    scenarios = list(selectors.scenario_list(actor=request.user))
    a_id, b_id = request.GET.get("a", ""), request.GET.get("b", "")
    sides = []
    for chosen in (a_id, b_id):
        if chosen.isdigit():
            s = selectors.scenario_get(actor=request.user, scenario_id=int(chosen))
            sides.append({"scenario": s, "results": selectors.scenario_results(s)})
    years = sorted(
        {s["scenario"].first_year + k for s in sides for k in range(s["scenario"].periods)}
    )
    rows = []
    for side in sides:
        s, res = side["scenario"], side["results"]
        by_year = {}
        if res:
            for k, cost in enumerate(res.optimal.cost):
                by_year[s.first_year + k] = (cost, res.optimal.budget[k])
        side["cost_by_year"] = [by_year.get(y) for y in years]
        side["utilisation"] = (
            {
                role: [
                    dict(zip([s.first_year + k for k in range(s.periods)], v, strict=True)).get(y)
                    for y in years
                ]
                for role, v in res.optimal.utilisation.items()
            }
            if res
            else {}
        )
        rows.append(side)
    return _area(
        request,
        "scenario_compare",
        {"scenarios": scenarios, "sides": rows, "years": years, "a": a_id, "b": b_id},
        "scenarios",
    )


# --- goals and scoring models (kept by the PMO) -------------------------------------------------


class GoalForm(forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=_textarea(2))


@page("GET", "POST")
def goal_list(request: HttpRequest) -> HttpResponse:
    require_portfolio_reader(request.user)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: services.goal_create(actor=request.user, data=form.cleaned_data),
            form=form,
        )
        if created:
            messages.success(request, f"Goal '{created}' added.")
            return redirect("goal_list")
    goals = list(selectors.goal_list().annotate(n=Count("requests")))
    return _area(
        request, "goals", {"goals": goals, "form": form, "pmo": is_pmo(request.user)}, "scoring"
    )


@page("POST")
def goal_toggle(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = OrganisationGoal.objects.filter(pk=goal_id).first()
    if goal is None:
        raise Http404("Goal not found.")
    saved = attempt(
        request,
        lambda: services.goal_update(
            actor=request.user,
            goal_id=goal_id,
            version=None,
            data={"is_active": not goal.is_active},
        ),
    )
    if saved:
        messages.success(request, f"Goal '{saved}' {'reopened' if saved.is_active else 'retired'}.")
    return redirect("goal_list")


CRITERIA_HELP = (
    "One criterion a line: name | weight | top of the scale | what each score means, separated "
    "by semicolons. E.g. Strategic alignment | 3 | 5 | No link; Indirect; One goal; Strong; Core"
)


class ScoringModelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=_textarea(2))
    is_active = forms.BooleanField(label="In use", required=False, initial=True)
    criteria = forms.CharField(widget=_textarea(6), help_text=CRITERIA_HELP)

    def clean_criteria(self) -> list[dict[str, Any]]:
        rows = []
        for line in filter(None, (x.strip() for x in self.cleaned_data["criteria"].splitlines())):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 3 or not parts[0]:
                raise forms.ValidationError(f"Write '{line}' as name | weight | top of the scale.")
            try:
                weight, scale_max = Decimal(parts[1]), int(parts[2])
            except (InvalidOperation, ValueError):
                raise forms.ValidationError(
                    f"In '{line}', the weight and the top of the scale must be numbers."
                ) from None
            levels = [x.strip() for x in parts[3].split(";")] if len(parts) > 3 else []
            rows.append(
                {"name": parts[0], "weight": weight, "scale_max": scale_max, "levels": levels}
            )
        return rows

    @staticmethod
    def text(model: ScoringModel) -> str:
        return "\n".join(
            f"{c.name} | {c.weight.normalize():f} | {c.scale_max}"
            + (f" | {'; '.join(c.levels)}" if c.levels else "")
            for c in model.criteria.all()
        )


@page("GET")
def scoring_model_list(request: HttpRequest) -> HttpResponse:
    require_portfolio_reader(request.user)
    models = list(selectors.scoring_models())
    return _area(
        request, "scoring_models", {"models": models, "pmo": is_pmo(request.user)}, "scoring"
    )


@page("GET", "POST")
def scoring_model_edit(request: HttpRequest, model_id: int | None = None) -> HttpResponse:
    require_pmo(request.user, "keep scoring models")
    model = selectors.scoring_model_get(model_id) if model_id else None
    initial = (
        {
            "version": model.version,
            "name": model.name,
            "description": model.description,
            "is_active": model.is_active,
            "criteria": ScoringModelForm.text(model),
        }
        if model
        else {}
    )
    form = ScoringModelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if model is not None:
            # criteria keep their identity by name, so scores given on them stay attached
            ids = {c.name.lower(): c.pk for c in model.criteria.all()}
            for c in data["criteria"]:
                c["id"] = ids.get(c["name"].lower())
        saved = attempt(
            request,
            lambda: (
                services.scoring_model_update(
                    actor=request.user,
                    model_id=model.pk,
                    version=form.cleaned_data["version"],
                    data=data,
                )
                if model
                else services.scoring_model_create(actor=request.user, data=data)
            ),
            form=form,
        )
        if saved:
            messages.success(request, f"Scoring model '{saved}' saved.")
            return redirect("scoring_model_list")
    return _area(request, "scoring_model_form", {"form": form, "model": model}, "scoring")
