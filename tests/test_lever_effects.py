"""experiments/lever_effects.py: every lever's effect per unit of spending, paired over seeds, against the
reference, a pooled control and sham arms."""

import numpy as np
import pandas as pd
import pytest

from experiments.lever_effects import MONEY_LEVERS, RATE_LEVERS, lever_effects
from model.params import LEVER_SPECS


def test_every_paid_lever_is_covered():
    paid = {name for name, spec in LEVER_SPECS.items() if spec.paid}
    assert paid <= set(MONEY_LEVERS) | set(RATE_LEVERS)


@pytest.mark.slow
def test_money_levers_are_measured_per_unit_of_their_own_spending(tmp_path):
    t = lever_effects("baseline", reps=3, steps=4, out=tmp_path, outcomes=("output",), executor="serial", shams=2,
                      levers={"brand_promotion": 20.0, "rd_subsidy": 0.3, "park_subsidy": 0.5})
    brand = t[(t.lever == "brand_promotion") & (t.control == "reference")].iloc[0]
    assert brand.cost == "lever" and brand.n == 3     # 3: the fewest with intervals
    assert brand.spending == pytest.approx(20.0 * 4)          # paired ΔS: the lever's own money, every quarter
    assert np.isfinite(brand.per_unit) and brand.per_unit_low <= brand.per_unit <= brand.per_unit_high
    rd = t[(t.lever == "rd_subsidy") & (t.control == "reference")].set_index("cost")
    assert set(rd.index) == {"lever", "net"}                    # one base for every lever, net cost besides
    assert rd.loc["lever", "spending"] != pytest.approx(rd.loc["net", "spending"])   # net = spending − Δ revenue
    assert set(t[t.lever == "park_subsidy"].cost) == {"lever"}  # no park: nothing spent, no net-cost rows
    assert (tmp_path / "lever_effects.csv").exists()


@pytest.mark.slow
def test_pooled_control_and_sham_rows_equal_an_independent_paired_computation(tmp_path):
    from experiments.cost_effectiveness import paired_bca
    from experiments.store import load_results

    t = lever_effects("baseline", reps=3, steps=4, out=tmp_path, levers={"market_building": 20.0},
                      outcomes=("value_added",), executor="serial", shams=2)
    s = load_results(tmp_path / "runs", "series")
    total = s[s.step > 0].groupby(["arm", "rep"])["value_added"].sum().unstack("rep")   # arm × rep, Σ over quarters
    ref, shams = "baseline", ["baseline (sham 1)", "baseline (sham 2)"]
    lever = next(a for a in total.index if "market_building" in a)
    assert (total.loc[shams[0]] != total.loc[ref]).any()       # the sham moved the stream ...
    spent = s[(s.arm == lever) & (s.step > 0)].groupby("rep")["spend_market_building"].sum()
    row = t[(t.lever == "market_building")].set_index("control")
    d_pool = total.loc[lever] - total.loc[[ref, *shams]].mean()
    assert row.loc["pooled", "effect"] == pytest.approx(d_pool.mean())
    assert row.loc["reference", "effect"] == pytest.approx((total.loc[lever] - total.loc[ref]).mean())
    assert row.loc["pooled", "per_unit"] == pytest.approx(d_pool.mean() / spent.mean())
    sham = t[t.lever == "stream_offset"].set_index("value")        # every sham is an arm against the reference
    d_sham = (total.loc[shams[1]] - total.loc[ref]).to_numpy()
    assert (sham.loc[2, "effect"], sham.loc[2, "effect_low"], sham.loc[2, "effect_high"]) == \
        pytest.approx(paired_bca(d_sham), nan_ok=True)               # the same BCa path as a lever's
    assert sham.loc[2, "spending"] == 0 and np.isnan(sham.loc[2, "per_unit"]) and np.isnan(sham.loc[2, "noise_per_unit"])
    assert row.loc["pooled", "noise_per_unit"] == pytest.approx(row.loc["pooled", "noise"] / spent.mean())
    from experiments.multiple_testing import sign_flip_p
    assert row.loc["pooled", "p_value"] == pytest.approx(sign_flip_p(d_pool.to_numpy()))   # the same paired ΔB
    assert row.loc["pooled", "p_holm"] == row.loc["pooled", "p_value"]      # a family of one lever: nothing to adjust
    assert sham.loc[2, "p_value"] == pytest.approx(sign_flip_p(d_sham)) and np.isnan(sham.loc[2, "p_holm"])


