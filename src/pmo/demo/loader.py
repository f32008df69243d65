"""Loads the demo organisation through the services, so it is audited like real work.

Dates are relative to today, so the demo always looks current. Every demo person logs in with
DEMO_PASSWORD; `demo_logins()` lists one account per role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from pmo.accounts.models import OrgRole, User
from pmo.accounts.services import user_create
from pmo.core.notifications import notifications_muted
from pmo.demo.changes import demo_changes
from pmo.demo.closure import demo_closure
from pmo.demo.controls import demo_controls
from pmo.demo.execution import demo_execution
from pmo.demo.governance import demo_governance
from pmo.demo.monitoring import demo_monitoring
from pmo.demo.plans import demo_plan
from pmo.demo.portfolio import demo_portfolio
from pmo.demo.programs import demo_programs
from pmo.demo.resources import demo_resources
from pmo.demo.riskanalysis import demo_riskanalysis
from pmo.demo.support import demo_support
from pmo.planning import services as planning_services
from pmo.planning.models import Task
from pmo.portfolio.models import Portfolio
from pmo.projects import services as project_services
from pmo.projects.models import Project, ProjectRole, Stage

DEMO_PASSWORD = "pmo-demo-2026"

# username, first name, last name, role, job title
PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("admin", "Amira", "Haddad", OrgRole.PMO_ADMIN, "Head of PMO"),
    ("analyst", "Lucas", "Moreau", OrgRole.PMO_ANALYST, "Portfolio analyst"),
    ("analyst2", "Priya", "Nair", OrgRole.PMO_ANALYST, "PMO analyst"),
    ("ceo", "Margaret", "Okafor", OrgRole.EXECUTIVE, "Chief Executive Officer"),
    ("cfo", "Daniel", "Brandt", OrgRole.EXECUTIVE, "Chief Financial Officer"),
    ("cio", "Sofia", "Lindqvist", OrgRole.EXECUTIVE, "Chief Information Officer"),
    ("coo", "Kenji", "Watanabe", OrgRole.EXECUTIVE, "Chief Operating Officer"),
    ("pm", "Elena", "Rossi", OrgRole.PROJECT_MANAGER, "Senior project manager"),
    ("pm2", "Tomás", "García", OrgRole.PROJECT_MANAGER, "Project manager"),
    ("pm3", "Grace", "Mensah", OrgRole.PROJECT_MANAGER, "Project manager"),
    ("pm4", "Oliver", "Schmidt", OrgRole.PROJECT_MANAGER, "Programme manager"),
    ("pm5", "Hannah", "Kowalski", OrgRole.PROJECT_MANAGER, "Junior project manager"),
    ("dev", "Noah", "Fischer", OrgRole.TEAM_MEMBER, "Software engineer"),
    ("dev2", "Aisha", "Bello", OrgRole.TEAM_MEMBER, "Software engineer"),
    ("dev3", "Mateo", "Silva", OrgRole.TEAM_MEMBER, "Front-end developer"),
    ("arch", "Ingrid", "Johansson", OrgRole.TEAM_MEMBER, "Solution architect"),
    ("ba", "Ravi", "Patel", OrgRole.TEAM_MEMBER, "Business analyst"),
    ("ba2", "Chloé", "Dubois", OrgRole.TEAM_MEMBER, "Business analyst"),
    ("qa", "Samuel", "Adeyemi", OrgRole.TEAM_MEMBER, "Test lead"),
    ("qa2", "Yuki", "Tanaka", OrgRole.TEAM_MEMBER, "Test analyst"),
    ("ops", "Liam", "O'Connor", OrgRole.TEAM_MEMBER, "Infrastructure engineer"),
    ("ops2", "Fatima", "Zahra", OrgRole.TEAM_MEMBER, "Network engineer"),
    ("data", "Jonas", "Berg", OrgRole.TEAM_MEMBER, "Data engineer"),
    ("ux", "Isabel", "Costa", OrgRole.TEAM_MEMBER, "UX designer"),
    ("fin", "Peter", "Novak", OrgRole.TEAM_MEMBER, "Finance controller"),
    ("hr", "Leila", "Rahimi", OrgRole.TEAM_MEMBER, "HR business partner"),
    ("legal", "Marcus", "Webb", OrgRole.TEAM_MEMBER, "Legal counsel"),
    ("trainer", "Nadia", "Popescu", OrgRole.TEAM_MEMBER, "Training lead"),
    ("client", "Robert", "Hughes", OrgRole.EXTERNAL_CLIENT, "Client product owner"),
    ("client2", "Ana", "Ferreira", OrgRole.EXTERNAL_CLIENT, "Client IT manager"),
]

PORTFOLIOS = [
    ("Digital transformation", "Customer-facing and internal digital services.", "cio"),
    ("Operational excellence", "Process, facilities and supply-chain improvement.", "coo"),
    ("Regulatory & risk", "Mandatory compliance and risk-reduction work.", "cfo"),
]

# code, name, portfolio, sponsor, manager, target stage, charter outcome, health, months from now
# (start, finish), members (username, role). Charter outcome for initiation projects:
# "draft", "submitted" or "returned"; later stages always have an approved charter.
PROJECTS: list[dict[str, Any]] = [
    {
        "code": "DIG-101",
        "name": "Customer self-service portal",
        "portfolio": 0,
        "sponsor": "cio",
        "manager": "pm",
        "stage": Stage.EXECUTION,
        "health": "amber",
        "months": (-5, 7),
        "members": [
            ("dev", "member"),
            ("dev3", "member"),
            ("ux", "member"),
            ("qa", "member"),
            ("ba", "member"),
            ("client", "client"),
            ("fin", "viewer"),
        ],
    },
    {
        "code": "DIG-102",
        "name": "Mobile field-service app",
        "portfolio": 0,
        "sponsor": "coo",
        "manager": "pm2",
        "stage": Stage.PLANNING,
        "health": "green",
        "months": (-1, 9),
        "members": [("dev2", "member"), ("ux", "member"), ("qa2", "member")],
    },
    {
        "code": "DIG-103",
        "name": "Data platform modernisation",
        "portfolio": 0,
        "sponsor": "cio",
        "manager": "pm4",
        "stage": Stage.EXECUTION,
        "health": "red",
        "months": (-8, 4),
        "members": [("data", "member"), ("arch", "member"), ("ops", "member")],
    },
    {
        "code": "DIG-104",
        "name": "Intranet replacement",
        "portfolio": 0,
        "sponsor": "ceo",
        "manager": "pm3",
        "stage": Stage.INITIATION,
        "charter": "submitted",
        "health": "green",
        "months": (1, 8),
        "members": [("ux", "member"), ("hr", "member")],
    },
    {
        "code": "DIG-105",
        "name": "AI-assisted support triage",
        "portfolio": 0,
        "sponsor": "cio",
        "manager": "pm5",
        "stage": Stage.INITIATION,
        "charter": "draft",
        "health": "green",
        "months": (2, 10),
        "members": [("data", "member"), ("dev", "member")],
    },
    {
        "code": "OPS-201",
        "name": "Warehouse automation pilot",
        "type": "infrastructure",
        "portfolio": 1,
        "sponsor": "coo",
        "manager": "pm2",
        "stage": Stage.CLOSING,
        "health": "green",
        "months": (-12, -1),
        "members": [("ops2", "member"), ("arch", "member"), ("client2", "client")],
    },
    {
        "code": "OPS-202",
        "name": "Procurement process redesign",
        "portfolio": 1,
        "sponsor": "cfo",
        "manager": "pm3",
        "stage": Stage.EXECUTION,
        "health": "green",
        "months": (-3, 5),
        "members": [("ba2", "member"), ("fin", "member"), ("legal", "viewer")],
    },
    {
        "code": "OPS-203",
        "name": "Office consolidation",
        "type": "infrastructure",
        "portfolio": 1,
        "sponsor": "coo",
        "manager": "pm4",
        "stage": Stage.CLOSED,
        "health": "green",
        "months": (-18, -4),
        "members": [("ops", "member"), ("hr", "member")],
    },
    {
        "code": "OPS-204",
        "name": "Energy efficiency retrofit",
        "portfolio": 1,
        "sponsor": "coo",
        "manager": "pm5",
        "stage": Stage.INITIATION,
        "charter": "returned",
        "health": "amber",
        "months": (1, 14),
        "members": [("ops2", "member")],
    },
    {
        "code": "REG-301",
        "name": "Data protection compliance programme",
        "portfolio": 2,
        "sponsor": "cfo",
        "manager": "pm",
        "stage": Stage.PLANNING,
        "health": "amber",
        "months": (0, 6),
        "members": [("legal", "member"), ("data", "member"), ("ba2", "member")],
    },
    {
        "code": "REG-302",
        "name": "Financial controls uplift",
        "portfolio": 2,
        "sponsor": "cfo",
        "manager": "pm4",
        "stage": Stage.EXECUTION,
        "health": "green",
        "months": (-4, 3),
        "members": [("fin", "member"), ("qa2", "member"), ("arch", "viewer")],
    },
    {
        "code": "REG-303",
        "name": "Accessibility conformance",
        "portfolio": 2,
        "sponsor": "ceo",
        "manager": "pm2",
        "stage": Stage.INITIATION,
        "charter": "draft",
        "health": "green",
        "months": (2, 7),
        "members": [("ux", "member"), ("dev3", "member"), ("trainer", "member")],
    },
]

STAKEHOLDERS = [
    # name, internal, organisation, role, interest, influence, current, desired, preference
    (
        "Margaret Okafor",
        True,
        "Executive board",
        "Chief Executive",
        3,
        5,
        "supportive",
        "leading",
        "Monthly one-page summary",
    ),
    (
        "Works council",
        True,
        "Staff representation",
        "Consultation body",
        4,
        4,
        "neutral",
        "supportive",
        "Quarterly briefing",
    ),
    (
        "Customer advisory panel",
        False,
        "Key accounts",
        "Users",
        5,
        2,
        "supportive",
        "supportive",
        "Demo at each release",
    ),
    (
        "IT operations",
        True,
        "IT",
        "Run and support",
        4,
        3,
        "resistant",
        "supportive",
        "Weekly stand-up",
    ),
    (
        "Regulator liaison",
        False,
        "Supervisory authority",
        "Oversight",
        2,
        5,
        "unaware",
        "neutral",
        "Formal letters only",
    ),
    (
        "Finance business partners",
        True,
        "Finance",
        "Budget holders",
        3,
        3,
        "neutral",
        "supportive",
        "Monthly cost report",
    ),
    (
        "Front-line staff",
        True,
        "Operations",
        "End users",
        5,
        1,
        "neutral",
        "supportive",
        "Intranet news and training",
    ),
]


def _charter_for(spec: dict[str, Any], start: dt.date, finish: dt.date) -> dict[str, Any]:
    name = spec["name"]
    mid = start + (finish - start) / 2
    return {
        "purpose": f"Deliver the {name.lower()} so that the organisation meets its strategy.",
        "problem": f"Today the work that the {name.lower()} addresses is manual, slow and costly.",
        "desired_results": "Faster service, lower cost to serve, measurable satisfaction gains.",
        "benefits": "Annual savings, fewer errors, better customer and staff experience.",
        "scope_in": "Process redesign, solution delivery, data migration, training, go-live.",
        "scope_out": "Changes to unrelated systems; organisation-wide restructuring.",
        "objectives": [
            {
                "objective": "Reduce cost to serve",
                "measure": "cost per transaction",
                "target": "-20% within 6 months of go-live",
            },
            {
                "objective": "Improve satisfaction",
                "measure": "survey score (1–10)",
                "target": "≥ 8.0 at go-live + 3 months",
            },
        ],
        "deliverables": ["Solution in production", "Trained users", "Operating procedures"],
        "success_criteria": [
            "Go-live on the approved date",
            "Budget within 5%",
            "Adoption ≥ 80% after 3 months",
        ],
        "assumptions": ["Key staff available as planned", "Vendor contracts signed on time"],
        "constraints": ["Fixed budget", "No change freeze overlap"],
        "obstacles": ["Competing priorities for the same specialists", "Legacy data quality"],
        "milestones": [
            {"name": "Plan approved", "date": (start + dt.timedelta(days=30)).isoformat()},
            {"name": "Design complete", "date": mid.isoformat()},
            {"name": "Go-live", "date": finish.isoformat()},
        ],
        "budget_estimate": str(150_000 + 25_000 * (len(name) % 9)),
    }


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, 1)


def demo_is_loaded() -> bool:
    return Project.objects.exists() or User.objects.filter(username="admin").exists()


def demo_logins() -> list[tuple[str, str, str]]:
    wanted = ["admin", "analyst", "ceo", "pm", "dev", "client"]
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    return [
        (name, users[name].get_org_role_display(), DEMO_PASSWORD)
        for name in wanted
        if name in users
    ]


@transaction.atomic
def demo_load() -> str:
    """Create the demo organisation; returns a one-line summary."""
    people = {
        username: user_create(
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@demo.pmo.example",
            first_name=first,
            last_name=last,
            org_role=role,
            job_title=title,
            organisation="Client Co." if role == OrgRole.EXTERNAL_CLIENT else "",
            check_password=False,
        )
        for username, first, last, role, title in PEOPLE
    }
    portfolios = [
        Portfolio.objects.create(name=name, description=text, owner=people[owner])
        for name, text, owner in PORTFOLIOS
    ]
    today = timezone.localdate()
    with notifications_muted():
        for index, spec in enumerate(PROJECTS):
            _demo_project(spec, index, people, portfolios, today)
        demo_resources(people)
        demo_execution(people, today)
        demo_portfolio(people, portfolios, today)
        demo_changes(people, today)
        demo_riskanalysis(people, today)
        demo_support(people, today)
        demo_closure(people, today)
        demo_monitoring(people, today)
        demo_programs(people, today)
        demo_governance(people, today)
    return f"Loaded {len(people)} people, {len(portfolios)} portfolios, {len(PROJECTS)} projects."


# the kind of work of a demo project, by the prefix of its code
DEMO_TYPES = {"DIG": "it", "OPS": "process", "REG": "regulatory"}


def _demo_size(index: int) -> str:
    """The size band that fits the demo plan's number of work packages (see _demo_plan)."""
    packages = 8 + (index * 13) % 48
    return "small" if packages < 20 else "large" if packages > 40 else "medium"


