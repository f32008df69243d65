"""Rows → earned value engine inputs, and the engine's answer → plain numbers for pages, the API
and snapshots.

Planned value comes from the project's current baseline (each leaf task's baselined cost over its
baselined dates), earned value from the tasks' percent complete at the status date, actual cost
from approved timesheet hours at the rate in force that day plus expenses and vendor invoices.
Every function here reads many projects in a constant number of queries.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from pmo.core.errors import ValidationFailed
from pmo.engine import evm
from pmo.execution.models import ActualCost as CostRow
from pmo.execution.models import LineState, TimesheetLine
from pmo.planning.models import BaselineTask, Schedule, Task
from pmo.projects.models import Project
from pmo.resources.models import ResourceRate

CENT = Decimal("0.01")
UNMEASURABLE = "Earned value cannot be measured on this baseline: {reason}."


@dataclass
class EvmInputs:
    """What the engine needs for one project."""

    project_id: int
    status_date: dt.date
    tasks: list[evm.BaselineTask] = field(default_factory=list)
    costs: list[evm.ActualCost] = field(default_factory=list)
    complete: dict[str, float] = field(default_factory=dict)
    baseline_finish: dt.date | None = None
    schedule_finish: dt.date | None = None
    error: str = ""  # why the engine refuses this baseline, if it does


def _status_dates(project_ids: list[int], today: dt.date) -> dict[int, dt.date]:
    dates = dict(
        Schedule.objects.filter(project_id__in=project_ids, status_date__isnull=False).values_list(
            "project_id", "status_date"
        )
    )
    return {pk: dates.get(pk, today) for pk in project_ids}


def _labour(project_ids: list[int]) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Approved hours at the rate in force each day, per project (two queries)."""
    lines = list(
        TimesheetLine.objects.filter(project_id__in=project_ids, state=LineState.APPROVED)
        .select_related("timesheet", "resource__role")
        .only(
            "project_id",
            "hours",
            "resource_id",
            "timesheet__week_start",
            "resource__role__default_rate",
        )
    )
    rates: dict[int, tuple[list[dt.date], list[Decimal]]] = {}
    resource_ids = {ln.resource_id for ln in lines if ln.resource_id}
    for rate in ResourceRate.objects.filter(resource_id__in=resource_ids).order_by(
        "resource_id", "effective_from"
    ):
        days, values = rates.setdefault(rate.resource_id, ([], []))
        days.append(rate.effective_from)
        values.append(rate.hourly_rate)
    out: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for line in lines:
        if line.resource is None or line.project_id is None:
            continue
        days, values = rates.get(line.resource_id or 0, ([], []))
        for i, h in enumerate(line.hours):
            hours = Decimal(str(h)).quantize(CENT)
            if not hours:
                continue
            day = line.timesheet.week_start + dt.timedelta(days=i)
            at = bisect.bisect_right(days, day) - 1
            rate = values[at] if at >= 0 else line.resource.role.default_rate
            out[line.project_id].append((day, (hours * rate).quantize(CENT)))
    return out


def evm_inputs(
    projects: Sequence[Project], *, today: dt.date | None = None
) -> dict[int, EvmInputs]:
    """The engine inputs of each project (seven queries for any number of projects)."""
    today = today or timezone.localdate()
    ids = [p.pk for p in projects]
    status = _status_dates(ids, today)
    inputs = {pk: EvmInputs(project_id=pk, status_date=status[pk]) for pk in ids}
    rows = (
        BaselineTask.objects.filter(
            baseline__project_id__in=ids,
            baseline__is_current=True,
            cost__isnull=False,
            start__isnull=False,
        )
        .filter(Q(task__isnull=True) | Q(task__is_summary=False))
        .values_list(
            "pk", "baseline__project_id", "task_id", "start", "finish", "cost", "baseline__finish"
        )
    )
    task_keys: dict[int, str] = {}
    for pk, project_id, task_id, start, finish, cost, baseline_finish in rows:
        key = f"b{pk}"
        try:
            task = evm.BaselineTask(key, float(cost), start, max(start, finish or start))
        except evm.EvmError as exc:  # e.g. a negative planned cost in the baseline
            inputs[project_id].error = str(exc)
            continue
        inputs[project_id].tasks.append(task)
        inputs[project_id].baseline_finish = baseline_finish
        if task_id is not None:
            task_keys[task_id] = key
    progress = Task.objects.filter(pk__in=list(task_keys), percent_complete__gt=0).values_list(
        "pk", "project_id", "percent_complete"
    )
    for task_id, project_id, percent in progress:
        inputs[project_id].complete[task_keys[task_id]] = percent / 100
    for project_id, finish in Schedule.objects.filter(project_id__in=ids).values_list(
        "project_id", "finish"
    ):
        inputs[project_id].schedule_finish = finish
    for project_id, day, amount in CostRow.objects.filter(project_id__in=ids).values_list(
        "project_id", "date", "amount"
    ):
        inputs[project_id].costs.append(evm.ActualCost(day, float(amount)))
    for project_id, items in _labour(ids).items():
        inputs[project_id].costs.extend(evm.ActualCost(day, float(cost)) for day, cost in items)
    return inputs


def analyse(data: EvmInputs, *, strict: bool = True) -> evm.EvmResult | None:
    """The engine's earned value of one project at its status date; None without a costed
    baseline (nothing to measure against). A baseline the engine refuses is a validation
    error, or None when not `strict` (in roll-ups, one bad project must not hide the rest)."""
    try:
        if data.error:
            raise evm.EvmError(data.error)
        if not data.tasks:
            return None
        status = evm.Status(data.status_date, data.complete)
        return evm.analyse(data.tasks, data.costs, [status])
    except evm.EvmError as exc:
        if not strict:
            return None
        raise ValidationFailed(UNMEASURABLE.format(reason=exc)) from exc


def indicators_of(result: evm.EvmResult | None) -> evm.Indicators | None:
    return result.statuses[-1].indicators if result and result.statuses else None


def rollup(parts: Iterable[evm.Indicators | None]) -> evm.Indicators | None:
    measured = [p for p in parts if p is not None]
    return evm.rollup(measured) if measured else None
