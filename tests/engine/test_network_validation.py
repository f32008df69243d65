"""Malformed networks are refused with precise messages."""

from __future__ import annotations

import pytest

from pmo.engine.cpm import schedule
from pmo.engine.errors import (
    CycleError,
    DuplicateActivityError,
    EngineError,
    InvalidConstraintError,
    InvalidLinkError,
    NegativeDurationError,
    UnknownActivityError,
)
from pmo.engine.network import Activity, Constraint, Link, Network


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: Network([Activity("A", 1), Activity("A", 2)]),
            DuplicateActivityError,
            "Duplicate activity id 'A'",
        ),
        (
            lambda: Activity("A", -3),
            NegativeDurationError,
            "Activity 'A' has a negative duration (-3)",
        ),
        (
            lambda: Network([Activity("A", 1)], [Link("A", "X")]),
            UnknownActivityError,
            "Unknown activity 'X' in link from 'A'",
        ),
        (
            lambda: Network([Activity("A", 1)], [Link("Y", "A")]),
            UnknownActivityError,
            "Unknown activity 'Y' in link to 'A'",
        ),
        (
            lambda: Network([Activity("A", 1, parent="P")]),
            UnknownActivityError,
            "Unknown parent 'P' of activity 'A'",
        ),
        (
            lambda: Link("A", "B", "XX"),
            InvalidLinkError,
            "Unknown link type 'XX' in link from 'A' to 'B' (expected FS, SS, FF or SF)",
        ),  # type: ignore[arg-type]
        (
            lambda: Link("A", "B", lag=1, lag_percent=5),
            InvalidLinkError,
            "Link from 'A' to 'B' has both a lag and a percentage lag",
        ),
        (lambda: Constraint("MSO"), InvalidConstraintError, "Constraint MSO needs an offset"),  # type: ignore[arg-type]
        (lambda: Constraint("ASAP", 3), InvalidConstraintError, "Constraint ASAP takes no offset"),  # type: ignore[arg-type]
        (
            lambda: Activity("A", 1.5),
            EngineError,
            "Activity 'A' duration must be an integer, not 1.5",
        ),  # type: ignore[arg-type]
        (lambda: Activity("", 1), EngineError, "Activity id must be a non-empty string, not ''"),
        (
            lambda: Network([Activity("A", 1)], schedule_from="finish"),
            InvalidConstraintError,
            "A project scheduled from its finish needs a finish",
        ),
    ],
)
def test_malformed_input_is_refused_with_a_precise_message(build, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == message
    assert isinstance(caught.value, EngineError)


def test_cycle_error_names_the_activities_on_the_cycle() -> None:
    net = Network(
        [Activity(x, 1) for x in "SABCE"],
        [
            Link("S", "A"),
            Link("A", "B"),
            Link("B", "C", "SS"),
            Link("C", "A", "FF"),
            Link("C", "E"),
        ],  # type: ignore[arg-type]
    )
    with pytest.raises(CycleError) as caught:
        schedule(net)
    assert str(caught.value) == "Cyclic network: A -> B -> C -> A"
    assert caught.value.cycle == ("A", "B", "C", "A")


def test_self_link_is_a_cycle() -> None:
    with pytest.raises(CycleError, match=r"^Cyclic network: A -> A$"):
        schedule(Network([Activity("A", 1)], [Link("A", "A")]))


def test_wbs_loop_is_a_cycle() -> None:
    net = Network([Activity("P", 0, parent="Q"), Activity("Q", 0, parent="P"), Activity("A", 1)])
    with pytest.raises(CycleError, match="Cyclic network: "):
        schedule(net)


def test_finish_side_link_into_a_summary_is_refused() -> None:
    net = Network(
        [Activity("S", 0), Activity("A", 2, parent="S"), Activity("X", 1)],
        [Link("X", "S", "FF")],  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidLinkError, match="only FS and SS links may end on a summary"):
        schedule(net)
