"""Monte Carlo risk analysis: exactness against the CPM, reproducibility, the model's errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference import reference_schedule
from strategies import networks

from pmo.engine.cpm import schedule
from pmo.engine.network import Activity, Link, LinkType, Network
from pmo.engine.risk import (
    ActivityCost,
    Correlation,
    Fixed,
    Impact,
    Lognormal,
    Pert,
    RiskEvent,
    RiskModel,
    RiskModelError,
    Triangular,
    Uniform,
    simulate,
    simulate_durations,
)


def _with_durations(net: Network, durations: list[int]) -> Network:
    activities = [
        Activity(a.id, d, constraint=a.constraint, deadline=a.deadline)
        for a, d in zip(net.activities, durations, strict=True)
    ]
    return Network(activities, net.links, start=net.start)


@settings(max_examples=60, deadline=None)
@given(net=networks(max_activities=9), data=st.data())
def test_each_iteration_is_the_pure_python_cpm(net: Network, data: st.DataObject) -> None:
    """Every row of sampled durations gives the finish and critical flags of a plain CPM."""
    assume(net.activities)
    net = _with_durations(net, [a.duration for a in net.activities])  # no target finish
    n = len(net.activities)
    rows = data.draw(st.lists(st.lists(st.integers(0, 9), min_size=n, max_size=n), min_size=1,
                              max_size=4))  # fmt: skip
    finish, critical = simulate_durations(net, np.asarray(rows, dtype=float).reshape(-1, n))
    for r, durations in enumerate(rows):
        ref = reference_schedule(_with_durations(net, durations))
        latest = max([ref.start, *ref.early_finish.values()]) if n else net.start
        assert finish[r] == latest
        for a in net.activities:
            assert bool(critical[a.id][r]) == (ref.total_float[a.id] <= 0), a.id


@settings(max_examples=40, deadline=None)
@given(net=networks(max_activities=10))
def test_fixed_durations_finish_where_the_schedule_does(net: Network) -> None:
    net = _with_durations(net, [a.duration for a in net.activities])  # no target finish
    result = simulate(net, RiskModel(), iterations=3, seed=1)
    det = schedule(net)
    finish = int(max([det.start, *det.early_finish.tolist()]))
    assert result.finish_sample.tolist() == [finish] * 3
    assert result.criticality == {
        a: float(c) for a, c in zip(det.ids, det.critical.tolist(), strict=True)
    }


def test_reproducible_for_a_seed_and_different_for_another() -> None:
    net = Network([Activity(x, 2) for x in "ABC"], [Link("A", "B"), Link("A", "C")])
    model = RiskModel(
        durations={"A": Pert(1, 2, 6), "B": Lognormal(3, 1), "C": Uniform(1, 4)},
        events=[RiskEvent("R1", ["B"], Impact(0.3, Triangular(1, 2, 5), 100))],
        correlations=[Correlation(["A", "B"], 0.5)],
        costs={"A": ActivityCost(10, 2)},
    )
    one = simulate(net, model, 700, seed=42)
    two = simulate(net, model, 700, seed=42)
    other = simulate(net, model, 700, seed=43)
    assert np.array_equal(one.finish_sample, two.finish_sample)
    assert np.array_equal(one.cost_sample, two.cost_sample)
    assert one.sensitivity == two.sensitivity and one.criticality == two.criticality
    assert not np.array_equal(one.finish_sample, other.finish_sample)
    assert one.seed == 42


def test_progress_is_reported_per_block() -> None:
    net = Network([Activity("A", 2)])
    seen: list[tuple[int, int]] = []
    simulate(
        net, RiskModel({"A": Uniform(1, 2)}), 600, seed=1, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(256, 600), (512, 600), (600, 600)]


def test_target_probability_and_cost() -> None:
    net = Network([Activity("A", 2)], finish=5)
    model = RiskModel({"A": Uniform(0, 10)}, costs={"A": ActivityCost(fixed=100, rate=3)})
    result = simulate(net, model, 20_000, seed=3)
    assert result.target == 5
    assert result.probability_on_time == pytest.approx(0.5, abs=0.02)
    assert result.cost.mean == pytest.approx(100 + 3 * 5, abs=0.3)
    edges, counts = result.histogram(10)
    assert len(edges) == 11 and sum(counts) == 20_000


def test_risk_events_pre_and_post_response() -> None:
    net = Network([Activity("A", 10)])
    event = RiskEvent(
        "Supplier late", ["A"], pre=Impact(0.5, 4, 1000), post=Impact(0.1, 4, 1000),
        response_cost=50,
    )  # fmt: skip
    pre = simulate(net, RiskModel(events=[event]), 20_000, seed=5)
    post = simulate(net, RiskModel(events=[event]), 20_000, seed=5, response="post")
    assert pre.event_frequency["Supplier late"] == pytest.approx(0.5, abs=0.015)
    assert pre.finish.mean == pytest.approx(12, abs=0.06)
    assert post.finish.mean == pytest.approx(10.4, abs=0.04)
    assert post.cost.mean == pytest.approx(50 + 100, abs=10)
    assert pre.event_sensitivity["Supplier late"] == pytest.approx(1.0)  # it alone moves it


def test_sensitivity_ranks_the_driving_activity_first() -> None:
    net = Network([Activity("A", 5), Activity("B", 5)], [Link("A", "B")])
    model = RiskModel({"A": Uniform(0, 10), "B": Uniform(4, 6)})
    result = simulate(net, model, 5000, seed=9)
    assert result.sensitivity["A"] > 0.9 > result.sensitivity["B"] > 0.1
    assert result.tornado()[0][0] == "A"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (RiskModel({"X": Uniform(1, 2)}), "unknown activity 'X'"),
        (RiskModel({"S": Uniform(1, 2)}), "summary activity 'S'"),
        (RiskModel({"A": Uniform(-1, 2)}), "negative duration"),
        (RiskModel({"A": Uniform(1, 2)}, correlations=[Correlation(["A", "B"], 0.3)]),
         "'B', whose duration is fixed"),
        (RiskModel({"A": Uniform(1, 2), "B": Uniform(1, 2), "C": Uniform(1, 2)},
                   correlations=[Correlation(["A", "B"], 0.9), Correlation(["B", "C"], 0.9),
                                 Correlation(["A", "C"], -0.9)]),
         "contradict"),
        (RiskModel(events=[RiskEvent("R", ["Q"], Impact(0.1, 1))]), "Risk event 'R'"),
    ],
)  # fmt: skip
def test_model_errors_name_the_culprit(model: RiskModel, message: str) -> None:
    net = Network(
        [
            Activity("S", 0),
            Activity("A", 1, parent="S"),
            Activity("B", 1, parent="S"),
            Activity("C", 1),
        ],
    )
    with pytest.raises(RiskModelError, match=message):
        simulate(net, model, 10, seed=1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Triangular(3, 1, 5), "min <= mode <= max"),
        (lambda: Pert(1, 2, float("nan")), "finite"),
        (lambda: Lognormal(0, 1), "mean > 0"),
        (lambda: Impact(1.5), "between 0 and 1"),
        (lambda: Correlation(["A", "B"], 2), "between -1 and 1"),
        (lambda: Fixed("3"), "must be a number"),  # type: ignore[arg-type]
    ],
)
def test_distribution_errors(make: object, message: str) -> None:
    with pytest.raises(RiskModelError, match=message):
        make()  # type: ignore[operator]


def test_percentage_lags_scale_with_the_sampled_duration() -> None:
    net = Network(
        [Activity("A", 10), Activity("B", 1)], [Link("A", "B", LinkType.SS, lag_percent=50)]
    )
    finish, _ = simulate_durations(net, [[10, 1], [4, 1], [5, 1]])
    assert finish.tolist() == [10, 4, 5]  # B starts at 5, 2, 3 (half of A, rounded half up)
    finish, _ = simulate_durations(net, [[10, 9], [4, 9]])
    assert finish.tolist() == [14, 11]


def test_a_run_without_seed_reports_one_that_repeats_it() -> None:
    net = Network([Activity("A", 2), Activity("B", 3)], [Link("A", "B")])
    model = RiskModel({"A": Triangular(1, 2, 4), "B": Pert(2, 3, 9)})
    first = simulate(net, model, 300)
    again = simulate(net, model, 300, seed=first.seed)
    assert np.array_equal(first.finish_sample, again.finish_sample)


def test_raising_from_progress_stops_the_run() -> None:
    net = Network([Activity("A", 2)])

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        simulate(net, RiskModel({"A": Uniform(1, 2)}), 1000, seed=1, progress=stop)


def test_sensitivity_of_the_only_uncertain_activity_is_one() -> None:
    net = Network([Activity("A", 2), Activity("B", 3)], [Link("A", "B")])
    result = simulate(net, RiskModel({"A": Lognormal(5, 2)}), 4000, seed=8)
    assert result.sensitivity["A"] == pytest.approx(1.0, abs=1e-3)
    assert result.sensitivity["B"] == 0.0


def _splitmix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function in numpy (uint64 arithmetic wraps around)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _probabilities(key: int, iterations: np.ndarray, streams: np.ndarray) -> np.ndarray:
    """The documented generator: SplitMix64 of SplitMix64, 53 bits, centred in (0, 1)."""
    gamma = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        state = _splitmix(np.uint64(key) + (iterations.astype(np.uint64) + np.uint64(1)) * gamma)
        z = _splitmix(state + (streams.astype(np.uint64) + np.uint64(1)) * gamma)
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def test_the_generator_is_the_documented_splitmix64_of_key_iteration_and_stream() -> None:
    from pmo.engine import _risk_kernel as kernel

    key = 0x0123456789ABCDEF
    for iteration, stream in [(0, 0), (1, 0), (0, 1), (9_999, 123), (5, kernel.EVENT_STREAM + 2)]:
        state = kernel.iteration_state(np.uint64(key), iteration)
        expected = _probabilities(key, np.asarray([iteration]), np.asarray([stream]))[0]
        assert kernel.uniform(np.uint64(state), stream) == expected


def test_the_generator_is_uniform_and_independent_across_iterations_and_streams() -> None:
    iterations, streams = np.meshgrid(np.arange(2_000), np.arange(50), indexing="ij")
    u = _probabilities(2026, iterations.ravel(), streams.ravel()).reshape(2_000, 50)
    assert u.min() > 0 and u.max() < 1
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    expected = u.size / 20
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 50  # 19 degrees of freedom: P(chi2 > 50) ~ 1e-4
    se = 1 / np.sqrt(u.shape[0])  # correlation of neighbours, iterations and streams
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 4 * se
    assert abs(np.corrcoef(u[:-1, 7], u[1:, 7])[0, 1]) < 4 * se


def test_every_result_is_the_same_whatever_the_thread_count() -> None:
    import numba

    net = Network([Activity(x, 3) for x in "ABCDE"],
                  [Link("A", "B"), Link("A", "C", LinkType.SS, 1), Link("B", "D", LinkType.FF),
                   Link("C", "D", LinkType.SF, 2), Link("D", "E", lag_percent=20)])  # fmt: skip
    model = RiskModel(
        durations={"A": Pert(1, 2, 6), "B": Lognormal(3, 1), "C": Uniform(1, 4),
                   "D": Triangular(2, 3, 7), "E": Pert(1, 2, 3)},
        events=[RiskEvent("R1", ["B", "E"], Impact(0.3, Triangular(-1, 2, 5), Uniform(0, 99)))],
        correlations=[Correlation(["A", "B", "E"], 0.5)],
        costs={"A": ActivityCost(10, 2), "D": ActivityCost(0, 7)},
    )  # fmt: skip
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(net, model, 1_000, seed=3)
    finally:
        numba.set_num_threads(before)
    other = simulate(net, model, 1_000, seed=3, progress=lambda done, total: None)
    assert np.array_equal(one.finish_sample, other.finish_sample)
    assert np.array_equal(one.cost_sample, other.cost_sample)
    assert one.criticality == other.criticality
    assert one.sensitivity == other.sensitivity
    assert one.event_frequency == other.event_frequency
    assert one.event_sensitivity == other.event_sensitivity


def test_an_activity_keeps_its_draws_when_the_model_around_it_changes() -> None:
    """Its random numbers are those of its own stream: adding a risk elsewhere or a response
    leaves its durations as they were (common random numbers for comparing scenarios)."""
    net = Network([Activity("A", 3), Activity("B", 3)])  # parallel: the finish is A's
    alone = simulate(net, RiskModel({"A": Uniform(10, 11)}), 500, seed=4)
    event = RiskEvent("R", ["B"], pre=Impact(0.5, 0.5), post=Impact(0.2, 0.5))
    both = RiskModel({"A": Uniform(10, 11), "B": Uniform(0, 1)}, events=[event])
    pre = simulate(net, both, 500, seed=4)
    post = simulate(net, both, 500, seed=4, response="post")
    assert np.array_equal(alone.finish_sample, pre.finish_sample)
    assert np.array_equal(alone.finish_sample, post.finish_sample)
    assert pre.event_frequency["R"] > post.event_frequency["R"]
