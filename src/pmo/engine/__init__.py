"""The scheduling engine: pure Python and numpy, no Django, no database, no I/O.

Build a `Network` of activities and links, call `schedule`, read the `ScheduleResult`;
`schedule_calendars` schedules each activity on its own working `Calendar` instead.

Examples
--------
>>> from pmo.engine import Activity, Link, Network, schedule
>>> result = schedule(Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")]))
>>> result.finish, result.critical_path
(5, ('A', 'B'))
"""

from pmo.engine.calendar import Calendar
from pmo.engine.calendar_cpm import CalendarScheduleResult, schedule_calendars
from pmo.engine.cpm import (
    COLUMNS,
    ScheduleResult,
    backward_pass,
    critical_path,
    forward_pass,
    schedule,
    total_float,
    warm_up,
)
from pmo.engine.errors import (
    CalendarError,
    CycleError,
    DuplicateActivityError,
    EngineError,
    InvalidActivityError,
    InvalidConstraintError,
    InvalidLinkError,
    NegativeDurationError,
    UnknownActivityError,
)
from pmo.engine.network import (
    Activity,
    Constraint,
    ConstraintType,
    Link,
    LinkType,
    Network,
    Resource,
)

__all__ = [
    "COLUMNS",
    "Activity",
    "Calendar",
    "CalendarError",
    "CalendarScheduleResult",
    "Constraint",
    "ConstraintType",
    "CycleError",
    "DuplicateActivityError",
    "EngineError",
    "InvalidActivityError",
    "InvalidConstraintError",
    "InvalidLinkError",
    "Link",
    "LinkType",
    "NegativeDurationError",
    "Network",
    "Resource",
    "ScheduleResult",
    "UnknownActivityError",
    "backward_pass",
    "critical_path",
    "forward_pass",
    "schedule",
    "schedule_calendars",
    "total_float",
    "warm_up",
]
