"""`pmo simulate` on files: the promised JSON, reproducible, a rich table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pmo.cli.main import app

PLAN: dict[str, Any] = {
    "finish": 12,
    "activities": [
        {
            "id": 1,
            "duration": 3,
            "distribution": {"type": "triangular", "min": 2, "mode": 3, "max": 6},
        },
        {"id": "B", "duration": 4, "distribution": {"type": "pert", "min": 3, "mode": 4, "max": 9}},
        {"id": "C", "duration": 5, "distribution": {"type": "uniform", "min": 4, "max": 5}},
        {"id": "D", "duration": 2, "distribution": {"type": "lognormal", "mean": 2, "sd": 0.5}},
    ],
    "links": [
        {"from": 1, "to": "B"},
        {"from": 1, "to": "C", "type": "SS", "lag": 1},
        {"from": "B", "to": "D"},
        {"from": "C", "to": "D", "type": "FF"},
    ],
}


def _write(tmp_path: Path, plan: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_json_output_has_exactly_the_promised_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, PLAN)
    args = ["simulate", str(path), "--iterations", "3000", "--seed", "5", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"iterations", "finish", "criticality"}
    assert out["iterations"] == 3000
    assert set(out["finish"]) == {"mean", "p10", "p50", "p80", "p90"}
    assert out["finish"]["p10"] < out["finish"]["p50"] < out["finish"]["p80"] < out["finish"]["p90"]
    assert set(out["criticality"]) == {"1", "B", "C", "D"}
    assert out["criticality"]["1"] == 1.0 and out["criticality"]["C"] < 0.05
    again = CliRunner().invoke(app, args)
    assert json.loads(again.stdout) == out


def test_human_output_is_a_table_with_the_target_probability(tmp_path: Path) -> None:
    path = _write(tmp_path, PLAN)
    result = CliRunner().invoke(
        app, ["simulate", str(path), "-n", "500", "--seed", "1", "--target", "11", "--timings"]
    )
    assert result.exit_code == 0, result.output
    assert "P80" in result.stdout and "Probability of finishing by 11:" in result.stdout
    assert "simulate=" in result.stderr


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ({"type": "beta", "min": 1, "max": 2}, "activities[1].distribution.type: expected one of"),
        ({"type": "pert", "min": 1, "max": 2}, "activities[1].distribution.mode: required"),
        ({"type": "uniform", "min": 1, "max": "2"}, "activities[1].distribution.max: expected"),
        ({"type": "uniform", "min": 3, "max": 2}, "needs min <= max"),
        ({"type": "uniform", "min": 1, "max": 2, "mode": 1}, "distribution.mode: not a parameter"),
        ({"type": "triangular", "min": -1, "mode": 0, "max": 2}, "allows a negative duration"),
        ({"type": "lognormal", "mean": 2}, "activities[1].distribution.sd: required"),
    ],
)
def test_bad_distributions_fail_with_the_json_path(
    tmp_path: Path, distribution: dict[str, Any], message: str
) -> None:
    plan = json.loads(json.dumps(PLAN))
    plan["activities"][1]["distribution"] = distribution
    path = _write(tmp_path, plan)
    result = CliRunner().invoke(app, ["simulate", str(path), "-n", "10"])
    assert result.exit_code == 1
    assert result.stderr.startswith("pmo simulate: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert "pmo simulate: " in result.stderr


def test_risks_and_correlations_from_the_file_and_the_response(tmp_path: Path) -> None:
    plan = json.loads(json.dumps(PLAN))
    plan["risks"] = [
        {"id": "Late steel", "activities": ["B"], "probability": 1,
         "duration": {"type": "uniform", "min": 10, "max": 10}, "cost": 500,
         "post": {"probability": 0, "duration": 10}, "response_cost": 50},
    ]  # fmt: skip
    plan["correlations"] = [{"activities": [1, "B"], "coefficient": 0.5}]
    path = _write(tmp_path, plan)
    base = ["simulate", str(path), "-n", "2000", "--seed", "2", "--json"]
    pre = json.loads(CliRunner().invoke(app, base).stdout)
    post = json.loads(CliRunner().invoke(app, [*base, "--response", "post"]).stdout)
    assert pre["finish"]["mean"] == pytest.approx(post["finish"]["mean"] + 10, abs=0.5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"risks": [{"id": "R", "activities": ["B"]}]}, "risks[0].probability: required"),
        ({"risks": [{"id": "R", "activities": ["B"], "probability": 2}]},
         "risks[0]: Risk probability"),
        ({"risks": [{"id": "R", "activities": ["Q"], "probability": 0.5}]}, "unknown activity 'Q'"),
        ({"risks": [{"id": "R", "activities": ["B"], "probability": 0.5,
                     "duration": {"type": "pert", "min": 1}}]}, "risks[0].duration.mode: required"),
        ({"correlations": [{"activities": ["B", "C"], "coefficient": 1.5}]},
         "correlations[0]: Correlation coefficient"),
    ],
)  # fmt: skip
def test_bad_risks_fail_with_the_json_path(
    tmp_path: Path, extra: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, {**PLAN, **extra})
    result = CliRunner().invoke(app, ["simulate", str(path), "-n", "10"])
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
