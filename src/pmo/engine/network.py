"""The project network: validated, frozen activities, links, constraints and resources.

Times are integers in working-time units (minutes, hours or days: the engine does not care)
counted from the project start; `pmo.engine.calendar` converts them to datetimes at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import (
    DuplicateActivityError,
    InvalidActivityError,
    InvalidConstraintError,
    InvalidLinkError,
    NegativeDurationError,
    UnknownActivityError,
)

__all__ = [
    "Activity",
    "CompiledNetwork",
    "Constraint",
    "ConstraintType",
    "Link",
    "LinkType",
    "Network",
    "Resource",
]

IntArray = npt.NDArray[np.int64]

#: Stands for "no bound" in the compiled integer arrays.
NO_BOUND = 2**62


class LinkType(StrEnum):
    """How the successor's start or finish depends on the predecessor's start or finish."""

    FS = "FS"  #: finish-to-start: successor starts after the predecessor finishes (+ lag)
    SS = "SS"  #: start-to-start
    FF = "FF"  #: finish-to-finish
    SF = "SF"  #: start-to-finish


class ConstraintType(StrEnum):
    """Date constraints, with the abbreviations MS Project and Primavera users know."""

    ASAP = "ASAP"  #: as soon as possible (the default)
    ALAP = "ALAP"  #: as late as possible without delaying a successor
    SNET = "SNET"  #: start no earlier than
    SNLT = "SNLT"  #: start no later than
    FNET = "FNET"  #: finish no earlier than
    FNLT = "FNLT"  #: finish no later than
    MSO = "MSO"  #: must start on
    MFO = "MFO"  #: must finish on


#: Integer codes used in the compiled arrays (order matters for nothing but readability).
LINK_CODES = {LinkType.FS: 0, LinkType.SS: 1, LinkType.FF: 2, LinkType.SF: 3}
CONSTRAINT_CODES = {t: i for i, t in enumerate(ConstraintType)}
_DATED = frozenset(ConstraintType) - {ConstraintType.ASAP, ConstraintType.ALAP}


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidActivityError(f"{what} must be a non-empty string, not {value!r}")
    return value


def _check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidActivityError(f"{what} must be an integer, not {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A date constraint on an activity; ``offset`` is in working-time units from time 0.

    Examples
    --------
    >>> Constraint(ConstraintType.SNET, 10)
    Constraint(type=<ConstraintType.SNET: 'SNET'>, offset=10)
    >>> Constraint("MSO")
    Traceback (most recent call last):
    ...
    pmo.engine.errors.InvalidConstraintError: Constraint MSO needs an offset
    """

    type: ConstraintType = ConstraintType.ASAP
    offset: int | None = None

    def __post_init__(self) -> None:
        try:
            kind = ConstraintType(self.type)
        except ValueError:
            allowed = ", ".join(ConstraintType)
            raise InvalidConstraintError(
                f"Unknown constraint type {self.type!r} (expected one of {allowed})"
            ) from None
        object.__setattr__(self, "type", kind)
        if kind in _DATED:
            if self.offset is None:
                raise InvalidConstraintError(f"Constraint {kind} needs an offset")
            object.__setattr__(self, "offset", _check_int(self.offset, f"Constraint {kind} offset"))
        elif self.offset is not None:
            raise InvalidConstraintError(f"Constraint {kind} takes no offset")


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity (task) of the network.

    Parameters
    ----------
    id : str
        Unique id.
    duration : int
        Working-time units, ``0`` for a milestone. Ignored for a summary activity (one that
        some other activity names as its ``parent``): its dates roll up from its children.
    name : str
        Display name.
    constraint : Constraint
        Date constraint, as soon as possible by default.
    deadline : int or None
        Offset by which the activity should finish; a late deadline gives negative float but
        does not move the activity (MS Project semantics).
    parent : str or None
        Id of the WBS parent (summary activity).
    calendar : str or None
        Name of the activity's calendar; kept for the calendar conversion at the edges.
    demands : mapping of str to float
        Units of each resource the activity needs while it runs.

    Examples
    --------
    >>> Activity("A", 5, name="Design")
    Activity(id='A', duration=5, name='Design', constraint=None, deadline=None, parent=None, calendar=None, demands={})
    >>> Activity("B", -3)
    Traceback (most recent call last):
    ...
    pmo.engine.errors.NegativeDurationError: Activity 'B' has a negative duration (-3)
    """  # noqa: E501

    id: str
    duration: int
    name: str = ""
    constraint: Constraint | None = None
    deadline: int | None = None
    parent: str | None = None
    calendar: str | None = None
    demands: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_id(self.id, "Activity id")
        duration = _check_int(self.duration, f"Activity {self.id!r} duration")
        if duration < 0:
            raise NegativeDurationError(self.id, duration)
        object.__setattr__(self, "duration", duration)
        if self.constraint is not None and self.constraint.type is ConstraintType.ASAP:
            object.__setattr__(self, "constraint", None)  # one spelling of "no constraint"
        if self.deadline is not None:
            object.__setattr__(
                self, "deadline", _check_int(self.deadline, f"Activity {self.id!r} deadline")
            )
        for resource, units in self.demands.items():
            if not isinstance(units, int | float) or units < 0:
                raise InvalidActivityError(
                    f"Activity {self.id!r} demands {units!r} units of {resource!r}; "
                    "expected a number >= 0"
                )


@dataclass(frozen=True, slots=True)
class Link:
    """A precedence link between two activities.

    ``lag`` is in working-time units and may be negative (a lead). ``lag_percent`` instead
    expresses the lag as a percentage of the predecessor's duration (MS Project's ``50%``),
    rounded half away from zero to whole units.

    Examples
    --------
    >>> Link("A", "B", LinkType.SS, lag=2)
    Link(predecessor='A', successor='B', type=<LinkType.SS: 'SS'>, lag=2, lag_percent=None)
    >>> Link("A", "B", lag_percent=50).lag_for(9)
    5
    """

    predecessor: str
    successor: str
    type: LinkType = LinkType.FS
    lag: int = 0
    lag_percent: float | None = None

    def __post_init__(self) -> None:
        _check_id(self.predecessor, "Link predecessor")
        _check_id(self.successor, "Link successor")
        try:
            object.__setattr__(self, "type", LinkType(self.type))
        except ValueError:
            raise InvalidLinkError(
                f"Unknown link type {self.type!r} in link from {self.predecessor!r} to "
                f"{self.successor!r} (expected FS, SS, FF or SF)"
            ) from None
        if isinstance(self.lag, bool) or not isinstance(self.lag, int | np.integer):
            raise InvalidLinkError(
                f"Lag of link from {self.predecessor!r} to {self.successor!r} must be an "
                f"integer, not {self.lag!r}"
            )
        object.__setattr__(self, "lag", int(self.lag))
        if self.lag_percent is not None:
            if self.lag:
                raise InvalidLinkError(
                    f"Link from {self.predecessor!r} to {self.successor!r} has both a lag and "
                    "a percentage lag"
                )
            if not math.isfinite(self.lag_percent):
                raise InvalidLinkError(
                    f"Percentage lag of link from {self.predecessor!r} to {self.successor!r} "
                    f"must be finite, not {self.lag_percent!r}"
                )

    def lag_for(self, predecessor_duration: int) -> int:
        """The lag in units, given the predecessor's duration (for percentage lags)."""
        if self.lag_percent is None:
            return self.lag
        exact = self.lag_percent * predecessor_duration / 100.0
        return int(math.copysign(math.floor(abs(exact) + 0.5), exact))


