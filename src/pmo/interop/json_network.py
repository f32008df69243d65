"""The project's own JSON network format (schema: docs/engine/network.schema.json).

Without ``"start"`` all times are plain integers counted from 0. With it, constraint and
deadline ``"date"`` values are converted to working-time offsets through ``"calendar"``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pmo.engine.calendar import Calendar, Period
from pmo.engine.errors import EngineError
from pmo.engine.network import Activity, Constraint, ConstraintType, Link, Network, Resource
from pmo.engine.risk import (
    ActivityCost,
    Correlation,
    Distribution,
    Impact,
    Lognormal,
    Pert,
    RiskEvent,
    RiskModel,
    RiskModelError,
    Triangular,
    Uniform,
)
from pmo.interop.errors import InteropError
from pmo.interop.plan import PlanFile

__all__ = [
    "network_to_json",
    "parse_json_network",
    "parse_json_risk",
    "read_json_network",
    "read_json_risk",
]

_UNITS = {"minute": 1, "hour": 60, "day": 480}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Bad(Exception):
    """A value at a JSON path is wrong; turned into an InteropError with the path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")


def read_json_network(path: str | Path) -> PlanFile:
    """Read a JSON network file.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    ...     _ = f.write('{"activities": [{"id": "A", "duration": 2}]}')
    >>> read_json_network(f.name).network.activities[0].duration
    2
    >>> os.unlink(f.name)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InteropError(
            str(getattr(error, "strerror", None) or error), source=str(path)
        ) from None
    return parse_json_network(text, source=str(path))


def read_json_risk(path: str | Path) -> tuple[PlanFile, RiskModel]:
    """Read a JSON network file with its activities' ``distribution`` and ``cost``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InteropError(
            str(getattr(error, "strerror", None) or error), source=str(path)
        ) from None
    return parse_json_risk(text, source=str(path))


def parse_json_risk(text: str, *, source: str = "<input>") -> tuple[PlanFile, RiskModel]:
    """Parse a JSON network and the risk model its activities carry.

    Examples
    --------
    >>> plan, model = parse_json_risk('''{"activities": [{"id": "A", "duration": 3,
    ...   "distribution": {"type": "pert", "min": 2, "mode": 3, "max": 7},
    ...   "cost": {"fixed": 100, "rate": 20}}]}''')
    >>> model.durations["A"], model.costs["A"].rate
    (Pert(min=2.0, mode=3.0, max=7.0), 20.0)
    >>> parse_json_risk('''{"activities": [{"id": "A", "duration": 3,
    ...   "distribution": {"type": "triangular", "min": 2, "max": 7}}]}''', source="p.json")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.json: activities[0].distribution.mode: required
    """
    durations: dict[str, Distribution] = {}
    costs: dict[str, ActivityCost] = {}
    plan = _parse(text, source, durations, costs)
    document = json.loads(text)  # valid: _parse read it
    try:
        events = [
            _risk_event(item, f"risks[{k}]")
            for k, item in enumerate(_get(document, "risks", "", list, []))
        ]
        correlations = [
            _correlation(item, f"correlations[{k}]")
            for k, item in enumerate(_get(document, "correlations", "", list, []))
        ]
    except _Bad as error:
        raise InteropError(str(error), source=source) from None
    return plan, RiskModel(
        durations=durations, costs=costs, events=events, correlations=correlations
    )


def _amount(obj: dict[str, Any], key: str, path: str) -> Distribution | float:
    """A number or a distribution object (a risk's duration or cost impact)."""
    value = _get(obj, key, path, (int, float, dict), 0)
    return _distribution(value, f"{path}.{key}") if isinstance(value, dict) else float(value)


def _impact(obj: Any, path: str) -> Impact:
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    try:
        return Impact(
            _get(obj, "probability", path, (int, float)),
            _amount(obj, "duration", path),
            _amount(obj, "cost", path),
        )
    except RiskModelError as error:
        raise _Bad(path, str(error)) from None


def _risk_event(obj: Any, path: str) -> RiskEvent:
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    ids = _get(obj, "activities", path, list)
    if not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
        raise _Bad(f"{path}.activities", "expected a list of activity ids")
    post = _impact(obj["post"], f"{path}.post") if "post" in obj else None
    try:
        return RiskEvent(
            str(_get(obj, "id", path, (str, int))),
            [str(i) for i in ids],
            _impact(obj, path),
            post,
            _get(obj, "response_cost", path, (int, float), 0),
        )
    except RiskModelError as error:
        raise _Bad(path, str(error)) from None


