"""Demo support for project managers: a knowledge base with help for each stage, lessons learned
from past and running projects (so that projects in initiation get suggestions), and the
onboarding of one new project manager with a mentor, part done and one item overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pmo.accounts.models import User
from pmo.projects.models import Project
from pmo.support import services
from pmo.support.models import OnboardingItem

ARTICLES: list[tuple[str, str, list[str], str]] = [
    (
        "Writing a charter the sponsor approves",
        "What a sponsor looks for before signing the charter.",
        ["initiation", "charter", "sponsor"],
        """## Start from the problem

Say in two sentences what is wrong today and who suffers from it. A sponsor approves a
problem worth solving, not a list of activities.

## Objectives a reader can check

Each objective names a **measure** and a **target** with a date, for example *monthly calls
to the service desk: −30 % by the end of Q4*. "Improve satisfaction" is not an objective.

## Scope both ways

Write what is *out* of scope as carefully as what is in. Most charter returns come from an
out-of-scope list that was left empty.

## Before you submit

- the sponsor has read a draft;
- each deliverable has an owner;
- the budget estimate says how it was made (analogy, bottom-up, vendor quote).
""",
    ),
    (
        "Finding lessons from similar projects",
        "Use the lessons learned repository before planning.",
        ["initiation", "lessons"],
        """While a project is in **initiation**, its overview lists lessons from similar past
projects: same project type, shared tags and shared words in the name, description and charter.
Each suggestion says *why* it was suggested.

Read them with the team, and turn the relevant recommendations into risks, assumptions or
plan tasks. The more the charter says about the work, the better the suggestions.
""",
    ),
    (
        "Building the first schedule",
        "From the WBS to a baseline in a week.",
        ["planning", "schedule", "baseline"],
        """1. Break the deliverables into work packages of 5 to 15 working days.
2. Link every task: a task without a successor is a question, not an answer.
3. Put the constraints where they are real (a supplier date, a regulatory deadline) and nowhere
   else.
4. Schedule, read the critical path with the team, level the resources.
5. Capture the **baseline** once the sponsor agrees; from then on, changes go through change
   control.
""",
    ),
    (
        "Running the risk workshop",
        "Ninety minutes that fill the risk register.",
        ["planning", "risk"],
        """Invite the team, the sponsor's delegate and one person from operations. Ask *what could
make us late, over budget or wrong?* and write each answer as **cause → event → effect**.
Score probability and impact from 1 to 5, name an owner and a review date for each risk above 9.
""",
    ),
    (
        "Weekly status in fifteen minutes",
        "What to update every week during execution.",
        ["execution", "status", "progress"],
        """- Progress on the tasks in flight (percent complete and remaining days).
- Issues past their due date, and whether one needs the PMO.
- Risks whose review date has passed.
- Health: **green** on track, **amber** recoverable by the team, **red** needs a decision above
  the project.
""",
    ),
    (
        "When to raise a change request",
        "Scope, dates and money move only through change control.",
        ["execution", "change-control"],
        """Raise a change request as soon as a change to the baseline is likely, not when it
has happened. The preview shows the new finish before anyone decides. Within your thresholds you
decide it yourself; above them the sponsor or the PMO does.
""",
    ),
    (
        "Closing a project properly",
        "Acceptance, contracts, lessons, release.",
        ["closing", "lessons", "acceptance"],
        """- Every deliverable accepted, with the client's sign-off recorded.
- Every contract closed with its final invoice.
- Timesheets approved, resources released.
- **Lessons learned** recorded: what happened, its impact, and what the next project should do.
  The closing gate checks that at least one lesson is recorded.
