"""Reads on portfolios: the overview, intake requests with their money and reference class,
scores and rankings. Lists cost a constant number of queries however many rows they hold."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from pmo.core.errors import NotFound
from pmo.planning.models import Baseline, BaselineTask, Schedule, Task
from pmo.projects.models import Health, Project, Stage, Status
from pmo.projects.policies import is_pmo, visible_projects

from . import rollup
from .finance import Finance, finance
from .models import (
    Assessment,
    Criterion,
    EstimateKind,
    IntakeRequest,
    OrganisationGoal,
    Portfolio,
    Program,
    ReportPack,
    RequestState,
    Scenario,
    ScenarioCandidate,
    ScoringModel,
)
from .policies import (
    access_pack,
    access_program,
    access_request,
    require_dashboard_reader,
    require_portfolio_reader,
    visible_packs,
    visible_programs,
    visible_requests,
)
from .rollup import ZERO, ProjectFigures, Totals
from .scoring import Scale, mean_scores, normalised_total, rank

MODEL_NOT_FOUND = "Scoring model {id} not found."
# Reference class: below this many comparable finished projects, no percentiles are given.
MIN_COMPARABLE = 3
# Size bands by first-baseline cost: (upper bound exclusive, label)
SIZE_BANDS: tuple[tuple[Decimal | None, str], ...] = (
    (Decimal(100_000), "under 100k"),
    (Decimal(1_000_000), "100k to 1M"),
    (None, "1M and over"),
)
NOT_ENOUGH = "Not enough comparable projects: {n} finished project(s) of size {band}, {min} needed."


def portfolio_list() -> QuerySet[Portfolio]:
    return Portfolio.objects.select_related("owner")


def goal_list() -> QuerySet[OrganisationGoal]:
    return OrganisationGoal.objects.all()


def _share(counts: dict[str, int], choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    total = sum(counts.values()) or 1
    return [
        {"key": key, "label": label, "n": counts[key], "percent": round(100 * counts[key] / total)}
        for key, label in choices
        if counts.get(key)
    ]


def portfolio_summary(*, actor: Any) -> list[dict[str, Any]]:
    """Per portfolio (and 'No portfolio'): project counts by stage and by health."""
    rows = (
        visible_projects(actor)
        .values("portfolio_id", "portfolio__name", "stage", "health")
        .annotate(n=Count("pk"))
        .order_by("portfolio__name")
    )
    groups: dict[Any, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["portfolio_id"],
            {
                "name": row["portfolio__name"] or "No portfolio",
                "id": row["portfolio_id"],
                "stages": {},
                "health": {},
                "total": 0,
            },
        )
        group["stages"][row["stage"]] = group["stages"].get(row["stage"], 0) + row["n"]
        group["health"][row["health"]] = group["health"].get(row["health"], 0) + row["n"]
        group["total"] += row["n"]
    return [
        {
            **g,
            "stages": _share(g["stages"], Stage.choices),
            "health": _share(g["health"], Health.choices),
        }
        for g in groups.values()
    ]


def intake_counts(*, actor: Any) -> list[dict[str, Any]]:
    """How many requests `actor` sees in each state."""
    counts = dict(
        visible_requests(actor).values_list("state").annotate(n=Count("pk")).order_by("state")
    )
    return [
        {"key": key, "label": label, "n": counts.get(key, 0)} for key, label in RequestState.choices
    ]


# --- requests -----------------------------------------------------------------------------------


def _with_related(qs: QuerySet[IntakeRequest]) -> QuerySet[IntakeRequest]:
    return qs.select_related("requester", "sponsor", "portfolio", "project").prefetch_related(
        "estimates",
        Prefetch("goals", queryset=OrganisationGoal.objects.order_by("name")),
        Prefetch("requires", queryset=IntakeRequest.objects.order_by("number")),
        Prefetch("excludes", queryset=IntakeRequest.objects.order_by("number")),
        Prefetch("requires_projects", queryset=Project.objects.order_by("code")),
        "demands__role",
        "attachments",
    )


def request_list(
    *, actor: Any, state: str = "", portfolio_id: int | None = None, search: str = ""
) -> QuerySet[IntakeRequest]:
    qs = visible_requests(actor)
    if state:
        qs = qs.filter(state=state)
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(problem__icontains=search))
    return _with_related(qs).order_by("-number")


def request_get(*, actor: Any, request_id: Any) -> IntakeRequest:
    pk = access_request(actor, request_id).pk
    return _with_related(IntakeRequest.objects.filter(pk=pk)).get()


def amounts(request: IntakeRequest, kind: str) -> list[Decimal]:
    """Yearly amounts of one kind from the prefetched estimates, year 1 first."""
    rows = [e for e in request.estimates.all() if e.kind == kind]
    if not rows:
        return []
    values = [Decimal(0)] * (max(e.period for e in rows) + 1)
    for e in rows:
        values[e.period] = e.amount
    return values


def request_costs(request: IntakeRequest) -> list[Decimal]:
    return amounts(request, EstimateKind.COST)


def request_benefits(request: IntakeRequest) -> list[Decimal]:
    return amounts(request, EstimateKind.BENEFIT)


def request_demand(request: IntakeRequest) -> dict[str, list[Decimal]]:
    """Hours per job role name and year, from the prefetched demand."""
    rows = list(request.demands.all())
    if not rows:
        return {}
    years = max(d.period for d in rows) + 1
    demand: dict[str, list[Decimal]] = {}
    for d in rows:
        demand.setdefault(d.role.name, [Decimal(0)] * years)[d.period] = d.hours
    return dict(sorted(demand.items()))


def request_demand_by_id(request: IntakeRequest) -> dict[int, list[Decimal]]:
    rows = list(request.demands.all())
    years = max((d.period for d in rows), default=-1) + 1
    demand: dict[int, list[Decimal]] = {}
    for d in rows:
        demand.setdefault(d.role_id, [Decimal(0)] * years)[d.period] = d.hours
    return demand


def request_finance(request: IntakeRequest) -> Finance:
    rate = request.portfolio.discount_rate if request.portfolio else Decimal("8.00")
    return finance(request_costs(request), request_benefits(request), rate)


# --- reference class ----------------------------------------------------------------------------


def size_band(cost: Decimal) -> str:
    for upper, label in SIZE_BANDS:
        if upper is None or cost < upper:
            return label
    return SIZE_BANDS[-1][1]


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass(frozen=True)
class Comparable:
    project: Project
    baseline_days: int
    actual_days: int
    baseline_cost: Decimal
    actual_cost: Decimal

    @property
    def duration_ratio(self) -> float:
        return self.actual_days / self.baseline_days

    @property
    def cost_ratio(self) -> float | None:
        return float(self.actual_cost / self.baseline_cost) if self.baseline_cost else None


@dataclass(frozen=True)
class ReferenceClass:
    band: str
    scope: str  # "portfolio X" when enough projects of the request's portfolio, else "all"
    projects: list[Comparable]
    enough: bool
    message: str = ""
    estimate_days: int | None = None
    estimate_cost: Decimal | None = None
    duration: dict[str, float] = field(default_factory=dict)  # P50/P80 in days
    cost: dict[str, float] = field(default_factory=dict)  # P50/P80 in money
    duration_overrun: dict[str, float] = field(default_factory=dict)  # ratios
    cost_overrun: dict[str, float] = field(default_factory=dict)


def finished_projects_with_baselines() -> list[Comparable]:
    """Closing or closed projects with a baseline: first baseline vs actual or forecast."""
    projects = list(
        Project.objects.filter(
            Q(stage__in=[Stage.CLOSING, Stage.CLOSED]) | Q(actual_finish__isnull=False)
        )
        .select_related("portfolio")
        .order_by("code")
    )
    ids = [p.pk for p in projects]
    first: dict[int, Baseline] = {}
    for b in Baseline.objects.filter(project_id__in=ids).order_by("project_id", "created_at", "pk"):
        first.setdefault(b.project_id, b)
    baseline_costs = dict(
        BaselineTask.objects.filter(baseline__in=first.values())
        .filter(Q(task__isnull=True) | Q(task__is_summary=False))
        .values_list("baseline__project_id")
        .annotate(total=Sum("cost"))
    )
    current_costs = dict(
        Task.objects.filter(project_id__in=ids, is_summary=False)
        .values_list("project_id")
        .annotate(total=Sum("planned_cost"))
    )
    schedules = {s.project_id: s for s in Schedule.objects.filter(project_id__in=ids)}
    rows = []
    for p in projects:
        base = first.get(p.pk)
        if base is None or base.start is None or base.finish is None:
            continue
        schedule = schedules.get(p.pk)
        start = p.actual_start or (schedule.start if schedule else None) or base.start
        finish = p.actual_finish or (schedule.finish if schedule else None)
        if finish is None:
            continue
        rows.append(
            Comparable(
                project=p,
                baseline_days=(base.finish - base.start).days + 1,
                actual_days=max((finish - start).days + 1, 1),
                baseline_cost=baseline_costs.get(p.pk) or Decimal(0),
                actual_cost=current_costs.get(p.pk) or Decimal(0),
            )
        )
    return rows


def reference_class(request: IntakeRequest) -> ReferenceClass:
    """P50/P80 duration and cost for the request from the overruns of finished projects of the
    same size band (by first-baseline cost), next to the requester's own estimate."""
    estimate_cost = sum(request_costs(request), start=Decimal(0))
    band = size_band(estimate_cost)
    estimate_days = (
        (request.target_finish - request.target_start).days + 1
        if request.target_start and request.target_finish
        else None
    )
    comparable = [
        c for c in finished_projects_with_baselines() if size_band(c.baseline_cost) == band
    ]
    # The portfolio stands for the kind of work: its own projects first, when there are enough.
    scope = "every portfolio"
    own = [
        c
        for c in comparable
        if request.portfolio_id and c.project.portfolio_id == request.portfolio_id
    ]
    if len(own) >= MIN_COMPARABLE:
        comparable, scope = own, f"portfolio {request.portfolio}"
    if len(comparable) < MIN_COMPARABLE:
        return ReferenceClass(
            band=band,
            scope=scope,
            projects=comparable,
            enough=False,
            message=NOT_ENOUGH.format(n=len(comparable), band=band, min=MIN_COMPARABLE),
            estimate_days=estimate_days,
            estimate_cost=estimate_cost,
        )
    durations = [c.duration_ratio for c in comparable]
    costs = [r for c in comparable if (r := c.cost_ratio) is not None]
    duration_overrun = {
        p: round(percentile(durations, q), 3) for p, q in (("P50", 50), ("P80", 80))
    }
    cost_overrun = (
        {p: round(percentile(costs, q), 3) for p, q in (("P50", 50), ("P80", 80))} if costs else {}
    )
    return ReferenceClass(
        band=band,
        scope=scope,
        projects=comparable,
        enough=True,
        estimate_days=estimate_days,
        estimate_cost=estimate_cost,
        duration_overrun=duration_overrun,
        cost_overrun=cost_overrun,
        duration=(
            {p: round(estimate_days * r) for p, r in duration_overrun.items()}
            if estimate_days
            else {}
        ),
        cost={p: round(float(estimate_cost) * r, 2) for p, r in cost_overrun.items()},
    )