def _correlation(obj: Any, path: str) -> Correlation:
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    ids = _get(obj, "activities", path, list)
    if not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
        raise _Bad(f"{path}.activities", "expected a list of activity ids")
    try:
        return Correlation([str(i) for i in ids], _get(obj, "coefficient", path, (int, float)))
    except RiskModelError as error:
        raise _Bad(path, str(error)) from None


def parse_json_network(text: str, *, source: str = "<input>") -> PlanFile:
    """Parse a JSON network document.

    Examples
    --------
    >>> plan = parse_json_network('''{"activities": [{"id": "A", "duration": 3},
    ...   {"id": "B", "duration": 2, "constraint": {"type": "SNET", "offset": 5}}],
    ...   "links": [{"from": "A", "to": "B", "type": "SS", "lag": "50%"}]}''')
    >>> plan.network.links[0].lag_percent, plan.network.activities[1].constraint.offset
    (50.0, 5)
    >>> parse_json_network('{"activities": [{"id": "A"}]}', source="p.json")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.json: activities[0].duration: required
    >>> parse_json_network('{"activities": [}', source="p.json")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: p.json:1:17: not valid JSON: Expecting value
    """
    return _parse(text, source, {}, {})


def _parse(
    text: str,
    source: str,
    durations: dict[str, Distribution],
    costs: dict[str, ActivityCost],
) -> PlanFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InteropError(
            f"not valid JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
        ) from None
    try:
        return _plan(document, source, durations, costs)
    except _Bad as error:
        raise InteropError(str(error), source=source) from None
    except EngineError as error:
        raise InteropError(str(error), source=source) from None


def _get(
    obj: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = ...
) -> Any:
    if key not in obj:
        if default is ...:
            raise _Bad(f"{path}.{key}".lstrip("."), "required")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _Bad(f"{path}.{key}".lstrip("."), f"expected {names}, got {json.dumps(value)}")
    return value


