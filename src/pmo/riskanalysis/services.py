"""Writes of the risk analysis: uncertainty on tasks, quantified risks, correlations, and runs.

Every write checks that the person may edit the project (PM or PMO), validates with the
engine's own rules and writes in one transaction with an audit entry. A run is queued as a
background task when the transaction commits; the task reports its progress on the run row and
stores the results, or a message saying why it could not finish.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pmo.accounts.models import User
from pmo.controls.models import Risk
from pmo.core.audit import audit_record
from pmo.core.errors import Conflict, NotFound, ValidationFailed
from pmo.core.services import only_fields
from pmo.engine import CycleError, EngineError
from pmo.planning.models import Dependency, Task
from pmo.planning.services import PlanLink, PlanRow, plan_clock, schedule_for
from pmo.projects.models import Project
from pmo.projects.policies import access_project, require, require_internal

from . import adapters
from .models import (
    PARAMETERS,
    TASK_KINDS,
    DistributionKind,
    Response,
    RiskImpact,
    RunState,
    SimulationRun,
    TaskCorrelation,
    TaskUncertainty,
)

logger = logging.getLogger(__name__)

TASK_NOT_FOUND = "Task {id} not found in this project."
RISK_NOT_FOUND = "Risk {id} not found in this project."
IMPACT_NOT_FOUND = "Risk {id} has no quantified impact yet."
UNCERTAINTY_NOT_FOUND = "Task {id} has no duration uncertainty."
CORRELATION_NOT_FOUND = "Correlation {id} not found in this project."
RUN_NOT_FOUND = "Simulation run {id} not found in this project."
SUMMARY_TASK = "'{name}' is a summary task: give its subtasks the uncertainty instead."
TASK_KIND = "A task's duration takes a {kinds} distribution, not '{kind}'."
NEGATIVE_DURATION = "'{name}' cannot take less than 0 working days (min {minimum:g})."
FILL_PERCENT = "Give a percentage between 1 and 500."
CORRELATION_SAME = "A task cannot be correlated with itself."
CORRELATION_RANGE = "A correlation coefficient lies between -1 and 1."
STALE = "{thing} was changed by someone else (version {current}, you had {expected}); reload."
RUN_ACTIVE = "Run {number} is still {state}; wait for it to finish before starting another."
RUN_ITERATIONS = "Give between 100 and 100,000 iterations."
RUN_SEED = "A seed is a whole number from 0 to 9,223,372,036,854,775,807."
RUN_NO_TASKS = "The plan has no tasks to simulate."
RUN_NO_UNCERTAINTY = (
    "Nothing is uncertain yet: give some tasks a duration distribution or quantify a risk."
)
RUN_FAILED = "The simulation could not run: {reason}"
RUN_CYCLE = "The plan has a loop of dependencies between tasks {ids}."
RUN_CRASHED = "The simulation stopped on an unexpected error ({kind}); the PMO has the details."
#: A run stuck in queued or running this long (the worker died) no longer blocks a new one.
STALE_RUN_MINUTES = 60

IMPACT_FIELDS = {
    "task_ids",
    "probability",
    "duration",
    "cost",
    "post_probability",
    "post_duration",
    "post_cost",
    "response_cost",
}
RUN_FIELDS = {"iterations", "seed", "target_date", "response"}
#: A register risk's 1–5 probability as a chance, for a first quantification.
SCALE_CHANCE = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.9}


# --- helpers -----------------------------------------------------------------------------------


def _editable(actor: User, project_id: int) -> Project:
    project = access_project(actor, project_id, for_update=True)
    require(
        require_internal(actor, project).edit, action="change the risk analysis", project=project
    )
    return project


def _leaf(project: Project, task_id: Any) -> Task:
    task = Task.objects.filter(project=project, pk=task_id).first() if task_id else None
    if task is None:
        raise NotFound(TASK_NOT_FOUND.format(id=task_id))
    if task.is_summary:
        raise ValidationFailed(SUMMARY_TASK.format(name=task.name))
    return task


def _spec(data: Mapping[str, Any] | None, what: str, *, allowed: Any = None) -> dict[str, Any]:
    """A stored distribution: its kind and only its own parameters, checked by the engine."""
    if not data:
        return {}
    kind = data.get("kind")
    if allowed is not None and kind not in allowed:
        kinds = ", ".join(DistributionKind(k).label for k in allowed)
        raise ValidationFailed(TASK_KIND.format(kinds=kinds, kind=kind))
    spec = {"kind": kind, **{p: data.get(p) for p in PARAMETERS.get(kind or "", ())}}
    try:
        adapters.distribution(spec, what)
    except adapters.RiskModelError as exc:
        raise ValidationFailed(str(exc)) from exc
    return spec


def _check_version(row: Any, version: int | None, thing: str) -> None:
    if version is not None and version != row.version:
        raise Conflict(STALE.format(thing=thing, current=row.version, expected=version))


# --- task uncertainty --------------------------------------------------------------------------


def _uncertainty_values(task: Task, data: Mapping[str, Any]) -> dict[str, Any]:
    spec = _spec(data, f"Task '{task.name}'", allowed=TASK_KINDS)
    if not spec:
        raise ValidationFailed(
            TASK_KIND.format(kinds="triangular, PERT, uniform or lognormal", kind="")
        )
    minimum = spec.get("min", 0)
    if minimum is not None and minimum < 0:
        raise ValidationFailed(NEGATIVE_DURATION.format(name=task.name, minimum=minimum))
    return {
        "kind": spec["kind"],
        "minimum": spec.get("min"),
        "most_likely": spec.get("mode"),
        "maximum": spec.get("max"),
        "mean": spec.get("mean"),
        "sd": spec.get("sd"),
    }


@transaction.atomic
def uncertainty_set(
    *,
    actor: User,
    project_id: int,
    task_id: int,
    data: Mapping[str, Any],
    version: int | None = None,
) -> TaskUncertainty:
    """Give a task's duration a distribution (working days), or replace the one it has."""
    project = _editable(actor, project_id)
    task = _leaf(project, task_id)
    values = _uncertainty_values(task, data)
    row = TaskUncertainty.objects.select_for_update().filter(task=task).first()
    if row is None:
        row = TaskUncertainty.objects.create(task=task, **values)
        audit_record(
            actor=actor,
            action="create",
            obj=row,
            project_id=project.pk,
            changes={"distribution": [None, row.text]},
        )
        return row
    _check_version(row, version, f"The uncertainty of '{task.name}'")
    before = row.text
    for name, value in values.items():
        setattr(row, name, value)
    if row.text != before:
        row.version += 1
        row.save()
        audit_record(
            actor=actor,
            action="update",
            obj=row,
            project_id=project.pk,
            changes={"distribution": [before, row.text]},
        )
    return row


