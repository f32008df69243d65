"""The final report of a project, as a PDF (WeasyPrint) from the same data as the closing page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from pmo.projects.models import Project


def final_report_context(project: Project, *, actor: Any) -> dict[str, Any]:
    from . import selectors

    pir = selectors.pir_get(actor=actor, project=project)
    facts = pir.facts if pir and pir.facts else selectors.pir_facts(actor=actor, project=project)
    return {
        "project": project,
        "pir": pir,
        "facts": facts,
        "objectives": pir.objectives if pir else facts.get("objectives", []),
        "deliverables": selectors.deliverable_list(actor=actor, project=project),
        "sign_offs": selectors.sign_off_list(actor=actor, project=project),
        "contracts": selectors.contract_list(actor=actor, project=project),
        "release": selectors.release_get(actor=actor, project=project),
        "benefits": selectors.benefit_rows(actor=actor, project=project),
    }


def final_report_pdf(project: Project, *, actor: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "web/closure/final_report.html", final_report_context(project, actor=actor)
    )
    return bytes(HTML(string=html).write_pdf())
