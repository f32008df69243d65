"""The JSON portfolio format of ``pmo select`` (schema: docs/engine/portfolio.schema.json).

A document is ``{"periods", "budget", "capacity", "candidates"}`` and optionally ``"load"``
(running projects' demand per role and period) and ``"name"``. Each candidate is ``{"id",
"value", "cost", "demand", "mandatory", "requires", "excludes", "start_window"}``; only
``id`` and ``value`` are required. Unknown keys are refused so a misspelt ``"mandatroy"``
cannot silently drop a constraint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pmo.engine.errors import EngineError
from pmo.engine.selection import (
    Candidate,
    Portfolio,
    efficient_frontier,
    select,
)
from pmo.interop.errors import InteropError

__all__ = ["parse_portfolio", "portfolio_from_dict", "read_portfolio", "select_document"]

_TOP = ("periods", "budget", "capacity", "candidates", "load", "name", "$schema")
_CANDIDATE = (
    "id",
    "value",
    "cost",
    "demand",
    "mandatory",
    "requires",
    "excludes",
    "start_window",
    "title",
)


class _Bad(Exception):
    """A value at a JSON path is wrong; turned into an InteropError with the path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


def read_portfolio(path: str | Path) -> Portfolio:
    """Read a JSON portfolio file.

    Examples
    --------
    >>> read_portfolio("/nonexistent/p.json")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: /nonexistent/p.json: No such file or directory
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InteropError(
            str(getattr(error, "strerror", None) or error), source=str(path)
        ) from None
    return parse_portfolio(text, source=str(path))


def parse_portfolio(text: str, *, source: str = "<input>") -> Portfolio:
    """Parse a JSON portfolio document.

    Examples
    --------
    >>> p = parse_portfolio('''{"periods": 2, "budget": [10, 10], "capacity": {"dev": [5, 5]},
    ...   "candidates": [{"id": "A", "value": 3, "cost": [4], "demand": {"dev": [2]},
    ...                   "start_window": [0, 1]}]}''')
    >>> p.candidates[0].starts(p.periods)
    range(0, 2)
    >>> parse_portfolio('{"periods": 1, "budget": [1], "candidates": [{"id": "A"}]}', source="p")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p: candidates[0].value: required
    >>> parse_portfolio('{"periods": 1,}', source="p.json")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.json:1:15: not valid JSON: Expecting property name ...
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InteropError(
            f"not valid JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
        ) from None
    return portfolio_from_dict(document, source=source)


def portfolio_from_dict(document: Any, *, source: str = "<input>") -> Portfolio:
    """A portfolio from an already decoded document (what the app stores for a scenario)."""
    try:
        return _portfolio(document)
    except _Bad as error:
        raise InteropError(str(error), source=source) from None
    except EngineError as error:
        raise InteropError(str(error), source=source) from None


def select_document(
    document: Any,
    *,
    time_limit: float = 10.0,
    threads: int = 1,
    frontier: Sequence[float] = (),
    frontier_time_limit: float = 2.0,
    source: str = "<input>",
) -> dict[str, Any]:
    """Solve a decoded portfolio document: the ``pmo select --json`` answer, plus
    ``"frontier": [{"scale", "budget", "value", "status"}]`` for the budget ``frontier`` scales.

    Examples
    --------
    >>> out = select_document({"periods": 1, "budget": [10], "capacity": {}, "candidates": [
    ...     {"id": "A", "value": 6, "cost": [6]}, {"id": "B", "value": 5, "cost": [5]},
    ...     {"id": "C", "value": 5, "cost": [5]}]}, frontier=[0.5, 1.0])
    >>> out["status"], out["objective"], out["selected"], out["greedy"]["objective"]
    ('optimal', 10.0, [{'id': 'B', 'start': 0}, {'id': 'C', 'start': 0}], 6.0)
    >>> [(f["budget"], f["value"]) for f in out["frontier"]]
    [(5.0, 5.0), (10.0, 10.0)]
    """
    portfolio = portfolio_from_dict(document, source=source)
    out = select(portfolio, time_limit=time_limit, threads=threads).to_json()
    if frontier:
        out["frontier"] = [
            {
                "scale": point.scale,
                "budget": round(point.budget, 6),
                "value": point.value,
                "status": point.status,
            }
            for point in efficient_frontier(
                portfolio, frontier, time_limit=frontier_time_limit, threads=threads
            )
        ]
    return out


