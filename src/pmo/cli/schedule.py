"""`pmo schedule FILE`: the critical path of a plan file, without Django or a database."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

_LARGE_FILE = 2_000_000  # bytes above which a progress bar is shown


def schedule(
    file: Annotated[
        Path, typer.Argument(help="Plan file: JSON network, MS Project XML or PSPLIB .sm.")
    ],
    format: Annotated[str, typer.Option("--format", help="auto, json, mspdi or psplib.")] = "auto",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the per-activity table as JSON.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output to this file.")
    ] = None,
    timings: Annotated[
        bool, typer.Option("--timings", help="Print seconds spent reading, scheduling, writing.")
    ] = False,
) -> None:
    """Print the project finish, duration and critical path of FILE."""
    from pmo.engine.calendar_cpm import CalendarScheduleResult, warm_up_calendars
    from pmo.engine.cpm import schedule as run_schedule
    from pmo.engine.cpm import warm_up
    from pmo.engine.errors import EngineError
    from pmo.interop.formats import read_plan
    from pmo.interop.plan import calendar_result_table, result_table, schedule_on_calendars

    if format not in ("auto", "json", "mspdi", "psplib"):
        _fail(f"unknown format {format!r} (auto, json, mspdi or psplib)")
    spent: dict[str, float] = {}
    with _Progress(file) as progress:
        try:
            began = time.perf_counter()
            plan = read_plan(file, format)  # type: ignore[arg-type]
            spent["read"] = time.perf_counter() - began
            progress.step("scheduling")
            spent["compile"] = warm_up()  # the JIT (or its cache), paid once per process
            on_calendars = plan.uses_calendars  # each activity on its own calendar
            if on_calendars:
                spent["compile"] += warm_up_calendars()
            began = time.perf_counter()
            result = schedule_on_calendars(plan) if on_calendars else run_schedule(plan.network)
            spent["schedule"] = time.perf_counter() - began
        except EngineError as error:
            _fail(str(error))
        progress.step("writing")
        began = time.perf_counter()
        if isinstance(result, CalendarScheduleResult):
            table = calendar_result_table(plan, result)
        else:
            table = result_table(plan, result)
        if as_json:
            text = json.dumps(
                {
                    k: table[k]
                    for k in ("start", "finish", "duration", "critical_path", "activities")
                },
                indent=None if len(table["activities"]) > 1000 else 1,
            )
        else:
            path = table["critical_path"]
            text = "\n".join(
                [
                    f"Project finish: {table['finish']}",
                    f"Duration: {table['duration']} units",
                    f"Critical path ({len(path)} activities): {' -> '.join(path)}",
                ]
            )
        if out is None:
            sys.stdout.write(text + "\n")
        else:
            out.write_text(text + "\n", encoding="utf-8")
        spent["write"] = time.perf_counter() - began
    if timings:
        sys.stderr.write(" ".join(f"{k}={v:.3f}s" for k, v in spent.items()) + "\n")


def _fail(message: str) -> None:
    sys.stderr.write(f"pmo schedule: {message}\n")
    raise typer.Exit(code=1)


class _Progress:
    """A progress bar on standard error for large files; nothing for small ones."""

    def __init__(self, file: Path) -> None:
        try:
            self.enabled = file.stat().st_size > _LARGE_FILE and sys.stderr.isatty()
        except OSError:
            self.enabled = False
        self._progress = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("reading", total=3)
        return self

    def step(self, what: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=what)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