# --- scoring ------------------------------------------------------------------------------------


def scoring_models(*, active_only: bool = False) -> QuerySet[ScoringModel]:
    qs = ScoringModel.objects.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )
    return qs.filter(is_active=True) if active_only else qs


def scoring_model_get(model_id: Any) -> ScoringModel:
    model = scoring_models().filter(pk=model_id).first() if model_id else None
    if model is None:
        raise NotFound(MODEL_NOT_FOUND.format(id=model_id))
    return model


@dataclass(frozen=True)
class RankedRequest:
    request: IntakeRequest
    means: dict[str, float]
    assessors: int
    total: float | None
    rank: int | None
    base_total: float | None
    base_rank: int | None

    @property
    def movement(self) -> int | None:
        """Places gained (positive) or lost against the model's own weights."""
        if self.rank is None or self.base_rank is None:
            return None
        return self.base_rank - self.rank


def _scales(model: ScoringModel, weights: Mapping[str, float] | None = None) -> list[Scale]:
    return [
        Scale(
            str(c.pk),
            float(weights[str(c.pk)]) if weights and str(c.pk) in weights else float(c.weight),
            c.scale_max,
        )
        for c in model.criteria.all()
    ]


def request_scores(
    model: ScoringModel, requests: Iterable[IntakeRequest]
) -> dict[int, tuple[dict[str, float], int]]:
    """Per request id: mean score per criterion id and the number of assessors."""
    ids = [r.pk for r in requests]
    keys = [str(c.pk) for c in model.criteria.all()]
    by_request: dict[int, list[dict[str, int]]] = {pk: [] for pk in ids}
    for request_id, scores in Assessment.objects.filter(
        model=model, request_id__in=ids
    ).values_list("request_id", "scores"):
        by_request[request_id].append(scores)
    return {pk: (mean_scores(rows, keys), len(rows)) for pk, rows in by_request.items()}


