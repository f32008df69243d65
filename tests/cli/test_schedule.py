"""`pmo schedule` on files: text, JSON, timings and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmo.cli.main import app

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLAN = {
    "activities": [
        {"id": "A", "duration": 3},
        {"id": "B", "duration": 2},
        {"id": "C", "duration": 1},
    ],
    "links": [{"from": "A", "to": "B"}, {"from": "A", "to": "C", "type": "SS", "lag": 1}],
}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    return path


def test_schedule_prints_finish_duration_and_critical_path(plan_file: Path) -> None:
    result = CliRunner().invoke(app, ["schedule", str(plan_file)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Project finish: 5",
        "Duration: 5 units",
        "Critical path (2 activities): A -> B",
    ]


def test_schedule_json_has_the_per_activity_table(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["schedule", str(plan_file), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = json.loads(out.read_text())
    assert table["finish"] == 5
    assert table["activities"][2] == {
        "id": "C",
        "early_start": 1,
        "early_finish": 2,
        "late_start": 4,
        "late_finish": 5,
        "total_float": 3,
        "free_float": 3,
        "critical": False,
    }


def test_timings_go_to_standard_error(plan_file: Path) -> None:
    result = CliRunner().invoke(app, ["schedule", str(plan_file), "--timings", "--json"])
    assert result.exit_code == 0
    assert "read=" in result.stderr and "schedule=" in result.stderr
    json.loads(result.stdout)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"activities": [', "plan.json:1:17: not valid JSON: Expecting value"),
        (
            '{"activities": [{"id": "A", "duration": -1}]}',
            "Activity 'A' has a negative duration (-1)",
        ),
        (
            '{"activities": [{"id": "A", "duration": 1}], "links": [{"from": "A", "to": "A"}]}',
            "Cyclic network: A -> A",
        ),
    ],
)
def test_bad_file_exits_non_zero_with_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    result = CliRunner().invoke(app, ["schedule", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schedule", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "No such file or directory" in result.stderr


def test_schedule_on_activity_calendars_prints_dates(tmp_path: Path) -> None:
    plan = {
        "start": "2025-01-10T08:00:00",
        "calendar": {"unit": "hour"},
        "calendars": {"24/7": {"week": {d: [["00:00", "24:00"]] for d in DAYS}}},
        "activities": [
            {"id": "design", "duration": 4},
            {"id": "run", "duration": 30, "calendar": "24/7"},
            {"id": "report", "duration": 4},
        ],
        "links": [{"from": "design", "to": "run"}, {"from": "run", "to": "report", "lag": 3}],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = CliRunner().invoke(app, ["schedule", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Project finish: 2025-01-13T16:00:00",
        "Duration: 15 units",
        "Critical path (3 activities): design -> run -> report",
    ]
    result = CliRunner().invoke(app, ["schedule", str(path), "--json"])
    rows = {r["id"]: r for r in json.loads(result.output)["activities"]}
    assert rows["run"]["early_finish"] == "2025-01-11T18:00:00"
    assert rows["run"]["calendar"] == "24/7"
    assert rows["report"]["early_start"] == "2025-01-13T11:00:00"
