"""Monte Carlo schedule and cost risk analysis on a `Network`.

Each iteration samples every uncertain activity's duration, lets the risk events occur with
their probability, schedules the network forward (all four link types, lags, constraints, as
`pmo.engine.cpm` does) and backward from that iteration's finish. Out come the distributions
of the project finish and cost, the probability of meeting a target, the criticality index
(share of iterations in which an activity is critical) and the sensitivity (Spearman rank
correlation between an activity's duration and the finish, for a tornado chart).

Times are working-time units as in the CPM; durations are sampled as real numbers. Results
depend on the seed only: every random number is a hash (SplitMix64) of the seed's key, the
iteration and the stream (one per activity, three per risk event), computed in the compiled
kernel where it is needed, so neither the thread count nor memory changes them.

Examples
--------
>>> from pmo.engine.network import Activity, Link, Network
>>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])
>>> model = RiskModel(durations={"A": Triangular(2, 3, 6), "B": Uniform(1, 3)})
>>> result = simulate(net, model, iterations=2000, seed=7)
>>> round(result.finish.mean, 1), result.criticality["A"]
(5.7, 1.0)
>>> bool((result.finish_sample == simulate(net, model, 2000, seed=7).finish_sample).all())
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pmo.engine.errors import EngineError
from pmo.engine.network import CONSTRAINT_CODES, NO_BOUND, ConstraintType, Network

__all__ = [
    "BLOCK",
    "PERCENTILES",
    "ActivityCost",
    "Correlation",
    "Distribution",
    "Fixed",
    "Impact",
    "Lognormal",
    "Pert",
    "RiskEvent",
    "RiskModel",
    "RiskModelError",
    "SimulationResult",
    "Summary",
    "Triangular",
    "Uniform",
    "simulate",
    "simulate_durations",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Iterations per call of the compiled kernel (and per progress report).
BLOCK = 256
#: The percentiles every summary reports.
PERCENTILES = (5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95)


class RiskModelError(EngineError, ValueError):
    """A distribution, risk event or correlation is malformed; the message says which."""


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise RiskModelError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise RiskModelError(f"{what} must be finite, not {value!r}")
    return number


# ----------------------------------------------------------------------------- distributions


@dataclass(frozen=True, slots=True)
class Fixed:
    """Always ``value``."""

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _number(self.value, "Fixed value"))

    @property
    def mean(self) -> float:
        return self.value

    @property
    def minimum(self) -> float:
        return self.value

    def _params(self) -> tuple[int, float, float, float]:
        return 0, self.value, 0.0, 0.0


@dataclass(frozen=True, slots=True)
class Uniform:
    """Any value between ``min`` and ``max`` equally likely.

    >>> Uniform(2, 1)
    Traceback (most recent call last):
    ...
    pmo.engine.risk.RiskModelError: Uniform distribution needs min <= max, got min 2.0, max 1.0
    """

    min: float
    max: float

    def __post_init__(self) -> None:
        low = _number(self.min, "Uniform min")
        high = _number(self.max, "Uniform max")
        if low > high:
            raise RiskModelError(
                f"Uniform distribution needs min <= max, got min {low}, max {high}"
            )
        object.__setattr__(self, "min", low)
        object.__setattr__(self, "max", high)

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2

    @property
    def minimum(self) -> float:
        return self.min

    def _params(self) -> tuple[int, float, float, float]:
        return 1, self.min, 0.0, self.max


def _three_point(name: str, low: object, mode: object, high: object) -> tuple[float, float, float]:
    a = _number(low, f"{name} min")
    m = _number(mode, f"{name} mode")
    b = _number(high, f"{name} max")
    if not a <= m <= b:
        raise RiskModelError(
            f"{name} distribution needs min <= mode <= max, got min {a}, mode {m}, max {b}"
        )
    return a, m, b


@dataclass(frozen=True, slots=True)
class Triangular:
    """Three-point estimate with a triangular density.

    >>> Triangular(1, 5, 3)
    Traceback (most recent call last):
    ...
    pmo.engine.risk.RiskModelError: Triangular distribution needs min <= mode <= max, got min 1.0, mode 5.0, max 3.0
    """  # noqa: E501

    min: float
    mode: float
    max: float

    def __post_init__(self) -> None:
        a, m, b = _three_point("Triangular", self.min, self.mode, self.max)
        object.__setattr__(self, "min", a)
        object.__setattr__(self, "mode", m)
        object.__setattr__(self, "max", b)

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    @property
    def minimum(self) -> float:
        return self.min

    def _params(self) -> tuple[int, float, float, float]:
        return 2, self.min, self.mode, self.max


@dataclass(frozen=True, slots=True)
class Pert:
    """Three-point estimate with the beta-PERT density (lambda 4): mean (min + 4 mode + max) / 6.

    >>> Pert(0, 1, 8).mean
    2.0
    """

    min: float
    mode: float
    max: float

    def __post_init__(self) -> None:
        a, m, b = _three_point("PERT", self.min, self.mode, self.max)
        object.__setattr__(self, "min", a)
        object.__setattr__(self, "mode", m)
        object.__setattr__(self, "max", b)

    @property
    def mean(self) -> float:
        return (self.min + 4 * self.mode + self.max) / 6

    @property
    def minimum(self) -> float:
        return self.min

    @property
    def alpha(self) -> float:
        """First shape parameter of the underlying beta distribution (the second is 6 - it)."""
        width = self.max - self.min
        return 3.0 if width <= 0 else 1 + 4 * (self.mode - self.min) / width

    def _params(self) -> tuple[int, float, float, float]:
        return 3, self.min, self.mode, self.max


@dataclass(frozen=True, slots=True)
class Lognormal:
    """Lognormal with the given ``mean`` and standard deviation ``sd`` of the value itself.

    >>> Lognormal(10, -1)
    Traceback (most recent call last):
    ...
    pmo.engine.risk.RiskModelError: Lognormal distribution needs mean > 0 and sd >= 0, got mean 10.0, sd -1.0
    """  # noqa: E501

    mean: float
    sd: float

    def __post_init__(self) -> None:
        mean = _number(self.mean, "Lognormal mean")
        sd = _number(self.sd, "Lognormal sd")
        if mean <= 0 or sd < 0:
            raise RiskModelError(
                f"Lognormal distribution needs mean > 0 and sd >= 0, got mean {mean}, sd {sd}"
            )
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "sd", sd)

    @property
    def minimum(self) -> float:
        return 0.0

    def _params(self) -> tuple[int, float, float, float]:
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return 4, math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), 0.0


Distribution = Fixed | Uniform | Triangular | Pert | Lognormal
_DISTRIBUTIONS = (Fixed, Uniform, Triangular, Pert, Lognormal)


def _as_distribution(value: object, what: str) -> Distribution:
    if isinstance(value, _DISTRIBUTIONS):
        return value
    return Fixed(_number(value, what))


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class ActivityCost:
    """Cost of an activity: ``fixed + rate * duration``."""

    fixed: float = 0.0
    rate: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", _number(self.fixed, "Cost fixed"))
        object.__setattr__(self, "rate", _number(self.rate, "Cost rate"))


@dataclass(frozen=True, slots=True)
class Impact:
    """What a risk event does when it occurs: its probability, the working time it adds to each
    affected activity (negative for an opportunity) and the cost it adds to the project."""

    probability: float
    duration: Distribution | float = 0.0
    cost: Distribution | float = 0.0

    def __post_init__(self) -> None:
        p = _number(self.probability, "Risk probability")
        if not 0 <= p <= 1:
            raise RiskModelError(f"Risk probability must be between 0 and 1, not {p}")
        object.__setattr__(self, "probability", p)
        object.__setattr__(self, "duration", _as_distribution(self.duration, "Risk duration"))
        object.__setattr__(self, "cost", _as_distribution(self.cost, "Risk cost"))


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A risk-register entry mapped to activities, before (``pre``) and after (``post``) its
    response; ``post=None`` means no response is planned. ``response_cost`` is what the
    response itself costs, counted in every iteration when the post-response values are used.
    """

    id: str
    activities: Sequence[str]
    pre: Impact
    post: Impact | None = None
    response_cost: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise RiskModelError(f"Risk event id must be a non-empty string, not {self.id!r}")
        object.__setattr__(self, "activities", tuple(self.activities))
        object.__setattr__(
            self, "response_cost", _number(self.response_cost, f"Risk {self.id!r} response cost")
        )

    def impact(self, response: Literal["pre", "post"]) -> Impact:
        return self.post if response == "post" and self.post is not None else self.pre


