"""Incumbents' niches growing with their market (model.niche_growth; option niche_market_growth)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import ClusterModel, niche_demand, niche_growth
from model.size_distribution import hill_alpha


def test_drift_is_the_share_of_the_markets_log_growth():
    assert niche_growth.drift(0.0, 0.01) == 0.0
    assert niche_growth.drift(1.0, 0.01) == pytest.approx(math.log(1.01))
    assert niche_growth.drift(0.5, -0.02) == pytest.approx(0.5 * math.log(0.98))


@pytest.mark.parametrize("share, growth", [(-0.1, 0.01), (1.5, 0.01), (math.nan, 0.01), (0.5, -1.0), (0.5, math.inf)])
def test_bad_share_or_growth_is_refused(share, growth):
    with pytest.raises(ValueError, match="niche_market_growth|demand_growth"):
        niche_growth.drift(share, growth)


def test_step_adds_the_drift_to_the_mean_one_walk():
    """E[e^u'] = e^(u + d): the sample mean within 4 standard errors; σ = 0 adds d without drawing."""
    rng = np.random.default_rng(5)
    u = np.full(200_000, 0.2)
    level = np.exp(niche_demand.step(rng, u, 0.15, 0.03))
    assert abs(level.mean() - np.exp(0.23)) < 4 * level.std() / np.sqrt(level.size)
    state = rng.bit_generator.state
    assert np.allclose(niche_demand.step(rng, u, 0.0, 0.03), 0.23) and rng.bit_generator.state == state


def test_tail_index_solves_reeds_quadratic_and_matches_a_monte_carlo():
    """ζ is the positive root of (σ²/2) ζ² + ν ζ − δ = 0; at ν = −σ²/2 it is niche_demand.tail_index; a
    simulation of a Brownian log size at geometric ages gives a Hill α (top 1%) within 15% of it."""
    sd, hazard, nu = 0.1, 0.02, 0.005
    zeta = niche_growth.tail_index(nu, sd, hazard)
    assert 0.5 * sd**2 * zeta**2 + nu * zeta - hazard == pytest.approx(0.0, abs=1e-12)
    assert niche_growth.tail_index(-0.5 * sd**2, sd, hazard) == pytest.approx(niche_demand.tail_index(sd, hazard))
    assert niche_growth.tail_index(0.01, 0.0, 0.02) == pytest.approx(2.0)
    assert niche_growth.tail_index(-0.01, 0.0, 0.02) == math.inf
    rng = np.random.default_rng(6)
    ages = rng.geometric(hazard, 400_000)
    u = rng.normal(nu * ages, sd * np.sqrt(ages))
    assert hill_alpha(np.exp(u), 0.01) == pytest.approx(zeta, rel=0.15)


def test_model_option_moves_incumbents_niches_with_the_market_only_when_switched_on():
    still = {"niche_demand_sd": 0.0, "start_age_hazard": 0.0}   # no shocks, no niche histories
    off = ClusterModel(seed=0, **still).run(3)
    assert not off.population.niche_demand[off.population.live].any()
    on = ClusterModel(seed=0, niche_market_growth=1.0, **still).run(3)
    u = on.population.niche_demand[on.population.live]
    assert u.max() == pytest.approx(3 * math.log(1.01)) and u.min() >= 0.0
    flat = ClusterModel(seed=0, niche_market_growth=1.0, demand_growth=0.0, **still).run(3)
    assert not flat.population.niche_demand[flat.population.live].any()
