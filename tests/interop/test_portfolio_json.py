"""The JSON portfolio format: what it reads, the app-facing `select_document`, and the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmo.engine.selection import Candidate
from pmo.interop.errors import InteropError
from pmo.interop.portfolio_json import parse_portfolio, portfolio_from_dict, select_document

SCHEMA = Path(__file__).parents[2] / "docs" / "engine" / "portfolio.schema.json"

DOCUMENT = {
    "name": "Plan 2027",
    "periods": 2,
    "budget": [100, 80],
    "capacity": {"dev": [10, 10], "ba": [4, 4]},
    "load": {"dev": [2, 0]},
    "candidates": [
        {"id": "A", "value": 5, "cost": [30, 10], "demand": {"dev": [4, 2]}, "mandatory": True},
        {"id": "B", "value": 7.5, "cost": [40], "requires": ["A"], "start_window": [0, 1]},
        {"id": "C", "value": 3, "excludes": ["B"], "title": "Shared CRM"},
    ],
}


def test_every_field_is_read() -> None:
    portfolio = portfolio_from_dict(DOCUMENT)
    assert portfolio.periods == 2 and portfolio.budget == (100.0, 80.0)
    assert portfolio.load == {"dev": (2.0, 0.0)}
    a, b, c = portfolio.candidates
    assert a == Candidate("A", 5, cost=[30, 10], demand={"dev": [4, 2]}, mandatory=True)
    assert b.requires == ("A",) and b.start_window == (0, 1) and b.starts(2) == range(0, 2)
    assert c.excludes == ("B",) and c.cost == () and c.starts(2) == range(0, 1)


def test_select_document_answers_like_the_cli_and_adds_the_frontier() -> None:
    out = select_document(DOCUMENT, frontier=[0.5, 1.0])
    assert out["status"] == "optimal" and out["objective"] == 12.5
    assert out["selected"] == [{"id": "A", "start": 0}, {"id": "B", "start": 0}]
    assert [(p["scale"], p["budget"], p["value"]) for p in out["frontier"]] == [
        (0.5, 90.0, 8.0),
        (1.0, 180.0, 12.5),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"periods": 0}, "<input>: periods: must be >= 1, got 0"),
        ({"periods": True}, "<input>: periods: expected int, got true"),
        ({"budget": [1, -1]}, "<input>: budget[1]: must be >= 0, got -1"),
        ({"capacity": {"dev": [1]}}, "capacity.dev: has 1 values; expected one per period (2)"),
        ({"load": {"qa": [1, 1]}}, "<input>: load.qa: role has no capacity"),
        ({"colour": "red"}, "<input>: (document): unknown key 'colour'"),
        ({"candidates": {"id": "A"}}, "<input>: candidates: expected list, got {"),
        ({"candidates": [{"id": "", "value": 1}]}, "candidates[0].id: must not be empty"),
        (
            {"candidates": [{"id": "A", "value": 1}, {"id": "A", "value": 2}]},
            "candidates[1].id: 'A' is also candidates[0]",
        ),
        (
            {"candidates": [{"id": "A", "value": 1, "start_window": [1]}]},
            "candidates[0].start_window: expected [earliest, latest] periods",
        ),
        (
            {"candidates": [{"id": "A", "value": 1, "start_window": [1, 0]}]},
            "candidates[0].start_window: needs 0 <= earliest <= latest, got [1, 0]",
        ),
        (
            {"candidates": [{"id": "A", "value": 1, "excludes": ["A"]}]},
            "<input>: candidate 'A' excludes itself",
        ),
        (
            {"candidates": [{"id": "A", "value": 1, "cost": [1], "start_window": [2, 3]}]},
            "cannot end within the 2-period horizon when it starts in period 2 or later",
        ),
    ],
)
def test_errors_name_the_json_path(change, message) -> None:
    with pytest.raises(InteropError) as caught:
        portfolio_from_dict({**DOCUMENT, **change})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_json_syntax_errors_name_line_and_column() -> None:
    with pytest.raises(InteropError, match=r"^p.json:2:2: not valid JSON: Extra data$"):
        parse_portfolio('{"periods": 1\n}}', source="p.json")


def test_the_schema_is_valid_json_and_names_every_field_the_reader_knows() -> None:
    from pmo.interop import portfolio_json

    schema = json.loads(SCHEMA.read_text())
    assert set(schema["properties"]) == set(portfolio_json._TOP)
    candidate = schema["$defs"]["candidate"]
    assert set(candidate["properties"]) == set(portfolio_json._CANDIDATE)
    assert candidate["required"] == ["id", "value"]
    assert candidate["additionalProperties"] is False and schema["additionalProperties"] is False