RANKED_STATES = (
    RequestState.SUBMITTED,
    RequestState.IN_ASSESSMENT,
    RequestState.APPROVED,
    RequestState.DEFERRED,
)


def ranking(
    *,
    actor: Any,
    model: ScoringModel,
    weights: Mapping[str, float] | None = None,
    portfolio_id: int | None = None,
) -> list[RankedRequest]:
    """Requests under consideration ranked by their normalised total under `weights` (criterion
    id to weight; the model's own weights where absent), with their rank under the model's."""
    require_portfolio_reader(actor)
    qs = visible_requests(actor).filter(state__in=RANKED_STATES)
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    requests = list(qs.select_related("portfolio").order_by("number"))
    scores = request_scores(model, requests)
    scales, base_scales = _scales(model, weights), _scales(model)
    totals = {r.pk: normalised_total(scores[r.pk][0], scales) for r in requests}
    base_totals = {r.pk: normalised_total(scores[r.pk][0], base_scales) for r in requests}
    ranks, base_ranks = rank(totals), rank(base_totals)
    rows = [
        RankedRequest(
            request=r,
            means=scores[r.pk][0],
            assessors=scores[r.pk][1],
            total=totals[r.pk],
            rank=ranks.get(r.pk),
            base_total=base_totals[r.pk],
            base_rank=base_ranks.get(r.pk),
        )
        for r in requests
    ]
    rows.sort(key=lambda x: (x.rank is None, x.rank or 0, x.request.number))
    return rows


