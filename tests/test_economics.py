"""The economics of the whole model: stock-flow consistency every quarter, national accounts,
the government's budget rule, a start in equilibrium and intermediate prices within their bounds."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import ClusterModel, accounts

SEEDS = (0, 1, 2, 3, 4)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), tax=st.floats(0.0, 0.6), transfer=st.floats(0.0, 50.0),
       grant=st.floats(0.0, 30.0), attraction=st.floats(0.0, 40.0), guarantee=st.floats(0.0, 10.0),
       rd=st.floats(0.0, 0.5), park=st.floats(0.0, 1.0), markup=st.floats(0.0, 1.0),
       use=st.sampled_from(["remit", "public_service"]), reserve=st.floats(0.0, 300.0))
def test_every_quarter_is_stock_flow_consistent(seed, tax, transfer, grant, attraction, guarantee, rd, park,
                                                markup, use, reserve):
    m = ClusterModel(seed=seed, n_firms=40, n_suppliers=60, width=30, height=30, tax_rate=tax,
                     gov_transfer=transfer, entrepreneurship=grant, investment_attraction=attraction,
                     recruit_lead_share=0.3, credit_guarantee=guarantee, rd_subsidy=rd, park_subsidy=park,
                     parks=[[15, 15, 3]], import_markup=markup, gov_surplus_use=use, gov_reserve=reserve,
                     demand_shifts=[[6, 0.3, 0.9]])
    for _ in range(14):
        before = m.stocks()
        m.step()
        assert accounts.relative_residual(before, m.stocks(), m.flows) < 1e-9
        assert abs(m.indicators["sfc_residual"]) <= 1e-9 * (1 + sum(abs(v) for v in m.flows.values()))
    assert m.counts is not None


def test_value_added_is_gross_output_less_intermediate_consumption_and_matches_the_expenditure_side():
    m = ClusterModel(seed=1).run(6)
    r = m.indicators
    f = m.flows
    services = f["freight"] + f["abatement"] + f["overhead"]
    assert r["output"] == r["value_added"]
    assert r["gross_output"] > r["value_added"] > 0
    assert r["value_added"] == pytest.approx(accounts.expenditure_value_added(
        f["final_sales"], f["intermediate_exports"], f["imports"], services), rel=1e-9)
    assert r["exports"] == pytest.approx(r["final_sales"] + f["intermediate_exports"])
    assert r["operating_surplus"] == pytest.approx(r["value_added"] - r["wage_bill"])


def test_intermediate_prices_stay_between_zero_and_import_parity():
    m = ClusterModel(seed=2)
    for _ in range(10):
        m.step()
        assert np.all(m.stage_price > 0) and np.all(m.stage_price <= m.parity[1:] * (1 + 1e-12))


def test_budget_identity_and_rule_every_quarter():
    m = ClusterModel(seed=0, gov_transfer=5.0, tech_centre=3.0)
    for _ in range(12):
        b = m.government.budget
        m.step()
        g = m.government
        assert g.budget == pytest.approx(b + g.revenue + g.transfers - g.spending - g.remittance - g.public_service,
                                         rel=1e-12, abs=1e-12)
        assert g.remittance >= 0 and g.public_service == 0.0


@pytest.mark.slow
def test_no_policy_budget_stays_bounded_where_it_used_to_hoard():
    ruled = ClusterModel(seed=0).run(40).results()
    hoarding = ClusterModel(seed=0, gov_surplus_rate=0.0).run(40).results()
    assert ruled.gov_budget.max() <= 100.0 + ruled.gov_revenue.max() + 1e-9
    assert hoarding.gov_budget.iloc[-1] > 3 * ruled.gov_budget.iloc[-1]
    assert ruled.gov_remittance.sum() == pytest.approx(ruled.gov_revenue.sum() - (ruled.gov_budget.iloc[-1] - 100.0))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "MISS (issue 10 target): lowest employment / start through quarter 12 is 0.931, 0.872, 0.904, 0.954, "
    "0.953 for seeds 0-4 (seed 1 at quarter 5). Every opening exit is an enterprise losing its last "
    "product line: all incumbents start with one line, so line_loss x N leave a quarter against 1-5 births "
    "(docs/ODD.md section 5; with line_floor = 1 the start holds, see the test below)"))
def test_the_start_is_an_equilibrium_employment_within_ten_percent_through_quarter_12():
    """Without the demand trend (the stationary start): employment within ±10% of its start."""
    for seed in SEEDS:
        emp = ClusterModel(seed=seed, demand_growth=0.0).run(12).results().employment
        assert (emp / emp.iloc[0]).between(0.9, 1.1).all(), (seed, (emp / emp.iloc[0]).round(3).tolist())


@pytest.mark.slow
def test_the_opening_dip_is_the_one_line_incumbents_exits():
    """The diagnosis of the miss above: with no exit on the last product line (line_floor = 1) the
    settled start holds within ±10% through quarter 12 in seeds 0–4."""
    for seed in SEEDS:
        emp = ClusterModel(seed=seed, demand_growth=0.0, line_floor=1).run(12).results().employment
        assert (emp / emp.iloc[0]).between(0.9, 1.1).all(), (seed, (emp / emp.iloc[0]).round(3).tolist())
