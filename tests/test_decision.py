"""Decision support: measures, optimisation files, constraint handling, resume, determinism across
workers (clusterlab optimise), and PRIM / feature scoring on a planted rule (clusterlab discover).

Models here are tiny (30 × 30 grid, 30 firms, 6 quarters) and searches small (6 points, 3
generations, 2 seeds) so the slow tests stay lean.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.decision_file import DecisionFileError, parse_discover, parse_optimise
from experiments.measures import Condition, Measure, annual_growth
from experiments.store import StoreError

TINY = dict(width=30, height=30, n_firms=30, n_suppliers=60)
CLI = [str(Path(sys.executable).with_name("clusterlab"))]


def tiny_spec(**changes):
    data = {
        "name": "tiny", "scenario": "baseline", "steps": 6, "replications": 2, "seed": 3, "check_replications": 2,
        "search": {"algorithm": "nsga2", "population": 6, "generations": 3, "random_search": True},
        "set": TINY,
        "levers": {"tech_centre": {"low": 0, "high": 20, "step": 1},
                   "association": {"low": 0, "high": 20, "step": 1, "start": [1, 4], "duration": [1, 6]}},
        "objectives": [{"indicator": "gov_spending", "how": "sum", "sense": "min"},
                       {"indicator": "mean_knowledge", "sense": "max"}],
        "constraints": [{"indicator": "gov_spending", "how": "sum", "op": "<=", "bound": 60.0}],
    }
    data.update(changes)
    return parse_optimise(data, "tiny.toml")


# --- measures (independent computation) ------------------------------------------------------------
def test_measures_against_a_hand_computation():
    series = pd.DataFrame({"x": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]}, index=pd.Index(range(6), name="step"))
    assert Measure("x").of(series) == 10.0
    assert Measure("x", "value", 3).of(series) == 6.0
    assert Measure("x", "sum").of(series) == 2 + 4 + 6 + 8 + 10          # row 0 never counts
    assert Measure("x", "mean", 2).of(series) == 3.0
    assert Measure("x", "growth").of(series) == pytest.approx(100 * ((10 / 2) ** (4 / 4) - 1))
    assert np.isnan(annual_growth(0.0, 5.0, 4))
    with pytest.raises(ValueError, match="outside the run"):
        Measure("x", "value", 9).of(series)
    c = Condition(Measure("x"), ">=", 0.6)
    assert list(c.holds([0.5, 0.6, np.nan])) == [False, True, False]
    assert list(c.violation([0.5, 0.7])) == pytest.approx([0.1, -0.1])    # pymoo: g <= 0 feasible


def test_optimise_file_problems_are_all_reported_with_file_key_and_allowed():
    with pytest.raises(DecisionFileError) as err:
        parse_optimise({"scenario": "baseline", "stepz": 3,
                        "search": {"algorithm": "nsga4", "population": 2},
                        "set": {"width": -5},
                        "levers": {"tech_centr": {"low": 0, "high": 1}, "association": {"low": 0},
                                   "training": {"low": 5, "high": 1, "start": [3, 1]}},
                        "objectives": [{"indicator": "outpt", "sense": "up"}],
                        "constraints": [{"indicator": "output", "op": ">", "bound": "x"}],
                        "choose": "nothing"}, "bad.toml")
    text = str(err.value)
    for expected in ("bad.toml: stepz: unknown key (did you mean 'steps'?)",
                     "bad.toml: search.algorithm: unknown algorithm", "search.population: out of range",
                     "bad.toml: set.width:", "levers.tech_centr: not a policy lever (did you mean 'tech_centre'?)",
                     "levers.association.high: missing", "levers.training: low must be below high",
                     "levers.training.start: must be a range of quarters",
                     "objectives: a multi-objective search needs at least two objectives",
                     "objectives[0].indicator: unknown indicator 'outpt' (did you mean 'output'?)",
                     "objectives[0].sense:", "constraints[0].op: unknown comparison",
                     "constraints[0].bound: must be a number"):
        assert expected in text, expected
    assert "choose: not one" not in text   # it may name the broken objective: one mistake, one error (below)


def test_choose_is_checked_against_the_objectives_only_once_they_all_parse():
    """A typo in one objective's `how` ("total" for "sum") also gave "choose: not one of the objectives"
    for the `choose` that names that very objective: one mistake, two errors."""
    good = {"indicator": "local_sourcing_share", "quarter": 3, "sense": "max"}
    base = {"scenario": "baseline", "steps": 3, "levers": {"tech_centre": {"low": 0, "high": 5}}}
    with pytest.raises(DecisionFileError) as err:
        parse_optimise({**base, "objectives": [{"indicator": "gov_spending", "how": "total", "sense": "min"}, good],
                        "choose": "sum_gov_spending"}, "typo.toml")
    assert len(err.value.problems) == 1 and "objectives[0].how: unknown summary" in str(err.value)
    with pytest.raises(DecisionFileError, match="typo.toml: choose: not one of the objectives; allowed: "
                                                "sum_gov_spending, local_sourcing_share_q3"):
        parse_optimise({**base, "objectives": [{"indicator": "gov_spending", "how": "sum", "sense": "min"}, good],
                        "choose": "sum_gov_spendin"}, "typo.toml")


def test_cli_refuses_a_bad_file_before_running_anything(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('scenario = "baseline"\n[levers]\ntech_centre = { low = 0, high = 5 }\n')
    run = subprocess.run([*CLI, "optimise", str(bad), "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert "bad.toml: objectives: a multi-objective search needs at least two objectives" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_timing_becomes_schedule_entries_and_the_phase_out_restores_the_scenario_value():
    from experiments.optimise import decode, scenario_for, variables

    spec = tiny_spec()
    names, low, high = variables(spec)
    assert names == ["tech_centre", "association", "association_start", "association_duration"]
    settings = decode(spec, [7.4, 12.6, 2.2, 3.0])
    assert settings == {"tech_centre": 7.0, "association": 13.0, "association_start": 2, "association_duration": 3}
    scenario = scenario_for(spec, settings)
    assert scenario.params["tech_centre"] == 7.0
    assert scenario.schedule == ((2, "association", 13.0), (5, "association", 0.0))
    assert scenario_for(spec, {**settings, "association_duration": 6}).schedule == ((2, "association", 13.0),)


# --- the search -------------------------------------------------------------------------------------
class ToyEvaluator:
    """Stands in for the model: f1 = a, f2 = (1 − a)² + b; constraint a + b ≥ 0.5 (as `constraint_q6`)."""

    def __init__(self, out):
        self.out, self.ran, self.failed = Path(out), 0, 0

    def __call__(self, points, seeds):
        a = np.array([p["tech_centre"] for p in points]) / 20
        b = np.array([p["association"] for p in points]) / 20
        self.ran += len(points) * len(seeds)
        return pd.DataFrame({"failed_runs": 0, "sum_gov_spending": a, "sum_gov_spending_sd": 0.0,
                             "mean_knowledge": -((1 - a) ** 2 + b), "mean_knowledge_sd": 0.0,
                             "firms": a + b, "firms_sd": 0.0})


def test_constraint_handling_keeps_infeasible_points_off_the_front(tmp_path):
    from experiments.optimise import search
    from experiments.pareto import front

    spec = tiny_spec(constraints=[{"indicator": "firms", "op": ">=", "bound": 0.5}],
                     search={"algorithm": "nsga2", "population": 10, "generations": 6, "random_search": True})
    points = search(spec, ToyEvaluator(tmp_path))
    assert (points["firms"] < 0.5).any(), "the constraint never bound: the test would prove nothing"
    for arm in ("nsga2", "random"):
        f = front(spec, points, arm)
        assert len(f) and (f["firms"] >= 0.5).all()
    stored = pd.read_parquet(tmp_path / "points.parquet")
    assert stored["feasible"].tolist() == (stored["firms"] >= 0.5).tolist()
    ours = points[points["arm"] == "nsga2"]
    late = ours[ours["generation"] == spec.generations]
    assert (late["firms"] >= 0.5).mean() > (ours[ours["generation"] == 1]["firms"] >= 0.5).mean() - 1e-9


def test_an_unreachable_target_reports_the_nearest_miss_not_a_front(tmp_path):
    from experiments.optimise import search
    from experiments.pareto import write

    spec = tiny_spec(constraints=[{"indicator": "firms", "op": ">=", "bound": 5.0}], check_replications=0)
    evaluate = ToyEvaluator(tmp_path)
    points = search(spec, evaluate)
    outcome = write(spec, tmp_path, points, evaluate)
    assert "NO point met the constraints" in outcome.note
    best = points["firms"].max()                      # the nearest miss of either arm
    assert outcome.chosen["in_sample"]["firms"] == pytest.approx(best)
    assert "front of nsga2: 0 points" in outcome.report()
    assert "front of every point evaluated: 0 points" in outcome.report()
    assert (outcome.hypervolume[["hv_nsga2", "hv_random"]] == 0).all().all()


def test_a_mix_the_random_search_found_is_chosen_when_it_beats_the_optimisers(tmp_path):
    """The decision's front is over every evaluated point: a random-search point that dominates
    the optimiser's whole front is the chosen mix (before, only the optimiser's front was a
    candidate, and a cheaper mix the random search found went unreported)."""
    from experiments.optimise import search
    from experiments.pareto import front, write

    spec = tiny_spec(check_replications=0)
    evaluate = ToyEvaluator(tmp_path)
    points = search(spec, evaluate)
    ours = front(spec, points, "nsga2")
    winner = points[points["arm"] == "random"].iloc[[0]].copy()
    winner["tech_centre"] = 0.5                      # a setting no arm evaluated (fronts keep one per setting)
    winner["sum_gov_spending"] = points["sum_gov_spending"].min() - 1.0      # cheaper than anything, and
    winner["mean_knowledge"] = points["mean_knowledge"].max() + 1.0          # more knowledge: dominates all
    winner["firms"] = points["firms"].max() + 1.0
    points = pd.concat([points, winner], ignore_index=True)
    outcome = write(spec, tmp_path, points, evaluate)
    names = ["tech_centre", "association", "association_start", "association_duration"]
    assert outcome.chosen["settings"] == {n: winner.iloc[0][n] for n in names}
    assert outcome.chosen["in_sample"]["sum_gov_spending"] < ours["sum_gov_spending"].min()
    table = outcome.front
    assert table[table["front"] == "all"]["arm"].tolist() == ["random"]       # it alone is non-dominated
    assert len(table[table["front"] == "nsga2"]) == len(ours)                # the arm's own front is kept
    assert "1 found by random" in outcome.report()


def test_the_fronts_axes_and_the_chosen_mixs_lines_carry_units(tmp_path, monkeypatch):
    """front.png's axes read "sum_gov_spending (min)" and "value_added_q6 (max)" and the chosen mix's
    lines "sum_gov_spending: 174.1 [...]": no unit, so an economist could not tell money from money a
    quarter. A sum of a per-quarter flow is in the flow's stock unit, a sum of a stock × quarters."""
    import matplotlib.axes

    from experiments.optimise import search
    from experiments.pareto import write

    assert Measure("gov_spending", "sum").unit == "units" and Measure("value_added", "value", 6).unit == "units/quarter"
    assert Measure("firms", "sum").unit == "enterprises × quarters" and Measure("firms", "mean").unit == "enterprises"
    assert Measure("value_added", "growth").unit == "% a year" and Measure("ellison_glaeser").unit == ""
    assert Measure("gov_spending", "sum").titled == "sum_gov_spending [units]" and Measure("x").titled == "x"
    labels = []
    for name in ("set_xlabel", "set_ylabel"):
        monkeypatch.setattr(matplotlib.axes.Axes, name, lambda ax, text, *a, **k: labels.append(text))
    class Checked(ToyEvaluator):       # the fresh-seed check reads each seed's measures
        def runs(self, settings, seeds):
            row = self([settings], seeds).drop(columns=["failed_runs"]).iloc[0]
            return pd.DataFrame([row] * len(seeds), index=pd.Index(seeds, name="seed"))

    spec, evaluate = tiny_spec(), Checked(tmp_path)
    outcome = write(spec, tmp_path, search(spec, evaluate), evaluate)
    assert labels[:2] == ["sum_gov_spending [units] (min)", "mean_knowledge [× frontier at step 0] (max)"]
    report = outcome.report()
    assert "\n  sum_gov_spending [units]: " in report and "\n  mean_knowledge [× frontier at step 0]: " in report