def _demo_project(
    spec: dict[str, Any],
    index: int,
    people: dict[str, User],
    portfolios: list[Portfolio],
    today: dt.date,
) -> None:
    manager, sponsor = people[spec["manager"]], people[spec["sponsor"]]
    start = _add_months(today, spec["months"][0])
    finish = _add_months(today, spec["months"][1]) - dt.timedelta(days=1)
    project = project_services.project_create(
        actor=people["admin"],
        code=spec["code"],
        name=spec["name"],
        description=f"{spec['name']}: part of the {portfolios[spec['portfolio']].name.lower()} "
        "portfolio.",
        portfolio_id=portfolios[spec["portfolio"]].pk,
        sponsor_id=sponsor.pk,
        manager_id=manager.pk,
        planned_start=start,
        planned_finish=finish,
        project_type=spec.get("type", DEMO_TYPES[spec["code"][:3]]),
        size=_demo_size(index),
        risk_level={"red": "high", "amber": "medium"}.get(spec["health"], "low"),
    )
    for username, role in spec["members"]:
        project_services.member_add(
            actor=manager,
            project_id=project.pk,
            user_id=people[username].pk,
            role=ProjectRole(role),
        )
    for row in STAKEHOLDERS[: 4 + index % 4]:
        name, internal, org, role, interest, influence, current, desired, pref = row
        project_services.stakeholder_create(
            actor=manager,
            project_id=project.pk,
            data={
                "name": name,
                "is_internal": internal,
                "organisation": org,
                "role": role,
                "interest": interest,
                "influence": influence,
                "current_engagement": current,
                "desired_engagement": desired,
                "communication_preference": pref,
            },
        )
    pid = project.pk
    project_services.charter_update(
        actor=manager, project_id=pid, version=None, data=_charter_for(spec, start, finish)
    )
    outcome = spec.get("charter", "approved")
    if outcome == "draft":
        return
    project_services.charter_submit(actor=manager, project_id=pid, version=None)
    if outcome == "submitted":
        return
    if outcome == "returned":
        project_services.charter_decide(
            actor=sponsor,
            project_id=pid,
            version=None,
            decision="return",
            comment="Quantify the energy savings and add the landlord as a stakeholder.",
        )
        return
    project_services.charter_decide(actor=sponsor, project_id=pid, version=None, decision="approve")
    order = [Stage.PLANNING, Stage.EXECUTION, Stage.CLOSING, Stage.CLOSED]
    # A closed project is read-only: it stays in closing until demo_closure closes it for real.
    last = Stage.CLOSING if spec["stage"] == Stage.CLOSED else spec["stage"]
    for stage in order[: order.index(last) + 1]:
        project_services.project_stage_advance(actor=manager, project_id=pid, to_stage=stage)
    facts: dict[str, Any] = {"health": spec["health"]}
    if spec["stage"] != Stage.PLANNING:
        facts["actual_start"] = start
    if spec["stage"] == Stage.CLOSED:
        facts["actual_finish"] = finish
    project_services.project_update(actor=manager, project_id=pid, version=None, data=facts)
    _demo_plan(spec, index, project, manager, sponsor, start)


def _demo_plan(
    spec: dict[str, Any],
    index: int,
    project: Project,
    manager: User,
    sponsor: User,
    start: dt.date,
) -> None:
    """A plan for every project past initiation; approved (and baselined) once under way."""
    tasks, links = demo_plan(spec["code"], packages=8 + (index * 13) % 48)
    planning_services.plan_import(
        actor=manager, project_id=project.pk, tasks=tasks, links=links, start=start
    )
    demo_controls(project, manager)
    if spec["stage"] == Stage.PLANNING:
        if index % 2:
            planning_services.plan_submit(actor=manager, project_id=project.pk)
        return
    planning_services.plan_submit(actor=manager, project_id=project.pk)
    planning_services.plan_decide(actor=sponsor, project_id=project.pk, decision="approve")
    if spec["stage"] == Stage.EXECUTION:
        # Work under way rarely goes to plan: a few tasks took longer than baselined.
        slipped = Task.objects.filter(project=project, is_summary=False, duration__gt=0)
        for task in slipped.order_by("position")[5:40:9]:
            planning_services.task_update(
                actor=manager,
                project_id=project.pk,
                task_id=task.pk,
                version=None,
                data={"duration": task.duration + 3},
            )
