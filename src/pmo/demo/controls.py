"""Demo controls: a risk register, a budget, a quality plan and a communication plan for a
project with a plan, built through the controls services and the same for the same project code."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pmo.accounts.models import User
from pmo.controls import selectors, services
from pmo.planning.models import Task
from pmo.projects.models import Project, ProjectRole, Stage, Stakeholder

# title, kind, category, cause, event, effect, strategy, response actions, trigger
RISKS: list[tuple[str, ...]] = [
    (
        "Key supplier delivers late",
        "threat",
        "commercial",
        "A single supplier for the core platform",
        "The supplier misses its delivery date",
        "Integration and testing slip",
        "mitigate",
        "Weekly supplier check-ins; a second supplier pre-qualified.",
        "Supplier misses an interim milestone",
    ),
    (
        "Specialists pulled onto other work",
        "threat",
        "organisational",
        "The same specialists serve several projects",
        "They are reassigned at short notice",
        "Build work stalls",
        "escalate",
        "Agree named allocations with the resource owners at the portfolio board.",
        "Allocation below 80% for two weeks",
    ),
    (
        "Legacy data of poor quality",
        "threat",
        "technical",
        "Years of manual data entry",
        "Migration rejects many records",
        "Go-live is delayed and users lose trust",
        "mitigate",
        "Profile the data early; fund a cleansing sprint.",
        "More than 5% of records fail the trial migration",
    ),
    (
        "Requirements keep changing",
        "threat",
        "project_management",
        "Stakeholders discover needs during demos",
        "Scope grows without change control",
        "Cost and schedule overrun",
        "avoid",
        "Change requests go through the change board; demos every sprint.",
        "More than three change requests in a month",
    ),
    (
        "Security review finds critical issues",
        "threat",
        "technical",
        "New external interfaces",
        "The penetration test reports critical findings",
        "Release is blocked until they are fixed",
        "mitigate",
        "Threat modelling in design; security champion in the team.",
        "Any high finding in the design review",
    ),
    (
        "Regulation changes mid-project",
        "threat",
        "external",
        "Pending regulatory consultation",
        "New rules are published before go-live",
        "Rework of processes and reports",
        "accept",
        "Track the consultation; keep a contingency reserve.",
        "Regulator publishes a draft",
    ),
    (
        "Vendor licence costs rise",
        "threat",
        "commercial",
        "Licences are priced per user annually",
        "The vendor raises its price list",
        "Running costs exceed the business case",
        "transfer",
        "Negotiate a multi-year price cap in the contract.",
        "Vendor announces new pricing",
    ),
    (
        "Users resist the new process",
        "threat",
        "organisational",
        "The change alters daily routines",
        "Adoption stays low after go-live",
        "Benefits are not realised",
        "mitigate",
        "Change champions per team; training before go-live.",
        "Training attendance below 70%",
    ),
    (
        "Test environment unavailable",
        "threat",
        "technical",
        "Shared environments with other projects",
        "The environment is booked or broken when needed",
        "Test cycles are lost",
        "avoid",
        "Book environments a quarter ahead; automate their set-up.",
        "Environment down for more than two days",
    ),
    (
        "Budget cut at mid-year review",
        "threat",
        "organisational",
        "Pressure on the organisation's spending",
        "The board cuts the project's budget",
        "Scope must be reduced",
        "escalate",
        "Keep the benefits case current for the sponsor.",
        "Mid-year forecast shows a deficit",
    ),
    (
        "Go-live clashes with peak season",
        "threat",
        "external",
        "Seasonal peak in customer demand",
        "Go-live slips into the peak",
        "Support is overloaded",
        "avoid",
        "Fix a change freeze window and plan go-live before it.",
        "Forecast go-live within four weeks of the peak",
    ),
    (
        "Key person leaves the team",
        "threat",
        "organisational",
        "Knowledge held by few people",
        "A key team member resigns",
        "Delivery slows while others learn",
        "mitigate",
        "Pair on critical work; document decisions.",
        "Resignation notice",
    ),
]
OPPORTUNITIES: list[tuple[str, ...]] = [
    (
        "Reuse the group's integration platform",
        "opportunity",
        "technical",
        "Another division built an integration platform",
        "We can adopt it instead of building our own",
        "Build effort falls",
        "exploit",
        "Agree terms of use with the platform team.",
        "Platform team confirms capacity",
    ),
    (
        "Volume discount from the vendor",
        "opportunity",
        "commercial",
        "The vendor courts a reference customer",
        "It offers a discount for a joint case study",
        "Licence cost falls",
        "enhance",
        "Offer the case study in the negotiation.",
        "Vendor proposes reference terms",
    ),
    (
        "Share training with a sister project",
        "opportunity",
        "project_management",
        "A sister project trains the same users",
        "Both projects share trainers and material",
        "Training cost and disruption fall",
        "share",
        "Align the training calendars of both projects.",
        "Sister project publishes its training plan",
    ),
]
# deliverable, acceptance criteria, quality standards, review method
QUALITY: list[tuple[str, str, str, str]] = [
    (
        "Requirements specification",
        "Every requirement is testable and signed off by its owner.",
        "IEEE 29148",
        "peer_review",
    ),
    (
        "Solution architecture",
        "Reviewed by the architecture board; no open high risks.",
        "Enterprise architecture principles",
        "walkthrough",
    ),
    (
        "Working software release",
        "All acceptance tests pass; no open severity 1 or 2 defects.",
        "Definition of done",
        "testing",
    ),
    (
        "Migrated data",
        "99.5% of records reconcile with the source; exceptions explained.",
        "Data quality rules",
        "audit",
    ),
    (
        "User training",
        "80% of users trained; course rated 4 of 5 or better.",
        "",
        "demonstration",
    ),
    (
        "Operating procedures",
        "Operations sign off the runbook after a rehearsal.",
        "Service management standards",
        "inspection",
    ),
    (
        "Security assessment",
        "No open critical or high findings at go-live.",
        "ISO/IEC 27001 controls",
        "audit",
    ),
]
# information, frequency, channel, audience (stakeholder names)
COMMUNICATIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("Steering committee status report", "monthly", "report", ("Margaret Okafor",)),
    ("Team stand-up", "daily", "meeting", ("IT operations",)),
    ("Cost and forecast report", "monthly", "report", ("Finance business partners",)),
    ("Release demo", "milestones", "workshop", ("Customer advisory panel", "Front-line staff")),
    ("Consultation briefing", "quarterly", "meeting", ("Works council",)),
    ("Project newsletter", "fortnightly", "newsletter", ("Front-line staff", "IT operations")),
]
# the share of each month's planned cost per cost category
CATEGORY_SHARES = {"labour": 0.6, "contracts": 0.2, "materials": 0.12, "other": 0.08}
DONE_STAGES = (Stage.CLOSING, Stage.CLOSED)


def demo_controls(project: Project, manager: User) -> None:
    """Risks, budget lines, quality items and communications for `project` and its plan."""
    rng = random.Random(f"controls {project.code}")  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    members = User.objects.filter(
        memberships__project=project, memberships__role=ProjectRole.MEMBER
    ).order_by("username")
    team = [manager, *members]
    _risks(project, manager, team, rng, today)
    _budget(project, manager, rng)
    _quality(project, manager, team, rng, today)
    _communications(project, manager, rng, today)


def _risks(
    project: Project, manager: User, team: list[User], rng: random.Random, today: dt.date
) -> None:
    tasks = list(
        Task.objects.filter(project=project, is_summary=False).values_list("pk", flat=True)
    )
    threats = rng.sample(RISKS, rng.randint(4, 10))
    for row in [*threats, *rng.sample(OPPORTUNITIES, 2)]:
        title, kind, category, cause, event, effect, strategy, actions, trigger = row
        probability, impact = rng.randint(1, 5), rng.randint(1, 5)
        closed = project.stage in DONE_STAGES and rng.random() < 0.6
        data: dict[str, Any] = {
            "title": title,
            "kind": kind,
            "category": category,
            "cause": cause,
            "event": event,
            "effect": effect,
            "probability": probability,
            "impact": impact,
            "cost_impact": Decimal(rng.choice([2, 5, 8, 12, 20, 35])) * 1000,
            "schedule_impact_days": rng.choice([None, 3, 5, 10, 15]),
            "owner_id": rng.choice(team).pk,
            "strategy": strategy,
            "response_actions": actions,
            "trigger": trigger,
            "status": "closed" if closed else rng.choice(["open"] * 7 + ["occurred"]),
            "review_date": None if closed else today + dt.timedelta(days=rng.randint(-5, 40)),
        }
        if tasks and rng.random() < 0.6:
            data["task_ids"] = rng.sample(tasks, min(len(tasks), rng.randint(1, 3)))
        services.risk_create(actor=manager, project_id=project.pk, data=data)


def _budget(project: Project, manager: User, rng: random.Random) -> None:
    """Each month's planned cost of the tasks, split by category, with some contingency."""
    summary = selectors.budget_summary(actor=manager, project=project)
    contingency = 1 + rng.choice([0.05, 0.08, 0.1, 0.15])
    for month, cost in zip(summary.months, summary.tasks.amounts, strict=True):
        for category, share in CATEGORY_SHARES.items():
            amount = round(float(cost) * share * contingency * rng.uniform(0.9, 1.1), -2)
            if amount <= 0:
                continue
            services.budget_line_create(
                actor=manager,
                project_id=project.pk,
                data={"category": category, "period": month, "amount": Decimal(amount)},
            )


