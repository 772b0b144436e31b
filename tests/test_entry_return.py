"""Local entrants choose their stage by return on capital (`entry_return_on_capital`): the weights of
model.demography.entrant_stage_weights against an independent computation, and the DuPont point that
motivates the option (two stages with equal profit per unit of capital but different asset turnover)."""

import numpy as np

from model import demography


def _two_stages(base_upstream, base_downstream):
    # stage 0: two firms; stage 1 (the final firms): two firms; no imports, equal plant sizes
    stage = np.array([0, 0, 1, 1])
    profit = np.array([1.0, 1.0, 1.0, 1.0])
    base = np.array([base_upstream, base_upstream, base_downstream, base_downstream], float)
    inputs = np.array([0.0, 0.0, 4.0, 4.0])
    return demography.entrant_stage_weights(stage, profit, base, inputs, inputs, 1, 0.1, np.ones(2))


def test_equal_return_on_capital_gives_equal_weights_whatever_the_turnover():
    # equal capital (10 each) in both stages, revenue 5 upstream and 20 downstream (turnover 0.5 vs 2)
    on_capital = _two_stages(10.0, 10.0)
    on_sales = _two_stages(5.0, 20.0)
    np.testing.assert_allclose(on_capital, [0.5, 0.5])
    # on sales the downstream stage's margin is a quarter of the upstream one's: weights 0.8 / 0.2
    np.testing.assert_allclose(on_sales, [0.8, 0.2])


def test_weights_match_an_independent_computation():
    rng = np.random.default_rng(3)
    n, S = 40, 3
    stage = rng.integers(0, S + 1, n)
    profit = rng.normal(0.5, 1.0, n)
    capital = rng.uniform(1.0, 5.0, n)
    total = rng.uniform(0.0, 3.0, n)
    local = total * rng.uniform(0.3, 1.0, n)
    scale = np.array([1.0, 0.5, 2.0, 1.0])
    got = demography.entrant_stage_weights(stage, profit, capital, total, local, S, 0.1, scale)
    want = np.zeros(S + 1)
    for s in range(S + 1):
        ret = profit[stage == s].sum() / capital[stage == s].sum() if (stage == s).any() else 0.1
        buyers = (stage == s + 1) & (stage >= 1) if s < S else np.zeros(n, bool)
        need = total[buyers].sum()
        imported = (total[buyers] - local[buyers]).sum() / need if need > 0 else 0.0
        want[s] = max(ret, 0.0) * (1.0 + imported) / scale[s]
    np.testing.assert_allclose(got, want / want.sum())
