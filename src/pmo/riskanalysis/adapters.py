"""Rows to the engine's risk model and its result back to dates and names: this context's only
door to `pmo.engine`. The network itself comes from `pmo.planning.adapters`, so the simulation
schedules exactly the plan the Gantt shows (on the plan's calendar).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from pmo.engine import Network
from pmo.engine.risk import (
    ActivityCost,
    Correlation,
    Distribution,
    Fixed,
    Impact,
    Lognormal,
    Pert,
    RiskEvent,
    RiskModel,
    RiskModelError,
    SimulationResult,
    Triangular,
    Uniform,
    simulate,
)
from pmo.planning.adapters import PlanClock, network_for, remaining_days

from .models import PARAMETERS, DistributionKind

__all__ = [
    "RiskModelError",
    "RiskRow",
    "distribution",
    "model_for",
    "run_simulation",
]

HISTOGRAM_BARS = 40
TORNADO_BARS = 12
SHOWN_PERCENTILES = (10, 20, 50, 80, 90)


def distribution(spec: Mapping[str, Any] | None, what: str) -> Distribution:
    """The engine distribution of a stored spec; the engine's own validation decides.

    Raises RiskModelError naming `what` for an unknown kind or a missing parameter.
    """
    if not spec:
        return Fixed(0.0)
    kind = spec.get("kind")
    if kind not in PARAMETERS:
        raise RiskModelError(f"{what}: unknown distribution {kind!r}")
    values = []
    for name in PARAMETERS[kind]:
        value = spec.get(name)
        if value is None:
            raise RiskModelError(f"{what}: the {DistributionKind(kind).label} needs {name}")
        values.append(value)
    try:
        built: Distribution = {
            DistributionKind.TRIANGULAR: Triangular,
            DistributionKind.PERT: Pert,
            DistributionKind.UNIFORM: Uniform,
            DistributionKind.LOGNORMAL: Lognormal,
            DistributionKind.FIXED: Fixed,
        }[DistributionKind(kind)](*values)
    except RiskModelError as exc:
        raise RiskModelError(f"{what}: {exc}") from exc
    return built


def _remaining_part(dist: Distribution, done: float, share: float) -> Distribution:
    """A started task: the work done is certain, the uncertainty scales to the remaining work."""
    if isinstance(dist, Triangular | Pert):
        low, mode, high = (done + share * v for v in (dist.min, dist.mode, dist.max))
        return type(dist)(low, mode, high)
    if isinstance(dist, Uniform):
        return Uniform(done + share * dist.min, done + share * dist.max)
    if isinstance(dist, Lognormal):
        mean = done + share * dist.mean
        return Lognormal(mean, share * dist.sd) if mean > 0 else Fixed(0.0)
    return dist


@dataclass(frozen=True)
class RiskRow:
    """A quantified register risk: ids of the tasks it hits and its stored distributions."""

    id: int
    label: str
    task_ids: Sequence[int]
    probability: float
    duration: Mapping[str, Any] | None
    cost: Mapping[str, Any] | None
    post_probability: float | None = None
    post_duration: Mapping[str, Any] | None = None
    post_cost: Mapping[str, Any] | None = None
    response_cost: float = 0.0


@dataclass
class Inputs:
    network: Network
    model: RiskModel
    names: dict[str, str] = field(default_factory=dict)  # activity id -> "1.2 Build"
    risks: dict[str, str] = field(default_factory=dict)  # event id -> "R-3 Vendor late"
    has_responses: bool = False


def model_for(
    tasks: Sequence[Any],
    links: Sequence[Any],
    clock: PlanClock,
    *,
    uncertainties: Mapping[int, Mapping[str, Any]],
    risks: Sequence[RiskRow] = (),
    correlations: Sequence[tuple[int, int, float]] = (),
) -> Inputs:
    """The network of the plan and the uncertainty laid over it.

    Finished tasks keep their actual duration; a started task's distribution applies to its
    remaining work. A task's planned cost accrues per working day of its duration, so a task
    that takes longer costs more; a milestone's cost is fixed.
    """
    network = network_for(tasks, links, clock)
    planned = {a.id: a.duration for a in network.activities}
    durations: dict[str, Distribution] = {}
    costs: dict[str, ActivityCost] = {}
    names: dict[str, str] = {}
    finished = {str(t.pk) for t in tasks if getattr(t, "actual_finish", None)}
    for task in tasks:
        key = str(task.pk)
        names[key] = f"{task.wbs} {task.name}".strip()
        if task.is_summary:
            continue
        if task.planned_cost:
            days = planned[key]
            amount = float(task.planned_cost)
            costs[key] = ActivityCost(rate=amount / days) if days else ActivityCost(fixed=amount)
        spec = uncertainties.get(task.pk)
        if spec is None or getattr(task, "actual_finish", None):
            continue
        dist = distribution(spec, f"Task {names[key]!r}")
        if getattr(task, "actual_start", None) and task.duration:
            left = remaining_days(task)
            dist = _remaining_part(dist, planned[key] - left, left / task.duration)
        durations[key] = dist
    leaves = {str(t.pk) for t in tasks if not t.is_summary}
    events: list[RiskEvent] = []
    labels: dict[str, str] = {}
    for risk in risks:
        hit = [str(t) for t in risk.task_ids if str(t) in leaves]
        if not hit and not (risk.cost or risk.post_cost):
            continue
        what = f"Risk {risk.label!r}"
        pre = Impact(
            risk.probability,
            distribution(risk.duration, f"{what} duration"),
            distribution(risk.cost, f"{what} cost"),
        )
        post = None
        if risk.post_probability is not None:
            post = Impact(
                risk.post_probability,
                distribution(risk.post_duration, f"{what} duration after response"),
                distribution(risk.post_cost, f"{what} cost after response"),
            )
        events.append(
            RiskEvent(
                str(risk.id),
                hit,
                pre,
                post,
                response_cost=risk.response_cost,
            )
        )
        labels[str(risk.id)] = risk.label
    pairs = []
    for a, b, rho in correlations:
        ids = [str(a), str(b)]
        if not all(i in leaves and i in planned for i in ids) or any(i in finished for i in ids):
            continue  # a summary or a finished task no longer varies
        lacking = [names[i] for i in ids if i not in durations]
        if lacking:
            raise RiskModelError(
                f"The correlation of {names[ids[0]]!r} and {names[ids[1]]!r} needs both tasks "
                f"to have a duration distribution; {lacking[0]!r} has none"
            )
        pairs.append(Correlation(ids, rho))
    model = RiskModel(durations=durations, costs=costs, events=events, correlations=pairs)
    return Inputs(network, model, names, labels, any(e.post is not None for e in events))


# --- results -------------------------------------------------------------------------------------


def _day(offset: float) -> int:
    """The working day an offset falls in: work ending at 10.2 days ends on day 11."""
    return max(int(math.ceil(offset - 1e-9)), 0)


def _finish_summary(result: SimulationResult, clock: PlanClock) -> dict[str, Any]:
    finish, cost = result.finish, result.cost
    days = [_day(finish.percentiles[p]) for p in SHOWN_PERCENTILES] + [_day(finish.mean)]
    dates = clock.finish_dates(days)
    out: dict[str, Any] = {
        "finish": {f"p{p}": d.isoformat() for p, d in zip(SHOWN_PERCENTILES, dates, strict=False)},
        "finish_days": {f"p{p}": finish.percentiles[p] for p in SHOWN_PERCENTILES},
        "cost": {f"p{p}": round(cost.percentiles[p], 2) for p in SHOWN_PERCENTILES},
        "probability_on_time": result.probability_on_time,
    }
    out["finish"]["mean"] = dates[-1].isoformat()
    out["finish_days"].update(
        mean=finish.mean, sd=finish.sd, min=finish.minimum, max=finish.maximum
    )
    out["cost"].update(
        mean=round(cost.mean, 2),
        sd=round(cost.sd, 2),
        min=round(cost.minimum, 2),
        max=round(cost.maximum, 2),
    )
    return out


def _by_day(result: SimulationResult, clock: PlanClock) -> tuple[dict[str, Any], list[Any]]:
    """Histogram of finish dates (one bar per working day, or per few days on a long tail) and
    the cumulative curve (date, share of iterations finished by then)."""
    days = np.ceil(result.finish_sample - 1e-9).clip(0).astype(np.int64)
    first, last = int(days[0]), int(days[-1])
    width = max(1, -(-(last - first + 1) // HISTOGRAM_BARS))
    bins = (days - first) // width
    counts = np.bincount(bins).tolist()
    ends = [first + (b + 1) * width - 1 for b in range(len(counts))]
    unique, seen = np.unique(days, return_counts=True)
    share = (np.cumsum(seen) / len(days)).tolist()
    labels = clock.finish_dates(ends + unique.tolist())
    histogram = {
        "dates": [d.isoformat() for d in labels[: len(ends)]],
        "days": ends,
        "counts": counts,
        "width": width,
    }
    cumulative = [
        [d.isoformat(), round(p, 4)] for d, p in zip(labels[len(ends) :], share, strict=True)
    ]
    return histogram, cumulative


def _cost_histogram(result: SimulationResult) -> dict[str, Any]:
    edges, counts = result.histogram(30, of="cost")
    return {"edges": [round(e, 2) for e in edges], "counts": counts}


def run_simulation(
    inputs: Inputs,
    clock: PlanClock,
    *,
    iterations: int,
    seed: int | None,
    target: Any,
    response: Literal["pre", "post"],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Simulate and shape the results for storage and charts (JSON-ready).

    When some risk has a response, the other side (pre or post) is simulated too, with the same
    seed, for the comparison; `progress` then counts both.
    """
    other: Literal["pre", "post"] = "post" if response == "pre" else "pre"
    total = iterations * (2 if inputs.has_responses else 1)

    def report(offset: int) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, _n: progress(offset + done, total)

    target_offset = clock.finish_offsets([target])[0] if target else None
    result = simulate(
        inputs.network,
        inputs.model,
        iterations,
        seed,
        target=target_offset,
        response=response,
        progress=report(0),
    )
    histogram, cumulative = _by_day(result, clock)
    names = inputs.names
    criticality = sorted(
        ((k, v) for k, v in result.criticality.items()), key=lambda kv: (-kv[1], names[kv[0]])
    )
    tornado = []
    for key, value in result.tornado(TORNADO_BARS):
        if key.startswith("risk:"):
            tornado.append(
                {
                    "kind": "risk",
                    "id": int(key[5:]),
                    "label": inputs.risks[key[5:]],
                    "value": round(value, 4),
                }
            )
        else:
            tornado.append(
                {"kind": "task", "id": int(key), "label": names[key], "value": round(value, 4)}
            )
    out: dict[str, Any] = {
        "iterations": iterations,
        "seed": result.seed,
        "response": response,
        "start": clock.start_dates([result.start])[0].isoformat(),
        "target": target.isoformat() if target else None,
        **_finish_summary(result, clock),
        "histogram": histogram,
        "cumulative": cumulative,
        "cost_histogram": _cost_histogram(result),
        "criticality": [
            {"task_id": int(k), "label": names[k], "index": round(v, 4)} for k, v in criticality
        ],
        "tornado": tornado,
        "risks": [
            {"id": int(k), "label": inputs.risks[k], "frequency": round(v, 4)}
            for k, v in result.event_frequency.items()
        ],
        "uncertain_tasks": len(inputs.model.durations),
        "other": None,
    }
    if inputs.has_responses:
        second = simulate(
            inputs.network,
            inputs.model,
            iterations,
            result.seed,
            target=target_offset,
            response=other,
            criticality=False,
            sensitivity=False,
            progress=report(iterations),
        )
        _, other_cumulative = _by_day(second, clock)
        out["other"] = {
            "response": other,
            **_finish_summary(second, clock),
            "cumulative": other_cumulative,
        }
    return out
