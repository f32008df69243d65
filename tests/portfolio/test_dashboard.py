"""The portfolio dashboard, its drill-downs, the exports and the executive pack."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.portfolio import export, selectors, services
from pmo.portfolio.models import PackState, ReportPack
from pmo.portfolio.selectors import DashboardFilter

from .world import build_projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def six(people: dict[str, Any], portfolio: Any) -> list[Any]:
    return build_projects(6, manager=people["manager"], portfolio=portfolio)


def test_dashboard_counts_and_money(people: dict[str, Any], six: list[Any]) -> None:
    d = selectors.portfolio_dashboard(actor=people["pmo_analyst"])
    by = {c["key"]: c["n"] for c in d.by_stage}
    assert by == {"initiation": 2, "planning": 0, "execution": 3, "closing": 0, "closed": 1}
    assert {c["key"]: c["n"] for c in d.by_phase} == {"pending": 2, "underway": 3, "finished": 1}
    assert {c["key"]: c["n"] for c in d.by_health} == {"green": 2, "amber": 2, "red": 2}
    assert d.totals.budget == Decimal(1000 * 21)
    assert d.totals.actual == Decimal(500 * 21 + 6 * 500)
    [line] = d.budget_by_portfolio
    assert line["name"] == "Digital" and line["budget"] == d.totals.budget
    flags = {f["key"]: f["n"] for f in d.flags}
    # project 0: budget 1000, actual 500 + 500 — not over; none is over budget
    assert flags["over_budget"] == 0
    assert flags["high_risks"] == 3  # impacts 3, 4, 5 → scores 12, 16, 20
    assert flags["slipped"] == 3 and flags["escalated"] == 2 and flags["no_value"] == 6
    assert [r.rank for r in d.top_risks][:3] == [20, 16, 12]
    assert len(d.escalated_issues) == 2
    assert d.bubbles == []  # no project came through intake
    assert len(d.roadmap) == 6 and d.roadmap[0]["group"] == "Digital"


def test_drill_down_lists_the_projects_behind_a_figure(
    people: dict[str, Any], six: list[Any]
) -> None:
    d = selectors.portfolio_dashboard(actor=people["pmo_admin"])
    codes = [f.code for f in d.matching(DashboardFilter(flag="high_risks"))]
    assert codes == ["P-0002", "P-0003", "P-0004"]
    assert [f.code for f in d.matching(DashboardFilter(phase="finished"))] == ["P-0003"]
    assert [f.code for f in d.matching(DashboardFilter(health="red", stage="execution"))] == [
        "P-0002",
        "P-0005",
    ]
    assert d.matching(DashboardFilter(flag="nonsense")) == []


def test_dashboard_narrows_to_a_program(people: dict[str, Any], six: list[Any]) -> None:
    program = services.program_create(actor=people["pmo_admin"], data={"name": "North"})
    services.program_add_projects(
        actor=people["pmo_admin"], program_id=program.pk, project_ids=[six[0].pk, six[1].pk]
    )
    d = selectors.portfolio_dashboard(
        actor=people["pmo_admin"], filters=DashboardFilter(program_id=program.pk)
    )
    assert [f.code for f in d.figures] == ["P-0000", "P-0001"]
    assert d.roadmap[0]["group"] == "Digital / North"


def test_executives_see_the_projects_visible_to_them(
    people: dict[str, Any], six: list[Any], project: Any
) -> None:
    d = selectors.portfolio_dashboard(actor=people["sponsor"])
    assert [f.code for f in d.figures] == ["PRJ-001"]


@pytest.mark.parametrize("who", ["manager", "member", "client", "outsider"])
def test_only_the_pmo_and_executives_read_the_dashboard(people: dict[str, Any], who: str) -> None:
    with pytest.raises(Forbidden, match="Only the PMO and executives see the portfolio dashboard"):
        selectors.portfolio_dashboard(actor=people[who])
    with pytest.raises(Forbidden):
        export.workbook(actor=people[who])
    with pytest.raises(Forbidden):
        services.report_pack_request(actor=people[who])


def _queries(actor: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        d = selectors.portfolio_dashboard(actor=actor)
        assert d.figures
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_portfolio(
    people: dict[str, Any], portfolio: Any, django_assert_max_num_queries: Any
) -> None:
    build_projects(10, manager=people["manager"], portfolio=portfolio, prefix="A")
    small = _queries(people["pmo_admin"])
    build_projects(50, manager=people["manager"], portfolio=portfolio, prefix="B")
    large = _queries(people["pmo_admin"])
    assert small == large
    # ours: 15; the compliance of the governance context adds its own few
    with django_assert_max_num_queries(20):
        d = selectors.portfolio_dashboard(actor=people["pmo_admin"])
    assert len(d.figures) == 60


def test_workbook_has_every_sheet_and_quotes_formulas(
    people: dict[str, Any], six: list[Any]
) -> None:
    from openpyxl import load_workbook

    six[0].name = '=HYPERLINK("http://evil")'
    six[0].save()
    wb = load_workbook(io.BytesIO(export.workbook(actor=people["pmo_admin"])))
    assert wb.sheetnames == [
        "Projects", "Programs", "Requests", "Scores", "Scenarios", "Budget vs actual", "Risks",
    ]  # fmt: skip
    rows = list(wb["Projects"].iter_rows(values_only=True))
    assert rows[0][0] == "Code" and len(rows) == 7
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][13] == 1000.0  # budget, a number
    risks = list(wb["Risks"].iter_rows(values_only=True))
    assert len(risks) == 7 and risks[1][:3] == ("P-0000", "R-1", "Supplier late 0")
    budget = list(wb["Budget vs actual"].iter_rows(values_only=True))
    # per project: labour budget and labour actual in March, materials actual in March
    assert ("P-0000", "2026-03", "Labour", 1000.0, 500.0, 500.0) in budget


def test_csv_per_sheet(people: dict[str, Any], six: list[Any]) -> None:
    text = export.sheet_csv(actor=people["pmo_admin"], sheet="budget")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Project", "Month", "Category", "Budget", "Actual", "Variance"]
    assert ["P-0001", "2026-03", "Materials", "0", "1000.00", "-1000.00"] in rows
    with pytest.raises(ValidationFailed, match="Unknown sheet 'x'; choose one of: projects"):
        export.sheet_csv(actor=people["pmo_admin"], sheet="x")


def test_safe_quotes_what_a_spreadsheet_would_run() -> None:
    assert [export.safe(v) for v in ("=1+1", "+1", "-x", "@SUM", "\tx", "ok", 5)] == [
        "'=1+1", "'+1", "'-x", "'@SUM", "'\tx", "ok", 5,
    ]  # fmt: skip


def test_executive_pack_is_generated_with_progress_and_kept(
    people: dict[str, Any], six: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.report_pack_request(actor=people["pmo_admin"])
    pack.refresh_from_db()
    assert pack.state == PackState.DONE, pack.error
    assert pack.progress == 100 and pack.project_count == 6
    data = pack.file.read()
    assert data.startswith(b"%PDF") and pack.size == len(data)
    assert list(selectors.report_pack_list(actor=people["pmo_admin"])) == [pack]


def test_packs_are_seen_by_the_pmo_and_their_requester(
    people: dict[str, Any], six: list[Any], make_user: Any
) -> None:
    pack = ReportPack.objects.create(title="Q1", requested_by=people["sponsor"])
    assert selectors.report_pack_get(actor=people["sponsor"], pack_id=pack.pk) == pack
    assert selectors.report_pack_get(actor=people["pmo_analyst"], pack_id=pack.pk) == pack
    with pytest.raises(NotFound, match=f"Executive pack {pack.pk} not found."):
        selectors.report_pack_get(actor=make_user("executive"), pack_id=pack.pk)
    with pytest.raises(Conflict, match="still being generated"):
        services.report_pack_delete(actor=people["sponsor"], pack_id=pack.pk)


def test_a_failed_pack_says_why(
    people: dict[str, Any], monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from pmo.portfolio import reports

    def boom(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(reports, "pack_pdf", boom)
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.report_pack_request(actor=people["pmo_admin"], title="Board")
    pack.refresh_from_db()
    assert pack.state == PackState.FAILED and pack.error == "RuntimeError: no fonts"
    assert not pack.file
    services.report_pack_delete(actor=people["pmo_admin"], pack_id=pack.pk)
    assert not ReportPack.objects.exists()


def test_trend_is_the_health_against_the_last_change(people: dict[str, Any], project: Any) -> None:
    from pmo.projects.services import project_update

    def trend() -> str:
        d = selectors.portfolio_dashboard(actor=people["pmo_admin"], with_trend=True)
        return d.figures[0].trend

    assert trend() == "steady"
    project_update(
        actor=people["manager"], project_id=project.pk, version=None, data={"health": "red"}
    )
    assert trend() == "worse"
    project_update(
        actor=people["manager"], project_id=project.pk, version=None, data={"health": "amber"}
    )
    assert trend() == "better"
    project_update(
        actor=people["manager"], project_id=project.pk, version=None, data={"description": "x"}
    )
    assert trend() == "better"  # only changes of health count


def test_late_reports_and_compliance_come_from_their_contexts(
    people: dict[str, Any], six: list[Any], monkeypatch: Any
) -> None:
    """The monitoring and governance readers answer `{project id: late reports}` and
    `{project id: score or None}`; the dashboard counts and drills into both."""
    answers = {
        "late_reports": lambda projects: {six[1].pk: ["due 3 days ago"], six[2].pk: []},
        "compliance_by_project": lambda projects: {
            six[0].pk: 100.0, six[1].pk: 62.5, six[2].pk: None,
        },
    }  # fmt: skip
    monkeypatch.setattr(selectors, "_optional", lambda module, name: answers.get(name))
    d = selectors.portfolio_dashboard(actor=people["pmo_admin"])
    assert d.has_late_reports and d.has_compliance
    assert [f.code for f in d.matching(DashboardFilter(flag="late_report"))] == ["P-0001"]
    assert [f.code for f in d.matching(DashboardFilter(flag="non_compliant"))] == ["P-0001"]
    assert d.compliance_average == 81.2  # (100 + 62.5) / 2, projects without a score left out


def test_a_pack_whose_worker_stopped_long_ago_may_be_deleted(people: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    pack = ReportPack.objects.create(
        title="Stuck", requested_by=people["pmo_admin"], state="running"
    )
    ReportPack.objects.filter(pk=pack.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    services.report_pack_delete(actor=people["pmo_admin"], pack_id=pack.pk)
    assert not ReportPack.objects.exists()
