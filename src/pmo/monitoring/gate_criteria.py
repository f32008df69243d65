"""Gate criteria whose data is status reporting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmo.governance.criteria import Outcome, automatic_criterion

from .selectors import late_reports


@automatic_criterion(
    "no_status_report_overdue",
    "No status report overdue",
    "Every status report that fell due under the reporting cadence has been submitted.",
)
def no_status_report_overdue(project: Any, params: Mapping[str, Any]) -> Outcome:
    late = late_reports([project]).get(project.pk, [])
    if late:
        days = ", ".join(f"{r.due_date:%d %b %Y}" for r in late[:3])
        more = f" and {len(late) - 3} more" if len(late) > 3 else ""
        return Outcome(False, f"{len(late)} status report(s) overdue: due {days}{more}.")
    return Outcome(True, "No status report is overdue.")
