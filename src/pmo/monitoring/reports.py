"""A status report as a printable page and a PDF (WeasyPrint), from the same context."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .models import StatusReport
from .selectors import report_indicators


def report_context(report: StatusReport) -> dict[str, Any]:
    return {
        "project": report.project,
        "report": report,
        "indicators": report_indicators(report),
        "for_print": True,
    }


def status_report_pdf(report: StatusReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("web/monitoring/report_print.html", report_context(report))
    return bytes(HTML(string=html).write_pdf())
