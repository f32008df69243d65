"""The scheduling engine: pure Python and numpy, no Django, no database, no I/O.

Build a `Network` of activities and links, call `schedule`, read the `ScheduleResult`;
`schedule_calendars` schedules each activity on its own working `Calendar` instead; `level`
levels the resources (`pmo.engine.leveling`).
`capacity_forecast` sets the working hours of `Person` objects against `Demand` per `Periods`.

Examples
--------
>>> from pmo.engine import Activity, Link, Network, schedule
>>> result = schedule(Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")]))
>>> result.finish, result.critical_path
(5, ('A', 'B'))
"""

from pmo.engine.calendar import Calendar
from pmo.engine.calendar_cpm import CalendarScheduleResult, schedule_calendars
from pmo.engine.capacity import (
    CapacityError,
    CapacityResult,
    Demand,
    Periods,
    Person,
    capacity_forecast,
    scenario,
)
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
from pmo.engine.leveling import LevelingError, LevelResult, level, level_serial
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
    "CapacityError",
    "CapacityResult",
    "Constraint",
    "ConstraintType",
    "CycleError",
    "Demand",
    "DuplicateActivityError",
    "EngineError",
    "InvalidActivityError",
    "InvalidConstraintError",
    "InvalidLinkError",
    "LevelResult",
    "LevelingError",
    "Link",
    "LinkType",
    "NegativeDurationError",
    "Network",
    "Periods",
    "Person",
    "Resource",
    "ScheduleResult",
    "UnknownActivityError",
    "backward_pass",
    "capacity_forecast",
    "critical_path",
    "forward_pass",
    "level",
    "level_serial",
    "scenario",
    "schedule",
    "schedule_calendars",
    "total_float",
    "warm_up",
]