@transaction.atomic
def uncertainty_delete(*, actor: User, project_id: int, task_id: int) -> None:
    project = _editable(actor, project_id)
    row = TaskUncertainty.objects.filter(task__project=project, task_id=task_id).first()
    if row is None:
        raise NotFound(UNCERTAINTY_NOT_FOUND.format(id=task_id))
    audit_record(actor=actor, action="delete", obj=row, project_id=project.pk)
    row.delete()


@transaction.atomic
def uncertainty_fill(
    *, actor: User, project_id: int, percent: float, kind: str = DistributionKind.TRIANGULAR
) -> int:
    """Quick fill: every task with a duration and no distribution yet gets ``kind`` over its
    duration -percent … +percent, most likely as planned. Returns how many tasks it filled."""
    project = _editable(actor, project_id)
    if kind not in (DistributionKind.TRIANGULAR, DistributionKind.PERT, DistributionKind.UNIFORM):
        raise ValidationFailed(TASK_KIND.format(kinds="triangular, PERT or uniform", kind=kind))
    if isinstance(percent, bool) or not 1 <= percent <= 500:
        raise ValidationFailed(FILL_PERCENT)
    tasks = Task.objects.filter(
        project=project, is_summary=False, duration__gt=0, uncertainty__isnull=True
    ).values_list("pk", "duration")
    rows = []
    for pk, duration in tasks:
        low = max(duration * (1 - percent / 100), 0.0)
        high = duration * (1 + percent / 100)
        rows.append(
            TaskUncertainty(
                task_id=pk,
                kind=kind,
                minimum=round(low, 2),
                most_likely=None if kind == DistributionKind.UNIFORM else float(duration),
                maximum=round(high, 2),
            )
        )
    TaskUncertainty.objects.bulk_create(rows)
    if rows:
        audit_record(
            actor=actor,
            action="create",
            obj=project,
            project_id=project.pk,
            note=f"Uncertainty ±{percent:g}% {kind} on {len(rows)} tasks",
        )
    return len(rows)


