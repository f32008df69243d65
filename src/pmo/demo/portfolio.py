"""Demo portfolio management: organisational goals, a scoring model, intake requests in every
state of the workflow with scores from two analysts, and a saved selection scenario, through the
services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pmo.accounts.models import User
from pmo.portfolio import services
from pmo.portfolio.models import IntakeRequest, Portfolio
from pmo.projects.services import stakeholder_create
from pmo.resources.models import JobRole

GOALS = [
    ("Grow digital revenue", "Half of sales through digital channels by the end of the plan."),
    ("Reduce operating cost", "Cost to serve down 15 % over three years."),
    ("Stay compliant", "No findings from regulators or auditors."),
    ("Delight customers", "Net promoter score above 40."),
]

CRITERIA = [
    {
        "name": "Strategic alignment",
        "weight": 3,
        "scale_max": 5,
        "levels": [
            "No link to a goal",
            "Indirect support",
            "Supports one goal",
            "Strongly supports one goal",
            "Core to several goals",
        ],
    },
    {
        "name": "Financial return",
        "weight": 2,
        "scale_max": 5,
        "levels": ["Loses money", "Breaks even", "Modest", "Good", "Outstanding"],
    },
    {
        "name": "Delivery confidence",
        "weight": 1,
        "scale_max": 5,
        "levels": [
            "Untested idea",
            "Many unknowns",
            "Some unknowns",
            "Known ground",
            "Done before",
        ],
    },
    {
        "name": "Urgency",
        "weight": 1,
        "scale_max": 3,
        "levels": ["Can wait", "This year", "Now"],
    },
]

# title, portfolio index, requester, sponsor, state, costs (thousands a year), benefits
# (thousands a year), demand {role: hours a year}, goals, risk, mandatory, scores by the two
# analysts (one per criterion), start in months from now, length in months
REQUESTS: list[dict[str, Any]] = [
    {
        "title": "Online returns and refunds",
        "portfolio": 0, "requester": "ba", "sponsor": "cio", "state": "in_assessment",
        "costs": [180, 40], "benefits": [0, 150, 220, 220],
        "demand": {"Developer": [1600, 300], "Tester": [500, 100]},
        "goals": [0, 3], "risk": "medium", "scores": [(5, 4, 3, 2), (4, 4, 4, 2)],
        "start": 3, "months": 10,
    },
    {
        "title": "Personalised product recommendations",
        "portfolio": 0, "requester": "data", "sponsor": "cio", "state": "in_assessment",
        "costs": [260, 60], "benefits": [0, 200, 320, 320],
        "demand": {"Developer": [2000, 400], "Architect": [300, 0]},
        "goals": [0], "risk": "high", "scores": [(5, 5, 2, 2), (5, 4, 2, 1)],
        "start": 4, "months": 12,
    },
    {
        "title": "Chat assistant for customer service",
        "portfolio": 0, "requester": "pm2", "sponsor": "coo", "state": "in_assessment",
        "costs": [150], "benefits": [40, 120, 120],
        "demand": {"Developer": [1200], "Designer": [400]},
        "goals": [1, 3], "risk": "medium", "scores": [(3, 3, 3, 2), (4, 3, 4, 2)],
        "start": 2, "months": 8,
    },
    {
        "title": "Loyalty programme relaunch",
        "portfolio": 0, "requester": "ux", "sponsor": "ceo", "state": "submitted",
        "costs": [90], "benefits": [30, 80, 80],
        "demand": {"Developer": [600], "Designer": [500]},
        "goals": [0, 3], "risk": "low", "scores": [(3, 3, 4, 1), (3, 2, 5, 1)],
        "start": 5, "months": 6,
    },
    {
        "title": "Partner API marketplace",
        "portfolio": 0, "requester": "arch", "sponsor": "cio", "state": "approved",
        "costs": [120, 30], "benefits": [0, 90, 140],
        "demand": {"Developer": [900, 200], "Architect": [200, 50]},
        "goals": [0], "risk": "medium", "scores": [(4, 3, 3, 2), (4, 4, 3, 2)],
        "start": 2, "months": 9,
    },
    {
        "title": "Warehouse slotting optimisation",
        "portfolio": 1, "requester": "ops", "sponsor": "coo", "state": "in_assessment",
        "costs": [70], "benefits": [30, 60, 60],
        "demand": {"Developer": [400], "Business analyst": [300]},
        "goals": [1], "risk": "low", "scores": [(4, 4, 4, 2), (3, 4, 4, 2)],
        "start": 1, "months": 5,
    },
    {
        "title": "Paperless accounts payable",
        "portfolio": 1, "requester": "fin", "sponsor": "cfo", "state": "deferred",
        "costs": [60], "benefits": [10, 40, 40],
        "demand": {"Business analyst": [400]},
        "goals": [1], "risk": "low", "scores": [(2, 3, 4, 1), (3, 3, 4, 1)],
        "start": 9, "months": 6,
    },
    {
        "title": "Fleet telematics",
        "portfolio": 1, "requester": "pm3", "sponsor": "coo", "state": "rejected",
        "costs": [300], "benefits": [20, 50, 50],
        "demand": {"Infrastructure engineer": [800]},
        "goals": [1], "risk": "high", "scores": [(2, 1, 2, 1), (2, 2, 2, 1)],
        "start": 3, "months": 9,
    },
    {
        "title": "Energy monitoring in offices",
        "portfolio": 1, "requester": "ops2", "sponsor": None, "state": "draft",
        "costs": [45], "benefits": [15, 20, 20],
        "demand": {"Infrastructure engineer": [250]},
        "goals": [1], "risk": "low", "scores": [],
        "start": 6, "months": 4,
    },
    {
        "title": "Operational resilience regulation",
        "portfolio": 2, "requester": "legal", "sponsor": "cfo", "state": "in_assessment",
        "costs": [140, 40], "benefits": [],
        "demand": {"Business analyst": [600, 200], "Infrastructure engineer": [500, 100]},
        "goals": [2], "risk": "medium", "mandatory": True,
        "scores": [(4, 1, 3, 3), (5, 1, 3, 3)],
        "start": 1, "months": 12,
    },
    {
        "title": "Privacy consent management",
        "portfolio": 2, "requester": "legal", "sponsor": "cfo", "state": "converted",
        "costs": [80], "benefits": [],
        "demand": {"Developer": [500]},
        "goals": [2], "risk": "low", "mandatory": True, "scores": [(4, 1, 4, 3), (4, 1, 4, 3)],
        "start": 1, "months": 6, "code": "REG-110",
    },
    {
        "title": "Supplier due-diligence workflow",
        "portfolio": 2, "requester": "fin", "sponsor": "cfo", "state": "submitted",
        "costs": [55], "benefits": [0, 25, 25],
        "demand": {"Business analyst": [300]},
        "goals": [2], "risk": "low", "scores": [(3, 2, 4, 2), (3, 2, 3, 2)],
        "start": 4, "months": 5,
    },
    {
        "title": "Training records in the HR system",
        "portfolio": 1, "requester": "trainer", "sponsor": None, "state": "draft",
        "costs": [25], "benefits": [5, 10, 10],
        "demand": {},
        "goals": [3], "risk": "low", "scores": [],
        "start": 6, "months": 3,
    },
]  # fmt: skip


STAKEHOLDERS = [
    ("Daniel Brandt", "Sponsor"),
    ("Data protection officer", "Approves the consent design"),
    ("Marketing lead", "Owns customer communications"),
    ("Customer service lead", "Answers customers' questions"),
]


def _months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_portfolio(
    people: dict[str, User], portfolios: list[Portfolio], today: dt.date
) -> dict[str, Any]:
    admin, analysts = people["admin"], [people["analyst"], people["analyst2"]]
    goals = [
        services.goal_create(actor=admin, data={"name": name, "description": text})
        for name, text in GOALS
    ]
    model = services.scoring_model_create(
        actor=admin,
        data={
            "name": "Strategic value",
            "description": "How the PMO weighs requests for the annual plan.",
            "criteria": CRITERIA,
        },
    )
    criteria = [str(c.pk) for c in model.criteria.order_by("position")]
    roles = dict(JobRole.objects.values_list("name", "pk"))
    requests = []
    for spec in REQUESTS:
        requester = people[spec["requester"]]
        start = _months(today, spec["start"])
        request = services.request_create(
            actor=requester,
            data={
                "title": spec["title"],
                "portfolio_id": portfolios[spec["portfolio"]].pk,
                "sponsor_id": people[spec["sponsor"]].pk if spec["sponsor"] else None,
                "problem": f"Why '{spec['title'].lower()}': the case the requester makes.",
                "objectives": f"Deliver {spec['title'].lower()}\nRealise the benefits on time",
                "goal_ids": [goals[g].pk for g in spec["goals"]],
                "costs": [c * 1000 for c in spec["costs"]],
                "benefits": [b * 1000 for b in spec["benefits"]],
                "demand": {roles[r]: hours for r, hours in spec["demand"].items()},
                "target_start": start,
                "target_finish": _months(start, spec["months"]) - dt.timedelta(days=1),
                "risk_level": spec["risk"],
                "mandatory": spec.get("mandatory", False),
                "approval_probability": {"high": 40, "medium": 60, "low": 75}[spec["risk"]],
            },
        )
        requests.append(request)
        _advance(request, spec, requester, admin, analysts, model.pk, criteria, people)
    digital = IntakeRequest.objects.filter(
        portfolio=portfolios[0], state__in=services.CANDIDATE_STATES
    ).order_by("number")
    scenarios = []
    for name, budget, text in (
        (
            "Digital plan, lean budget",
            250_000,
            "What the digital portfolio can take on with 250k a year.",
        ),
        ("Digital plan, growth budget", 450_000, "The same requests with 450k a year."),
    ):
        scenario = services.scenario_create(
            actor=people["analyst"],
            data={
                "portfolio_id": portfolios[0].pk,
                "name": name,
                "description": text,
                "first_year": today.year + 1,
                "periods": 3,
                "value_basis": "score",
                "scoring_model_id": model.pk,
                "budget": [budget] * 3,
                # each may start in the first or the second year: the solver chooses
                "candidates": [
                    {"request_id": r.pk, "earliest_start": 0, "latest_start": 1} for r in digital
                ],
            },
        )
        services.scenario_run(actor=people["analyst"], scenario_id=scenario.pk, time_limit=5)
        scenarios.append(scenario)
    return {"goals": goals, "model": model, "requests": requests, "scenarios": scenarios}


def _advance(
    request: Any,
    spec: dict[str, Any],
    requester: User,
    admin: User,
    analysts: list[User],
    model_id: int,
    criteria: list[str],
    people: dict[str, User],
) -> None:
    state = spec["state"]
    if state == "draft":
        return
    services.request_submit(actor=requester, request_id=request.pk, version=None)
    for analyst, scores in zip(analysts, spec["scores"], strict=False):
        services.assessment_save(
            actor=analyst,
            request_id=request.pk,
            model_id=model_id,
            scores=dict(zip(criteria, scores, strict=True)),
        )
    if state == "submitted":
        return
    services.request_assess(actor=analysts[0], request_id=request.pk, version=None)
    if state == "in_assessment":
        return
    decision = {"approved": "approve", "converted": "approve", "rejected": "reject"}.get(
        state, "defer"
    )
    comment = {
        "reject": "The benefits do not cover the cost; revisit with a smaller scope.",
        "defer": "Worth doing; no capacity until next year.",
    }.get(decision, "")
    services.request_decide(
        actor=admin, request_id=request.pk, version=None, decision=decision, comment=comment
    )
    if state == "converted":
        project = services.request_convert(
            actor=admin,
            request_id=request.pk,
            version=None,
            code=spec["code"],
            manager_id=people["pm5"].pk,
        )
        # the new project's manager names its first stakeholders
        for name, role in STAKEHOLDERS:
            stakeholder_create(
                actor=people["pm5"], project_id=project.pk, data={"name": name, "role": role}
            )