def front_of(out) -> pd.DataFrame:
    table = pd.read_parquet(Path(out) / "front.parquet")
    return table.drop(columns=[c for c in table if c.endswith("_sd")]).sort_values(
        ["arm", "tech_centre", "association", "association_start", "association_duration"], ignore_index=True)


class Stop(Exception):
    pass


@pytest.mark.slow
def test_resume_after_an_interrupted_search_recomputes_nothing_and_gives_the_same_front(tmp_path):
    from experiments.optimise_command import optimise

    spec = tiny_spec()
    full = optimise(spec, tmp_path / "full", executor="serial", progress=False, cache=False)

    stored_at_stop = {}

    def stop_after_two(generation, points):      # an event, not a timer: the kill comes after gen 2
        if generation == 2:
            stored_at_stop["runs"] = len(list((tmp_path / "cut" / "evals" / "runs").glob("*.parquet")))
            raise Stop

    with pytest.raises(Stop):
        optimise(spec, tmp_path / "cut", executor="serial", progress=False, cache=False, on_generation=stop_after_two)
    with pytest.raises(StoreError, match="--resume"):
        optimise(spec, tmp_path / "cut", executor="serial", progress=False, cache=False)
    resumed = optimise(spec, tmp_path / "cut", executor="serial", progress=False, cache=False, resume=True)
    total = len(list((tmp_path / "cut" / "evals" / "runs").glob("*.parquet")))
    assert 0 < stored_at_stop["runs"] < total
    assert resumed.ran == total - stored_at_stop["runs"]                   # nothing computed twice
    pd.testing.assert_frame_equal(front_of(tmp_path / "cut"), front_of(tmp_path / "full"))
    again = optimise(spec, tmp_path / "cut", executor="serial", progress=False, cache=False, resume=True)
    assert again.ran == 0
    assert full.hypervolume.equals(resumed.hypervolume)


