"""Demo governance: the PMO's stage-gate methodology, two templates, and projects at every gate
state — criteria missing, a review waiting, go, go with conditions (one open), hold then go,
recycle, an admin override — with a few weeks of compliance history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pmo.accounts.models import User
from pmo.core.audit import audit_record
from pmo.governance import gates
from pmo.governance import services as gov
from pmo.governance.criteria import registered
from pmo.governance.models import (
    ComplianceSnapshot,
    GateCondition,
    GateReview,
    MethodologyVersion,
    ProjectGovernance,
    StageDefinition,
    StageOverride,
)
from pmo.projects import services as projects
from pmo.projects.models import Project, Stage

GUIDANCE = {
    "initiation": (
        "## Why are we doing this?\n\n"
        "Agree the **purpose, scope and benefits** with the sponsor in the charter. Name the "
        "sponsor and the project manager, and write the business case the sponsor signs.\n\n"
        "- Keep the charter to what the sponsor decides on\n- Record the first risks"
    ),
    "planning": (
        "## How will we do it?\n\n"
        "Build the plan (WBS, durations, links), have the engine schedule it, staff it, cost it "
        "and **capture the baseline**. Review every open risk and make sure the budget covers "
        "the plan's cost before asking to start."
    ),
    "execution": (
        "## Deliver and control\n\n"
        "Report status on cadence, approve timesheets weekly, control changes through the "
        "change log. Before closing, the acceptance tests must be reported."
    ),
    "closing": (
        "## Hand over and learn\n\n"
        "Get every deliverable accepted, close the contracts, record the lessons learned and "
        "release the team."
    ),
}
DELIVERABLES = {
    "initiation": ["Project charter", "Business case"],
    "planning": ["Schedule and baseline", "Budget", "Risk register"],
    "execution": ["Status reports", "Accepted deliverables"],
    "closing": ["Closure report", "Lessons learned"],
}
CHECKLISTS = {
    "initiation": ["Sponsor named", "Kick-off meeting held"],
    "planning": ["Team confirmed with line managers", "Communication plan agreed"],
    "execution": ["Weekly status meeting running"],
    "closing": ["Access rights removed", "Archive complete"],
}
# stage -> (kind, key or label, weight, params)
CRITERIA: dict[str, list[tuple[str, str, int, dict[str, Any]]]] = {
    "initiation": [
        ("automatic", "charter_approved", 3, {}),
        ("manual", "Business case signed by the sponsor", 2, {}),
    ],
    "planning": [
        ("automatic", "plan_approved", 2, {}),
        ("automatic", "baseline_exists", 2, {}),
        ("automatic", "risk_register_reviewed", 1, {"days": 30}),
        ("automatic", "budget_approved", 1, {}),
    ],
    "execution": [
        ("automatic", "no_status_report_overdue", 2, {}),
        ("automatic", "timesheets_approved", 1, {"days": 14}),
        ("manual", "Acceptance test report", 2, {}),
    ],
    "closing": [
        ("automatic", "deliverables_accepted", 2, {}),
        ("automatic", "contracts_closed", 1, {}),
        ("automatic", "lessons_recorded", 1, {}),
    ],
}

# name, role, interest, influence: who the PM of a project from a template records first
STAKEHOLDERS = [
    ("Sponsor's office", "Decides on scope and money", 4, 5),
    ("Team leads", "Provide the people", 4, 3),
    ("End users", "Live with the result", 5, 2),
    ("Operations", "Run it afterwards", 3, 3),
]

TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Software delivery",
        "description": "An application built and released in increments, with user acceptance.",
        "project_type": "it",
        "size": "medium",
        "risk_level": "medium",
        "tasks": [
            {"key": "AN", "name": "Analysis", "duration": 0},
            {"key": "REQ", "name": "Requirements workshops", "duration": 8, "parent": "AN"},
            {"key": "ARC", "name": "Solution architecture", "duration": 6, "parent": "AN"},
            {"key": "BLD", "name": "Build", "duration": 0},
            {"key": "INC1", "name": "Increment 1", "duration": 15, "parent": "BLD"},
            {"key": "INC2", "name": "Increment 2", "duration": 15, "parent": "BLD"},
            {"key": "UAT", "name": "User acceptance test", "duration": 10},
            {"key": "TRN", "name": "Training", "duration": 5},
            {"key": "GO", "name": "Go-live", "duration": 0},
        ],
        "links": [
            {"predecessor": "REQ", "successor": "ARC", "type": "SS", "lag": 3},
            {"predecessor": "ARC", "successor": "INC1"},
            {"predecessor": "INC1", "successor": "INC2"},
            {"predecessor": "INC2", "successor": "UAT"},
            {"predecessor": "UAT", "successor": "TRN", "type": "SS", "lag": 5},
            {"predecessor": "UAT", "successor": "GO"},
            {"predecessor": "TRN", "successor": "GO"},
        ],
        "roles": [
            {"role": "Business analyst", "count": 1},
            {"role": "Software engineer", "count": 3},
            {"role": "Test analyst", "count": 1},
        ],
        "risks": [
            {"title": "Requirements change late", "probability": 3, "impact": 3},
            {"title": "Key engineer leaves", "probability": 2, "impact": 4},
        ],
        "deliverables": ["Working software in production", "User guide", "Operations runbook"],
        "checklist": ["Test environment booked", "Release window agreed with operations"],
    },
    {
        "name": "Office relocation",
        "description": "Moving a team to new premises over a weekend, with IT and facilities.",
        "project_type": "infrastructure",
        "size": "small",
        "risk_level": "low",
        "tasks": [
            {"key": "SRV", "name": "Site survey", "duration": 3},
            {"key": "FIT", "name": "Fit-out", "duration": 20},
            {"key": "NET", "name": "Network and telephony", "duration": 8},
            {"key": "MOV", "name": "Move weekend", "duration": 2},
            {"key": "SNG", "name": "Snagging", "duration": 5},
        ],
        "links": [
            {"predecessor": "SRV", "successor": "FIT"},
            {"predecessor": "SRV", "successor": "NET"},
            {"predecessor": "FIT", "successor": "MOV"},
            {"predecessor": "NET", "successor": "MOV"},
            {"predecessor": "MOV", "successor": "SNG"},
        ],
        "roles": [
            {"role": "Facilities coordinator", "count": 1},
            {"role": "IT technician", "count": 2},
        ],
        "risks": [{"title": "Fit-out contractor late", "probability": 3, "impact": 3}],
        "deliverables": ["Premises ready", "Staff moved"],
        "checklist": ["Landlord handover signed", "Staff briefed"],
    },
]


def _methodology(admin: User) -> MethodologyVersion:
    known = {c.key for c in registered()}
    m = gov.methodology_create(
        actor=admin,
        name="PMO stage-gate",
        description="Four stages with a gate at the exit of each; lighter for small, low-risk "
        "work.",
    )
    version = m.versions.get()
    skip: dict[str, int] = {}
    for stage in ("initiation", "planning", "execution", "closing"):
        definition = StageDefinition.objects.get(version=version, stage=stage)
        gov.stage_definition_update(
            actor=admin,
            stage_id=definition.pk,
            data={
                "guidance": GUIDANCE[stage],
                "deliverables": DELIVERABLES[stage],
                "checklist": CHECKLISTS[stage],
            },
        )
        for kind, what, weight, params in CRITERIA[stage]:
            if kind == "automatic" and what not in known:
                continue
            item = gov.criterion_add(
                actor=admin,
                stage_id=definition.pk,
                kind=kind,
                key=what if kind == "automatic" else "",
                label="" if kind == "automatic" else what,
                weight=weight,
                params=params,
            )
            skip[what] = item.pk
    if "budget_approved" in skip:
        gov.tailoring_rule_add(
            actor=admin,
            version_id=version.pk,
            effect="skip_criterion",
            criterion_id=skip["budget_approved"],
            sizes=["small"],
            reason="Small projects are paid from the unit's running budget; no separate budget.",
        )
    if "risk_register_reviewed" in skip:
        gov.tailoring_rule_add(
            actor=admin,
            version_id=version.pk,
            effect="skip_criterion",
            criterion_id=skip["risk_register_reviewed"],
            risk_levels=["low"],
            reason="Low-risk projects review their risks at the monthly status meeting instead.",
        )
    return gov.version_publish(actor=admin, version_id=version.pk)


def _adopt(project: Project, version: MethodologyVersion, admin: User) -> None:
    """Projects under way when the PMO adopted the methodology follow it from today."""
    governance = ProjectGovernance.objects.create(project=project, methodology_version=version)
    audit_record(
        actor=admin,
        action="create",
        obj=governance,
        project_id=project.pk,
        note=f"Adopted {version} while in {project.get_stage_display().lower()}",
    )


def _history(
    project: Project,
    stage: str,
    decision: str,
    *,
    pm: User | None,
    reviewer: User,
    rationale: str,
    days_ago: int,
    conditions: list[tuple[str, User | None, int, bool]] | None = None,
) -> GateReview:
    """A past gate decision (the project moved on at the time)."""
    now = timezone.now()
    governance = gates.governance_of(project)
    assert governance is not None
    status = gates.evaluate_gate(project, stage, version=governance.methodology_version)
    snapshot = [r.as_dict() for r in status.results] if status else []
    review = GateReview.objects.create(
        project=project,
        methodology_version=governance.methodology_version,
        stage=stage,
        state="decided",
        requested_by=pm,
        criteria_at_request=snapshot,
        criteria_at_decision=snapshot,
        decision=decision,
        rationale=rationale,
        decided_by=reviewer,
        decided_at=now - dt.timedelta(days=days_ago),
        used_at=now - dt.timedelta(days=days_ago) if decision.startswith("go") else None,
    )
    GateReview.objects.filter(pk=review.pk).update(
        requested_at=now - dt.timedelta(days=days_ago + 3)
    )
    audit_record(
        actor=reviewer, action="transition", obj=review, project_id=project.pk,
        note=f"{review.gate_name}: {decision}",
    )  # fmt: skip
    for text, owner, due_in, closed in conditions or []:
        GateCondition.objects.create(
            review=review,
            text=text,
            owner=owner,
            due_date=timezone.localdate() + dt.timedelta(days=due_in),
            state="closed" if closed else "open",
            closed_by=owner if closed else None,
            closed_at=now - dt.timedelta(days=2) if closed else None,
            closing_note="Done and filed in the project documents." if closed else "",
        )
    return review


def demo_governance(people: dict[str, User], today: dt.date) -> None:
    admin, analyst = people["admin"], people["analyst"]
    version = _methodology(admin)
    templates = [
        gov.template_create(actor=admin, data={**spec, "methodology_id": version.methodology_id})
        for spec in TEMPLATES
    ]
    by_code = {p.code: p for p in Project.objects.select_related("manager")}

    def adopt(code: str) -> Project | None:
        project = by_code.get(code)
        if project is None or project.stage == Stage.CLOSED:
            return None
        _adopt(project, version, admin)
        return project

    # under way: go decisions on the gates they passed
    if p := adopt("DIG-101"):
        _history(p, "initiation", "go", pm=p.manager, reviewer=analyst, days_ago=140,
                 rationale="Charter and business case in order.")  # fmt: skip
        _history(p, "planning", "go_with_conditions", pm=p.manager, reviewer=admin, days_ago=110,
                 rationale="Plan sound; the data owner must be named before build.",
                 conditions=[("Name the data owner for customer records", p.manager, -90,
                              True)])  # fmt: skip
    if p := adopt("DIG-102"):
        _history(p, "initiation", "go_with_conditions", pm=p.manager, reviewer=analyst,
                 days_ago=20, rationale="Go; the field-service union must be consulted.",
                 conditions=[("Consult the field-service staff representatives",
                              p.manager, 10, False)])  # fmt: skip
    if p := adopt("DIG-103"):
        _history(p, "initiation", "go", pm=p.manager, reviewer=analyst, days_ago=230,
                 rationale="Strategic priority; charter approved.")  # fmt: skip
        _history(p, "planning", "hold", pm=p.manager, reviewer=admin, days_ago=200,
                 rationale="The migration has no rollback plan; come back with one.")  # fmt: skip
        _history(p, "planning", "go", pm=p.manager, reviewer=admin, days_ago=185,
                 rationale="Rollback plan reviewed with operations.")  # fmt: skip
    if p := adopt("OPS-201"):
        for stage, days in (("initiation", 300), ("planning", 270), ("execution", 20)):
            _history(p, stage, "go", pm=p.manager, reviewer=analyst, days_ago=days,
                     rationale="Criteria met; no open questions.")  # fmt: skip
    if p := adopt("OPS-202"):
        _history(p, "initiation", "go", pm=p.manager, reviewer=analyst, days_ago=120,
                 rationale="Business case signed.")  # fmt: skip
        override = StageOverride.objects.create(
            project=p, from_stage="planning", to_stage="execution", actor=admin,
            reason="The regulator's deadline left no time for the planning review; "
            "the board accepted the risk (minutes of the March meeting).",
        )  # fmt: skip
        audit_record(actor=admin, action="create", obj=override, project_id=p.pk,
                     note=f"Stage override: {override.reason}"[:200])  # fmt: skip
    if p := adopt("DIG-104"):
        _history(p, "initiation", "recycle", pm=p.manager, reviewer=analyst, days_ago=6,
                 rationale="The benefits are not quantified; rework the business case.",
                 )  # fmt: skip
    adopt("REG-301")

    # new projects from the templates: one with criteria missing, one waiting for review
    pm, pm3 = people["pm"], people["pm3"]
    start = today + dt.timedelta(days=21)
    gov.project_create_from_template(
        actor=pm, template_id=templates[0].pk, start=start, code="DIG-110",
        name="Partner API", sponsor_id=people["cio"].pk,
    )  # fmt: skip
    partner = Project.objects.get(code="DIG-110")
    move = gov.project_create_from_template(
        actor=pm3, template_id=templates[1].pk, start=start, code="OPS-210",
        name="Leeds office move", sponsor_id=people["coo"].pk,
    )  # fmt: skip
    for project, manager in ((partner, pm), (move, pm3)):
        for name, role, interest, influence in STAKEHOLDERS:
            projects.stakeholder_create(
                actor=manager, project_id=project.pk,
                data={"name": name, "role": role, "interest": interest, "influence": influence},
            )  # fmt: skip
    projects.charter_update(
        actor=pm3, project_id=move.pk, version=None,
        data={"purpose": "Move the Leeds team to the new premises.",
              "problem": "The lease of the current office ends in the spring.",
              "objectives": [{"objective": "Move without lost working days", "measure":
                              "working days lost", "target": "0"}],
              "scope_in": "Fit-out, network, the move and snagging.",
              "deliverables": ["Premises ready", "Staff moved"],
              "success_criteria": ["Staff at their desks on Monday"],
              "milestones": [{"name": "Move weekend", "date": (start + dt.timedelta(days=30))
                              .isoformat()}],
              "budget_estimate": "85000"},
    )  # fmt: skip
    projects.charter_submit(actor=pm3, project_id=move.pk, version=None)
    projects.charter_decide(
        actor=people["coo"], project_id=move.pk, version=None, decision="approve"
    )
    case = StageDefinition.objects.get(version=version, stage="initiation").criteria.get(
        kind="manual"
    )
    gov.evidence_record(
        actor=pm3, project_id=move.pk, criterion_id=case.pk, kind="comment",
        comment="Signed by the COO at the facilities board; copy with the charter.",
    )  # fmt: skip
    gov.review_request(actor=pm3, project_id=move.pk, note="Lease ends soon; please review early.")

    # a few weeks of compliance history leading to today's scores
    gov.compliance_snapshot_take()
    for snap in list(ComplianceSnapshot.objects.filter(date=today)):
        if snap.score is None:
            continue
        for weeks in range(1, 9):
            drift = (weeks * (7 + snap.project_id % 5)) % 35
            ComplianceSnapshot.objects.create(
                project_id=snap.project_id,
                date=today - dt.timedelta(weeks=weeks),
                score=max(0.0, round(snap.score - drift, 1)),
                results={},
            )
