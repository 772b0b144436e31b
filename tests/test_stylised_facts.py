"""Stylised-fact functions (experiments/stylised_facts.py) against independent computations, and
the pure dartboard null: γ centred on 0 as Ellison & Glaeser (1997) prove."""

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import cKDTree

from experiments import stylised_facts as sf


def test_pure_dartboard_gamma_is_centred_on_zero():
    rng = np.random.default_rng(0)
    emp = rng.lognormal(2.0, 1.0, 300)
    share = rng.dirichlet(np.ones(25))
    g = sf.dartboard_gammas(emp, share, rng, draws=400)
    assert abs(g.mean()) < 3 * g.std(ddof=1) / np.sqrt(len(g))     # E[γ] = 0 (EG 1997, Prop. 1)


def test_plants_piled_into_one_region_are_far_from_the_null():
    from model import metrics

    rng = np.random.default_rng(1)
    emp = rng.lognormal(2.0, 1.0, 300)
    share = np.full(25, 1 / 25)
    null = sf.dartboard_gammas(emp, share, rng, draws=100)
    piled = metrics.ellison_glaeser(emp, np.where(rng.random(300) < 0.5, 0, rng.integers(0, 25, 300)), share)
    assert piled > null.max()


def test_t_statistic_equals_scipy():
    v = np.array([0.3, -0.1, 0.4, 0.2, 0.05])
    assert sf.t_statistic(v) == pytest.approx(stats.ttest_1samp(v, 0.0).statistic)
    assert np.isnan(sf.t_statistic([1.0]))


def test_gibrat_slope_equals_scipy_linregress():
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    g = -0.1 * x + rng.normal(scale=0.3, size=200)
    reg = stats.linregress(x, g)
    slope, se = sf.gibrat_slope(x, g)
    assert slope == pytest.approx(reg.slope) and se == pytest.approx(reg.stderr)


def test_nearest_distance_equals_a_kd_tree():
    rng = np.random.default_rng(3)
    p, q = rng.integers(0, 50, (40, 2)), rng.integers(0, 50, (30, 2))
    expected = cKDTree(q).query(p)[0]
    assert np.allclose(sf.nearest_distance(p[:, 0], p[:, 1], q[:, 0], q[:, 1]), expected)
    assert np.isinf(sf.nearest_distance([1], [1], [], [])).all()
