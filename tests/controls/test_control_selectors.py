"""Reads on the controls: the heat map, the budget summary, overdue communications, and a
constant number of queries however many rows there are."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.controls import selectors, services
from pmo.controls.selectors import _spread

D = Decimal


def test_the_heat_map_counts_open_risks_per_cell(project, people):
    pm = people["manager"]
    ids = [
        services.risk_create(
            actor=pm,
            project_id=project.pk,
            data={"title": f"r{n}", "probability": p, "impact": i, "status": status},
        ).pk
        for n, (p, i, status) in enumerate(
            [(5, 5, "open"), (5, 5, "occurred"), (1, 4, "open"), (2, 2, "closed")]
        )
    ]
    heat = selectors.risk_heat_map(actor=pm, project=project)
    assert [cell.probability for cell in heat.rows[0]] == [5] * 5
    assert [row[0].probability for row in heat.rows] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in heat.rows[0]] == [1, 2, 3, 4, 5]
    top_right, p1_i4 = heat.rows[0][4], heat.rows[4][3]
    assert (top_right.count, top_right.risk_ids, top_right.score) == (2, ids[:2], 25)
    assert (p1_i4.count, p1_i4.risk_ids) == (1, [ids[2]])
    assert heat.total == 3
    assert selectors.risk_heat_map(actor=pm, project=project, include_closed=True).total == 4
    assert [heat.rows[4][0].level, heat.rows[3][2].level, heat.rows[2][3].level] == [
        "low",
        "medium",
        "high",
    ]
    assert top_right.level == "severe"


def test_the_register_lists_the_highest_scores_first(project, people):
    pm = people["manager"]
    for title, p, i in [("low", 1, 1), ("high", 4, 5), ("mid", 3, 3)]:
        services.risk_create(
            actor=pm, project_id=project.pk, data={"title": title, "probability": p, "impact": i}
        )
    assert [r.title for r in selectors.risk_list(actor=pm, project=project)] == [
        "high",
        "mid",
        "low",
    ]


def test_a_task_cost_spreads_over_its_months_by_calendar_days():
    assert _spread(D("100"), dt.date(2027, 1, 31), dt.date(2027, 2, 1)) == {
        dt.date(2027, 1, 1): D("50.00"),
        dt.date(2027, 2, 1): D("50.00"),
    }
    parts = _spread(D("100"), dt.date(2027, 1, 30), dt.date(2027, 2, 1))
    assert parts == {dt.date(2027, 1, 1): D("66.67"), dt.date(2027, 2, 1): D("33.33")}
    assert _spread(D("10"), dt.date(2027, 5, 5), dt.date(2027, 5, 5)) == {dt.date(2027, 5, 1): 10}


def test_the_budget_summary_sets_lines_beside_the_task_costs(project, people, tasks):
    pm = people["manager"]
    for category, month, amount in [
        ("labour", 3, "1000"),
        ("labour", 3, "250"),
        ("labour", 4, "500"),
        ("materials", 3, "200"),
        ("contracts", 5, "300"),
    ]:
        services.budget_line_create(
            actor=pm,
            project_id=project.pk,
            data={"category": category, "period": dt.date(2027, month, 1), "amount": amount},
        )
    summary = selectors.budget_summary(actor=pm, project=project)
    assert summary.months == [dt.date(2027, 3, 1), dt.date(2027, 4, 1), dt.date(2027, 5, 1)]
    rows = {row.key: row.amounts for row in summary.categories}
    assert rows == {
        "labour": [D("1250"), D("500"), D(0)],
        "materials": [D("200"), D(0), D(0)],
        "contracts": [D(0), D(0), D("300")],
        "other": [D(0), D(0), D(0)],
    }
    assert summary.budget.amounts == [D("1450"), D("500"), D("300")]
    assert summary.budget.cumulative == [D("1450"), D("1950"), D("2250")]
    assert summary.budget.total == D("2250")
    # Design (300) in March; Build (4,000) 4 March to 14 April: 28 of its 42 days in March
    assert (tasks["build"].early_start, tasks["build"].early_finish) == (
        dt.date(2027, 3, 4),
        dt.date(2027, 4, 14),
    )
    assert summary.tasks.amounts == [D("2966.67"), D("1333.33"), D(0)]
    assert summary.tasks.cumulative[-1] == summary.task_cost_total == D("4300")
    assert summary.unscheduled_task_cost == 0


def test_an_empty_budget_has_no_months(project, people):
    summary = selectors.budget_summary(actor=people["manager"], project=project)
    assert summary.months == [] and summary.budget.total == 0


def test_communications_due_before_today_are_overdue(project, people):
    pm = people["manager"]
    for info, due in [("Late", dt.date(2027, 1, 10)), ("Soon", dt.date(2027, 2, 1)), ("Any", None)]:
        services.communication_item_create(
            actor=pm, project_id=project.pk, data={"information": info, "next_due": due}
        )
    items = selectors.communication_items(actor=pm, project=project, today=dt.date(2027, 1, 20))
    assert [(i.information, i.is_overdue) for i in items] == [
        ("Late", True),
        ("Soon", False),
        ("Any", False),
    ]


# --- query counts -------------------------------------------------------------------------------


def _touch_risks(risks):
    return [(r.owner, list(r.tasks.all())) for r in risks]


def _touch_communications(items):
    return [(c.owner, list(c.audience.all()), c.is_overdue) for c in items]


READS = {
    "risk_list": lambda a, p: _touch_risks(selectors.risk_list(actor=a, project=p)),
    "risk_heat_map": lambda a, p: selectors.risk_heat_map(actor=a, project=p).total,
    "budget_line_list": lambda a, p: list(selectors.budget_line_list(actor=a, project=p)),
    "budget_summary": lambda a, p: selectors.budget_summary(actor=a, project=p).tasks.total,
    "quality_items": lambda a, p: [q.reviewer for q in selectors.quality_items(actor=a, project=p)],
    "communication_items": lambda a, p: _touch_communications(
        selectors.communication_items(actor=a, project=p)
    ),
}


@pytest.mark.parametrize("read", sorted(READS))
def test_reads_cost_a_constant_number_of_queries(project, people, tasks, add_rows, read):
    counts = []
    for rows in (2, 8):  # 2 rows, then 10
        add_rows(rows)
        with CaptureQueriesContext(connection) as ctx:
            READS[read](people["member"], project)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