@dataclass(frozen=True, slots=True)
class Resource:
    """A renewable resource with a capacity in units per time unit."""

    id: str
    capacity: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        _check_id(self.id, "Resource id")
        if not isinstance(self.capacity, int | float) or self.capacity < 0:
            raise InvalidActivityError(
                f"Resource {self.id!r} has capacity {self.capacity!r}; expected a number >= 0"
            )


@dataclass(frozen=True)
class Network:
    """A validated project network: the engine's one input.

    Parameters
    ----------
    activities, links, resources : iterables
        Stored as tuples.
    start : int
        Project start offset; no activity starts earlier unless a *must start/finish on*
        constraint says so.
    finish : int or None
        A target finish. For a forward-scheduled project the backward pass starts from it
        (late projects show negative float); for a backward-scheduled one it is required.
    schedule_from : {"start", "finish"}
        ``"finish"`` schedules the project backward from ``finish`` (MS Project's
        "schedule from project finish date"); the start becomes the earliest late start.

    Raises
    ------
    DuplicateActivityError, UnknownActivityError, InvalidLinkError
        With a message naming the offending activity. Cycles are found by `schedule`.

    Examples
    --------
    >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
    >>> len(net.activities), net.links[0].type
    (2, <LinkType.FS: 'FS'>)
    >>> Network([Activity("A", 3)], [Link("A", "X")])
    Traceback (most recent call last):
    ...
    pmo.engine.errors.UnknownActivityError: Unknown activity 'X' in link from 'A'
    """

    activities: Sequence[Activity]
    links: Sequence[Link] = ()
    resources: Sequence[Resource] = ()
    start: int = 0
    finish: int | None = None
    schedule_from: Literal["start", "finish"] = "start"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", tuple(self.activities))
        object.__setattr__(self, "links", tuple(self.links))
        object.__setattr__(self, "resources", tuple(self.resources))
        object.__setattr__(self, "start", _check_int(self.start, "Project start"))
        if self.finish is not None:
            object.__setattr__(self, "finish", _check_int(self.finish, "Project finish"))
        if self.schedule_from not in ("start", "finish"):
            raise InvalidConstraintError(
                f"schedule_from must be 'start' or 'finish', not {self.schedule_from!r}"
            )
        if self.schedule_from == "finish" and self.finish is None:
            raise InvalidConstraintError("A project scheduled from its finish needs a finish")
        index = self.index
        for activity in self.activities:
            if activity.parent is not None and activity.parent not in index:
                raise UnknownActivityError(
                    f"Unknown parent {activity.parent!r} of activity {activity.id!r}",
                    activity.parent,
                )
        for link in self.links:
            if link.predecessor not in index:
                raise UnknownActivityError(
                    f"Unknown activity {link.predecessor!r} in link to {link.successor!r}",
                    link.predecessor,
                )
            if link.successor not in index:
                raise UnknownActivityError(
                    f"Unknown activity {link.successor!r} in link from {link.predecessor!r}",
                    link.successor,
                )
        resource_ids: set[str] = set()
        for resource in self.resources:
            if resource.id in resource_ids:
                raise InvalidActivityError(f"Duplicate resource id {resource.id!r}")
            resource_ids.add(resource.id)

    @cached_property
    def index(self) -> dict[str, int]:
        """Position of each activity id in `activities`."""
        index: dict[str, int] = {}
        for position, activity in enumerate(self.activities):
            if activity.id in index:
                raise DuplicateActivityError(activity.id)
            index[activity.id] = position
        return index

    @cached_property
    def compiled(self) -> CompiledNetwork:
        """The network as integer arrays, built once and cached (see `CompiledNetwork`)."""
        return CompiledNetwork.build(self)

    @classmethod
    def from_records(
        cls,
        activities: Iterable[tuple[str, int]],
        links: Iterable[tuple[str, str, str, int]] = (),
        **kwargs: object,
    ) -> Network:
        """Build a network from ``(id, duration)`` and ``(from, to, type, lag)`` tuples.

        Examples
        --------
        >>> net = Network.from_records([("A", 2), ("B", 1)], [("A", "B", "SS", 1)])
        >>> net.links[0]
        Link(predecessor='A', successor='B', type=<LinkType.SS: 'SS'>, lag=1, lag_percent=None)
        """
        return cls(
            tuple(Activity(i, d) for i, d in activities),
            tuple(Link(p, s, LinkType(t), lag) for p, s, t, lag in links),
            **kwargs,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """The network over its *leaf* activities as integer arrays for the compiled passes.

    Summary activities are taken out: a link into a summary's start binds every leaf below it,
    a link out of a summary's finish leaves from every leaf below it. Outgoing links are in
    CSR form: the links of leaf ``i`` are ``out_ptr[i]:out_ptr[i + 1]``.
    """

    leaves: IntArray  #: activity positions of the leaves, in network order
    duration: IntArray
    out_ptr: IntArray
    out_succ: IntArray
    out_type: IntArray
    out_lag: IntArray
    constraint: IntArray  #: ConstraintType codes
    constraint_offset: IntArray
    deadline: IntArray  #: NO_BOUND where there is none
    summaries: tuple[tuple[int, IntArray], ...]  #: (activity position, leaf rows below it)

    @classmethod
    def build(cls, network: Network) -> CompiledNetwork:
        activities = network.activities
        index = network.index
        n = len(activities)
        children: dict[int, list[int]] = {}
        for position, activity in enumerate(activities):
            if activity.parent is not None:
                children.setdefault(index[activity.parent], []).append(position)
        is_leaf = np.ones(n, dtype=bool)
        is_leaf[list(children)] = False
        leaves = np.flatnonzero(is_leaf).astype(np.int64)
        row = np.full(n, -1, dtype=np.int64)
        row[leaves] = np.arange(len(leaves), dtype=np.int64)
        below = _leaves_below(children, is_leaf, activities)

        duration = np.fromiter(
            (activities[i].duration for i in leaves.tolist()), dtype=np.int64, count=len(leaves)
        )
        constraint = np.zeros(len(leaves), dtype=np.int64)
        constraint_offset = np.zeros(len(leaves), dtype=np.int64)
        deadline = np.full(len(leaves), NO_BOUND, dtype=np.int64)
        for r, position in enumerate(leaves.tolist()):
            activity = activities[position]
            if activity.constraint is not None:
                constraint[r] = CONSTRAINT_CODES[activity.constraint.type]
                constraint_offset[r] = activity.constraint.offset or 0
            if activity.deadline is not None:
                deadline[r] = activity.deadline
        for position in children:
            summary = activities[position]
            kind = summary.constraint.type if summary.constraint else ConstraintType.ASAP
            if kind is not ConstraintType.ASAP:
                raise InvalidConstraintError(
                    f"Summary activity {summary.id!r} cannot have a {kind} constraint; "
                    "constrain its children"
                )

        if not children:
            pred, succ, types, lags = _leaf_links(network)
        else:
            pred, succ, types, lags = _expanded_links(network, is_leaf, row, below)
        order = np.argsort(pred, kind="stable")
        out_ptr = np.zeros(len(leaves) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pred, minlength=len(leaves)), out=out_ptr[1:])
        summaries = tuple(
            (position, row[np.asarray(below[position], dtype=np.int64)]) for position in children
        )
        return cls(
            leaves=leaves,
            duration=duration,
            out_ptr=out_ptr,
            out_succ=succ[order],
            out_type=types[order],
            out_lag=lags[order],
            constraint=constraint,
            constraint_offset=constraint_offset,
            deadline=deadline,
            summaries=summaries,
        )


