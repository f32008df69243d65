"""`pmo select FILE`: the optimal portfolio selection of a JSON portfolio file, beside the greedy
one, without Django or a database."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer


def select(
    file: Annotated[
        Path, typer.Argument(help="Portfolio file (docs/engine/portfolio.schema.json).")
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the solver.")
    ] = 10.0,
    threads: Annotated[int, typer.Option("--threads", help="Solver threads.")] = 1,
    rank: Annotated[
        str, typer.Option("--rank", help="How the greedy ranks: value or ratio (value per cost).")
    ] = "value",
    frontier: Annotated[
        int,
        typer.Option(
            "--frontier",
            help="Also the efficient frontier at N budget levels up to 150 % (0: none).",
        ),
    ] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print objective, bound, status, selection as JSON.")
    ] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print seconds spent reading and solving.")
    ] = False,
) -> None:
    """Select from FILE the candidates of most value within budget, capacity and the rules."""
    from pmo.engine.errors import EngineError
    from pmo.engine.selection import efficient_frontier
    from pmo.engine.selection import select as run_select
    from pmo.interop.portfolio_json import read_portfolio

    if time_limit < 0 or threads < 1 or frontier < 0:
        _fail("--time-limit must be >= 0, --threads >= 1 and --frontier >= 0")
    if rank not in ("value", "ratio"):
        _fail(f"unknown rank {rank!r} (value or ratio)")
    spent: dict[str, float] = {}
    try:
        began = time.perf_counter()
        portfolio = read_portfolio(file)
        spent["read"] = time.perf_counter() - began
        began = time.perf_counter()
        result = run_select(portfolio, time_limit=time_limit, threads=threads, rank=rank)  # type: ignore[arg-type]
        spent["select"] = time.perf_counter() - began
        points: tuple[Any, ...] = ()
        if frontier:
            began = time.perf_counter()
            scales = [round(1.5 * k / frontier, 6) for k in range(1, frontier + 1)]
            per_level = max(time_limit / frontier, 0.1)
            points = efficient_frontier(portfolio, scales, time_limit=per_level, threads=threads)
            spent["frontier"] = time.perf_counter() - began
    except EngineError as error:  # InteropError included
        _fail(str(error))
    out = result.to_json()
    if points:
        out["frontier"] = [
            {"scale": p.scale, "budget": round(p.budget, 6), "value": p.value, "status": p.status}
            for p in points
        ]
    if as_json:
        sys.stdout.write(json.dumps(out, indent=None if len(out["selected"]) > 1000 else 1) + "\n")
    else:
        sys.stdout.write("\n".join(_text(out, len(portfolio.candidates))) + "\n")
    if timings:
        sys.stderr.write(" ".join(f"{k}={v:.3f}s" for k, v in spent.items()) + "\n")
    if result.status == "infeasible":
        _fail(f"infeasible: {result.message}")
    if result.status == "no_solution":
        _fail(f"no selection found within the time limit of {time_limit:g} s")


def _ids(picks: list[dict[str, Any]]) -> str:
    return ", ".join(f"{p['id']}@{p['start']}" for p in picks) or "nothing"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.6g}"


def _text(out: dict[str, Any], candidates: int) -> list[str]:
    status = out["status"]
    if out["gap"]:
        status += f" (gap {100 * out['gap']:.2f} %)"
    greedy = out["greedy"]
    lines = [
        f"Status: {status}",
        f"Value: {_number(out['objective'])} (bound {_number(out['bound'])})",
        f"Selected: {len(out['selected'])} of {candidates}: {_ids(out['selected'])}",
        f"Greedy by {greedy['rank']}: {_number(greedy['objective'])}"
        + ("" if greedy["complete"] else " (could not place every mandatory item)")
        + f": {_ids(greedy['selected'])}",
    ]
    if out["value_gained"] is not None:
        gained = f"Value gained over the greedy: {_number(out['value_gained'])}"
        if greedy["objective"]:
            gained += f" ({100 * out['value_gained'] / greedy['objective']:+.1f} %)"
        lines.append(gained)
        lines.append(f"Only in the optimum: {', '.join(out['only_optimal']) or 'nothing'}")
        lines.append(f"Only in the greedy: {', '.join(out['only_greedy']) or 'nothing'}")
    for point in out.get("frontier", []):
        lines.append(
            f"Frontier: budget {_number(point['budget'])} -> value {_number(point['value'])}"
            + ("" if point["status"] == "optimal" else f" ({point['status']})")
        )
    return lines


def _fail(message: str) -> None:
    sys.stderr.write(f"pmo select: {message}\n")
    raise typer.Exit(code=1)
