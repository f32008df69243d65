"""Resource levelling: the shortest schedule that keeps every link and resource capacity.

`level` is the door: a serial schedule generation heuristic answers in milliseconds, then
CP-SAT, a compiled genetic search and CP-SAT again improve it for the rest of the time
limit. `level_serial` is one pass of a single priority rule (what desktop tools do);
`violations` checks any schedule independently.

Examples
--------
>>> from pmo.engine import Activity, Network, Resource
>>> from pmo.engine.leveling import level, violations
>>> net = Network([Activity("A", 2, demands={"R": 1}), Activity("B", 3, demands={"R": 1})],
...               resources=[Resource("R", 1)])
>>> result = level(net, time_limit=2)
>>> result.finish, result.status, violations(net, dict(zip(result.ids, result.starts.tolist())))
(5, 'optimal', [])
"""

from pmo.engine.leveling.check import violations
from pmo.engine.leveling.level import LevelResult, Mode, Status, level, level_serial
from pmo.engine.leveling.problem import FixedLoads, LevelingError, LevelProblem, Priorities

__all__ = [
    "FixedLoads",
    "LevelProblem",
    "LevelResult",
    "LevelingError",
    "Mode",
    "Priorities",
    "Status",
    "level",
    "level_serial",
    "violations",
]
