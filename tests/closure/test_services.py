"""Closing a project: acceptance and sign-off, vendors, release, PIR, close and reopen."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest

from pmo.closure import selectors, services
from pmo.closure.models import (
    SIGN_OFF_IMMUTABLE,
    BudgetReturn,
    ContractStatus,
    DeliverableState,
    SignOff,
)
from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.execution.models import ActualCost
from pmo.projects.models import Stage
from pmo.projects.policies import ProjectClosed
from pmo.resources.models import Assignment
from pmo.resources.selectors import resource_usage

from .conftest import START, accept_all, close, finish_contract

pytestmark = pytest.mark.django_db


# --- acceptance and sign-off --------------------------------------------------------------------


def test_client_sees_only_requested_deliverables_shared_with_them(closing, people):
    project = closing["project"]
    assert list(selectors.deliverable_list(actor=people["client"], project=project)) == []
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    seen = selectors.deliverable_list(actor=people["client"], project=project)
    assert [d.name for d in seen] == ["Portal"]
    internal = selectors.deliverable_list(actor=people["member"], project=project)
    assert [d.name for d in internal] == ["Portal", "Runbook"]


def test_client_acceptance_leaves_an_immutable_sign_off_with_digest_and_address(closing, people):
    project, portal = closing["project"], closing["portal"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    sign_off = services.deliverables_decide(
        actor=people["client"],
        project_id=project.pk,
        deliverable_ids=[portal.pk],
        decision="accept",
        comment="Works for us.",
        ip=services.request_ip({"HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.1"}),
    )
    assert sign_off.ip_address == "203.0.113.7"
    assert sign_off.signed_by == people["client"]
    assert sign_off.role == "External client"
    assert sign_off.content["deliverables"][0]["acceptance_criteria"] == "Customers order online."
    canonical = json.dumps(
        sign_off.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert sign_off.digest == hashlib.sha256(canonical).hexdigest()
    portal.refresh_from_db()
    assert (portal.state, portal.comment) == (DeliverableState.ACCEPTED, "Works for us.")
    stored = SignOff.objects.get(pk=sign_off.pk)
    stored.comment = "changed"
    with pytest.raises(ValueError, match=SIGN_OFF_IMMUTABLE):
        stored.save()
    with pytest.raises(ValueError, match=SIGN_OFF_IMMUTABLE):
        stored.delete()
    assert SignOff.objects.get(pk=sign_off.pk).comment == "Works for us."


def test_request_ip_falls_back_to_remote_addr_and_ignores_garbage():
    assert services.request_ip({"REMOTE_ADDR": "192.0.2.4"}) == "192.0.2.4"
    assert services.request_ip({"HTTP_X_FORWARDED_FOR": "nonsense", "REMOTE_ADDR": "::1"}) == "::1"
    assert services.request_ip({}) is None


def test_client_cannot_decide_what_is_not_shared_with_them(closing, people):
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    with pytest.raises(NotFound):
        services.deliverables_decide(
            actor=people["client"],
            project_id=project.pk,
            deliverable_ids=[closing["runbook"].pk],
            decision="accept",
        )
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("who", ["member", "viewer", "manager", "pmo_admin"])
def test_only_client_or_sponsor_accepts(closing, people, who):
    project = closing["project"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    with pytest.raises(Forbidden):
        services.deliverables_decide(
            actor=people[who],
            project_id=project.pk,
            deliverable_ids=[closing["portal"].pk],
            decision="accept",
        )


def test_rejection_needs_a_comment_and_rework_is_asked_again(closing, people):
    project, portal = closing["project"], closing["portal"]
    services.acceptance_request(actor=people["manager"], project_id=project.pk)
    kwargs = {"actor": people["client"], "project_id": project.pk, "deliverable_ids": [portal.pk]}
    with pytest.raises(ValidationFailed, match=services.REJECT_NEEDS_COMMENT):
        services.deliverables_decide(**kwargs, decision="reject")
    services.deliverables_decide(**kwargs, decision="reject", comment="Invoices missing.")
    with pytest.raises(Conflict, match="only a deliverable awaiting acceptance"):
        services.deliverables_decide(**kwargs, decision="accept")
    services.acceptance_request(
        actor=people["manager"], project_id=project.pk, deliverable_ids=[portal.pk]
    )
    services.deliverables_decide(**kwargs, decision="accept")
    portal.refresh_from_db()
    assert portal.state == DeliverableState.ACCEPTED
    assert [s.decision for s in SignOff.objects.order_by("pk")] == ["rejected", "accepted"]


def test_an_outsider_finds_no_project(closing, people):
    with pytest.raises(NotFound):
        services.deliverables_decide(
            actor=people["outsider"],
            project_id=closing["project"].pk,
            deliverable_ids=[closing["portal"].pk],
            decision="accept",
        )


# --- contracts and vendors ----------------------------------------------------------------------


def test_invoices_are_actual_costs_and_a_contract_closes_with_its_final_invoice(closing, people):
    project, contract, pm = closing["project"], closing["contract"], people["manager"]
    with pytest.raises(Conflict, match="Record the final invoice of contract C-1"):
        services.contract_close(
            actor=pm,
            project_id=project.pk,
            contract_id=contract.pk,
            version=None,
            obligations_met=True,
            closure_date=dt.date(2026, 7, 1),
        )
    with pytest.raises(Conflict, match="Close contract C-1 before assessing"):
        services.vendor_assess(
            actor=pm,
            project_id=project.pk,
            contract_id=contract.pk,
            data={"quality": 4, "timeliness": 4, "cost": 4, "communication": 4},
        )
    finish_contract(closing, people)
    cost = ActualCost.objects.get(project=project)
    assert (cost.kind, cost.category, cost.amount, cost.vendor) == (
        "invoice",
        "contracts",
        Decimal("12000.00"),
        "Acme Hosting",
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED and contract.obligations_met is True
    vendor = selectors.vendor_get(actor=people["member"], vendor_id=closing["vendor"].pk)
    assert (vendor.assessment_count, vendor.avg_cost) == (1, 5)
    history = selectors.vendor_history(actor=people["member"], vendor=vendor)
    assert [a.score for a in history] == [4.0]


def test_vendor_register_is_not_for_clients_and_edited_by_pms(closing, people):
    with pytest.raises(Forbidden):
        selectors.vendor_list(actor=people["client"])
    with pytest.raises(Forbidden, match=services.MAY_NOT_VENDORS):
        services.vendor_create(actor=people["member"], data={"name": "Other"})
    with pytest.raises(ValidationFailed, match="already exists in the register"):
        services.vendor_create(actor=people["manager"], data={"name": "acme hosting"})


def test_scores_are_one_to_five(closing, people):
    finish = closing["contract"]
    services.contract_invoice_record(
        actor=people["manager"],
        project_id=closing["project"].pk,
        contract_id=finish.pk,
        date=START,
        amount="1",
        reference="F",
        is_final=True,
    )
    services.contract_close(
        actor=people["manager"],
        project_id=closing["project"].pk,
        contract_id=finish.pk,
        version=None,
        obligations_met=False,
        closure_date=START,
    )
    with pytest.raises(ValidationFailed, match="quality"):
        services.vendor_assess(
            actor=people["manager"],
            project_id=closing["project"].pk,
            contract_id=finish.pk,
            data={"quality": 6, "timeliness": 4, "cost": 4, "communication": 4},
        )


# --- release ------------------------------------------------------------------------------------


def test_release_ends_open_assignments_frees_capacity_and_returns_budget(closing, people):
    project, admin = closing["project"], people["pmo_admin"]
    finish_contract(closing, people)

    def demand() -> float:
        usage = resource_usage(actor=admin, start=START, weeks=8)
        return sum(cell.demand for row in usage.rows for cell in row.cells)

    before = demand()
    release = services.resources_release(actor=people["manager"], project_id=project.pk)
    assert demand() < before
    left = Assignment.objects.filter(task__project=project).values_list("task__name", flat=True)
    assert list(left) == ["Design"]
    assert [a["task"].split(" ", 1)[1] for a in release.assignments] == ["Build", "Test"]
    assert release.hours_released == Decimal("80.00")  # half of Build's 80 + all of Test's 40
    assert release.budget_returned == Decimal("18000.00")
    entry = BudgetReturn.objects.get(project=project)
    assert (entry.amount, entry.portfolio) == (Decimal("18000.00"), project.portfolio)
    with pytest.raises(Conflict, match="already released"):
        services.resources_release(actor=people["manager"], project_id=project.pk)


def test_release_happens_in_closing_only(project, people):
    with pytest.raises(Conflict, match="is in initiation; releasing resources happens"):
        services.resources_release(actor=people["manager"], project_id=project.pk)


def test_release_is_for_the_pm(closing, people):
    with pytest.raises(Forbidden):
        services.resources_release(actor=people["member"], project_id=closing["project"].pk)


# --- PIR, close, archive, reopen ----------------------------------------------------------------


def test_pir_is_filled_in_from_the_data_and_keeps_judgements(closing, people):
    project, pm = closing["project"], people["manager"]
    finish_contract(closing, people)
    pir = services.pir_refresh(actor=pm, project_id=project.pk)
    assert pir.facts["cost"]["budget"] == "30000.00"
    assert pir.facts["cost"]["actual"] == "12000.00"
    assert pir.facts["scope"]["tasks"] == 3 and pir.facts["scope"]["tasks_complete"] == 1
    assert pir.facts["deliverables"]["planned"] == ["Portal", "Training"]
    assert [o["objective"] for o in pir.objectives] == ["Cut calls"]
    pir = services.pir_update(
        actor=pm,
        project_id=project.pk,
        version=pir.version,
        data={"objectives": [{"achieved": "-25%", "met": False}], "summary": "Mostly done."},
    )
    pir = services.pir_refresh(actor=pm, project_id=project.pk)
    assert pir.objectives[0]["achieved"] == "-25%" and pir.objectives[0]["met"] is False
    with pytest.raises(ValidationFailed, match="one entry per charter objective"):
        services.pir_update(actor=pm, project_id=project.pk, version=None, data={"objectives": []})
    services.pir_finalise(actor=pm, project_id=project.pk, version=None)
    with pytest.raises(Conflict, match=services.PIR_FINAL):
        services.pir_update(actor=pm, project_id=project.pk, version=None, data={"summary": "x"})


def test_closing_refuses_until_the_criteria_hold(closing, people):
    project = closing["project"]
    with pytest.raises(Conflict) as exc:
        services.project_close(actor=people["manager"], project_id=project.pk)
    assert "Deliverables accepted: 2 deliverable(s) not accepted: Portal, Runbook." in str(
        exc.value
    )
    assert "Contracts closed: 1 contract(s) still open: C-1." in str(exc.value)
    assert services.NOT_RELEASED in str(exc.value)
    project.refresh_from_db()
    assert project.stage == Stage.CLOSING


def test_closing_makes_the_project_read_only_and_builds_the_archive(closing, people):
    project = close(closing, people)
    assert project.stage == Stage.CLOSED
    archive = selectors.archive_list(actor=people["sponsor"], project=project).get()
    assert archive.retain_until.year == project.actual_finish.year + 7
    with archive.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == archive.sha256
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"records.json", "final-report.pdf", "MANIFEST.txt"} <= set(names)
    assert "tables/closure.signoff.csv" in names and "tables/planning.task.csv" in names
    bundle = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("records.json"))
    assert len(bundle["records"]["closure.deliverable"]) == 2
    assert len(bundle["records"]["resources.assignment"]) == 1
    pdf = zipfile.ZipFile(io.BytesIO(data)).read("final-report.pdf")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ProjectClosed, match="PRJ-001 is closed and read-only"):
        services.deliverable_create(
            actor=people["manager"], project_id=project.pk, data={"name": "More"}
        )
    assert selectors.archive_list(actor=people["member"], project=project).count() == 0


def test_only_a_pmo_admin_reopens_with_a_reason(closing, people):
    project = close(closing, people)
    with pytest.raises(Forbidden, match=services.REOPEN_ADMIN_ONLY):
        services.project_reopen(actor=people["manager"], project_id=project.pk, reason="x")
    with pytest.raises(Forbidden, match=services.REOPEN_ADMIN_ONLY):
        services.project_reopen(actor=people["pmo_analyst"], project_id=project.pk, reason="x")
    with pytest.raises(ValidationFailed, match=services.REOPEN_REASON):
        services.project_reopen(actor=people["pmo_admin"], project_id=project.pk, reason=" ")
    project = services.project_reopen(
        actor=people["pmo_admin"], project_id=project.pk, reason="Warranty claim to record."
    )
    assert project.stage == Stage.CLOSING
    entry = AuditEntry.objects.get(project_id=project.pk, note__startswith="Reopened")
    assert (entry.action, entry.actor) == ("transition", people["pmo_admin"])
    assert entry.note == "Reopened: Warranty claim to record."
    services.deliverable_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"name": "Warranty fix", "acceptance_criteria": "Claim closed."},
    )
    with pytest.raises(Conflict, match="not closed"):
        services.project_reopen(actor=people["pmo_admin"], project_id=project.pk, reason="again")


def test_benefits_are_tracked_after_closure(closing, people):
    project = closing["project"]
    benefit = services.benefit_create(
        actor=people["manager"],
        project_id=project.pk,
        data={
            "name": "Fewer calls",
            "measure": "calls a month",
            "planned_value": "3000",
            "planned_by": dt.date(2026, 12, 31),
        },
    )
    close(closing, people)
    services.benefit_measure(
        actor=people["sponsor"],
        project_id=project.pk,
        benefit_id=benefit.pk,
        date=dt.date(2026, 6, 1),
        value="1200",
    )
    with pytest.raises(Forbidden):
        services.benefit_measure(
            actor=people["member"],
            project_id=project.pk,
            benefit_id=benefit.pk,
            date=dt.date(2026, 6, 1),
            value="1",
        )
    row = selectors.benefit_rows(actor=people["manager"], project=project)[0]
    assert (row.realised, row.percent) == (Decimal("1200.00"), 40.0)


def test_archives_past_retention_are_purged(closing, people):
    project = close(closing, people)
    archive = project.archives.get()
    assert services.archives_purge(today=archive.retain_until) == 0
    assert services.archives_purge(today=archive.retain_until + dt.timedelta(days=1)) == 1
    assert not project.archives.exists()


def test_gate_criteria_are_registered():
    from pmo.governance.criteria import criterion

    assert criterion("deliverables_accepted").label == "Deliverables accepted"
    assert criterion("contracts_closed").label == "Contracts closed"


def test_accept_all_then_criteria_hold(closing, people):
    accept_all(closing, people)
    finish_contract(closing, people)
    checks = {key: met for key, _, met, _ in services.closing_checks(closing["project"])}
    assert checks["deliverables_accepted"] and checks["contracts_closed"]


def test_the_client_hears_only_of_deliverables_shared_with_them(closing, people):
    from pmo.core.models import Notification

    services.acceptance_request(actor=people["manager"], project_id=closing["project"].pk)
    asked = Notification.objects.filter(subject__contains="await your acceptance")
    to_client = asked.get(recipient=people["client"])
    assert "Portal" in to_client.body and "Runbook" not in to_client.body
    to_sponsor = asked.get(recipient=people["sponsor"])
    assert "Portal" in to_sponsor.body and "Runbook" in to_sponsor.body