""",
    ),
    (
        "The PMO's stage gates",
        "What each gate asks for.",
        ["governance", "gates", "initiation", "planning", "execution", "closing"],
        """Each stage ends with a gate. The PMO checks the automatic criteria (for example an
approved charter, a baseline, lessons recorded) and the reviewers decide: pass, pass with
conditions, or hold.
""",
    ),
]

# project code (None: the whole organisation), recorder, category, what happened, impact,
# recommendation, tags, source
LESSONS: list[tuple[str | None, str, str, str, str, str, list[str], str]] = [
    (
        "DIG-101",
        "pm",
        "technical",
        "The replacement of the old customer site meant migrating 4,000 pages of content by hand; "
        "half of them were out of date.",
        "Three weeks of extra content work for the business analysts.",
        "Audit the content before a replacement: archive what nobody opened in a year, and give "
        "each remaining section an owner who migrates it.",
        ["content-migration", "replacement", "intranet"],
        "project",
    ),
    (
        "DIG-101",
        "pm",
        "stakeholders",
        "Single sign-on was agreed with IT security only in the third sprint.",
        "The login pages were built twice.",
        "Bring IT security into the first design workshop of any portal or intranet.",
        ["security", "sso", "portal"],
        "project",
    ),
    (
        "DIG-103",
        "pm4",
        "quality",
        "The support tickets used to train the triage model were labelled inconsistently by "
        "three teams.",
        "Model accuracy stayed at 61 % until the data was relabelled.",
        "Agree one labelling guide and sample-check the training data before building any "
        "AI-assisted classification or triage.",
        ["data-quality", "ai", "triage"],
        "project",
    ),
    (
        "DIG-103",
        "pm4",
        "procurement",
        "The vendor delivered the data migration scripts three weeks late.",
        "Go-live slipped by two weeks.",
        "Put migration milestones with penalties in the vendor contract and test the scripts on "
        "a copy of production early.",
        ["vendor", "data-migration"],
        "project",
    ),
    (
        "OPS-201",
        "pm2",
        "resources",
        "The warehouse pilot ran during the peak season; the floor staff had no time for training.",
        "Adoption in the first month was half the plan.",
        "Schedule pilots and training outside the operational peak, agreed with the site manager.",
        ["training", "pilot", "operations"],
        "project",
    ),
    (
        "OPS-203",
        "pm4",
        "schedule",
        "Building works for the office consolidation ran during office hours and the noise "
        "stopped two teams working.",
        "Two weeks lost and a formal complaint.",
        "Plan retrofit and building works in evenings and weekends, and tell the occupants a "
        "month ahead.",
        ["facilities", "retrofit", "building-works"],
        "closing",
    ),
    (
        "OPS-203",
        "pm4",
        "cost",
        "The energy survey of the new floor came after the lease was signed; heating costs were "
        "higher than estimated.",
        "Running costs 18 % above the business case.",
        "Commission the energy efficiency survey before committing to a building.",
        ["energy", "business-case"],
        "closing",
    ),
    (
        "OPS-202",
        "pm3",
        "stakeholders",
        "Purchasers saw the redesigned procurement process only at the go-live briefing.",
        "Workarounds appeared within a week.",
        "Involve the people who run a process in its redesign from the first workshop.",
        ["process", "change-management"],
        "project",
    ),
    (
        "REG-302",
        "pm4",
        "governance",
        "The external auditor's conformance criteria changed between two audits.",
        "Controls documented to the old criteria had to be rewritten.",
        "Confirm the standard and its version with the auditor at initiation of any conformance "
        "or compliance project, and record it in the charter.",
        ["compliance", "audit", "conformance"],
        "project",
    ),
    (
        "REG-301",
        "pm",
        "scope",
        "The data protection programme tried to fix every system at once.",
        "The first six months delivered no finished system.",
        "Rank systems by risk and finish the riskiest first.",
        ["compliance", "prioritisation"],
        "project",
    ),
    (
        None,
        "admin",
        "governance",
        "Projects that skipped the risk workshop in planning raised three times more issues in "
        "execution.",
        "",
        "Hold the risk workshop before the baseline, whatever the project's size.",
        ["risk", "planning"],
        "project",
    ),
    (
        None,
        "analyst",
        "technical",
        "Privacy consent was recorded in three systems that disagreed about who had opted out.",
        "Marketing emails reached customers who had withdrawn their consent.",
        "Keep one consent register as the source of truth and make the other systems read it.",
        ["privacy", "consent", "data-protection"],
        "project",
    ),
    (
        None,
        "analyst",
        "stakeholders",
        "Accessibility testing done only by the vendor missed problems that screen-reader users "
        "found in the first week.",
        "An urgent fix release.",
        "Test accessibility with real assistive-technology users before go-live.",
        ["accessibility", "testing"],
        "project",
    ),
]

TRACK_ITEMS: list[tuple[int, str, str, str | None]] = [
    (0, "Meet the head of the PMO", "Expectations, reporting and who to ask.", None),
    (2, "Get your accounts and API token", "Log in, set your notification preferences.", None),
    (5, "Read how charters are approved", "", "Writing a charter the sponsor approves"),
    (10, "Read the stage gates", "", "The PMO's stage gates"),
    (14, "Shadow a risk workshop", "With your mentor, on one of their projects.", None),
    (21, "Build a schedule with your mentor", "", "Building the first schedule"),
    (30, "Run your first weekly status", "", "Weekly status in fifteen minutes"),
    (45, "Review your first month with your mentor", "What went well, what to change.", None),
]


def demo_support(people: dict[str, User], today: dt.date) -> None:
    admin = people["admin"]
    articles = {}
    for title, summary, tags, body in ARTICLES:
        articles[title] = services.article_create(
            actor=admin, data={"title": title, "summary": summary, "body": body, "tags": tags}
        )
    codes = {p.code: p.pk for p in Project.objects.all()}
    for code, who, category, happened, impact, recommendation, tags, source in LESSONS:
        if code is not None and code not in codes:
            continue
        services.lesson_record(
            actor=people[who],
            project_id=codes[code] if code else None,
            category=category,
            what_happened=happened,
            impact=impact,
            recommendation=recommendation,
            tags=tags,
            source=source,
        )
    _onboarding(people, today, articles)


def _onboarding(people: dict[str, User], today: dt.date, articles: dict[str, Any]) -> None:
    admin = people["admin"]
    track = services.track_create(
        actor=admin,
        name="Induction for new project managers",
        description="The first six weeks of a new PM, with a mentor.",
        items=[
            {
                "title": title,
                "description": text,
                "offset_days": days,
                "article_id": articles[article].pk if article else None,
            }
            for days, title, text, article in TRACK_ITEMS
        ],
    )
    services.track_create(
        actor=admin,
        name="Programme managers",
        description="For experienced PMs taking on a programme.",
        items=[
            {"title": "Meet the portfolio owners", "offset_days": 0},
            {"title": "Review the programme's benefits map", "offset_days": 10},
        ],
    )
    new_pm, mentor = people["pm5"], people["pm"]
    onboarding = services.onboarding_assign(
        actor=admin,
        track_id=track.pk,
        manager_id=new_pm.pk,
        mentor_id=mentor.pk,
        start=today - dt.timedelta(days=18),
    )
    # the first four items done (the accounts by the mentor, with the new PM); the risk workshop
    # (day 14) is overdue
    now = timezone.now()
    for item in OnboardingItem.objects.filter(onboarding=onboarding).order_by("due_date")[:4]:
        actor = mentor if item.position == 1 else new_pm
        services.onboarding_item_tick(actor=actor, item_id=item.pk)
        days_late = (today - item.due_date).days
        OnboardingItem.objects.filter(pk=item.pk).update(
            done_at=now - dt.timedelta(days=max(days_late - 1, 0))
        )