_Links = tuple[IntArray, IntArray, IntArray, IntArray]


def _leaf_links(network: Network) -> _Links:
    """Links as arrays when there is no summary: one pass per column, no per-link branching."""
    index = network.index
    links = network.links
    m = len(links)
    pred = np.fromiter((index[k.predecessor] for k in links), dtype=np.int64, count=m)
    succ = np.fromiter((index[k.successor] for k in links), dtype=np.int64, count=m)
    types = np.fromiter((LINK_CODES[k.type] for k in links), dtype=np.int64, count=m)
    lags = np.fromiter((k.lag for k in links), dtype=np.int64, count=m)
    for position, k in enumerate(links):
        if k.lag_percent is not None:
            lags[position] = k.lag_for(network.activities[int(pred[position])].duration)
    return pred, succ, types, lags


def _expanded_links(
    network: Network, is_leaf: npt.NDArray[np.bool_], row: IntArray, below: dict[int, list[int]]
) -> _Links:
    """Links between leaves, with each link on a summary expanded to the leaves below it."""
    activities = network.activities
    index = network.index
    preds: list[int] = []
    succs: list[int] = []
    types: list[int] = []
    lags: list[int] = []
    for link in network.links:
        p = index[link.predecessor]
        s = index[link.successor]
        code = LINK_CODES[link.type]
        if is_leaf[p] and is_leaf[s]:
            preds.append(int(row[p]))
            succs.append(int(row[s]))
            types.append(code)
            lags.append(link.lag_for(activities[p].duration))
            continue
        if not is_leaf[s] and link.type in (LinkType.FF, LinkType.SF):
            raise InvalidLinkError(
                f"Link from {link.predecessor!r} to summary activity {link.successor!r} "
                f"is {link.type}; only FS and SS links may end on a summary"
            )
        if not is_leaf[p] and link.type in (LinkType.SS, LinkType.SF):
            raise InvalidLinkError(
                f"Link from summary activity {link.predecessor!r} to {link.successor!r} "
                f"is {link.type}; only FS and FF links may start from a summary"
            )
        for lp in below[p] if not is_leaf[p] else [p]:
            for ls in below[s] if not is_leaf[s] else [s]:
                preds.append(int(row[lp]))
                succs.append(int(row[ls]))
                types.append(code)
                lags.append(link.lag_for(activities[lp].duration))
    return (
        np.asarray(preds, dtype=np.int64),
        np.asarray(succs, dtype=np.int64),
        np.asarray(types, dtype=np.int64),
        np.asarray(lags, dtype=np.int64),
    )


def _leaves_below(
    children: dict[int, list[int]], is_leaf: npt.NDArray[np.bool_], activities: Sequence[Activity]
) -> dict[int, list[int]]:
    """Leaf positions below each summary; a WBS loop is refused as a cycle."""
    from pmo.engine.errors import CycleError

    below: dict[int, list[int]] = {}

    def collect(position: int, trail: list[int]) -> list[int]:
        if position in below:
            return below[position]
        if position in trail:
            loop = trail[trail.index(position) :] + [position]
            raise CycleError([activities[p].id for p in loop])
        leaves: list[int] = []
        for child in children[position]:
            leaves.extend([child] if is_leaf[child] else collect(child, [*trail, position]))
        below[position] = leaves
        return leaves

    for position in children:
        collect(position, [])
    return below