# --- quantified risks --------------------------------------------------------------------------


def _risk(project: Project, risk_id: Any) -> Risk:
    risk = Risk.objects.filter(project=project, pk=risk_id).first() if risk_id else None
    if risk is None:
        raise NotFound(RISK_NOT_FOUND.format(id=risk_id))
    return risk


def _impact_values(project: Project, risk: Risk, data: Mapping[str, Any]) -> dict[str, Any]:
    what = f"Risk R-{risk.number}"
    values: dict[str, Any] = {}
    for name in ("probability", "post_probability"):
        if name in data:
            p = data[name]
            if p is not None and (isinstance(p, bool) or not 0 <= float(p) <= 1):
                raise ValidationFailed(f"{what}: a probability lies between 0 and 1, not {p}.")
            values[name] = None if p is None else float(p)
    for name, label in (
        ("duration", "duration"),
        ("cost", "cost"),
        ("post_duration", "duration after response"),
        ("post_cost", "cost after response"),
    ):
        if name in data:
            spec = _spec(data[name], f"{what} {label}")
            values[name] = spec or ({} if not name.startswith("post") else None)
    if "response_cost" in data:
        cost = data["response_cost"] or 0
        if float(cost) < 0:
            raise ValidationFailed(f"{what}: the response cost cannot be negative.")
        values["response_cost"] = cost
    return values


@transaction.atomic
def risk_impact_set(
    *,
    actor: User,
    project_id: int,
    risk_id: int,
    data: Mapping[str, Any],
    version: int | None = None,
) -> RiskImpact:
    """Quantify a register risk: its probability, the working days it adds to the tasks it is
    mapped to and the cost it adds, before and (when a response is planned) after its response.

    A risk quantified for the first time starts from the register's own estimates (its 1–5
    probability as a chance, its schedule and cost impact) for whatever is not given.
    """
    project = _editable(actor, project_id)
    only_fields(data, IMPACT_FIELDS)
    risk = _risk(project, risk_id)
    values = _impact_values(project, risk, data)
    task_ids = data.get("task_ids")
    tasks = [_leaf(project, t) for t in dict.fromkeys(task_ids)] if task_ids is not None else None
    row = RiskImpact.objects.select_for_update().filter(risk=risk).first()
    if row is None:
        row = RiskImpact(
            risk=risk,
            probability=SCALE_CHANCE.get(risk.probability, 0.5),
            duration={"kind": "fixed", "value": float(risk.schedule_impact_days or 0)},
            cost={"kind": "fixed", "value": float(risk.cost_impact or 0)},
        )
        action = "create"
        if tasks is None:
            tasks = [t for t in risk.tasks.all() if not t.is_summary]
    else:
        _check_version(row, version, f"The impact of risk R-{risk.number}")
        row.version += 1
        action = "update"
    for name, value in values.items():
        setattr(row, name, value)
    if row.post_probability is None:
        row.post_duration = row.post_cost = None
    if row.probability is None:
        raise ValidationFailed(f"Risk R-{risk.number}: give the probability.")
    row.save()
    if tasks is not None:
        row.tasks.set(tasks)
    audit_record(
        actor=actor,
        action=action,
        obj=row,
        project_id=project.pk,
        changes={k: [None, str(v)] for k, v in data.items()},
    )
    return row


