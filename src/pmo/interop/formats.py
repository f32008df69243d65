"""One door to every reader: `read_plan` picks the format from the name or the content."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pmo.interop.errors import InteropError
from pmo.interop.plan import PlanFile

__all__ = ["Format", "detect_format", "read_plan"]

Format = Literal["auto", "json", "mspdi", "psplib"]
_SUFFIXES = {".json": "json", ".sm": "psplib", ".xml": "mspdi", ".mspdi": "mspdi"}


def detect_format(path: str | Path) -> Literal["json", "mspdi", "psplib"]:
    """Format of a file from its suffix, else from its first bytes.

    Examples
    --------
    >>> detect_format("plan.sm")
    'psplib'
    """
    path = Path(path)
    if path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]  # type: ignore[return-value]
    try:
        with path.open("rb") as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as error:
        raise InteropError(error.strerror or str(error), source=str(path)) from None
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<"):
        return "mspdi"
    if b"PRECEDENCE RELATIONS" in head or head.startswith(b"*"):
        return "psplib"
    raise InteropError("cannot tell the format; pass --format", source=str(path))


def read_plan(path: str | Path, format: Format = "auto") -> PlanFile:
    """Read a plan in any supported format.

    Raises
    ------
    InteropError
        With one line naming the file (and the position when known).
    """
    kind = detect_format(path) if format == "auto" else format
    if kind == "json":
        from pmo.interop.json_network import read_json_network

        return read_json_network(path)
    if kind == "psplib":
        from pmo.interop.psplib import read_psplib

        return PlanFile(read_psplib(path).network, source=str(path))
    if kind == "mspdi":
        from pmo.interop.mspdi import read_mspdi

        return read_mspdi(path).plan
    raise InteropError(f"unknown format {kind!r}", source=str(path))