def assessments_of(request: IntakeRequest) -> list[Assessment]:
    return list(
        Assessment.objects.filter(request=request)
        .select_related("assessor", "model")
        .order_by("model__name", "assessor__username")
    )


def request_totals(
    model: ScoringModel, requests: Iterable[IntakeRequest]
) -> dict[int, float | None]:
    """Normalised totals under the model's own weights (for scenario values)."""
    requests = list(requests)
    scores = request_scores(model, requests)
    scales = _scales(model)
    return {r.pk: normalised_total(scores[r.pk][0], scales) for r in requests}


# --- scenarios ----------------------------------------------------------------------------------

SCENARIO_NOT_FOUND = "Scenario {id} not found."


def scenario_list(*, actor: Any, portfolio_id: int | None = None) -> QuerySet[Scenario]:
    require_portfolio_reader(actor)
    qs = Scenario.objects.select_related("portfolio", "scoring_model", "created_by").annotate(
        candidate_count=Count("candidates")
    )
    if not is_pmo(actor):
        qs = qs.filter(portfolio__owner=actor)
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    return qs.order_by("portfolio__name", "name")


def scenario_get(*, actor: Any, scenario_id: Any) -> Scenario:
    scenario = scenario_list(actor=actor).filter(pk=scenario_id).first() if scenario_id else None
    if scenario is None:
        raise NotFound(SCENARIO_NOT_FOUND.format(id=scenario_id))
    return scenario


