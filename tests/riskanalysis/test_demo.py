"""The demo: two executing projects with uncertainty on every task, risks mapped, one run."""

from __future__ import annotations

from pmo.planning.models import Task
from pmo.riskanalysis.models import RiskImpact, RunState, SimulationRun, TaskUncertainty


def test_demo_has_two_analysed_projects_with_a_finished_run(db, demo_data):
    runs = list(SimulationRun.objects.select_related("project"))
    assert len(runs) == 2
    for run in runs:
        assert run.state == RunState.DONE, run.error
        assert run.iterations == 2000 and run.results["finish"]["p80"]
        open_tasks = Task.objects.filter(
            project=run.project, is_summary=False, duration__gt=0, actual_finish__isnull=True
        )
        covered = TaskUncertainty.objects.filter(task__in=open_tasks).count()
        assert covered == open_tasks.count() > 0
        assert RiskImpact.objects.filter(risk__project=run.project).count() >= 1
        assert run.results["risks"] and run.results["tornado"]
    assert RiskImpact.objects.exclude(post_probability=None).exists()
