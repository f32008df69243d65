"""`pmo level FILE`: a resource-levelled schedule of a plan file, without Django or a database."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer


def level(
    file: Annotated[
        Path, typer.Argument(help="Plan file: JSON network, MS Project XML or PSPLIB .sm.")
    ],
    format: Annotated[str, typer.Option("--format", help="auto, json, mspdi or psplib.")] = "auto",
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the search (0: heuristic only).")
    ] = 10.0,
    threads: Annotated[int, typer.Option("--threads", help="Search threads.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the heuristic and search.")] = 0,
    within_slack: Annotated[
        bool, typer.Option("--within-slack", help="Level without moving the project finish.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print finish, bound, status and activities as JSON.")
    ] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print seconds spent reading and levelling.")
    ] = False,
) -> None:
    """Level FILE: the shortest schedule within the resource capacities."""
    from pmo.engine.errors import EngineError
    from pmo.engine.leveling import level as run_level
    from pmo.interop.formats import read_plan

    if format not in ("auto", "json", "mspdi", "psplib"):
        _fail(f"unknown format {format!r} (auto, json, mspdi or psplib)")
    if time_limit < 0 or threads < 1:
        _fail("--time-limit must be >= 0 and --threads >= 1")
    spent: dict[str, float] = {}
    try:
        began = time.perf_counter()
        plan = read_plan(file, format)  # type: ignore[arg-type]
        spent["read"] = time.perf_counter() - began
        began = time.perf_counter()
        mode = "within_slack" if within_slack else "shortest"
        result = run_level(
            plan.network, time_limit=time_limit, threads=threads, seed=seed, mode=mode
        )
        spent["level"] = time.perf_counter() - began
    except EngineError as error:  # InteropError included
        _fail(str(error))
    table = _table(plan, result)
    if as_json:
        text = json.dumps(table, indent=None if len(table["activities"]) > 1000 else 1)
    else:
        lines = [
            f"Project finish: {table['finish']}",
            f"Lower bound: {table['lower_bound']}",
            f"Status: {result.status}" + (f" (gap {100 * result.gap:.1f} %)" if result.gap else ""),
            f"Method: {result.method}",
        ]
        text = "\n".join(lines + ([result.message] if result.message else []))
    sys.stdout.write(text + "\n")
    if timings:
        sys.stderr.write(" ".join(f"{k}={v:.3f}s" for k, v in spent.items()) + "\n")


def _table(plan: Any, result: Any) -> dict[str, Any]:
    """The JSON of ``--json``; dated plans get ISO datetimes like ``pmo schedule``."""
    records = result.records()
    table: dict[str, Any] = {
        "finish": result.finish,
        "lower_bound": result.lower_bound,
        "status": result.status,
        "activities": records,
    }
    if plan.origin is not None:
        from pmo.engine.calendar import Calendar

        calendar = plan.calendar or Calendar()
        for key in ("start", "finish"):
            stamps = calendar.to_datetime([r[key] for r in records], plan.origin, edge=key).tolist()
            for record, stamp in zip(records, stamps, strict=True):
                record[key] = stamp.isoformat()
        for key in ("finish", "lower_bound"):
            stamp = calendar.to_datetime([table[key]], plan.origin, edge="finish")[0]
            table[key] = stamp.isoformat()
    return table


def _fail(message: str) -> None:
    sys.stderr.write(f"pmo level: {message}\n")
    raise typer.Exit(code=1)
