"""The age-structured start (model/firm_ages.py): stationary ages, line histories, survivors,
the stage's loss rate and the employment rescale, against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import firm_ages
from model.product_lines import stage_innovation_rate


def test_stationary_ages_are_geometric_with_the_exit_hazard():
    rng = np.random.default_rng(0)
    delta = 0.05
    a = firm_ages.stationary_ages(rng, 200_000, delta)
    assert a.min() == 0
    assert abs(a.mean() - (1 - delta) / delta) < 0.2          # E a = (1 − δ)/δ = 19
    assert abs((a == 0).mean() - delta) < 0.003               # P(a = 0) = δ
    # survival: P(a ≥ k) = (1 − δ)^k
    assert abs((a >= 20).mean() - (1 - delta) ** 20) < 0.005


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_stationary_ages_reject_a_hazard_outside_the_unit_interval(bad):
    with pytest.raises(ValueError, match="hazard"):
        firm_ages.stationary_ages(np.random.default_rng(0), 3, bad)


def test_line_histories_without_gains_or_losses_keep_one_line():
    n = firm_ages.line_histories(np.random.default_rng(1), np.arange(50), 0.0, 0.0)
    assert (n == 1).all()


def test_line_histories_of_pure_losses_survive_with_the_geometric_probability():
    rng = np.random.default_rng(2)
    mu, age = 0.03, 30
    n = firm_ages.line_histories(rng, np.full(100_000, age), 0.0, mu)
    assert set(np.unique(n)) <= {0, 1}
    assert abs(n.mean() - (1 - mu) ** age) < 0.006


def test_line_histories_of_pure_gains_grow_at_one_plus_b_per_quarter():
    rng = np.random.default_rng(3)
    b, age = 0.05, 20
    n = firm_ages.line_histories(rng, np.full(50_000, age), b, 0.0)
    assert abs(n.mean() / (1 + b) ** age - 1) < 0.02          # E n_a = (1 + b)^a


def test_line_histories_match_a_loop_over_firms():
    """The vectorised history equals a firm-by-firm loop drawing the same binomials in the same order
    when the firms share one age (the draws are then made over the same rows each quarter)."""
    ages, b, mu = np.full(40, 25), np.linspace(0, 0.1, 40), np.full(40, 0.04)
    got = firm_ages.line_histories(np.random.default_rng(4), ages, b, mu)
    rng = np.random.default_rng(4)
    n = np.ones(40, np.int64)
    for _ in range(25):
        alive = n > 0
        k = n[alive]
        gain = rng.binomial(k, b[alive])
        loss = rng.binomial(k, mu[alive])
        n[alive] = k + gain - loss
    assert (got == n).all()


def test_survivors_hold_at_least_one_line_and_only_the_profitable_more():
    rng = np.random.default_rng(5)
    prof = rng.random(2000) < 0.6
    stage = rng.integers(0, 3, 2000)
    ages, lines = firm_ages.survivors(rng, prof, stage, 0.05, 0.02, np.array([0.03, 0.03, 0.03]))
    assert (lines >= 1).all() and (ages >= 0).all()
    assert (lines[~prof] == 1).all()
    assert lines[prof].mean() > 1.5


def test_prehistory_loss_rate_is_consistent_with_its_cross_section_and_reproducible():
    """μ_s of the cross-section the pre-history makes is the μ_s its last histories ran at, to the
    precision of one redraw (the fixed point of μ → cross-section → μ)."""
    prof = np.random.default_rng(6).random(3000) < 0.6
    stage = np.random.default_rng(7).integers(0, 2, 3000)
    one = firm_ages.prehistory(np.random.default_rng(8), prof, stage, 0.05, 0.03, 2)
    two = firm_ages.prehistory(np.random.default_rng(8), prof, stage, 0.05, 0.03, 2)
    assert all((x == y).all() for x, y in zip(one, two))
    ages, lines = one
    mu = stage_innovation_rate(lines, prof, stage, 0.05, 0, 2)
    again = firm_ages.prehistory(np.random.default_rng(9), prof, stage, 0.05, 0.03, 2)[1]
    mu_again = stage_innovation_rate(again, prof, stage, 0.05, 0, 2)
    assert np.allclose(mu, mu_again, rtol=0.1)
    assert (mu > 0.05 * 0.6).all()      # the profitable hold more than their share of firms' lines


def test_line_scale_is_the_employment_weighted_mean_lines_of_each_stage():
    rng = np.random.default_rng(10)
    lines, workers, stage = rng.integers(1, 30, 500), rng.lognormal(2, 1, 500), rng.integers(0, 3, 500)
    df = pd.DataFrame({"n": lines, "L": workers, "s": stage})
    expected = df.assign(nL=df.n * df.L).groupby("s")[["nL", "L"]].sum()
    got = firm_ages.line_scale(lines, workers, stage, 4)
    assert np.allclose(got[:3], (expected.nL / expected.L).to_numpy())
    assert got[3] == 1.0


def test_age_structured_start_keeps_the_enterprises_and_about_the_employment_of_the_one_line_start():
    from model import ClusterModel

    one = ClusterModel(seed=1)
    aged = ClusterModel(seed=1, start_age_hazard=0.02)
    p1, p2 = one.population, aged.population
    assert len(p1.live) == len(p2.live)
    assert (p1.lines[p1.live] == 1).all() and p2.lines[p2.live].max() > 1
    e1 = np.bincount(p1.stage[p1.live], p1.workers[p1.live])
    e2 = np.bincount(p2.stage[p2.live], p2.workers[p2.live])
    assert np.all(np.abs(e2 / e1 - 1) < 0.25), (e1, e2)


def test_prehistory_refuses_a_hazard_below_the_growth_of_the_profitable():
    """δ = 0.005 against b = 0.5 with half the firms profitable: ages ≈ 200 quarters, growth ≈ b (1 − s)
    ≈ 0.25 a quarter — no finite mean size, a clear error instead of 10^9 lines or an overflow."""
    prof = np.arange(200) % 2 == 0
    with pytest.raises(ValueError, match="start_age_hazard"):
        firm_ages.prehistory(np.random.default_rng(0), prof, np.zeros(200, int), 0.5, 0.005, 1)


def test_niche_histories_are_the_walk_of_model_niche_demand_over_each_age():
    """u after a quarters of niche_demand.step from 0 (a loop, the independent computation) and the
    exact draw have the same mean (d − σ²/2) a and variance σ² a, within 4 standard errors."""
    from model import niche_demand

    sd, drift, age = 0.1, 0.01, 60
    ages = np.full(20_000, age)
    u = firm_ages.niche_histories(np.random.default_rng(4), ages, sd, drift)
    rng, loop = np.random.default_rng(5), np.zeros(20_000)
    for _ in range(age):
        loop = niche_demand.step(rng, loop, sd, drift)
    for x in (u, loop):
        assert abs(x.mean() - (drift - sd**2 / 2) * age) < 4 * sd * np.sqrt(age / x.size)
        assert x.var() == pytest.approx(sd**2 * age, rel=0.05)
    assert not firm_ages.niche_histories(np.random.default_rng(4), np.zeros(3, int), sd, drift).any()


def test_age_structured_start_with_niche_shocks_gives_the_smes_their_niches_and_keeps_the_employment():
    from model import ClusterModel

    one = ClusterModel(seed=1)
    aged = ClusterModel(seed=1, start_age_hazard=0.02, niche_demand_sd=0.1)
    p1, p2 = one.population, aged.population
    u = p2.niche_demand[p2.live]
    assert not u[p2.is_lead[p2.live]].any() and u.std() > 0.2
    e1 = np.bincount(p1.stage[p1.live], p1.workers[p1.live])
    e2 = np.bincount(p2.stage[p2.live], p2.workers[p2.live])
    # the rescale rounds (EMPLOYMENT_ROUNDS) hold the total; a few very large plants move stages by up to ~25%
    assert abs(e2.sum() / e1.sum() - 1) < 0.1 and np.all(np.abs(e2 / e1 - 1) < 0.35), (e1, e2)
