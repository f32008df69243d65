"""Errors of the file readers: one line that names the file and, when known, the position."""

from __future__ import annotations

from pmo.engine.errors import EngineError

__all__ = ["InteropError"]


class InteropError(EngineError, ValueError):
    """A file could not be read as the format it claims to be.

    Examples
    --------
    >>> str(InteropError("expected a number", source="plan.sm", line=12))
    'plan.sm:12: expected a number'
    >>> str(InteropError("not JSON", source="plan.json", line=3, column=7))
    'plan.json:3:7: not JSON'
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = source or "<input>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        # One line, whatever the underlying parser said.
        super().__init__(f"{where}: {' '.join(message.split())}")
        self.source = source
        self.line = line
        self.column = column
