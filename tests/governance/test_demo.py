"""The demo: a published methodology, two templates, and projects at every gate state."""

from __future__ import annotations

from typing import Any

from pmo.governance import selectors
from pmo.governance.models import (
    ComplianceSnapshot,
    GateCondition,
    GateReview,
    MethodologyVersion,
    ProjectTemplate,
    StageOverride,
)
from pmo.projects.models import Project


def test_demo_has_gates_in_every_state(db: Any, demo_data: str) -> None:
    version = MethodologyVersion.objects.get(methodology__name="PMO stage-gate")
    assert version.state == "published"
    assert version.stages.count() == 4 and version.tailoring_rules.count() == 2
    assert ProjectTemplate.objects.count() == 2
    decisions = set(GateReview.objects.values_list("decision", flat=True))
    assert {"go", "go_with_conditions", "hold", "recycle"} <= decisions
    waiting = GateReview.objects.get(state="requested")
    assert waiting.project.code == "OPS-210"
    assert GateCondition.objects.filter(state="open").exists()
    assert StageOverride.objects.exists()
    partner = Project.objects.get(code="DIG-110")
    assert partner.tasks.filter(early_start__isnull=False).count() == 9
    panel = selectors.gate_panel(partner)
    assert panel.current is not None and panel.current.missing
    scores = selectors.compliance_by_project(Project.objects.all())
    assert any(s is not None for s in scores.values())
    assert ComplianceSnapshot.objects.filter(date__lt=waiting.requested_at.date()).exists()
