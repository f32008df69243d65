"""`pmo select` on files: the JSON shape of the issue, text, infeasible sets, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmo.cli.main import app

PORTFOLIO = {
    "periods": 2,
    "budget": [100, 100],
    "capacity": {"dev": [10, 10]},
    "candidates": [
        {"id": "BIG", "value": 60, "cost": [90, 90]},
        {"id": "S1", "value": 35, "cost": [50], "demand": {"dev": [8]}},
        {"id": "S2", "value": 35, "cost": [50], "demand": {"dev": [8]}, "start_window": [0, 1]},
        {"id": "REG", "value": 1, "cost": [10], "mandatory": True},
    ],
}


def write(tmp_path: Path, document: object, name: str = "portfolio.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_select_json_has_the_issues_shape_and_the_optimum(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["select", str(write(tmp_path, PORTFOLIO)), "--json", "--time-limit", "5"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out)[:5] == ["objective", "bound", "status", "selected", "greedy"]
    assert out["status"] == "optimal" and out["objective"] == 71 and out["bound"] == 71
    # S1 and S2 cannot share period 0 (dev 16 > 10): the solver moves S2 to period 1.
    assert sorted(out["selected"], key=lambda p: p["id"]) == [
        {"id": "REG", "start": 0},
        {"id": "S1", "start": 0},
        {"id": "S2", "start": 1},
    ]
    assert out["greedy"]["objective"] == 61
    assert {p["id"] for p in out["greedy"]["selected"]} == {"REG", "BIG"}
    assert out["value_gained"] == 10
    assert out["only_optimal"] == ["S1", "S2"] and out["only_greedy"] == ["BIG"]


def test_select_prints_a_summary_and_the_frontier(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["select", str(write(tmp_path, PORTFOLIO)), "--frontier", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Status: optimal",
        "Value: 71 (bound 71)",
        "Selected: 3 of 4: S1@0, S2@1, REG@0",
    ]
    assert lines[3] == "Greedy by value: 61: BIG@0, REG@0"
    assert lines[4] == "Value gained over the greedy: 10 (+16.4 %)"
    assert lines[-3:] == [
        "Frontier: budget 100 -> value 36",
        "Frontier: budget 200 -> value 71",
        "Frontier: budget 300 -> value 131",
    ]


def test_select_ratio_ranking_changes_the_greedy(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["select", str(write(tmp_path, PORTFOLIO)), "--json", "--rank", "ratio"]
    )
    out = json.loads(result.stdout)
    assert out["greedy"]["rank"] == "ratio" and out["greedy"]["objective"] == 71


def test_an_infeasible_mandatory_set_is_a_clear_error(tmp_path: Path) -> None:
    document = json.loads(json.dumps(PORTFOLIO))
    document["candidates"][0]["mandatory"] = True  # BIG (90) and REG (10) fit period 0 ...
    document["candidates"][1]["mandatory"] = True  # ... but not with S1 (50) as well
    path = write(tmp_path, document)
    result = CliRunner().invoke(app, ["select", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "pmo select: infeasible: the mandatory items BIG, S1 cannot all be selected within "
        "the budget, capacity, dependencies, exclusions and start windows\n"
    )
    result = CliRunner().invoke(app, ["select", str(path), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["status"] == "infeasible" and out["conflict"] == ["BIG", "S1"]
    assert out["objective"] is None and out["selected"] == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"periods": 3,', "portfolio.json:1:15: not valid JSON: Expecting property name"),
        ([], "portfolio.json: (document): expected an object with 'periods'"),
        ({"periods": 3, "candidates": []}, "portfolio.json: budget: required"),
        (
            {**PORTFOLIO, "budget": [1]},
            "portfolio.json: budget: has 1 values; expected one per period (2)",
        ),
        (
            {**PORTFOLIO, "candidates": [{"id": "A", "value": "high"}]},
            'portfolio.json: candidates[0].value: expected int or float, got "high"',
        ),
        (
            {**PORTFOLIO, "candidates": [{"id": "A", "value": 1, "mandatroy": True}]},
            "portfolio.json: candidates[0]: unknown key 'mandatroy'",
        ),
        (
            {**PORTFOLIO, "candidates": [{"id": "A", "value": 1, "requires": ["Z"]}]},
            "portfolio.json: candidates[0].requires[0]: no candidate 'Z'",
        ),
        (
            {**PORTFOLIO, "candidates": [{"id": "A", "value": 1, "cost": [1, 1, 1]}]},
            "portfolio.json: candidate 'A' lasts 3 periods; the horizon has 2",
        ),
        (
            {**PORTFOLIO, "candidates": [{"id": "A", "value": 1, "demand": {"qa": [1]}}]},
            "portfolio.json: candidates[0].demand.qa: role has no capacity",
        ),
    ],
)
def test_malformed_files_get_one_precise_line(tmp_path: Path, document, message) -> None:
    result = CliRunner().invoke(app, ["select", str(write(tmp_path, document))])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("pmo select: ") and message in result.stderr


def test_bad_options_and_missing_files_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, PORTFOLIO)
    result = CliRunner().invoke(app, ["select", str(path), "--rank", "cost"])
    assert result.exit_code == 1 and "unknown rank 'cost' (value or ratio)" in result.stderr
    result = CliRunner().invoke(app, ["select", str(path), "--threads", "0"])
    assert result.exit_code == 1 and "--threads >= 1" in result.stderr
    result = CliRunner().invoke(app, ["select", str(tmp_path / "none.json")])
    assert result.exit_code == 1 and "none.json: No such file or directory" in result.stderr


def test_select_has_help() -> None:
    result = CliRunner().invoke(app, ["select", "--help"])
    assert result.exit_code == 0 and "--time-limit" in result.output and "--json" in result.output
