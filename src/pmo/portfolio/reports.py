"""The executive pack: a PDF (WeasyPrint) of the portfolio for management, generated in the
background with its progress recorded on the `ReportPack` row, then kept for download."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from . import charts
from .models import PackState, ReportPack
from .selectors import Dashboard, DashboardFilter, portfolio_dashboard

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def pack_context(dashboard: Dashboard, *, title: str) -> dict[str, Any]:
    """What the pack's template shows, with its charts drawn as inline SVG."""
    budget = dashboard.budget_by_portfolio
    return {
        "title": title,
        "generated_at": timezone.now(),
        "d": dashboard,
        "t": dashboard.totals,
        "running": [f for f in dashboard.figures if f.phase != "finished"],
        "finished": [f for f in dashboard.figures if f.phase == "finished"],
        "no_value": dashboard.flag_count("no_value"),
        "health_chart": charts.count_bar(
            [(c["label"], c["n"], charts.HEALTH_COLOURS[c["key"]]) for c in dashboard.by_health]
        ),
        "stage_chart": charts.count_bar(
            [
                (c["label"], c["n"], colour)
                for c, colour in zip(
                    dashboard.by_stage,
                    ("#90a4ae", "#4f83cc", "#1f5fa8", "#7b1fa2", "#455a64"),
                    strict=False,
                )
            ]
        ),
        "budget_chart": charts.grouped_bars(
            [g["name"] for g in budget],
            [
                ("Budget", [float(g["budget"]) for g in budget]),
                ("Actual", [float(g["actual"]) for g in budget]),
                ("Estimate at completion", [float(g["eac"]) for g in budget]),
            ],
        ),
        "bubble_chart": charts.bubbles(
            [
                charts.Bubble(
                    b["code"], b["value"], b["risk"], b["cost"], charts.HEALTH_COLOURS[b["health"]]
                )
                for b in dashboard.bubbles
            ]
        ),
    }


def pack_pdf(dashboard: Dashboard, *, title: str, progress: Progress | None = None) -> bytes:
    from weasyprint import HTML

    context = pack_context(dashboard, title=title)
    if progress:
        progress(55, "Laying out the pages")
    html = render_to_string("web/portfolio/executive_pack.html", context)
    if progress:
        progress(70, "Writing the PDF")
    return bytes(HTML(string=html).write_pdf())


def _step(pack: ReportPack, percent: int, step: str, **more: Any) -> None:
    """Record progress in its own short write, so readers see it while the pack is made."""
    ReportPack.objects.filter(pk=pack.pk).update(
        progress=percent, step=step[:120], updated_at=timezone.now(), **more
    )


def pack_generate(pack_id: int) -> str:
    """Generate the pack: gather the figures as its requester sees them, draw, write the PDF,
    keep it. A failure is recorded on the pack with its reason, never lost."""
    pack = ReportPack.objects.select_related("requested_by").filter(pk=pack_id).first()
    if pack is None:
        return "gone"
    if pack.state not in (PackState.QUEUED, PackState.FAILED):
        return str(pack.state)
    _step(pack, 5, "Gathering the figures", state=PackState.RUNNING, error="")
    try:
        dashboard = portfolio_dashboard(
            actor=pack.requested_by,
            filters=DashboardFilter(portfolio_id=pack.portfolio_id),
            with_trend=True,
        )
        _step(pack, 35, f"Drawing the charts of {len(dashboard.figures)} projects")
        pdf = pack_pdf(dashboard, title=pack.title, progress=lambda p, s: _step(pack, p, s))
        _step(pack, 90, "Keeping the file")
        pack.file.save(pack.filename, ContentFile(pdf), save=False)
        ReportPack.objects.filter(pk=pack.pk).update(
            file=pack.file.name,
            size=len(pdf),
            project_count=len(dashboard.figures),
            state=PackState.DONE,
            progress=100,
            step="Ready",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    except Exception as exc:  # recorded on the pack for the reader; the worker carries on
        logger.exception("Executive pack %s failed", pack_id)
        _step(
            pack,
            0,
            "Failed",
            state=PackState.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    return "done"
