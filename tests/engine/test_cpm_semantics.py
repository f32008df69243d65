"""Hand-checked schedules: one per rule of docs/engine/cpm.md."""

from __future__ import annotations

import numpy as np
import pytest

from pmo.engine.cpm import backward_pass, critical_path, forward_pass, schedule, total_float
from pmo.engine.network import Activity, Constraint, ConstraintType, Link, LinkType, Network

A, B = Activity("A", 4), Activity("B", 2)


def _row(net: Network, activity_id: str) -> tuple[int, int, int, int, int, int]:
    r = schedule(net).activity(activity_id)
    keys = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float")
    return tuple(r[k] for k in keys)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("link", "b_row"),
    [
        (Link("A", "B", LinkType.FS, 1), (5, 7, 5, 7, 0, 0)),
        (Link("A", "B", LinkType.SS, 1), (1, 3, 2, 4, 1, 1)),
        (Link("A", "B", LinkType.FF, 1), (3, 5, 3, 5, 0, 0)),
        (Link("A", "B", LinkType.SF, 1), (0, 2, 2, 4, 2, 2)),
        (Link("A", "B", LinkType.FS, -2), (2, 4, 2, 4, 0, 0)),
        (Link("A", "B", LinkType.FS, lag_percent=50), (6, 8, 6, 8, 0, 0)),
        (Link("A", "B", LinkType.SS, lag_percent=-25), (0, 2, 2, 4, 2, 2)),
    ],
)
def test_link_types_and_lags(link: Link, b_row: tuple[int, ...]) -> None:
    assert _row(Network([A, B], [link]), "B") == b_row


@pytest.mark.parametrize(
    ("constraint", "deadline", "b_row"),
    [
        (Constraint(ConstraintType.SNET, 6), None, (6, 8, 6, 8, 0, 0)),
        (Constraint(ConstraintType.FNET, 9), None, (7, 9, 7, 9, 0, 0)),
        (Constraint(ConstraintType.SNLT, 3), None, (4, 6, 3, 5, -1, -1)),
        (Constraint(ConstraintType.FNLT, 5), None, (4, 6, 3, 5, -1, -1)),
        (Constraint(ConstraintType.MSO, 2), None, (2, 4, 2, 4, 0, 0)),
        (Constraint(ConstraintType.MFO, 8), None, (6, 8, 6, 8, 0, 0)),
        (None, 5, (4, 6, 3, 5, -1, -1)),
    ],
)
def test_constraints_and_deadlines(
    constraint: Constraint | None, deadline: int | None, b_row: tuple[int, ...]
) -> None:
    b = Activity("B", 2, constraint=constraint, deadline=deadline)
    net = Network([A, b], [Link("A", "B")])
    assert _row(net, "B") == b_row
    assert schedule(net).critical[1] == (b_row[4] <= 0)


def test_must_start_on_before_its_predecessor_gives_negative_float_upstream() -> None:
    net = Network(
        [A, Activity("B", 2, constraint=Constraint(ConstraintType.MSO, 2))], [Link("A", "B")]
    )
    assert _row(net, "A") == (0, 4, -2, 2, -2, -2)


def test_alap_activity_takes_its_free_float() -> None:
    c = Activity("C", 1, constraint=Constraint(ConstraintType.ALAP))
    net = Network([A, c, Activity("D", 1)], [Link("A", "D"), Link("C", "D")])
    # A drives D to 4; C slides up against D. Without a successor it would slide to the finish.
    assert _row(net, "C") == (3, 4, 3, 4, 0, 0)
    alone = Network([A, c])
    assert _row(alone, "C") == (3, 4, 3, 4, 0, 0)


def test_target_finish_gives_float_and_backward_scheduling_moves_the_start() -> None:
    forward = Network([A, B], [Link("A", "B")], finish=10)
    assert _row(forward, "A") == (0, 4, 4, 8, 4, 0)
    assert schedule(forward).finish == 10
    backward = Network([A, B], [Link("A", "B")], finish=10, schedule_from="finish")
    result = schedule(backward)
    assert (result.start, result.finish) == (4, 10)
    assert _row(backward, "A") == (4, 8, 4, 8, 0, 0)


def test_project_start_offset_and_milestones() -> None:
    net = Network([Activity("M", 0), A], [Link("M", "A")], start=7)
    assert _row(net, "M") == (7, 7, 7, 7, 0, 0)
    assert schedule(net).finish == 11
    assert critical_path(net) == ["M", "A"]


def test_summary_rolls_up_its_children_and_links_on_it_bind_them() -> None:
    net = Network(
        [
            Activity("X", 3),
            Activity("S", 0, name="Phase 1"),
            Activity("S1", 2, parent="S"),
            Activity("S2", 5, parent="S"),
            Activity("T", 1),
        ],
        [Link("X", "S"), Link("S1", "S2", LinkType.SS, 1), Link("S", "T")],
    )
    result = schedule(net)
    assert _row(net, "S") == (3, 9, 3, 9, 0, 0)
    assert _row(net, "S1") == (3, 5, 3, 5, 0, 0)
    assert result.finish == 10
    assert result.critical_path == ("X", "S1", "S2", "T")


def test_helpers_agree_with_schedule() -> None:
    net = Network([A, B, Activity("C", 1)], [Link("A", "B", LinkType.SS, 1), Link("B", "C")])
    result = schedule(net)
    es, ef = forward_pass(net)
    ls, lf = backward_pass(net)
    np.testing.assert_array_equal(es, result.early_start)
    np.testing.assert_array_equal(ef, result.early_finish)
    np.testing.assert_array_equal(ls, result.late_start)
    np.testing.assert_array_equal(lf, result.late_finish)
    assert total_float(net) == dict(zip(result.ids, result.total_float.tolist(), strict=True))
    assert all(type(v) is int for v in total_float(net).values())


def test_records_hold_plain_python_values() -> None:
    records = schedule(Network([A, B], [Link("A", "B")])).records()
    assert [type(v) for v in records[0].values()] == [str, int, int, int, int, int, int, bool]


def test_empty_network() -> None:
    result = schedule(Network([], start=3))
    assert (result.start, result.finish, result.critical_path) == (3, 3, ())