def scenario_candidates(scenario: Scenario) -> list[ScenarioCandidate]:
    """The candidates with what the engine's problem needs prefetched."""
    return list(
        ScenarioCandidate.objects.filter(scenario=scenario)
        .select_related("request__portfolio")
        .prefetch_related(
            "request__estimates",
            "request__demands__role",
            Prefetch("request__requires", queryset=IntakeRequest.objects.order_by("number")),
            Prefetch("request__excludes", queryset=IntakeRequest.objects.order_by("number")),
        )
        .order_by("request__number")
    )


@dataclass(frozen=True)
class Profile:
    """What a selection costs and uses, year by year."""

    value: float
    ids: list[str]
    starts: dict[str, int]
    cost: list[float]
    budget: list[float]
    demand: dict[str, list[float]]
    capacity: dict[str, list[float]]
    load: dict[str, list[float]]

    @property
    def utilisation(self) -> dict[str, list[float | None]]:
        """(Running projects' load + the selection's demand) / capacity per role and year, in
        percent, for the roles the selection uses; None where there is neither; 999.9 where
        there is demand and no capacity."""
        table: dict[str, list[float | None]] = {}
        for role, hours in self.demand.items():
            caps = self.capacity.get(role, [0.0] * len(hours))
            load = self.load.get(role, [0.0] * len(hours))
            table[role] = [
                None if not cap and not (h + ld) else
                (round(100 * (h + ld) / cap, 1) if cap else 999.9)
                for h, ld, cap in zip(hours, load, caps, strict=True)
            ]  # fmt: skip
        return table

    @property
    def total_cost(self) -> float:
        return round(sum(self.cost), 2)


def profile(problem: Mapping[str, Any], selected: Sequence[Mapping[str, Any]]) -> Profile:
    periods = int(problem["periods"])
    by_id = {c["id"]: c for c in problem["candidates"]}
    cost = [0.0] * periods
    capacity = {r: list(map(float, h)) for r, h in problem["capacity"].items()}
    demand = {r: [0.0] * periods for r in capacity}
    value = 0.0
    starts = {}
    for item in selected:
        cand = by_id[item["id"]]
        start = int(item.get("start", 0))
        starts[item["id"]] = start
        value += float(cand["value"])
        for k, amount in enumerate(cand["cost"]):
            cost[start + k] += float(amount)
        for role, hours in cand["demand"].items():
            row = demand.setdefault(role, [0.0] * periods)
            for k, h in enumerate(hours):
                row[start + k] += float(h)
    return Profile(
        value=round(value, 2),
        ids=sorted(starts),
        starts=starts,
        cost=[round(c, 2) for c in cost],
        budget=[float(b) for b in problem["budget"]],
        demand={r: [round(h, 1) for h in v] for r, v in demand.items() if any(v)},
        capacity=capacity,
        load={r: list(map(float, h)) for r, h in problem.get("load", {}).items()},
    )


