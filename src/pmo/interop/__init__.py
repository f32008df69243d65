"""File formats: the project's JSON network, PSPLIB ``.sm`` and MS Project XML (MSPDI).

Pure: bytes and paths in, engine networks (in a `PlanFile`) out, and back. Every reader
error is an `InteropError`, one line naming the file and the position when known.
"""

from pmo.interop.errors import InteropError
from pmo.interop.formats import detect_format, read_plan
from pmo.interop.plan import PlanFile, result_table

__all__ = ["InteropError", "PlanFile", "detect_format", "read_plan", "result_table"]
