"""New varieties (`line_variety`, model.product_lines.new_varieties): incumbents' product development
that adds lines instead of taking a rival's (Simon 1955; Ijiri & Simon 1977; Luttmer 2011)."""

import numpy as np
import pytest

from model import ClusterModel, product_lines


def test_new_varieties_are_the_only_net_change_of_a_stage_and_come_only_from_the_profitable():
    """With obsolescence off (d = 0) creative destruction conserves a stage's lines, so each stage
    grows by exactly the varieties its firms developed, draw by draw; the unprofitable develop none,
    and a profitable firm's varieties average ν n (counted here, independently of the binomial)."""
    rng = np.random.default_rng(21)
    n = rng.integers(1, 40, 500).astype(float)
    stage = rng.integers(0, 3, 500)
    profitable = rng.random(500) < 0.6
    nu, reps = 0.03, 2000
    made = np.zeros(500)
    for _ in range(reps):
        changes = {}
        new = product_lines.update_lines(rng, n, profitable, stage, 0.05, 0.0, 0, changes, variety=nu)
        v = changes["varieties"]
        assert (v[~profitable] == 0).all()
        assert np.array_equal(changes["held"], n + v)
        for s in range(3):
            assert new[stage == s].sum() == n[stage == s].sum() + v[stage == s].sum()
        made += v
    assert made[profitable].sum() / reps == pytest.approx(nu * n[profitable].sum(), rel=0.02)


def test_varieties_are_proportional_to_size_gibrats_law_and_their_noise_falls_as_one_over_root_n():
    """Preferential growth (Simon): the expected varieties per line do not depend on n, and the sd of
    the growth rate falls as 1/√n (4 vs 64 lines: a quarter)."""
    rng = np.random.default_rng(22)
    rate = {}
    sd = {}
    for n0 in (4, 64):
        n = np.full(40_000, float(n0))
        v = product_lines.new_varieties(rng, n, np.ones(40_000, bool), 0.05)
        rate[n0], sd[n0] = (v / n).mean(), (v / n).std()
    assert rate[4] == pytest.approx(rate[64], rel=0.05) and rate[64] == pytest.approx(0.05, rel=0.05)
    assert sd[64] / sd[4] == pytest.approx(0.25, rel=0.1)


def test_a_firm_that_keeps_a_line_keeps_workers_when_its_old_lines_are_taken():
    """A new variety is in the portfolio when rivals strike: the workers spread over n + V lines, so
    a firm left with a line after the turnover still has staff (follow_lines on `held`)."""
    rng = np.random.default_rng(23)
    n = np.ones(3000)
    stage = np.zeros(3000, int)
    profitable = rng.random(3000) < 0.5
    changes = {}
    new = product_lines.update_lines(rng, n, profitable, stage, 0.9, 0.0, 0, changes, variety=0.9)
    L = product_lines.follow_lines(np.full(3000, 5.0), changes["held"], changes["gained"], changes["lost"], stage, 1.0)
    kept = new >= 1
    assert (L[kept] > 0).all()
    assert L.sum() == pytest.approx(5.0 * 3000)                      # labour pooling moves, never destroys


def test_variety_zero_draws_nothing_and_bad_rates_are_refused():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    n, stage, up = np.arange(1, 21, dtype=float), np.zeros(20, int), np.ones(20, bool)
    assert np.array_equal(product_lines.update_lines(a, n, up, stage, 0.1, 0.02, 0),
                          product_lines.update_lines(b, n, up, stage, 0.1, 0.02, 0, variety=0.0))
    with pytest.raises(ValueError, match="variety"):
        product_lines.update_lines(a, n, up, stage, 0.1, 0.02, 0, variety=1.5)


def test_the_model_with_new_varieties_runs_and_grows_its_lines():
    """Switched on, incumbents add lines: after 12 quarters the cluster holds more lines than the
    same seed without varieties, and every live enterprise has workers."""
    lines = {}
    for nu in (0.0, 0.05):
        m = ClusterModel(seed=3, line_variety=nu).run(12)
        pop = m.population
        assert (pop.workers[pop.live] > 0).all()
        lines[nu] = pop.lines[pop.live].sum()
    assert lines[0.05] > lines[0.0]
