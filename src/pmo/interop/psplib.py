"""Read PSPLIB single-mode RCPSP instances (``.sm``) as engine networks.

Job numbers become activity ids (``"1"`` is the source, the last job the sink), the
successor lists become finish-to-start links without lag, and the renewable resources become
`Resource` objects ``R1``, ``R2``, ... with the demands on each activity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pmo.engine.errors import EngineError
from pmo.engine.network import Activity, Link, Network, Resource
from pmo.interop.errors import InteropError

__all__ = ["PsplibInstance", "parse_psplib", "read_psplib"]


@dataclass(frozen=True)
class PsplibInstance:
    """A PSPLIB instance: the network and the figures of its header."""

    network: Network
    horizon: int
    due_date: int
    mpm_time: int  #: the critical-path length the file states


def read_psplib(path: str | Path) -> PsplibInstance:
    """Read a PSPLIB ``.sm`` file.

    Examples
    --------
    >>> import tempfile, os
    >>> text = SAMPLE
    >>> with tempfile.NamedTemporaryFile("w", suffix=".sm", delete=False) as f:
    ...     _ = f.write(text)
    >>> instance = read_psplib(f.name)
    >>> os.unlink(f.name)
    >>> instance.mpm_time, [a.duration for a in instance.network.activities]
    (5, [0, 3, 2, 0])
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as error:
        raise InteropError(error.strerror or str(error), source=str(path)) from None
    return parse_psplib(text, source=str(path))


def parse_psplib(text: str, *, source: str = "<input>") -> PsplibInstance:
    """Parse the text of a PSPLIB ``.sm`` file.

    Examples
    --------
    >>> instance = parse_psplib(SAMPLE)
    >>> instance.network.links[0]
    Link(predecessor='1', successor='2', type=<LinkType.FS: 'FS'>, lag=0, lag_percent=None)
    >>> instance.network.resources[0]
    Resource(id='R1', capacity=4, name='')
    >>> parse_psplib("nothing here", source="x.sm")
    Traceback (most recent call last):
    ...
    pmo.interop.errors.InteropError: x.sm: not a PSPLIB .sm file: no 'PRECEDENCE RELATIONS' section
    """
    lines = text.splitlines()

    def find(title: str) -> int:
        for number, line in enumerate(lines):
            if line.strip().upper().startswith(title):
                return number
        raise InteropError(f"not a PSPLIB .sm file: no {title!r} section", source=source)

    def numbers(number: int) -> list[int]:
        try:
            return [int(token) for token in lines[number].split()]
        except ValueError:
            raise InteropError(
                f"expected whole numbers, found {lines[number].strip()!r}",
                source=source,
                line=number + 1,
            ) from None

    def table(first: int) -> list[tuple[int, list[int]]]:
        rows = []
        for number in range(first, len(lines)):
            if lines[number].startswith("*"):
                break
            if lines[number].strip():
                rows.append((number, numbers(number)))
        return rows

    header = {}
    for line in lines:
        match = re.match(r"\s*(horizon|jobs \(incl\. supersource/sink \))\s*:\s*(\d+)", line)
        if match:
            header[match.group(1).split()[0]] = int(match.group(2))
    precedence = find("PRECEDENCE RELATIONS")
    durations_at = find("REQUESTS/DURATIONS")
    availability_at = find("RESOURCEAVAILABILITIES")
    info_at = find("PROJECT INFORMATION")
    info = table(info_at + 2)
    if not info or len(info[0][1]) < 6:
        raise InteropError("malformed PROJECT INFORMATION row", source=source, line=info_at + 3)
    due_date, mpm_time = info[0][1][3], info[0][1][5]

    links: list[Link] = []
    for number, row in table(precedence + 2):
        if len(row) < 3 or len(row) != 3 + row[2]:
            raise InteropError(
                "a precedence row is 'job modes count successors...'",
                source=source,
                line=number + 1,
            )
        links.extend(Link(str(row[0]), str(successor)) for successor in row[3:])

    resource_line = availability_at + 1
    resource_names = re.findall(
        r"([A-Z])\s*(\d+)", lines[resource_line] if resource_line < len(lines) else ""
    )
    capacities = numbers(availability_at + 2) if availability_at + 2 < len(lines) else []
    if len(capacities) != len(resource_names):
        raise InteropError(
            "resource availabilities do not match the resource names",
            source=source,
            line=availability_at + 3,
        )
    resources = [
        Resource(f"{kind}{index}", capacity)
        for (kind, index), capacity in zip(resource_names, capacities, strict=True)
    ]
    activities: list[Activity] = []
    for number, row in table(durations_at + 3):
        if len(row) != 3 + len(resources):
            raise InteropError(
                f"expected job, mode, duration and {len(resources)} demands",
                source=source,
                line=number + 1,
            )
        demands = {r.id: units for r, units in zip(resources, row[3:], strict=True) if units}
        try:
            activities.append(Activity(str(row[0]), row[2], demands=demands))
        except EngineError as error:
            raise InteropError(str(error), source=source, line=number + 1) from None
    try:
        network = Network(activities, links, resources)
    except EngineError as error:
        raise InteropError(str(error), source=source) from None
    return PsplibInstance(network, header.get("horizon", 0), due_date, mpm_time)


SAMPLE = """\
************************************************************************
jobs (incl. supersource/sink ):  4
horizon                       :  5
RESOURCES
  - renewable                 :  1   R
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      2      0        6        1        5
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          1           2
   2        1          1           3
   3        1          1           4
   4        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       4
  4      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    4
************************************************************************
"""
