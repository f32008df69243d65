"""Reads of performance and status reporting: a project's earned value with its S-curve, roll-ups
for programs and portfolios, the indicators a status report opens with, late reports, and the
PMO's overview.

Stable interface for other contexts: `evm_rollup`, `late_reports`, `project_indicators`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from pmo.changes.models import Issue, IssuePriority, IssueStatus
from pmo.controls.models import Risk, RiskKind, RiskStatus
from pmo.core.errors import NotFound
from pmo.engine import evm
from pmo.planning.models import BaselineTask, Task
from pmo.projects.models import Membership, Project, ProjectRole, Stage, Status
from pmo.projects.policies import is_pmo, require_internal, visible_projects

from . import adapters
from .cadence import due_dates
from .models import EvmSnapshot, ReportingCadence, ReportState, StatusReport

REPORT_NOT_FOUND = "Status report {id} not found in this project."
CADENCE_NOT_FOUND = "Reporting cadence {id} not found."
HIGH_RISK_SCORE = 10  # "high" (10–14) and "severe" (15–25) on the heat map


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


# --- earned value ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explained:
    key: str
    label: str
    value: float | None
    kind: str  # money, ratio, days, date
    meaning: str


def _explain(i: evm.Indicators, s: evm.EarnedSchedule | None) -> list[Explained]:
    def good(v: float | None, better: str, worse: str, equal: str = "on plan") -> str:
        if v is None:
            return "not measurable yet"
        return better if v > 1e-9 else worse if v < -1e-9 else equal

    rows = [
        Explained("bac", "Budget at completion (BAC)", i.bac, "money", "The baselined budget."),
        Explained("pv", "Planned value (PV)", i.pv, "money", "Work planned by the status date."),
        Explained("ev", "Earned value (EV)", i.ev, "money", "Budget of the work actually done."),
        Explained("ac", "Actual cost (AC)", i.ac, "money", "What the work done has cost."),
        Explained(
            "sv",
            "Schedule variance (SV = EV − PV)",
            i.sv,
            "money",
            good(i.sv, "Ahead of plan.", "Behind plan: less work done than planned."),
        ),
        Explained(
            "cv",
            "Cost variance (CV = EV − AC)",
            i.cv,
            "money",
            good(i.cv, "Under budget for the work done.", "Over budget for the work done."),
        ),
        Explained(
            "spi",
            "Schedule performance index (SPI = EV / PV)",
            i.spi,
            "ratio",
            good(
                None if i.spi is None else i.spi - 1,
                "More work done than planned.",
                f"{(i.spi or 0) * 100:.0f} % of the work planned by now is done.",
            ),
        ),
        Explained(
            "cpi",
            "Cost performance index (CPI = EV / AC)",
            i.cpi,
            "ratio",
            good(
                None if i.cpi is None else i.cpi - 1,
                "Each unit of money spent earns more than its worth of work.",
                f"Each unit of money spent earns {i.cpi or 0:.2f} of planned work.",
            ),
        ),
        Explained(
            "eac_cpi",
            "Estimate at completion by CPI (BAC / CPI)",
            i.eac_cpi,
            "money",
            "The final cost if the cost efficiency so far continues.",
        ),
        Explained(
            "eac_cpi_spi",
            "Estimate at completion by CPI × SPI",
            i.eac_cpi_spi,
            "money",
            "The final cost if both cost and schedule efficiency weigh on the rest.",
        ),
        Explained(
            "etc",
            "Estimate to complete (ETC = EAC − AC)",
            i.etc,
            "money",
            "What the rest of the work will cost.",
        ),
        Explained(
            "vac",
            "Variance at completion (VAC = BAC − EAC)",
            i.vac,
            "money",
            good(i.vac, "Forecast to finish under budget.", "Forecast to overrun the budget."),
        ),
        Explained(
            "tcpi_bac",
            "To-complete performance index (TCPI to BAC)",
            i.tcpi_bac,
            "ratio",
            "The cost efficiency the rest of the work needs to finish on budget"
            + (" — above 1.10 is rarely achieved." if (i.tcpi_bac or 0) > 1.1 else "."),
        ),
    ]
    if s is not None:
        rows += [
            Explained(
                "es",
                "Earned schedule (ES, days)",
                s.es,
                "days",
                f"The work done was planned to be done after {s.es:.0f} of {s.at:.0f} days.",
            ),
            Explained(
                "spi_t",
                "Schedule performance index in time (SPI(t) = ES / AT)",
                s.spi_t,
                "ratio",
                "Unlike SPI, it keeps measuring a late project until it finishes.",
            ),
            Explained(
                "sv_t",
                "Schedule variance in time (SV(t) = ES − AT, days)",
                s.sv_t,
                "days",
                good(s.sv_t, "Days ahead of plan.", "Days behind plan."),
            ),
            Explained(
                "ieac_t",
                "Forecast duration (IEAC(t) = PD / SPI(t), days)",
                s.ieac_t,
                "days",
                f"The planned duration is {s.pd:.0f} days.",
            ),
        ]
    return rows


@dataclass
class ProjectEvm:
    """A project's earned value at its status date, for the Performance tab and the API."""

    project: Project
    status_date: dt.date
    measured: bool
    result: evm.EvmResult | None = None
    snapshots: list[EvmSnapshot] = field(default_factory=list)

    @property
    def report(self) -> evm.StatusReport | None:
        return self.result.statuses[-1] if self.result and self.result.statuses else None

    @property
    def indicators(self) -> evm.Indicators | None:
        return self.report.indicators if self.report else None

    @property
    def schedule(self) -> evm.EarnedSchedule | None:
        return self.report.schedule if self.report else None

    @property
    def forecast_finish(self) -> dt.date | None:
        return self.report.forecast_finish if self.report else None

    @property
    def explained(self) -> list[Explained]:
        return _explain(self.indicators, self.schedule) if self.indicators else []

    @property
    def series(self) -> list[dict[str, Any]]:
        """Per month: PV, AC and EV cumulative (EV from recorded snapshots and the status date)."""
        if self.result is None:
            return []
        ev_points = {s.status_date: float(s.ev) for s in self.snapshots}
        if self.indicators is not None:
            ev_points[self.status_date] = self.indicators.ev
        ordered = sorted(ev_points.items())
        rows = []
        for period in self.result.periods:
            last = period.end - dt.timedelta(days=1)
            within = [v for d, v in ordered if d <= last]
            ev = within[-1] if within and ordered[0][0] < period.end else None
            started = period.start <= self.status_date
            rows.append(
                {
                    "period": period.start.isoformat(),
                    "pv": round(period.pv, 2),
                    "pv_cumulative": round(period.pv_cumulative, 2),
                    "ac": round(period.ac, 2) if started else None,
                    "ac_cumulative": round(period.ac_cumulative, 2) if started else None,
                    "ev_cumulative": round(ev, 2) if ev is not None and started else None,
                }
            )
        return rows

    @property
    def forecast(self) -> list[dict[str, Any]]:
        """The EAC line: from AC at the status date to the EAC at the forecast finish."""
        i = self.indicators
        if i is None or i.eac is None or self.forecast_finish is None:
            return []
        return [
            {"date": self.status_date.isoformat(), "value": round(i.ac, 2)},
            {
                "date": max(self.forecast_finish, self.status_date).isoformat(),
                "value": round(i.eac, 2),
            },
        ]

    @property
    def chart(self) -> dict[str, Any]:
        """Data for the S-curve: months (at their last day), PV, EV, AC and the forecast."""
        rows = self.series
        ends = [
            (p.end - dt.timedelta(days=1)).isoformat()
            for p in (self.result.periods if rows else [])
        ]
        return {
            "months": ends,
            "pv": [r["pv_cumulative"] for r in rows],
            "ev": [r["ev_cumulative"] for r in rows],
            "ac": [r["ac_cumulative"] for r in rows],
            "forecast": [[p["date"], p["value"]] for p in self.forecast],
            "bac": self.result.bac if self.result else None,
            "status_date": self.status_date.isoformat(),
        }


