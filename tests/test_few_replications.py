"""No interval from fewer than three replications (experiments.conventions.MIN_INTERVAL_N).

`clusterlab compare --reps 2` printed 95% t intervals from one degree of freedom (t = 12.7) and
`cost-effectiveness --reps 2` "95% BCa" intervals that were the two values themselves, without a
word; `optimise` did the same with `check_replications = 2`. Below three replications every
interval is now NaN ("n/a") and the command says why, before the runs; the means are kept."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments import cli
from experiments.compare import differences, t_interval
from experiments.conventions import MIN_INTERVAL_N, few_replications
from experiments.cost_effectiveness import paired_bca
from experiments.pareto import _interval

SMALL = ["--steps", "2", "--executor", "serial", "--quiet", "--no-cache",
         "--set", "width=30,height=30,n_firms=30,n_suppliers=60"]


def test_t_interval_is_nan_below_three_and_the_textbook_one_from_three():
    low, high = t_interval([1.0, 1.0], [2.0, 0.0], [2, 2])
    assert np.isnan(low).all() and np.isnan(high).all()           # even with no spread: n = 2 says nothing
    x = np.array([1.0, 2.0, 4.0])
    low, high = t_interval(x.mean(), x.std(ddof=1), 3)
    half = 4.302652729911275 * x.std(ddof=1) / math.sqrt(3)      # t(0.975, 2 df)
    assert (float(low), float(high)) == pytest.approx((x.mean() - half, x.mean() + half))


def test_paired_differences_keep_the_mean_and_drop_the_interval_at_two():
    final = pd.DataFrame({"rep": [0, 0, 1, 1], "arm": ["a", "b", "a", "b"], "output": [1.0, 3.0, 2.0, 5.0]})
    row = differences(final, ["output"]).iloc[0]
    assert row["difference"] == pytest.approx(2.5) and row["n"] == 2
    assert np.isnan(row["low"]) and np.isnan(row["high"])


def test_bca_and_the_optimiser_check_give_no_interval_below_three():
    est, low, high = paired_bca([1.0, 5.0])
    assert est == pytest.approx(3.0) and np.isnan(low) and np.isnan(high)   # was [1, 5]: the two values
    assert all(np.isfinite(paired_bca([1.0, 5.0, 2.0])))
    two = _interval("x", np.array([1.0, 5.0]))
    assert two["x"] == pytest.approx(3.0) and np.isnan(two["x_low"]) and np.isnan(two["x_high"])
    assert np.isfinite(_interval("x", np.array([1.0, 5.0, 2.0]))["x_low"])


def test_the_warning_names_n_the_rule_and_the_option():
    assert few_replications(MIN_INTERVAL_N) == "" and few_replications(0) == ""
    note = few_replications(2)
    assert "only 2 replications per arm" in note and "n/a" in note and "--reps 3" in note
    assert "only 1 fresh seed:" in few_replications(1, "fresh seed", "", "check_replications =")


@pytest.mark.slow
def test_compare_at_two_replications_warns_before_the_runs_and_prints_n_a(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli.main(["compare", "baseline", "baseline:tech_centre=20", "--reps", "2", *SMALL, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "warning: only 2 replications per arm" in captured.err and "--reps 3" in captured.err
    table = captured.out.split("95% interval of the difference):", 1)[1]
    assert "n/a" in table and "nan" not in table.lower().replace("n/a", "")
    saved = pd.read_csv(out / "differences.csv")
    assert saved["low"].isna().all() and saved["difference"].notna().all()


def test_sensitivity_at_one_replication_shows_the_undefined_noise_share_as_n_a(tmp_path, capsys):
    """With one replication per point the seed-noise share is undefined: the table printed "NaN"
    where every other table says "n/a" (experiments.formatting)."""
    sweep = tmp_path / "sob.toml"
    sweep.write_text('name = "sob"\nscenario = "baseline"\nsteps = 2\nreplications = 1\n'
                     '[design]\nmethod = "sobol"\nsamples = 4\nsecond_order = false\n'
                     '[set]\nwidth = 30\nheight = 30\nn_firms = 30\nn_suppliers = 60\n'
                     '[vary]\ntech_centre = { low = 0.0, high = 20.0 }\n[keep]\nfinal = ["output"]\n')
    assert cli.main(["sensitivity", str(sweep), "--out", str(tmp_path / "out"), "--executor", "serial",
                     "--quiet", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "seed_noise_share" in out and "n/a" in out and "NaN" not in out


def test_the_brief_does_not_call_an_effect_doubtful_when_it_has_no_interval():
    """At 2 replications the policy brief's answer said "no arm raises it beyond doubt (every interval
    of the effect ... includes 0)" although no interval existed."""
    from experiments.report import Brief, answer_section

    row = {"arm": "baseline:tech_centre=20", "indicator": "firms", "unit": "enterprises", "per_unit": 0.1,
           "per_unit_low": np.nan, "per_unit_high": np.nan, "final_effect": 3.0, "final_effect_low": np.nan,
           "final_effect_high": np.nan, "spending": 80.0, "cost_per": np.nan, "cost_per_low": np.nan,
           "cost_per_high": np.nan}
    brief = Brief("t")
    answer_section(brief, pd.DataFrame([row]), ["firms"])
    (text,) = brief.blocks[-1][1]
    assert "not judged" in text and "fewer than 3 replications" in text and "beyond doubt" not in text


@pytest.mark.parametrize("reps, phrase", [("2", "only 2 paired replications per arm: every interval is n/a"),
                                          ("5", "only 5 paired replication(s) per arm: intervals from fewer than 10")])
def test_cost_effectiveness_warns_of_few_replications_before_the_runs(tmp_path, capsys, monkeypatch, reps, phrase):
    """`cost-effectiveness --reps 2` said that its intervals would be n/a only after every run (as
    `compare` said it before them, while they can still be stopped): a Ctrl-C as the runs start
    now comes after the warning, and a finished command says it once."""
    from experiments import executors

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(executors, "run_batch", ctrl_c)
    assert cli.main(["cost-effectiveness", "baseline", "tech_centre=20", "--reps", reps, *SMALL,
                     "--out", str(tmp_path / "stopped")]) == 130
    err = capsys.readouterr().err
    assert phrase in err and err.index(phrase) < err.index("interrupted")
    monkeypatch.undo()
    if reps == "2":
        assert cli.main(["cost-effectiveness", "baseline", "tech_centre=20", "--reps", reps, *SMALL,
                         "--out", str(tmp_path / "done")]) == 0
        assert capsys.readouterr().err.count(phrase) == 1


@pytest.mark.parametrize("command", [["compare", "baseline", "baseline:tech_centre=20"],
                                     ["cost-effectiveness", "baseline", "tech_centre=20"]])
def test_a_refused_results_folder_comes_without_the_few_replications_warning(tmp_path, capsys, command):
    """A bad --out printed the warning about the intervals of runs that would never start, then the error."""
    taken = tmp_path / "a_file"
    taken.write_text("x")
    assert cli.main([*command, "--reps", "2", *SMALL, "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "a_file" in err and "warning" not in err
