"""Liquidity-constrained founders and start-up grants (model.entry_decision, agents.prospects):
independent computations of the pure functions and a paired-seed direction test of the grant
acting on constrained founders."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from model import entry_decision

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(st.lists(st.tuples(st.floats(0.0, 1e4), st.floats(0.0, 1e4)), min_size=1, max_size=20),
       st.floats(1.0, 10.0))
@example([(5e-324, 0.0)], 1.5)      # a subnormal outlay: o / lam underflows (found by hypothesis)
def test_shortfall_is_the_equity_a_founder_lacks_to_invest_the_outlay(pairs, lam):
    outlay, wealth = (np.array(v) for v in zip(*pairs))
    short = entry_decision.liquidity_shortfall(outlay, wealth, lam)
    for o, z, s in zip(outlay, wealth, short):
        expected = o / lam - z if lam * z < o else 0.0        # k <= lam (z + g): the smallest g that lets k = O
        assert s == pytest.approx(expected, rel=1e-12, abs=1e-9)
        assert lam * (z + s) >= o * (1 - 1e-12) - 1e-300       # with the grant the outlay can be financed


def test_shortfall_refuses_a_bank_that_lends_less_than_the_collateral():
    with pytest.raises(ValueError, match="founder_leverage"):
        entry_decision.liquidity_shortfall([1.0], [0.5], 0.9)


def test_outlay_is_entry_cost_capital_and_cash_per_plant():
    assert entry_decision.startup_outlay(np.array([1.0, 2.5]), 3.0, 15.0, 3.0).tolist() == [21.0, 52.5]


def test_wealth_dispersion_gives_the_lognormal_gini():
    z = entry_decision.draw_wealth(np.random.default_rng(0), 200_000, 7.0, 1.5)
    s = np.sort(z)
    n = len(s)
    gini = 2 * np.sum(np.arange(1, n + 1) * s) / (n * s.sum()) - (n + 1) / n
    assert gini == pytest.approx(2 * stats.norm.cdf(1.5 / math.sqrt(2)) - 1, abs=0.01)
    assert np.median(z) == pytest.approx(7.0, rel=0.02)


def test_a_profitable_but_constrained_founder_comes_only_with_a_grant_of_its_shortfall():
    gain = np.array([4.0, 4.0, -1.0, 4.0])       # expected gains: three positive
    outlay = np.full(4, 20.0)
    short = np.array([0.0, 3.0, 0.0, 12.0])      # the second lacks 3; the fourth lacks more than half the outlay
    comes, paid = entry_decision.subsidised_entry(gain, outlay, 0.5, 0.0, short)
    assert comes.tolist() == [True, False, False, False] and paid.sum() == 0.0
    comes, paid = entry_decision.subsidised_entry(gain, outlay, 0.5, 100.0, short)
    assert comes.tolist() == [True, True, True, False]
    assert paid.tolist() == [0.0, 3.0, 1.0, 0.0]   # need = max(−gain, shortfall), cheapest first


@FAST
@given(st.lists(st.tuples(st.floats(-20, 20), st.floats(0, 20)), min_size=1, max_size=30), st.floats(0, 100))
def test_need_is_the_larger_of_the_loss_and_the_shortfall(rows, fund):
    gain, short = (np.array(v) for v in zip(*rows))
    comes, paid = entry_decision.subsidised_entry(gain, np.full(len(gain), 30.0), 0.5, fund, short)
    need = np.maximum(np.maximum(-gain, 0), short)
    assert np.all(comes[need <= 0]) and np.all(paid[need <= 0] == 0)
    assert np.allclose(paid[comes & (need > 0)], need[comes & (need > 0)])
    assert paid.sum() <= fund + 1e-9 and not np.any(comes & (need > 15.0))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "Measured on main a4d7986 (spot_arbitrage on since d178f30): grants paid in 12 quarters 95.5 vs 73.3 with "
    "rich founders (seed 0, holds), 43.7 vs 69.0 (seed 1) and 94.1 vs 98.0 (seed 2): with every founder rich "
    "enough, more of them come, and their number outweighs the smaller grant each needs in two seeds of three"))
def test_grants_pay_more_founders_when_founders_are_short_of_wealth_paired_seeds():
    """Same seeds, same grant budget: with the default founders (most short of wealth) the programme
    pays out more than when every founder is rich enough to finance the outlay, because a
    constrained founder needs the larger of its expected loss and its shortfall."""
    from scenarios import load_scenario

    def paid(seed, **over):
        m = load_scenario("baseline").with_overrides(entrepreneurship=20.0, **over).build(seed=seed)
        total = 0.0
        for _ in range(12):
            m.step()
            total += m.government.spending_by_lever["entrepreneurship"]
        return total

    for seed in (0, 1, 2):
        assert paid(seed) > paid(seed, founder_wealth=100.0) + 10.0

