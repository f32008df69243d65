"""Levelling on PSPLIB j30 instances reaches the known optima (skips without the data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmo.engine.leveling import level, level_serial, violations
from pmo.interop.psplib import read_psplib

PSPLIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "psplib"

pytestmark = pytest.mark.skipif(not PSPLIB.is_dir(), reason="PSPLIB data folder is absent")

#: A mix of easy instances and ones the heuristic alone does not solve.
INSTANCES = ["j301_1", "j3021_1", "j3025_8", "j3045_4", "j305_2"]


def _optimum(name: str) -> int:
    with (PSPLIB / "bounds.csv").open() as f:
        for row in csv.DictReader(f):
            if row["instance"] == name:
                assert row["optimal"] == "1"
                return int(row["best_known_makespan"])
    raise LookupError(name)


@pytest.mark.parametrize("name", INSTANCES)
def test_j30_instances_are_solved_to_their_known_optimum(name: str) -> None:
    network = read_psplib(PSPLIB / "j30" / f"{name}.sm").network
    result = level(network, time_limit=10, threads=1)
    assert (result.finish, result.lower_bound, result.status) == (
        _optimum(name),
        _optimum(name),
        "optimal",
    )
    assert violations(network, dict(zip(result.ids, result.starts.tolist(), strict=True))) == []
    serial = level_serial(network)
    assert serial.finish >= result.finish
    assert violations(network, dict(zip(serial.ids, serial.starts.tolist(), strict=True))) == []
