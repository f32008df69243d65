"""The JSON network format: reading, errors with their JSON path, round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from strategies import networks

from pmo.engine.network import ConstraintType, LinkType, Network
from pmo.interop.errors import InteropError
from pmo.interop.json_network import network_to_json, parse_json_network


def test_dates_convert_through_the_calendar() -> None:
    plan = parse_json_network(
        json.dumps(
            {
                "start": "2025-01-06T08:00:00",
                "calendar": {"unit": "hour", "exceptions": [{"date": "2025-01-07"}]},
                "activities": [
                    {
                        "id": 1,
                        "duration": 8,
                        "constraint": {"type": "snet", "date": "2025-01-08T09:00"},
                    },
                    {"id": 2, "duration": 8, "deadline": "2025-01-08T17:00", "parent": None},
                ],
                "links": [{"from": 1, "to": 2, "type": "ff", "lag": -2}],
                "resources": [{"id": "crane", "capacity": 2}],
            }
        )
    )
    a, b = plan.network.activities
    assert a.id == "1" and a.constraint is not None
    assert (a.constraint.type, a.constraint.offset) == (ConstraintType.SNET, 9)
    assert b.deadline == 16
    assert plan.network.links[0].type is LinkType.FF
    assert plan.network.resources[0].capacity == 2


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "p.json: (document): expected an object with 'activities'"),
        ({}, "p.json: activities: required"),
        (
            {"activities": [{"id": "A", "duration": "3"}]},
            'p.json: activities[0].duration: expected int, got "3"',
        ),
        (
            {"activities": [{"id": "A", "duration": 1, "constraint": {"type": "XX", "offset": 1}}]},
            "p.json: activities[0].constraint.type: expected one of ASAP, ALAP",
        ),
        (
            {
                "activities": [
                    {"id": "A", "duration": 1, "constraint": {"type": "MSO", "date": "2025-01-01"}}
                ]
            },
            "p.json: activities[0].constraint.date: a date needs the project 'start'",
        ),
        (
            {"activities": [{"id": "A", "duration": 1}], "links": [{"from": "A", "to": "B"}]},
            "p.json: Unknown activity 'B' in link from 'A'",
        ),
        (
            {"activities": [], "links": [{"from": "A", "to": "B", "lag": "x%"}]},
            "p.json: links[0].lag: expected an integer or a percentage, got 'x%'",
        ),
        (
            {"activities": [{"id": "A", "duration": 1}, {"id": "A", "duration": 1}]},
            "p.json: Duplicate activity id 'A'",
        ),
    ],
)
def test_errors_name_the_json_path(document: object, message: str) -> None:
    with pytest.raises(InteropError) as caught:
        parse_json_network(json.dumps(document), source="p.json")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_round_trip_preserves_the_network(net: Network) -> None:
    assert parse_json_network(json.dumps(network_to_json(net))).network == net


def test_activity_calendars_are_read_and_scheduled() -> None:
    from pmo.interop.plan import schedule_on_calendars

    plan = parse_json_network(
        """{"start": "2025-01-10T08:00", "calendar": {"unit": "hour"},
        "calendars": {"night": {"week":
            {"mon": [["20:00", "24:00"]], "fri": [["20:00", "24:00"]]}}},
        "activities": [{"id": "A", "duration": 2}, {"id": "B", "duration": 6, "calendar": "night"}],
        "links": [{"from": "A", "to": "B"}]}"""
    )
    assert plan.uses_calendars
    result = schedule_on_calendars(plan)
    row = result.activity("B")
    assert (row["early_start"], row["early_finish"]) == (
        dt.datetime(2025, 1, 10, 20),
        dt.datetime(2025, 1, 13, 22),
    )


def test_an_unknown_activity_calendar_is_refused_with_its_path() -> None:
    with pytest.raises(InteropError, match=r"activities\[0\]\.calendar: no calendar 'x'"):
        parse_json_network('{"activities": [{"id": "A", "duration": 1, "calendar": "x"}]}')
