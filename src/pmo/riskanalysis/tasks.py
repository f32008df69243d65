"""The Monte Carlo run as a background task: it reports progress on the run row as it goes."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def simulation_run(*, run_id: int) -> str:
    return str(services.run_execute(run_id=run_id).state)
