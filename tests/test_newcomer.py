"""What a newcomer met trying every README command with bad input (the project's rule: a clear
error naming the file or option, the key and what is allowed, before anything is computed; no
traceback; non-zero exit; nothing already computed lost). Each test fails without its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments import cli
from experiments.runner import summarise
from scenarios import ScenarioError, load_scenario


def test_summary_of_a_run_whose_value_added_turns_negative():
    """A long run can end with negative value added (losses above wages): the annual growth rate
    (end/first)^(1/years) has no real value then. It crashed `clusterlab run --steps 3000` with
    "TypeError: must be real number, not complex" after the whole run (nothing written)."""
    results = pd.DataFrame({"output": [0.0, 100.0, 80.0, 20.0, -5.0], "firms": [10, 10, 9, 8, 7]},
                           index=pd.RangeIndex(5, name="step"))
    summary = summarise(load_scenario("baseline"), 0, results, {})
    growth = summary["growth"]["output"]
    assert growth["annual_growth_pct"] is None and growth["last_quarter"] == -5.0
    json.dumps(summary, allow_nan=False)                      # still valid JSON
    positive = summarise(load_scenario("baseline"), 0, results.assign(output=[0.0, 100, 110, 121, 133.1]), {})
    assert positive["growth"]["output"]["annual_growth_pct"] == pytest.approx(100 * (1.331 ** (4 / 3) - 1), abs=0.01)


SMALL_ARMS = ["--reps", "2", "--steps", "2", "--executor", "serial", "--quiet", "--no-cache",
              "--set", "width=30,height=30,n_firms=30,n_suppliers=60"]


def test_compare_with_one_arm_gives_its_bands(tmp_path, capsys):
    """`clusterlab compare baseline` ran every replication, then died with a pandas KeyError
    traceback (no reference arm, so no differences table to print)."""
    assert cli.main(["compare", "baseline", *SMALL_ARMS, "--out", str(tmp_path / "one")]) == 0
    out = capsys.readouterr().out
    assert "no paired differences" in out and "Traceback" not in out
    assert (tmp_path / "one" / "bands.csv").exists() and (tmp_path / "one" / "compare.png").exists()


@pytest.mark.parametrize("rate", ["-2", "nan", "inf"])
def test_cost_effectiveness_refuses_a_bad_discount_before_running(tmp_path, capsys, rate):
    """`--discount -2` was refused only after every run of every arm had been computed
    (and nan/inf were not refused at all)."""
    out = tmp_path / "ce"
    assert cli.main(["cost-effectiveness", "baseline", "tech_centre=5", *SMALL_ARMS, "--out", str(out),
                     f"--discount={rate}"]) == 2
    err = capsys.readouterr().err
    assert "--discount" in err and ">= 0" in err and "Traceback" not in err
    assert not out.exists()                                   # nothing was run


TINY_SET = """[set]
width = 30
height = 30
n_firms = 30
n_suppliers = 60
"""                 # a 30 x 30 grid of 90 enterprises: the sweep files below


SOBOL = """name = "tiny_sobol"
scenario = "baseline"
steps = 2
replications = 2
""" + TINY_SET + """[design]
method = "sobol"
samples = 4
second_order = false
[vary]
tech_centre = { low = 0.0, high = 20.0 }
rd_subsidy = { low = 0.0, high = 0.5 }
[keep]
final = ["output", "firms", "mean_knowledge"]
"""


@pytest.mark.parametrize("given, named", [("nosuch", "'nosuch'"), ("firms,mean_knowledg", "'mean_knowledge'"),
                                          ("gov_budget", "'gov_budget'"), ("", "''")])
def test_sensitivity_refuses_unknown_indicators_before_the_sweep(tmp_path, capsys, given, named):
    """`--indicators nosuch` ran the whole Sobol' sweep (448 runs for the README's example) and
    only then failed with a bare KeyError-like message; now it is refused first, with the allowed names."""
    sweep_file = tmp_path / "tiny_sobol.toml"
    sweep_file.write_text(SOBOL, encoding="utf-8")
    out = tmp_path / "sobol"
    assert cli.main(["sensitivity", str(sweep_file), "--indicators", given, "--out", str(out),
                     "--executor", "serial", "--quiet", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "--indicators" in err and named in err and "allowed: output, firms, mean_knowledge" in err
    assert not out.exists()                                   # nothing was run


def test_interrupt_hint_offers_resume_only_where_the_command_has_it(capsys):
    """After Ctrl-C, `clusterlab sensitivity` said "run the same command with --resume", an option it
    does not have (it always resumes)."""
    from experiments.interrupts import stop

    parser = cli.build_parser()
    sens = parser.parse_args(["sensitivity", "s.toml", "--out", "runs/x"])
    swp = parser.parse_args(["sweep", "s.toml", "--out", "runs/x"])
    assert stop(sens, 130, "interrupted") == 130 and "--resume" not in capsys.readouterr().err
    assert stop(swp, 130, "interrupted") == 130 and "with --resume" in capsys.readouterr().err


@pytest.fixture(scope="module")
def compare_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "compare"
    assert cli.main(["compare", "baseline", "baseline:tech_centre=5", *SMALL_ARMS, "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("given, named", [("nosuch", "'nosuch'"), ("firms,mean_knowlege", "'mean_knowledge'"),
                                          ("firms,", "''")])
def test_report_refuses_unknown_outcomes_before_writing(compare_store, tmp_path, capsys, given, named):
    """`report --outcomes nosuch` said "cost-effectiveness needs the series of nosuch (keep.series)"
    — neither the option nor what is allowed — after creating OUT/figures."""
    brief = tmp_path / "brief"
    capsys.readouterr()
    assert cli.main(["report", str(compare_store), str(brief), "--outcomes", given]) == 2
    err = capsys.readouterr().err
    assert "--outcomes" in err and named in err and "allowed: firms" in err and "Traceback" not in err
    assert not brief.exists()
    assert cli.main(["report", str(compare_store), str(brief), "--outcomes", "firms,value_added"]) == 0


def test_validation_reuse_without_a_measurement(tmp_path, monkeypatch, capsys):
    """In a fresh clone `clusterlab validation --reuse` printed a bare
    "[Errno 2] No such file or directory: 'runs/validation.pkl'"."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validation", "--reuse", "--out", str(tmp_path / "v.md"), "--figures", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "--reuse" in err and "runs/validation.pkl" in err and "Errno" not in err
    assert not (tmp_path / "f").exists()


