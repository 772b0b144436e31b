"""Pure mechanism functions of issue 10 (knowledge frontier, levers through behaviour, firm sizes):
independent re-implementations, identities and properties that could fail."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import (
    brand,
    entry_decision,
    environment,
    product_lines,
    size_distribution,
    spillover,
    transport,
)

FAST = settings(max_examples=60, deadline=None)
pos = st.floats(0.01, 100.0, allow_nan=False)


# --- firm-size indicators ---------------------------------------------------------------------

def _hill_loop(sizes, share):
    s = sorted(sizes, reverse=True)
    k = math.floor(share * len(s))
    return k / sum(math.log(s[i] / s[k]) for i in range(k))


@FAST
@given(st.lists(st.floats(1.0, 1e6), min_size=200, max_size=400, unique=True), st.floats(0.03, 0.3))
def test_hill_equals_a_loop_and_is_scale_and_order_free(sizes, share):
    a = size_distribution.hill_alpha(sizes, share)
    assert a == pytest.approx(_hill_loop(sizes, share), rel=1e-9)
    assert size_distribution.hill_alpha(np.array(sizes) * 7.5, share) == pytest.approx(a, rel=1e-9)
    assert size_distribution.hill_alpha(sizes[::-1], share) == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize("alpha", [0.8, 1.06, 2.0])
def test_hill_recovers_a_pareto_tail(alpha):
    x = np.random.default_rng(1).pareto(alpha, 200_000) + 1.0
    assert size_distribution.hill_alpha(x, 0.05) == pytest.approx(alpha, rel=0.03)


def test_hill_rejects_bad_input_and_is_nan_without_a_tail():
    with pytest.raises(ValueError):
        size_distribution.hill_alpha([1.0, -2.0, 3.0])
    with pytest.raises(ValueError):
        size_distribution.hill_alpha([1.0, 2.0], top_share=1.5)
    assert math.isnan(size_distribution.hill_alpha(np.ones(1000)))
    assert math.isnan(size_distribution.hill_alpha(np.arange(1.0, 20.0)))   # k < 5


def test_growth_rates_match_firms_by_id():
    ls, g = size_distribution.growth_rates([3, 1, 2], [2.0, 1.0, 4.0], [2, 4, 1], [8.0, 1.0, 3.0])
    assert ls.tolist() == pytest.approx([0.0, math.log(4.0)])           # ids 1, 2
    assert g.tolist() == pytest.approx([math.log(3.0), math.log(2.0)])


@pytest.mark.parametrize("beta", [0.0, 0.2, 0.5])
def test_volatility_slope_recovers_a_power_law(beta):
    rng = np.random.default_rng(2)
    log_s = rng.uniform(0, 8, 50_000)
    growth = rng.normal(0, 0.5 * np.exp(-beta * log_s))
    assert size_distribution.volatility_slope(log_s, growth) == pytest.approx(-beta, abs=0.02)


def test_volatility_slope_equals_an_independent_binned_regression():
    from scipy import stats
    rng = np.random.default_rng(3)
    x, g = rng.normal(3, 1, 997), rng.normal(0, 1, 997)
    order = np.argsort(x, kind="stable")
    bins = np.array_split(order, 10)
    ref = stats.linregress([x[b].mean() for b in bins], [np.log(g[b].std(ddof=1)) for b in bins]).slope
    assert size_distribution.volatility_slope(x, g) == pytest.approx(ref, rel=1e-9)


# --- knowledge: cognitive distance ------------------------------------------------------------

@FAST
@given(pos, st.floats(0.05, 3.0))
def test_absorption_is_an_inverted_u_peaking_at_the_optimal_distance(k, dstar):
    d = np.linspace(0.0, 3 * dstar, 601)
    gain = spillover.cognitive_absorption(np.full_like(d, k), k * np.exp(d), dstar)
    peak = d[np.argmax(gain)]
    assert abs(peak - dstar) <= 3 * dstar / 600 + 1e-12
    assert gain.max() == pytest.approx(k * dstar / 2, rel=1e-3)
    assert gain[0] == 0 and (gain[d >= 2 * dstar * (1 + 1e-9)] < 1e-12).all() and (gain >= 0).all()


def test_absorption_is_nil_from_sources_behind_and_linear_for_small_gaps():
    k = np.array([1.0, 1.0])
    assert spillover.cognitive_absorption(k, np.array([0.5, 1.0]), 0.5).tolist() == [0.0, 0.0]
    small = spillover.cognitive_absorption(np.array([2.0]), np.array([2.001]), 1.0)[0]
    assert small == pytest.approx(0.001, rel=2e-3)


def test_frontier_learning_scales_with_exposure_and_leads_are_fully_exposed():
    e = spillover.outside_exposure(np.array([0.0, 0.4, 1.0]), np.array([0.0, 1.0, 1.0]), np.array([True, False, False]))
    assert e.tolist() == [1.0, 0.7, 1.0]
    g = spillover.frontier_learning(np.array([0.5, 0.5]), 1.0, np.array([0.2, 0.4]), 0.1, 1.0)
    assert g[1] == pytest.approx(2 * g[0]) and g[0] > 0


# --- environment: enforcement through behaviour ------------------------------------------------

def test_inspections_target_emitters_and_never_exceed_what_was_bought():
    raw = np.array([1.0, 3.0, 6.0, 0.0])
    p = environment.inspection_probability(2.0, raw)
    assert p.tolist() == pytest.approx([0.2, 0.6, 1.0, 0.0])
    assert p.sum() <= 2.0 and environment.inspection_probability(0.0, raw).sum() == 0


@FAST
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0, 2),
       st.floats(0.01, 100), st.floats(0, 1))
def test_abatement_is_the_cheapest_response(standard, prob, fine, c_var, c_fix, raw, saving):
    """The chosen share minimises C(a) over a fine grid of shares (brute force)."""
    a, cost, fine_due = environment.abatement_choice(np.array([raw]), standard, np.array([prob]), fine,
                                                     c_var, c_fix, np.array([saving]))
    keep = 1 - saving
    grid = np.linspace(0, standard, 2001)
    c_grid = c_fix * keep * (grid > 0) + c_var * keep * grid**2 * raw + prob * fine * (standard - grid) * raw
    assert cost[0] + fine_due[0] <= c_grid.min() + 1e-9 * max(1.0, c_grid.min())
    assert 0 <= a[0] <= standard + 1e-12


def test_more_enforcement_more_compliance_and_big_emitters_comply_first():
    raw = np.array([0.1, 1.0, 10.0])
    shares = [environment.abatement_choice(raw, 0.8, np.full(3, p), 2.0, 1.0, 0.5, np.zeros(3))[0]
              for p in (0.0, 0.3, 0.8, 1.0)]
    rates = [environment.compliance_rate(raw, a, 0.8) for a in shares]
    assert rates[0] == 0 and all(np.diff(rates) >= 0) and rates[-1] > rates[1]
    assert (np.diff(shares[2]) >= 0).all()                       # larger emitter, no less abatement


def test_dirty_multiplier_for_share_inverts_the_share():
    m = environment.dirty_multiplier_for_share(0.2, 0.25)
    assert m * 0.25 / (m * 0.25 + 0.75) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        environment.dirty_multiplier_for_share(1.2, 0.25)


# --- brand and specialised market ---------------------------------------------------------------

def test_brand_does_not_stick_to_goods_below_the_standard_and_decays():
    assert brand.stock_update(0.0, 10.0, 0.0, 0.1) == 0.0
    assert brand.stock_update(100.0, 10.0, 0.5, 0.1) == pytest.approx(95.0)
    assert brand.quality_share(np.array([1.0, 3.0]), np.array([1.0, 0.0])) == pytest.approx(0.25)


@FAST
@given(st.floats(0.01, 1e4), st.floats(0.01, 1e4), st.floats(0.01, 0.5))
def test_brand_elasticity_never_exceeds_eta(b, g, eta):
    h = 1e-6 * b
    up, down = brand.brand_multiplier(b + h, g, eta), brand.brand_multiplier(b - h, g, eta)
    elasticity = (math.log(up) - math.log(down)) / (math.log(b + h) - math.log(b - h))
    assert elasticity == pytest.approx(eta * b / (g + b), rel=1e-4, abs=1e-9)
    assert elasticity <= eta + 1e-9 and brand.brand_multiplier(0.0, g, eta) == 1.0


def test_market_lowers_the_distribution_margin_with_diminishing_returns():
    gains = [brand.market_multiplier(m, 0.3, 0.5, 200.0, 3.0) for m in (0, 100, 200, 1e9)]
    assert gains[0] == 1.0 and all(np.diff(gains) > 0)
    assert gains[-1] == pytest.approx((1.3 / 1.15) ** 3, rel=1e-6)
    assert gains[2] - gains[1] < gains[1] - gains[0]


# --- investment attraction and start-up grants ------------------------------------------------

def test_operating_profit_is_the_surplus_at_the_optimum():
    from model.production import optimal_size
    v, A, cl, ck, a, b = 0.3, 1.2, 0.15, 0.04, 0.5, 0.3
    L, K = optimal_size(v, A, cl, ck, a, b)
    Q = A * L**a * K**b
    assert entry_decision.operating_profit(v, A, cl, ck, a, b, 0.1) == pytest.approx(v * Q - cl * L - ck * K - 0.1)


def test_subsidies_pay_the_cheapest_marginal_prospects_first_within_the_fund():
    gain = np.array([5.0, -1.0, -3.0, -2.0, -50.0])
    cost = np.full(5, 10.0)
    comes, paid = entry_decision.subsidised_entry(gain, cost, 0.5, 3.5)
    assert comes.tolist() == [True, True, False, True, False]     # 5 over the cap: never paid
    assert paid.tolist() == [0.0, 1.0, 0.0, 2.0, 0.0] and paid.sum() <= 3.5


@FAST
@given(st.lists(st.floats(-20, 20), min_size=1, max_size=30), st.floats(0, 100))
def test_more_money_never_brings_fewer_firms(gain, fund):
    g = np.array(gain)
    cost = np.full(len(g), 15.0)
    few, paid_few = entry_decision.subsidised_entry(g, cost, 0.8, fund)
    more, paid_more = entry_decision.subsidised_entry(g, cost, 0.8, fund + 10)
    assert more.sum() >= few.sum() and paid_few.sum() <= fund + 1e-9 and paid_more.sum() <= fund + 10 + 1e-9


def test_a_more_profitable_cluster_needs_less_money_per_firm():
    rng = np.random.default_rng(4)
    size, _, option = entry_decision.draw_prospects(rng, 2000, 1.0, 1.0, 0.5, 0.6, 0.2, 1.0, 0.5)
    costs = 15.0 * size
    counts = []
    for profit in (0.4, 0.8):
        gain = entry_decision.net_gain(profit * size, option, costs, 0.015, 0.02)
        comes, paid = entry_decision.subsidised_entry(gain, costs, 0.5, 300.0)
        counts.append((comes.sum(), paid.sum()))
    assert counts[1][0] > counts[0][0] > 0
    assert counts[1][1] / counts[1][0] < counts[0][1] / counts[0][0]       # money per firm that came


# --- product lines and transport -------------------------------------------------------------------

def test_lines_follow_gibrat_in_expectation_with_volatility_falling_with_size():
    rng = np.random.default_rng(5)
    for n0 in (4, 64):
        n = np.full(20_000, float(n0))
        stage = np.arange(20_000) % 2
        g = np.log(product_lines.update_lines(rng, n, np.ones(20_000, bool), stage, 0.05, 0.04) / n)
        if n0 == 4:
            small = g.std()
        else:
            assert g.std() < small / 2                               # ≈ √(4/64) = 1/4
    assert (product_lines.update_lines(rng, np.ones(100), np.zeros(100, bool), np.zeros(100, int), 0.5, 1.0)
            == 1).all()
    assert product_lines.line_factor(np.array([8.0]), 0.5, 0.3)[0] == pytest.approx(8**0.2)


def test_creative_destruction_conserves_each_stages_lines_and_loses_them_at_its_innovation_rate():
    """Klette & Kortum: with no obsolescence (d = 0) each stage's line count is exactly conserved,
    and the lines each firm loses average the stage's innovation rate μ_s = b Σ n 1[π>0] / Σ (n − f)
    times its capturable lines (computed here independently, by counting)."""
    rng = np.random.default_rng(11)
    n = rng.integers(1, 30, 400).astype(float)
    stage = rng.integers(0, 3, 400)
    profitable = rng.random(400) < 0.6
    floor = (np.arange(400) < 20).astype(int)                         # 20 lead firms keep a core line
    b, reps = 0.05, 4000
    lost, change = np.zeros(400), np.zeros(400)
    for _ in range(reps):
        new = product_lines.update_lines(rng, n, profitable, stage, b, 0.0, floor)
        for s in range(3):
            assert new[stage == s].sum() == n[stage == s].sum()        # conserved, draw by draw
        assert (new >= floor).all()
        lost += np.maximum(n - new, 0)
        change += new - n
    mu = [b * n[(stage == s) & profitable].sum() / (n[stage == s] - floor[stage == s]).sum() for s in range(3)]
    assert product_lines.stage_innovation_rate(n, profitable, stage, b, floor, 3) == pytest.approx(mu)
    # unprofitable firms make no improvements: each loses μ_s (n − f) a quarter on average
    idle = ~profitable
    expect = np.array(mu)[stage[idle]] * (n[idle] - floor[idle])
    assert lost[idle].sum() / reps == pytest.approx(expect.sum(), rel=0.03)
    # profitable firms gain b n and lose μ_s (n − f) on average
    prof = profitable
    expect_prof = b * n[prof] - np.array(mu)[stage[prof]] * (n[prof] - floor[prof])
    assert change[prof].sum() / reps == pytest.approx(expect_prof.sum(), rel=0.05)


def test_innovation_intensity_rises_with_the_profit_a_line_earns_and_averages_one_per_stage():
    """Lentz & Mortensen: w_i = 1[π > 0] (v_i / v̄_s)^ε with v = π / n and v̄_s the line-weighted
    mean over the stage's profitable firms (computed here independently, firm by firm); ε = 0 is
    Klette & Kortum's 1[π > 0]; with ε = 1 the line-weighted mean of w over a stage's profitable
    lines is 1 (the stage's innovation is redistributed, not raised); a stage's lines stay conserved
    and the firms whose lines earn more take more lines on average."""
    rng = np.random.default_rng(13)
    n = rng.integers(1, 20, 300).astype(float)
    stage = rng.integers(0, 3, 300)
    profit = rng.normal(0.5, 1.0, 300) * n
    w0 = product_lines.relative_intensity(profit, n, stage, 0.0, 3)
    assert (w0 == (profit > 0)).all()
    w = product_lines.relative_intensity(profit, n, stage, 1.0, 3)
    for s in range(3):
        up = (stage == s) & (profit > 0)
        ref = profit[up].sum() / n[up].sum()
        assert w[up] == pytest.approx(profit[up] / n[up] / ref)
        assert (w[(stage == s) & (profit <= 0)] == 0).all()
        assert (w[up] * n[up]).sum() / n[up].sum() == pytest.approx(1.0)
    high = w > 1
    change = np.zeros(300)
    for _ in range(2000):
        new = product_lines.update_lines(rng, n, w, stage, 0.05, 0.0, 0)
        assert [new[stage == s].sum() for s in range(3)] == [n[stage == s].sum() for s in range(3)]
        change += new - n
    assert (change[high] / n[high]).mean() > 0 > (change[~high] / n[~high]).mean()


def test_entrants_take_lines_from_their_stage_with_the_lines_workers():
    """Klette & Kortum entry: each entrant takes one capturable line of its stage while any is left;
    the lines taken equal the lines lost, stage by stage, and the workers handed over equal the
    workers hired (labour pooling: nothing is created or destroyed)."""
    rng = np.random.default_rng(14)
    n = rng.integers(1, 6, 200).astype(float)
    stage = rng.integers(0, 3, 200)
    floor = (np.arange(200) < 10).astype(int)
    workers = rng.uniform(5, 50, 200)
    entrants = np.array([0] * 30 + [1] * 5 + [2] * 1000)          # stage 2 asks for more lines than it has
    lost, released, hired, took = product_lines.entrants_take_lines(rng, n, floor, stage, workers, entrants, 1.0)
    for s in range(3):
        capturable = (n - np.minimum(floor, n))[stage == s].sum()
        assert lost[stage == s].sum() == took[entrants == s].sum() == min((entrants == s).sum(), capturable)
        assert released[stage == s].sum() == pytest.approx(hired[entrants == s].sum())
    assert (lost <= n - np.minimum(floor, n)).all()
    assert released == pytest.approx(workers * lost / n)


def test_obsolescence_is_the_only_net_loss_of_a_stages_lines():
    rng = np.random.default_rng(12)
    n = np.full(5000, 10.0)
    stage = np.zeros(5000, int)
    new = product_lines.update_lines(rng, n, rng.random(5000) < 0.5, stage, 0.05, 0.02, 0)
    assert (n.sum() - new.sum()) / n.sum() == pytest.approx(0.02, rel=0.05)


def test_infrastructure_cuts_freight_and_freight_share_is_an_identity():
    assert transport.local_freight_rate(0.002, np.array([0.0, 1.0]), 0.5).tolist() == pytest.approx([0.002, 0.001])
    assert transport.long_haul_share(0.08, 0.5, 0.5) == pytest.approx(0.06)
    assert transport.freight_share_of_delivered_cost([1.0, 1.0], [9.0, 9.0]) == pytest.approx(0.1)