@transaction.atomic
def risk_impact_delete(*, actor: User, project_id: int, risk_id: int) -> None:
    project = _editable(actor, project_id)
    risk = _risk(project, risk_id)
    row = RiskImpact.objects.filter(risk=risk).first()
    if row is None:
        raise NotFound(IMPACT_NOT_FOUND.format(id=risk_id))
    audit_record(actor=actor, action="delete", obj=row, project_id=project.pk)
    row.delete()


# --- correlations ------------------------------------------------------------------------------


@transaction.atomic
def correlation_set(
    *, actor: User, project_id: int, first_id: int, second_id: int, coefficient: float
) -> TaskCorrelation:
    """Correlate two tasks' durations (or change the coefficient of a pair already set)."""
    project = _editable(actor, project_id)
    if first_id == second_id:
        raise ValidationFailed(CORRELATION_SAME)
    if isinstance(coefficient, bool) or not -1 <= float(coefficient) <= 1:
        raise ValidationFailed(CORRELATION_RANGE)
    pair = (_leaf(project, first_id), _leaf(project, second_id))
    first, second = sorted(pair, key=lambda t: t.pk)
    row, created = TaskCorrelation.objects.update_or_create(
        project=project, first=first, second=second, defaults={"coefficient": float(coefficient)}
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=row,
        project_id=project.pk,
        changes={"coefficient": [None, row.coefficient]},
    )
    return row


@transaction.atomic
def correlation_delete(*, actor: User, project_id: int, correlation_id: int) -> None:
    project = _editable(actor, project_id)
    row = TaskCorrelation.objects.filter(project=project, pk=correlation_id).first()
    if row is None:
        raise NotFound(CORRELATION_NOT_FOUND.format(id=correlation_id))
    audit_record(actor=actor, action="delete", obj=row, project_id=project.pk)
    row.delete()


# --- runs --------------------------------------------------------------------------------------


def _check_no_active_run(project: Project) -> None:
    since = timezone.now() - timezone.timedelta(minutes=STALE_RUN_MINUTES)
    active = (
        SimulationRun.objects.filter(
            project=project, state__in=[RunState.QUEUED, RunState.RUNNING], created_at__gte=since
        )
        .order_by("-number")
        .first()
    )
    if active is not None:
        state = active.get_state_display().lower()
        raise Conflict(RUN_ACTIVE.format(number=active.number, state=state))


def _has_uncertainty(project: Project) -> bool:
    return (
        TaskUncertainty.objects.filter(task__project=project).exists()
        or RiskImpact.objects.filter(risk__project=project).exists()
    )


@transaction.atomic
def run_start(
    *, actor: User, project_id: int, data: Mapping[str, Any], enqueue: bool = True
) -> SimulationRun:
    """Queue a Monte Carlo run of the plan as it is now; the background task does the work.

    Without ``enqueue`` the caller runs it (`run_execute`), as the demo loader does.
    """
    project = _editable(actor, project_id)
    only_fields(data, RUN_FIELDS)
    iterations = data.get("iterations", 5000)
    if (
        isinstance(iterations, bool)
        or not isinstance(iterations, int)
        or not (100 <= iterations <= 100_000)
    ):
        raise ValidationFailed(RUN_ITERATIONS)
    seed = data.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not (0 <= seed < 2**63)
    ):
        raise ValidationFailed(RUN_SEED)
    response = data.get("response") or Response.PRE
    if response not in Response.values:
        raise ValidationFailed(f"Response must be 'pre' or 'post', not '{response}'.")
    if not Task.objects.filter(project=project).exists():
        raise ValidationFailed(RUN_NO_TASKS)
    if not _has_uncertainty(project):
        raise ValidationFailed(RUN_NO_UNCERTAINTY)
    _check_no_active_run(project)
    last = SimulationRun.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    target = data.get("target_date") or project.planned_finish
    run = SimulationRun.objects.create(
        project=project,
        number=last + 1,
        created_by=actor,
        iterations=iterations,
        seed=data["seed"] if data.get("seed") is not None else secrets.randbits(53),
        target_date=target,
        response=response,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=run,
        project_id=project.pk,
        changes={"iterations": [None, iterations], "response": [None, response]},
    )
    if enqueue:
        from .tasks import simulation_run

        transaction.on_commit(lambda: simulation_run.enqueue(run_id=run.pk))
    return run


