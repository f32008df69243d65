"""Planning speed through the HTTP API: a plan of N tasks (default 5,000), on the configured DB.

Times `GET /api/v1/projects/{id}/gantt` and one `PATCH /api/v1/projects/{id}/tasks/{task}` (a
duration change at the head of the network, so every task moves) through Django's test client
with an API token: the server's whole request path (authentication, gatekeeper, selector or
service, JSON) without a socket. Beside the same at N/10 tasks to show the query counts do not
grow. Builds the plans with bench_planning.py's `build()`. Run on SQLite with `uv run python
bench/bench_planning_http.py`, on PostgreSQL with `scripts/with-postgres.sh uv run python
bench/bench_planning_http.py` (it uses DATABASE_URL when set).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_planning import build, measure, setup_database  # noqa: E402

API = "/api/v1"


def scenario(n_tasks: int, repeat: int) -> dict[str, Any]:
    from django.test import Client

    from pmo.accounts.services import api_token_create
    from pmo.planning.models import Task

    pm, project = build(n_tasks, f"HTTP-{n_tasks}")
    _, raw = api_token_create(user=pm, name="bench")
    client = Client(headers={"authorization": f"Bearer {raw}", "host": "localhost"})
    count = Task.objects.filter(project=project).count()
    head = Task.objects.filter(project=project, is_summary=False).order_by("position").first()
    gantt_url = f"{API}/projects/{project.pk}/gantt"
    task_url = f"{API}/projects/{project.pk}/tasks/{head.pk}"
    state = {"version": head.version, "duration": head.duration}

    def gantt() -> None:
        response = client.get(gantt_url)
        assert response.status_code == 200, response.content[:300]

    def edit() -> None:
        # Alternate the duration so that every call really moves the plan.
        duration = head.duration + (1 if state["duration"] == head.duration else 0)
        body = {"version": state["version"], "duration": duration}
        response = client.patch(task_url, body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        state["version"], state["duration"] = response.json()["version"], duration

    gantt()  # the token's first use records it; later calls do not write
    return {
        "tasks": count,
        "gantt": measure(gantt, repeat),
        "edit": measure(edit, repeat),
        "bytes": len(client.get(gantt_url).content),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    setup_database()
    from django.db import connection

    print(
        f"database: {connection.vendor}; median of {args.repeat} runs; through the API, no socket"
    )
    print(
        f"{'tasks':>6} | {'GET gantt ms (queries)':>23} | {'JSON kB':>8} | "
        f"{'PATCH task at head ms (q)':>26}"
    )
    for n in (max(50, args.tasks // 10), args.tasks):
        r = scenario(n, args.repeat)
        gantt, edit = (f"{r[k][0]:8.1f} ({r[k][1]:>3})" for k in ("gantt", "edit"))
        print(f"{r['tasks']:>6} | {gantt:>23} | {r['bytes'] / 1024:8.0f} | {edit:>26}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