def _kind(value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _Bad(path, f"expected {names}, got {json.dumps(value)}")
    return value


def _get(
    obj: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    where = f"{path}.{key}".lstrip(".")
    if key not in obj:
        if default is ...:
            raise _Bad(where, "required")
        return default
    return _kind(obj[key], where, kind)


def _keys(obj: Mapping[str, Any], path: str, allowed: Sequence[str]) -> None:
    for key in obj:
        if key not in allowed:
            raise _Bad(path or "(document)", f"unknown key {key!r} (expected {', '.join(allowed)})")


def _numbers(value: Any, path: str) -> list[float]:
    _kind(value, path, list)
    out = []
    for k, item in enumerate(value):
        number = _kind(item, f"{path}[{k}]", (int, float))
        if number < 0:
            raise _Bad(f"{path}[{k}]", f"must be >= 0, got {json.dumps(number)}")
        out.append(float(number))
    return out


def _table(value: Any, path: str, periods: int | None) -> dict[str, list[float]]:
    _kind(value, path, dict)
    table = {}
    for role, series in value.items():
        where = f"{path}.{role}"
        numbers = _numbers(series, where)
        if periods is not None and len(numbers) != periods:
            raise _Bad(where, f"has {len(numbers)} values; expected one per period ({periods})")
        table[role] = numbers
    return table


def _ids(value: Any, path: str) -> list[str]:
    _kind(value, path, list)
    return [_kind(item, f"{path}[{k}]", str) for k, item in enumerate(value)]


def _portfolio(document: Any) -> Portfolio:
    if not isinstance(document, dict):
        raise _Bad("(document)", "expected an object with 'periods', 'budget' and 'candidates'")
    _keys(document, "", _TOP)
    periods = _get(document, "periods", "", int)
    if periods < 1:
        raise _Bad("periods", f"must be >= 1, got {periods}")
    budget = _numbers(_get(document, "budget", "", list), "budget")
    if len(budget) != periods:
        raise _Bad("budget", f"has {len(budget)} values; expected one per period ({periods})")
    capacity = _table(_get(document, "capacity", "", dict, {}), "capacity", periods)
    load = _table(_get(document, "load", "", dict, {}), "load", periods)
    for role in load:
        if role not in capacity:
            raise _Bad(f"load.{role}", "role has no capacity")
    candidates = []
    seen: dict[str, int] = {}
    for k, item in enumerate(_get(document, "candidates", "", list)):
        where = f"candidates[{k}]"
        _kind(item, where, dict)
        _keys(item, where, _CANDIDATE)
        cid = _get(item, "id", where, str)
        if not cid:
            raise _Bad(f"{where}.id", "must not be empty")
        if cid in seen:
            raise _Bad(f"{where}.id", f"{cid!r} is also candidates[{seen[cid]}]")
        seen[cid] = k
        demand = _table(_get(item, "demand", where, dict, {}), f"{where}.demand", None)
        for role in demand:
            if role not in capacity:
                raise _Bad(f"{where}.demand.{role}", "role has no capacity")
        window = _get(item, "start_window", where, (list, type(None)), None)
        if window is not None:
            if len(window) != 2 or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in window
            ):
                raise _Bad(f"{where}.start_window", "expected [earliest, latest] periods")
            if not 0 <= window[0] <= window[1]:
                raise _Bad(f"{where}.start_window", f"needs 0 <= earliest <= latest, got {window}")
        candidates.append(
            Candidate(
                cid,
                float(_get(item, "value", where, (int, float))),
                cost=_numbers(_get(item, "cost", where, list, []), f"{where}.cost"),
                demand=demand,
                mandatory=_get(item, "mandatory", where, bool, False),
                requires=_ids(_get(item, "requires", where, list, []), f"{where}.requires"),
                excludes=_ids(_get(item, "excludes", where, list, []), f"{where}.excludes"),
                start_window=None if window is None else (window[0], window[1]),
            )
        )
    for k, c in enumerate(candidates):
        for name in ("requires", "excludes"):
            for j, other in enumerate(getattr(c, name)):
                if other not in seen:
                    raise _Bad(f"candidates[{k}].{name}[{j}]", f"no candidate {other!r}")
    return Portfolio(
        periods,
        budget,
        capacity,
        candidates,
        load,
    )
