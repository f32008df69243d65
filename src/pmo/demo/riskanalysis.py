"""Demo risk analysis: the first two executing projects have uncertainty on every task, some
register risks quantified and mapped to tasks (one with a response), a correlation, and one
finished Monte Carlo run of 2,000 iterations."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Exists, OuterRef

from pmo.accounts.models import User
from pmo.controls.models import Risk
from pmo.planning.models import Task
from pmo.projects.models import Project, Stage
from pmo.riskanalysis import services

DEMO_ITERATIONS = 2000
DEMO_SEED = 2026


def demo_riskanalysis(people: dict[str, User], today: dt.date) -> None:
    open_work = Task.objects.filter(
        project=OuterRef("pk"), is_summary=False, duration__gt=0, actual_finish__isnull=True
    )
    projects = list(
        Project.objects.filter(stage=Stage.EXECUTION, manager__isnull=False)
        .filter(Exists(open_work))
        .select_related("manager")
        .order_by("code")[:2]
    )
    for project in projects:
        _uncertainty(project)
        _risks(project)
        run = services.run_start(
            actor=project.manager,
            project_id=project.pk,
            data={"iterations": DEMO_ITERATIONS, "seed": DEMO_SEED},
            enqueue=False,
        )
        services.run_execute(run_id=run.pk)


def _uncertainty(project: Project) -> None:
    """Most tasks a little optimistic (a long right tail), a few wide, some PERT."""
    pm = project.manager
    rng = random.Random(project.code)
    tasks = Task.objects.filter(
        project=project, is_summary=False, duration__gt=0, actual_finish__isnull=True
    ).order_by("position", "pk")
    for index, task in enumerate(tasks):
        d = task.duration
        low = max(d * rng.choice((0.8, 0.85, 0.9)), 0.5)
        high = d * rng.choice((1.2, 1.3, 1.5, 1.8))
        kind = "pert" if index % 3 == 0 else "triangular"
        services.uncertainty_set(
            actor=pm,
            project_id=project.pk,
            task_id=task.pk,
            data={"kind": kind, "min": round(low, 1), "mode": d, "max": round(high, 1)},
        )
    pair = list(
        Task.objects.filter(project=project, is_summary=False, actual_finish__isnull=True)
        .exclude(duration=0)
        .order_by("-duration", "position")[:2]
    )
    if len(pair) == 2:
        services.correlation_set(
            actor=pm,
            project_id=project.pk,
            first_id=pair[0].pk,
            second_id=pair[1].pk,
            coefficient=0.6,
        )


def _risks(project: Project) -> None:
    pm = project.manager
    future = list(
        Task.objects.filter(project=project, is_summary=False, actual_start__isnull=True)
        .exclude(duration=0)
        .order_by("early_start", "position")
    )
    if not future:
        return
    risks = list(Risk.objects.filter(project=project, kind="threat").order_by("number")[:3])
    for index, risk in enumerate(risks):
        hit = future[(index * 3) % len(future)]
        data: dict[str, object] = {
            "task_ids": [hit.pk],
            "probability": (0.4, 0.25, 0.15)[index],
            "duration": {"kind": "triangular", "min": 2, "mode": 5 + index * 2, "max": 15},
            "cost": {"kind": "pert", "min": 2000, "mode": 6000, "max": 20000},
        }
        if index == 0:  # the response halves the chance and caps the delay
            data.update(
                post_probability=0.2,
                post_duration={"kind": "uniform", "min": 1, "max": 4},
                post_cost={"kind": "fixed", "value": 2000},
                response_cost=3500,
            )
        services.risk_impact_set(actor=pm, project_id=project.pk, risk_id=risk.pk, data=data)