def _datetime(text: str, path: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(path, f"not an ISO datetime: {text!r}") from None


def _clock(text: str, path: str) -> int:
    try:
        hours, minutes = text.split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError:
        raise _Bad(path, f"expected HH:MM, got {text!r}") from None
    return value


def _periods(items: Any, path: str) -> list[Period]:
    if not isinstance(items, list):
        raise _Bad(path, "expected a list of [from, to] pairs")
    periods = []
    for k, pair in enumerate(items):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise _Bad(f"{path}[{k}]", 'expected ["HH:MM", "HH:MM"]')
        periods.append((_clock(pair[0], f"{path}[{k}]"), _clock(pair[1], f"{path}[{k}]")))
    return periods


def _calendar(obj: Any, path: str) -> Calendar:
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    unit = obj.get("unit", "minute")
    if isinstance(unit, str):
        if unit not in _UNITS:
            raise _Bad(
                f"{path}.unit", f"expected one of {', '.join(_UNITS)} or minutes, got {unit!r}"
            )
        unit = _UNITS[unit]
    week_obj = _get(obj, "week", path, dict, {})
    week = [
        _periods(week_obj[day], f"{path}.week.{day}") if day in week_obj else None for day in _DAYS
    ]
    from pmo.engine.calendar import STANDARD_WEEK

    exceptions: dict[dt.date, list[Period]] = {}
    for k, item in enumerate(_get(obj, "exceptions", path, list, [])):
        where = f"{path}.exceptions[{k}]"
        if not isinstance(item, dict):
            raise _Bad(where, "expected an object")
        try:
            first = dt.date.fromisoformat(_get(item, "date", where, str))
            last = dt.date.fromisoformat(_get(item, "until", where, str, item["date"]))
        except ValueError as error:
            raise _Bad(where, str(error)) from None
        periods = _periods(_get(item, "periods", where, list, []), f"{where}.periods")
        while first <= last:
            exceptions[first] = periods
            first += dt.timedelta(days=1)
    return Calendar(
        week=[w if w is not None else STANDARD_WEEK[i] for i, w in enumerate(week)],
        exceptions=exceptions,
        unit=unit,
        name=_get(obj, "name", path, str, "Standard"),
    )


def _calendar_name(item: dict[str, Any], path: str, calendars: dict[str, Calendar]) -> str | None:
    name: str | None = _get(item, "calendar", path, str, None)
    if name is not None and name not in calendars:
        known = ", ".join(calendars) or "none"
        raise _Bad(f"{path}.calendar", f"no calendar {name!r} in 'calendars' ({known})")
    return name


_SHAPES = {
    "triangular": ("min", "mode", "max"),
    "pert": ("min", "mode", "max"),
    "uniform": ("min", "max"),
    "lognormal": ("mean", "sd"),
}


def _distribution(obj: Any, path: str) -> Distribution:
    """An activity's ``distribution`` object; every problem named with its JSON path."""
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    kind = _get(obj, "type", path, str)
    if kind.lower() not in _SHAPES:
        raise _Bad(f"{path}.type", f"expected one of {', '.join(_SHAPES)}, got {kind!r}")
    kind = kind.lower()
    values = [_get(obj, key, path, (int, float)) for key in _SHAPES[kind]]
    extra = sorted(set(obj) - {"type", *_SHAPES[kind]})
    if extra:
        raise _Bad(f"{path}.{extra[0]}", f"not a parameter of a {kind} distribution")
    try:
        if kind == "triangular":
            return Triangular(*values)
        if kind == "pert":
            return Pert(*values)
        if kind == "uniform":
            return Uniform(*values)
        return Lognormal(*values)
    except RiskModelError as error:
        raise _Bad(path, str(error)) from None


def _cost(obj: Any, path: str) -> ActivityCost:
    if not isinstance(obj, dict):
        raise _Bad(path, "expected an object")
    return ActivityCost(
        _get(obj, "fixed", path, (int, float), 0), _get(obj, "rate", path, (int, float), 0)
    )


def _plan(
    document: Any,
    source: str,
    durations: dict[str, Distribution] | None = None,
    costs: dict[str, ActivityCost] | None = None,
) -> PlanFile:
    durations = {} if durations is None else durations
    costs = {} if costs is None else costs
    if not isinstance(document, dict):
        raise _Bad("(document)", "expected an object with 'activities'")
    origin = None
    if "start" in document and isinstance(document["start"], str):
        origin = _datetime(document["start"], "start")
    calendar = _calendar(document["calendar"], "calendar") if "calendar" in document else None
    calendars = {
        name: _calendar(obj, f"calendars.{name}")
        for name, obj in _get(document, "calendars", "", dict, {}).items()
    }

    def offset(obj: dict[str, Any], path: str, edge: str) -> int | None:
        if "offset" in obj:
            return int(_get(obj, "offset", path, int))
        if "date" in obj:
            if origin is None:
                raise _Bad(f"{path}.date", "a date needs the project 'start'")
            moment = _datetime(_get(obj, "date", path, str), f"{path}.date")
            rounding = "floor" if edge == "start" else "ceil"
            return int((calendar or Calendar()).to_offset([moment], origin, rounding=rounding)[0])  # type: ignore[arg-type]
        return None

    activities = []
    for k, item in enumerate(_get(document, "activities", "", list)):
        path = f"activities[{k}]"
        if not isinstance(item, dict):
            raise _Bad(path, "expected an object")
        raw_id = _get(item, "id", path, (str, int))
        constraint = None
        if "constraint" in item:
            c = _get(item, "constraint", path, dict)
            kind = _get(c, "type", f"{path}.constraint", str)
            at = offset(
                c, f"{path}.constraint", "finish" if kind.startswith(("F", "MF")) else "start"
            )
            try:
                constraint = Constraint(ConstraintType(kind.upper()), at)
            except ValueError:
                raise _Bad(
                    f"{path}.constraint.type",
                    f"expected one of {', '.join(ConstraintType)}, got {kind!r}",
                ) from None
        deadline = None
        if "deadline" in item:
            d = item["deadline"]
            deadline = offset(
                {"offset": d} if isinstance(d, int) else {"date": d}, f"{path}.deadline", "finish"
            )
        demands = _get(item, "demands", path, dict, {})
        if "distribution" in item:
            dist = _distribution(item["distribution"], f"{path}.distribution")
            if dist.minimum < 0:
                raise _Bad(f"{path}.distribution", "allows a negative duration")
            durations[str(raw_id)] = dist
        if "cost" in item:
            costs[str(raw_id)] = _cost(item["cost"], f"{path}.cost")
        try:
            activities.append(
                Activity(
                    str(raw_id),
                    _get(item, "duration", path, int),
                    name=_get(item, "name", path, str, ""),
                    constraint=constraint,
                    deadline=deadline,
                    parent=None if item.get("parent") is None else str(item["parent"]),
                    calendar=_calendar_name(item, path, calendars),
                    demands={str(r): u for r, u in demands.items()},
                )
            )
        except EngineError as error:
            raise _Bad(path, str(error)) from None
    links = []
    for k, item in enumerate(_get(document, "links", "", list, [])):
        path = f"links[{k}]"
        if not isinstance(item, dict):
            raise _Bad(path, "expected an object")
        lag = _get(item, "lag", path, (int, str), 0)
        lag_percent = None
        if isinstance(lag, str):
            try:
                lag_percent, lag = float(lag.strip().removesuffix("%")), 0
            except ValueError:
                raise _Bad(
                    f"{path}.lag", f"expected an integer or a percentage, got {lag!r}"
                ) from None
        try:
            links.append(
                Link(
                    str(_get(item, "from", path, (str, int))),
                    str(_get(item, "to", path, (str, int))),
                    _get(item, "type", path, str, "FS").upper(),
                    lag,
                    lag_percent,
                )
            )
        except EngineError as error:
            raise _Bad(path, str(error)) from None
    resources = [
        Resource(
            str(_get(r, "id", f"resources[{k}]", (str, int))),
            _get(r, "capacity", f"resources[{k}]", (int, float), 1),
        )
        for k, r in enumerate(_get(document, "resources", "", list, []))
    ]
    finish = None
    if "finish" in document:
        finish = offset(
            {"offset": document["finish"]}
            if isinstance(document["finish"], int)
            else {"date": document["finish"]},
            "finish",
            "finish",
        )
    start = 0
    if isinstance(document.get("start"), int):
        start = document["start"]
    network = Network(
        activities,
        links,
        resources,
        start=start,
        finish=finish,
        schedule_from=_get(document, "schedule_from", "", str, "start"),
    )
    return PlanFile(
        network, origin, calendar, calendars, _get(document, "name", "", str, ""), source
    )


def network_to_json(network: Network, *, start: dt.datetime | None = None) -> dict[str, Any]:
    """A network as a JSON document (offsets, never dates), the inverse of the reader.

    Examples
    --------
    >>> net = Network([Activity("A", 2), Activity("B", 1)], [Link("A", "B", lag_percent=50)])
    >>> doc = network_to_json(net)
    >>> doc["links"]
    [{'from': 'A', 'to': 'B', 'type': 'FS', 'lag': '50%'}]
    >>> parse_json_network(json.dumps(doc)).network == net
    True
    """
    document: dict[str, Any] = {}
    if start is not None:
        document["start"] = start.isoformat()
    elif network.start:
        document["start"] = network.start
    if network.finish is not None:
        document["finish"] = network.finish
    if network.schedule_from != "start":
        document["schedule_from"] = network.schedule_from
    activities = []
    for a in network.activities:
        item: dict[str, Any] = {"id": a.id, "duration": a.duration}
        if a.name:
            item["name"] = a.name
        if a.constraint is not None:
            item["constraint"] = {"type": str(a.constraint.type)}
            if a.constraint.offset is not None:
                item["constraint"]["offset"] = a.constraint.offset
        if a.deadline is not None:
            item["deadline"] = a.deadline
        if a.parent is not None:
            item["parent"] = a.parent
        if a.calendar is not None:
            item["calendar"] = a.calendar
        if a.demands:
            item["demands"] = dict(a.demands)
        activities.append(item)
    document["activities"] = activities
    document["links"] = [
        {
            "from": k.predecessor,
            "to": k.successor,
            "type": str(k.type),
            "lag": k.lag if k.lag_percent is None else f"{k.lag_percent:g}%",
        }
        for k in network.links
    ]
    if network.resources:
        document["resources"] = [{"id": r.id, "capacity": r.capacity} for r in network.resources]
    return document