def test_ctrl_c_mid_run_keeps_the_quarters_run(tmp_path, monkeypatch, capsys):
    """Ctrl-C at quarter 993 of a 2000-quarter `clusterlab run` printed "interrupted" and lost the
    993 quarters; now their indicators.csv and summary.json are written (gated on the step count)."""
    from model import ClusterModel

    step, calls = ClusterModel.step, []

    def stop_at_third(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        step(self)

    monkeypatch.setattr(ClusterModel, "step", stop_at_third)
    out = tmp_path / "run"
    assert cli.main(["run", "baseline", "--steps", "5", "--quiet", "--out", str(out),
                     "--set", "width=30", "--set", "height=30", "--set", "n_firms=30", "--set", "n_suppliers=60"]) == 130
    err = capsys.readouterr().err
    assert "interrupted at quarter 2 of 5" in err and "Traceback" not in err
    assert list(pd.read_csv(out / "indicators.csv")["step"]) == [0, 1, 2]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is True and summary["steps"] == 2


@pytest.mark.parametrize("command", [["compare", "baseline", "dartboard"], ["cost-effectiveness", "baseline", "tech_centre=5"]])
@pytest.mark.parametrize("option, value", [("--steps", "10001"), ("--reps", "6")])
def test_arm_commands_bound_steps_and_runs_like_run_and_sweep(tmp_path, capsys, monkeypatch, command, option, value):
    """`clusterlab run --steps 100000000` and a sweep of more than 1,000,000 runs are refused, but
    `compare`/`cost-effectiveness` started them (--reps 1e8 built 2e8 specs in memory for minutes).
    Here the bound on runs is lowered to 10 so that a regression costs seconds, not memory."""
    monkeypatch.setattr("experiments.design_size.MAX_RUNS", 10)
    out = tmp_path / "arms"
    args = [*command, "--reps", "1", "--steps", "1", option, value, "--out", str(out), "--executor", "serial",
            "--quiet", "--no-cache", "--set", "width=30,height=30,n_firms=30,n_suppliers=60"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert option in err and "allowed:" in err and f"given: {value}" in err
    assert not out.exists()


def test_a_sweeps_missing_scenario_offers_scenarios_not_sibling_sweep_files(tmp_path, capsys):
    """A typo in a sweep file's `scenario` listed every .toml of its folder as allowed — for a file in
    experiments/examples/ that meant the other sweep and search files (policy_mix, sobol_levers…)."""
    (tmp_path / "my_case.toml").write_text('extends = "baseline"\n[agents]\nn_firms = 30\n', encoding="utf-8")
    (tmp_path / "other_sweep.toml").write_text('name = "o"\nscenario = "baseline"\nsteps = 2\nreplications = 1\n'
                                              '[vary]\ntech_centre = [0.0]\n', encoding="utf-8")
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text('name = "s"\nscenario = "my_cas"\nsteps = 2\nreplications = 1\n[vary]\ntech_centre = [0.0]\n',
                          encoding="utf-8")
    assert cli.main(["sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'my_case'" in err and "my_case," in err and "baseline" in err
    assert "other_sweep" not in err and " s," not in err


def test_a_target_column_no_run_records_is_refused_before_calibrating(tmp_path, capsys):
    """A typo in a case file's target column (`firms+supplier`) passed `clusterlab validate` and made
    `clusterlab calibrate` die with a pandas KeyError traceback after its first simulations."""
    from experiments.case_targets import case_spec

    text = Path("scenarios/jiangxi_auto_hub.toml").read_text(encoding="utf-8")
    assert 'column = "firms+suppliers"' in text
    case = tmp_path / "my_case.toml"
    case.write_text(text.replace('column = "firms+suppliers"', 'column = "firms+supplier"', 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"targets\[0\]\.column: unknown column 'supplier' \(did you mean 'suppliers'\?\)"):
        case_spec(case, with_references=False)
    db = tmp_path / "c.db"
    assert cli.main(["calibrate", str(case), "--db", str(db), "--out", str(tmp_path / "cal"), "--quiet",
                     "--engine", "single", "--population", "4", "--generations", "1", "--max-minutes", "0.01"]) == 2
    err = capsys.readouterr().err
    assert "my_case.toml" in err and "allowed:" in err and "stage_0" in err and "Traceback" not in err
    assert not db.exists()
    assert case_spec("jiangxi_auto_hub", with_references=False).targets       # the shipped file passes


@pytest.mark.parametrize("seeds", ["[-1]", "[0, 4294967296]"])
def test_calibration_seeds_out_of_range_are_refused_by_validate(tmp_path, capsys, seeds):
    """`[calibration] seeds = [-1]` passed `clusterlab validate`; `calibrate` then created its database
    and failed with "expected non-negative integer", naming neither the key nor what is allowed."""
    text = Path("scenarios/jiangxi_auto_hub.toml").read_text(encoding="utf-8")
    assert "seeds = [0, 1]" in text
    case = tmp_path / "my_case.toml"
    case.write_text(text.replace("seeds = [0, 1]", f"seeds = {seeds}", 1), encoding="utf-8")
    assert cli.main(["validate", str(case)]) == 1
    out = capsys.readouterr().out
    assert "calibration.seeds" in out and "[0, 4294967295]" in out


def test_the_single_region_warning_names_what_is_undefined():
    """The warning said "the location quotient, Ellison–Glaeser and Moran's I are undefined (n/a)",
    but a run shows Moran's I (over cells) defined and the location quotient 1; only γ is n/a."""
    scenario = load_scenario("baseline").with_overrides(width=30, height=30, n_firms=30, n_suppliers=60,
                                                          region_size=30)
    (warning,) = [w for w in scenario.warnings if "single region" in w]
    df = scenario.build(seed=0).run(2).results()
    assert df["ellison_glaeser"].isna().all() and "Ellison–Glaeser is undefined" in warning
    assert df["morans_i"].notna().all() and "Moran's I" not in warning.split("(")[0]
    assert (df["max_lq"] == 1).all() and "location quotient is 1" in warning


@pytest.mark.parametrize("blocked, option", [("runs", "--db (default)"), ("docs", "--out (default)")])
def test_calibrate_checks_its_default_folders_before_starting(tmp_path, monkeypatch, capsys, blocked, option):
    """From a folder where runs/ (or docs/) cannot be written, `clusterlab calibrate CASE` printed its
    progress and then a bare "[Errno 1] Operation not permitted: 'runs'": the unwritable default
    folders were not checked as --db/--out are. (A file in the way stands for an unwritable folder.)"""
    monkeypatch.chdir(tmp_path)
    (tmp_path / blocked).write_text("not a folder")
    assert cli.main(["calibrate", "jiangxi_auto_hub", "--quiet", "--engine", "single", "--population", "4",
                     "--generations", "1", "--max-minutes", "0.01"]) == 2
    captured = capsys.readouterr()
    assert option in captured.err and "Errno" not in captured.err and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [blocked]            # nothing left behind


def test_a_damaged_run_file_is_named_with_the_way_to_recompute_it(tmp_path, capsys):
    """A run file cut short (a copy of a results folder interrupted) made every reader die with a
    pyarrow traceback ("Parquet magic bytes not found"); now the file is named with what to do, and
    doing it (delete, --resume) restores the same results."""
    from experiments import load_results
    from experiments.store import StoreError

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text('name = "s"\nscenario = "baseline"\nsteps = 2\nreplications = 2\n'
                          '[set]\nwidth = 30\nheight = 30\nn_firms = 30\nn_suppliers = 60\n'
                          '[vary]\ntech_centre = [0.0, 5.0]\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["sweep", str(sweep_file), "--out", str(out), "--executor", "serial", "--quiet", "--no-cache"]
    assert cli.main(args) == 0
    before = load_results(out)
    damaged = sorted((out / "runs").glob("*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:100])
    with pytest.raises(StoreError, match=rf"{damaged.name}: not a readable run file .*delete it .*--resume"):
        load_results(out)
    damaged.unlink()
    assert cli.main([*args, "--resume"]) == 0
    pd.testing.assert_frame_equal(load_results(out), before)


def test_a_missing_reference_scenario_is_named_once(capsys):
    """`cost-effectiveness nosuch ...` said "scenario: scenario: no such scenario" (the key twice,
    the argument not named)."""
    assert cli.main(["cost-effectiveness", "nosuch", "tech_centre=3"]) == 2
    err = capsys.readouterr().err
    assert "SCENARIO 'nosuch': scenario: no such scenario" in err and "scenario: scenario:" not in err


def test_report_names_a_missing_results_folder_as_missing(tmp_path, capsys):
    """`report nosuchdir OUT` said "not a results folder (no plan.json)" for a folder that does not exist."""
    assert cli.main(["report", str(tmp_path / "nosuch"), str(tmp_path / "brief")]) == 2
    err = capsys.readouterr().err
    assert "nosuch: no such folder; allowed: folders written by sweep" in err
    (tmp_path / "empty").mkdir()
    assert cli.main(["report", str(tmp_path / "empty"), str(tmp_path / "brief")]) == 2
    assert "empty: not a results folder (no plan.json)" in capsys.readouterr().err
    assert not (tmp_path / "brief").exists()


def test_report_given_a_single_runs_folder_says_so_and_what_it_expects(tmp_path, capsys):
    """`report output/baseline OUT` (a `clusterlab run` folder) said only "not a results folder (no plan.json)"."""
    run = tmp_path / "baseline"
    assert cli.main(["run", "baseline", "--steps", "1", "--out", str(run)]) == 0
    capsys.readouterr()
    assert cli.main(["report", str(run), str(tmp_path / "brief")]) == 2
    err = capsys.readouterr().err
    assert f"{run}: a single run's folder" in err and "a brief compares the runs of a batch" in err
    assert "allowed: folders written by sweep, compare" in err and "Traceback" not in err
    assert cli.main(["report", str(run / "summary.json"), str(tmp_path / "brief")]) == 2
    assert "summary.json: a file, not a folder; allowed: folders written by sweep" in capsys.readouterr().err
    assert not (tmp_path / "brief").exists()


# --- a second newcomer pass (items of the CLI hardening brief) ---------------------------------
@pytest.mark.parametrize("arm, phrases", [
    ("baseline:tech_centre", ["arm 'baseline:tech_centre': tech_centre: no value given",
                              "SCENARIO:KEY=VALUE", "e.g. baseline:tech_centre=VALUE"]),
    ("baseline:tech_centr", ["not a scenario, nor SCENARIO:KEY=VALUE", "did you mean 'tech_centre'?"]),
    ("baseline:", ["nothing after ':'"]),
])
def test_an_arm_change_without_a_value_explains_the_arm_form(tmp_path, capsys, arm, phrases):
    """`compare baseline baseline:tech_centre` said "no such scenario" for the whole text instead of
    saying that a change needs `=VALUE` (SCENARIO:KEY=VALUE, as `clusterlab compare --help` says)."""
    assert cli.main(["compare", "baseline", arm, "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert all(p in err for p in phrases), err
    assert "no such scenario" not in err and not (tmp_path / "c").exists()


@pytest.mark.parametrize("text", ["", "\n\n", "# a scenario, one day\n"])
def test_an_empty_scenario_file_is_refused_with_what_it_may_hold(tmp_path, capsys, text):
    """An empty (or comment-only) file validated as OK and ran as the defaults: more likely a slip
    (an unsaved editor buffer) than a wish. It is refused, saying what to write for the defaults."""
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"mine.toml: empty .*allowed: at least one of extends, meta.*"
                                            r"extends = \"baseline\""):
        load_scenario(path)
    (tmp_path / "child.toml").write_text('extends = "mine"\n[meta]\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="mine.toml: empty"):
        load_scenario(tmp_path / "child.toml")
    assert cli.main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "mine.toml: empty" in capsys.readouterr().err and not (tmp_path / "out").exists()
    path.write_text('[meta]\ntitle = "the defaults"\n', encoding="utf-8")      # explicit: allowed
    assert load_scenario(path).title == "the defaults"


def test_a_target_source_must_be_a_seed_document(tmp_path):
    """A case figure's `source` was any string: a mistyped document name passed validation."""
    from scenarios.sources import DOCUMENTS

    shipped = Path(load_scenario("xiqiao_decline_revival").path).read_text(encoding="utf-8")
    bad = shipped.replace('source = "004_c4a6e7acb6afb95f.txt"', 'source = "004_c4a6e7acb6afb95.txt"', 1)
    assert bad != shipped
    (tmp_path / "xq.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "xq.toml")
    (problem,) = info.value.problems
    assert problem.key == "targets[0].source" and "did you mean '004_c4a6e7acb6afb95f.txt'" in problem.message
    assert all(name in problem.allowed for name in DOCUMENTS)


def test_every_listed_source_document_is_in_the_seeds_folder():
    from scenarios.sources import DOCUMENTS, seeds_dir

    if not seeds_dir().is_dir():
        pytest.skip(f"no seeds folder at {seeds_dir()} (set CLUSTERLAB_SEEDS)")
    assert [name for name in DOCUMENTS if not (seeds_dir() / name).is_file()] == []


def test_a_batch_never_writes_into_another_commands_output(tmp_path, capsys):
    """`sweep --out DIR` into `clusterlab run`'s output folder (or any folder holding other files)
    wrote plan.json, manifest.jsonl and runs/ among them; it is refused, nothing written, before a
    worker starts. A new or empty folder, or a results folder (with plan.json), is still taken."""
    from experiments.store import StoreError, check_results_folder

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP_TEXT, encoding="utf-8")
    run_out = tmp_path / "run_out"
    run_out.mkdir()
    for name in ("indicators.csv", "summary.json", "map.png"):
        (run_out / name).write_text("x")
    before = sorted(p.name for p in run_out.iterdir())
    for argv in (["sweep", str(sweep_file)], ["compare", "baseline"]):
        assert cli.main([*argv, "--out", str(run_out), "--executor", "serial", "--quiet", "--no-cache"]) == 2
        err = capsys.readouterr().err
        assert "holds indicators.csv, map.png, summary.json but no plan.json" in err and "Traceback" not in err
        assert sorted(p.name for p in run_out.iterdir()) == before
    (tmp_path / "empty").mkdir()
    check_results_folder(tmp_path / "empty")
    check_results_folder(tmp_path / "new")
    (tmp_path / "killed" / "runs").mkdir(parents=True)          # a batch killed before its plan.json
    (tmp_path / "killed" / ".lock").write_text("")
    check_results_folder(tmp_path / "killed")
    (tmp_path / "killed" / "notes.txt").write_text("mine")     # ... but not with a file of the user's
    with pytest.raises(StoreError, match="holds notes.txt but no plan.json"):
        check_results_folder(tmp_path / "killed")
    (run_out / "plan.json").write_text("{}")                    # a results folder: its plan is checked
    check_results_folder(run_out)


SWEEP_TEXT = """name = "tiny"
scenario = "baseline"
steps = 2
replications = 1
""" + TINY_SET + """[design]
method = "full_factorial"
[vary]
tech_centre = [0, 10]
"""


def test_the_parameter_table_command_is_clean_and_says_what_it_did(tmp_path):
    """`python -m model.params` printed runpy's RuntimeWarning (model/__init__ imported model.params
    first) and nothing about what it did. It and `clusterlab params` now say which file they wrote;
    `--check` only checks."""
    import subprocess
    import sys

    from model.param_table import BEGIN, END

    root = Path(__file__).resolve().parents[1]
    doc = tmp_path / "ODD.md"
    doc.write_text(f"# x\n{BEGIN}\nold table\n{END}\ntail\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "error", "-m", "model.params", str(doc)],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith(f"wrote {doc}: parameter table (") and "old table" not in doc.read_text()
    doc.write_text(f"# x\n{BEGIN}\nold table\n{END}\ntail\n", encoding="utf-8")
    assert cli.main(["params", "--check", "--doc", str(doc)]) == 1
    assert cli.main(["params", "--doc", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8").endswith(f"{END}\ntail\n") and "old table" not in doc.read_text()
    assert cli.main(["params", "--check", "--doc", str(doc)]) == 0
    doc.write_text("no markers\n", encoding="utf-8")
    assert cli.main(["params", "--doc", str(doc)]) == 2


def test_the_parameter_table_command_gives_its_usage_and_names_a_bad_file(tmp_path, capsys):
    """`python -m model.params --help` took --help for the document's path and printed a
    traceback; it now prints its usage, and a missing file or one without the markers gives one
    line naming the file and exit status 2."""
    from model.param_table import main
    from model.params import PARAMS

    with pytest.raises(SystemExit) as done:
        main(PARAMS.values(), ["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and out.startswith("usage: python -m model.params [-h] [FILE]") and "FILE" in out
    missing = tmp_path / "missing.md"
    assert main(PARAMS.values(), [str(missing)]) == 2
    err = capsys.readouterr().err
    assert "missing.md" in err and "Traceback" not in err and not missing.exists()
    doc = tmp_path / "plain.md"
    doc.write_text("no markers\n", encoding="utf-8")
    assert main(PARAMS.values(), [str(doc)]) == 2
    assert "plain.md" in capsys.readouterr().err and doc.read_text(encoding="utf-8") == "no markers\n"


@pytest.mark.parametrize("name, kind", [("my.yaml", "YAML"), ("my.yml", "YAML"), ("my.json", "JSON")])
def test_a_yaml_or_json_file_is_named_as_such(tmp_path, capsys, name, kind):
    """A YAML scenario got "line 1, column 6: malformed TOML: Expected '='": true, but it hides that
    scenario and sweep files are TOML."""
    path = tmp_path / name
    path.write_text("space:\n  width: 80\n" if kind == "YAML" else '{"space": {"width": 80}}', encoding="utf-8")
    for command in ("run", "sweep"):
        assert cli.main([command, str(path)]) == 2
        err = capsys.readouterr().err
        what = "scenario" if command == "run" else "sweep"
        assert f"a {kind} file: {what} files are TOML; allowed: a .toml file" in err and "malformed" not in err


def test_the_wrong_kind_of_file_names_the_command_that_reads_it(tmp_path, capsys):
    """A sweep file given to `run` listed its every key as "unknown table or key", a scenario given to
    `sweep` its tables as unknown keys: now each says what the file is and which command reads it."""
    examples = Path(__file__).resolve().parents[1] / "experiments" / "examples"
    cases = [(["run", str(examples / "policy_mix.toml")], "a sweep file, not a scenario file", "clusterlab sweep"),
             (["validate", str(examples / "hunan_cheapest_mix.toml")], "an optimise file, not a scenario file",
              "clusterlab optimise"),
             (["validate", str(examples / "hunan_discovery.toml")], "a discover file", "clusterlab discover"),
             (["sweep", str(Path(load_scenario("baseline").path))], "a scenario file, not a sweep file",
              "clusterlab run"),
             (["sweep", str(examples / "hunan_cheapest_mix.toml")], "an optimise file, not a sweep file",
              "clusterlab optimise")]
    for argv, what, command in cases:
        assert cli.main(argv) in (1, 2)
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert what in text and f"run it with `{command} " in text and "unknown" not in text, text


def test_out_of_range_counts_in_a_sweep_file_are_not_called_fractional(tmp_path, capsys):
    """`replications = 0` was "must be a whole number" (0 is one)."""
    path = tmp_path / "s.toml"
    text = "seed = -1\n" + SWEEP_TEXT.replace("steps = 2", "steps = 0").replace("replications = 1", "replications = 0.5")
    path.write_text(text, encoding="utf-8")
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    for line in ("steps: out of range; allowed: an integer >= 1; given: 0",
                 "replications: not a whole number; allowed: an integer >= 1; given: 0.5",
                 "seed: out of range; allowed: an integer >= 0; given: -1"):
        assert line in err, err
    assert not (tmp_path / "o").exists()


def test_a_dask_address_is_checked(tmp_path, capsys, monkeypatch):
    """`--address` without `--executor dask` was ignored (the runs went to the local pool); an
    unreachable scheduler ended in dask's bare "Timed out trying to connect", no option named."""
    import dask.distributed

    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP_TEXT, encoding="utf-8")
    argv = ["sweep", str(sweep_file), "--out", str(tmp_path / "o"), "--quiet"]
    assert cli.main([*argv, "--address", "tcp://10.0.0.5:8786"]) == 2
    assert "--address tcp://10.0.0.5:8786: only with --executor dask" in capsys.readouterr().err

    def unreachable(address, *a, **k):
        raise OSError(f"Timed out trying to connect to {address} after 30 s")

    monkeypatch.setattr(dask.distributed, "Client", unreachable)
    assert cli.main([*argv, "--executor", "dask", "--address", "tcp://10.0.0.5:8786"]) == 2
    err = capsys.readouterr().err
    assert "--address tcp://10.0.0.5:8786: cannot reach a Dask scheduler there (Timed out" in err
    assert "allowed: the address of a running scheduler" in err and "Traceback" not in err


@pytest.mark.parametrize("pair, where", [("steps=10", "--steps N"), ("seed=3", "--seed S"), ("reps=4", "--reps R")])
def test_run_settings_are_not_offered_as_parameters(capsys, pair, where):
    """`--set steps=10` answered "unknown parameter (did you mean 'n_stages'?)"."""
    assert cli.main(["run", "baseline", "--set", pair]) == 2
    err = capsys.readouterr().err
    assert f"{pair.split('=')[0]}: not a parameter (" in err and where in err and "did you mean" not in err


@pytest.mark.parametrize("argv", [["run", "baseline", "--out", ""], ["sweep", "x.toml", "--out", " "],
                                  ["compare", "baseline", "--out", ""], ["calibrate", "jiangxi_auto_hub", "--db", ""],
                                  ["validation", "--figures", ""]])
def test_an_empty_output_path_is_refused(tmp_path, monkeypatch, capsys, argv):
    """`--out ""` (an unset shell variable) is Path("."): `run` wrote its files into the working folder."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert ": empty; allowed: a path" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_an_empty_scenario_argument_is_named_as_the_argument(capsys):
    """`clusterlab run ""` said ": extends: empty" (no file, and a key the user never wrote)."""
    assert cli.main(["run", ""]) == 2
    err = capsys.readouterr().err
    assert "SCENARIO: empty; allowed: baseline, " in err and "extends" not in err


def test_a_discount_given_in_percent_is_refused_with_the_share(tmp_path, capsys):
    """`--discount 5` (meaning 5%) ran as 500% a year: only a rate in [0, 1] is taken."""
    out = tmp_path / "ce"
    assert cli.main(["cost-effectiveness", "baseline", "tech_centre=5", "--discount", "5", "--out", str(out)]) == 2
    assert "0.05 is 5% a year" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("argv", [["sweep", "SWEEP", "--workers", "1000"], ["compare", "baseline", "--workers", "1000"],
                                  ["sweep", "SWEEP", "--executor", "dask", "--workers", "1000"],
                                  ["calibrate", "jiangxi_auto_hub", "--workers", "1000"]])
def test_a_worker_count_far_above_the_cores_is_refused_before_spawning(tmp_path, capsys, monkeypatch, argv):
    """`--workers 1000` spawned 1000 processes, each importing the model, on a 2-core machine."""
    import experiments.executors as executors

    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    monkeypatch.setattr(executors, "LocalExecutor", lambda *a: pytest.fail("a pool was started"))
    monkeypatch.setattr(executors, "DaskExecutor", lambda *a: pytest.fail("a cluster was started"))
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP_TEXT, encoding="utf-8")
    argv = [str(sweep_file) if a == "SWEEP" else a for a in argv]
    out = [] if argv[0] == "calibrate" else ["--out", str(tmp_path / "o")]
    assert cli.main([*argv, *out, "--quiet"]) == 2
    assert "--workers: 1000 processes on 2 core(s); allowed: 1 to 16" in capsys.readouterr().err


def test_a_range_given_as_levels_shows_both_forms(tmp_path, capsys):
    """`tech_centre = { levels = [0, 10] }` got "a range needs both low and high; allowed: a number in
    [0.0, 1e9]": the allowed form of a range, and of a list, were not shown."""
    path = tmp_path / "s.toml"
    path.write_text(SWEEP_TEXT.replace("tech_centre = [0, 10]", "tech_centre = { levels = [0, 10] }"), encoding="utf-8")
    assert cli.main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert "allowed: { low = ..., high = ..., levels = N (a count) }" in err and "or a list [v1, v2, ...]" in err


def test_run_does_not_write_into_a_batchs_results_folder(tmp_path, capsys):
    """`run --out runs/<sweep>` put indicators.csv, summary.json and figures among a sweep's runs."""
    results = tmp_path / "results"
    (results / "runs").mkdir(parents=True)
    (results / "plan.json").write_text("{}")
    assert cli.main(["run", "baseline", "--out", str(results)]) == 2
    assert "the results folder of a batch (it has plan.json)" in capsys.readouterr().err
    assert sorted(p.name for p in results.iterdir()) == ["plan.json", "runs"]


def test_a_target_without_a_measure_says_missing(tmp_path):
    """`[[targets]]` without `measure` said "unknown measurement kind; given: None"."""
    (tmp_path / "t.toml").write_text('extends = "baseline"\n[[targets]]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"targets\[0\]\.measure: missing; allowed: value, ratio") as info:
        load_scenario(tmp_path / "t.toml")
    assert "None" not in str(info.value)


@pytest.mark.parametrize("change, key, phrase", [
    ("at = [1, 400]", "targets[0].at", "beyond the end of the run (run.steps = 80)"),
    ('against = "zhejiang_blok_economy"', "targets[0].against", "no such scenario (did you mean 'zhejiang_block_economy'?)"),
])
def test_validate_checks_a_targets_windows_and_reference_scenario(tmp_path, change, key, phrase):
    """A target read at quarters beyond the run, or compared with a scenario that does not exist,
    validated OK; the miss surfaced only in calibrate or validation, after runs."""
    body = ('extends = "baseline"\n[[targets]]\nname = "x"\nvalue = 1.0\ntolerance = 0.1\nmeasure = "ratio_to"\n'
            'column = "firms"\nat = [1, 4]\nagainst = "zhejiang_block_economy"\nrole = "held_out"\n'
            'source = "004_c4a6e7acb6afb95f.txt"\nquote = "q"\n')
    load_scenario(_write(tmp_path, "ok.toml", body))                      # the unchanged target is fine
    name = change.split(" =")[0]
    bad = "\n".join(change if line.startswith(f"{name} =") else line for line in body.splitlines())
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, "bad.toml", bad))
    (problem,) = info.value.problems
    assert problem.key == key and phrase in problem.message
    broken_first = bad.replace("[[targets]]", '[[targets]]\nname = "broken"\n[[targets]]', 1)   # counted in the file
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, "bad2.toml", broken_first))
    assert key.replace("[0]", "[1]") in [p.key for p in info.value.problems]


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize("arm, fixed", [("baseline:tech_centre=5:rd_subsidy=0.1", "baseline:tech_centre=5,rd_subsidy=0.1"),
                                        ("baseline,tech_centre=5", "baseline:tech_centre=5"),
                                        ("baseline tech_centre=5", "baseline:tech_centre=5")])
def test_an_arm_with_misplaced_separators_gets_its_corrected_form(tmp_path, capsys, arm, fixed):
    """`baseline:tech_centre=5:rd_subsidy=0.1` said "no such scenario 'baseline:tech_centre=5'"."""
    assert cli.main(["compare", "baseline", arm, "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "a change inside the scenario's name" in err and f"e.g. {fixed};" in err and not (tmp_path / "c").exists()


@pytest.mark.parametrize("argv, phrase", [(["--sizes", "100000000"], "--sizes: no benchmark model of 100,000,000 agents"),
                                          (["--naive-size", "-5"], "--naive-size: no benchmark model of -5 agents"),
                                          (["--steps", "0"], "argument --steps: out of range"),
                                          (["--repeats", "0"], "argument --repeats: out of range")])
def test_bench_refuses_sizes_it_cannot_build_before_benchmarking(monkeypatch, capsys, argv, phrase):
    """`bench --sizes 100000000` (and `--naive-size -5`) ran the other sizes, then died with a traceback
    from the subprocess; `--steps 0` ran the default 5 steps (0 read as "not given")."""
    import experiments.bench as bench

    monkeypatch.setattr(bench, "run", lambda *a, **k: pytest.fail("the benchmark started"))
    try:
        code = cli.main(["bench", *argv])
    except SystemExit as stop:          # argparse's own refusal
        code = stop.code
    assert code == 2 and phrase in capsys.readouterr().err


def test_an_unwritable_run_cache_says_so_once(tmp_path, monkeypatch):
    """CLUSTERLAB_CACHE pointing at a file (or a read-only place) silently cached nothing."""
    import warnings

    import experiments.run_cache as run_cache

    blocker = tmp_path / "afile"
    blocker.write_text("")
    monkeypatch.setattr(run_cache, "run_key", lambda spec: f"{spec:064x}")
    cache = run_cache.RunCache(blocker)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for spec in (1, 2):
            cache.put(spec, pd.DataFrame({"x": [1]}))               # never raises
    assert [str(w.message) for w in caught] == [
        f"run cache {blocker}: cannot write there (Not a directory), so runs are not cached; set CLUSTERLAB_CACHE "
        "to a writable folder, or pass --no-cache"]


def test_run_does_not_replace_another_scenarios_or_seeds_run(tmp_path, capsys):
    """`run dartboard --out DIR` over `run baseline --out DIR` replaced baseline's indicators and figures
    without a word; a rerun of the same scenario and seed still replaces its own files."""
    out = tmp_path / "mine"
    out.mkdir()
    summary = json.dumps({"scenario": "baseline", "seed": 0, "steps": 80})
    (out / "summary.json").write_text(summary)
    for argv in (["run", "dartboard"], ["run", "baseline", "--seed", "3"]):
        assert cli.main([*argv, "--out", str(out)]) == 2
        assert "holds the run of scenario 'baseline', seed 0 (summary.json)" in capsys.readouterr().err
    assert (out / "summary.json").read_text() == summary and sorted(p.name for p in out.iterdir()) == ["summary.json"]
    from experiments.runner import check_output_folder

    check_output_folder(out, load_scenario("baseline"), 0)                 # the same run again: allowed


def test_report_does_not_write_among_a_stores_run_files(compare_store, capsys):
    """`report STORE STORE/runs` put report.html, report.md and figures/ among the run files."""
    before = sorted(p.name for p in (compare_store / "runs").iterdir())
    assert cli.main(["report", str(compare_store), str(compare_store / "runs")]) == 2
    assert "inside a results folder's runs/" in capsys.readouterr().err
    assert sorted(p.name for p in (compare_store / "runs").iterdir()) == before


@pytest.mark.parametrize("pair, listed", [("parks=[[10, 10]]", "[x, y, radius]"), ("roads=[[1, 2, 3]]", "[x0, y0, x1, y1, level]")])
def test_a_table_list_given_short_on_set_shows_the_list_form(capsys, pair, listed):
    """`--set parks=[[10, 10]]` said "allowed: a table with x, y, radius", a form --set cannot write."""
    assert cli.main(["run", "baseline", "--set", pair]) == 2
    assert f"(from --set or Python: a list {listed})" in capsys.readouterr().err


def test_optimise_and_discover_name_the_wrong_kind_of_file(capsys):
    """`clusterlab discover policy_mix.toml` (a sweep file) listed six "unknown key" errors, one per
    key of the sweep; `optimise` likewise. Each now says what the file is and which command reads it,
    before anything is run."""
    examples = Path(__file__).resolve().parents[1] / "experiments" / "examples"
    sweep, optimise, discover = (str(examples / f) for f in
                                 ("policy_mix.toml", "hunan_cheapest_mix.toml", "hunan_discovery.toml"))
    scenario = str(Path(load_scenario("baseline").path))
    cases = [(["discover", sweep], "a sweep file, not a discover file", "clusterlab sweep"),
             (["optimise", sweep], "a sweep file, not an optimise file", "clusterlab sweep"),
             (["discover", optimise], "an optimise file, not a discover file", "clusterlab optimise"),
             (["optimise", discover], "a discover file, not an optimise file", "clusterlab discover"),
             (["optimise", scenario], "a scenario file, not an optimise file", "clusterlab run"),
             (["discover", scenario], "a scenario file, not a discover file", "clusterlab run")]
    for argv, what, command in cases:
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert what in err and f"run it with `{command} " in err, err
        assert "unknown" not in err and "Traceback" not in err and err.count("\n") == 1, err


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_params_names_a_missing_doc_with_its_option(tmp_path, capsys, check):
    """`clusterlab params --doc nowhere.md` printed "[Errno 2] No such file or directory"; a folder
    "[Errno 21] Is a directory". Each is now one line naming --doc, the file and what is allowed."""
    for given, what in ((tmp_path / "nowhere.md", "no such file"), (tmp_path, "a folder")):
        assert cli.main(["params", *check, "--doc", str(given)]) == 2
        err = capsys.readouterr().err
        assert f"--doc {given}: {what}; allowed: a Markdown file" in err and "Errno" not in err, err
    assert not (tmp_path / "nowhere.md").exists()


def test_calibrate_checks_its_budget_options_and_the_dask_address_before_anything_runs(tmp_path, capsys, monkeypatch):
    """`--max-minutes -5` answered "--max-minutes and --min-epsilon: allowed: a number >= 0" (which
    one, given what?); `--address` without `--engine dask` was silently ignored; an address dask
    cannot read ("foo") ended in its bare "missing port number" after the seeds were announced and
    the reference runs made. Each is now named with its option and what is allowed, before anything."""
    import dask.distributed

    import experiments.case_targets as case_targets

    def no_runs(*a, **k):
        raise AssertionError("a reference run started before the options were checked")

    monkeypatch.setattr(case_targets, "with_reference_runs", no_runs)
    base = ["calibrate", "jiangxi_auto_hub", "--quiet", "--out", str(tmp_path / "o"), "--db", str(tmp_path / "c.db")]
    for extra, phrase in ((["--max-minutes", "-5"], "argument --max-minutes: out of range; allowed: a number >= 0; "
                                                    "given: -5"),
                          (["--min-epsilon", "abc"], "argument --min-epsilon: not a number; allowed: a number >= 0"),
                          (["--address", "tcp://10.0.0.5:8786"], "--address tcp://10.0.0.5:8786: only with --engine "
                                                                 "dask (given: --engine multicore)"),
                          (["--engine", "single", "--workers", "4"], "--workers 4: not with --engine single")):
        try:
            code = cli.main([*base, *extra])
        except SystemExit as done:       # argparse's own exit for an option's type
            code = done.code
        assert code == 2
        captured = capsys.readouterr()
        assert phrase in captured.err and "Traceback" not in captured.err and captured.out == "", captured

    def unreachable(address, *a, **k):
        raise ValueError(f"missing port number in address {address!r}")

    monkeypatch.setattr(dask.distributed, "Client", unreachable)
    assert cli.main([*base, "--engine", "dask", "--address", "foo"]) == 2
    captured = capsys.readouterr()
    assert "--address foo: cannot reach a Dask scheduler there (missing port number" in captured.err
    assert "allowed: the address of a running scheduler" in captured.err and captured.out == "", captured
    assert not (tmp_path / "o").exists() and not (tmp_path / "c.db").exists()


def test_the_python_api_names_a_bad_seed_step_count_or_lever():
    """From Python (the README's "Using it from Python"): `ClusterModel(seed=-1)` raised numpy's
    "expected non-negative integer"; `model.run(-1)` ran nothing without a word and `run(1.5)` raised
    a bare TypeError; `set_lever("width", 3.0)` said width must be in [10, 2000] (it is no lever)."""
    from model import ClusterModel

    with pytest.raises(ValueError, match=r"seed: allowed: a whole number >= 0 \(or None\); given: -1"):
        ClusterModel(seed=-1)
    for seed in (1.5, 3.0, "3"):       # numpy's TypeError "SeedSequence expects int ..." from deep inside Mesa
        with pytest.raises(ValueError, match=r"seed: allowed: a whole number >= 0 \(or None\); given: "):
            ClusterModel(seed=seed)
    model = ClusterModel(seed=1, width=20, height=20, n_firms=10, n_suppliers=20)
    for steps in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match=r"steps: allowed: a whole number of quarters >= 0; given: "):
            model.run(steps)
    assert model.steps == 0
    for value in (3.0, 50):
        with pytest.raises(ValueError, match=r"'width' is a parameter but not a policy lever; levers: tax_rate"):
            model.set_lever("width", value)
    with pytest.raises(ValueError, match=r"'tech_center': not a policy lever \(did you mean 'tech_centre'\?\); allowed: "):
        model.set_lever("tech_center", 3.0)
    model.run(0)
    assert model.steps == 0 and model.government.lever_changes == []


def test_a_scenario_given_as_a_missing_file_or_in_capitals_is_pointed_to_its_name(tmp_path, monkeypatch, capsys):
    """Outside the repository `clusterlab run baseline.toml` (or scenarios/baseline.toml) said only
    "no such file", and `run BASELINE` offered no name: difflib compares case."""
    monkeypatch.chdir(tmp_path)
    for given in ("baseline.toml", "scenarios/baseline.toml"):
        assert cli.main(["run", given]) == 2
        err = capsys.readouterr().err
        assert f"{given}: no such file (the shipped scenario 'baseline' is given by its name alone: `baseline`)" in err
    assert cli.main(["run", "mine.toml"]) == 2
    assert capsys.readouterr().err.strip().endswith("mine.toml: no such file")
    assert cli.main(["run", "BASELINE"]) == 2
    assert "BASELINE: no such scenario (did you mean 'baseline'?)" in capsys.readouterr().err
    assert cli.main(["run", "baseline", "--set", "Tech_Centre=3"]) == 2
    assert "Tech_Centre: unknown parameter (did you mean 'tech_centre'?)" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_discovery_files_sweep_is_read_from_its_own_folder(tmp_path, monkeypatch):
    """`clusterlab discover /repo/experiments/examples/hunan_discovery.toml` run outside the
    repository said "sweep: no such sweep file": the path was read from the working folder only.
    It is now read from the discovery file's folder first (as a sweep's scenario), then from there."""
    from experiments.decision_file import DecisionFileError, load_discover

    example = Path(__file__).resolve().parents[1] / "experiments" / "examples" / "hunan_discovery.toml"
    monkeypatch.chdir(tmp_path)
    assert load_discover(example).sweep == example.parent / "hunan_discovery_sweep.toml"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "s.toml").write_text(SWEEP_TEXT, encoding="utf-8")
    rule = '[[success]]\nindicator = "firms"\nquarter = 2\nop = ">="\nbound = 1\n'
    (mine / "d.toml").write_text(f'store = "runs/x"\nsweep = "s.toml"\n{rule}', encoding="utf-8")
    assert load_discover(mine / "d.toml").sweep == mine / "s.toml"
    (mine / "d.toml").write_text(f'store = "runs/x"\nsweep = "mine/s.toml"\n{rule}', encoding="utf-8")
    assert load_discover(mine / "d.toml").sweep == Path("mine/s.toml")      # from where you run
    (mine / "d.toml").write_text(f'store = "runs/x"\nsweep = "nowhere.toml"\n{rule}', encoding="utf-8")
    with pytest.raises(DecisionFileError, match=r"sweep: no such sweep file; allowed: a path to a sweep file, "
                                                r"relative to this file's folder"):
        load_discover(mine / "d.toml")


@pytest.mark.parametrize("command", ["sweep", "discover"])
def test_a_batch_option_the_executor_would_ignore_is_refused(tmp_path, capsys, command):
    """`sweep FILE --executor serial --workers 4` ran in one process without a word, `--workers`
    with `--address` was dropped, and `discover` took `--address` without `--executor dask`."""
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(SWEEP_TEXT, encoding="utf-8")
    given = str(sweep_file)
    if command == "discover":
        given = str(tmp_path / "d.toml")
        Path(given).write_text('store = "runs/x"\nsweep = "s.toml"\n[[success]]\nindicator = "firms"\nquarter = 2\n'
                               'op = ">="\nbound = 1\n', encoding="utf-8")
    argv = [command, given, "--out", str(tmp_path / "o"), "--quiet"]
    for extra, phrase in ((["--executor", "serial", "--workers", "4"], "--workers 4: --executor serial runs every "
                                                                        "run in this process; allowed: --executor local"),
                          (["--executor", "dask", "--address", "tcp://10.0.0.5:8786", "--workers", "2"],
                           "--workers 2: with --address the scheduler's own workers run the batch"),
                          (["--address", "tcp://10.0.0.5:8786"], "--address tcp://10.0.0.5:8786: only with --executor "
                                                                 "dask (given: --executor local)")):
        assert cli.main([*argv, *extra]) == 2
        err = capsys.readouterr().err
        assert phrase in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists() and not (tmp_path / "runs").exists()


def test_a_sweep_file_problem_is_not_echoed_by_its_consequence(tmp_path, capsys):
    """`keep.final = "some"` also said "keep: keeps nothing", and a Sobol' factor given as a list
    also "the sobol design needs at least one varied parameter": one mistake, two errors."""
    head = 'name = "s"\nscenario = "baseline"\nsteps = 3\nreplications = 1\n'
    cases = [('[vary]\ntech_centre = [0.0, 20.0]\n[keep]\nfinal = "some"\n', 'keep.final: must be "all"', "keeps nothing"),
             ('[design]\nmethod = "sobol"\nsamples = 4\n[vary]\ntech_centre = [0.0, 20.0]\n',
              "the sobol design samples a range, not a list", "needs at least one varied parameter"),
             ('[design]\nmethod = "sobol"\nsamples = 4\n[vary]\n', "needs at least one varied parameter", "missing"),
             ('[keep]\nfinal = []\n', "keep: keeps nothing", "must be")]
    for body, named, echo in cases:
        path = tmp_path / "s.toml"
        path.write_text(head + body, encoding="utf-8")
        assert cli.main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert named in err and echo not in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv", [["baseline", "tech_centre=0"], ["hunan_linkage_policy", "association=20"],
                                  ["baseline", "tech_centre=5", "--set", "tech_centre=5"]])
def test_cost_effectiveness_refuses_an_arm_at_the_references_own_value(tmp_path, capsys, argv):
    """`cost-effectiveness baseline tech_centre=0` ran both arms (identical runs) and printed a table
    of zeros and n/a: the lever was already 0. Now refused before any run, naming the lever."""
    out = tmp_path / "o"
    assert cli.main(["cost-effectiveness", *argv, "--reps", "2", "--steps", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    lever = argv[1].split("=")[0]
    assert f"LEVER=VALUE: {argv[1]} is the reference arm's own value" in err and f"another value of {lever}" in err
    assert not out.exists()


def test_make_hides_setuptools_editable_install_note_and_nothing_else():
    """`make run` showed setuptools' "Editable installation" note (information only, re-raised by pip as a
    BuildBackendWarning, a UserWarning) to newcomers. Every `pip install -e` of the Makefile carries
    EDITABLE_NOTE, a PYTHONWARNINGS filter that hides that note and lets any other warning through."""
    import os
    import re
    import subprocess
    import sys

    make = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")
    value = re.search(r'^EDITABLE_NOTE := PYTHONWARNINGS="([^"]+)"$', make, re.M).group(1)
    installs = [line for line in make.splitlines() if "pip install" in line and " -e " in line]
    assert len(installs) == 3 and all(line.startswith("\t$(EDITABLE_NOTE) ") for line in installs)
    code = ("import warnings\nclass BuildBackendWarning(UserWarning): pass\n"
            "for text in ('Editable installation.\\n!!\\nPlease be careful with folders', 'Some other note'):\n"
            "    warnings.warn_explicit(text, BuildBackendWarning, 'editable_wheel.py', 354)\n")
    err = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONWARNINGS": value},
                         capture_output=True, text=True, check=True).stderr
    assert "Some other note" in err and "Editable installation" not in err


def test_compare_figures_and_table_name_indicators_with_units_and_flows_start_at_quarter_1(tmp_path, capsys,
                                                                                         monkeypatch):
    """`clusterlab compare` titled its panels with column names ("output", "gov_budget"), gave no
    unit on any y axis, printed "output" without saying it is value added or in what unit, and drew
    every flow (value added, local sourcing share) from 0 at step 0 — row 0 is the state before any
    trade, not a measurement — so each arm seemed to jump from 0 to its level in the first quarter."""
    from experiments.compare import PLOTTED, plot_bands
    from model.indicator_registry import FLOWS, INDICATORS

    out = tmp_path / "c"
    assert cli.main(["compare", "baseline", "baseline:tech_centre=5", *SMALL_ARMS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "output (value added)" in printed and "units/quarter" in printed and "× frontier at step 0" in printed
    for name in ("bands.csv", "paired_bands.csv"):
        band = pd.read_csv(out / name)
        flows = [i for i in PLOTTED if i in FLOWS]
        assert flows and set(band.loc[band["indicator"].isin(flows), "step"]) == {1, 2}, name
        assert set(band.loc[~band["indicator"].isin(flows), "step"]) == {0, 1, 2}, name
    calls = []

    class Axis:          # records what plot_bands writes on each panel
        def __getattr__(self, name):
            return lambda *a, **k: calls.append((name, a)) or (self,)

    band = pd.read_csv(out / "paired_bands.csv")
    monkeypatch.setattr("experiments.compare.panel_grid", lambda n, *a: (None, [Axis() for _ in range(n)]))
    monkeypatch.setattr("experiments.compare.save_panels", lambda *a, **k: None)
    plot_bands(band, tmp_path / "d.png", zero=True)
    titles = [a[0] for n, a in calls if n == "set_title"]
    ylabels = [a[0] for n, a in calls if n == "set_ylabel"]
    indicators = list(dict.fromkeys(band["indicator"]))
    assert titles == [f"Δ {INDICATORS[i].label} vs reference" for i in indicators]
    assert ylabels == [f"Δ {INDICATORS[i].unit}" if INDICATORS[i].unit else "" for i in indicators]
    assert "Δ units/quarter" in ylabels and "Δ output (value added) vs reference" in titles


def test_a_shares_effect_is_named_in_percentage_points(compare_store, tmp_path):
    """The brief, the dose-response axis and cost-effectiveness gave a share's effect (× 100) in
    "[points]" and its cost "per +1 point": an economist reads index points or a whole share (+1 = +100
    percentage points), not the percentage points the numbers are."""
    from experiments.cost_effectiveness import effectiveness, headers
    from experiments.dose_response import _label

    brief = tmp_path / "brief"
    assert cli.main(["report", str(compare_store), str(brief), "--outcomes", "local_sourcing_share,firms"]) == 0
    text = (brief / "report.md").read_text(encoding="utf-8")
    assert "[percentage points]" in text and "spending per +1 percentage point [units]" in text
    assert "[points]" not in text and "+1 points" not in text
    table = effectiveness(compare_store, outcomes=("local_sourcing_share", "firms"))
    assert "per +1 percentage point of final local_sourcing_share" in headers(table, "local_sourcing_share")["cost_per"]
    assert set(table.loc[table["indicator"] == "local_sourcing_share", "cost_per_unit"]) == {"per percentage point"}
    assert _label("local_sourcing_share", "share of inputs") == "Δ local_sourcing_share [percentage points]"
    assert _label("firms", "enterprises") == "Δ firms [enterprises]"


def test_an_abbreviated_lever_is_offered_the_lever_it_begins(capsys):
    """`--set entre=1` offered 'entry_rate' (difflib's closest) for entrepreneurship, and
    `model.set_lever("brand", 5)` offered 'brand_decay', a parameter that is no lever: a name that
    begins exactly one allowed name is read as its abbreviation, and set_lever offers levers only."""
    from model import ClusterModel
    from model.param_spec import did_you_mean

    assert cli.main(["run", "baseline", "--steps", "1", "--set", "entre=1"]) == 2
    assert "entre: unknown parameter (did you mean 'entrepreneurship'?)" in capsys.readouterr().err
    assert did_you_mean("park", ["parks", "park_treatment", "park_subsidy"]) == " (did you mean 'parks'?)"  # not unique
    assert did_you_mean("BASELINE", ["baseline", "dartboard"]) == " (did you mean 'baseline'?)"
    with pytest.raises(ValueError, match=r"'brand': not a policy lever \(did you mean 'brand_promotion'\?\)"):
        ClusterModel(seed=0, width=20, height=20, n_firms=5, n_suppliers=10).set_lever("brand", 5.0)


def test_fps_without_animate_is_refused_before_the_run(tmp_path, capsys):
    """`clusterlab run baseline --fps 5` ran and wrote no animation without a word: --fps only sets
    the frame rate of --animate's map.gif (the project's rule: no option silently ignored)."""
    out = tmp_path / "r"
    assert cli.main(["run", "baseline", "--steps", "1", "--fps", "5", "--out", str(out)]) == 2
    assert "--fps 5: only with --animate" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("command, what", [("sweep", "sweep"), ("sensitivity", "sweep"), ("optimise", "decision")])
def test_a_scenario_name_given_for_a_batch_file_says_it_is_a_scenario(capsys, command, what):
    """`clusterlab sweep baseline` said only "baseline: no such file": a newcomer who has just run the
    baseline is told it is a scenario, how to run it and how a sweep file names it."""
    assert cli.main([command, "baseline"]) == 2
    err = capsys.readouterr().err
    assert "baseline: no such file (baseline is a scenario: `clusterlab run baseline` runs it" in err
    assert f'a {what} file names it: scenario = "baseline"' in err and "Traceback" not in err
    assert f"allowed: a {what} file (.toml), like those in experiments/examples/" in err


def test_a_scenario_without_a_question_prints_no_dangling_colon(tmp_path, capsys):
    """A scenario file that extends the baseline without [meta] printed "mine (seed 0, 1 quarter): "
    and nothing after the colon, as if the question had been lost."""
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "baseline"\n[space]\nwidth = 20\nheight = 20\n[agents]\nn_firms = 10\nn_suppliers = 20\n',
                    encoding="utf-8")
    assert cli.main(["run", str(mine), "--steps", "1", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "mine (seed 0, 1 quarter)"


def test_a_run_past_the_tested_horizon_says_so(tmp_path, capsys, monkeypatch):
    """`clusterlab run baseline --steps 2000` printed value added −8.4e10 (−22,788,614,841%) and 18
    million workers in 90 enterprises without a word: past quarter 320 no test checks the model,
    and the baseline's enterprises collapse between quarters 450 and 600. `run` now says so."""
    from experiments.conventions import TESTED_QUARTERS, beyond_tested

    assert beyond_tested(TESTED_QUARTERS) == [] and "quarter 320" in beyond_tested(TESTED_QUARTERS + 1)[0]
    monkeypatch.setattr("experiments.conventions.TESTED_QUARTERS", 1)     # a short run stands in for a long one
    assert cli.main(["run", "baseline", "--steps", "2", "--out", str(tmp_path / "o"), "--quiet",
                     "--set", "width=20,height=20,n_firms=10,n_suppliers=20"]) == 0
    err = capsys.readouterr().err
    assert "clusterlab run: warning: a run of 2 quarters: the tests check the model up to quarter 1" in err
    assert cli.main(["run", "baseline", "--steps", "1", "--out", str(tmp_path / "p"), "--quiet",
                     "--set", "width=20,height=20,n_firms=10,n_suppliers=20"]) == 0
    assert "tests check" not in capsys.readouterr().err


def test_validation_from_one_seed_says_what_is_undefined_instead_of_numpys_warnings(tmp_path, monkeypatch, capsys):
    """`clusterlab validation --seeds 1 --fact-seeds 1` (the smallest try) printed numpy's "Degrees of
    freedom <= 0" RuntimeWarnings with its file paths, and the report read "0 ± nan", "t = nan"."""
    import re
    import warnings

    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert cli.main(["validation", "--seeds", "1", "--fact-seeds", "1", "--cases", "hunan_scattered_towns",
                         "--out", str(tmp_path / "v.md"), "--figures", str(tmp_path / "f")]) == 0
    assert not [w for w in seen if issubclass(w.category, RuntimeWarning)]
    err = capsys.readouterr().err
    assert "warning: --seeds 1: every sd and t over seeds is n/a" in err and "--fact-seeds 1: every sd" in err
    text = (tmp_path / "v.md").read_text(encoding="utf-8")
    assert "± n/a" in text and "t = n/a" in text and not re.search(r"\bnan\b", text)


def test_the_budget_figures_panel_titles_fit(compare_store, tmp_path, monkeypatch):
    """The brief's budget figure titled each panel "brand_promotion: funded (solid) vs requested (dashed)",
    wider than its panel, so the title was cut off at the figure's edge: the panel says the lever, the
    figure once what the lines are."""
    import experiments.dose_response as dose

    seen = {}
    monkeypatch.setattr(dose, "save_panels", lambda fig, axes, n, path, title="", legend=None: seen.update(
        titles=[ax.get_title() for ax in axes[:n]], title=title))
    dose.plot_budget(compare_store, tmp_path / "b.png")
    assert seen["titles"] == ["tech_centre"]
    assert seen["title"] == "spending per lever: funded (solid) vs requested (dashed), mean over seeds"


def test_a_finished_sweep_says_how_to_read_its_results(tmp_path, capsys):
    """`clusterlab sweep` ended with "OUT: 2 runs — 0 already stored, 2 ran, 0 failed" and nothing on
    what to do with them: it now gives the README's Python line for that folder, and the line works."""
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text('name = "s"\nscenario = "baseline"\nsteps = 2\nreplications = 1\n[vary]\n'
                          'tech_centre = [0.0, 5.0]\n[set]\nwidth = 20\nheight = 20\nn_firms = 10\nn_suppliers = 20\n',
                          encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["sweep", str(sweep_file), "--out", str(out), "--quiet", "--executor", "serial", "--no-cache"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]
    assert line == f"read them in Python: from experiments import load_results; load_results({str(out)!r})"
    namespace: dict = {}
    exec(line.split(": ", 1)[1], namespace)           # the printed line, as a user would paste it
    from experiments import load_results

    assert len(load_results(out)) == 2


def test_every_axis_of_the_run_figure_has_one_unit_and_index_only_for_indices():
    """The run's indicator panel labelled the supply network's right axis "index" for network
    density, a share of the possible supplier → buyer ties: an axis without a unit is only for
    indicators named as indices, and an axis shows one unit (it is labelled with its first one's)."""
    from model.indicator_registry import INDICATORS, figure_panels

    for title, left_unit, left, right in figure_panels():
        for unit, side in [(left_unit, left), *([right] if right else [])]:
            assert {INDICATORS[name].unit or "index" for name, _ in side} == {unit}, (title, side)
            if unit == "index":
                assert all("index" in label or label == "Moran's I" for _, label in side), (title, side)
    assert INDICATORS["network_density"].title == "network density (share of possible ties)"


def test_a_change_of_sign_is_not_given_as_a_percentage():
    """`run --steps 2000` printed value added 368.8 → −8.4e10 as "−22788614841%": a percentage across
    a change of sign (or of a negative start) says nothing. Differences of indices are unaffected."""
    from experiments.formatting import NA, fmt_change

    assert fmt_change(368.8, -8.4e10) == "turned negative" and fmt_change(-16.0, 5.0) == "turned positive"
    assert fmt_change(-16.0, -4.0) == NA and fmt_change(100.0, 0.0) == "-100%" and fmt_change(0.0, 5.0) == ""
    assert fmt_change(2.0, 3.0) == "+50%" and fmt_change(0.2, -0.1, index=True) == "-0.3"