def _quality(
    project: Project, manager: User, team: list[User], rng: random.Random, today: dt.date
) -> None:
    start, finish = project.planned_start, project.planned_finish
    items = rng.sample(QUALITY, rng.randint(3, 6))
    for n, (deliverable, criteria, standards, method) in enumerate(items, start=1):
        due = start + (finish - start) * n / (len(items) + 1)
        status = "planned"
        if project.stage in DONE_STAGES or due < today - dt.timedelta(days=14):
            status = "accepted"
        elif due < today + dt.timedelta(days=14):
            status = "in_review"
        services.quality_item_create(
            actor=manager,
            project_id=project.pk,
            data={
                "deliverable": deliverable,
                "acceptance_criteria": criteria,
                "quality_standards": standards,
                "review_method": method,
                "reviewer_id": rng.choice(team).pk,
                "due_date": due,
                "status": status,
            },
        )


def _communications(project: Project, manager: User, rng: random.Random, today: dt.date) -> None:
    stakeholders = dict(Stakeholder.objects.filter(project=project).values_list("name", "pk"))
    items = rng.sample(COMMUNICATIONS, rng.randint(3, 5))
    for n, (information, frequency, channel, audience) in enumerate(items):
        # the first one is overdue: the plan shows what slipped
        due = (
            today - dt.timedelta(days=rng.randint(2, 9))
            if n == 0
            else today + dt.timedelta(days=rng.randint(1, 30))
        )
        services.communication_item_create(
            actor=manager,
            project_id=project.pk,
            data={
                "information": information,
                "stakeholder_ids": [stakeholders[s] for s in audience if s in stakeholders],
                "audience_description": ""
                if any(s in stakeholders for s in audience)
                else "The project team",
                "frequency": frequency,
                "channel": channel,
                "owner_id": manager.pk,
                "next_due": due,
            },
        )
