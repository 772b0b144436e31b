"""The `clusterlab` command line: listing, validation, runs, and clean refusals of bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments import cli
from experiments.runner import FIGURES, run_scenario
from scenarios.loader import scenario_names

BIN = Path(sys.executable).parent / "clusterlab"
CLUSTERLAB = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "experiments.cli"]
# A small, fast run: 5 quarters on a 30 × 30 grid with few enterprises.
SMALL = ["--steps", "5", "--set", "width=30", "--set", "height=30", "--set", "n_firms=20", "--set", "n_suppliers=40",
         "--quiet"]


def clusterlab(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLUSTERLAB, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def no_traceback(proc: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in proc.stdout + proc.stderr


# --- scenarios and validate -----------------------------------------------------------------
def test_scenarios_lists_every_scenario_with_its_question():
    proc = clusterlab("scenarios")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == scenario_names()
    assert any(line.startswith("dartboard") and "random" in line for line in lines)


def test_validate_every_shipped_scenario():
    proc = clusterlab("validate")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("OK") == len(scenario_names())


def test_validate_reports_every_problem_and_exits_1(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[mechanisms]\nspilover = 0.1\n[[policy.schedule]]\nstep = 500\nlever = 'tax_rat'\nvalue = 0.1\n")
    good = tmp_path / "good.toml"
    good.write_text('extends = "baseline"\n[meta]\ntitle = "Good"\n')
    proc = clusterlab("validate", good, bad, cwd=tmp_path)
    assert proc.returncode == 1
    assert no_traceback(proc)
    out = proc.stdout
    assert "OK" in out and "good.toml" in out
    assert "bad.toml: mechanisms.spilover: unknown key (did you mean 'spillover'?)" in out
    assert "bad.toml: policy.schedule[0].step: beyond the end of the run (run.steps = 80)" in out
    assert "bad.toml: policy.schedule[0].lever: not a policy lever (did you mean 'tax_rate'?)" in out


@pytest.mark.parametrize("text, phrase", [
    ("[agents]\nn_firms = \n", "line 2, column 11: malformed TOML"),
    ('extends = "bad"\n', "cycle"),
    ('extends = "nosuch"\n', "no such file"),
])
def test_validate_malformed_and_broken_extends(tmp_path, text, phrase):
    (tmp_path / "bad.toml").write_text(text)
    proc = clusterlab("validate", "bad.toml", cwd=tmp_path)
    assert proc.returncode == 1 and no_traceback(proc)
    assert "bad.toml" in proc.stdout and phrase in proc.stdout


# --- bad input to run: a message on stderr, exit 2, no traceback ----------------------------
@pytest.mark.parametrize("args, phrase", [
    (["nosuch"], "no such scenario"),
    (["basline"], "did you mean 'baseline'"),
    (["missing.toml"], "missing.toml: no such file"),
    (["baseline", "--set", "widht=50"], "--set: widht: unknown parameter (did you mean 'width'?)"),
    (["baseline", "--set", "width=5"], "--set: space.width: out of range; allowed: an integer in [10, 2000]"),
    (["baseline", "--set", "location_choice=randon"], "did you mean 'random'"),
    (["baseline", "--set", "width"], "expected KEY=VALUE"),
    (["baseline", "--set", "parks=[[500, 5, 2]]"], "space.parks[0].x: outside the 100 × 100 grid"),
    (["baseline", "--set", "width=2000", "--set", "height=2000"], "more than max_grid_cells = 1,000,000"),
    (["bad.toml"], "bad.toml: agents.n_firms: out of range"),
])
def test_run_refuses_bad_input_cleanly(tmp_path, monkeypatch, capsys, args, phrase):
    (tmp_path / "bad.toml").write_text("[agents]\nn_firms = -1\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", *args, "--steps", "2", "--quiet"]) == 2  # an exception would fail the test
    assert phrase in capsys.readouterr().err
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("args, phrase", [
    (["run", "baseline", "--set", "widht=50"], "did you mean 'width'"),
    (["run", "baseline", "--set", "width"], "expected KEY=VALUE"),
])
def test_run_bad_input_in_a_real_process(tmp_path, args, phrase):
    proc = clusterlab(*args, cwd=tmp_path)
    assert proc.returncode == 2 and no_traceback(proc) and phrase in proc.stderr


def test_bad_arguments_exit_2_with_usage():
    proc = clusterlab("run", "--steps", "0")
    assert proc.returncode == 2 and no_traceback(proc) and "allowed: an integer >= 1; given: 0" in proc.stderr


# --- run ------------------------------------------------------------------------------------
def test_run_writes_data_and_figures_and_is_reproducible(tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:  # two separate processes, same seed
        proc = clusterlab("run", "dartboard", "--seed", "7", "--out", out, *SMALL)
        assert proc.returncode == 0, proc.stderr
        assert str(out) in proc.stdout and "Ellison–Glaeser index" in proc.stdout
        for name in ("indicators.csv", "summary.json", *FIGURES):
            assert (out / name).stat().st_size > 0, name
    a, b = ((out / "indicators.csv").read_bytes() for out in outs)
    assert a == b

    results = pd.read_csv(outs[0] / "indicators.csv", index_col="step")
    assert list(results.index) == list(range(6))
    assert {"firms", "ellison_glaeser", "gov_budget", "spend_tech_centre"} <= set(results.columns)
    summary = json.loads((outs[0] / "summary.json").read_text())
    assert summary["scenario"] == "dartboard" and summary["seed"] == 7 and summary["steps"] == 5
    assert summary["parameters"]["width"] == 30 and summary["parameters"]["location_choice"] == "random"
    assert summary["growth"]["firms"]["start"] == 20
    assert summary["final"]["firms"] == results["firms"].iloc[-1]


def test_run_default_output_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", *SMALL, "--seed", "3"]) == 0
    assert "output/baseline-seed3" in capsys.readouterr().out
    assert (tmp_path / "output" / "baseline-seed3" / "indicators.csv").exists()


def test_a_failing_figure_keeps_the_data(tmp_path, monkeypatch, capsys):
    from experiments import plots

    def broken(*args, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(plots, "save_figures", broken)
    code = cli.main(["run", "baseline", "--out", str(tmp_path), *SMALL])
    assert code == 1
    assert "figures failed: RuntimeError: no ink" in capsys.readouterr().err
    assert (tmp_path / "indicators.csv").exists() and (tmp_path / "summary.json").exists()


def test_run_scenario_in_process_with_overrides():
    result = run_scenario("baseline", seed=2, steps=3, progress=False, width=30, height=30, n_firms=10,
                          n_suppliers=20)
    assert len(result.results) == 4 and result.out is None
    assert result.model.params["width"] == 30
    assert result.summary["parameters"] == {"width": 30, "height": 30, "n_firms": 10, "n_suppliers": 20}


def test_parse_overrides_reads_toml_values():
    assert cli.parse_overrides(["width=50", "spillover=0.1", "location_choice=random", "parks=[[1, 2, 3]]",
                                "quality_standard = 1"]) == {
        "width": 50, "spillover": 0.1, "location_choice": "random", "parks": [[1, 2, 3]], "quality_standard": 1}


def test_run_set_takes_comma_separated_pairs_as_compare_does_and_refuses_a_key_twice():
    """`clusterlab run --set width=30,height=30` (the form compare's --set takes) was refused as
    "space.width: wrong type (a string) ... given: '30,height=30'"; and `--set width=30 --set width=40`
    silently kept the last value, where compare refuses a key given twice."""
    assert cli.parse_overrides(["width=30,height=30", "parks=[[1, 2, 3], [4, 5, 6]],spillover=0.1", "tax_rate=0.1,"]) == {
        "width": 30, "height": 30, "parks": [[1, 2, 3], [4, 5, 6]], "spillover": 0.1, "tax_rate": 0.1}
    for items in (["width=30", "width=40"], ["width=30,width=40"]):
        with pytest.raises(ValueError, match="--set width: given twice"):
            cli.parse_overrides(items)
    with pytest.raises(ValueError, match="expected KEY=VALUE"):
        cli.parse_overrides([""])


def test_commands_are_registered_in_one_place():
    parser = cli.build_parser()
    for name in ("scenarios", "validate", "run"):
        args = parser.parse_args([name])
        assert args.handler is cli.COMMANDS[name][2]


def test_run_animate_writes_a_gif_of_the_map(tmp_path):
    from PIL import Image

    from experiments.cli import main

    out = tmp_path / "anim"
    assert main(["run", "baseline", "--steps", "3", "--quiet", "--animate", "--out", str(out),
                 "--set", "width=30", "--set", "height=30", "--set", "n_firms=20", "--set", "n_suppliers=30"]) == 0
    with Image.open(out / "map.gif") as gif:
        assert gif.n_frames == 4


def test_viz_refuses_an_unknown_scenario_before_serving(capsys):
    from experiments.cli import main

    assert main(["viz", "no_such_scenario"]) == 2
    assert "no such scenario" in capsys.readouterr().err


def test_report_takes_its_output_folder_as_out_too():
    """`clusterlab report output/compare --out output/brief`, the --out every other command takes, was
    read as an abbreviation of --outcomes and refused: "'output/brief' is not an indicator ..."."""
    from pathlib import Path

    args = cli.build_parser().parse_args(["report", "output/compare", "--out", "output/brief"])
    assert args.out == Path("output/brief") and args.outcomes is None and args.paths == ["output/compare"]


def test_an_arm_without_a_scenario_is_shown_with_one():
    """`clusterlab compare baseline tech_centre=20` (cost-effectiveness's arm syntax) was told to write
    "e.g. tech_centre=20:", a scenario named tech_centre=20 with no change."""
    from experiments.compare import parse_arm
    from experiments.sweep import SweepError

    with pytest.raises(SweepError) as err:
        parse_arm("tech_centre=20,rd_subsidy=0.3")
    assert "a change without a scenario" in str(err.value)
    assert "e.g. baseline:tech_centre=20,rd_subsidy=0.3;" in str(err.value)


def test_run_warns_when_steps_end_before_the_scenarios_scheduled_changes(tmp_path, monkeypatch, capsys):
    """`clusterlab run xiqiao_decline_revival --steps 20` ended before the design centre of quarter 40
    (the scenario's question) without a word: a student concluded that the centre did nothing."""
    from experiments import runner

    monkeypatch.setattr(runner, "run_scenario", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert cli.main(["run", "xiqiao_decline_revival", "--steps", "20", "--quiet", "--out", str(tmp_path / "x")]) == 130
    err = capsys.readouterr().err
    assert ("warning: --steps 20 ends before the scenario's scheduled changes (tech_centre = 150 at quarter 40): "
            "they are not in this run") in err
    assert cli.main(["run", "xiqiao_decline_revival", "--steps", "40", "--quiet", "--out", str(tmp_path / "y")]) == 130
    assert "scheduled changes" not in capsys.readouterr().err