@dataclass(frozen=True)
class ScenarioResults:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    message: str
    seconds: float | None
    optimal: Profile
    greedy: Profile
    only_optimal: list[str]
    only_greedy: list[str]
    left_out: dict[str, str]
    frontier: list[dict[str, float]]
    titles: dict[str, str]

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap is None else round(100 * self.gap, 3)

    @property
    def solved(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def value_gained(self) -> float:
        return round(self.optimal.value - self.greedy.value, 2)

    @property
    def gain_percent(self) -> float | None:
        if not self.greedy.value:
            return None
        return round(100 * self.value_gained / self.greedy.value, 1)


def scenario_results(scenario: Scenario) -> ScenarioResults | None:
    """The last run, shaped for reading: None if the scenario was not run since it changed."""
    result = scenario.result
    if not result:
        return None
    problem = result["problem"]
    optimal = profile(problem, result.get("selected", []))
    greedy = profile(problem, result.get("greedy", {}).get("selected", []))
    return ScenarioResults(
        status=result["status"],
        objective=result.get("objective"),
        bound=result.get("bound"),
        gap=result.get("gap"),
        message=result.get("message", ""),
        seconds=result.get("seconds"),
        optimal=optimal,
        greedy=greedy,
        only_optimal=sorted(set(optimal.ids) - set(greedy.ids)),
        only_greedy=sorted(set(greedy.ids) - set(optimal.ids)),
        left_out=result.get("left_out", {}),
        frontier=result.get("frontier", []),
        titles=result.get("titles", {}),
    )


# --- programs -----------------------------------------------------------------------------------


def program_list(*, actor: Any) -> list[tuple[Program, Totals]]:
    """Programs `actor` sees with the roll-up of the projects of theirs `actor` sees (a constant
    number of queries)."""
    programs = list(visible_programs(actor, Program.objects.select_related("portfolio", "manager")))
    figures = rollup.project_figures(
        visible_projects(actor).filter(program_link__program__in=[p.pk for p in programs])
    )
    by_program: dict[int, list[ProjectFigures]] = {}
    for f in figures:
        by_program.setdefault(f.program_id or 0, []).append(f)
    return [(p, rollup.totals(by_program.get(p.pk, []))) for p in programs]


@dataclass
class ProgramRollup:
    program: Program
    projects: list[ProjectFigures]
    totals: Totals
    top_risks: list[Any]
    hidden: int  # projects of the program the reader does not see
    evm: Any = None  # earned value roll-up from the monitoring context, when present


def program_get(*, actor: Any, program_id: Any) -> Program:
    return access_program(actor, program_id)


def program_rollup(*, actor: Any, program: Program) -> ProgramRollup:
    """The program's projects (those `actor` sees) and their schedule, cost, risk and health."""
    projects = visible_projects(actor).filter(program_link__program=program)
    figures = rollup.project_figures(projects)
    hidden = program.links.count() - len(figures)
    evm_rollup = _optional("pmo.monitoring.selectors", "evm_rollup")
    return ProgramRollup(
        program=program,
        projects=figures,
        totals=rollup.totals(figures),
        top_risks=top_risks(projects, limit=10),
        hidden=max(hidden, 0),
        evm=evm_rollup(actor=actor, projects=projects) if evm_rollup and figures else None,
    )


def program_candidates(*, actor: Any) -> QuerySet[Project]:
    """Projects not in any program yet, for the PMO to add."""
    return visible_projects(actor).filter(program_link__isnull=True).order_by("code")


# --- dashboard ----------------------------------------------------------------------------------

TOP = 10


def top_risks(projects: QuerySet[Project], *, limit: int = TOP) -> list[Any]:
    """The highest open threats of these projects, worst first (one query)."""
    from pmo.controls.models import Risk, RiskKind, RiskStatus

    score = ExpressionWrapper(F("probability") * F("impact"), output_field=IntegerField())
    return list(
        Risk.objects.filter(
            project__in=projects.order_by().values("pk"),
            status=RiskStatus.OPEN,
            kind=RiskKind.THREAT,
        )
        .annotate(rank=score)
        .select_related("project", "owner")
        .order_by("-rank", "-impact", "project__code", "number")[:limit]
    )


def escalated_issues(projects: QuerySet[Project], *, limit: int = TOP) -> list[Any]:
    """Issues escalated to the PMO and not answered yet, oldest first (one query)."""
    from pmo.changes.models import Escalation, Issue, IssueStatus

    return list(
        Issue.objects.filter(
            project__in=projects.order_by().values("pk"),
            escalation=Escalation.ESCALATED,
            status__in=(IssueStatus.OPEN, IssueStatus.IN_PROGRESS),
        )
        .select_related("project", "escalated_by")
        .order_by("escalated_at", "pk")[:limit]
    )


# The drill-downs a dashboard figure can link to, besides stage, status, health and phase.
FLAGS = {
    "over_budget": "Actual cost above budget",
    "high_risks": "With open high risks",
    "slipped": "With slipped milestones",
    "escalated": "With escalated issues",
    "no_value": "Without a business case",
    "late_report": "Status report late",
    "non_compliant": "Not fully compliant",
}


@dataclass
class DashboardFilter:
    portfolio_id: int | None = None
    program_id: int | None = None
    stage: str = ""
    status: str = ""
    health: str = ""
    phase: str = ""
    flag: str = ""

    @property
    def scope(self) -> dict[str, Any]:
        """The filters that narrow the dashboard itself (portfolio, program)."""
        return {
            k: v for k, v in (("portfolio", self.portfolio_id), ("program", self.program_id)) if v
        }

    def matches(self, f: ProjectFigures, extra: Mapping[int, Mapping[str, Any]]) -> bool:
        if self.stage and f.stage != self.stage:
            return False
        if self.status and f.status != self.status:
            return False
        if self.health and f.health != self.health:
            return False
        if self.phase and f.phase != self.phase:
            return False
        if not self.flag:
            return True
        test = FLAG_TESTS.get(self.flag)
        return test is not None and test(f, extra.get(f.id, {}))


FLAG_TESTS: dict[str, Any] = {
    "over_budget": lambda f, more: f.actual > f.budget,
    "high_risks": lambda f, more: f.high_risks > 0,
    "slipped": lambda f, more: f.slipped_milestones > 0,
    "escalated": lambda f, more: f.escalated_issues > 0,
    "no_value": lambda f, more: f.value is None,
    "late_report": lambda f, more: bool(more.get("late_report")),
    "non_compliant": lambda f, more: (
        more.get("compliance") is not None and more["compliance"] < 100
    ),
}


def _optional(module: str, name: str) -> Any:
    """A reader of another context that may not be installed yet (None when absent)."""
    import importlib

    from django.apps import apps

    if not apps.is_installed(module.rsplit(".", 1)[0]):
        return None
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _extra_figures(actor: Any, projects: QuerySet[Project]) -> dict[int, dict[str, Any]]:
    """Late status reports and compliance per project, from the monitoring and governance
    contexts when they are present (a constant number of queries each)."""
    extra: dict[int, dict[str, Any]] = {}
    late = _optional("pmo.monitoring.selectors", "late_reports")
    if late is not None:
        for project_id in _project_ids(late(projects)):
            extra.setdefault(project_id, {})["late_report"] = True
    compliance = _optional("pmo.governance.selectors", "compliance_by_project")
    if compliance is not None:
        for project_id, percent in _percent_by_project(compliance(projects)).items():
            extra.setdefault(project_id, {})["compliance"] = percent
    return extra


def _project_ids(rows: Any) -> set[int]:
    """Project ids from `late_reports`' answer: `{project id: [its late reports]}`."""
    if isinstance(rows, Mapping):
        return {int(pk) for pk, late in rows.items() if late}
    return {int(getattr(row, "project_id", row)) for row in rows or ()}


def _percent_by_project(rows: Any) -> dict[int, float]:
    """`compliance_by_project`'s answer, `{project id: score or None}`, without the Nones."""
    items = rows.items() if isinstance(rows, Mapping) else ()
    return {
        int(pk): float(percent)
        for pk, percent in items
        if isinstance(percent, int | float | Decimal)
    }


@dataclass
class Dashboard:
    filters: DashboardFilter
    figures: list[ProjectFigures]
    totals: Totals
    top_risks: list[Any]
    escalated_issues: list[Any]
    extra: dict[int, dict[str, Any]]
    has_late_reports: bool
    has_compliance: bool
    portfolios: list[Portfolio]
    programs: list[Program]

    def _counts(self, attr: str, choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        for f in self.figures:
            key = getattr(f, attr)
            counts[key] = counts.get(key, 0) + 1
        return [{"key": k, "label": label, "n": counts.get(k, 0)} for k, label in choices]

    @property
    def by_stage(self) -> list[dict[str, Any]]:
        return self._counts("stage", Stage.choices)

    @property
    def by_status(self) -> list[dict[str, Any]]:
        return self._counts("status", Status.choices)

    @property
    def by_health(self) -> list[dict[str, Any]]:
        return self._counts("health", Health.choices)

    @property
    def by_phase(self) -> list[dict[str, Any]]:
        return self._counts("phase", [(k, label) for k, label, _ in rollup.PHASES])

    def flag_count(self, flag: str) -> int:
        probe = DashboardFilter(flag=flag)
        return sum(1 for f in self.figures if probe.matches(f, self.extra))

    @property
    def flags(self) -> list[dict[str, Any]]:
        shown = [k for k in FLAGS if k not in ("late_report", "non_compliant")]
        if self.has_late_reports:
            shown.append("late_report")
        if self.has_compliance:
            shown.append("non_compliant")
        return [{"key": k, "label": FLAGS[k], "n": self.flag_count(k)} for k in shown]

    @property
    def compliance_average(self) -> float | None:
        values = [e["compliance"] for e in self.extra.values() if "compliance" in e]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def budget_by_portfolio(self) -> list[dict[str, Any]]:
        groups: dict[Any, dict[str, Any]] = {}
        for f in self.figures:
            g = groups.setdefault(
                f.portfolio_id,
                {
                    "id": f.portfolio_id,
                    "name": f.portfolio or "No portfolio",
                    "budget": ZERO,
                    "actual": ZERO,
                    "eac": ZERO,
                },
            )
            g["budget"] += f.budget
            g["actual"] += f.actual
            g["eac"] += f.eac
        return sorted(groups.values(), key=lambda g: (g["id"] is None, g["name"]))

    @property
    def bubbles(self) -> list[dict[str, Any]]:
        """Value (NPV of the business case) against risk (worst open threat), sized by budget."""
        return [
            {
                "id": f.id,
                "code": f.code,
                "name": f.name,
                "value": float(f.value),
                "risk": f.top_risk_score,
                "cost": float(f.budget),
                "health": f.health,
            }
            for f in self.figures
            if f.value is not None and f.stage != Stage.CLOSED and f.status != Status.CANCELLED
        ]

    @property
    def roadmap(self) -> list[dict[str, Any]]:
        """Bars of the dated projects, grouped by portfolio then program."""
        rows = [f for f in self.figures if f.start and f.finish]
        rows.sort(key=lambda f: (f.portfolio or "~", f.program or "~", f.start, f.code))
        return [
            {
                "id": f.id,
                "code": f.code,
                "name": f.name,
                "group": " / ".join(x for x in (f.portfolio or "No portfolio", f.program) if x),
                "start": f.start.isoformat() if f.start else None,
                "finish": f.finish.isoformat() if f.finish else None,
                "health": f.health,
            }
            for f in rows
        ]

    def matching(self, filters: DashboardFilter) -> list[ProjectFigures]:
        return [f for f in self.figures if filters.matches(f, self.extra)]


def _scoped(actor: Any, filters: DashboardFilter) -> QuerySet[Project]:
    projects = visible_projects(actor)
    if filters.portfolio_id:
        projects = projects.filter(portfolio_id=filters.portfolio_id)
    if filters.program_id:
        projects = projects.filter(program_link__program_id=filters.program_id)
    return projects


def portfolio_dashboard(
    *, actor: Any, filters: DashboardFilter | None = None, with_trend: bool = False
) -> Dashboard:
    """Everything the portfolio dashboard shows, over the projects `actor` sees (narrowed to a
    portfolio or program), in a constant number of queries."""
    require_dashboard_reader(actor)
    filters = filters or DashboardFilter()
    projects = _scoped(actor, filters)
    figures = rollup.project_figures(projects, with_trend=with_trend)
    extra = _extra_figures(actor, projects)
    return Dashboard(
        filters=filters,
        figures=figures,
        totals=rollup.totals(figures),
        top_risks=top_risks(projects),
        escalated_issues=escalated_issues(projects),
        extra=extra,
        has_late_reports=_optional("pmo.monitoring.selectors", "late_reports") is not None,
        has_compliance=_optional("pmo.governance.selectors", "compliance_by_project") is not None,
        portfolios=list(Portfolio.objects.order_by("name")),
        programs=list(visible_programs(actor).order_by("name")),
    )


# --- executive packs ----------------------------------------------------------------------------


def report_pack_list(*, actor: Any) -> QuerySet[ReportPack]:
    require_dashboard_reader(actor)
    return visible_packs(actor)


def report_pack_get(*, actor: Any, pack_id: Any) -> ReportPack:
    require_dashboard_reader(actor)
    return access_pack(actor, pack_id)