def test_stream_noise_is_the_t_half_width_of_the_no_lever_differences():
    from scipy import stats

    from experiments.lever_effects import stream_noise

    totals = {"ref": [10.0, 20.0, 30.0, 40.0], "s1": [12.0, 17.0, 31.0, 46.0], "s2": [9.0, 25.0, 28.0, 41.0]}
    series = pd.DataFrame([{"arm": a, "rep": k, "step": q, "y": v / 2} for a, vs in totals.items()
                           for k, v in enumerate(vs) for q in (1, 2)] +
                          [{"arm": a, "rep": k, "step": 0, "y": 1e9} for a in totals for k in range(4)])   # step 0 not counted
    got = stream_noise(series, "ref", ["s1", "s2"], "y")
    r, a, b = (np.array(totals[k]) for k in ("ref", "s1", "s2"))
    half = stats.t.ppf(0.975, 3) / 2                       # n = 4 replications
    assert got["reference"] == pytest.approx(half * np.concatenate([a - r, b - r]).std(ddof=1))
    assert got["pooled"] == pytest.approx(half * np.concatenate([a - (r + b) / 2, b - (r + a) / 2]).std(ddof=1))


def test_pooled_control_is_the_mean_of_the_controls_where_all_completed():
    from experiments.lever_effects import POOLED, pooled_control

    series = pd.DataFrame({"arm": ["r", "r", "s", "s", "x"], "rep": [0, 1, 0, 1, 0], "step": 1,
                           "y": [1.0, 2.0, 3.0, 10.0, 99.0], "seed": [0, 1, 0, 1, 0]})
    pooled = pooled_control(series.drop(index=3), ["r", "s"])                    # rep 1 of s is missing
    pooled = pooled[pooled["arm"] == POOLED]
    assert pooled["rep"].tolist() == [0] and pooled["y"].tolist() == [2.0]


def test_sham_arms_move_only_the_stream_and_are_refused_below_one():
    from experiments.compare import Arm
    from experiments.design import RunSpec
    from experiments.lever_effects import sham_arms
    from experiments.run_cache import run_key
    from scenarios import load_scenario

    ref = Arm("baseline", load_scenario("baseline"), {"tech_centre": 5.0})
    arms = sham_arms(ref, 2)
    assert [(a.overrides, a.stream_offset) for a in arms] == [(ref.overrides, 1), (ref.overrides, 2)]
    with pytest.raises(ValueError, match="--shams"):
        sham_arms(ref, 0)
    spec = RunSpec("a-r0", 0, 0, 0, 4, ref.scenario, {}, {})
    assert run_key(spec) != run_key(RunSpec("a-r0", 0, 0, 0, 4, ref.scenario, {}, {}, stream_offset=1))
    assert "stream_offset" not in spec.record() and RunSpec(**{**spec.__dict__, "stream_offset": 3}).record()[
        "stream_offset"] == 3


@pytest.mark.slow
def test_decomposition_of_a_run_against_itself_is_zero_and_counts_every_enterprise():
    from agents.population import ORIGINS
    from experiments.lever_decomposition import decompose, run_one

    t = decompose("baseline", reps=2, steps=2, arms={"same": {}})
    assert (t["difference"] == 0).all()                       # same seed, same overrides: identical runs
    r = run_one("baseline", 0, 3, {"investment_attraction": 20.0})
    assert sum(r[f"n_{o}"] for o in ORIGINS) == r["enterprises"]
    assert r["n_outside"] > 0 and r["n_founder"] == 0         # recruits are told apart; no grants, no founders


def test_arms_sharing_a_list_valued_parameter_are_paired_on_what_they_change():
    from experiments.cost_effectiveness import reference_and_changes

    park = [[30, 30, 4]]
    plan = {"kind": "compare", "arms": [{"label": "ref", "overrides": {"parks": park}},
                                        {"label": "sub", "overrides": {"parks": park, "park_subsidy": 0.5}},
                                        {"label": "moved", "overrides": {"parks": [[10, 10, 4]]}}]}
    ref, changes = reference_and_changes(plan, None)
    assert ref == "ref" and changes == {"sub": {"park_subsidy": 0.5}, "moved": {"parks": [[10, 10, 4]]}}
