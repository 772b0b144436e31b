"""The case scenarios of the seeds: each one's documented expectation holds over several seeds.

Every case runs its scenario (and, where the scenario is a comparison, its paired variant with
the same seeds) once per module, in this process (`experiments.scenario_outcomes.run_case`);
the tests then check the outcome its `[meta] expected` states. The measures are defined once,
in `experiments.scenario_outcomes`, and docs/scenarios.md reports the same ones. The case figures
of the source documents (the decline of Xiqiao's mills, Jiangxi's 200-odd makers and two lead
assemblers, the dyeing stage's shares, Zhejiang's local sourcing …) are asserted with their
tolerances in tests/test_case_figures.py, at the calibrated parameters; the directions here are
the comparisons those figures do not cover.
"""

from functools import cache

import numpy as np
import pytest

from experiments.scenario_outcomes import CASES, SCENARIOS, _extra, per_seed, run, run_case, variant_scenario
from scenarios import load_scenario

SEEDS = (0, 1, 2)


@cache
def outcome(name: str):
    """Per-seed measures of case `name` (runs once per test session)."""
    return per_seed(name, run_case(name, SEEDS))


# --- fast: the files themselves ---------------------------------------------------------------
@pytest.mark.parametrize("name", SCENARIOS)
def test_case_scenario_loads_and_states_its_question(name):
    s = load_scenario(name)
    assert s.title and s.source and s.expected
    assert s.question.endswith("?") and "\n" not in s.question
    assert s.steps <= 120
    p = s.build(seed=0).params
    assert p["width"] * p["height"] <= 100 * 100
    assert p["n_firms"] + p["n_suppliers"] + p["n_lead_firms"] <= 2000


@pytest.mark.parametrize("name", list(CASES))
def test_comparison_differs_only_where_the_case_says(name):
    case, s = CASES[name], load_scenario(name)
    other = variant_scenario(case)
    if case.variant is None:
        assert other is None
    elif case.variant.startswith("drop:"):
        lever = case.variant.split(":")[1]
        assert any(lev == lever for _, lev, _ in s.schedule)
        assert not any(lev == lever for _, lev, _ in other.schedule)
        assert {k: v for k, v in other.params.items() if k != lever} == {k: v for k, v in s.params.items() if k != lever}
    elif case.variant == "null":
        assert other.params["location_choice"] == "random" and other.params["agglomeration"] == 0.0


def test_case_measures_are_recorded_every_quarter():
    model, df = run("jiangxi_auto_hub", seed=0, steps=2)
    assert len(df) == 3 and model.steps == 2
    for col in ("final_sales", "final_output", "tie_length", "lead_distance", "stage_0", "stage_3"):
        assert col in df and np.isfinite(df[col].iloc[-1])
    extra = _extra(model)
    assert extra["stage_3"] == df["firms"].iloc[-1]            # the final firms are the last stage
    assert extra["lead_distance"] >= 0


# --- the cases ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS (seeds 0-2) since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): suppliers per firm 2.0 -> 2.98, 3.51, 3.79, seed 0 "
                   "just short of 1.5x (3.0); the division of labour still deepens in every seed (not diagnosed yet)")
def test_zhejiang_block_economy_concentrates_far_above_the_dartboard_with_a_local_division_of_labour():
    o = outcome("zhejiang_block_economy")
    assert (o.ellison_glaeser > o.ellison_glaeser_null + 0.015).all()     # γ clearly above the null
    assert (o.morans_i > o.morans_i_null + 0.3).all()
    assert (o.suppliers_per_firm_end > 1.5 * o.suppliers_per_firm_start).all()  # the division of labour deepens


