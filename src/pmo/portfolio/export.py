"""All portfolio data as an Excel workbook (openpyxl) or one CSV per sheet, over what the reader
sees. A cell that a spreadsheet would read as a formula (starting with = + - @, or a tab or
carriage return) is written as text, with a leading apostrophe."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pmo.controls.models import BudgetLine, CostCategory, Risk
from pmo.execution.models import ActualCost, LineState, TimesheetLine
from pmo.projects.policies import visible_projects
from pmo.resources.models import ResourceRate

from . import rollup
from .models import Assessment, Criterion, Scenario
from .policies import require_dashboard_reader, visible_requests
from .selectors import program_list, request_finance

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_UNKNOWN = "Unknown sheet '{sheet}'; choose one of: {sheets}."


def safe(value: Any) -> Any:
    """The value as a spreadsheet should store it: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    header: Sequence[str]
    rows: Callable[[Any], Iterable[Sequence[Any]]]


def _user(u: Any) -> str:
    return (u.get_full_name() or u.username) if u is not None else ""


def _projects(actor: Any) -> Iterable[Sequence[Any]]:
    for f in rollup.project_figures(visible_projects(actor), with_trend=True):
        yield (
            f.code, f.name, f.portfolio, f.program, f.stage_label, f.status_label, f.health_label,
            f.trend, f.manager, f.start, f.finish, f.baseline_finish, f.percent_complete, f.budget,
            f.actual, f.earned_value, f.eac, f.open_risks, f.high_risks, f.slipped_milestones,
            f.escalated_issues, f.value,
        )  # fmt: skip


def _programs(actor: Any) -> Iterable[Sequence[Any]]:
    for program, t in program_list(actor=actor):
        yield (
            program.name, program.portfolio.name if program.portfolio else "",
            _user(program.manager), t.projects, t.start, t.finish, t.budget, t.actual, t.eac,
            t.percent_complete, t.overall_health_label, t.high_risks, t.slipped_milestones,
            "; ".join(program.objective_lines),
        )  # fmt: skip


def _requests(actor: Any) -> Iterable[Sequence[Any]]:
    qs = (
        visible_requests(actor)
        .select_related("requester", "sponsor", "portfolio", "project")
        .prefetch_related("estimates")
        .order_by("number")
    )
    for r in qs:
        money = request_finance(r)
        yield (
            r.code, r.title, r.get_state_display(), r.portfolio.name if r.portfolio else "",
            _user(r.requester), _user(r.sponsor), r.target_start, r.target_finish,
            r.get_risk_level_display(), "yes" if r.mandatory else "no", money.total_cost,
            money.total_benefit, money.npv, r.project.code if r.project else "",
        )  # fmt: skip


def _scores(actor: Any) -> Iterable[Sequence[Any]]:
    criteria = {str(c.pk): c for c in Criterion.objects.all()}
    qs = (
        Assessment.objects.filter(request__in=visible_requests(actor).values("pk"))
        .select_related("request", "model", "assessor")
        .order_by("request__number", "model__name", "assessor__username")
    )
    for a in qs:
        for key, score in sorted(a.scores.items(), key=lambda kv: kv[0]):
            c = criteria.get(str(key))
            yield (
                a.request.code, a.model.name, _user(a.assessor), c.name if c else key,
                c.weight if c else None, score, c.scale_max if c else None,
            )  # fmt: skip


def _scenarios(actor: Any) -> Iterable[Sequence[Any]]:
    from .policies import may_read_portfolio

    if not may_read_portfolio(actor):
        return
    for s in Scenario.objects.select_related("portfolio").prefetch_related("candidates__request"):
        result = s.result or {}
        codes = result.get("codes", {})
        chosen = {
            int(codes.get(str(x["id"]), codes.get(x["id"], 0)) or 0): x.get("start")
            for x in result.get("selected", [])
            if isinstance(x, dict)
        }
        for c in s.candidates.all():
            start = chosen.get(c.request_id)
            yield (
                s.name, s.portfolio.name, s.get_state_display(), s.first_year,
                s.get_value_basis_display(), c.request.code, c.request.title,
                s.first_year + c.earliest_start, s.first_year + c.latest_start,
                ("yes" if c.request_id in chosen else "no") if result else "not run",
                s.first_year + start if isinstance(start, int) else None,
            )  # fmt: skip