def project_evm(*, actor: Any, project: Project, status_date: dt.date | None = None) -> ProjectEvm:
    """Earned value of `project` at its status date (or `status_date`), with the recorded
    history (nine queries)."""
    require_internal(actor, project)
    data = adapters.evm_inputs([project])[project.pk]
    if status_date is not None:
        data.status_date = status_date
    snapshots = list(EvmSnapshot.objects.filter(project=project).order_by("status_date"))
    result = adapters.analyse(data)
    return ProjectEvm(
        project=project,
        status_date=data.status_date,
        measured=result is not None,
        result=result,
        snapshots=snapshots,
    )


def internal_projects(actor: Any, qs: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """The projects `actor` sees from the inside: visible, and not as the external client."""
    qs = visible_projects(actor, qs)
    if is_pmo(actor):
        return qs
    client = Membership.objects.filter(project=OuterRef("pk"), user=actor, role=ProjectRole.CLIENT)
    return qs.filter(~Exists(client) | Q(manager=actor) | Q(sponsor=actor))


def snapshot_list(*, actor: Any, project: Project) -> QuerySet[EvmSnapshot]:
    require_internal(actor, project)
    return EvmSnapshot.objects.filter(project=project).select_related("recorded_by")


@dataclass(frozen=True)
class ProjectRollupRow:
    project: Project
    status_date: dt.date
    indicators: evm.Indicators | None
    schedule: evm.EarnedSchedule | None
    forecast_finish: dt.date | None


@dataclass(frozen=True)
class EvmRollup:
    """Earned value of a set of projects: each project's indicators and their roll-up (amounts
    summed, ratios recomputed from the sums — never averaged). Projects without a costed
    baseline are listed with ``indicators`` None and left out of the total."""

    rows: list[ProjectRollupRow]
    total: evm.Indicators | None

    @property
    def measured(self) -> int:
        return sum(1 for r in self.rows if r.indicators is not None)


def evm_rollup(*, actor: Any, projects: Iterable[Project]) -> EvmRollup:
    """Roll-up of the projects `actor` may see among `projects`, each at its own status date
    (a constant number of queries however many projects)."""
    wanted = [p.pk for p in projects]
    visible = list(internal_projects(actor, Project.objects.filter(pk__in=wanted)).order_by("code"))
    inputs = adapters.evm_inputs(visible)
    rows = []
    for project in visible:
        result = adapters.analyse(inputs[project.pk], strict=False)
        report = result.statuses[-1] if result and result.statuses else None
        rows.append(
            ProjectRollupRow(
                project=project,
                status_date=inputs[project.pk].status_date,
                indicators=report.indicators if report else None,
                schedule=report.schedule if report else None,
                forecast_finish=report.forecast_finish if report else None,
            )
        )
    return EvmRollup(rows=rows, total=adapters.rollup(r.indicators for r in rows))


# --- indicators of a status report -------------------------------------------------------------


def indicators_for(
    projects: Sequence[Project], *, today: dt.date | None = None
) -> dict[int, dict[str, Any]]:
    """The computed indicators each project's status report opens with (twelve queries for
    any number of projects). JSON-friendly: numbers, ISO dates, short lists of names."""
    today = today or timezone.localdate()
    ids = [p.pk for p in projects]
    inputs = adapters.evm_inputs(projects, today=today)
    out: dict[int, dict[str, Any]] = {}
    for pk in ids:
        data = inputs[pk]
        result = adapters.analyse(data, strict=False)
        report = result.statuses[-1] if result and result.statuses else None
        i = report.indicators if report else None
        s = report.schedule if report else None
        slip = None
        if data.baseline_finish and data.schedule_finish:
            slip = (data.schedule_finish - data.baseline_finish).days
        out[pk] = {
            "status_date": data.status_date.isoformat(),
            "has_baseline": result is not None,
            "bac": _num(i.bac, 2) if i else None,
            "pv": _num(i.pv, 2) if i else None,
            "ev": _num(i.ev, 2) if i else None,
            "ac": _num(i.ac, 2) if i else None,
            "sv": _num(i.sv, 2) if i else None,
            "cv": _num(i.cv, 2) if i else None,
            "spi": _num(i.spi) if i else None,
            "cpi": _num(i.cpi) if i else None,
            "eac": _num(i.eac, 2) if i else None,
            "vac": _num(i.vac, 2) if i else None,
            "spi_t": _num(s.spi_t) if s else None,
            "sv_t_days": _num(s.sv_t, 1) if s else None,
            "forecast_finish": report.forecast_finish.isoformat()
            if report and report.forecast_finish
            else None,
            "percent_complete": _num(100 * i.ev / i.bac, 1) if i and i.bac else None,
            "budget_burn": _num(100 * i.ac / i.bac, 1) if i and i.bac else None,
            "float_consumed_days": max(slip, 0) if slip is not None else None,
            "min_total_float": None,
            "milestones_slipped": 0,
            "slipped_milestones": [],
            "open_high_risks": 0,
            "overdue_high_risks": 0,
            "open_high_issues": 0,
            "overdue_tasks": 0,
            "overdue_issues": 0,
            "overdue_risks": 0,
            "overdue_items": 0,
        }
    status_of = {pk: inputs[pk].status_date for pk in ids}
    milestones = BaselineTask.objects.filter(
        baseline__project_id__in=ids,
        baseline__is_current=True,
        task__duration=0,
        task__is_summary=False,
        finish__isnull=False,
    ).values_list(
        "baseline__project_id",
        "task__name",
        "finish",
        "task__early_finish",
        "task__actual_finish",
        "task__percent_complete",
    )
    for pk, name, planned, forecast, actual, percent in milestones:
        late = (actual and actual > planned) or (
            not actual and percent < 100 and forecast and forecast > planned
        )
        late = late or (not actual and percent < 100 and status_of[pk] > planned)
        if late:
            out[pk]["milestones_slipped"] += 1
            if len(out[pk]["slipped_milestones"]) < 5:
                out[pk]["slipped_milestones"].append(name)
    leaf = Task.objects.filter(project_id__in=ids, is_summary=False, percent_complete__lt=100)
    for pk, finish, total_float in leaf.values_list("project_id", "early_finish", "total_float"):
        row = out[pk]
        if finish is not None and finish < status_of[pk]:
            row["overdue_tasks"] += 1
        if total_float is not None and (
            row["min_total_float"] is None or total_float < row["min_total_float"]
        ):
            row["min_total_float"] = total_float
    risks = Risk.objects.filter(
        project_id__in=ids, kind=RiskKind.THREAT, status=RiskStatus.OPEN
    ).values_list("project_id", "review_date", F("probability") * F("impact"))
    for pk, review, score in risks:
        overdue = review is not None and review < today
        out[pk]["overdue_risks"] += int(overdue)
        if score >= HIGH_RISK_SCORE:
            out[pk]["open_high_risks"] += 1
            out[pk]["overdue_high_risks"] += int(overdue)
    issues = Issue.objects.filter(
        project_id__in=ids, status__in=[IssueStatus.OPEN, IssueStatus.IN_PROGRESS]
    ).values_list("project_id", "priority", "due_date")
    for pk, priority, due in issues:
        if priority in (IssuePriority.HIGH, IssuePriority.CRITICAL):
            out[pk]["open_high_issues"] += 1
        out[pk]["overdue_issues"] += int(due is not None and due < today)
    for row in out.values():
        row["overdue_items"] = row["overdue_tasks"] + row["overdue_issues"] + row["overdue_risks"]
    return out


def project_indicators(project: Project, *, today: dt.date | None = None) -> dict[str, Any]:
    """The computed indicators of one project (for dashboards and a report's pre-fill).

    No permission check: the caller has already fetched the project through its gatekeeper."""
    return indicators_for([project], today=today)[project.pk]


# --- cadences and due reports ------------------------------------------------------------------


def cadence_list() -> QuerySet[ReportingCadence]:
    return ReportingCadence.objects.select_related("portfolio")


def cadence_get(cadence_id: Any) -> ReportingCadence:
    cadence = cadence_list().filter(pk=cadence_id).first() if str(cadence_id).isdigit() else None
    if cadence is None:
        raise NotFound(CADENCE_NOT_FOUND.format(id=cadence_id))
    return cadence


def reporting_projects(qs: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Projects that report their status: under way (execution) and active."""
    qs = Project.objects.all() if qs is None else qs
    return qs.filter(stage=Stage.EXECUTION, status=Status.ACTIVE)


def cadences_for(projects: Iterable[Project]) -> dict[int, ReportingCadence]:
    """The cadence each project follows: its portfolio's, else its type's (one query)."""
    active = list(ReportingCadence.objects.filter(active=True))
    by_portfolio = {c.portfolio_id: c for c in active if c.portfolio_id}
    by_type = {c.project_type: c for c in active if c.project_type}
    out = {}
    for p in projects:
        cadence = by_portfolio.get(p.portfolio_id) or by_type.get(p.project_type)
        if cadence is not None:
            out[p.pk] = cadence
    return out


def due_dates_for(project: Project, cadence: ReportingCadence, today: dt.date) -> list[dt.date]:
    start = cadence.starts_on
    begun = project.actual_start or project.planned_start
    if begun and begun > start:
        start = begun
    return due_dates(cadence.frequency, cadence.day_due, start, today)


@dataclass(frozen=True)
class DueReport:
    """A status report that is due and not submitted: a row (``report_id``) or not yet opened."""

    project_id: int
    due_date: dt.date
    report_id: int | None
    state: str
    days_late: int


def late_reports(
    projects: Iterable[Project], *, today: dt.date | None = None, include_today: bool = False
) -> dict[int, list[DueReport]]:
    """For each project that is late, its due reports not submitted, oldest first (two
    queries). A report due today is not late yet unless ``include_today``."""
    today = today or timezone.localdate()
    items = [p for p in projects if p.stage == Stage.EXECUTION and p.status == Status.ACTIVE]
    cadences = cadences_for(items)
    reports: dict[tuple[int, dt.date], StatusReport] = {
        (r.project_id, r.due_date): r
        for r in StatusReport.objects.filter(project_id__in=[p.pk for p in items])
    }
    out: dict[int, list[DueReport]] = {}
    for p in items:
        cadence = cadences.get(p.pk)
        dates = set(due_dates_for(p, cadence, today)) if cadence else set()
        dates |= {d for (pk, d) in reports if pk == p.pk}
        late = []
        for day in sorted(dates):
            if day > today or (day == today and not include_today):
                continue
            report = reports.get((p.pk, day))
            if report is not None and not report.is_open:
                continue
            late.append(
                DueReport(
                    project_id=p.pk,
                    due_date=day,
                    report_id=report.pk if report else None,
                    state=report.state if report else ReportState.DRAFT,
                    days_late=(today - day).days,
                )
            )
        if late:
            out[p.pk] = late
    return out


# --- reports -----------------------------------------------------------------------------------


def report_list(*, actor: Any, project: Project) -> QuerySet[StatusReport]:
    require_internal(actor, project)
    return StatusReport.objects.filter(project=project).select_related(
        "submitted_by", "reviewed_by"
    )


def report_get(*, actor: Any, project: Project, report_id: Any) -> StatusReport:
    report = (
        report_list(actor=actor, project=project).filter(pk=report_id).first()
        if str(report_id).isdigit()
        else None
    )
    if report is None:
        raise NotFound(REPORT_NOT_FOUND.format(id=report_id))
    return report


def report_indicators(report: StatusReport) -> dict[str, Any]:
    """Frozen indicators once submitted; computed live while the PM is still writing."""
    if report.indicators and not report.is_open:
        return dict(report.indicators)
    return project_indicators(report.project)


@dataclass
class ProjectTrend:
    project: Project
    reports: list[StatusReport]

    @property
    def spi(self) -> list[float | None]:
        return [r.indicators.get("spi") for r in reversed(self.reports)]

    @property
    def cpi(self) -> list[float | None]:
        return [r.indicators.get("cpi") for r in reversed(self.reports)]

    @property
    def overall(self) -> list[str]:
        return [r.rag_overall for r in reversed(self.reports)]

    @property
    def latest(self) -> StatusReport | None:
        return self.reports[0] if self.reports else None


@dataclass
class ReportOverview:
    """The PMO's view: who has not reported, flagged and waiting reports, trends, roll-up."""

    late: list[tuple[Project, list[DueReport]]]
    waiting: list[StatusReport]
    flagged: list[StatusReport]
    trends: list[ProjectTrend]
    rollup: EvmRollup
    rag_counts: dict[str, int]


def report_overview(
    *, actor: Any, portfolio_id: int | None = None, today: dt.date | None = None
) -> ReportOverview:
    """For the PMO (and executives through visibility): reporting projects, constant queries."""
    today = today or timezone.localdate()
    qs = reporting_projects(internal_projects(actor)).select_related("manager", "portfolio")
    if portfolio_id:
        qs = qs.filter(portfolio_id=portfolio_id)
    projects = list(qs.order_by("code"))
    by_pk = {p.pk: p for p in projects}
    late = late_reports(projects, today=today)
    reports = list(
        StatusReport.objects.filter(project_id__in=list(by_pk))
        .exclude(state=ReportState.DRAFT)
        .select_related("submitted_by", "reviewed_by")
        .order_by("project_id", "-due_date")
    )
    by_project: dict[int, list[StatusReport]] = defaultdict(list)
    for r in reports:
        r.project = by_pk[r.project_id]
        if len(by_project[r.project_id]) < 8:
            by_project[r.project_id].append(r)
    submitted = [r for r in reports if r.state == ReportState.SUBMITTED]
    rag_counts = {"green": 0, "amber": 0, "red": 0, "none": 0}
    trends = []
    for p in projects:
        trend = ProjectTrend(p, by_project.get(p.pk, []))
        trends.append(trend)
        rag_counts[
            trend.latest.rag_overall if trend.latest and trend.latest.rag_overall else "none"
        ] += 1
    return ReportOverview(
        late=[(by_pk[pk], items) for pk, items in late.items()],
        waiting=sorted(submitted, key=lambda r: r.due_date),
        flagged=[r for r in reports if r.flags and r.state != ReportState.RETURNED][:20],
        trends=trends,
        rollup=evm_rollup(actor=actor, projects=projects),
        rag_counts=rag_counts,
    )


def may_review(actor: Any) -> bool:
    return is_pmo(actor)


def open_reports_of(projects: Iterable[int]) -> QuerySet[StatusReport]:
    return StatusReport.objects.filter(
        Q(project_id__in=list(projects)),
        Q(state=ReportState.DRAFT) | Q(state=ReportState.RETURNED),
    )


@dataclass(frozen=True)
class RollupGroup:
    name: str
    kind: str  # portfolio, program, none
    rollup: EvmRollup


def rollup_groups(*, actor: Any) -> list[RollupGroup]:
    """Earned value rolled up per portfolio and per program over the projects under way or
    closing that `actor` sees from the inside (one engine run per project, constant queries)."""
    from pmo.portfolio.models import ProgramProject

    projects = internal_projects(actor).filter(stage__in=[Stage.EXECUTION, Stage.CLOSING])
    everything = evm_rollup(actor=actor, projects=projects.select_related("portfolio"))
    rows = {r.project.pk: r for r in everything.rows}
    portfolios: dict[str, list[ProjectRollupRow]] = defaultdict(list)
    for r in everything.rows:
        name = r.project.portfolio.name if r.project.portfolio_id else "Not in a portfolio"
        portfolios[name].append(r)
    programs: dict[str, list[ProjectRollupRow]] = defaultdict(list)
    for name, project_id in ProgramProject.objects.filter(project_id__in=list(rows)).values_list(
        "program__name", "project_id"
    ):
        programs[name].append(rows[project_id])

    def group(name: str, kind: str, items: list[ProjectRollupRow]) -> RollupGroup:
        total = adapters.rollup(r.indicators for r in items)
        return RollupGroup(name, kind, EvmRollup(rows=items, total=total))

    return [
        *(group(f"Portfolio: {n}", "portfolio", portfolios[n]) for n in sorted(portfolios)),
        *(group(f"Program: {n}", "program", programs[n]) for n in sorted(programs)),
    ]
