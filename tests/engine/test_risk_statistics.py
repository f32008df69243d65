"""Monte Carlo against analytic answers, each within a few standard errors (fixed seeds).

Tolerances are ``4 x`` the standard error of the estimate, so a correct engine fails about
once in 16,000 seeds; a wrong distribution or pass is off by many standard errors.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from pmo.engine.network import Activity, Link, LinkType, Network
from pmo.engine.risk import (
    Correlation,
    Lognormal,
    Pert,
    RiskModel,
    Triangular,
    Uniform,
    simulate,
)

N = 40_000
Z = 4.0


def _chain(n: int, link: LinkType = LinkType.FS) -> Network:
    ids = [f"T{i}" for i in range(n)]
    return Network(
        [Activity(i, 1) for i in ids],
        [Link(a, b, link) for a, b in zip(ids, ids[1:], strict=False)],
    )


def test_chain_of_uniforms_mean_and_variance() -> None:
    n = 10
    net = _chain(n)
    result = simulate(net, RiskModel({a.id: Uniform(0, 1) for a in net.activities}), N, seed=11)
    variance = n / 12
    assert result.finish.mean == pytest.approx(n / 2, abs=Z * math.sqrt(variance / N))
    assert result.finish.sd**2 == pytest.approx(variance, abs=Z * variance * math.sqrt(2 / N))
    assert set(result.criticality.values()) == {1.0}


def test_long_chain_of_uniforms_has_normal_percentiles() -> None:
    n = 48
    net = _chain(n)
    result = simulate(net, RiskModel({a.id: Uniform(2, 4) for a in net.activities}), N, seed=12)
    normal = NormalDist(3 * n, math.sqrt(n * 4 / 12))
    for p in (10, 20, 50, 80, 90):
        expected = normal.inv_cdf(p / 100)
        density = normal.pdf(expected)
        standard_error = math.sqrt(p / 100 * (1 - p / 100) / N) / density
        clt_error = 0.01 * normal.stdev  # Edgeworth term of 48 uniforms, far below this
        assert result.finish.percentiles[p] == pytest.approx(
            expected, abs=Z * standard_error + clt_error
        )


def test_parallel_branches_finish_is_the_max_whose_cdf_is_the_product() -> None:
    k = 4
    net = Network([Activity(f"B{i}", 1) for i in range(k)] + [Activity("End", 0)],
                  [Link(f"B{i}", "End") for i in range(k)])  # fmt: skip
    model = RiskModel({f"B{i}": Uniform(0, 10) for i in range(k)})
    result = simulate(net, model, N, seed=13)
    for x in (3.0, 5.0, 7.0, 9.0):
        p = (x / 10) ** k
        assert result.probability_by(x) == pytest.approx(p, abs=Z * math.sqrt(p * (1 - p) / N))
    for i in range(k):  # each branch is the longest in a quarter of the iterations
        assert result.criticality[f"B{i}"] == pytest.approx(1 / k, abs=Z * math.sqrt(3 / 16 / N))
    assert result.criticality["End"] == 1.0


def test_criticality_in_a_two_branch_network() -> None:
    net = Network(
        [Activity("Start", 0), Activity("A", 5), Activity("B", 3), Activity("Finish", 0)],
        [Link("Start", "A"), Link("Start", "B"), Link("A", "Finish"), Link("B", "Finish")],
    )
    result = simulate(net, RiskModel({"A": Uniform(0, 10), "B": Uniform(0, 6)}), N, seed=14)
    # P(A > B) = 1 - P(A <= B) = 1 - 6 / 20 (A uniform on 0..10, B on 0..6)
    se = math.sqrt(0.7 * 0.3 / N)
    assert result.criticality["A"] == pytest.approx(0.7, abs=Z * se)
    assert result.criticality["B"] == pytest.approx(0.3, abs=Z * se)
    assert result.criticality["Start"] == result.criticality["Finish"] == 1.0
    assert result.sensitivity["A"] > result.sensitivity["B"] > 0


@pytest.mark.parametrize(
    ("dist", "mean", "variance"),
    [
        (Triangular(2, 3, 10), 5.0, (4 + 9 + 100 - 6 - 20 - 30) / 18),
        (Triangular(0, 0, 6), 2.0, 36 / 18),
        (Pert(2, 3, 10), (2 + 12 + 10) / 6, (4 - 2) * (10 - 4) / 7),
        (Pert(0, 9, 10), (36 + 10) / 6, (46 / 6) * (10 - 46 / 6) / 7),
        (Pert(5, 5, 5), 5.0, 0.0),
        (Lognormal(8, 3), 8.0, 9.0),
    ],
)
def test_distribution_moments(dist: object, mean: float, variance: float) -> None:
    net = Network([Activity("A", 1)])
    result = simulate(net, RiskModel({"A": dist}), N, seed=15)  # type: ignore[dict-item]
    sample = result.finish_sample
    assert sample.mean() == pytest.approx(mean, abs=Z * math.sqrt(variance / N) + 1e-9)
    # variance of the sample variance: (m4 - s^4) / N, from the sample's own fourth moment
    m4 = float(((sample - sample.mean()) ** 4).mean())
    assert sample.var() == pytest.approx(
        variance, abs=Z * math.sqrt(max(m4 - variance**2, 0) / N) + 1e-9
    )


def test_pert_quantiles_match_the_beta_cdf() -> None:
    """PERT(0, 1, 4) is 4 x Beta(2, 4): CDF 1 - (1 - x)^4 (1 + 4x) on the unit interval."""
    net = Network([Activity("A", 1)])
    result = simulate(net, RiskModel({"A": Pert(0, 1, 4)}), N, seed=16)
    for x in (0.5, 1.0, 2.0, 3.0):
        t = x / 4
        p = 1 - (1 - t) ** 4 * (1 + 4 * t)
        assert result.probability_by(x) == pytest.approx(p, abs=Z * math.sqrt(p * (1 - p) / N))


@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_correlation_raises_the_variance_of_a_chain_as_theory_says(rho: float) -> None:
    n = 6
    net = _chain(n)
    ids = [a.id for a in net.activities]
    durations = {i: Uniform(0, 1) for i in ids}
    model = RiskModel(durations, correlations=[Correlation(ids, rho)])
    result = simulate(net, model, N, seed=17)
    independent = simulate(net, RiskModel(durations), N, seed=17)
    # Uniform margins on a Gaussian copula: Pearson = Spearman = 6 / pi * asin(rho / 2)
    pearson = 6 / math.pi * math.asin(rho / 2)
    variance = n / 12 * (1 + (n - 1) * pearson)
    assert result.finish.mean == pytest.approx(n / 2, abs=Z * math.sqrt(variance / N))
    m4 = float(((result.finish_sample - result.finish.mean) ** 4).mean())
    assert result.finish.sd**2 == pytest.approx(variance, abs=Z * math.sqrt((m4 - variance**2) / N))
    assert result.finish.sd > independent.finish.sd * 1.2


def test_results_do_not_depend_on_the_thread_count() -> None:
    import numba

    net = _chain(5, LinkType.SS)
    model = RiskModel({a.id: Triangular(1, 2, 5) for a in net.activities})
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(net, model, 1000, seed=3)
    finally:
        numba.set_num_threads(before)
    other = simulate(net, model, 1000, seed=3)
    assert np.array_equal(one.finish_sample, other.finish_sample)
    assert one.criticality == other.criticality