@pytest.mark.slow
def test_same_front_with_one_and_two_workers_and_constraint_respected(tmp_path):
    from experiments.optimise_command import optimise

    spec = dataclasses.replace(tiny_spec(), check_replications=3)     # 3: the fewest with intervals
    one = optimise(spec, tmp_path / "one", executor="serial", progress=False, cache=False)
    two = optimise(spec, tmp_path / "two", executor="local", workers=2, progress=False, cache=False)
    pd.testing.assert_frame_equal(front_of(tmp_path / "one"), front_of(tmp_path / "two"))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "points.parquet"),
                                  pd.read_parquet(tmp_path / "two" / "points.parquet"))
    assert one.chosen == two.chosen
    points = one.points
    assert (points["sum_gov_spending"] > 60).any(), "the budget never bound: the test would prove nothing"
    assert (one.front["sum_gov_spending"] <= 60).all()
    hv = one.hypervolume
    assert {"hv_nsga2", "hv_random", "evaluations_nsga2", "evaluations_random"} <= set(hv.columns)
    assert (hv["evaluations_nsga2"] == hv["evaluations_random"]).all()       # same number of evaluations
    assert (np.diff(hv["hv_nsga2"]) >= -1e-12).all()                        # an archive never loses volume
    for name in ("front.png", "hypervolume.png", "summary.json", "hypervolume.csv"):
        assert (tmp_path / "one" / name).exists()


