"""Demo closing: a vendor register with assessment history; OPS-203 closed with its full closing
record (sign-offs, contracts closed and assessed, resources released, PIR, benefits tracked after
closure, archive); OPS-201 in closing, half-way down the path, with the client's sign-off; and on
DIG-101 a deliverable awaiting the demo client's acceptance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pmo.accounts.models import User
from pmo.closure import services
from pmo.projects.models import Membership, Project, ProjectRole

VENDORS = [
    ("Fabrikam Facilities", "Jo Brown", "jo.brown@fabrikam.example", "Moves, fit-out, cleaning."),
    ("Tailspin Training", "Sam Lee", "sam.lee@tailspin.example", "Classroom and e-learning."),
    ("Contoso Hosting", "Kim Park", "kim.park@contoso.example", "Managed cloud hosting."),
    ("Northwind Consulting", "Ana Ruiz", "ana.ruiz@northwind.example", "Process consultants."),
    ("Litware Security", "Lee Chan", "lee.chan@litware.example", "Penetration testing."),
]


def _client_of(project: Project) -> User | None:
    member = (
        Membership.objects.select_related("user")
        .filter(project=project, role=ProjectRole.CLIENT)
        .first()
    )
    return member.user if member else None


def _deliverables(project: Project, pm: User, rows: list[tuple[str, str, bool]]) -> list[Any]:
    return [
        services.deliverable_create(
            actor=pm,
            project_id=project.pk,
            data={"name": name, "acceptance_criteria": criteria, "shared_with_client": shared},
        )
        for name, criteria, shared in rows
    ]


def _contract(
    project: Project,
    pm: User,
    vendor: Any,
    ref: str,
    title: str,
    value: int,
    start: dt.date,
    end: dt.date,
    invoices: list[tuple[dt.date, int, bool]],
) -> Any:
    contract = services.contract_create(
        actor=pm,
        project_id=project.pk,
        data={
            "vendor_id": vendor.pk,
            "reference": ref,
            "title": title,
            "value": value,
            "start": start,
            "end": end,
            "deliverables": title,
        },
    )
    for number, (day, amount, final) in enumerate(invoices, start=1):
        services.contract_invoice_record(
            actor=pm,
            project_id=project.pk,
            contract_id=contract.pk,
            date=day,
            amount=amount,
            reference=f"{ref}-INV-{number}",
            is_final=final,
        )
    return contract


def _close_contract(
    project: Project, pm: User, contract: Any, day: dt.date, scores: tuple[int, int, int, int]
) -> None:
    services.contract_close(
        actor=pm,
        project_id=project.pk,
        contract_id=contract.pk,
        version=None,
        obligations_met=min(scores) >= 3,
        closure_date=day,
        notes="Final invoice paid; warranty terms handed to operations.",
    )
    quality, timeliness, cost, communication = scores
    services.vendor_assess(
        actor=pm,
        project_id=project.pk,
        contract_id=contract.pk,
        data={
            "quality": quality,
            "timeliness": timeliness,
            "cost": cost,
            "communication": communication,
            "comments": "Reliable crew; the second phase started a week late."
            if timeliness < 4
            else "Delivered as agreed and kept us informed.",
        },
    )


def demo_closure(people: dict[str, User], today: dt.date) -> None:
    admin = people["admin"]
    vendors = {
        name: services.vendor_create(
            actor=admin,
            data={"name": name, "contact_name": contact, "email": email, "notes": notes},
        )
        for name, contact, email, notes in VENDORS
    }
    projects = {p.code: p for p in Project.objects.select_related("manager", "sponsor")}
    if "OPS-203" in projects:
        _closed(projects["OPS-203"], vendors, today)
    if "OPS-201" in projects:
        _in_closing(projects["OPS-201"], vendors, today)
    if "DIG-101" in projects:
        _under_way(projects["DIG-101"], vendors, today)


def _closed(project: Project, vendors: dict[str, Any], today: dt.date) -> None:
    pm, sponsor = project.manager, project.sponsor
    assert pm is not None and sponsor is not None
    start = project.actual_start or today - dt.timedelta(days=540)
    end = project.actual_finish or today - dt.timedelta(days=120)
    _deliverables(
        project,
        pm,
        [
            ("New office fit-out", "All floors usable; snag list closed.", True),
            ("Staff moved", "Every team at its new desk; old leases handed back.", True),
            ("Facilities handbook", "Approved by the facilities manager.", False),
        ],
    )
    services.acceptance_request(actor=pm, project_id=project.pk)
    services.deliverables_decide(
        actor=sponsor,
        project_id=project.pk,
        deliverable_ids=list(project.closure_deliverables.values_list("pk", flat=True)),
        decision="accept",
        comment="Accepted for the business; the handbook goes to facilities.",
        ip="198.51.100.23",
    )
    move = _contract(
        project,
        pm,
        vendors["Fabrikam Facilities"],
        "FAB-2025-07",
        "Office move and fit-out",
        84000,
        start,
        end,
        [(start + dt.timedelta(days=90), 40000, False), (end - dt.timedelta(days=10), 41500, True)],
    )
    training = _contract(
        project,
        pm,
        vendors["Tailspin Training"],
        "TST-2025-02",
        "New workplace training",
        12000,
        start,
        end,
        [(end - dt.timedelta(days=30), 11800, True)],
    )
    _close_contract(project, pm, move, end, (4, 3, 4, 4))
    _close_contract(project, pm, training, end, (5, 5, 4, 5))
    benefit = services.benefit_create(
        actor=pm,
        project_id=project.pk,
        data={
            "name": "Lower rent",
            "measure": "annual rent saved (EUR)",
            "planned_value": 250000,
            "planned_by": end + dt.timedelta(days=365),
        },
    )
    services.benefit_create(
        actor=pm,
        project_id=project.pk,
        data={
            "name": "Fewer facilities tickets",
            "measure": "tickets a month fewer",
            "planned_value": 40,
            "planned_by": end + dt.timedelta(days=180),
        },
    )
    _staff_time(project, pm, end)
    services.resources_release(actor=pm, project_id=project.pk)
    pir = services.pir_refresh(actor=pm, project_id=project.pk)
    services.pir_update(
        actor=pm,
        project_id=project.pk,
        version=pir.version,
        data={
            "summary": "Two offices became one, on budget and three weeks late.",
            "went_well": "Early staff involvement; a single vendor for the move and fit-out.",
            "to_improve": "Book the landlord's sign-offs before the plan is baselined.",
            "objectives": [
                {"achieved": "-18% within 6 months", "met": False},
                {"achieved": "8.3 at go-live + 3 months", "met": True},
            ][: len(pir.objectives)],
        },
    )
    services.pir_lesson_add(
        actor=pm,
        project_id=project.pk,
        category="schedule",
        what_happened="The landlord's sign-off of the fit-out came three weeks late.",
        impact="The move slipped three weeks; two leases overlapped for a month.",
        recommendation="Put third-party sign-offs on the baseline with their own float.",
        tags=["facilities", "landlord"],
    )
    services.pir_finalise(actor=pm, project_id=project.pk, version=None)
    services.project_close(actor=pm, project_id=project.pk)
    # benefits are tracked after closure too
    for months, value in ((1, 62000), (3, 131000)):
        day = min(end + dt.timedelta(days=30 * months), today)
        services.benefit_measure(
            actor=sponsor,
            project_id=project.pk,
            benefit_id=benefit.pk,
            date=day,
            value=value,
            note="From the finance ledger.",
        )


def _staff_time(project: Project, pm: User, day: dt.date) -> None:
    """The staff time finance charged to the project (the demo has no timesheets for it), so
    that about a tenth of the budget is left to return at closing."""
    from django.db.models import Sum

    from pmo.controls.models import BudgetLine
    from pmo.execution import services as execution
    from pmo.execution.models import ActualCost

    budget = BudgetLine.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or 0
    spent = ActualCost.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or 0
    staff = round(budget * Decimal("0.9") - spent, 2)
    if staff > 0:
        execution.cost_create(
            actor=pm,
            project_id=project.pk,
            data={
                "kind": "expense",
                "category": "labour",
                "date": day,
                "amount": staff,
                "description": "Staff time charged by finance (monthly recharge, whole project)",
            },
        )


def _in_closing(project: Project, vendors: dict[str, Any], today: dt.date) -> None:
    pm = project.manager
    assert pm is not None
    client = _client_of(project)
    start = project.actual_start or today - dt.timedelta(days=360)
    rows = _deliverables(
        project,
        pm,
        [
            ("Pilot robots in aisle 3", "Picks 400 orders an hour for a week.", True),
            ("Operator training", "Every shift trained and signed off.", True),
            ("Pilot evaluation report", "Recommends go or no-go with the figures.", True),
            ("Maintenance runbook", "Accepted by the site engineer.", False),
        ],
    )
    services.acceptance_request(
        actor=pm, project_id=project.pk, deliverable_ids=[d.pk for d in rows[:3]]
    )
    if client is not None:
        services.deliverables_decide(
            actor=client,
            project_id=project.pk,
            deliverable_ids=[rows[0].pk, rows[1].pk],
            decision="accept",
            comment="Throughput met; training complete on all shifts.",
            ip="203.0.113.41",
        )
    hosting = _contract(
        project,
        pm,
        vendors["Contoso Hosting"],
        "CON-2025-11",
        "Warehouse control system hosting",
        36000,
        start,
        today + dt.timedelta(days=60),
        [(start + dt.timedelta(days=120), 18000, False)],
    )
    consult = _contract(
        project,
        pm,
        vendors["Northwind Consulting"],
        "NWC-2025-04",
        "Pilot process design",
        22000,
        start,
        today - dt.timedelta(days=20),
        [(today - dt.timedelta(days=25), 21000, True)],
    )
    _close_contract(project, pm, consult, today - dt.timedelta(days=15), (4, 4, 3, 5))
    del hosting  # still open: the closing gate waits for its final invoice
    services.pir_refresh(actor=pm, project_id=project.pk)


def _under_way(project: Project, vendors: dict[str, Any], today: dt.date) -> None:
    pm = project.manager
    assert pm is not None
    rows = _deliverables(
        project,
        pm,
        [
            ("Customer login and profile", "A customer signs up, logs in and edits details.", True),
            ("Order history", "Customers see 24 months of orders and invoices.", True),
            ("Support runbook", "The service desk can run the portal.", False),
        ],
    )
    services.acceptance_request(actor=pm, project_id=project.pk, deliverable_ids=[rows[0].pk])
    start = project.actual_start or today - dt.timedelta(days=150)
    _contract(
        project,
        pm,
        vendors["Litware Security"],
        "LIT-2026-01",
        "Penetration test of the portal",
        15000,
        start,
        today + dt.timedelta(days=120),
        [],
    )