def _budget_vs_actual(actor: Any) -> Iterable[Sequence[Any]]:
    """Per project, month and category: budget and actual (labour at the rate of each day)."""
    projects = visible_projects(actor)
    sub = projects.order_by().values("pk")
    codes = dict(projects.values_list("pk", "code"))
    cells: dict[tuple[int, dt.date, str], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0)]
    )
    for pk, period, category, amount in BudgetLine.objects.filter(project__in=sub).values_list(
        "project_id", "period", "category", "amount"
    ):
        cells[(pk, period.replace(day=1), category)][0] += amount
    for pk, day, category, amount in ActualCost.objects.filter(project__in=sub).values_list(
        "project_id", "date", "category", "amount"
    ):
        cells[(pk, day.replace(day=1), category)][1] += amount
    lines = list(
        TimesheetLine.objects.filter(
            project__in=sub, state=LineState.APPROVED, resource__isnull=False
        ).values_list(
            "project_id",
            "resource_id",
            "timesheet__week_start",
            "hours",
            "resource__role__default_rate",
        )  # fmt: skip
    )
    rates: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for rid, day, rate in (
        ResourceRate.objects.filter(resource_id__in={ln[1] for ln in lines})
        .order_by("resource_id", "effective_from")
        .values_list("resource_id", "effective_from", "hourly_rate")
    ):
        rates[rid].append((day, rate))
    labour = CostCategory.LABOUR.value
    for pk, rid, week, hours, default_rate in lines:
        for i, h in enumerate(hours or []):
            amount = Decimal(str(h)).quantize(rollup.CENT)
            if not amount:
                continue
            day = week + dt.timedelta(days=i)
            rate = default_rate
            for since, value in rates.get(rid, []):
                if since <= day:
                    rate = value
            cells[(pk, day.replace(day=1), labour)][1] += (amount * rate).quantize(rollup.CENT)
    for (pk, month, category), (budget, actual) in sorted(
        cells.items(), key=lambda kv: (codes.get(kv[0][0], ""), kv[0][1], kv[0][2])
    ):
        yield (
            codes.get(pk, ""), f"{month:%Y-%m}", CostCategory(category).label, budget, actual,
            budget - actual,
        )  # fmt: skip


def _risks(actor: Any) -> Iterable[Sequence[Any]]:
    qs = (
        Risk.objects.filter(project__in=visible_projects(actor).order_by().values("pk"))
        .select_related("project", "owner")
        .order_by("project__code", "number")
    )
    for r in qs:
        yield (
            r.project.code, f"R-{r.number}", r.title, r.get_kind_display(),
            r.get_category_display(), r.probability, r.impact, r.score, r.get_status_display(),
            _user(r.owner),
            r.get_strategy_display() if r.strategy else "", r.cost_impact, r.schedule_impact_days,
            r.review_date,
        )  # fmt: skip


SHEETS = (
    Sheet(
        "projects", "Projects",
        ("Code", "Name", "Portfolio", "Program", "Stage", "Status", "Health", "Trend", "Manager",
         "Start", "Finish", "Baseline finish", "% complete", "Budget", "Actual", "Earned value",
         "Estimate at completion", "Open threats", "High risks", "Slipped milestones",
         "Escalated issues", "Business case NPV"),
        _projects,
    ),
    Sheet(
        "programs", "Programs",
        ("Program", "Portfolio", "Manager", "Projects", "Start", "Finish", "Budget", "Actual",
         "Estimate at completion", "% complete", "Health", "High risks", "Slipped milestones",
         "Objectives"),
        _programs,
    ),
    Sheet(
        "requests", "Requests",
        ("Request", "Title", "State", "Portfolio", "Requester", "Sponsor", "Target start",
         "Target finish", "Risk", "Mandatory", "Total cost", "Total benefit", "NPV", "Project"),
        _requests,
    ),
    Sheet(
        "scores", "Scores",
        ("Request", "Scoring model", "Assessor", "Criterion", "Weight", "Score", "Scale max"),
        _scores,
    ),
    Sheet(
        "scenarios", "Scenarios",
        ("Scenario", "Portfolio", "State", "First year", "Value by", "Request", "Title",
         "Earliest start", "Latest start", "Selected", "Starts"),
        _scenarios,
    ),
    Sheet(
        "budget", "Budget vs actual",
        ("Project", "Month", "Category", "Budget", "Actual", "Variance"),
        _budget_vs_actual,
    ),
    Sheet(
        "risks", "Risks",
        ("Project", "Risk", "Title", "Kind", "Category", "Probability", "Impact", "Score",
         "Status", "Owner", "Response", "Cost impact", "Schedule impact (days)", "Review date"),
        _risks,
    ),
)  # fmt: skip
SHEET_NAMES = tuple(s.name for s in SHEETS)


def _sheet(name: str) -> Sheet:
    for sheet in SHEETS:
        if sheet.name == name:
            return sheet
    from pmo.core.errors import ValidationFailed

    raise ValidationFailed(SHEET_UNKNOWN.format(sheet=name, sheets=", ".join(SHEET_NAMES)))


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return safe(value)


def workbook(*, actor: Any) -> bytes:
    """Every sheet in one .xlsx, with frozen headers and filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    require_dashboard_reader(actor)
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.title)
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows(actor):
            ws.append([_cell(v) for v in row])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, title in enumerate(sheet.header, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(
                10, min(40, len(title) + 4)
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_csv(*, actor: Any, sheet: str) -> str:
    """One sheet as CSV (UTF-8, comma-separated, header first)."""
    require_dashboard_reader(actor)
    chosen = _sheet(sheet)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(chosen.header)
    for row in chosen.rows(actor):
        writer.writerow(["" if v is None else safe(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()
