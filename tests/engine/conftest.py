"""Engine test fixtures: the JIT is paid once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels() -> None:
    """Pay the JIT once for the whole test session."""
    from pmo.engine.cpm import warm_up

    warm_up()
