"""Rows of a scenario as the selection engine's portfolio problem, and the resource pool's
yearly capacity by job role (and nothing more).

The problem has the shape `pmo select` reads: `{"periods", "budget", "capacity": {role:
[per period]}, "candidates": [{"id", "value", "cost", "demand", "mandatory", "requires",
"excludes", "start_window"}]}`, candidates' cost and demand counted from their start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q

from pmo.engine.capacity import Periods, capacity_forecast
from pmo.engine.selection import Candidate, Portfolio, efficient_frontier, select
from pmo.planning.models import Calendar, CalendarException
from pmo.resources.adapters import capacity_inputs
from pmo.resources.models import Assignment, JobRole, Resource

from .models import (
    IntakeRequest,
    RequestDemand,
    RequestState,
    Scenario,
    ScenarioCandidate,
    ValueBasis,
)
from .selectors import request_costs, request_demand, request_finance, request_totals

SETTLED = (RequestState.APPROVED, RequestState.CONVERTED)


@dataclass(frozen=True)
class PoolCapacity:
    """Hours per job role and year: the pool's supply, running projects' load, what is left."""

    years: list[int]
    supply: dict[str, list[float]]
    load: dict[str, list[float]]
    pending: dict[str, list[float]] = field(default_factory=dict)

    @property
    def free(self) -> dict[str, list[float]]:
        return {
            role: [
                round(max(s - ld, 0.0), 1) for s, ld in zip(values, self.load[role], strict=True)
            ]
            for role, values in self.supply.items()
        }


def pool_capacity(first_year: int, periods: int) -> PoolCapacity:
    """Supply of the pool by role per year (calendars, availability, employment, exceptions),
    and the demand of existing assignments on those roles as a fixed load."""
    horizon = Periods(dt.date(first_year, 1, 1), 12 * periods, "month")
    first, last = horizon.bounds[0], horizon.bounds[-1] - dt.timedelta(days=1)
    resources = list(
        Resource.objects.select_related("role").prefetch_related("exceptions").order_by("pk")
    )
    assignments = list(
        Assignment.objects.select_related("task", "resource__role")
        .filter(task__early_start__lte=last, task__early_finish__gte=first)
        .order_by("pk")
    )
    calendar_ids = {r.calendar_id for r in resources if r.calendar_id}
    calendars = list(
        Calendar.objects.filter(Q(is_default=True) | Q(pk__in=calendar_ids)).prefetch_related(
            Prefetch("exceptions", queryset=CalendarException.objects.order_by("date"))
        )
    )
    inputs = capacity_inputs(resources, assignments, calendars)
    years = [first_year + k for k in range(periods)]
    supply = {name: [0.0] * periods for name in JobRole.objects.values_list("name", flat=True)}
    load = {name: [0.0] * periods for name in supply}
    if inputs.people or inputs.demands:
        result = capacity_forecast(
            inputs.people,
            inputs.demands,
            horizon,
            inputs.calendars,
            group_by=("role",),
            default_calendar=inputs.default_calendar,
        )
        for i, group in enumerate(result.groups):
            role = group[0]
            supply.setdefault(role, [0.0] * periods)
            load.setdefault(role, [0.0] * periods)
            for month in range(12 * periods):
                supply[role][month // 12] += float(result.supply[i, month])
                load[role][month // 12] += float(result.demand[i, month])
    rounded = {r: [round(v, 1) for v in values] for r, values in supply.items()}
    return PoolCapacity(
        years=years,
        supply=rounded,
        load={r: [round(v, 1) for v in values] for r, values in load.items()},
        pending=pending_demand(first_year, periods),
    )


PENDING = (RequestState.SUBMITTED, RequestState.IN_ASSESSMENT, RequestState.DEFERRED)


def pending_demand(first_year: int, periods: int) -> dict[str, list[float]]:
    """Hours per role and year that requests awaiting a decision would need, each weighted by
    its approval probability and placed from its target start's year (else the first year)."""
    demand: dict[str, list[float]] = {}
    rows = RequestDemand.objects.filter(request__state__in=PENDING).values_list(
        "role__name", "period", "hours", "request__approval_probability", "request__target_start"
    )
    for role, period, hours, probability, start in rows:
        year = (start.year if start else first_year) + period - first_year
        if 0 <= year < periods:
            row = demand.setdefault(role, [0.0] * periods)
            row[year] = round(row[year] + float(hours) * probability / 100, 1)
    return dict(sorted(demand.items()))


@dataclass
class Problem:
    """The engine's input, and why some candidates were left out of it."""

    data: dict[str, Any]
    left_out: dict[str, str] = field(default_factory=dict)  # request code: reason
    codes: dict[str, int] = field(default_factory=dict)  # request code: request id


def _floats(values: Sequence[Decimal]) -> list[float]:
    return [float(v) for v in values]


