"""Intermediate markets, national accounts and the budget rule: the pure functions, checked
against independent computations and identities (model/intermediate_market.py,
model/accounts.py, model/fiscal_rule.py)."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from model import accounts, fiscal_rule, transport
from model import intermediate_market as im

finite = dict(allow_nan=False, allow_infinity=False)


# --- intermediate markets ---------------------------------------------------------------------
@given(st.integers(1, 12), st.floats(0.0, 0.9))
def test_outside_prices_rise_along_the_chain_to_the_reference_with_equal_value_added(n, raw):
    w = im.outside_prices(n, raw)
    assert w.shape == (n + 1,)
    assert w[0] == pytest.approx(raw)                          # the raw input
    assert raw + (1 - raw) * n / (n + 1) == pytest.approx(w[-1])
    added = np.diff(np.append(w, 1.0))                         # value added by stages 0 … n
    assert np.allclose(added, (1 - raw) / (n + 1))


def test_outside_prices_reject_a_raw_share_of_one():
    with pytest.raises(ValueError, match="raw_share"):
        im.outside_prices(3, 1.0)


@settings(max_examples=200)
@given(st.floats(1e-6, 1e6, **finite), st.floats(1e-6, 1e6, **finite), st.floats(0.05, 2.0),
       st.floats(0.0, 1.0), st.floats(1.01, 20.0))
@example(1.0, 1.0, 1.0, 7.667153019479128e-10, 2.0)
def test_clearing_price_sells_the_surplus_outside_unless_capped_at_import_parity(U, X, w, m, eta):
    cap = float(im.import_parity(w, m))
    p = float(im.clearing_prices(np.array([U]), np.array([X]), np.array([w]), np.array([cap]), eta)[0])
    assert 0 < p <= cap * (1 + 1e-12)
    if p < cap * (1 - 1e-9):
        # independent: solve X(p) = U by root finding on the export demand curve
        root = brentq(lambda q: float(im.export_demand(q, X, w, eta)) - U, 1e-12 * w, cap, xtol=1e-14, rtol=1e-12)
        assert p == pytest.approx(root, rel=1e-8)
        assert float(im.export_demand(p, X, w, eta)) == pytest.approx(U, rel=1e-9)
    else:
        # capped at parity, or clearing within 1e-9 of it: outside buyers take at least the surplus at p
        # (hypothesis found U = X, w = 1, m = 7.7e-10: the clearing price w sits 7.7e-10 below the cap)
        assert float(im.export_demand(p, X, w, eta)) >= U * (1 - 1e-9)


@given(st.lists(st.floats(0.0, 1e4, **finite), min_size=2, max_size=20))
def test_clearing_price_falls_as_the_unsold_surplus_grows(unsold):
    U = np.sort(np.asarray(unsold))
    p = im.clearing_prices(U, np.full(len(U), 50.0), np.full(len(U), 0.5), np.full(len(U), 0.6), 4.0)
    assert np.all(np.diff(p) <= 1e-12)
    assert np.all(p[U == 0] == pytest.approx(0.5 * 1.2))


def test_no_unlimited_sink_doubling_exports_lowers_the_price_by_two_to_the_minus_one_over_eta():
    p = im.clearing_prices(np.array([100.0, 200.0]), np.array([10.0, 10.0]), np.array([1.0, 1.0]), np.array([1.2, 1.2]), 4.0)
    assert p[1] / p[0] == pytest.approx(2 ** (-1 / 4))


def test_export_scale_starts_at_the_initial_surplus_with_a_floor_and_grows_with_outside_demand():
    base = im.export_base(np.array([5.0, 0.0, 1.0]), np.array([10.0, 20.0, 10.0]), 0.25)
    assert np.allclose(base, [5.0, 5.0, 2.5])
    assert np.allclose(im.export_scale(base, 0.01, 4), base * 1.01**4)
    # where the surplus is above the floor the market clears at the outside price
    p = im.clearing_prices(np.array([5.0]), base[:1], np.array([0.4]), np.array([0.48]), 4.0)
    assert p[0] == pytest.approx(0.4)


@given(st.floats(0.05, 2.0), st.floats(0.0, 1.0), st.floats(0.0, 0.5), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_import_parity_is_outside_price_with_markup_plus_long_haul_freight_which_infrastructure_cuts(
        w, m, theta0, saving, infra):
    theta = transport.long_haul_share(theta0, infra, saving)
    parity = float(im.import_parity(w, m, theta))
    assert parity == pytest.approx(w * (1 + m) + theta0 * (1 - saving * infra) * w, rel=1e-12, abs=1e-15)
    # better infrastructure never makes importing dearer, and cheapens it whenever freight is saved
    better = float(im.import_parity(w, m, transport.long_haul_share(theta0, min(1.0, infra + 0.5), saving)))
    assert better <= parity * (1 + 1e-12)
    if theta0 > 1e-3 and saving > 1e-3 and infra < 0.99:
        assert better < parity


def test_mean_import_parity_weights_buyers_by_their_need():
    stage = np.array([0, 1, 1, 2])
    got = im.mean_by_input(stage, np.array([2.0, 1.0, 3.0, 0.0]), np.array([0.1, 0.2, 0.4, 0.9]),
                           np.array([0.05, 0.05, 0.05]))
    assert np.allclose(got, [0.1, (0.2 + 1.2) / 4, 0.05])   # no need for input 2: the fallback


def test_spot_market_matches_a_share_of_what_could_be_matched():
    spot = im.spot_match(np.array([4.0, 0.0, 3.0]), np.array([1.0, 5.0, 6.0]), 0.5)
    assert np.allclose(spot, [0.5, 0.0, 1.5])
    assert np.allclose(im.gap_shares(spot, np.array([4.0, 0.0, 3.0])), [0.125, 0.0, 0.5])
    with pytest.raises(ValueError, match="matching"):
        im.spot_match(np.ones(1), np.ones(1), 1.5)


def test_by_stage_drops_final_firms():
    assert np.allclose(im.by_stage([0, 1, 1, 3, 2], [1, 2, 3, 100, 4], 3), [1, 5, 4])


# --- accounts ---------------------------------------------------------------------------------
def chain_economy(rng, n=60, S=3):
    """A random one-quarter economy whose books are drawn, not derived: the accounts must agree
    with the expenditure side. Returns enterprise arrays and the outside flows."""
    stage = rng.integers(0, S + 1, n)
    Q = rng.uniform(1, 10, n)
    price = np.sort(rng.uniform(0.2, 1.0, S + 1))
    # local sales: each buyer of stage s buys part of its need from the stage s−1 sellers
    local = np.zeros(n)
    local_sales = np.zeros(S)
    for s in range(S):
        sellers = stage == s
        cap = Q[sellers].sum()
        need = Q[stage == s + 1].sum()
        traded = min(cap, need) * rng.uniform(0, 1)
        local_sales[s] = traded
        if need > 0:
            local[stage == s + 1] = Q[stage == s + 1] / need * traded
    imported_units = Q - local                                   # incl. stage 0's raw input
    in_price = np.where(stage >= 1, price[np.maximum(stage - 1, 0)], 0.15)
    import_cost = imported_units * in_price * 1.2
    local_cost = local * in_price
    services = rng.uniform(0, 0.3, n)                             # freight, overhead, abatement
    sales = Q * price[stage]
    exports_int = sum(price[s] * (Q[stage == s].sum() - local_sales[s]) for s in range(S))
    return dict(stage=stage, sales=sales, ic=local_cost + import_cost + services, imports=import_cost.sum(),
                services=services.sum(), final=stage == S, exports_int=exports_int, S=S)


@settings(max_examples=50)
@given(st.integers(0, 2**31 - 1))
def test_value_added_from_production_equals_value_added_from_expenditure(seed):
    e = chain_economy(np.random.default_rng(seed))
    n = len(e["sales"])
    acc = accounts.production_accounts(e["sales"], e["ic"], np.full(n, 0.1), np.full(n, 0.01), e["final"])
    expenditure = accounts.expenditure_value_added(acc["final_sales"], e["exports_int"], e["imports"], e["services"])
    assert acc["value_added"] == pytest.approx(expenditure, rel=1e-10)
    assert acc["gross_output"] > acc["value_added"]              # intermediate sales counted once only in VA
    assert acc["operating_surplus"] == pytest.approx(acc["value_added"] - 0.1 * n)
    assert acc["taxes"] == pytest.approx(0.01 * n)


def test_every_flow_must_be_declared():
    with pytest.raises(KeyError, match="undeclared"):
        accounts.net_outside_flow({"wages": 1.0, "bribes": 2.0})


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(list(accounts.FLOWS)), st.floats(0, 1e6, **finite), min_size=1),
       st.floats(-1e6, 1e6, **finite), st.floats(0, 1e6, **finite))
def test_sfc_residual_is_zero_for_stocks_moved_by_their_flows_and_catches_a_missing_flow(flows, cash, budget):
    net = sum(accounts.FLOWS[k] * v for k, v in flows.items())
    before = {"enterprise_cash": cash, "gov_budget": budget}
    after = {"enterprise_cash": cash + 0.7 * net, "gov_budget": budget + 0.3 * net}
    assert accounts.relative_residual(before, after, flows) < 1e-12
    name, value = next(iter(flows.items()))
    if value > 1e-3:
        dropped = {k: v for k, v in flows.items() if k != name}
        assert abs(accounts.sfc_residual(before, after, dropped)) == pytest.approx(value, rel=1e-6)


def test_stage_margins_by_stage_with_nan_for_an_empty_stage():
    m = accounts.stage_margins([0, 0, 2, 3], [1.0, 1.0, -1.0, 2.0], [10.0, 10.0, 10.0, 4.0], 3)
    assert m[0] == pytest.approx(0.1) and np.isnan(m[1]) and m[2] == pytest.approx(-0.1) and m[3] == 0.5


# --- the budget rule --------------------------------------------------------------------------
@settings(max_examples=200)
@given(st.lists(st.tuples(st.floats(0, 100, **finite), st.floats(0, 50, **finite), st.floats(0, 120, **finite)),
                min_size=1, max_size=80),
       st.floats(0, 500, **finite), st.floats(0, 300, **finite), st.floats(0.05, 1.0))
def test_budget_identity_holds_exactly_and_the_budget_stays_bounded(quarters, b0, reserve, rate):
    b = b0
    for revenue, transfers, wanted in quarters:
        spending = min(wanted, max(b, 0.0))                        # the government spends what it holds
        new, disposal = fiscal_rule.close_budget(b, revenue, transfers, spending, reserve, rate)
        assert new == b + revenue + transfers - spending - disposal    # exactly, as computed
        assert disposal >= 0 and new >= min(b + revenue + transfers - spending, reserve) - 1e-9
        b = new
        assert b <= fiscal_rule.budget_bound(b0, reserve, 150.0, rate) + 1e-9


def test_the_reserve_is_the_larger_of_balance_and_endowment_plus_commitments():
    assert fiscal_rule.reserve(100.0, 40.0, 5.0) == 105.0
    assert fiscal_rule.reserve(100.0, 1e5, 0.0) == 1e5


def test_without_the_rule_the_budget_hoards_and_with_it_stays_at_the_reserve():
    hoard = keep = 100.0
    for _ in range(160):
        hoard, _ = fiscal_rule.close_budget(hoard, 10.0, 0.0, 0.0, 100.0, 0.0)
        keep, _ = fiscal_rule.close_budget(keep, 10.0, 0.0, 0.0, 100.0, 1.0)
    assert hoard == pytest.approx(1700.0) and keep == pytest.approx(100.0)
