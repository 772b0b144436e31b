"""Trade credit (model.production.trade_credit): suppliers wait `trade_credit_days` for pay, which
adds to the line the lender tests at exit and lowers what the guarantee fund covers. Pure
functions against independent computations, the accounts, and a paired-seed direction in Datang."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import ClusterModel, accounts, demography, production


@given(purchases=st.lists(st.floats(0.0, 1e6), min_size=1, max_size=20), days=st.floats(0.0, 180.0))
@settings(max_examples=50, deadline=None)
def test_trade_credit_is_the_days_share_of_a_quarters_purchases(purchases, days):
    # a quarter has 365 / 4 days: d days of a quarter's purchases are d / 91.25 of them
    expected = np.array([days * x / 91.25 for x in purchases])
    np.testing.assert_allclose(production.trade_credit(np.array(purchases), days), expected, rtol=1e-12, atol=1e-9)


def test_trade_credit_is_zero_without_days_or_purchases_and_never_negative():
    assert np.all(production.trade_credit(np.array([0.0, 5.0]), 0.0) == 0.0)
    assert np.all(production.trade_credit(np.array([0.0, -1.0]), 60.0) == 0.0)


def test_the_guarantee_fund_covers_only_debt_beyond_the_bank_line_and_the_trade_credit():
    cash, K = np.array([-10.0, -10.0, -3.0, -10.0]), np.array([4.0, 4.0, 4.0, 4.0])
    lead = np.array([False, False, False, True])
    tc = np.array([0.0, 5.0, 5.0, 5.0])
    # debt 10 − 0.5·4 − trade credit; nothing where debt is within the lines; leads are not guaranteed
    np.testing.assert_allclose(demography.covered_defaults(cash, K, lead, 0.5, tc), [8.0, 3.0, 0.0, 0.0])
    np.testing.assert_allclose(demography.covered_defaults(cash, K, lead, 0.5), [8.0, 8.0, 1.0, 0.0])


@pytest.mark.slow
def test_every_quarter_is_stock_flow_consistent_with_trade_credit_and_a_guarantee_fund():
    """Trade credit is bank-discounted debt of the enterprise sector (negative cash), so no new flow:
    the identity holds every quarter at long payment terms with a funded guarantee scheme."""
    m = ClusterModel(seed=3, n_firms=40, n_suppliers=60, width=30, height=30, trade_credit_days=180.0,
                     credit_guarantee=5.0, demand_shifts=[[4, 0.3, 0.9]])
    for _ in range(12):
        before = m.stocks()
        m.step()
        assert accounts.relative_residual(before, m.stocks(), m.flows) < 1e-9


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): the downstream share is 0.229 with 60 days against 0.190 with none "
                   "in seed 1000 but 0.183 against 0.195 in seed 1001; not diagnosed yet")
def test_trade_credit_keeps_more_of_datangs_downstream_stages_on_paired_seeds():
    """Datang's processing stages and sales agents turn over several times their capital a quarter on a
    thin margin; a line that scales with their purchases keeps more of them through a price dip: the
    share of shaping + packaging + sales agents is higher with 60 days than with none, seed by seed.
    Passes again since the subcontracted start (agents.start.subcontracted_start): 0.057 -> 0.227 (seed
    1000) and 0.053 -> 0.207 (seed 1001) at the 1 Dec 01:16 medians; with the rounds alone (main a4d7986)
    0.119 -> 0.210 and 0.201 -> 0.194, a strict xfail."""
    from experiments.case_targets import case_spec, measure_runs
    from experiments.validation import calibrated

    params, _ = calibrated("datang_socks")
    spec = case_spec("datang_socks", seeds=(1000, 1001))
    params = {k: v for k, v in params.items() if k in {f.param for f in spec.calibration.free}}
    cols = ["share_shaping", "share_packaging", "share_sales_agents"]
    share = {d: measure_runs(spec, {**params, "trade_credit_days": d}, (1000, 1001))[cols].sum(axis=1)
             for d in (0.0, 60.0)}
    assert (share[60.0] > share[0.0]).all(), share
