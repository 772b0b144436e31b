"""Persistent innovation types (model.firm_types) against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model import firm_types


def test_types_are_lognormal_with_mean_one_and_the_given_log_sd():
    """θ = exp(σ z − σ²/2) is log-normal(−σ²/2, σ): Kolmogorov–Smirnov against scipy's
    lognorm, and the sample mean within 4 standard errors of 1."""
    sigma = 0.95
    theta = firm_types.draw_types(np.random.default_rng(1), 20_000, sigma)
    dist = stats.lognorm(s=sigma, scale=np.exp(-sigma ** 2 / 2))
    assert stats.kstest(theta, dist.cdf).pvalue > 1e-3
    assert abs(theta.mean() - 1.0) < 4 * dist.std() / np.sqrt(theta.size)


def test_no_dispersion_gives_unit_types_without_touching_the_generator():
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    assert np.array_equal(firm_types.draw_types(rng, 5, 0.0), np.ones(5))
    assert np.array_equal(firm_types.redraw_types(rng, np.full(4, 2.0), 0.0, 0.5), np.ones(4))
    assert rng.bit_generator.state == state


def test_redraw_hazard_sets_the_type_autocorrelation():
    """With redraws at hazard δ, corr(ln θ_t, ln θ_t+h) = (1 − δ)^h (a redrawn type is independent)."""
    rng = np.random.default_rng(5)
    sigma, delta, h = 0.8, 0.05, 10
    start = firm_types.draw_types(rng, 40_000, sigma)
    theta = start
    for _ in range(h):
        theta = firm_types.redraw_types(rng, theta, sigma, delta)
    corr = np.corrcoef(np.log(start), np.log(theta))[0, 1]
    assert corr == pytest.approx((1 - delta) ** h, abs=0.02)
    assert np.log(theta).std() == pytest.approx(sigma, rel=0.03)   # the distribution is stationary


def test_unset_types_are_drawn_and_the_others_kept_at_zero_hazard():
    rng = np.random.default_rng(7)
    theta = np.array([0.0, 1.7, 0.0, 0.4])
    out = firm_types.redraw_types(rng, theta, 0.9, 0.0, theta == 0)
    assert out[1] == 1.7 and out[3] == 0.4
    assert np.all(out[[0, 2]] > 0)


def test_typed_intensity_and_bad_input():
    assert np.array_equal(firm_types.typed_intensity([1.0, 0.0, 1.0], [2.0, 3.0, 0.5]), [2.0, 0.0, 0.5])
    with pytest.raises(ValueError, match="line_type_dispersion"):
        firm_types.draw_types(np.random.default_rng(0), 3, -0.1)
    with pytest.raises(ValueError, match="line_type_hazard"):
        firm_types.redraw_types(np.random.default_rng(0), np.ones(3), 0.5, 1.5)
    with pytest.raises(ValueError, match="same length"):
        firm_types.typed_intensity([1.0, 1.0], [1.0])


def test_high_types_take_lines_in_a_short_run():
    """In the model, enterprises with θ above the median gain more product lines per line held
    than those below (16 quarters of the baseline with σ = 0.95, seed 0) — the type acts."""
    from model import ClusterModel

    m = ClusterModel(seed=0, line_type_dispersion=0.95)
    m.run(2)
    pop = m.population
    live = pop.live[pop.innovation_type[pop.live] > 0]
    uid, theta, n0 = pop.uid[live].copy(), pop.innovation_type[live].copy(), pop.lines[live].copy()
    m.run(14)
    _, a, b = np.intersect1d(uid, pop.uid[pop.live], return_indices=True)
    n1 = pop.lines[pop.live][b]
    high = theta[a] > np.median(theta[a])
    growth = n1 / n0[a]
    assert growth[high].mean() > growth[~high].mean()
