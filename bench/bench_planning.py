"""Planning speed: a plan of N tasks (default 5,000) in the app, on the configured database.

Measures the server time of (1) the Gantt data read, (2) rescheduling after one edit at the head
of the network (every task moves) and (3) after one edit at the tail (few move), with their query
counts, beside the same at N/10 tasks to show the counts do not grow. Run on SQLite with
`make bench-planning`, and on PostgreSQL with `scripts/with-postgres.sh uv run python
bench/bench_planning.py` (it uses DATABASE_URL when set).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.base")
os.environ.setdefault("PMO_VAR_DIR", tempfile.mkdtemp(prefix="pmo-bench-"))
os.environ.setdefault("LOG_LEVEL", "WARNING")


def setup_database() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", "-v", "0")


def build(n_tasks: int, code: str) -> tuple[Any, Any]:
    from pmo.accounts.models import OrgRole, User
    from pmo.accounts.services import user_create
    from pmo.demo.plans import PACKAGE_STEPS, demo_plan
    from pmo.planning.services import plan_import
    from pmo.projects.services import project_create

    pm = User.objects.filter(username="bench-pm").first() or user_create(
        username="bench-pm", password=None, org_role=OrgRole.PROJECT_MANAGER
    )
    project = project_create(actor=pm, code=code, name=f"Benchmark plan {code}")
    packages = max(1, (n_tasks - 30) // (len(PACKAGE_STEPS) + 1))
    tasks, links = demo_plan(code, packages=packages)
    plan_import(actor=pm, project_id=project.pk, tasks=tasks, links=links)
    return pm, project


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, int]:
    """Median milliseconds of `fn` and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm caches (and the JIT)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return statistics.median(times), len(ctx.captured_queries)


def scenario(n_tasks: int, repeat: int) -> dict[str, Any]:
    from pmo.planning.models import Task
    from pmo.planning.selectors import gantt_data
    from pmo.planning.services import task_update

    pm, project = build(n_tasks, f"BENCH-{n_tasks}")
    count = Task.objects.filter(project=project).count()
    leaves = Task.objects.filter(project=project, is_summary=False).order_by("position")
    head, tail = leaves.first(), leaves.last()
    flip = {"head": 0, "tail": 0}

    def edit(task: Any, key: str) -> Callable[[], None]:
        def run() -> None:
            flip[key] ^= 1
            task_update(
                actor=pm,
                project_id=project.pk,
                task_id=task.pk,
                version=None,
                data={"duration": task.duration + flip[key]},
            )

        return run

    gantt = measure(lambda: gantt_data(actor=pm, project=project), repeat)
    head_edit = measure(edit(head, "head"), repeat)
    tail_edit = measure(edit(tail, "tail"), repeat)
    return {"tasks": count, "gantt": gantt, "edit_head": head_edit, "edit_tail": tail_edit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    setup_database()
    from django.db import connection

    vendor = connection.vendor
    print(f"database: {vendor}; median of {args.repeat} runs; server time, no HTTP")
    print(
        f"{'tasks':>6} | {'Gantt data ms (queries)':>24} | {'edit at head ms (q)':>20} | "
        f"{'edit at tail ms (q)':>20}"
    )
    for n in (max(50, args.tasks // 10), args.tasks):
        r = scenario(n, args.repeat)
        cells = [f"{r[k][0]:8.1f} ({r[k][1]:>3})" for k in ("gantt", "edit_head", "edit_tail")]
        print(f"{r['tasks']:>6} | {cells[0]:>24} | {cells[1]:>20} | {cells[2]:>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
