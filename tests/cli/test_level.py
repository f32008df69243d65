"""`pmo level` on files: text, JSON with the file's ids, within slack, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmo.cli.main import app

PLAN = {
    "activities": [
        {"id": "A", "duration": 3, "demands": {"crew": 2}},
        {"id": "B", "duration": 2, "demands": {"crew": 2}},
        {"id": "C", "duration": 2, "demands": {"crew": 1}},
    ],
    "links": [{"from": "A", "to": "C"}],
    "resources": [{"id": "crew", "capacity": 2}],
}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    return path


def test_level_prints_finish_bound_status_and_method(plan_file: Path) -> None:
    result = CliRunner().invoke(app, ["level", str(plan_file), "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["Project finish: 7", "Lower bound: 7", "Status: optimal"]
    assert lines[3].startswith("Method: ")


def test_level_json_has_the_promised_keys_and_the_files_ids(plan_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["level", str(plan_file), "--json", "--time-limit", "2", "--threads", "1"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert list(out) == ["finish", "lower_bound", "status", "activities"]
    assert out["finish"] == 7 and out["status"] == "optimal"
    assert [a["id"] for a in out["activities"]] == ["A", "B", "C"]
    assert set(out["activities"][0]) == {"id", "start", "finish"}


def test_level_within_slack_says_when_the_finish_would_move(plan_file: Path) -> None:
    result = CliRunner().invoke(app, ["level", str(plan_file), "--within-slack"])
    assert result.exit_code == 0, result.output
    assert "Status: infeasible" in result.output
    assert "No levelled schedule keeps the project finish at 5" in result.output


def test_level_reads_psplib(tmp_path: Path) -> None:
    from pmo.interop.psplib import SAMPLE

    path = tmp_path / "x.sm"
    path.write_text(SAMPLE)
    result = CliRunner().invoke(app, ["level", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["finish"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xls"], "pmo level: unknown format 'xls' (auto, json, mspdi or psplib)\n"),
        (["--threads", "0"], "pmo level: --time-limit must be >= 0 and --threads >= 1\n"),
    ],
)
def test_level_refuses_bad_options_in_one_line(
    plan_file: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["level", str(plan_file), *args])
    assert result.exit_code == 1
    assert result.stderr == message


def test_level_reports_an_overloaded_activity_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(
            {
                "activities": [{"id": "A", "duration": 1, "demands": {"crew": 3}}],
                "resources": [{"id": "crew", "capacity": 2}],
            }
        )
    )
    result = CliRunner().invoke(app, ["level", str(path)])
    assert result.exit_code == 1
    assert result.stderr == "pmo level: Activity 'A' needs 3 units of 'crew', which has only 2\n"
