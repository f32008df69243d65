"""`pmo simulate FILE`: Monte Carlo schedule risk of a JSON network, without Django."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer


def simulate(
    file: Annotated[
        Path, typer.Argument(help="JSON network whose activities may carry a 'distribution'.")
    ],
    iterations: Annotated[
        int, typer.Option("--iterations", "-n", min=1, help="Number of iterations.")
    ] = 10_000,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed; same seed, same results.")
    ] = None,
    target: Annotated[
        float | None,
        typer.Option("--target", help="Target finish (offset); defaults to the file's finish."),
    ] = None,
    response: Annotated[
        str, typer.Option("--response", help="Risk events before (pre) or after (post) response.")
    ] = "pre",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print iterations, finish percentiles, criticality.")
    ] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print seconds spent reading, compiling, simulating.")
    ] = False,
) -> None:
    """Simulate FILE's schedule: finish percentiles, probability of the target, criticality."""
    from pmo.engine.errors import EngineError
    from pmo.engine.risk import simulate as run_simulation
    from pmo.interop.json_network import read_json_risk

    if response not in ("pre", "post"):
        _fail(f"--response must be pre or post, not {response!r}")
    spent: dict[str, float] = {}
    try:
        began = time.perf_counter()
        plan, model = read_json_risk(file)
        spent["read"] = time.perf_counter() - began
        began = time.perf_counter()
        from pmo.engine import _risk_kernel  # noqa: F401 - the JIT (or its cache), once

        run_simulation(plan.network, model, iterations=1, seed=0, sensitivity=False)
        spent["compile"] = time.perf_counter() - began
        began = time.perf_counter()
        result = run_simulation(
            plan.network,
            model,
            iterations=iterations,
            seed=seed,
            target=target,
            response="post" if response == "post" else "pre",
        )
        spent["simulate"] = time.perf_counter() - began
    except EngineError as error:
        _fail(str(error))
    finish = result.finish
    start = result.start
    if as_json:
        document = {
            "iterations": result.iterations,
            "finish": {
                "mean": finish.mean,
                **{f"p{p}": finish.percentiles[p] for p in (10, 50, 80, 90)},
            },
            "criticality": result.criticality,
        }
        sys.stdout.write(json.dumps(document) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        table = Table(
            title=f"Project finish over {result.iterations} iterations (seed {result.seed})"
        )
        table.add_column("Statistic")
        table.add_column("Finish", justify="right")
        table.add_column("Duration", justify="right")
        rows = [("mean", finish.mean), ("sd", None), ("min", finish.minimum)]
        rows += [(f"P{p}", v) for p, v in finish.percentiles.items()]
        rows += [("max", finish.maximum)]
        for label, value in rows:
            if value is None:
                table.add_row(label, f"{finish.sd:.2f}", f"{finish.sd:.2f}")
            else:
                table.add_row(label, f"{value:.2f}", f"{value - start:.2f}")
        console.print(table)
        if result.target is not None:
            console.print(
                f"Probability of finishing by {result.target:g}: {result.probability_on_time:.1%}"
            )
        critical = sorted(result.criticality.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        crit = Table(title="Criticality and sensitivity (top 15)")
        crit.add_column("Activity")
        crit.add_column("Criticality", justify="right")
        crit.add_column("Sensitivity", justify="right")
        for activity_id, index in critical:
            crit.add_row(
                activity_id, f"{index:.1%}", f"{result.sensitivity.get(activity_id, 0.0):+.2f}"
            )
        console.print(crit)
    if timings:
        sys.stderr.write(" ".join(f"{k}={v:.3f}s" for k, v in spent.items()) + "\n")


def _fail(message: str) -> None:
    sys.stderr.write(f"pmo simulate: {message}\n")
    raise typer.Exit(code=1)
