"""A published four-gate methodology, a template that follows it, and helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.governance import services as gov
from pmo.governance.models import Methodology, MethodologyVersion, StageDefinition
from pmo.projects import services as projects
from pmo.projects.models import Project

START = dt.date(2027, 3, 1)


def stage_of(version: MethodologyVersion, stage: str) -> StageDefinition:
    return StageDefinition.objects.get(version=version, stage=stage)


def build_methodology(admin: Any, name: str = "Stage-gate") -> MethodologyVersion:
    """Four gates: initiation (charter + a signed business case), planning (baseline, risks,
    budget), execution (timesheets), closing (a manual sign-off); small projects skip the
    planning gate's budget criterion, low-risk ones the planning gate's risk review."""
    m = gov.methodology_create(actor=admin, name=name, description="The PMO's way.")
    version = m.versions.get()
    init = stage_of(version, "initiation")
    gov.stage_definition_update(
        actor=admin,
        stage_id=init.pk,
        data={
            "guidance": "# Start well\n\nWrite the **charter**. <script>alert(1)</script>",
            "deliverables": ["Charter", "Business case"],
            "checklist": ["Sponsor named", "Kick-off held"],
        },
    )
    gov.criterion_add(
        actor=admin, stage_id=init.pk, kind="automatic", key="charter_approved", weight=3
    )
    gov.criterion_add(
        actor=admin, stage_id=init.pk, kind="manual", label="Business case signed", weight=1
    )
    plan = stage_of(version, "planning")
    gov.criterion_add(
        actor=admin, stage_id=plan.pk, kind="automatic", key="baseline_exists", weight=2
    )
    risks = gov.criterion_add(
        actor=admin,
        stage_id=plan.pk,
        kind="automatic",
        key="risk_register_reviewed",
        params={"days": 30},
    )
    budget = gov.criterion_add(
        actor=admin, stage_id=plan.pk, kind="automatic", key="budget_approved"
    )
    execution = stage_of(version, "execution")
    gov.criterion_add(
        actor=admin, stage_id=execution.pk, kind="automatic", key="timesheets_approved"
    )
    closing = stage_of(version, "closing")
    gov.criterion_add(
        actor=admin, stage_id=closing.pk, kind="manual", label="Operations sign-off", weight=2
    )
    gov.tailoring_rule_add(
        actor=admin,
        version_id=version.pk,
        effect="skip_criterion",
        criterion_id=budget.pk,
        sizes=["small"],
        reason="Small projects are funded from the unit's running budget.",
    )
    gov.tailoring_rule_add(
        actor=admin,
        version_id=version.pk,
        effect="skip_criterion",
        criterion_id=risks.pk,
        risk_levels=["low"],
        reason="Low-risk projects review risks at the status meeting.",
    )
    return gov.version_publish(actor=admin, version_id=version.pk)


@pytest.fixture
def version(people: dict[str, Any]) -> MethodologyVersion:
    return build_methodology(people["pmo_admin"])


@pytest.fixture
def methodology(version: MethodologyVersion) -> Methodology:
    return version.methodology


@pytest.fixture
def governed(project: Project, people: dict[str, Any], methodology: Methodology) -> Project:
    """PRJ-001 (in initiation) following the methodology."""
    gov.project_methodology_set(
        actor=people["manager"], project_id=project.pk, methodology_id=methodology.pk
    )
    project.refresh_from_db()
    return project


def approve_charter(project: Project, people: dict[str, Any], charter: dict[str, Any]) -> None:
    pm = people["manager"]
    projects.charter_update(actor=pm, project_id=project.pk, version=None, data=charter)
    projects.charter_submit(actor=pm, project_id=project.pk, version=None)
    projects.charter_decide(
        actor=people["sponsor"], project_id=project.pk, version=None, decision="approve"
    )


def criterion_id(project: Project, label: str) -> int:
    from pmo.governance.models import GateCriterion

    return GateCriterion.objects.get(stage__version__projects__project=project, label=label).pk


def pass_initiation(project: Project, people: dict[str, Any], charter: dict[str, Any]) -> None:
    """Meet the initiation gate, request its review and have the PMO decide go."""
    approve_charter(project, people, charter)
    gov.evidence_record(
        actor=people["manager"],
        project_id=project.pk,
        criterion_id=criterion_id(project, "Business case signed"),
        kind="link",
        url="https://intranet.example.org/cases/42",
    )
    review = gov.review_request(actor=people["manager"], project_id=project.pk)
    gov.review_decide(
        actor=people["pmo_analyst"], review_id=review.pk, decision="go", rationale="All in order."
    )