@dataclass(frozen=True, slots=True)
class Correlation:
    """Every pair of the listed activities' durations correlates with ``coefficient`` (the
    correlation of their normal scores: a Gaussian copula)."""

    activities: Sequence[str]
    coefficient: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", tuple(self.activities))
        rho = _number(self.coefficient, "Correlation coefficient")
        if not -1 <= rho <= 1:
            raise RiskModelError(f"Correlation coefficient must be between -1 and 1, not {rho}")
        if len(set(self.activities)) < 2:
            raise RiskModelError(
                f"A correlation needs at least two different activities, got {self.activities!r}"
            )
        object.__setattr__(self, "coefficient", rho)


@dataclass(frozen=True)
class RiskModel:
    """The uncertainty laid over a network. Activities without a distribution keep their
    network duration; activities without a cost cost nothing."""

    durations: Mapping[str, Distribution] = field(default_factory=dict)
    costs: Mapping[str, ActivityCost] = field(default_factory=dict)
    events: Sequence[RiskEvent] = ()
    correlations: Sequence[Correlation] = ()


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Summary:
    """Mean, standard deviation, extremes and percentiles (``{10: P10, ...}``) of a sample."""

    mean: float
    sd: float
    minimum: float
    maximum: float
    percentiles: dict[int, float]

    @classmethod
    def of(cls, ordered: FloatArray) -> Summary:
        if len(ordered) == 0:
            return cls(math.nan, math.nan, math.nan, math.nan, {})
        values = np.percentile(ordered, PERCENTILES)
        return cls(
            float(ordered.mean()),
            float(ordered.std(ddof=1)) if len(ordered) > 1 else 0.0,
            float(ordered[0]),
            float(ordered[-1]),
            {p: float(v) for p, v in zip(PERCENTILES, values, strict=True)},
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mean": self.mean,
            "sd": self.sd,
            "min": self.minimum,
            "max": self.maximum,
        }
        out.update({f"p{p}": v for p, v in self.percentiles.items()})
        return out


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What `simulate` found. Samples are sorted; dicts are keyed by activity or event id."""

    iterations: int
    seed: int
    response: str
    start: int
    target: float | None
    finish_sample: FloatArray
    cost_sample: FloatArray
    criticality: dict[str, float]
    sensitivity: dict[str, float]
    event_frequency: dict[str, float]
    event_sensitivity: dict[str, float]

    @property
    def finish(self) -> Summary:
        return Summary.of(self.finish_sample)

    @property
    def cost(self) -> Summary:
        return Summary.of(self.cost_sample)

    def percentile(self, q: float, of: Literal["finish", "cost"] = "finish") -> float:
        """The value that ``q`` percent of the iterations do not exceed."""
        sample = self.finish_sample if of == "finish" else self.cost_sample
        return float(np.percentile(sample, q))

    def probability_by(self, finish: float) -> float:
        """Share of iterations that finish at or before ``finish``."""
        return float(np.searchsorted(self.finish_sample, finish, side="right")) / max(
            self.iterations, 1
        )

    @property
    def probability_on_time(self) -> float | None:
        """Probability of meeting the target finish, if there is one."""
        return None if self.target is None else self.probability_by(self.target)

    def histogram(
        self, bins: int = 30, of: Literal["finish", "cost"] = "finish"
    ) -> tuple[list[float], list[int]]:
        """Bin edges (``bins + 1``) and counts, for a chart."""
        sample = self.finish_sample if of == "finish" else self.cost_sample
        counts, edges = np.histogram(sample, bins=bins)
        return edges.tolist(), counts.tolist()

    def cumulative(
        self, points: int = 101, of: Literal["finish", "cost"] = "finish"
    ) -> list[tuple[float, float]]:
        """``(value, probability of not exceeding it)`` at evenly spaced probabilities."""
        sample = self.finish_sample if of == "finish" else self.cost_sample
        if len(sample) == 0:
            return []
        qs = np.linspace(0, 100, points)
        return [
            (float(v), float(q) / 100) for v, q in zip(np.percentile(sample, qs), qs, strict=True)
        ]

    def tornado(self, limit: int = 15) -> list[tuple[str, float]]:
        """Activities and events by decreasing absolute sensitivity (zeros left out)."""
        both = {**self.sensitivity, **{f"risk:{k}": v for k, v in self.event_sensitivity.items()}}
        ranked = sorted(
            ((k, v) for k, v in both.items() if v != 0), key=lambda kv: (-abs(kv[1]), kv[0])
        )
        return ranked[:limit]

    def to_dict(self, bins: int = 30) -> dict[str, Any]:
        """JSON-ready summary (no samples; `histogram` and `cumulative` for the charts)."""
        edges, counts = self.histogram(bins)
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "response": self.response,
            "target": self.target,
            "probability_on_time": self.probability_on_time,
            "finish": self.finish.to_dict(),
            "cost": self.cost.to_dict(),
            "criticality": self.criticality,
            "sensitivity": self.sensitivity,
            "event_frequency": self.event_frequency,
            "event_sensitivity": self.event_sensitivity,
            "histogram": {"edges": edges, "counts": counts},
        }


# ----------------------------------------------------------------------------- compilation


def _kernel() -> Any:
    from pmo.engine import _risk_kernel

    return _risk_kernel


#: PERT quantile tables by shape, kept for the process (they depend on the shape only).
_BETA_TABLES: dict[float, FloatArray] = {}


def _beta_tables(alphas: Collection[float]) -> dict[float, FloatArray]:
    """The PERT quantile tables of the shapes ``alphas``: those not kept yet are computed
    together, in parallel, and kept."""
    found = {alpha: _BETA_TABLES.get(alpha) for alpha in set(alphas)}
    missing = sorted(alpha for alpha, table in found.items() if table is None)
    if missing:
        if len(_BETA_TABLES) + len(missing) > 1024:  # a bound on memory (50 KB a table)
            _BETA_TABLES.clear()
        computed = _kernel().beta_tables(np.asarray(missing))
        for alpha, table in zip(missing, computed, strict=True):
            table.setflags(write=False)
            _BETA_TABLES[alpha] = found[alpha] = table
    return found  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class _Plan:
    """Network arrays and model parameters, ready for the kernel."""

    ids: tuple[str, ...]  # leaf ids, in the network's leaf order ("rows")
    # the kernel numbers activities in topological order: activity k is row order[k]
    order: IntArray
    base: FloatArray
    # links grouped per node (see _risk_kernel.GROUPS): predecessors and successors
    in_bound: IntArray
    in_node: IntArray
    in_type: IntArray
    in_lag: FloatArray
    in_pct: FloatArray
    out_bound: IntArray
    out_node: IntArray
    out_type: IntArray
    out_lag: FloatArray
    out_pct: FloatArray
    ctype: IntArray
    coff: FloatArray
    deadline: FloatArray
    start: float
    has_alap: bool
    # uncertain activities: kernel number and random stream (the row)
    column: IntArray
    stream: IntArray
    kind: IntArray
    p1: FloatArray
    p2: FloatArray
    p3: FloatArray
    table: IntArray
    tables: FloatArray
    # correlation: positions in the uncertain list and the factor L with L @ L.T = R
    correlated: IntArray
    independent: npt.NDArray[np.bool_]  # per uncertain activity: not in `correlated`
    factor: FloatArray
    # costs: fixed costs and response costs, rate per activity
    base_cost: float
    rate: FloatArray
    has_rate: bool
    # events: the activities they delay (CSR), probability, duration and cost distributions
    # as rows (kind, p1, p2, p3) with their PERT table
    event_ids: tuple[str, ...]
    event_ptr: IntArray
    event_columns: IntArray
    event_probability: FloatArray
    event_duration: FloatArray
    event_duration_table: IntArray
    event_cost: FloatArray
    event_cost_table: IntArray


def _link_percentages(network: Network) -> FloatArray:
    """Percentage lag (NaN for none) of each compiled link, in the compiled order."""
    compiled = network.compiled
    if all(link.lag_percent is None for link in network.links):
        return np.full(len(compiled.out_succ), math.nan)
    index = network.index
    leaf_row = np.full(len(network.activities), -1, dtype=np.int64)
    leaf_row[compiled.leaves] = np.arange(len(compiled.leaves))
    below: dict[int, list[int]] = {int(p): rows.tolist() for p, rows in compiled.summaries}
    preds: list[int] = []
    succs: list[int] = []
    pcts: list[float] = []
    for link in network.links:
        p = index[link.predecessor]
        s = index[link.successor]
        pct = math.nan if link.lag_percent is None else link.lag_percent
        for lp in below.get(p, [int(leaf_row[p])]):
            for ls in below.get(s, [int(leaf_row[s])]):
                preds.append(lp)
                succs.append(ls)
                pcts.append(pct)
    pred = np.asarray(preds, dtype=np.int64)
    out = np.asarray(pcts, dtype=np.float64)[np.argsort(pred, kind="stable")]
    assert len(out) == len(compiled.out_succ)
    return out


def _link_groups(network: Network, position: IntArray) -> dict[str, Any]:
    """The compiled links in kernel numbering, grouped per node and group (link type, or
    percentage lag), once by successor (``in_*``) and once by predecessor (``out_*``)."""
    compiled = network.compiled
    groups = _kernel().GROUPS
    n = len(compiled.leaves)
    pct = _link_percentages(network)
    pred = position[np.repeat(np.arange(n), np.diff(compiled.out_ptr))]
    succ = position[compiled.out_succ]
    kind = compiled.out_type.astype(np.int64)
    group = np.where(np.isnan(pct), kind, _kernel().PCT)
    lag = compiled.out_lag.astype(np.float64)
    bounds = np.arange(groups * n + 1)
    out: dict[str, Any] = {}
    for side, owner, other in (("in", succ, pred), ("out", pred, succ)):
        key = owner * groups + group
        by = np.argsort(key, kind="stable")
        out[f"{side}_bound"] = np.searchsorted(key[by], bounds).astype(np.int64)
        out[f"{side}_node"] = np.ascontiguousarray(other[by])
        out[f"{side}_type"] = np.ascontiguousarray(kind[by])
        out[f"{side}_lag"] = np.ascontiguousarray(lag[by])
        out[f"{side}_pct"] = np.ascontiguousarray(pct[by])
    return out


def _compile(network: Network, model: RiskModel, response: str) -> _Plan:
    from pmo.engine.cpm import _cycle

    compiled = network.compiled
    from pmo.engine import _kernel as cpm_kernel

    n = len(compiled.leaves)
    order, reached = cpm_kernel.topological_order(n, compiled.out_ptr, compiled.out_succ)
    if reached < n:
        raise _cycle(compiled, network, order, reached)
    ids = tuple(network.activities[int(p)].id for p in compiled.leaves)
    row = {activity_id: r for r, activity_id in enumerate(ids)}
    summaries = {network.activities[p].id for p, _ in compiled.summaries}

    def leaf(activity_id: str, what: str) -> int:
        if activity_id in row:
            return row[activity_id]
        if activity_id in summaries:
            raise RiskModelError(
                f"{what} names summary activity {activity_id!r}; its duration rolls up from its "
                "children: give them the uncertainty instead"
            )
        raise RiskModelError(f"{what} names unknown activity {activity_id!r}")

    impacts = [event.impact(response) for event in model.events]  # type: ignore[arg-type]
    shapes = _beta_tables(
        [d.alpha for d in model.durations.values() if isinstance(d, Pert)]
        + [d.alpha for i in impacts for d in (i.duration, i.cost) if isinstance(d, Pert)]
    )
    columns: list[int] = []
    params: list[tuple[int, float, float, float]] = []
    alphas: dict[float, int] = {}
    tables: list[FloatArray] = []
    table_of: list[int] = []
    for activity_id, dist in model.durations.items():
        r = leaf(activity_id, "A duration distribution")
        if not isinstance(dist, _DISTRIBUTIONS):
            raise RiskModelError(f"Distribution of {activity_id!r} is not a distribution: {dist!r}")
        if dist.minimum < 0:
            raise RiskModelError(
                f"Distribution of {activity_id!r} allows a negative duration (min {dist.minimum})"
            )
        if isinstance(dist, Fixed):
            continue
        kind, a, b, c = dist._params()
        t = 0
        if isinstance(dist, Pert):
            alpha = dist.alpha
            if alpha not in alphas:
                alphas[alpha] = len(tables)
                tables.append(shapes[alpha])
            t = alphas[alpha]
        columns.append(r)
        params.append((kind, a, b, c))
        table_of.append(t)
    base = compiled.duration.astype(np.float64)
    for activity_id, dist in model.durations.items():
        if isinstance(dist, Fixed):
            base[row[activity_id]] = dist.value

    def dist_params(dist: Distribution) -> tuple[int, float, float, float, int]:
        kind, a, b, c = dist._params()
        t = 0
        if isinstance(dist, Pert):
            alpha = dist.alpha
            if alpha not in alphas:
                alphas[alpha] = len(tables)
                tables.append(shapes[alpha])
            t = alphas[alpha]
        return kind, a, b, c, t

    # correlation matrix over the correlated uncertain activities
    position = {c: k for k, c in enumerate(columns)}
    pairs: dict[tuple[int, int], float] = {}
    for correlation in model.correlations:
        members = []
        for activity_id in correlation.activities:
            r = leaf(activity_id, "A correlation")
            if r not in position:
                raise RiskModelError(
                    f"A correlation names {activity_id!r}, whose duration is fixed; "
                    "give it a distribution"
                )
            members.append(position[r])
        for x in members:
            for y in members:
                if x < y:
                    key = (x, y)
                    if key in pairs and pairs[key] != correlation.coefficient:
                        raise RiskModelError(
                            f"Activities {ids[columns[x]]!r} and {ids[columns[y]]!r} are given "
                            f"two correlations ({pairs[key]} and {correlation.coefficient})"
                        )
                    pairs[key] = correlation.coefficient
    correlated = sorted({k for pair in pairs for k in pair})
    factor = np.zeros((0, 0))
    if correlated:
        local = {k: i for i, k in enumerate(correlated)}
        matrix = np.eye(len(correlated))
        for (x, y), rho in pairs.items():
            matrix[local[x], local[y]] = matrix[local[y], local[x]] = rho
        values, vectors = np.linalg.eigh(matrix)
        if values[0] < -1e-9:
            raise RiskModelError(
                "The correlations contradict each other (the correlation matrix is not positive "
                f"semi-definite; smallest eigenvalue {values[0]:.3g}); weaken some coefficients"
            )
        factor = vectors * np.sqrt(np.clip(values, 0, None))

    rate = np.zeros(n)
    fixed_cost = 0.0
    for activity_id, cost in model.costs.items():
        r = leaf(activity_id, "A cost")
        rate[r] = cost.rate
        fixed_cost += cost.fixed

    event_ids: list[str] = []
    event_ptr = [0]
    event_columns: list[int] = []
    probability: list[float] = []
    durations: list[tuple[int, float, float, float, int]] = []
    costs: list[tuple[int, float, float, float, int]] = []
    response_cost = 0.0
    for event in model.events:
        if event.id in event_ids:
            raise RiskModelError(f"Duplicate risk event id {event.id!r}")
        impact = event.impact(response)  # type: ignore[arg-type]
        event_ids.append(event.id)
        event_columns.extend(leaf(a, f"Risk event {event.id!r}") for a in event.activities)
        event_ptr.append(len(event_columns))
        probability.append(impact.probability)
        durations.append(dist_params(impact.duration))  # type: ignore[arg-type]
        costs.append(dist_params(impact.cost))  # type: ignore[arg-type]
        if response == "post":
            response_cost += event.response_cost

    cn = compiled
    start = network.start
    if network.schedule_from == "finish":
        from pmo.engine.cpm import schedule

        start = schedule(network).start
    kinds = np.asarray([p[0] for p in params], dtype=np.int64)
    number = np.empty(n, dtype=np.int64)  # kernel number of each row
    number[order] = np.arange(n)
    ctype = cn.constraint[order]
    deadline = cn.deadline[order].astype(np.float64)
    deadline[cn.deadline[order] == NO_BOUND] = math.inf
    links = _link_groups(network, number)
    return _Plan(
        ids=ids,
        order=order,
        base=base[order],
        **links,
        ctype=ctype,
        coff=cn.constraint_offset[order].astype(np.float64),
        deadline=deadline,
        start=float(start),
        has_alap=bool((ctype == CONSTRAINT_CODES[ConstraintType.ALAP]).any()),
        column=number[np.asarray(columns, dtype=np.int64)],
        stream=np.asarray(columns, dtype=np.int64),
        kind=kinds,
        p1=np.asarray([p[1] for p in params], dtype=np.float64),
        p2=np.asarray([p[2] for p in params], dtype=np.float64),
        p3=np.asarray([p[3] for p in params], dtype=np.float64),
        table=np.asarray(table_of, dtype=np.int64),
        tables=np.asarray(tables) if tables else np.zeros((1, 2)),
        correlated=np.asarray(correlated, dtype=np.int64),
        independent=~np.isin(np.arange(len(columns)), correlated),
        factor=np.ascontiguousarray(factor, dtype=np.float64),
        base_cost=fixed_cost + response_cost,
        rate=rate[order],
        has_rate=bool(rate.any()),
        event_ids=tuple(event_ids),
        event_ptr=np.asarray(event_ptr, dtype=np.int64),
        event_columns=number[np.asarray(event_columns, dtype=np.int64)],
        event_probability=np.asarray(probability, dtype=np.float64),
        event_duration=np.asarray([d[:4] for d in durations], dtype=np.float64).reshape(-1, 4),
        event_duration_table=np.asarray([d[4] for d in durations], dtype=np.int64),
        event_cost=np.asarray([c[:4] for c in costs], dtype=np.float64).reshape(-1, 4),
        event_cost_table=np.asarray([c[4] for c in costs], dtype=np.int64),
    )


def _passes_arguments(plan: _Plan) -> tuple[Any, ...]:
    return (
        plan.in_bound, plan.in_node, plan.in_type, plan.in_lag, plan.in_pct, plan.out_bound,
        plan.out_node, plan.out_type, plan.out_lag, plan.out_pct, plan.ctype, plan.coff,
        plan.deadline, plan.start, plan.has_alap,
    )  # fmt: skip


def _run(
    plan: _Plan,
    key: np.uint64,
    iterations: int,
    criticality_wanted: bool,
    progress: Callable[[int, int], None] | None,
) -> tuple[FloatArray, FloatArray, IntArray, npt.NDArray[np.bool_]]:
    """All iterations, `BLOCK` per call of the compiled kernel (sampling and passes)."""
    import numba

    kernel = _kernel()
    n = len(plan.ids)
    finish = np.empty(iterations)
    cost = np.empty(iterations)
    counts = np.zeros(n, dtype=np.int64)
    occurred = np.zeros((iterations, len(plan.event_ids)), dtype=bool)
    block_counts = np.zeros((-(-BLOCK // kernel.LANES), n), dtype=np.int64)
    with numba.parallel_chunksize(1):  # batches go to whichever thread is free
        for done in range(0, iterations, BLOCK):
            rows = min(BLOCK, iterations - done)
            block_counts[:] = 0
            kernel.simulate_block(
                key, done, rows, plan.base, plan.column, plan.stream, plan.kind, plan.p1,
                plan.p2, plan.p3, plan.table, plan.tables, plan.correlated, plan.factor,
                plan.event_ptr, plan.event_columns, plan.event_probability,
                plan.event_duration, plan.event_duration_table, plan.event_cost,
                plan.event_cost_table, plan.rate, plan.has_rate, plan.base_cost,
                *_passes_arguments(plan), criticality_wanted, finish[done : done + rows],
                cost[done : done + rows], occurred[done : done + rows], block_counts,
            )  # fmt: skip
            counts[plan.order] += block_counts.sum(axis=0)
            if progress is not None:
                progress(done + rows, iterations)
    return finish, cost, counts, occurred


def _average_ranks(values: FloatArray) -> FloatArray:
    """Ranks 1..N, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    _, inverse, counts = np.unique(values[order], return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average = ends - (counts - 1) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = average[inverse]
    return ranks


def _pearson_with(x_sum: FloatArray, xx_sum: FloatArray, xy_sum: FloatArray, y: FloatArray,
                  count: int) -> FloatArray:  # fmt: skip
    y_mean = y.mean()
    y_var = ((y - y_mean) ** 2).sum()
    x_var = xx_sum - x_sum**2 / count
    cov = xy_sum - x_sum * y_mean
    denominator = np.sqrt(np.clip(x_var, 0, None) * y_var)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(denominator > 1e-12, cov / denominator, 0.0)
    return np.asarray(rho, dtype=np.float64)


def simulate(
    network: Network,
    model: RiskModel | None = None,
    iterations: int = 1000,
    seed: int | None = None,
    *,
    target: float | None = None,
    response: Literal["pre", "post"] = "pre",
    criticality: bool = True,
    sensitivity: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Run a Monte Carlo schedule and cost risk analysis.

    Parameters
    ----------
    network : Network
        The network; activities without a distribution in ``model`` keep its durations.
    model : RiskModel
        Distributions, costs, risk events and correlations.
    iterations : int
        How many iterations; besides the finish, cost and event occurrences of each
        iteration, memory stays at a few numbers per activity and thread.
    seed : int or None
        Same seed, same results. ``None`` draws one; it is reported in the result.
    target : float or None
        Target finish (offset) whose probability is reported; defaults to the network's
        ``finish``.
    response : {"pre", "post"}
        Use the risk events' values before or after their responses.
    criticality, sensitivity : bool
        Turn off to save the backward pass or the redraw of the durations' probabilities.
    progress : callable or None
        Called as ``progress(iterations_done, iterations)`` after every block; raising from
        it stops the run.

    Raises
    ------
    RiskModelError
        For a distribution, event or correlation the network cannot take.
    CycleError
        If the links form a cycle.
    """
    model = model or RiskModel()
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise RiskModelError(f"iterations must be a positive integer, not {iterations!r}")
    if response not in ("pre", "post"):
        raise RiskModelError(f"response must be 'pre' or 'post', not {response!r}")
    plan = _compile(network, model, response)
    sequence = np.random.SeedSequence(seed)
    entropy = int(sequence.entropy)  # type: ignore[arg-type]
    key = sequence.generate_state(1, np.uint64)[0]
    finish, cost, counts, occurred = _run(plan, key, iterations, criticality, progress)
    ids = plan.ids
    sens = dict.fromkeys(ids, 0.0)
    event_sens = dict.fromkeys(plan.event_ids, 0.0)
    if sensitivity and iterations > 1:
        ranks = _average_ranks(finish)
        if len(plan.column):  # the same streams again: only the duration probabilities
            kernel = _kernel()
            sums = kernel.rank_sums(key, iterations, plan.stream, plan.independent, ranks)
            if len(plan.correlated):
                sums[plan.correlated] = kernel.correlated_rank_sums(
                    key, iterations, plan.stream, plan.correlated, plan.factor, ranks
                )
            rho = _pearson_with(sums[:, 0], sums[:, 1], sums[:, 2], ranks, iterations)
            for column, value in zip(plan.stream.tolist(), rho.tolist(), strict=True):
                sens[ids[column]] = value
        if plan.event_ids:
            o = occurred.astype(np.float64)
            rho = _pearson_with(o.sum(axis=0), o.sum(axis=0), ranks @ o, ranks, iterations)
            event_sens = dict(zip(plan.event_ids, rho.tolist(), strict=True))
    if target is None and network.finish is not None:
        target = network.finish
    return SimulationResult(
        iterations=iterations,
        seed=entropy,
        response=response,
        start=int(plan.start),
        target=target,
        finish_sample=np.sort(finish),
        cost_sample=np.sort(cost),
        criticality=dict(zip(ids, (counts / iterations).tolist(), strict=True))
        if criticality
        else {},
        sensitivity=sens,
        event_frequency=dict(zip(plan.event_ids, occurred.mean(axis=0).tolist(), strict=True)),
        event_sensitivity=event_sens,
    )


def simulate_durations(
    network: Network, durations: npt.ArrayLike
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Finish of each row of given leaf durations (``iterations x leaves``, in the network's
    leaf order) and each activity's critical flag per row: the passes without the sampling.

    Examples
    --------
    >>> from pmo.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B", "SS", 1)])
    >>> finish, critical = simulate_durations(net, [[3, 2], [1, 5]])
    >>> finish.tolist(), critical["B"].tolist()
    ([3.0, 6.0], [True, True])
    """
    plan = _compile(network, RiskModel(), "pre")
    matrix = np.asarray(durations, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(plan.ids):
        raise RiskModelError(
            f"durations must be a matrix with one column per leaf activity ({len(plan.ids)}), "
            f"got shape {matrix.shape}"
        )
    kernel = _kernel()
    flags = np.zeros(matrix.shape, dtype=bool)
    finish = np.empty(matrix.shape[0])
    in_order = np.ascontiguousarray(matrix[:, plan.order])
    for r in range(matrix.shape[0]):  # one row at a time to get per-row flags
        f, counts = kernel.simulate_lanes(in_order[r : r + 1], *_passes_arguments(plan), True)
        finish[r] = f[0]
        flags[r, plan.order] = counts[0] > 0
    return finish, {activity_id: flags[:, i] for i, activity_id in enumerate(plan.ids)}
