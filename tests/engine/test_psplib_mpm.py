"""The critical-path length equals PSPLIB's MPM-Time on every instance (skips without data)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmo.engine.cpm import schedule
from pmo.interop.psplib import read_psplib

PSPLIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "psplib"

pytestmark = pytest.mark.skipif(not PSPLIB.is_dir(), reason="PSPLIB data folder is absent")


@pytest.mark.parametrize("family", ["j30", "j60", "j120"])
def test_critical_path_length_equals_mpm_time(family: str) -> None:
    bounds = {}
    with (PSPLIB / "bounds.csv").open() as f:
        for row in csv.DictReader(f):
            bounds[row["instance"]] = int(row["cpm_lower_bound"])
    files = sorted((PSPLIB / family).glob("*.sm"))
    assert files
    for path in files:
        instance = read_psplib(path)
        result = schedule(instance.network)
        assert result.duration == instance.mpm_time, path.name
        assert result.duration == bounds[path.stem], path.name
        assert result.critical_path[0] == "1"
        assert result.critical_path[-1] == instance.network.activities[-1].id