# Issue 10 (clearing intermediate markets, value added, a budget rule) changed some cases' outcomes.
# Where a case lost (part of) its pattern the expectation stays as it was, as a strict xfail that
# gives the measured miss (seeds 0–2); docs/scenarios.md reports it.
@pytest.mark.slow
def test_datang_socks_keeps_every_stage_and_sources_locally():
    """Passes since suppliers along ties give trade credit (`trade_credit_days` 60, model.production.trade_credit):
    every stage lives in every quarter of seeds 0-2, local sourcing ends at 0.91, 0.91, 0.90 (≥ 0.85 after year 2)
    and output grows 3.0, 3.1, 3.2x; without it a stage died out in seeds 1 and 2 (6 and 5 of 7 stages at the end),
    local sourcing ended at 0.91, 0.72, 0.64 and output grew 2.94, 1.30, 0.64x. With subcontracting (work_to_order 1)
    from the corrected start (main e075455): local sourcing 0.97, 0.96, 0.97 (≥ 0.84 after year 2), output 3.10, 3.35,
    3.30x, 1,001-1,098 enterprises at the end."""
    o = outcome("datang_socks")
    assert (o.smallest_stage_min >= 1).all()                 # no stage ever dies out, in any quarter
    assert (o.stages_alive_end == o.n_stages_total).all()
    assert (o.local_sourcing_min_after_year_2 >= 0.6).all()   # high local sourcing throughout …
    assert (o.local_sourcing >= 0.75).all()                    # … and at the end
    assert (o.output_growth > 1.5).all()


@pytest.mark.slow
def test_jiangxi_suppliers_of_auto_plant_size_gather_around_the_assemblers():
    """At plant_scale 21 (the start's parts makers average ≈ 231 workers, the NDRC auto-parts plant) the
    fields price activity per plant, so the suppliers still gather (seeds 0-2, main e075455: 25.9, 23.2, 26.2 ->
    6.5, 6.0, 7.7 cells; 8.8, 10.6, 8.0 at plant_scale 15.5) and both assemblers stay (3, 2, 2 lead firms at the end);
    with the fields in workers they did not gather (plant_scale 10: -> 8, 23, 11 cells). Before spin-offs
    and hiring read the workforce in plants (model/demography.py, model/production.py) seed 2 ended with one
    assembler; with trade credit (trade_credit_days 60) it did again (26.2 -> 23.0 cells, 2, 2, 1 lead firms)
    until the initial lead firms took the technology the scenario declares (lead_knowledge_dispersion 0: no
    assembler is drawn up to 14 x the other's size)."""
    o = outcome("jiangxi_auto_hub")
    assert load_scenario("jiangxi_auto_hub").params["plant_scale"] > 10
    assert (o.lead_distance_end < 0.6 * o.lead_distance_start).all()
    assert (o.lead_firms_end >= 2).all()


@pytest.mark.slow
def test_jiangxi_suppliers_gather_around_the_lead_firms_who_source_more_locally():
    """Passes since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): mean distance to the nearest lead firm 25.9, 23.2, 26.2 -> 9.5, 5.4, 6.8 cells and the
    lead firms' local sourcing 0.58 -> 0.85, 0.57 -> 0.86, 0.65 -> 0.79 (+0.27, +0.29, +0.14; seeds 0-2).
    Before, a strict xfail: +0.23, +0.21, +0.14 (+0.19 on average, not 0.2)."""
    o = outcome("jiangxi_auto_hub")
    assert (o.lead_distance_end < 0.9 * o.lead_distance_start).all()
    assert o.lead_distance_end.mean() < 0.6 * o.lead_distance_start.mean()
    assert (o.lead_local_sourcing_end > o.lead_local_sourcing_start + 0.05).all()
    assert o.lead_local_sourcing_end.mean() > o.lead_local_sourcing_start.mean() + 0.2


