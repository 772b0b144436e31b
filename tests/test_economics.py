"""The economics of the whole model: stock-flow consistency every quarter, national accounts,
the government's budget rule, a start in equilibrium and intermediate prices within their bounds."""

import functools

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
def test_the_start_is_an_equilibrium_employment_within_ten_percent_through_quarter_12():
    """Without the demand trend (the stationary start): employment within ±10% of its start."""
    for seed in SEEDS:
        emp = ClusterModel(seed=seed, demand_growth=0.0).run(12).results().employment
        assert (emp / emp.iloc[0]).between(0.9, 1.1).all(), (seed, (emp / emp.iloc[0]).round(3).tolist())


@pytest.mark.slow
def test_the_winner_of_a_line_hiring_its_workers_is_what_holds_the_opening():
    """The diagnosis of the test above: every opening exit is a one-line incumbent whose line a
    rival took (model.product_lines); when the rival hires none of the line's workers
    (line_staff_share = 0) the lowest employment through quarter 12 is lower on every paired seed."""
    low = {}
    for share in (0.0, 1.0):
        low[share] = [float((lambda e: (e / e.iloc[0]).min())(
            ClusterModel(seed=s, demand_growth=0.0, line_staff_share=share).run(12).results().employment))
            for s in SEEDS]
    assert all(a < b for a, b in zip(low[0.0], low[1.0])), low


@functools.cache
def _long_run(seed: int) -> dict:
    """The baseline under stationary demand (demand_growth = 0) at quarters 160 and 320:
    enterprises and product lines by stage, and value added (mean of the last 4 quarters)."""
    m = ClusterModel(seed=seed, demand_growth=0.0)
    out = {}
    for q in (160, 320):
        m.run(q - m.steps)
        pop, S = m.population, m.params["n_stages"]
        stage = pop.stage[pop.live].astype(np.int64)
        out[q] = {"firms": np.bincount(stage, minlength=S + 1), "lines": np.bincount(stage, pop.lines[pop.live], S + 1),
                  "value_added": float(m.results().value_added.iloc[-4:].mean())}
    return out


LONG_SEEDS = (0, 1)


def _ratios(key: str) -> dict:
    """Quarter 320 / quarter 160 of `key` summed over stages, per seed of LONG_SEEDS."""
    return {seed: round(float(np.sum(_long_run(seed)[320][key]) / np.sum(_long_run(seed)[160][key])), 3)
            for seed in LONG_SEEDS}


@pytest.mark.slow
def test_long_run_product_lines_are_stationary_under_stationary_demand():
    """Creative destruction conserves each stage's lines and the market adds and drops them only
    through founders and exits (model.product_lines): from quarter 160 to 320 of stationary demand
    the cluster's product lines stay within ±35% (paired seeds 0–1). The old line process (births
    by the profitable at a fixed rate, losses at a fixed rate) went 9,689 → 3,906 lines in seed 0."""
    ratios = _ratios("lines")
    assert all(0.65 <= r <= 1.35 for r in ratios.values()), ratios


@pytest.mark.slow
def test_long_run_value_added_is_stationary_under_stationary_demand():
    """From quarter 160 to 320 of stationary demand value added changes by at most ±35% (seeds 0–1).
    Passes since suppliers along ties give trade credit (`trade_credit_days`): 1.097, 0.997; before,
    1.874, 1.367 (knowledge kept rising relative to a stationary market, docs/economics.md)."""
    ratios = _ratios("value_added")
    assert all(0.65 <= r <= 1.35 for r in ratios.values()), ratios


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "MISS: enterprises at quarter 320 / quarter 160 under stationary demand are 0.494, 0.445 (seeds 0-1, with trade credit; "
    "old line process 0.15, 0.23): the line process is critical, not sub-critical — only the profitable innovate "
    "and only innovators take lines, so a profitable firm's expected line growth b (1 - s) is never negative and "
    "the largest keep absorbing lines (model.product_lines, docs/ODD.md 7.14)"))
def test_long_run_enterprises_are_stationary_under_stationary_demand():
    """From quarter 160 to 320 of stationary demand the number of enterprises changes by at most
    ±35% (paired seeds 0–1)."""
    ratios = _ratios("firms")
    assert all(0.65 <= r <= 1.35 for r in ratios.values()), ratios


@pytest.mark.slow
def test_baseline_knowledge_over_frontier_has_no_trend_between_quarters_80_and_160():
    """Issue 10, item 4: mean knowledge / frontier of the baseline changes by at most 0.05 from
    quarter 80 to 160 (experiments.behaviour_report.knowledge, the measure of the issue's report)."""
    from experiments.behaviour_report import knowledge

    changes = {seed: round(knowledge(seed)["change"], 3) for seed in SEEDS}
    assert all(abs(c) <= 0.05 for c in changes.values()), changes


@functools.cache
def _large_run_firm_sizes() -> dict:
    """experiments.behaviour_report.firm_sizes for seeds 0–4 (the large baseline: 9 × the area and
    the initial enterprises, quarter 160), computed once for the two tests below."""
    from experiments.behaviour_report import firm_sizes

    return {seed: firm_sizes(seed) for seed in SEEDS}


@pytest.mark.slow
def test_large_run_firm_sizes_have_a_zipf_like_tail():
    """Issue 10, item 7: the Hill α of the top 5% of enterprise sizes (workers) at quarter 160 of
    the large baseline is in [0.8, 1.6] (Axtell 2001: ≈ 1.06) for seeds 0–4.

    Since 1 Dec 2026 the default (clients' orders follow a supplier's niche, niche shocks at SMEs'
    volatility σ = 0.15, the age-structured start, founders at their plant's optimum) gives 1.437,
    1.377, 1.470, 1.257, 1.201 (seeds 5–9: 1.223, 0.925, 1.040, 1.398, 1.578; 15 of seeds 0–19 in
    band). Before, with every incumbent opening with one
    line and no niche shocks, 2.24, 2.26, 2.02, 2.51, 2.69: a critical line process cut off by age
    (docs/economics.md, every remedy tried; docs/ODD.md 7.14)."""
    alpha = {seed: round(r["hill_alpha_top5"], 3) for seed, r in _large_run_firm_sizes().items()}
    assert all(0.8 <= a <= 1.6 for a in alpha.values()), alpha


@pytest.mark.slow
def test_large_run_growth_volatility_falls_with_size():
    """Issue 10, item 7: the slope of ln sd(growth, quarters 156–160) on ln size is in
    [−0.35, −0.05] (Stanley et al. 1996: σ ∝ S^−β, β ≈ 0.15–0.2) for seeds 0–4."""
    slope = {seed: round(r["volatility_slope"], 3) for seed, r in _large_run_firm_sizes().items()}
    assert all(-0.35 <= b <= -0.05 for b in slope.values()), slope
