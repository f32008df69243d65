"""Demo status reporting: cadences per portfolio, months of submitted and reviewed status reports
on the projects under way with their earned value history, one report flagged as a watermelon
(declared green while its indicators are red) and one project that has not reported.

The services stamp reports and snapshots with *now*; the history is back-dated here: each past
status date is measured by the engine on the real baseline and costs, with the progress of that
date taken as today's progress scaled by the share of the plan due by then.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pmo.accounts.models import User
from pmo.engine import evm
from pmo.monitoring import adapters, selectors, services
from pmo.monitoring.models import EvmSnapshot, ReportState, StatusReport
from pmo.monitoring.watermelon import watermelon_flags
from pmo.portfolio.models import Portfolio
from pmo.projects.models import Project, ProjectType, Stage

DIMENSIONS = ("schedule", "cost", "scope", "risk", "resources")
TEXTS = [
    ("Design workshops closed; interfaces agreed with the vendor.", "Start the build sprints."),
    ("Two build sprints done; test environment ready.", "Integration tests with the CRM."),
    ("Integration tests passed for orders; invoices in progress.", "Plan the user acceptance."),
    ("Data migration rehearsal done.", "Second rehearsal and cut-over plan."),
    ("Training material drafted.", "Train the key users."),
    ("User acceptance started.", "Fix the findings; prepare go-live."),
]


def demo_monitoring(people: dict[str, User], today: dt.date) -> None:
    admin = people["admin"]
    starts = today - dt.timedelta(days=120)
    portfolios = {p.name: p for p in Portfolio.objects.all()}
    plans = [
        ("Digital transformation", "fortnightly", 4),
        ("Operational excellence", "monthly", 5),
        ("Regulatory & risk", "monthly", 5),
    ]
    for name, frequency, day in plans:
        if name in portfolios:
            services.cadence_create(
                actor=admin,
                data={
                    "portfolio_id": portfolios[name].pk,
                    "frequency": frequency,
                    "day_due": day,
                    "starts_on": starts,
                },
            )
    services.cadence_create(
        actor=admin,
        data={
            "project_type": ProjectType.OTHER,
            "frequency": "monthly",
            "day_due": 1,
            "starts_on": starts,
        },
    )
    projects = list(
        selectors.reporting_projects()
        .filter(manager__isnull=False)
        .select_related("manager")
        .order_by("code")
    )
    services.reports_open_due(projects=projects, today=today)
    inputs = adapters.evm_inputs(projects, today=today)
    for index, project in enumerate(projects):
        _invoices(project, inputs[project.pk], CPI_TARGETS[index % len(CPI_TARGETS)])
    inputs = adapters.evm_inputs(projects, today=today)
    for index, project in enumerate(projects):
        _history(project, inputs[project.pk], people, today, late=index == len(projects) - 1)


#: The cost efficiency each demo project runs at (in code order), so CPI tells a story.
CPI_TARGETS = [0.96, 0.84, 1.02, 0.91]


def _earned_through(data: adapters.EvmInputs, day: dt.date) -> float:
    """EV at a past `day`: the plan's value at the time the project had earned by then, the
    project running as late all along as it is now (its SPI(t) today)."""
    if not data.tasks:
        return 0.0
    now = evm.analyse(data.tasks, (), [evm.Status(data.status_date, data.complete)]).statuses[0]
    start = min(t.start for t in data.tasks)
    pace = now.schedule.spi_t or 1.0
    earned_at = start + dt.timedelta(days=max((day - start).days, 0) * min(pace, 1.0))
    return min(now.indicators.ev, evm.planned_value(data.tasks, earned_at))


def _invoices(project: Project, data: adapters.EvmInputs, cpi: float) -> None:
    """The contractor's monthly invoices: the work earned that month at the project's CPI."""
    from pmo.execution import services as execution

    if not data.tasks:
        return
    start = min(t.start for t in data.tasks)
    month, earned = start.replace(day=1), 0.0
    while month <= data.status_date:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        day = min(nxt - dt.timedelta(days=1), data.status_date)
        ev = _earned_through(data, day)
        amount = round((ev - earned) / cpi, 2)
        if amount > 0:
            execution.cost_create(
                actor=project.manager,
                project_id=project.pk,
                data={
                    "kind": "invoice",
                    "category": "contracts",
                    "date": day,
                    "amount": Decimal(str(amount)),
                    "vendor": "Northwind Consulting",
                    "reference": f"{project.code}-NW-{day:%Y%m}",
                    "description": f"Delivery team, {day:%B %Y}",
                },
            )
        month, earned = nxt, ev


def _measure(data: adapters.EvmInputs, day: dt.date) -> evm.StatusReport | None:
    if not data.tasks:
        return None
    ev_now = sum(t.budget * data.complete.get(t.id, 0.0) for t in data.tasks)
    share = _earned_through(data, day) / ev_now if ev_now else 0.0
    complete = {k: v * share for k, v in data.complete.items()}
    return evm.analyse(data.tasks, data.costs, [evm.Status(day, complete)]).statuses[0]


def _honest(value: float | None) -> str:
    if value is None or value >= 0.95:
        return "green"
    return "amber" if value >= 0.85 else "red"


def _history(
    project: Project, data: adapters.EvmInputs, people: dict[str, User], today: dt.date, late: bool
) -> None:
    pm, reviewer = project.manager, people["analyst"]
    current = selectors.project_indicators(project, today=today)
    reports = list(StatusReport.objects.filter(project=project).order_by("due_date"))
    if late and reports:
        reports = reports[:-2]  # the last two stay due: this PM has not reported
    watermelon = project.code == "DIG-103"
    for k, report in enumerate(reports):
        day = min(report.due_date, data.status_date)
        measured = _measure(data, day)
        indicators: dict[str, Any] = dict(current)
        if measured is not None:
            i, s = measured.indicators, measured.schedule
            indicators.update(
                status_date=day.isoformat(),
                pv=round(i.pv, 2),
                ev=round(i.ev, 2),
                ac=round(i.ac, 2),
                sv=round(i.sv, 2),
                cv=round(i.cv, 2),
                spi=None if i.spi is None else round(i.spi, 4),
                cpi=None if i.cpi is None else round(i.cpi, 4),
                eac=None if i.eac is None else round(i.eac, 2),
                spi_t=None if s.spi_t is None else round(s.spi_t, 4),
                percent_complete=round(100 * i.ev / i.bac, 1) if i.bac else None,
                budget_burn=round(100 * i.ac / i.bac, 1) if i.bac else None,
            )
        last = k == len(reports) - 1
        rag = dict.fromkeys(DIMENSIONS, "green")
        measures = [indicators.get("spi"), indicators.get("spi_t")]
        rag["schedule"] = _honest(min((m for m in measures if m is not None), default=None))
        rag["cost"] = _honest(indicators.get("cpi"))
        rag["risk"] = "amber" if indicators.get("open_high_risks") else "green"
        worst = max(rag.values(), key=["green", "amber", "red"].index)
        rag["overall"] = worst
        if watermelon and last:
            rag = dict.fromkeys((*DIMENSIONS, "overall"), "green")
        flags = [f.as_dict() for f in watermelon_flags(rag, indicators)]
        done, nxt = TEXTS[k % len(TEXTS)]
        at = timezone.make_aware(dt.datetime.combine(report.due_date, dt.time(16, 30)))
        review = not last or not (watermelon or k % 2)
        StatusReport.objects.filter(pk=report.pk).update(
            **{f"rag_{d}": v for d, v in rag.items()},
            accomplishments=done,
            next_steps=nxt,
            decisions_needed="" if k % 3 else "Approve the second test environment.",
            indicators=indicators,
            flags=flags,
            state=ReportState.REVIEWED if review else ReportState.SUBMITTED,
            submitted_by=pm,
            submitted_at=at,
            reviewed_by=reviewer if review else None,
            reviewed_at=at + dt.timedelta(days=1) if review else None,
            review_comment="Thanks; keep the recovery actions on the plan."
            if review and k % 2
            else "",
            version=2,
        )
        if measured is not None:
            i, s = measured.indicators, measured.schedule
            EvmSnapshot.objects.update_or_create(
                project=project,
                status_date=day,
                defaults={
                    "bac": Decimal(str(round(i.bac, 2))),
                    "pv": Decimal(str(round(i.pv, 2))),
                    "ev": Decimal(str(round(i.ev, 2))),
                    "ac": Decimal(str(round(i.ac, 2))),
                    "spi": i.spi,
                    "cpi": i.cpi,
                    "eac": None if i.eac is None else Decimal(str(round(i.eac, 2))),
                    "spi_t": s.spi_t,
                    "sv_t": s.sv_t,
                    "forecast_finish": measured.forecast_finish,
                    "recorded_by": pm,
                    "report_id": report.pk,
                },
            )
    if data.tasks and project.stage == Stage.EXECUTION:
        services.snapshot_record(actor=pm, project_id=project.pk)