# --- discovery ----------------------------------------------------------------------------------------
def planted(n=500, seed=3):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, 4)), columns=["a", "b", "c", "d"])
    return x, ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()


def test_prim_finds_a_planted_rule():
    from experiments.discover import prim_boxes

    x, y = planted()
    box, = prim_boxes(x, y, threshold=0.9)
    assert box["density"] >= 0.9 and box["coverage"] >= 0.8
    assert box["limits"]["a"][0] == pytest.approx(0.6, abs=0.05)
    assert box["limits"]["b"][1] == pytest.approx(0.3, abs=0.05)
    for free in ("c", "d"):                       # the irrelevant inputs stay (almost) unrestricted
        low, high = box["limits"].get(free, (0.0, 1.0))
        assert high - low > 0.85
    t = box["trajectory"]
    assert t["coverage"].iloc[0] == 1.0 and t["density"].iloc[0] == pytest.approx(y.mean())


def test_feature_scores_rank_the_planted_inputs_first():
    from experiments.discover import feature_scores

    x, y = planted()
    scores = feature_scores(x, {"success": y, "smooth": (3 * x["c"] + x["d"]).to_numpy()}, seed=1)
    assert set(scores["success"].nlargest(2).index) == {"a", "b"}
    assert scores["smooth"].idxmax() == "c"
    assert scores.sum().to_numpy() == pytest.approx([1.0, 1.0])


def test_discover_file_problems_are_reported():
    with pytest.raises(DecisionFileError) as err:
        parse_discover({"sweep": "nowhere.toml", "success": [{"indicator": "firm", "op": "=", "bound": 1}],
                        "prim": {"threshold": 2}}, "d.toml")
    text = str(err.value)
    for expected in ("d.toml: store: missing", "d.toml: sweep: no such sweep file",
                     "success[0].indicator: unknown indicator 'firm'", "success[0].op: unknown comparison",
                     "prim.threshold: must be a number"):
        assert expected in text, expected


