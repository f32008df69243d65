"""Reads of the risk analysis, shaped for its page and its API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from pmo.controls.models import Risk
from pmo.core.errors import NotFound
from pmo.planning.models import Task
from pmo.projects.models import Project
from pmo.projects.policies import access_project, require_internal

from .models import RiskImpact, RunState, SimulationRun, TaskCorrelation, TaskUncertainty
from .services import RUN_NOT_FOUND


def readable_project(actor: Any, project_id: int) -> Project:
    """The project if `actor` may read its risk analysis (the team, not the client)."""
    project = access_project(actor, project_id)
    require_internal(actor, project)
    return project


def uncertainty_list(*, project: Project) -> QuerySet[TaskUncertainty]:
    return (
        TaskUncertainty.objects.filter(task__project=project)
        .select_related("task")
        .order_by("task__position", "task__pk")
    )


def risk_impact_list(*, project: Project) -> QuerySet[RiskImpact]:
    return (
        RiskImpact.objects.filter(risk__project=project)
        .select_related("risk")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.only("pk", "wbs", "name")))
        .order_by("risk__number")
    )


def correlation_list(*, project: Project) -> QuerySet[TaskCorrelation]:
    return (
        TaskCorrelation.objects.filter(project=project)
        .select_related("first", "second")
        .order_by("first__position", "second__position", "pk")
    )


def run_list(*, project: Project) -> QuerySet[SimulationRun]:
    """Runs newest first, without their results (they can be large)."""
    return (
        SimulationRun.objects.filter(project=project)
        .select_related("created_by")
        .defer("results")
        .order_by("-number")
    )


def run_get(*, project: Project, run_id: Any) -> SimulationRun:
    try:
        pk = int(run_id)
    except (TypeError, ValueError):
        raise NotFound(RUN_NOT_FOUND.format(id=run_id)) from None
    run = SimulationRun.objects.filter(project=project, pk=pk).select_related("created_by").first()
    if run is None:
        raise NotFound(RUN_NOT_FOUND.format(id=run_id))
    return run


def previous_done_run(run: SimulationRun) -> SimulationRun | None:
    """The last finished run before `run`, to compare with."""
    return (
        SimulationRun.objects.filter(
            project_id=run.project_id, number__lt=run.number, state=RunState.DONE
        )
        .order_by("-number")
        .first()
    )


@dataclass
class TaskLine:
    task: Task
    uncertainty: TaskUncertainty | None
    criticality: float | None = None  #: percent, in the run shown
    entered: dict[str, Any] | None = None  #: what the form shows instead (a refused input)

    @property
    def values(self) -> dict[str, Any]:
        """The row's inputs: as entered when refused, else the stored distribution."""
        if self.entered is not None:
            return self.entered
        u = self.uncertainty
        if u is None:
            return {"kind": ""}
        stored = {"min": u.minimum, "mode": u.most_likely, "max": u.maximum, "mean": u.mean,
                  "sd": u.sd}  # fmt: skip
        return {"kind": u.kind, **{k: f"{v:g}" for k, v in stored.items() if v is not None}}


@dataclass
class Analysis:
    """Everything the Risk analysis tab shows."""

    tasks: list[TaskLine]
    risks: list[Risk]
    correlations: list[TaskCorrelation]
    runs: list[SimulationRun]
    latest: SimulationRun | None
    previous: SimulationRun | None
    without_uncertainty: int


def analysis(*, project: Project, run_id: Any = None) -> Analysis:
    """The task table with each task's uncertainty, the register with the quantified impacts,
    the correlations, the runs, and the run shown (the latest, or the one asked for) with the
    run before it."""
    uncertainties = {u.task_id: u for u in TaskUncertainty.objects.filter(task__project=project)}
    tasks = list(
        Task.objects.filter(project=project)
        .order_by("position", "pk")
        .only(
            "pk",
            "wbs",
            "name",
            "duration",
            "is_summary",
            "parent_id",
            "planned_cost",
            "actual_finish",
            "version",
        )
    )
    lines = [TaskLine(t, uncertainties.get(t.pk)) for t in tasks]
    impacts = {i.risk_id: i for i in risk_impact_list(project=project)}
    risks = list(Risk.objects.filter(project=project).order_by("number"))
    for risk in risks:
        risk.quantified = impacts.get(risk.pk)  # type: ignore[attr-defined]
    runs = list(run_list(project=project)[:20])
    latest = None
    if run_id is not None:
        latest = run_get(project=project, run_id=run_id)
    elif runs:
        latest = run_get(project=project, run_id=runs[0].pk)
    previous = previous_done_run(latest) if latest is not None else None
    missing = sum(1 for t in tasks if not t.is_summary and t.duration and t.pk not in uncertainties)
    return Analysis(
        lines, risks, list(correlation_list(project=project)), runs, latest, previous, missing
    )