@pytest.mark.slow
def test_jilin_policy_mix_gives_more_firms_and_output_than_no_policy():
    """Passes since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): final firms 28, 23, 23 against 13, 14, 20 without the policy; enterprises 158/69,
    157/93, 134/85 and output 334/189, 321/184, 231/162 (seeds 0-2). Before, a strict xfail: seed 1 tied on
    final firms (22 and 22)."""
    o = outcome("jilin_policy_push")
    assert (o.firms > o.firms_no_policy).all()                 # what the case says: more firms …
    assert (o.enterprises > o.enterprises_no_policy).all()
    assert (o.output > o.output_no_policy).all()               # … and more output (value added)
    s = load_scenario("jilin_policy_push")
    assert "Budget" in s.expected and s.params["gov_transfer"] > 0      # the budget is stated
    assert (o.spending_total > 0).all() and (o.budget_end >= 0).all()


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS (seeds 0-2) since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): enterprises 2.29, 1.69, 1.58x and output 1.77, 1.74, "
                   "1.43x the run without the policy (158/69, 157/93, 134/85 enterprises; 334/189, 321/184, 231/162 "
                   "output): seed 2 falls short on output. Before (main e075455): enterprises 1.52, 1.17, 1.18x, output "
                   "1.65, 1.72, 2.00x: seeds 1 and 2 short on enterprises")
def test_jilin_policy_mix_gives_half_again_as_many_enterprises_and_output():
    o = outcome("jilin_policy_push")
    assert (o.enterprises > 1.5 * o.enterprises_no_policy).all()
    assert (o.output > 1.5 * o.output_no_policy).all()


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS (relationship-specific investment in specific ties, lines changing hands by "
                   "creative destruction, trade credit, lead prospects valuing a plant at their site on arrival; seeds "
                   "0-2, main e075455): lead firms 0, 0, 3 at the end; the network 0.83, 1.00, 1.45x as dense as in the "
                   "scattered towns (not 1.5x in any seed: the association links the firms early, the scattered towns "
                   "catch up once the local yarn price falls below import parity); local sourcing 0.369, 0.350, 0.465 "
                   "against 0.367, 0.353, 0.443 (+0.006 on average, lower in seed 1); output growth 2.36, 2.28, 2.67x "
                   "against 2.49, 2.40, 2.71x (lower in every seed)")
def test_hunan_linkage_policy_links_the_firms_and_grows_faster():
    o = outcome("hunan_linkage_policy")
    assert (o.lead_firms_end >= 1).all()                     # the lead firm was recruited and stayed
    assert (o.network_density > 1.5 * o.network_density_scattered).all()
    assert (o.local_sourcing > o.local_sourcing_scattered + 0.02).all()
    assert o.local_sourcing.mean() > o.local_sourcing_scattered.mean() + 0.08
    assert (o.output_growth > o.output_growth_scattered).all()


@pytest.mark.slow
def test_xiqiao_centre_keeps_more_mills_than_the_run_without_it():
    o = outcome("xiqiao_decline_revival")
    assert (o.firms_end > o.firms_end_no_centre).all()


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="MISS (seeds 0-2) since the firm-size defaults of 1 Dec 2026 (niche_demand_orders 1, niche_demand_sd 0.15, start_age_hazard 0.02, founding_at_optimum 1; main 8b158ce): final sales 1.48, 1.24, 1.36x the run without the "
                   "centre (6,156/4,153, 6,320/5,102, 5,200/3,816): seed 1 below 1.3x; the growth after the centre "
                   "opens, 2.45, 2.02, 2.24x, holds. Before: 1.44, 1.30, 1.42x (not diagnosed yet)")
def test_xiqiao_centre_leads_a_strong_revival():
    """Seeds 0-2 (plant_scale 1.7, trade credit, lead prospects valuing a plant at their site on arrival; main
    e075455): after the centre opens final sales grow 2.55, 2.23, 2.42x and end 1.44, 1.30, 1.42x the run without
    the centre (with the towns' median value a lead firm came to seed 1's run without the centre: 1.12x)."""
    o = outcome("xiqiao_decline_revival")
    assert (o.sales_end > 1.8 * o.sales_at_opening).all()    # sustained growth once the centre opens …
    assert (o.sales_end > 1.3 * o.sales_end_no_centre).all()  # … which the same run without it lacks


@pytest.mark.slow
def test_dyeing_regulation_cuts_pollution_at_an_output_cost():
    o = outcome("dyeing_regulation")
    assert (o.emissions_cut > 0.5).all()
    assert (o.output_cost > 0).all() and (o.output_cost < 0.6).all()   # a cost, not a collapse