@pytest.mark.slow
def test_discover_over_a_tiny_sweep_writes_boxes_scores_and_figures(tmp_path):
    from experiments.discover import discover

    sweep_file = tmp_path / "sw.toml"
    sweep_file.write_text("\n".join([
        'scenario = "baseline"', "steps = 4", "replications = 1", "seed = 2",
        '[design]', 'method = "latin_hypercube"', "samples = 24",
        "[set]", *(f"{k} = {v}" for k, v in TINY.items()),
        "[vary]", "tech_centre = { low = 0.0, high = 30.0 }", "initial_trust = { low = 0.0, high = 0.9 }",
        "[keep]", 'final = ["mean_knowledge", "output"]', 'series = ["mean_knowledge", "output", "gov_spending"]']))
    spec = parse_discover({"store": str(tmp_path / "store"), "sweep": str(sweep_file),
                           "success": [{"indicator": "gov_spending", "how": "sum", "op": ">=", "bound": 60.0}],
                           "prim": {"threshold": 0.9},
                           "scoring": {"outcomes": [{"indicator": "output", "how": "growth"}]}}, "d.toml")
    result = discover(spec, executor="serial", progress=False, cache=False)
    assert result.runs == 24 and 0 < result.successes < 24
    box = result.boxes[0]
    assert "tech_centre" in box["limits"]          # spending is the lever's level: the box must say so
    assert box["density"] > result.successes / result.runs
    assert result.scores.loc["tech_centre", "success"] > result.scores.loc["initial_trust", "success"]
    for name in ("boxes.csv", "trajectory.csv", "feature_scores.csv", "summary.json", "trajectory.png",
                 "boxes.png", "feature_scores.png", "outcomes.parquet"):
        assert (result.out / name).exists(), name


def test_decision_files_go_through_the_hardened_toml_reader(tmp_path):
    """A byte-order mark is skipped and a binary file is named, as for scenario and sweep files."""
    from experiments.decision_file import load_optimise

    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbfscenario = 'baseline'\n")
    with pytest.raises(DecisionFileError) as err:
        load_optimise(bom)
    assert not any("TOML" in p.message for p in err.value.problems)   # it parsed; only content problems
    assert any(p.key == "levers" for p in err.value.problems)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x00\x01\x02scenario")
    with pytest.raises(DecisionFileError) as err:
        load_optimise(binary)
    assert any("binary" in p.message and str(binary) in p.file for p in err.value.problems)


def test_an_undefined_feature_score_is_shown_n_a_with_the_reason(tmp_path):
    """When every run succeeded the report printed the feature score as "NaN" (every other table
    says "n/a" and why: experiments.formatting)."""
    from experiments.discover import Discovery, feature_scores

    x = pd.DataFrame({"tech_centre": np.linspace(0.0, 40.0, 8)})
    scores = feature_scores(x, {"success": np.ones(8, dtype=bool)})
    assert scores["success"].isna().all()                    # one value in every run: nothing to explain
    spec = parse_discover({"store": str(tmp_path), "success": [{"indicator": "output", "op": ">=", "bound": 1.0}]},
                          "d.toml")
    text = Discovery(spec, tmp_path, 8, 8, scores=scores).report()
    assert "NaN" not in text and "tech_centre      n/a" in text and "one value in every run" in text


def test_the_peeling_trajectorys_colour_scale_counts_inputs_from_zero_on_one_scale():
    """With one box that restricts nothing (success everywhere) the colour bar of restricted inputs ran
    from −0.1 to 0.1, and with several boxes each was coloured on its own scale under one colour bar."""
    from types import SimpleNamespace

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.discover_plots import trajectory

    def box(dims):
        t = pd.DataFrame({"coverage": np.linspace(1, 0.5, len(dims)), "density": np.linspace(0.5, 1, len(dims)),
                          "res_dim": np.array(dims, float)})
        return {"trajectory": t, "coverage": 1.0, "density": 1.0}

    for boxes, top in (([box([0])], 1), ([box([0]), box([0, 1, 2, 3])], 3)):
        fig = trajectory(SimpleNamespace(boxes=boxes, spec=SimpleNamespace(threshold=0.8, name="t")), plt)
        scales = [(c.norm.vmin, c.norm.vmax) for c in fig.axes[0].collections if c.get_array() is not None]
        assert scales == [(0, top)] * len(boxes)
        assert fig.axes[1].get_ylim() == (0, top)
        plt.close(fig)