def candidate_value(
    scenario: Scenario, request: IntakeRequest, totals: Mapping[int, float | None]
) -> float | None:
    """The request's value in the scenario: its score total, or its NPV (never below 0)."""
    if scenario.value_basis == ValueBasis.NPV:
        return max(float(request_finance(request).npv), 0.0)
    return totals.get(request.pk)


def scenario_problem(
    scenario: Scenario,
    candidates: Sequence[ScenarioCandidate],
    capacity: Mapping[str, Sequence[float]],
    load: Mapping[str, Sequence[float]] | None = None,
) -> Problem:
    """`candidates` with their requests' estimates, demand, goals and links prefetched;
    `capacity` the supply per role and year, `load` what running projects already take."""
    requests = [c.request for c in candidates]
    ids = {r.pk for r in requests}
    totals = (
        request_totals(scenario.scoring_model, requests)
        if scenario.value_basis == ValueBasis.SCORE and scenario.scoring_model
        else {}
    )
    problem = Problem(
        data={
            "periods": scenario.periods,
            "budget": [float(b) for b in scenario.budget],
            "capacity": {role: [float(h) for h in hours] for role, hours in capacity.items()},
            "load": {role: [float(h) for h in hours] for role, hours in (load or {}).items()},
            "candidates": [],
        }
    )
    left_out = problem.left_out
    for c in candidates:
        r = c.request
        costs = _floats(request_costs(r))
        demand = {role: _floats(hours) for role, hours in request_demand(r).items()}
        length = max([len(costs), *(len(h) for h in demand.values()), 1])
        latest = min(c.latest_start, scenario.periods - length)
        value = candidate_value(scenario, r, totals)
        if value is None:
            left_out[r.code] = "not scored on the scenario's scoring model"
            continue
        if c.earliest_start > latest:
            left_out[r.code] = (
                f"its {length} year(s) of costs and demand do not fit the horizon from year "
                f"{scenario.first_year + c.earliest_start}"
            )
            continue
        missing = [
            req.code for req in r.requires.all() if req.pk not in ids and req.state not in SETTLED
        ]
        if missing:
            left_out[r.code] = (
                f"it requires {', '.join(missing)}, which is not approved or a candidate"
            )
            continue
        unknown_roles = [role for role in demand if role not in capacity]
        for role in unknown_roles:
            problem.data["capacity"][role] = [0.0] * scenario.periods
        problem.codes[r.code] = r.pk
        problem.data["candidates"].append(
            {
                "id": r.code,
                "value": round(value, 2),
                "cost": costs,
                "demand": demand,
                "mandatory": r.mandatory,
                "requires": [req.code for req in r.requires.all() if req.pk in ids],
                "excludes": [ex.code for ex in r.excludes.all() if ex.pk in ids],
                "start_window": [c.earliest_start, latest],
            }
        )
    # A requirement on a request that was itself left out leaves its dependants out too.
    changed = True
    while changed:
        changed = False
        kept = {cand["id"] for cand in problem.data["candidates"]}
        for cand in list(problem.data["candidates"]):
            gone = [req for req in cand["requires"] if req not in kept]
            if gone:
                problem.data["candidates"].remove(cand)
                problem.codes.pop(cand["id"], None)
                left_out[cand["id"]] = f"it requires {', '.join(gone)}, which was left out"
                changed = True
        kept = {cand["id"] for cand in problem.data["candidates"]}
        for cand in problem.data["candidates"]:
            cand["excludes"] = [ex for ex in cand["excludes"] if ex in kept]
    return problem


def engine_portfolio(data: Mapping[str, Any]) -> Portfolio:
    """The problem as the selection engine's `Portfolio`."""
    return Portfolio(
        periods=int(data["periods"]),
        budget=data["budget"],
        capacity=data["capacity"],
        load=data.get("load", {}),
        candidates=[
            Candidate(
                id=c["id"],
                value=c["value"],
                cost=c["cost"],
                demand=c["demand"],
                mandatory=c["mandatory"],
                requires=c["requires"],
                excludes=c["excludes"],
                start_window=(c["start_window"][0], c["start_window"][1]),
            )
            for c in data["candidates"]
        ],
    )


def solve(data: Mapping[str, Any], *, time_limit: float) -> dict[str, Any]:
    """The optimal selection beside the greedy one (the engine's `to_json` answer) and the
    efficient frontier: the best value at 10 % to 150 % of the budget.

    Raises the engine's `SelectionError` when the problem is inconsistent.
    """
    portfolio = engine_portfolio(data)
    result = select(portfolio, time_limit=time_limit)
    answer = result.to_json()
    answer["frontier"] = []
    if result.status in ("optimal", "feasible") and portfolio.candidates:
        points = efficient_frontier(portfolio, time_limit=max(time_limit / 10, 0.5))
        answer["frontier"] = [
            {"scale": p.scale, "budget": round(p.budget, 2), "value": round(p.value, 2)}
            for p in points
            if p.value is not None
        ]
    return answer
