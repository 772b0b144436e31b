"""Gibrat shocks to the demand of a firm's niches (model.niche_demand; option niche_demand_sd)."""

from __future__ import annotations

import numpy as np
import pytest

from model import ClusterModel, niche_demand
from model.size_distribution import hill_alpha


def test_zero_sd_copies_without_drawing():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    u = np.array([0.0, -0.3, 0.7])
    out = niche_demand.step(rng, u, 0.0)
    assert np.array_equal(out, u) and out is not u
    assert rng.bit_generator.state == state


def test_step_keeps_the_mean_demand_level():
    """E[e^u'] = e^u (Gibrat, mean one): checked against the sample mean within 4 standard errors."""
    rng = np.random.default_rng(2)
    u = np.full(200_000, 0.4)
    level = np.exp(niche_demand.step(rng, u, 0.2))
    se = level.std() / np.sqrt(level.size)
    assert abs(level.mean() - np.exp(0.4)) < 4 * se


def test_scale_makes_the_optimal_size_proportional_to_the_demand_level():
    u = np.array([-1.0, 0.0, 0.5, 2.0])
    alpha, beta = 0.5, 0.3
    assert np.allclose(niche_demand.scale(u, alpha, beta) ** (1 / (1 - alpha - beta)), np.exp(u))


def test_tail_index_matches_a_monte_carlo_of_gbm_at_random_ages():
    """Reed (2001): e^u at geometric ages (hazard δ) has Pareto index ζ; an independent simulation's
    Hill estimate on the top 1% is within 15% of the formula."""
    sd, hazard = 0.2, 0.02
    rng = np.random.default_rng(3)
    ages = rng.geometric(hazard, 400_000)
    u = rng.normal(-0.5 * sd**2 * ages, sd * np.sqrt(ages))
    zeta = niche_demand.tail_index(sd, hazard)
    assert zeta == pytest.approx((1 + np.sqrt(5)) / 2)
    assert hill_alpha(np.exp(u), 0.01) == pytest.approx(zeta, rel=0.15)
    assert niche_demand.tail_index(0.0, hazard) == np.inf


@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf])
def test_bad_sd_is_refused(bad):
    with pytest.raises(ValueError, match="niche_demand_sd"):
        niche_demand.step(np.random.default_rng(0), np.zeros(3), bad)


def test_model_option_moves_the_shifter_only_when_switched_on():
    off = ClusterModel(seed=0, niche_demand_sd=0.0).run(4)
    assert not off.population.niche_demand[off.population.live].any()
    on = ClusterModel(seed=0, niche_demand_sd=0.1).run(4)
    u = on.population.niche_demand[on.population.live]
    assert u.std() > 0.05 and np.all(np.isfinite(u))