@dataclass(slots=True)
class CostedRow(PlanRow):
    """A task as scheduling reads it, with its planned cost."""

    planned_cost: Decimal | None = None


def _inputs(project: Project) -> tuple[adapters.Inputs, Any]:
    schedule = schedule_for(project)
    tasks = [
        CostedRow(*values)
        for values in Task.objects.filter(project=project)
        .order_by("position", "pk")
        .values_list(*PlanRow.__slots__, "planned_cost")
    ]
    if not tasks:
        raise ValidationFailed(RUN_NO_TASKS)
    links = [
        PlanLink(*values)
        for values in Dependency.objects.filter(project=project)
        .order_by("pk")  # the model's ordering would join tasks and projects for nothing
        .values_list(*PlanLink._fields)
    ]
    uncertainties = {
        row.task_id: row.spec for row in TaskUncertainty.objects.filter(task__project=project)
    }
    risks = [
        adapters.RiskRow(
            id=row.risk_id,
            label=f"R-{row.risk.number} {row.risk.title}",
            task_ids=[t.pk for t in row.tasks.all()],
            probability=row.probability,
            duration=row.duration,
            cost=row.cost,
            post_probability=row.post_probability,
            post_duration=row.post_duration,
            post_cost=row.post_cost,
            response_cost=float(row.response_cost),
        )
        for row in RiskImpact.objects.filter(risk__project=project)
        .select_related("risk")
        .prefetch_related("tasks")
        .order_by("risk__number")
    ]
    correlations = list(
        TaskCorrelation.objects.filter(project=project).values_list(
            "first_id", "second_id", "coefficient"
        )
    )
    clock = plan_clock(schedule)
    inputs = adapters.model_for(
        tasks, links, clock, uncertainties=uncertainties, risks=risks, correlations=correlations
    )
    return inputs, clock


def _fail(run_id: int, message: str) -> None:
    SimulationRun.objects.filter(pk=run_id).update(
        state=RunState.FAILED, error=message, finished_at=timezone.now()
    )


def run_execute(*, run_id: int) -> SimulationRun:
    """The background task's work: simulate, report progress on the row, store the results.

    Never raises for a plan or model the engine refuses: the run fails with the reason.
    """
    run = SimulationRun.objects.select_related("project").get(pk=run_id)
    if run.state != RunState.QUEUED:
        return run
    SimulationRun.objects.filter(pk=run_id).update(
        state=RunState.RUNNING, started_at=timezone.now(), progress=0
    )
    reported = [0]

    def progress(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if percent >= reported[0] + 2:  # every chunk, but no more than 50 writes a run
            reported[0] = percent
            SimulationRun.objects.filter(pk=run_id).update(progress=percent)

    try:
        inputs, clock = _inputs(run.project)
        results = adapters.run_simulation(
            inputs,
            clock,
            iterations=run.iterations,
            seed=run.seed,
            target=run.target_date,
            response=run.response,  # type: ignore[arg-type]
            progress=progress,
        )
    except CycleError as exc:
        _fail(run_id, RUN_FAILED.format(reason=RUN_CYCLE.format(ids=", ".join(exc.cycle))))
    except (EngineError, ValidationFailed) as exc:
        _fail(run_id, RUN_FAILED.format(reason=str(exc)))
    except Exception as exc:  # a background task has no one to answer: the row says it
        logger.exception("Simulation run %s failed", run_id)
        _fail(run_id, RUN_CRASHED.format(kind=type(exc).__name__))
    else:
        SimulationRun.objects.filter(pk=run_id).update(
            state=RunState.DONE,
            progress=100,
            seed=results["seed"],
            results=results,
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
