"""Capacity forecast: exact examples, properties against a day-by-day loop, what-if scenarios."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo.engine import Calendar, Demand, Periods, Person, capacity_forecast, scenario
from pmo.engine.capacity import CapacityError, CapacityResult

MON = dt.date(2025, 1, 6)  # ISO week 2025-W02
WEEK = dt.timedelta(weeks=1)
DAY = dt.timedelta(days=1)
HOLIDAY = MON + 2 * DAY  # Wednesday 8 January
CALENDARS = {
    "5x8": Calendar(exceptions={HOLIDAY: ()}, name="5x8"),
    "4x10": Calendar(week=[((420, 720), (780, 1080))] * 4 + [(), (), ()], name="4x10"),
}


def _bench() -> ModuleType:
    """The pure-Python day-by-day forecast of the benchmark, as the reference."""
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_capacity.py"
    spec = importlib.util.spec_from_file_location("bench_capacity", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def forecast(
    people: list[Person], demands: list[Demand], weeks: int = 3, **kwargs: Any
) -> CapacityResult:
    return capacity_forecast(people, demands, Periods(MON, weeks), CALENDARS, **kwargs)


def hours(
    d: str, person: str | None, start: dt.date, finish: dt.date, h: float, **kw: Any
) -> Demand:
    return Demand(d, person, kw.pop("role", None), kw.pop("project", "P1"), start, finish, h, **kw)


ANA = Person("ana", "Dev", "IT", "5x8")

# (what, people, demands, group, expected supply per week, expected demand per week)
EXAMPLES = [
    ("a holiday takes a day off the week", [ANA], [], "Dev", [32, 40, 40], [0, 0, 0]),
    (
        "40 h from Thursday to Wednesday split 16/24 by working days",
        [ANA],
        [hours("d", "ana", MON + 3 * DAY, MON + WEEK + 2 * DAY, 40)],
        "Dev",
        [32, 40, 40],
        [16, 24, 0],
    ),
    (
        "hours skip the holiday: 36 h Monday to Friday is 9 h a working day",
        [ANA],
        [hours("d", "ana", MON, MON + 4 * DAY, 36)],
        "Dev",
        [32, 40, 40],
        [36, 0, 0],
    ),
    (
        "availability 50 % halves the supply",
        [Person("bo", "Dev", calendar="5x8", availability=0.5)],
        [],
        "Dev",
        [16, 20, 20],
        [0, 0, 0],
    ),
    (
        "availability changes on the second Wednesday",
        [Person("bo", "Dev", calendar="5x8", availability=[(MON + WEEK + 2 * DAY, 0.5)])],
        [],
        "Dev",
        [32, 28, 20],
        [0, 0, 0],
    ),
    (
        "employment from the second Thursday to the third Tuesday",
        [Person("cy", "Dev", employed_from=MON + WEEK + 3 * DAY, employed_to=MON + 2 * WEEK + DAY)],
        [],
        "Dev",
        [0, 16, 16],
        [0, 0, 0],
    ),
    (
        "a personal day off counts on the supply and on the spreading",
        [
            Person(
                "di",
                "Dev",
                calendar="5x8",
                exceptions={MON + WEEK: (), MON + WEEK + DAY: ((480, 720),)},
            )
        ],
        [hours("d", "di", MON + WEEK, MON + WEEK + 4 * DAY, 40)],
        "Dev",
        [32, 28, 40],
        [0, 40, 0],
    ),
    (
        "a placeholder counts on its role, on the role's calendar",
        [ANA],
        [hours("d", None, MON, MON + WEEK - DAY, 40, role="QA")],
        "QA",
        [0, 0, 0],
        [40, 0, 0],
    ),
    (
        "a pipeline request counts at its probability",
        [ANA],
        [hours("d", "ana", MON + WEEK, MON + 2 * WEEK - DAY, 40, weight=0.25)],
        "Dev",
        [32, 40, 40],
        [0, 10, 0],
    ),
    (
        "units take a share of each working day's hours",
        [Person("ed", "Dev", calendar="4x10")],
        [Demand("d", "ed", None, "P1", MON, MON + 2 * WEEK - DAY, units=0.5, weight=0.5)],
        "Dev",
        [40, 40, 40],
        [10, 10, 0],
    ),
    (
        "a span without working days spreads over its calendar days",
        [Person("fa", "Dev", calendar="5x8", exceptions={MON + WEEK: ()})],
        [hours("d", "fa", MON + 5 * DAY, MON + WEEK, 12)],  # Saturday to a day-off Monday
        "Dev",
        [32, 32, 40],
        [8, 4, 0],
    ),
    (
        "the hours of a span outside the horizon are not counted",
        [ANA],
        [hours("d", "ana", MON - WEEK, MON + 4 * DAY, 72)],  # 9 working days, 8 h each
        "Dev",
        [32, 40, 40],
        [32, 0, 0],
    ),
]


@pytest.mark.parametrize(
    ("people", "demands", "group", "supply", "demand"),
    [e[1:] for e in EXAMPLES],
    ids=[e[0] for e in EXAMPLES],
)
def test_exact_examples(
    people: list[Person],
    demands: list[Demand],
    group: str,
    supply: list[float],
    demand: list[float],
) -> None:
    result = forecast(people, demands, role_calendars={"QA": "4x10"})
    row = result.group_index(group)
    assert result.supply[row].tolist() == supply
    assert result.demand[row].tolist() == pytest.approx(demand, abs=1e-9)


def test_employment_starting_mid_month_counts_its_working_days() -> None:
    person = Person("fay", "Dev", employed_from=dt.date(2025, 1, 15))
    result = capacity_forecast([person], [], Periods(dt.date(2025, 1, 1), 2, "month"), {})
    assert result.periods.labels == ("2025-01", "2025-02")
    assert result.supply.tolist() == [[13 * 8, 20 * 8]]


def test_no_supply_gives_infinite_utilisation_and_no_demand_gives_nan() -> None:
    result = forecast([], [hours("d", None, MON, MON + 4 * DAY, 10, role="QA")], weeks=2)
    assert math.isinf(result.utilisation[0, 0])
    assert math.isnan(result.utilisation[0, 1])
    assert result.over_allocated.tolist() == [[True, False]]
    assert result.to_dict()["utilisation"] == [[None, None]]
    assert result.drill_down("QA", 0).utilisation is None


def test_over_allocation_uses_the_threshold() -> None:
    demands = [hours("d", "ana", MON, MON + 4 * DAY, 30)]
    assert forecast([ANA], demands).over_allocated[0].tolist() == [False, False, False]
    assert (
        forecast([ANA], demands, threshold=0.9).over_allocated[0].tolist() == [True] + [False] * 2
    )


def test_grouping_by_department_and_role_and_by_person() -> None:
    people = [ANA, Person("bo", "Dev", "Ops"), Person("cy", "QA", "IT")]
    demands = [hours("d1", None, MON, MON + 4 * DAY, 5, role="QA", department="IT")]
    result = forecast(people, demands, group_by=("department", "role"))
    assert result.groups == (("IT", "Dev"), ("IT", "QA"), ("Ops", "Dev"))
    assert result.demand[:, 0].tolist() == [0, 5, 0]
    by_person = forecast(people, demands, group_by=("person",))
    assert by_person.groups == (("ana",), ("bo",), ("cy",), (None,))  # None: placeholders
    assert by_person.demand[3, 0] == 5


def test_drill_down_lists_the_people_and_demands_behind_a_cell() -> None:
    people = [ANA, Person("bo", "Dev", calendar="5x8")]
    demands = [
        hours("d1", "ana", MON, MON + WEEK + 4 * DAY, 72, project="P1"),
        hours("d2", None, MON, MON + 4 * DAY, 8, role="Dev", project="P2"),
    ]
    cell = forecast(people, demands).drill_down("Dev", "2025-W03")
    assert (cell.supply, cell.demand, cell.utilisation) == (80.0, 40.0, 0.5)
    assert [tuple(p) for p in cell.people] == [("ana", 40.0, 40.0), ("bo", 40.0, 0.0)]
    assert [tuple(d) for d in cell.demands] == [("d1", "P1", "ana", 40.0)]
    first = forecast(people, demands).drill_down(("Dev",), 0)
    assert {d.demand for d in first.demands} == {"d1", "d2"}
    assert sum(d.hours for d in first.demands) == first.demand == 40.0


@pytest.mark.parametrize(
    ("people", "demands", "message"),
    [
        ([ANA, ANA], [], "Duplicate person id 'ana'"),
        ([Person("x", "Dev", calendar="nope")], [], "Person 'x' names an unknown calendar 'nope'"),
        ([ANA], [hours("d", "zed", MON, MON, 1)], "Demand 'd' names an unknown person 'zed'"),
        ([ANA], [hours("d", "ana", MON, MON, 1)] * 2, "Duplicate demand id 'd'"),
    ],
)
def test_inconsistent_inputs_are_refused(
    people: list[Person], demands: list[Demand], message: str
) -> None:
    with pytest.raises(CapacityError, match=message):
        forecast(people, demands)


def test_malformed_inputs_are_refused() -> None:
    with pytest.raises(CapacityError, match="group_by"):
        forecast([ANA], [], group_by=("team",))
    with pytest.raises(CapacityError, match="finishes before it starts"):
        hours("d", "ana", MON, MON - DAY, 1)
    with pytest.raises(CapacityError, match="weight must be a number between 0 and 1"):
        hours("d", "ana", MON, MON, 1, weight=1.2)
    with pytest.raises(CapacityError, match="names neither a person nor a role"):
        hours("d", None, MON, MON, 1)
    with pytest.raises(CapacityError, match="leaves before joining"):
        Person("x", "Dev", employed_from=MON, employed_to=MON - DAY)
    with pytest.raises(CapacityError, match="strictly increasing"):
        Person("x", "Dev", availability=[(MON, 0.5), (MON, 0.2)])


# What-if scenarios ---------------------------------------------------------------------------

BASE_PEOPLE = [ANA, Person("bo", "QA", exceptions={MON: ()})]
BASE_DEMANDS = [
    hours("d1", "ana", MON, MON + 4 * DAY, 32, project="P1"),
    hours("d2", "bo", MON, MON + 4 * DAY, 20, project="P2"),
    hours("d3", None, MON + WEEK, MON + WEEK + 4 * DAY, 40, role="QA", project="P2"),
]


def test_scenario_adds_hires_delays_and_drops_without_touching_the_base() -> None:
    people, demands = list(BASE_PEOPLE), list(BASE_DEMANDS)
    before = copy.deepcopy((people, demands))
    hire = Person("new", "QA")
    new_people, new_demands = scenario(
        people, demands, add_people=[hire], delay={"P1": 7}, drop={"P2"}
    )
    assert (people, demands) == before
    assert new_people == (*BASE_PEOPLE, hire)
    assert [(d.id, d.start, d.finish, d.hours) for d in new_demands] == [
        ("d1", MON + WEEK, MON + WEEK + 4 * DAY, 32.0)
    ]
    base = forecast(people, demands)
    what_if = forecast(list(new_people), list(new_demands))
    assert base.demand[base.group_index("Dev")].tolist() == [32, 0, 0]
    assert what_if.demand[what_if.group_index("Dev")].tolist() == [0, 32, 0]
    assert what_if.supply[what_if.group_index("QA")].tolist() == [72, 80, 80]


def test_scenario_refuses_unknown_projects_and_duplicate_hires() -> None:
    with pytest.raises(CapacityError, match="Unknown project"):
        scenario(BASE_PEOPLE, BASE_DEMANDS, delay={"P9": 3})
    with pytest.raises(CapacityError, match="Duplicate person id"):
        scenario(BASE_PEOPLE, BASE_DEMANDS, add_people=[Person("ana", "Dev")])


@given(delay=st.integers(-30, 30), drop=st.sets(st.sampled_from(["P1", "P2"])))
@settings(max_examples=30, deadline=None)
def test_scenario_never_mutates_and_keeps_the_hours(delay: int, drop: set[str]) -> None:
    before = copy.deepcopy((BASE_PEOPLE, BASE_DEMANDS))
    _, demands = scenario(BASE_PEOPLE, BASE_DEMANDS, delay={"P1": delay, "P2": -delay}, drop=drop)
    assert before == (BASE_PEOPLE, BASE_DEMANDS)
    assert sum(d.hours or 0 for d in demands) == sum(
        d.hours or 0 for d in BASE_DEMANDS if d.project not in drop
    )


# Properties ----------------------------------------------------------------------------------

ROLES = ["Dev", "QA", "PM"]
FIRST = dt.date(2025, 1, 1)


@st.composite
def inputs(draw: st.DrawFn) -> tuple[list[Person], list[Demand], Periods]:
    kind = draw(st.sampled_from(["week", "month"]))
    periods = Periods(
        FIRST + dt.timedelta(days=draw(st.integers(0, 40))), draw(st.integers(1, 5)), kind
    )
    lo, hi = periods.bounds[0], periods.bounds[-1]
    span = (hi - lo).days
    day = st.integers(-10, span + 10).map(lambda k: lo + dt.timedelta(days=k))
    people = []
    for i in range(draw(st.integers(0, 4))):
        steps = sorted(set(draw(st.lists(day, max_size=2))))
        joined, left = draw(st.one_of(st.none(), day)), draw(st.one_of(st.none(), day))
        if joined and left and left < joined:
            joined, left = left, joined
        people.append(
            Person(
                f"p{i}",
                draw(st.sampled_from(ROLES)),
                draw(st.sampled_from(["IT", "Ops"])),
                draw(st.sampled_from([None, "5x8", "4x10"])),
                [(s, draw(st.sampled_from([0.0, 0.5, 1.0]))) for s in steps],
                joined,
                left,
                {
                    d: draw(st.sampled_from([(), ((480, 600),)]))
                    for d in draw(st.lists(day, max_size=3))
                },
            )
        )
    demands = []
    for k in range(draw(st.integers(0, 8))):
        start = draw(day)
        finish = start + dt.timedelta(days=draw(st.integers(0, 40)))
        who = draw(st.sampled_from([None, *[p.id for p in people]]))
        units = draw(st.one_of(st.none(), st.sampled_from([0.25, 1.0])))
        demands.append(
            Demand(
                f"d{k}",
                who,
                draw(st.sampled_from(ROLES)),
                "P",
                start,
                finish,
                None if units else draw(st.integers(0, 100)),
                units,
                draw(st.sampled_from([1.0, 0.5, 0.1])),
                draw(st.sampled_from([None, "IT"])),
            )
        )
    return people, demands, periods


@given(inputs(), st.sampled_from(["role", "person", "department"]))
@settings(max_examples=120, deadline=None)
def test_forecast_equals_a_day_by_day_loop(
    data: tuple[list[Person], list[Demand], Periods], group: str
) -> None:
    people, demands, periods = data
    role_calendars = {"QA": "4x10"}
    result = capacity_forecast(
        people, demands, periods, CALENDARS, group_by=(group,), role_calendars=role_calendars
    )
    slow = BENCH.pure_python_forecast(people, demands, periods, CALENDARS, role_calendars, group)
    assert {g[0] for g in result.groups} == set(slow)
    for r, (g,) in enumerate(result.groups):
        assert result.supply[r].tolist() == pytest.approx(slow[g][0], abs=1e-9)
        assert result.demand[r].tolist() == pytest.approx(slow[g][1], abs=1e-9)


@given(inputs())
@settings(max_examples=120, deadline=None)
def test_supply_is_never_negative_and_utilisation_is_demand_over_supply(
    data: tuple[list[Person], list[Demand], Periods],
) -> None:
    result = capacity_forecast(*data, CALENDARS)
    assert (result.supply >= 0).all() and (result.demand >= 0).all()
    util = result.utilisation
    has = result.supply > 0
    assert np.allclose(util[has] * result.supply[has], result.demand[has])
    assert np.isinf(util[~has & (result.demand > 0)]).all()
    assert np.isnan(util[~has & (result.demand == 0)]).all()
    over = result.over_allocated
    assert (over == (result.demand - result.supply > 1e-6)).all()


@given(inputs())
@settings(max_examples=120, deadline=None)
def test_hours_inside_the_horizon_are_conserved(
    data: tuple[list[Person], list[Demand], Periods],
) -> None:
    people, demands, periods = data
    lo, hi = periods.bounds[0], periods.bounds[-1]
    inside = [d for d in demands if lo <= d.start and d.finish < hi and d.hours is not None]
    result = capacity_forecast(people, inside, periods, CALENDARS)
    assert result.demand.sum() == pytest.approx(sum((d.hours or 0) * d.weight for d in inside))


@given(inputs(), st.sampled_from(["role", "person", "department"]))
@settings(max_examples=60, deadline=None)
def test_drill_down_adds_up_to_the_cell(
    data: tuple[list[Person], list[Demand], Periods], group: str
) -> None:
    result = capacity_forecast(*data, CALENDARS, group_by=(group,))
    for g in result.groups:
        for p in range(result.periods.count):
            cell = result.drill_down(g, p)
            assert sum(d.hours for d in cell.demands) == pytest.approx(cell.demand, abs=1e-9)
            assert sum(x.supply for x in cell.people) == pytest.approx(cell.supply, abs=1e-9)
            named = sum(d.hours for d in cell.demands if d.person is not None)
            assert sum(x.demand for x in cell.people) == pytest.approx(named, abs=1e-9)
