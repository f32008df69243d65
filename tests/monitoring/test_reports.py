"""Status reports: cadences, due reports and their notification, writing, submitting with the
indicators frozen and the watermelon flags, the PMO's review, late reports, the gate criterion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import Notification, NotificationKind
from pmo.governance.criteria import criterion
from pmo.monitoring import selectors, services
from pmo.monitoring.models import EvmSnapshot, ReportState, StatusReport

from .conftest import START

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 30)  # a Friday: the fourth weekly report is due
GREEN = dict.fromkeys(
    ("rag_schedule", "rag_cost", "rag_scope", "rag_risk", "rag_resources", "rag_overall"), "green"
)


def _open(measured: dict[str, Any], cadence: Any) -> list[StatusReport]:
    services.reports_open_due(projects=[measured["project"]], today=TODAY)
    return list(StatusReport.objects.order_by("due_date"))


def test_only_the_pmo_sets_cadences_one_per_target(people: dict[str, Any]) -> None:
    with pytest.raises(Forbidden, match="Only the PMO sets reporting cadences."):
        services.cadence_create(
            actor=people["manager"],
            data={"project_type": "it", "frequency": "weekly", "day_due": 4},
        )
    services.cadence_create(
        actor=people["pmo_analyst"],
        data={"project_type": "it", "frequency": "weekly", "day_due": 4},
    )
    with pytest.raises(Conflict, match="already a cadence for Project type: IT and digital"):
        services.cadence_create(
            actor=people["pmo_admin"],
            data={"project_type": "it", "frequency": "monthly", "day_due": 1},
        )
    with pytest.raises(ValidationFailed, match="day of the month from 1 to 28"):
        services.cadence_create(
            actor=people["pmo_admin"],
            data={"project_type": "product", "frequency": "monthly", "day_due": 0},
        )
    with pytest.raises(ValidationFailed, match="either to a portfolio or to a project type"):
        services.cadence_create(
            actor=people["pmo_admin"], data={"frequency": "weekly", "day_due": 0}
        )


def test_due_reports_open_once_and_the_pm_hears_of_the_newest(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    reports = _open(measured, cadence)
    assert [r.due_date.day for r in reports] == [9, 16, 23, 30]
    assert all(r.state == ReportState.DRAFT for r in reports)
    notes = Notification.objects.filter(kind=NotificationKind.STATUS_REPORT)
    assert [n.recipient for n in notes] == [people["manager"]]
    assert "due 30 Jan 2026" in notes[0].subject
    assert _open(measured, cadence) == reports  # idempotent, nobody told twice
    assert notes.count() == 1


def test_late_reports_include_due_dates_not_yet_opened(
    measured: dict[str, Any], cadence: Any
) -> None:
    project = measured["project"]
    late = selectors.late_reports([project], today=TODAY)[project.pk]
    assert [(r.due_date.day, r.report_id, r.days_late) for r in late] == [
        (9, None, 21),
        (16, None, 14),
        (23, None, 7),
    ]
    assert selectors.late_reports([project], today=START) == {}
    check = criterion("no_status_report_overdue")
    assert not check.evaluate(project).met  # today is after the demo dates: all are late
    assert "status report(s) overdue: due 09 Jan 2026" in check.evaluate(project).detail


def test_a_green_report_on_a_red_project_is_flagged_and_frozen(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    project, pm = measured["project"], people["manager"]
    report = _open(measured, cadence)[-1]
    report = services.report_update(
        actor=pm,
        project_id=project.pk,
        report_id=report.pk,
        version=report.version,
        data={**GREEN, "accomplishments": "Design signed off."},
    )
    assert selectors.report_indicators(report)["cpi"] == pytest.approx(0.75)  # live
    report = services.report_submit(
        actor=pm, project_id=project.pk, report_id=report.pk, version=report.version
    )
    assert report.state == ReportState.SUBMITTED and report.submitted_by == pm
    assert [f["rule"] for f in report.flags] == ["W1", "W2", "W3"]
    assert report.indicators["cpi"] == pytest.approx(0.75)
    snapshot = EvmSnapshot.objects.get()
    assert snapshot.report == report and snapshot.status_date == dt.date(2026, 1, 30)
    pmo_note = Notification.objects.get(recipient=people["pmo_admin"])
    assert pmo_note.subject.endswith("— flagged")
    assert "CPI is 0.75" in pmo_note.body
    # Submitted: the PM can no longer change it; the frozen numbers stay.
    with pytest.raises(Conflict, match="is submitted; only a due or returned report is edited"):
        services.report_update(
            actor=pm, project_id=project.pk, report_id=report.pk, version=None, data={}
        )
    overview = selectors.report_overview(actor=people["pmo_admin"], today=TODAY)
    assert [r.pk for r in overview.flagged] == [report.pk]
    assert [r.pk for r in overview.waiting] == [report.pk]
    assert [d.day for d in [r.due_date for r in overview.late[0][1]]] == [9, 16, 23]


def test_submitting_needs_every_rag_and_an_editor(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    project = measured["project"]
    report = _open(measured, cadence)[-1]
    with pytest.raises(
        ValidationFailed, match="Rate schedule, cost, scope, risk, resources, overall"
    ):
        services.report_submit(actor=people["manager"], project_id=project.pk, report_id=report.pk)
    with pytest.raises(Forbidden):
        services.report_submit(
            actor=people["member"], project_id=project.pk, report_id=report.pk, data=GREEN
        )
    for who in ("client", "outsider"):
        with pytest.raises(NotFound):
            services.report_update(
                actor=people[who],
                project_id=project.pk,
                report_id=report.pk,
                version=None,
                data=GREEN,
            )
    with pytest.raises(ValidationFailed, match="'purple' is not a RAG status"):
        services.report_update(
            actor=people["manager"],
            project_id=project.pk,
            report_id=report.pk,
            version=None,
            data={"rag_cost": "purple"},
        )
    with pytest.raises(ValidationFailed, match="cannot be changed here: state"):
        services.report_update(
            actor=people["manager"],
            project_id=project.pk,
            report_id=report.pk,
            version=None,
            data={"state": "reviewed"},
        )
    with pytest.raises(Conflict, match="changed by someone else"):
        services.report_update(
            actor=people["manager"],
            project_id=project.pk,
            report_id=report.pk,
            version=99,
            data={"next_steps": "x"},
        )
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.next_steps == ""


def test_the_pmo_reviews_or_returns_with_a_comment(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    project, pm, pmo = measured["project"], people["manager"], people["pmo_analyst"]
    report = _open(measured, cadence)[-1]
    honest = {**GREEN, "rag_schedule": "red", "rag_cost": "red", "rag_overall": "red"}
    services.report_submit(actor=pm, project_id=project.pk, report_id=report.pk, data=honest)
    with pytest.raises(Forbidden, match="Only the PMO reviews status reports."):
        services.report_review(
            actor=pm, project_id=project.pk, report_id=report.pk, decision="reviewed"
        )
    with pytest.raises(ValidationFailed, match="Say what the project manager should rework."):
        services.report_review(
            actor=pmo, project_id=project.pk, report_id=report.pk, decision="returned"
        )
    returned = services.report_review(
        actor=pmo,
        project_id=project.pk,
        report_id=report.pk,
        decision="returned",
        comment="Add the recovery plan for Build.",
    )
    assert returned.state == ReportState.RETURNED and returned.flags == []  # honest: no flag
    note = (
        Notification.objects.filter(recipient=pm, kind=NotificationKind.STATUS_REPORT)
        .order_by("pk")
        .last()
    )
    assert "returned for rework" in note.subject and "recovery plan" in note.body
    services.report_submit(
        actor=pm,
        project_id=project.pk,
        report_id=report.pk,
        data={"next_steps": "Recovery plan: second crew on Build."},
    )
    reviewed = services.report_review(
        actor=pmo, project_id=project.pk, report_id=report.pk, decision="reviewed"
    )
    assert reviewed.state == ReportState.REVIEWED and reviewed.reviewed_by == pmo
    with pytest.raises(Conflict, match="is reviewed; only a submitted report is reviewed"):
        services.report_review(
            actor=pmo, project_id=project.pk, report_id=report.pk, decision="reviewed"
        )
    with pytest.raises(ValidationFailed, match="Unknown decision 'maybe'"):
        services.report_review(
            actor=pmo, project_id=project.pk, report_id=report.pk, decision="maybe"
        )


def test_the_overview_costs_the_same_queries_for_more_projects(
    measured: dict[str, Any],
    cadence: Any,
    people: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    from pmo.projects.models import Project, Stage

    _open(measured, cadence)
    with django_assert_max_num_queries(16):
        selectors.report_overview(actor=people["pmo_admin"], today=TODAY)
    for n in (2, 3):
        Project.objects.create(
            code=f"PRJ-00{n}", name=f"P{n}", manager=people["manager"], stage=Stage.EXECUTION
        )
    services.reports_open_due(today=TODAY)
    with django_assert_max_num_queries(16):
        overview = selectors.report_overview(actor=people["pmo_admin"], today=TODAY)
    assert len(overview.trends) == 3 and len(overview.late) == 3


def test_the_daily_command_opens_due_reports(
    measured: dict[str, Any], cadence: Any, people: dict[str, Any]
) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("open_due_status_reports", stdout=out)
    opened = StatusReport.objects.filter(project=measured["project"]).count()
    assert opened > 0 and out.getvalue().strip() == f"{opened} status report(s) opened."
    out = StringIO()
    call_command("open_due_status_reports", stdout=out)
    assert out.getvalue().strip() == "0 status report(s) opened."
