"""From runs to a policy brief (issue 12): cost-effectiveness, budgets, designs, sensitivity
diagnostics, provenance, the run cache, conventions. Statistics are checked against independent
computations (scipy.stats.bootstrap BCa, SALib called directly, hand-computed sums).

Every model is tiny (30 × 30 grid, 30 firms, a few quarters)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import load_results, sweep
from experiments.compare import compare, parse_arm, parse_assignments
from experiments.conventions import DEFAULT_SEED, arm_label
from experiments.cost_effectiveness import OUTCOMES, cost_effectiveness, discount_weights, paired_bca
from experiments.design import DUMMY, allocations, design_points, run_specs
from experiments.store import load_plan, load_provenance
from experiments.sweep import SweepError, parse_sweep

TINY = dict(width=30, height=30, n_firms=30, n_suppliers=60)
CLI = [str(Path(sys.executable).with_name("clusterlab"))]


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_cost_effectiveness_is_cumulative_benefit_per_cumulative_funded_spending(tmp_path):
    with pytest.warns(UserWarning, match="only 4 paired replication"):
        table = cost_effectiveness("baseline", "brand_promotion=5", reps=4, steps=5, out=tmp_path / "ce",
                                   common=TINY, executor="serial", progress=False, discount=0.1)
    row = table.set_index("indicator").loc[OUTCOMES[0]]          # the cluster's output: value added
    series = load_results(tmp_path / "ce", "series")
    arm = "baseline:brand_promotion=5"
    assert set(series["arm"]) == {"baseline", arm}
    w = (1.1) ** (-np.arange(1, 6) / 4)
    on = series[(series["arm"] == arm) & (series["step"] > 0)].pivot(index="rep", columns="step", values=OUTCOMES[0])
    off = series[(series["arm"] == "baseline") & (series["step"] > 0)].pivot(index="rep", columns="step",
                                                                            values=OUTCOMES[0])
    dB = (on - off).to_numpy() @ w                     # by hand: Σ_t w_t ΔY_t per seed
    dS = 5.0 * w.sum()                                 # funded every quarter in full, same in every seed
    assert row["effect"] == pytest.approx(dB.mean()) and row["spending"] == pytest.approx(dS)
    assert row["per_unit"] == pytest.approx(dB.mean() / dS)
    # the ratio's interval is the effect's interval divided by the (constant) spending
    assert row["per_unit_low"] == pytest.approx(row["effect_low"] / dS)
    assert row["per_unit_high"] == pytest.approx(row["effect_high"] / dS)
    # … and the effect's interval is scipy's paired BCa, computed independently
    ref = stats.bootstrap((dB,), np.mean, confidence_level=0.95, n_resamples=4999, method="BCa",
                          rng=np.random.default_rng(DEFAULT_SEED))
    assert row["effect_low"] == pytest.approx(ref.confidence_interval.low, rel=0.05)
    assert row["effect_high"] == pytest.approx(ref.confidence_interval.high, rel=0.05)
    # cost per unit of outcome: spending per +1 unit of the final effect
    final = (on - off).to_numpy()[:, -1]
    assert row["final_effect"] == pytest.approx(final.mean())
    if final.mean() > 0:
        assert row["cost_per"] == pytest.approx(dS / final.mean())
    assert (tmp_path / "ce" / "cost_effectiveness.csv").exists()


def test_paired_bca_ratio_is_consistent_with_the_mean_interval():
    rng = np.random.default_rng(3)
    y = rng.normal(1.0, 5.0, 12)                       # an effect whose interval includes 0
    est, low, high = paired_bca(y)
    _, rlow, rhigh = paired_bca(y, np.full(12, 240.0))
    assert low < 0 < high and rlow < 0 < rhigh
    assert (rlow, rhigh) == pytest.approx((low / 240, high / 240))
    assert discount_weights(4, 0.0) == pytest.approx(np.ones(4))


@pytest.mark.slow
def test_a_lever_given_twice_is_refused_and_net_cost_has_its_own_file(tmp_path):
    with pytest.raises(SweepError, match="given twice"):
        parse_assignments("association=10,association=20", "LEVER=VALUE")
    common = ",".join(f"{k}={v}" for k, v in TINY.items())
    args = ("cost-effectiveness", "baseline", "brand_promotion=5", "--reps", "3", "--steps", "3", "--set", common,
            "--executor", "serial", "--out", tmp_path / "ce", "--quiet")
    gross = cli(*args)
    assert gross.returncode == 0, gross.stderr
    assert "fewer than 10" in gross.stderr and "[money units]" in gross.stdout
    net = cli(*args, "--cost", "net", "--resume")
    assert net.returncode == 0, net.stderr
    assert {"cost_effectiveness.csv", "cost_effectiveness_net.csv"} <= {p.name for p in (tmp_path / "ce").iterdir()}
    assert set(pd.read_csv(tmp_path / "ce" / "cost_effectiveness.csv")["cost"]) == {"lever"}
    twice = cli("cost-effectiveness", "baseline", "association=10", "association=20", "--steps", "2")
    assert twice.returncode == 2 and "given twice" in twice.stderr


def test_underfunding_is_named_by_lever_and_quarter(tmp_path):
    poor = {**TINY, "gov_initial_budget": 0.0}
    with pytest.warns(UserWarning, match=r"association funded below its request in \d+ of 4 quarters"):
        cost_effectiveness("baseline", {"association": 500.0}, reps=2, steps=4, out=tmp_path / "ce",
                           common=poor, executor="serial", progress=False)


# --- designs ----------------------------------------------------------------------------------
BASE = {"scenario": "baseline", "steps": 3, "replications": 2, "set": TINY}


def test_dose_response_moves_each_lever_alone_from_one_reference_with_common_seeds():
    sw = parse_sweep({**BASE, "design": {"method": "dose_response"},
                      "vary": {"association": [0.0, 10.0, 20.0], "tech_centre": {"low": 10, "high": 30, "levels": 3}}})
    points = design_points(sw)
    assert points[0] == {"association": 0.0, "tech_centre": 0.0}
    assert len(points) == 1 + 2 + 3
    assert all(sum(v != 0 for v in p.values()) == 1 for p in points[1:])          # one lever at a time
    specs = run_specs(sw)
    assert {s.seed for s in specs if s.rep == 1} == {DEFAULT_SEED + 1}
    assert specs[0].arm == "baseline" and "baseline:association=10" in {s.arm for s in specs}


def test_fixed_budget_splits_the_same_total_over_the_levers():
    sw = parse_sweep({**BASE, "design": {"method": "fixed_budget", "budget": 30, "levels": 4,
                                         "levers": ["association", "tech_centre", "infrastructure"]}})
    points = design_points(sw)[1:]
    assert len(points) == 10 and all(sum(p.values()) == pytest.approx(30.0) for p in points)
    assert len(allocations(["a", "b"], 10, 3)) == 3
    with pytest.raises(SweepError, match="not a spending lever"):
        parse_sweep({**BASE, "design": {"method": "fixed_budget", "budget": 30, "levers": ["association", "tax_rate"]}})


def test_integer_parameters_are_sampled_as_integers_without_collapsing_strata():
    sw = parse_sweep({**BASE, "replications": 1, "design": {"method": "latin_hypercube", "samples": 54},
                      "vary": {"tax_holiday": {"low": 0, "high": 8}}})
    counts = Counter(p["tax_holiday"] for p in design_points(sw))
    assert sorted(counts) == list(range(9)) and min(counts.values()) == max(counts.values()) == 6
    with pytest.raises(SweepError, match="Morris grid on integers"):
        parse_sweep({**BASE, "design": {"method": "morris", "samples": 4, "levels": 4},
                     "vary": {"tax_holiday": {"low": 0, "high": 8}}})
    with pytest.raises(SweepError, match="at least 2 samples"):
        parse_sweep({**BASE, "design": {"method": "morris", "samples": 1}, "vary": {"tax_rate": {"low": 0, "high": 0.3}}})


# --- sensitivity --------------------------------------------------------------------------------
@pytest.mark.slow
def test_sobol_with_dummy_matches_salib_called_directly_and_reports_seed_noise(tmp_path):
    from SALib.analyze import sobol

    from experiments.sensitivity import sensitivity

    sw = parse_sweep({**BASE, "replications": 2, "design": {"method": "sobol", "samples": 4},
                      "vary": {"brand_promotion": {"low": 0, "high": 10}, "pollution_decay": {"low": 0.1, "high": 0.9}},
                      "keep": {"final": ["output"]}})
    with pytest.warns(UserWarning, match="Sobol' N = 4 is small"):
        result = sensitivity(sw, tmp_path / "s", executor="serial", progress=False)
    final = load_results(tmp_path / "s")
    means = final.groupby("point")["output"].mean().sort_index().to_numpy()
    problem = {"num_vars": 3, "names": ["brand_promotion", "pollution_decay", DUMMY],
               "bounds": [[0, 10], [0.1, 0.9], [0, 1]]}
    direct = sobol.analyze(problem, means, calc_second_order=False, seed=sw.seed)
    table = result.table.set_index("parameter")
    assert table["S1"].to_numpy() == pytest.approx(direct["S1"])
    assert table["ST"].to_numpy() == pytest.approx(direct["ST"])
    within = final.groupby("point")["output"].var(ddof=1).mean() / 2
    assert table["seed_noise_share"].iloc[0] == pytest.approx(within / np.var(means, ddof=1))
    assert table.loc["pollution_decay", "ST"] == pytest.approx(0.0, abs=1e-12)   # same seed as A: inert
    assert table.loc["pollution_decay", "above_noise"] is False or not table.loc["pollution_decay", "above_noise"]


def test_diagnostics_flag_negative_s1_sum_above_one_and_too_few_samples():
    from experiments.design import Factor, Sweep
    from experiments.sensitivity import diagnose

    sw = Sweep(name="s", scenario=None, steps=4, replications=1, seed=0, method="sobol",
               factors=(Factor("a", low=0, high=1), Factor("b", low=0, high=1)), samples=16, dummy=True)
    table = pd.DataFrame({"indicator": "output", "parameter": ["a", "b", DUMMY], "S1": [-0.4, 1.3, 0.0],
                          "S1_conf": [0.1, 0.2, 0.1], "ST": [0.9, 1.4, 0.2], "ST_conf": [0.1, 0.2, 0.1],
                          "seed_noise_share": np.nan, "above_noise": [True, True, np.nan]})
    text = "\n".join(diagnose(table, sw))
    assert "S1 of a = -0.400 ± 0.100 is below zero beyond its interval" in text
    assert "ΣS1 = 0.90" not in text and "Sobol' N = 16 is small" in text and "replications ≥ 2" in text
    table.loc[0, "S1"] = -0.05                                     # within its interval: no warning
    table.loc[1, "S1"] = 1.2
    text = "\n".join(diagnose(table, sw))
    assert "below zero" not in text and "ΣS1 = 1.15 > 1" in text


def test_nan_outputs_are_refused_with_the_design_points_named(tmp_path):
    from experiments.sensitivity import sensitivity

    sw = parse_sweep({**BASE, "replications": 1, "set": {**TINY, "region_size": 40},
                      "design": {"method": "morris", "samples": 2, "levels": 2},
                      "vary": {"brand_promotion": {"low": 0, "high": 10}},
                      "keep": {"final": ["ellison_glaeser", "output"]}})
    with pytest.raises(ValueError, match=r"ellison_glaeser is NaN .* design points \(points \[0, 1"):
        sensitivity(sw, tmp_path / "m", indicators=["ellison_glaeser"], executor="serial", progress=False)


# --- provenance, store columns, cache, conventions ----------------------------------------------
@pytest.mark.slow
def test_store_has_provenance_seed_columns_real_reference_values_and_the_cache_reuses_runs(tmp_path):
    arms = [parse_arm("baseline", TINY), parse_arm("baseline:tech_centre=20.0", TINY)]
    first = compare(arms, reps=3, steps=3, out=tmp_path / "a", executor="serial", progress=False)   # 3: intervals
    assert first.report.ok == 6 and first.report.cached == 0
    final = load_results(tmp_path / "a")
    raw = pd.read_parquet(next((tmp_path / "a" / "runs").glob("a0-*.parquet")))
    assert {"seed", "rep", "point", "arm", "tech_centre"} <= set(raw.columns)
    assert raw["tech_centre"].iloc[0] == 0.0                       # the reference arm's real value
    assert set(final["arm"]) == {"baseline", "baseline:tech_centre=20"}
    prov = load_provenance(tmp_path / "a")[0]
    assert len(prov["code"]["commit"]) == 40 and isinstance(prov["code"]["dirty"], bool)
    assert prov["code"]["source_hash"] and prov["libraries"]["SALib"] and prov["libraries"]["numpy"]
    scen = prov["scenarios"]["baseline"]
    assert len(scen["hash"]) == 16 and scen["resolved_params"]["width"] == 100  # the scenario's own width
    # the compare figure's paired bands: at the last step they are the paired final differences
    paired = pd.read_csv(tmp_path / "a" / "paired_bands.csv")
    last = paired[(paired["step"] == 3) & (paired["indicator"] == "output")].iloc[0]
    diff = first.differences.set_index(["arm", "indicator"]).loc[("baseline:tech_centre=20", "output")]
    assert (last["mean"], last["low"], last["high"]) == pytest.approx((diff["difference"], diff["low"], diff["high"]))
    assert (tmp_path / "a" / "differences.png").stat().st_size > 0
    again = compare(arms, reps=3, steps=3, out=tmp_path / "b", executor="serial", progress=False)
    assert again.report.cached == 6 and again.report.ok == 0
    pd.testing.assert_frame_equal(load_results(tmp_path / "b", "series").drop(columns="run_id"),
                                  load_results(tmp_path / "a", "series").drop(columns="run_id"))
    assert json.loads((tmp_path / "b" / "manifest.jsonl").read_text().splitlines()[0])["cached"] is True


def test_one_default_seed_and_one_label_format():
    from experiments.cli import build_parser

    parser = build_parser()
    for argv in (["run"], ["compare", "baseline"], ["cost-effectiveness", "baseline", "x=1"], ["viz"]):
        assert parser.parse_args(argv).seed == DEFAULT_SEED == 0
    assert arm_label("baseline", {"tech_centre": 20.0, "rd_subsidy": 0.25}) == "baseline:tech_centre=20,rd_subsidy=0.25"
    assert parse_arm("baseline:tech_centre=20.0").label == parse_arm("baseline:tech_centre=20").label
    assert load_plan is not None


# --- budgets in the open, dose-response, the report ---------------------------------------------
def test_requested_and_funded_spending_per_lever_are_indicators():
    from model import ClusterModel

    m = ClusterModel(seed=0, gov_initial_budget=0.0, association=50.0, tech_centre=10.0, **TINY).run(4)
    r = m.results().iloc[1:]
    assert (r["requested_association"] == 50.0).all() and (r["requested_tech_centre"] == 10.0).all()
    assert (r["funded_association"] <= r["requested_association"] + 1e-9).all()
    assert (r["funded_association"] < 50.0).any()                     # the budget cannot pay it all
    # one pro-rata cut: every lever funded at the same share of its request
    share = r["funded_association"] / r["requested_association"]
    assert np.allclose(share, r["funded_tech_centre"] / r["requested_tech_centre"])
    assert np.allclose(r["spend_association"], r["funded_association"])  # a money lever pays what it is granted


def test_pareto_front_keeps_only_undominated_arms():
    from experiments.dose_response import pareto_front

    spending = np.array([10.0, 20.0, 20.0, 40.0, 80.0])
    effect = np.array([1.0, 0.5, 3.0, 2.0, 4.0])
    assert list(pareto_front(spending, effect)) == [0, 2, 4]


@pytest.mark.slow
def test_dose_response_sweep_gives_a_self_contained_report(tmp_path):
    from experiments.report import report

    sw = parse_sweep({**BASE, "replications": 3, "steps": 4, "set": {**TINY, "gov_initial_budget": 30.0},
                      "description": "Which lever, at what budget?",
                      "design": {"method": "dose_response"},
                      "vary": {"association": [10.0, 40.0], "tech_centre": [10.0, 40.0]},
                      "keep": {"final": ["output"], "series": [*OUTCOMES, "gov_spending", "gov_revenue",
                                                               "spend_association", "spend_tech_centre",
                                                               "requested_association", "funded_association",
                                                               "requested_tech_centre", "funded_tech_centre"]}})
    sweep(sw, tmp_path / "dose", executor="serial", progress=False)
    out = report([tmp_path / "dose"], tmp_path / "brief")
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert "Which lever, at what budget?" in md and "Answer in numbers" in md and "Budget use" in md
    assert "tech_centre=40" in md and "funded below its request" in md and "fewer than 10" in md
    assert page.count("data:image/png;base64,") >= 3 and 'src="figures' not in page
    assert {"dose-dose_response.png", "dose-pareto.png", "dose-budget.png"} <= {p.name for p in (out / "figures").iterdir()}


def test_the_cache_key_is_the_resolved_parameter_set():
    from experiments.compare import arm_specs
    from experiments.cost_effectiveness import lever_arms
    from experiments.run_cache import run_key

    ce = arm_specs(lever_arms("baseline", {"tech_centre": 20.0}, TINY), reps=1, steps=3)
    sw = parse_sweep({**BASE, "replications": 1, "design": {"method": "dose_response"},
                      "vary": {"tech_centre": [20.0], "association": [5.0]}})
    dose = {s.arm: s for s in run_specs(sw)}
    assert run_key(ce[0]) == run_key(dose["baseline"])                 # association = 0 is the default
    assert run_key(ce[1]) == run_key(dose["baseline:tech_centre=20"])
    assert run_key(ce[1]) != run_key(dose["baseline:association=5"])


def test_the_panel_grid_fits_n_panels_in_rows_of_three_and_hides_the_rest(tmp_path):
    from experiments.panels import panel_grid, save_panels

    fig, axes = panel_grid(4, 4.2, 3.0)
    assert len(axes) == 6 and tuple(fig.get_size_inches()) == pytest.approx((12.6, 6.0))
    axes[0].plot([0, 1], label="arm")
    path = save_panels(fig, axes, 4, tmp_path / "p.png", title="T")
    assert path.stat().st_size > 0 and [ax.get_visible() for ax in axes] == [True] * 4 + [False] * 2
    assert fig.get_suptitle() == "T" and axes[0].get_legend() is not None
    fig, axes = panel_grid(2, 4.4, 3.2, cols=2)                     # one row, as dose-response draws it
    assert len(axes) == 2 and tuple(fig.get_size_inches()) == pytest.approx((8.8, 3.2))
