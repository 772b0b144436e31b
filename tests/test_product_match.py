"""Product match between stages (model/product_match.py): equal to an independent computation,
off at ς = 0, and, in the model, buyers source less locally when part of their inputs is specific."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import product_match
from scenarios import load_scenario


def _tie_match_loop(share, trust, dst, invested, n_rows):
    out = np.full(n_rows, 1.0 - share)
    for b in range(n_rows):
        mine = [j for j in range(len(dst)) if dst[j] == b]
        if mine:
            w = np.array([trust[j] + 0.1 for j in mine])
            m = np.array([1.0 - share + share * invested[j] for j in mine])
            out[b] = float(np.sum(w * m) / np.sum(w))
    return out


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 1.0), st.lists(st.tuples(st.integers(0, 5), st.floats(0.0, 1.0), st.booleans()), max_size=20))
def test_tie_match_is_the_order_weighted_match_of_the_ties(share, ties):
    dst = np.array([d for d, _, _ in ties], np.int64)
    trust = np.array([t for _, t, _ in ties], float)
    invested = np.array([e for _, _, e in ties], float)
    got = product_match.tie_match(share, trust, dst, 6, 0.1, invested)
    assert np.allclose(got, _tie_match_loop(share, trust, dst, invested, 6), rtol=1e-12, atol=1e-12)
    assert ((got >= 1.0 - share - 1e-12) & (got <= 1.0 + 1e-12)).all()
    assert np.allclose(product_match.tie_match(share, trust, dst, 6), 1.0 - share)   # nobody invested


def test_every_input_standard_switches_the_match_off():
    trust, dst = np.array([0.05, 0.7, 0.2]), np.array([0, 0, 2])
    assert (product_match.tie_match(0.0, trust, dst, 4) == 1.0).all()
    need, bought = np.array([10.0, 4.0, 3.0]), np.array([6.0, 4.0, 0.0])
    assert np.array_equal(product_match.spot_need(need, bought, np.ones(3), 0.0), need - bought)


def test_spot_market_serves_only_the_standard_rest():
    share, need = 0.4, np.array([10.0, 10.0, 10.0])
    match = np.array([0.6, 0.8, 1.0])
    bought = need * match                      # the ties delivered all they were asked for
    spot = product_match.spot_need(need, bought, match, share)
    assert np.allclose(spot, 0.0)             # the standard part came along the ties …
    spot = product_match.spot_need(need, np.zeros(3), match, share)
    assert np.allclose(spot, (1 - share) * need)   # … or is all the spot market may sell
    with pytest.raises(ValueError, match="specific_input_share"):
        product_match.tie_match(1.5, np.zeros(0), np.zeros(0, np.int64), 2)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): seed 2 sources more locally with half its inputs specific "
                   "(0.306 against 0.281 with every input standard; seeds 0 and 1 hold); not diagnosed yet")
def test_specific_inputs_lower_local_sourcing_in_the_unlinked_towns():
    """Paired seeds: at the end of the Hunan run (60 quarters), towns with half their inputs specific
    source less locally than with every input standard (early on, buyers cut off from the spot
    market form more ties, so the direction is asserted where the scenario's figure is measured)."""
    for seed in (0, 1, 2):
        shares = []
        for specific in (0.0, 0.5):
            scenario = load_scenario("hunan_scattered_towns").with_overrides(specific_input_share=specific)
            model = scenario.build(seed=seed)
            for _ in range(scenario.steps):
                model.step()
            shares.append(model.results()["local_sourcing_share"].iloc[-4:].mean())
        assert shares[1] < shares[0], (seed, shares)


# --- the relationship-specific investment ------------------------------------------------------
def _present_value_loop(margin, sales, trust, cost, r, delta, horizon=4000):
    """Σ_{t ≥ 1} (π S − δ I) (τ/(1+r))^t, summed quarter by quarter."""
    pv, survive = 0.0, 1.0
    for _ in range(horizon):
        survive *= trust / (1 + r)
        pv += (max(margin, 0.0) * sales - delta * cost) * survive
    return pv


@settings(max_examples=100, deadline=None)
@given(st.floats(-0.2, 0.5), st.floats(0.0, 50.0), st.floats(0.0, 0.97), st.floats(0.0, 1.0), st.floats(0.0, 2.0),
       st.floats(0.0, 40.0), st.floats(0.0, 10.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_investment_decision_equals_the_quarter_by_quarter_present_value(margin, sales, trust, a, gap_extra,
                                                                         contact, overhead, assoc, saving):
    gap, r, delta, tooling = 1.0 + gap_extra, 0.015, 0.025, 2.0 * a
    cost = product_match.investment_cost(sales, gap, overhead, tooling, contact, assoc, saving)
    assert np.isclose(cost, tooling * gap * sales + contact * overhead * (1 - saving * assoc))
    pv = _present_value_loop(margin, sales, trust, float(cost), r, delta)
    got = bool(product_match.invests(margin, sales, trust, cost, r, delta))
    if abs(pv - cost) > 1e-6 * (1 + abs(cost)):          # away from the knife edge
        assert got == (pv >= cost and sales > 0)
    keep = bool(product_match.keeps(margin, sales, cost, delta))
    assert keep == (max(margin, 0.0) * sales >= delta * cost)


def test_association_lowers_only_the_contact_part_of_the_investment():
    base = product_match.investment_cost(4.0, 1.5, 2.0, 1.0, 3.0, 0.0, 0.5)
    assoc = product_match.investment_cost(4.0, 1.5, 2.0, 1.0, 3.0, 1.0, 0.5)
    assert np.isclose(base, 1.0 * 1.5 * 4.0 + 3.0 * 2.0)
    assert np.isclose(base - assoc, 0.5 * 3.0 * 2.0)


def test_ties_invest_where_the_trade_covers_it_and_suppliers_pay_for_it():
    """Hand-made network: two buyers, three suppliers; the decisions and the spending equal the
    formulas worked out by hand, and a supplier gives up an investment its trade no longer covers."""
    from model.supply_network import SupplyNetwork
    net = SupplyNetwork()
    # ties: s2 → b0 (trusted), s3 → b0 (new), s4 → b1 (trusted, but s4 is behind b1's knowledge)
    net.add(np.array([2, 3, 4]), np.array([0, 0, 1]), np.array([0.99, 0.1, 0.99]))
    p = dict(specific_input_share=0.5, order_trust_offset=0.1, specific_tooling_quarters=1.0,
             tie_contact_quarters=1.0, association_contact_saving=0.5, interest_rate=0.015, depreciation=0.025)
    need = np.array([10.0, 10.0, 0, 0, 0])
    margin = np.array([0, 0, 0.1, 0.1, 0.1])
    price = np.ones(5)
    knowledge = np.array([1.0, 4.0, 1.0, 1.0, 1.0])
    overhead = np.full(5, 0.1)
    spend = product_match.invest_in_ties(net, need, margin, price, knowledge, overhead, p, 0.0, 5)
    w = np.array([1.09, 0.2]) / 1.29
    sales = np.array([0.5 * 10 * w[0], 0.5 * 10 * w[1], 0.5 * 10])
    cost = np.array([sales[0] + 0.1, sales[1] + 0.1, 4.0 * sales[2] + 0.1])
    rho = np.array([0.99, 0.1, 0.99]) / 1.015
    want = (0.1 * sales - 0.025 * cost) * rho / (1 - rho) >= cost
    assert list(want) == [True, False, False]               # trusted and able; too new; too far behind
    assert np.array_equal(net.invested, want.astype(float))
    assert np.allclose(spend, [0, 0, cost[0], 0, 0])
    assert np.allclose(product_match.tie_match(0.5, net.trust, net.dst, 5, 0.1, net.invested)[:2],
                       [1 - 0.5 + 0.5 * w[0], 0.5])
    # the next quarter the supplier's margin is gone: it does not keep the asset up
    spend = product_match.invest_in_ties(net, need, np.zeros(5), price, knowledge, overhead, p, 0.0, 5)
    assert not net.invested.any() and np.allclose(spend, 0.0)


@pytest.mark.slow
def test_a_dearer_specific_investment_gives_fewer_specific_ties():
    """Paired seeds, Hunan towns (60 quarters): doubling the tooling cost κ leaves fewer ties with
    the investment in every seed, and less local sourcing at the end on average."""
    invested, local = [], []
    for seed in (0, 1, 2):
        for tooling in (0.5, 1.0):
            scenario = load_scenario("hunan_scattered_towns").with_overrides(specific_tooling_quarters=tooling)
            model = scenario.build(seed=seed)
            for _ in range(scenario.steps):
                model.step()
            invested.append(model.network.invested.sum())
            local.append(model.results()["local_sourcing_share"].iloc[-4:].mean())
    invested, local = np.reshape(invested, (3, 2)), np.reshape(local, (3, 2))
    assert (invested[:, 1] < invested[:, 0]).all(), invested
    assert local[:, 1].mean() < local[:, 0].mean(), local
