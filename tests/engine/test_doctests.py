"""The Examples of the engine and interop docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pmo.engine
import pmo.interop

MODULES = sorted(
    name
    for package in (pmo.engine, pmo.interop)
    for name in [package.__name__]
    + [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert failures == 0
